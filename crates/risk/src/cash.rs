//! The cash buffer: how much cash keeps a leveraged portfolio clear of a margin call.
//!
//! Equity starts at 1; position i is worth wᵢ (Σwᵢ > 1 = leverage, financed by negative
//! cash) and needs a maintenance margin mᵢ·Vᵢ. Over a scenario with asset returns Rᵢ(t),
//! equity is E(t) = 1 + Σ wᵢRᵢ(t) and the requirement M(t) = Σ mᵢwᵢ(1 + Rᵢ(t)); a margin call
//! (forced sale) happens when E(t) < M(t).
//!
//! Holding a **cash share s** means: keep s of equity in cash and run the same portfolio
//! (same mix, same leverage) with the other 1 − s. Then E(t) = 1 + (1 − s)a_t and
//! M(t) = (1 − s)b_t with a_t = Σwᵢ Rᵢ(t), b_t = Σmᵢwᵢ(1 + Rᵢ(t)); no call at t iff
//! (1 − s)(b_t − a_t) ≤ 1, so the smallest safe share is s* = max(0, maxₜ 1 − 1/(b_t − a_t)).
//! A forced sale otherwise: the sales x (pro rata, paying down the loan) that restore
//! E ≥ M are x = (M − E)/m̄ with m̄ = M/Σ Vᵢ the average requirement.

use crate::scenario::Replay;
use chrono::NaiveDate;
use serde::Serialize;

/// One scenario's cash-buffer result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CashResult {
    pub scenario: String,
    /// Smallest cash share of equity that avoids any margin call (0 = none needed).
    pub required_cash_share: f64,
    /// Whether the portfolio as held gets a margin call.
    pub margin_call: bool,
    pub first_call_date: Option<NaiveDate>,
    /// Largest forced sale over the path, as a share of initial equity.
    pub forced_sale: f64,
    /// Lowest equity over the path (1 = initial); ≤ 0 means wiped out.
    pub min_equity: f64,
}

/// Cash-buffer analysis of one scenario. `paths[i][t]` is asset i's return from the
/// scenario's start to `dates[t]`.
pub fn cash_buffer(name: &str, dates: &[NaiveDate], paths: &[Vec<f64>], w: &[f64], margin: &[f64]) -> CashResult {
    let mut s_star: f64 = 0.0;
    let mut first = None;
    let mut forced: f64 = 0.0;
    let mut min_e = 1.0f64;
    for (t, d) in dates.iter().enumerate() {
        let a: f64 = (0..w.len()).map(|i| w[i] * paths[i][t]).sum();
        let value: f64 = (0..w.len()).map(|i| w[i] * (1.0 + paths[i][t])).sum();
        let b: f64 = (0..w.len()).map(|i| margin[i] * w[i] * (1.0 + paths[i][t])).sum();
        let e = 1.0 + a;
        min_e = min_e.min(e);
        if b - a > 1.0 {
            s_star = s_star.max(1.0 - 1.0 / (b - a));
        }
        if e < b {
            first.get_or_insert(*d);
            let mbar = if value > 0.0 { b / value } else { 1.0 };
            forced = forced.max(if mbar > 0.0 { (b - e) / mbar } else { value });
        }
    }
    CashResult {
        scenario: name.to_string(),
        required_cash_share: s_star.clamp(0.0, 1.0),
        margin_call: first.is_some(),
        first_call_date: first,
        forced_sale: forced,
        min_equity: min_e,
    }
}

/// The advice check: for leverage L (same mix scaled to Σw = L), the largest required
/// cash share over the scenarios, and whether 15 % / 20 % cash suffices.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdviceRow {
    pub leverage: f64,
    pub worst_scenario: String,
    pub required_cash_share: f64,
    pub holds_at_15: bool,
    pub holds_at_20: bool,
}

/// Runs [`cash_buffer`] over scenarios for a grid of leverages.
pub fn advice_check(
    replays: &[(Replay, Vec<Vec<f64>>)],
    w: &[f64],
    margin: &[f64],
    leverages: &[f64],
) -> Vec<AdviceRow> {
    let total: f64 = w.iter().sum();
    leverages
        .iter()
        .map(|&l| {
            let wl: Vec<f64> = w.iter().map(|v| v * l / total).collect();
            let mut worst = (String::from("-"), 0.0f64);
            for (r, paths) in replays {
                let c = cash_buffer(&r.name, &r.path_dates, paths, &wl, margin);
                if c.required_cash_share > worst.1 {
                    worst = (r.name.clone(), c.required_cash_share);
                }
            }
            AdviceRow {
                leverage: l,
                worst_scenario: worst.0,
                required_cash_share: worst.1,
                holds_at_15: worst.1 <= 0.15,
                holds_at_20: worst.1 <= 0.20,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dates(n: usize) -> Vec<NaiveDate> {
        (0..n).map(|i| NaiveDate::from_ymd_opt(2020, 1, 1 + i as u32).unwrap()).collect()
    }

    #[test]
    fn unleveraged_portfolio_needs_no_buffer() {
        let p = vec![vec![0.0, -0.5, -0.7]];
        let c = cash_buffer("x", &dates(3), &p, &[1.0], &[0.25]);
        assert_eq!(c.required_cash_share, 0.0);
        assert!(!c.margin_call);
    }

    #[test]
    fn leveraged_buffer_is_exactly_enough() {
        // 2× leverage, margin 25 %, asset falls 40 %: a = −0.8, b = 0.25·2·0.6 = 0.3, b − a = 1.1
        let p = vec![vec![-0.1, -0.4]];
        let c = cash_buffer("x", &dates(2), &p, &[2.0], &[0.25]);
        let s = 1.0 - 1.0 / 1.1;
        assert!((c.required_cash_share - s).abs() < 1e-12);
        assert!(c.margin_call);
        // with that share, scaled positions: no call (boundary)
        let w = 2.0 * (1.0 - s);
        let e = 1.0 + w * -0.4;
        let m = 0.25 * w * 0.6;
        assert!(e >= m - 1e-12);
    }
}
