//! Greenwood, Landier & Thesmar (2015), "Vulnerable banks", JFE 115(3):471–485:
//! the linear one-round fire-sale model, in closed form.
//!
//! N banks, K assets. A = diag(a) total assets, M (N×K) portfolio weights, B =
//! diag(b) leverage (debt/equity, targeted), L = diag(ℓ) price impact (return per
//! US$ bn of net sales), F the K-vector of asset returns. Direct loss `A·M·F`; sales
//! restoring leverage `B·A·M·F`; net sales per asset `M'·B·A·M·F`; price moves
//! `L·M'·B·A·M·F`; second-round loss `A·M·L·M'·B·A·M·F` (per bank, US$ bn).
//! Aggregate vulnerability AV = 1'·A·M·L·M'·B·A·M·F / E (E = total equity).
//!
//! Sign convention here: F are returns (a fall is negative), so the second-round
//! "loss" is a P&L and negative in a sell-off; the simulator's leverage-targeting
//! agents with linear impact and one round reproduce it exactly.

use serde::Serialize;

/// The closed-form outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GltResult {
    /// `A·M·F`: first-round P&L per bank.
    pub direct: Vec<f64>,
    /// `M'·B·A·M·F`: net purchases per asset (negative = sales).
    pub net_flows: Vec<f64>,
    /// `L·M'·B·A·M·F`: second-round return per asset.
    pub price_moves: Vec<f64>,
    /// `A·M·L·M'·B·A·M·F`: second-round P&L per bank.
    pub second_round: Vec<f64>,
    /// `1'·second_round / E`.
    pub aggregate_vulnerability: f64,
}

/// Evaluates the chain for `a` (N), `m` (N rows of K), `b` (N), `l` (K), `f` (K).
pub fn closed_form(a: &[f64], m: &[Vec<f64>], b: &[f64], l: &[f64], f: &[f64]) -> GltResult {
    let n = a.len();
    let k = f.len();
    let direct: Vec<f64> = (0..n).map(|i| a[i] * (0..k).map(|j| m[i][j] * f[j]).sum::<f64>()).collect();
    let net_flows: Vec<f64> = (0..k).map(|j| (0..n).map(|i| m[i][j] * b[i] * direct[i]).sum()).collect();
    let price_moves: Vec<f64> = (0..k).map(|j| l[j] * net_flows[j]).collect();
    let second_round: Vec<f64> = (0..n).map(|i| a[i] * (0..k).map(|j| m[i][j] * price_moves[j]).sum::<f64>()).collect();
    let equity: f64 = (0..n).map(|i| a[i] / (1.0 + b[i])).sum();
    let aggregate_vulnerability = second_round.iter().sum::<f64>() / equity;
    GltResult { direct, net_flows, price_moves, second_round, aggregate_vulnerability }
}
