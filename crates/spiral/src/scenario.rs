//! A simulated path as a plain scenario: dated daily returns per asset, for a
//! portfolio stress test (e.g. `fissure-risk`) to revalue holdings on.
//!
//! Connecting it: for a portfolio with weights w (asset id → weight), the
//! portfolio's simple return on `dates[t]` is Σ_k w_k·`returns[t][k]`; its
//! cumulative path is Π_t(1 + r_t) − 1. [`SimulatedPath::portfolio_returns`] does it.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One simulated path: `returns[t][k]` is the simple return of `assets[k]` on `dates[t]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedPath {
    /// Store ids of the assets, the column order of `returns`.
    pub assets: Vec<String>,
    /// Simulated trading days (business days after the data's last date).
    pub dates: Vec<NaiveDate>,
    /// Daily simple returns with the agents' trading (price impact included).
    pub returns: Vec<Vec<f64>>,
    /// The same days without agents (exogenous returns only): the counterfactual.
    pub returns_without_agents: Vec<Vec<f64>>,
    pub seed: u64,
    pub path_index: usize,
    /// The path's amplification, when defined.
    pub amplification: Option<f64>,
}

impl SimulatedPath {
    /// Daily portfolio returns for `weights` (asset id → weight). Returns the
    /// ids that are not simulated assets (their weight is ignored; the caller must
    /// report them).
    pub fn portfolio_returns(&self, weights: &BTreeMap<String, f64>, with_agents: bool) -> (Vec<f64>, Vec<String>) {
        let mut w = vec![0.0; self.assets.len()];
        let mut unknown = Vec::new();
        for (id, v) in weights {
            match self.assets.iter().position(|a| a.eq_ignore_ascii_case(id)) {
                Some(j) => w[j] += v,
                None => unknown.push(id.clone()),
            }
        }
        let src = if with_agents { &self.returns } else { &self.returns_without_agents };
        (src.iter().map(|r| r.iter().zip(&w).map(|(a, b)| a * b).sum()).collect(), unknown)
    }
}

/// The `n` business days (Mon–Fri) after `d`.
pub fn business_days_after(d: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(n);
    let mut x = d;
    while out.len() < n {
        x = x.succ_opt().unwrap_or(x);
        if !matches!(x.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(x);
        }
    }
    out
}
