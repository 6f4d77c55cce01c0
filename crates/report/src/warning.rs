//! The combined warning: a calibrated, real-time probability that a fall of at
//! least 20% of the equity indices *peaks* within the next 12 months.
//!
//! **Method (fixed before any post-1990 result was looked at; not tuned):**
//! - features on the weekly calendar: the *fragility* gauge (leading signals),
//!   the *stress now* gauge (coincident signals; 50 — the neutral percentile — where
//!   it has no history yet) and the S&P 500's 2-year run-up as a risk percentile
//!   (Greenwood, Shleifer & You 2019, J. Financial Economics 131(1));
//! - a logistic regression (features standardised on the training rows; ridge
//!   penalty λ = 1 on the slopes, none on the intercept; Newton–Raphson / IRLS),
//!   refitted every 4 weeks on the rows *known at that date*: a week s enters the
//!   training set at t once its label is known — 1 when an event known by t
//!   (its 20% fall reached by t) peaks in (s, s + 12 months], 0 when s + 12 months ≤ t
//!   and no known event peaks in it (an expanding window: no later data is used);
//! - no probability before 10 years of known weeks and 3 known events;
//! - the band of the latest probability: 5th–95th percentiles over moving-block
//!   bootstrap resamples (1-year blocks) of the latest training set, refitted;
//! - "on" (for the on-share, usefulness and event counts) when the probability is
//!   above the real-time base rate (the share of known weeks followed by a peak).
//!
//! The same real-time fit with the signal's own risk percentile as the only
//! feature calibrates every signal and gauge for its Brier skill.

use crate::skill::{block_weights, quantile, Event};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Parameters of the real-time fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitParams {
    pub horizon_days: i64,
    /// Known weeks needed before the first fit.
    pub min_weeks: usize,
    /// Known events needed before the first fit.
    pub min_events: usize,
    /// Weeks between refits.
    pub refit_weeks: usize,
    /// Ridge penalty on the standardised slopes.
    pub ridge: f64,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            horizon_days: crate::skill::PRIMARY_DAYS,
            min_weeks: 520,
            min_events: 3,
            refit_weeks: 4,
            ridge: 1.0,
        }
    }
}

/// A fitted logistic model on standardised features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logit {
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    /// Intercept first, then one slope per feature (standardised units).
    pub beta: Vec<f64>,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Logit {
    pub fn predict(&self, x: &[f64]) -> f64 {
        let z = self.beta[0]
            + x.iter()
                .zip(&self.mean)
                .zip(&self.sd)
                .zip(&self.beta[1..])
                .map(|(((v, m), s), b)| b * (v - m) / s)
                .sum::<f64>();
        sigmoid(z)
    }
}

/// Weighted ridge logistic regression by Newton–Raphson (IRLS). `None` when the
/// rows hold one class only or the Hessian is singular.
#[allow(clippy::needless_range_loop)] // index notation of the normal equations
pub fn fit_logit<R: AsRef<[f64]>>(x: &[R], y: &[bool], w: &[f64], ridge: f64, start: Option<&Logit>) -> Option<Logit> {
    let k = x.first()?.as_ref().len();
    let sw: f64 = w.iter().sum();
    let pos: f64 = y.iter().zip(w).filter(|(y, _)| **y).map(|(_, w)| w).sum();
    if sw <= 0.0 || pos <= 0.0 || pos >= sw {
        return None;
    }
    let mut mean = vec![0.0; k];
    let mut sd = vec![0.0; k];
    for (r, wi) in x.iter().zip(w) {
        for (j, v) in r.as_ref().iter().enumerate() {
            mean[j] += wi * v / sw;
        }
    }
    for (r, wi) in x.iter().zip(w) {
        for (j, v) in r.as_ref().iter().enumerate() {
            sd[j] += wi * (v - mean[j]).powi(2) / sw;
        }
    }
    // a constant feature (relative to its scale) carries no information: unit sd, slope → 0 by the ridge
    for j in 0..k {
        sd[j] = sd[j].sqrt();
        if sd[j] <= 1e-9 * mean[j].abs().max(1.0) {
            sd[j] = 1.0;
        }
    }
    let p = k + 1;
    let mut beta = match start {
        Some(s) if s.beta.len() == p => s.beta.clone(),
        _ => {
            let b = pos / sw;
            let mut v = vec![0.0; p];
            v[0] = (b / (1.0 - b)).ln();
            v
        }
    };
    let mut zi = vec![0.0; p];
    zi[0] = 1.0;
    for _ in 0..50 {
        let mut g = vec![0.0; p];
        let mut h = vec![vec![0.0; p]; p];
        for ((r, yi), wi) in x.iter().zip(y).zip(w) {
            if *wi <= 0.0 {
                continue;
            }
            for (j, v) in r.as_ref().iter().enumerate() {
                zi[j + 1] = (v - mean[j]) / sd[j];
            }
            let eta: f64 = zi.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let mu = sigmoid(eta);
            let res = (if *yi { 1.0 } else { 0.0 }) - mu;
            let v = (mu * (1.0 - mu)).max(1e-12);
            for a in 0..p {
                g[a] += wi * res * zi[a];
                for b in 0..=a {
                    h[a][b] += wi * v * zi[a] * zi[b];
                }
            }
        }
        for a in 1..p {
            g[a] -= ridge * beta[a];
            h[a][a] += ridge;
        }
        for a in 0..p {
            for b in 0..a {
                h[b][a] = h[a][b];
            }
        }
        let step = solve(h, g)?;
        let mut maxstep: f64 = 0.0;
        for a in 0..p {
            beta[a] += step[a];
            maxstep = maxstep.max(step[a].abs());
        }
        if !beta.iter().all(|b| b.is_finite()) {
            return None;
        }
        if maxstep < 1e-8 {
            break;
        }
    }
    Some(Logit { mean, sd, beta })
}

/// Solves a small symmetric positive-definite system (Gaussian elimination with
/// partial pivoting; pivots judged relative to the matrix scale).
#[allow(clippy::needless_range_loop)] // index notation of Gaussian elimination
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
    for c in 0..n {
        let piv = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[piv][c].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(c, piv);
        b.swap(c, piv);
        for r in c + 1..n {
            let f = a[r][c] / a[c][c];
            for k in c..n {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// The label of week `s` as known on date `t`: `Some(true)` when an event whose
/// fall was known by `t` peaks in (s, s + h]; `Some(false)` when s + h ≤ t and none
/// does; `None` when not yet known.
pub fn known_label(s: NaiveDate, t: NaiveDate, events: &[Event], h: i64) -> Option<bool> {
    label_known_at(s + Duration::days(h), first_known(s, events, h), t)
}

/// The first date on which week `s` is known to be followed by a peak within `h`
/// days (the earliest event date among the events peaking in (s, s + h]).
fn first_known(s: NaiveDate, events: &[Event], h: i64) -> Option<NaiveDate> {
    let end = s + Duration::days(h);
    events.iter().filter(|e| e.peak_date > s && e.peak_date <= end).map(|e| e.event_date).min()
}

fn label_known_at(end: NaiveDate, first: Option<NaiveDate>, t: NaiveDate) -> Option<bool> {
    if first.is_some_and(|f| f <= t) {
        Some(true)
    } else if end <= t {
        Some(false)
    } else {
        None
    }
}

/// The result of a real-time fit.
#[derive(Debug, Clone, Default)]
pub struct RealTime {
    /// The probability on each week (from the model fitted on data known then).
    pub prob: Vec<Option<f64>>,
    /// The real-time base rate (share of known weeks followed by a peak).
    pub base: Vec<Option<f64>>,
    /// The last model and its training rows (for the band).
    pub last: Option<(Logit, Vec<usize>, Vec<bool>)>,
}

/// Fits the model on each refit date with the rows known then, and predicts every
/// week until the next refit (see the module documentation). `x[i]` is `None` when
/// a feature is missing on week `i`.
pub fn realtime_fit(calendar: &[NaiveDate], x: &[Option<Vec<f64>>], events: &[Event], p: &FitParams) -> RealTime {
    let n = calendar.len().min(x.len());
    let mut out = RealTime { prob: vec![None; n], base: vec![None; n], last: None };
    let ends: Vec<NaiveDate> = calendar[..n].iter().map(|s| *s + Duration::days(p.horizon_days)).collect();
    let firsts: Vec<Option<NaiveDate>> =
        calendar[..n].iter().map(|s| first_known(*s, events, p.horizon_days)).collect();
    let mut event_dates: Vec<NaiveDate> = events.iter().map(|e| e.event_date).collect();
    event_dates.sort();
    let mut model: Option<Logit> = None;
    let mut base = None;
    let mut since_fit = usize::MAX;
    for i in 0..n {
        let t = calendar[i];
        if since_fit >= p.refit_weeks {
            since_fit = 0;
            let (mut pos, mut tot) = (0usize, 0usize);
            let mut train_i = Vec::new();
            let mut train_y = Vec::new();
            for s in 0..i {
                if let Some(y) = label_known_at(ends[s], firsts[s], t) {
                    tot += 1;
                    pos += y as usize;
                    if x[s].is_some() {
                        train_i.push(s);
                        train_y.push(y);
                    }
                }
            }
            base = (tot > 0).then(|| pos as f64 / tot as f64);
            let known_events = event_dates.partition_point(|d| *d <= t);
            if train_i.len() >= p.min_weeks && known_events >= p.min_events {
                let xs: Vec<&[f64]> = train_i.iter().filter_map(|&s| x[s].as_deref()).collect();
                let w = vec![1.0; xs.len()];
                if let Some(m) = fit_logit(&xs, &train_y, &w, p.ridge, model.as_ref()) {
                    out.last = Some((m.clone(), train_i, train_y));
                    model = Some(m);
                }
            }
        }
        since_fit += 1;
        out.base[i] = base;
        if let (Some(m), Some(xi)) = (&model, &x[i]) {
            out.prob[i] = Some(m.predict(xi));
        }
    }
    out
}

/// The real-time calibration of one score in 0–100 (a risk percentile) into a
/// probability: [`realtime_fit`] with the score as the only feature, the training
/// rows aggregated by whole percentile points (weights = counts), which leaves the
/// fit unchanged to within the rounding and makes each refit O(100).
pub fn realtime_calibration(
    calendar: &[NaiveDate],
    score: &[Option<f64>],
    events: &[Event],
    p: &FitParams,
) -> Vec<Option<f64>> {
    let n = calendar.len().min(score.len());
    let mut prob = vec![None; n];
    let ends: Vec<NaiveDate> = calendar[..n].iter().map(|s| *s + Duration::days(p.horizon_days)).collect();
    let firsts: Vec<Option<NaiveDate>> =
        calendar[..n].iter().map(|s| first_known(*s, events, p.horizon_days)).collect();
    let bin = |v: f64| (v.clamp(0.0, 100.0)).round() as usize;
    let mut event_dates: Vec<NaiveDate> = events.iter().map(|e| e.event_date).collect();
    event_dates.sort();
    let mut model: Option<Logit> = None;
    let mut since_fit = usize::MAX;
    for i in 0..n {
        let t = calendar[i];
        if since_fit >= p.refit_weeks {
            since_fit = 0;
            let mut counts = [[0.0f64; 2]; 101];
            let mut rows = 0usize;
            for s in 0..i {
                if let (Some(v), Some(y)) = (score[s], label_known_at(ends[s], firsts[s], t)) {
                    counts[bin(v)][y as usize] += 1.0;
                    rows += 1;
                }
            }
            if rows >= p.min_weeks && event_dates.partition_point(|d| *d <= t) >= p.min_events {
                let (mut xs, mut ys, mut ws) = (Vec::new(), Vec::new(), Vec::new());
                for (b, c) in counts.iter().enumerate() {
                    for (y, w) in c.iter().enumerate() {
                        if *w > 0.0 {
                            xs.push([b as f64 / 100.0]);
                            ys.push(y == 1);
                            ws.push(*w);
                        }
                    }
                }
                if let Some(m) = fit_logit(&xs, &ys, &ws, p.ridge, model.as_ref()) {
                    model = Some(m);
                }
            }
        }
        since_fit += 1;
        if let (Some(m), Some(v)) = (&model, score[i]) {
            prob[i] = Some(m.predict(&[bin(v) as f64 / 100.0]));
        }
    }
    prob
}

/// The band of the probability at `xi` (the latest week): the last model refitted
/// on moving-block bootstrap resamples of its training rows.
#[allow(clippy::too_many_arguments)]
pub fn probability_band(
    fit: &RealTime,
    x: &[Option<Vec<f64>>],
    xi: &[f64],
    p: &FitParams,
    reps: usize,
    block: usize,
    coverage: f64,
    seed: u64,
) -> Option<(f64, f64)> {
    use rayon::prelude::*;
    let (m, idx, y) = fit.last.as_ref()?;
    let xs: Vec<&[f64]> = idx.iter().filter_map(|&s| x[s].as_deref()).collect();
    let mut draws: Vec<f64> = (0..reps)
        .into_par_iter()
        .filter_map(|b| {
            let w = block_weights(xs.len(), block, &mut fissure_stats::rng::stream(seed, b as u64));
            fit_logit(&xs, y, &w, p.ridge, Some(m)).map(|mb| mb.predict(xi))
        })
        .collect();
    let a = (1.0 - coverage) / 2.0;
    Some((quantile(&mut draws, a)?, quantile(&mut draws, 1.0 - a)?))
}

/// A point of the reliability diagram: mean forecast and observed frequency in a bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub forecast: f64,
    pub observed: f64,
    pub weeks: usize,
}

/// Reliability diagram in `bins` equal-width probability bins.
pub fn reliability(prob: &[Option<f64>], labels: &[Option<bool>], from: usize, bins: usize) -> Vec<ReliabilityBin> {
    let mut acc = vec![(0.0, 0.0, 0usize); bins];
    for i in from..prob.len().min(labels.len()) {
        if let (Some(p), Some(y)) = (prob[i], labels[i]) {
            let b = ((p * bins as f64) as usize).min(bins - 1);
            acc[b].0 += p;
            acc[b].1 += if y { 1.0 } else { 0.0 };
            acc[b].2 += 1;
        }
    }
    acc.into_iter()
        .filter(|a| a.2 > 0)
        .map(|(f, o, n)| ReliabilityBin { forecast: f / n as f64, observed: o / n as f64, weeks: n })
        .collect()
}

/// ROC curve points (false-positive rate, true-positive rate) of a score.
pub fn roc_curve(scores: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut r: Vec<(f64, bool)> = scores.to_vec();
    r.sort_by(|a, b| b.0.total_cmp(&a.0));
    let pos = r.iter().filter(|x| x.1).count() as f64;
    let neg = r.len() as f64 - pos;
    let mut out = vec![(0.0, 0.0)];
    if pos == 0.0 || neg == 0.0 {
        return out;
    }
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut i = 0;
    while i < r.len() {
        let mut j = i;
        while j < r.len() && r[j].0 == r[i].0 {
            if r[j].1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
            j += 1;
        }
        out.push((fp / neg, tp / pos));
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logit_recovers_a_known_model() {
        // y = 1 with probability σ(−1 + 2x) on a grid, as expected counts (weights)
        let mut x = Vec::new();
        let mut y = Vec::new();
        let mut w = Vec::new();
        for k in 0..21 {
            let xv = -1.0 + 0.1 * k as f64;
            let p = sigmoid(-1.0 + 2.0 * xv);
            x.push(vec![xv]);
            y.push(true);
            w.push(1000.0 * p);
            x.push(vec![xv]);
            y.push(false);
            w.push(1000.0 * (1.0 - p));
        }
        let m = fit_logit(&x, &y, &w, 0.0, None).unwrap();
        for xv in [-0.5, 0.0, 0.7] {
            assert!((m.predict(&[xv]) - sigmoid(-1.0 + 2.0 * xv)).abs() < 1e-8);
        }
        assert!(fit_logit(&x, &vec![true; x.len()], &w, 1.0, None).is_none());
    }

    #[test]
    fn labels_become_known_only_when_the_fall_is_known() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let e = Event {
            series: "SPX".into(),
            threshold: 0.2,
            peak_date: d(2007, 10, 9),
            peak_value: 1.0,
            event_date: d(2008, 7, 9),
            trough_date: d(2009, 3, 9),
            trough_value: 0.5,
            drawdown: 0.5,
            recovered: true,
        };
        let s = d(2007, 1, 5);
        assert_eq!(known_label(s, d(2007, 12, 1), std::slice::from_ref(&e), 365), None);
        assert_eq!(known_label(s, d(2008, 7, 9), std::slice::from_ref(&e), 365), Some(true));
        assert_eq!(known_label(s, d(2008, 7, 9), &[], 365), Some(false));
    }

    #[test]
    fn binned_calibration_equals_the_row_by_row_fit_on_whole_percentiles() {
        let d0 = NaiveDate::from_ymd_opt(1950, 1, 6).unwrap();
        let cal: Vec<NaiveDate> = (0..1500).map(|i| d0 + Duration::weeks(i)).collect();
        let ev: Vec<Event> = [300usize, 700, 1100, 1300]
            .iter()
            .map(|&k| Event {
                series: "X".into(),
                threshold: 0.2,
                peak_date: cal[k],
                peak_value: 1.0,
                event_date: cal[k + 10],
                trough_date: cal[k + 30],
                trough_value: 0.7,
                drawdown: 0.3,
                recovered: true,
            })
            .collect();
        // a score that rises before each peak, in whole percentile points
        let score: Vec<Option<f64>> = (0..1500).map(|i| Some(((i * 37) % 51 + (i % 400) / 8) as f64)).collect();
        let p = FitParams { refit_weeks: 13, ..FitParams::default() };
        let binned = realtime_calibration(&cal, &score, &ev, &p);
        let x: Vec<Option<Vec<f64>>> = score.iter().map(|s| s.map(|v| vec![v / 100.0])).collect();
        let rows = realtime_fit(&cal, &x, &ev, &p).prob;
        let mut compared = 0;
        for (a, b) in binned.iter().zip(&rows) {
            match (a, b) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-7, "{a} vs {b}");
                    compared += 1;
                }
                (None, None) => {}
                _ => panic!("one fit has a probability, the other not"),
            }
        }
        assert!(compared > 300, "{compared}");
    }

    #[test]
    fn roc_and_reliability() {
        let r = roc_curve(&[(0.9, true), (0.8, false), (0.7, true), (0.1, false)]);
        assert_eq!(r, vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        let b = reliability(&[Some(0.05), Some(0.15), Some(0.95)], &[Some(false), Some(true), Some(true)], 0, 10);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].observed, 1.0);
    }
}
