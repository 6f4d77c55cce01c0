//! Rotation: relative-strength ratios (numerator basket / denominator basket,
//! geometric equal-weight baskets on the common trading days) with momentum
//! (h-day change of the log ratio, %) and a trailing z-score of the log ratio
//! (data ≤ t), dated breakouts (the ratio at a new trailing-window high or low),
//! and "high-cut-low" (高切低) days when several high-valuation leaders fall
//! while the low-valuation sectors rise together.

use crate::error::{Result, StructureError};
use chrono::NaiveDate;
use fissure_core::Series;
use serde::Serialize;
use std::collections::BTreeMap;

/// A relative-strength pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioSpec {
    pub name: String,
    pub numerator: Vec<String>,
    pub denominator: Vec<String>,
}

impl RatioSpec {
    /// Parses `NUM/DEN`, each side one id or a `+`-joined basket (`NVDA+MSFT/XLU`); the name is the text.
    pub fn parse(s: &str) -> Result<RatioSpec> {
        let bad = |why: &str| StructureError::Invalid(format!("ratio `{s}`: {why}"));
        let (n, d) = s.split_once('/').ok_or_else(|| bad("expected NUM/DEN"))?;
        let split = |x: &str| x.split('+').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect::<Vec<_>>();
        let (numerator, denominator) = (split(n), split(d));
        if numerator.is_empty() || denominator.is_empty() {
            return Err(bad("empty side"));
        }
        Ok(RatioSpec { name: s.to_string(), numerator, denominator })
    }

    pub fn new(name: &str, num: &[&str], den: &[&str]) -> Self {
        RatioSpec {
            name: name.into(),
            numerator: num.iter().map(|s| s.to_string()).collect(),
            denominator: den.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The default pairs on the bundled data.
pub fn default_ratios() -> Vec<RatioSpec> {
    vec![
        RatioSpec::new("IWM/SPY", &["IWM"], &["SPY"]),
        RatioSpec::new("RUT/SPX", &["RUT"], &["SPX"]),
        RatioSpec::new("defensives/XLK", &["XLU", "XLP", "XLV"], &["XLK"]),
        RatioSpec::new("XLU/XLK", &["XLU"], &["XLK"]),
        RatioSpec::new("XLP/XLK", &["XLP"], &["XLK"]),
        RatioSpec::new("XLV/XLK", &["XLV"], &["XLK"]),
        RatioSpec::new("value/QQQ", &["XLE", "XLF"], &["QQQ"]),
        RatioSpec::new("XLE/QQQ", &["XLE"], &["QQQ"]),
        RatioSpec::new("XLF/QQQ", &["XLF"], &["QQQ"]),
        RatioSpec::new("GLD/SPY", &["GLD"], &["SPY"]),
    ]
}

/// Settings of the rotation measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationConfig {
    /// Momentum horizon (trading days).
    pub momentum: usize,
    /// Trailing window of the z-score and of the breakout high/low (trading days).
    pub window: usize,
    /// A breakout is reported when none occurred in the previous `cooldown` days.
    pub cooldown: usize,
    /// High-cut-low days: leaders, low-valuation group and thresholds.
    pub leaders: Vec<String>,
    pub low_valuation: Vec<String>,
    /// A leader "falls" when its return is ≤ −`leader_drop_pct`.
    pub leader_drop_pct: f64,
    pub min_leaders_down: usize,
    /// Share of the low-valuation group that must rise, and their minimum mean return (%).
    pub min_low_up_share: f64,
    pub min_low_mean_pct: f64,
}

impl Default for RotationConfig {
    fn default() -> Self {
        RotationConfig {
            momentum: 63,
            window: 252,
            cooldown: 20,
            leaders: ["AAPL", "MSFT", "GOOGL", "AMZN", "META", "NVDA", "TSLA"].iter().map(|s| s.to_string()).collect(),
            low_valuation: ["XLE", "XLF", "XLU", "XLP", "XLV", "IWM"].iter().map(|s| s.to_string()).collect(),
            leader_drop_pct: 1.0,
            min_leaders_down: 3,
            min_low_up_share: 0.8,
            min_low_mean_pct: 0.5,
        }
    }
}

/// A dated breakout of a ratio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakout {
    pub date: NaiveDate,
    /// `up` (new trailing high: the numerator leads) or `down`.
    pub direction: String,
    pub ratio: f64,
    pub z: f64,
}

/// One relative-strength ratio over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratio {
    pub name: String,
    pub dates: Vec<NaiveDate>,
    /// Ratio of the geometric-mean baskets (first common day = 1 for baskets).
    pub ratio: Vec<f64>,
    /// 100 · (ln R_t − ln R_{t−h}); NaN for the first h days.
    pub momentum_pct: Vec<f64>,
    /// (ln R_t − mean)/sd over the trailing window; NaN before a full window.
    pub z: Vec<f64>,
    pub breakouts: Vec<Breakout>,
}

impl Ratio {
    pub fn latest(&self) -> Option<(NaiveDate, f64, f64, f64)> {
        let i = self.dates.len().checked_sub(1)?;
        Some((self.dates[i], self.ratio[i], self.momentum_pct[i], self.z[i]))
    }
}

/// Values of `ids` on the dates common to all of them (sorted-merge intersection,
/// O(Σ n); equivalent to `Panel::align` with `Alignment::Intersection`): dates and
/// the row-major values (one row of `ids.len()` values per date).
fn common_rows(data: &BTreeMap<String, Series>, ids: &[String]) -> Result<(Vec<NaiveDate>, Vec<f64>)> {
    let refs: Vec<&Series> = ids
        .iter()
        .map(|id| data.get(id).ok_or_else(|| StructureError::Missing(format!("series `{id}`"))))
        .collect::<Result<_>>()?;
    let mut pos = vec![0usize; refs.len()];
    let (mut dates, mut rows) = (Vec::new(), Vec::new());
    'outer: loop {
        // the largest current date among the series
        let mut target = NaiveDate::MIN;
        for (s, &i) in refs.iter().zip(&pos) {
            match s.dates().get(i) {
                Some(d) => target = target.max(*d),
                None => break 'outer,
            }
        }
        let mut all = true;
        for (s, i) in refs.iter().zip(pos.iter_mut()) {
            let d = s.dates();
            *i += d[*i..].partition_point(|x| *x < target);
            match d.get(*i) {
                Some(x) if *x == target => {}
                Some(_) => all = false,
                None => break 'outer,
            }
        }
        if all {
            dates.push(target);
            rows.extend(refs.iter().zip(&pos).map(|(s, &i)| s.values()[i]));
            pos.iter_mut().for_each(|i| *i += 1);
        }
    }
    Ok((dates, rows))
}

/// Computes one ratio on the days where every member of both baskets trades.
pub fn ratio(data: &BTreeMap<String, Series>, spec: &RatioSpec, cfg: &RotationConfig) -> Result<Ratio> {
    let mut ids = spec.numerator.clone();
    ids.extend(spec.denominator.iter().cloned());
    let (dates, flat) = common_rows(data, &ids)?;
    let rows: Vec<&[f64]> = flat.chunks(ids.len()).collect();
    let nn = spec.numerator.len();
    let mut logr = Vec::with_capacity(rows.len());
    let mut d_out = Vec::with_capacity(rows.len());
    for (d, r) in dates.iter().zip(&rows) {
        if r.iter().any(|v| *v <= 0.0) {
            continue;
        }
        let num = r[..nn].iter().map(|v| v.ln()).sum::<f64>() / nn as f64;
        let den = r[nn..].iter().map(|v| v.ln()).sum::<f64>() / (r.len() - nn) as f64;
        logr.push(num - den);
        d_out.push(*d);
    }
    if logr.len() < cfg.window.max(cfg.momentum) + 1 {
        return Err(StructureError::Missing(format!(
            "ratio {}: {} common days, need more than {}",
            spec.name,
            logr.len(),
            cfg.window.max(cfg.momentum)
        )));
    }
    let n = logr.len();
    let h = cfg.momentum;
    let momentum_pct: Vec<f64> =
        (0..n).map(|i| if i >= h { 100.0 * (logr[i] - logr[i - h]) } else { f64::NAN }).collect();
    // trailing z by running sums over the window ending at t (inclusive)
    // (centred on the first value: z is shift-free; a window whose ratio does not move has a
    // variance of rounding noise relative to the largest sum of squares seen, and no z-score)
    let w = cfg.window;
    let c = logr.first().copied().unwrap_or(0.0);
    let (mut s, mut ss, mut peak) = (0.0, 0.0, 0.0f64);
    let mut z = vec![f64::NAN; n];
    for t in 0..n {
        let x = logr[t] - c;
        s += x;
        ss += x * x;
        if t >= w {
            let o = logr[t - w] - c;
            s -= o;
            ss -= o * o;
        }
        peak = peak.max(ss);
        if t + 1 >= w {
            let nf = w as f64;
            let var = (ss - s * s / nf) / (nf - 1.0);
            if !fissure_stats::tol::negligible(var, peak / nf) {
                z[t] = (x - s / nf) / var.sqrt();
            }
        }
    }
    // breakouts: a new high/low of the previous `window` days (monotone deques, O(n))
    let mut breakouts = Vec::new();
    let mut last_up: Option<usize> = None;
    let mut last_down: Option<usize> = None;
    let mut maxq: std::collections::VecDeque<usize> = Default::default();
    let mut minq: std::collections::VecDeque<usize> = Default::default();
    for t in 0..n {
        if t >= w {
            // the deques hold indices t−w .. t−1
            while maxq.front().is_some_and(|&i| i < t - w) {
                maxq.pop_front();
            }
            while minq.front().is_some_and(|&i| i < t - w) {
                minq.pop_front();
            }
            // a new high/low must exceed the window's by more than rounding noise
            let tol = |v: f64| fissure_stats::tol::REL_TOL * v.abs().max(1.0);
            let hi = maxq.front().map(|&i| logr[i] + tol(logr[i])).unwrap_or(f64::INFINITY);
            let lo = minq.front().map(|&i| logr[i] - tol(logr[i])).unwrap_or(f64::NEG_INFINITY);
            if logr[t] > hi && last_up.is_none_or(|u| t - u > cfg.cooldown) {
                breakouts.push(Breakout { date: d_out[t], direction: "up".into(), ratio: logr[t].exp(), z: z[t] });
            }
            if logr[t] > hi {
                last_up = Some(t);
            }
            if logr[t] < lo && last_down.is_none_or(|u| t - u > cfg.cooldown) {
                breakouts.push(Breakout { date: d_out[t], direction: "down".into(), ratio: logr[t].exp(), z: z[t] });
            }
            if logr[t] < lo {
                last_down = Some(t);
            }
        }
        while maxq.back().is_some_and(|&i| logr[i] <= logr[t]) {
            maxq.pop_back();
        }
        maxq.push_back(t);
        while minq.back().is_some_and(|&i| logr[i] >= logr[t]) {
            minq.pop_back();
        }
        minq.push_back(t);
    }
    Ok(Ratio {
        name: spec.name.clone(),
        dates: d_out,
        ratio: logr.iter().map(|v| v.exp()).collect(),
        momentum_pct,
        z,
        breakouts,
    })
}

/// A high-cut-low day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationDay {
    pub date: NaiveDate,
    /// Leaders that fell by at least the threshold, with their returns (%).
    pub leaders_down: Vec<(String, f64)>,
    pub leaders_mean_pct: f64,
    /// Mean return (%) of the low-valuation group and the share of it that rose.
    pub low_mean_pct: f64,
    pub low_up_share: f64,
}

/// Days when at least `min_leaders_down` leaders fall by ≥ `leader_drop_pct` %
/// while ≥ `min_low_up_share` of the low-valuation group rises with a mean return
/// ≥ `min_low_mean_pct` % (close-to-close on common trading days).
pub fn high_cut_low_days(data: &BTreeMap<String, Series>, cfg: &RotationConfig) -> Result<Vec<RotationDay>> {
    let leaders: Vec<String> = cfg.leaders.iter().filter(|id| data.contains_key(*id)).cloned().collect();
    let low: Vec<String> = cfg.low_valuation.iter().filter(|id| data.contains_key(*id)).cloned().collect();
    if leaders.len() < cfg.min_leaders_down || low.is_empty() {
        return Err(StructureError::Missing(format!(
            "high-cut-low needs {} leaders and a low-valuation group; found {} and {}",
            cfg.min_leaders_down,
            leaders.len(),
            low.len()
        )));
    }
    let mut ids = leaders.clone();
    ids.extend(low.iter().cloned());
    let (dates, flat) = common_rows(data, &ids)?;
    let rows: Vec<&[f64]> = flat.chunks(ids.len()).collect();
    let nl = leaders.len();
    let mut out = Vec::new();
    for t in 1..rows.len() {
        let ret = |j: usize| 100.0 * (rows[t][j] / rows[t - 1][j] - 1.0);
        let lr: Vec<f64> = (0..nl).map(ret).collect();
        let down: Vec<(String, f64)> = lr
            .iter()
            .enumerate()
            .filter(|(_, r)| **r <= -cfg.leader_drop_pct)
            .map(|(j, r)| (leaders[j].clone(), *r))
            .collect();
        if down.len() < cfg.min_leaders_down {
            continue;
        }
        let lo: Vec<f64> = (nl..rows[t].len()).map(ret).collect();
        let up_share = lo.iter().filter(|r| **r > 0.0).count() as f64 / lo.len() as f64;
        let lo_mean = lo.iter().sum::<f64>() / lo.len() as f64;
        if up_share >= cfg.min_low_up_share && lo_mean >= cfg.min_low_mean_pct {
            out.push(RotationDay {
                date: dates[t],
                leaders_down: down,
                leaders_mean_pct: lr.iter().sum::<f64>() / nl as f64,
                low_mean_pct: lo_mean,
                low_up_share: up_share,
            });
        }
    }
    Ok(out)
}

/// The rotation ratios of `specs` and the high-cut-low days on `data`. What cannot be computed is kept with
/// its reason (a ratio in `skipped`, the days as `Err`), never dropped.
#[derive(Debug, Clone)]
pub struct RotationScan {
    pub ratios: Vec<Ratio>,
    /// (ratio name, reason)
    pub skipped: Vec<(String, String)>,
    pub high_cut_low: std::result::Result<Vec<RotationDay>, String>,
}

/// Computes a [`RotationScan`].
pub fn scan(data: &BTreeMap<String, Series>, specs: &[RatioSpec], cfg: &RotationConfig) -> RotationScan {
    let mut ratios = Vec::new();
    let mut skipped = Vec::new();
    for s in specs {
        match ratio(data, s, cfg) {
            Ok(r) => ratios.push(r),
            Err(e) => skipped.push((s.name.clone(), e.to_string())),
        }
    }
    RotationScan { ratios, skipped, high_cut_low: high_cut_low_days(data, cfg).map_err(|e| e.to_string()) }
}
