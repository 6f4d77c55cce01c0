//! The LPPLS confidence indicator of the ETH Financial Crisis Observatory (Sornette, Demos, Zhang,
//! Cauwels, Filimonov & Zhang 2015, *J. Investment Strategies* 4(4), Table 1).
//!
//! For every "present" t2, fit shrinking windows of 750 down to 125 trading days in steps of 5
//! (126 windows) in the FCO search space and count the windows whose fit passes the FCO filter 1:
//! `m ∈ [0.01, 1.2]`, `ω ∈ [2, 25]`, `tc ∈ [t2 − 0.05Δ, t2 + 0.1Δ]`, oscillations
//! `(ω/2)·ln|(tc − t1)/(tc − t2)| ≥ 2.5`, damping `m|B|/(ω|C|) ≥ 0.8`, relative error
//! `|p − p̂|/p̂ ≤ 0.05` (mean over the window by default; the paper does not say). The positive-bubble confidence is
//! the share of fitted windows that qualify with `B < 0`, the negative-bubble confidence the share
//! with `B > 0`. The `lppls` package's variant (`m ∈ (0,1)`, `ω ∈ (2,15)`, `O = (ω/2π)ln… > 2.5`,
//! `D > 0.5`, `max(t2−60, t2−0.5Δ) < tc < min(t2+252, t2+0.5Δ)`, denominator = fits of that sign)
//! is available as [`Filter::lppls_package`] and documented in `docs/bubble.md`.

use crate::lppls::{self, FitOptions, LpplsFit, SearchSpace, Window, Workspace};
use crate::{BubbleError, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Qualification filter of one fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub m: (f64, f64),
    pub omega: (f64, f64),
    /// tc ∈ [t2 + lo·Δ, t2 + hi·Δ], Δ = t2 − t1 (days)
    pub tc_rel: (f64, f64),
    /// Optional absolute tc bounds in days around t2: tc ∈ [t2 − a, t2 + b] (the `lppls` package).
    pub tc_days: Option<(f64, f64)>,
    pub min_oscillations: f64,
    /// Divisor of ω in the oscillation count: 2 (FCO Table 1) or 2π (`lppls`).
    pub oscillation_divisor: f64,
    pub min_damping: f64,
    /// Bound on the relative price error |p − p̂|/p̂ (None: not checked).
    pub max_rel_error: Option<f64>,
    /// How the relative errors of the window are aggregated before the bound is applied.
    pub rel_error: RelErrorAggregation,
}

/// Aggregation of the relative errors |p − p̂|/p̂ over a window. The FCO's Table 1 does not say;
/// the mean is the default (the maximum over a 3-year window of a volatile index rejects every
/// fit: median 20% on NASDAQ 2000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelErrorAggregation {
    Mean,
    Max,
}

impl Default for Filter {
    /// FCO filter 1 (confidence), Sornette et al. (2015) Table 1.
    fn default() -> Self {
        Filter {
            m: (0.01, 1.2),
            omega: (2.0, 25.0),
            tc_rel: (-0.05, 0.1),
            tc_days: None,
            min_oscillations: 2.5,
            oscillation_divisor: 2.0,
            min_damping: 0.8,
            max_rel_error: Some(0.05),
            rel_error: RelErrorAggregation::Mean,
        }
    }
}

impl Filter {
    /// The `lppls` package's default filter (`compute_indicators`, v0.6.24).
    pub fn lppls_package() -> Self {
        Filter {
            m: (0.0, 1.0),
            omega: (2.0, 15.0),
            tc_rel: (-0.5, 0.5),
            tc_days: Some((60.0, 252.0)),
            min_oscillations: 2.5,
            oscillation_divisor: 2.0 * std::f64::consts::PI,
            min_damping: 0.5,
            max_rel_error: None,
            rel_error: RelErrorAggregation::Mean,
        }
    }

    /// Whether `fit` (on times `t`, log prices `y`) qualifies.
    pub fn qualifies(&self, fit: &LpplsFit, t: &[f64], y: &[f64]) -> bool {
        let d = fit.t2 - fit.t1;
        let mut lo = fit.t2 + self.tc_rel.0 * d;
        let mut hi = fit.t2 + self.tc_rel.1 * d;
        if let Some((a, b)) = self.tc_days {
            lo = lo.max(fit.t2 - a);
            hi = hi.min(fit.t2 + b);
        }
        let inside = |v: f64, r: (f64, f64)| v >= r.0 && v <= r.1;
        if !(inside(fit.m, self.m) && inside(fit.omega, self.omega) && fit.tc >= lo && fit.tc <= hi) {
            return false;
        }
        let osc = fit.oscillations(self.oscillation_divisor);
        if !(osc.is_finite() && osc >= self.min_oscillations) {
            return false;
        }
        let damp = fit.damping();
        if !(damp.is_finite() && damp >= self.min_damping) {
            return false;
        }
        if let Some(maxe) = self.max_rel_error {
            let errs = t.iter().zip(y).map(|(ti, yi)| {
                let phat = fit.value(*ti).exp();
                ((yi.exp() - phat) / phat).abs()
            });
            let agg = match self.rel_error {
                RelErrorAggregation::Max => errs.fold(0.0, f64::max),
                RelErrorAggregation::Mean => errs.sum::<f64>() / t.len().max(1) as f64,
            };
            if !(agg <= maxe) {
                return false;
            }
        }
        true
    }
}

/// Settings of the indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CiConfig {
    /// Largest window, observations (FCO: 750).
    pub max_window: usize,
    /// Smallest window, observations (FCO: 125).
    pub min_window: usize,
    /// Step between windows, observations (FCO: 5).
    pub step: usize,
    pub filter: Filter,
    pub space: SearchSpace,
    /// Local searches per window (the best of `screen` random candidates), in addition to the
    /// warm start from the next larger window.
    pub starts: usize,
    /// Random candidate points screened by SSE per window.
    pub screen: usize,
    pub seed: u64,
    pub max_iter: usize,
}

impl Default for CiConfig {
    fn default() -> Self {
        CiConfig {
            max_window: 750,
            min_window: 125,
            step: 5,
            filter: Filter::default(),
            space: SearchSpace::default(),
            starts: 2,
            screen: 16,
            seed: 0,
            max_iter: 30,
        }
    }
}

impl CiConfig {
    /// The window lengths, largest first.
    pub fn windows(&self) -> Vec<usize> {
        let mut v = vec![];
        let mut w = self.max_window;
        while w >= self.min_window {
            v.push(w);
            if w < self.step {
                break;
            }
            w -= self.step;
        }
        v
    }
}

/// The indicator at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CiPoint {
    /// Index of t2 in the input.
    pub index: usize,
    /// Share of fitted windows qualifying with B < 0 (NaN when no window could be fitted).
    pub pos_conf: f64,
    /// Share of fitted windows qualifying with B > 0 (NaN when no window could be fitted).
    pub neg_conf: f64,
    /// Windows that could be fitted (enough data).
    pub windows: usize,
    /// tc (days) of the qualified fits, sorted.
    pub tc_qualified: Vec<f64>,
}

impl CiPoint {
    /// Type-7 quantile of the qualified tc (None if no fit qualified).
    pub fn tc_quantile(&self, p: f64) -> Option<f64> {
        (!self.tc_qualified.is_empty()).then(|| fissure_stats::describe::quantile_sorted(&self.tc_qualified, p))
    }
}

/// Fits all windows ending at `end` (index into `t`, `y`), largest first, each warm-started from
/// the previous (larger) window's solution plus `starts` random starts.
pub fn fits_at(t: &[f64], y: &[f64], end: usize, cfg: &CiConfig, ws: &mut Workspace) -> Vec<(LpplsFit, bool)> {
    let opt = FitOptions {
        space: cfg.space,
        starts: cfg.starts,
        screen: cfg.screen,
        seed: cfg.seed ^ (end as u64).wrapping_mul(0x9E37_79B9),
        max_iter: cfg.max_iter,
    };
    let mut warm: Option<[f64; 3]> = None;
    let mut out = vec![];
    for len in cfg.windows() {
        if len > end + 1 {
            continue;
        }
        let lo = end + 1 - len;
        let (tw, yw) = (&t[lo..=end], &y[lo..=end]);
        let Ok(w) = Window::new(tw, yw) else { continue };
        if let Some(f) = lppls::fit_serial(&w, ws, &opt, warm) {
            warm = Some([f.tc, f.m, f.omega]);
            let q = cfg.filter.qualifies(&f, tw, yw);
            out.push((f, q));
        }
    }
    out
}

/// The indicator for each end index in `ends` (parallel over dates).
pub fn indicator(
    t: &[f64],
    y: &[f64],
    ends: &[usize],
    cfg: &CiConfig,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Vec<CiPoint>> {
    if t.len() != y.len() {
        return Err(BubbleError::Length(format!("{} times vs {} values", t.len(), y.len())));
    }
    if cfg.min_window < 8 || cfg.step == 0 || cfg.max_window < cfg.min_window {
        return Err(BubbleError::Config(format!(
            "windows {}..{} step {} are invalid",
            cfg.max_window, cfg.min_window, cfg.step
        )));
    }
    lppls::validate_space(&cfg.space)?;
    if let Some(e) = ends.iter().find(|e| **e >= t.len()) {
        return Err(BubbleError::Config(format!("end index {e} beyond {} observations", t.len())));
    }
    let done = AtomicUsize::new(0);
    let total = ends.len();
    Ok(ends
        .par_iter()
        .with_max_len(1)
        .map_init(Workspace::new, |ws, &end| {
            let fits = fits_at(t, y, end, cfg, ws);
            let n = fits.len();
            let pos = fits.iter().filter(|(f, q)| *q && f.b < 0.0).count();
            let neg = fits.iter().filter(|(f, q)| *q && f.b > 0.0).count();
            let mut tcs: Vec<f64> = fits.iter().filter(|(_, q)| *q).map(|(f, _)| f.tc).collect();
            tcs.sort_by(f64::total_cmp);
            let k = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(p) = progress {
                p(k, total);
            }
            // no fitted window: the confidence is undefined (NaN, shown as n/a), not 0
            let share = |c: usize| if n == 0 { f64::NAN } else { c as f64 / n as f64 };
            CiPoint { index: end, pos_conf: share(pos), neg_conf: share(neg), windows: n, tc_qualified: tcs }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fco_windows_are_126() {
        let c = CiConfig::default();
        let w = c.windows();
        assert_eq!(w.len(), 126);
        assert_eq!((w[0], w[125]), (750, 125));
    }

    #[test]
    fn filter_definitions() {
        let f = LpplsFit {
            tc: 1010.0,
            m: 0.5,
            omega: 8.0,
            a: 1.0,
            b: -0.1,
            c1: 0.01,
            c2: 0.0,
            sse: 0.0,
            t1: 0.0,
            t2: 1000.0,
            n: 10,
        };
        // osc FCO = 4·ln(1010/10) = 18.5 ; lppls = 8/(2π)·ln 101 = 5.9; damping = 0.5·0.1/(8·0.01) = 0.625
        assert!((f.oscillations(2.0) - 4.0 * 101f64.ln()).abs() < 1e-12);
        assert!((f.damping() - 0.625).abs() < 1e-12);
        let fco = Filter { max_rel_error: None, ..Filter::default() };
        assert!(!fco.qualifies(&f, &[], &[])); // damping 0.625 < 0.8
        assert!(Filter::lppls_package().qualifies(&f, &[], &[])); // damping 0.625 > 0.5
        let f2 = LpplsFit { c1: 0.005, ..f };
        assert!(fco.qualifies(&f2, &[], &[]));
        let f3 = LpplsFit { tc: 1200.0, ..f2 }; // beyond t2 + 0.1Δ
        assert!(!fco.qualifies(&f3, &[], &[]));
    }
}
