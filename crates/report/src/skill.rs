//! Skill of the warnings: an evaluation that cannot be gamed.
//!
//! **Question asked of every signal and gauge**: on a given week, does a fall of at
//! least the threshold (20% for the equity indices) *peak* within the next h months
//! (h = 3, 6, 12 — the primary horizon — and 24)? The label of week t is 1 when an
//! event's peak lies in (t, t + h]. Weeks whose horizon runs past the data are left
//! out unless their label is already known to be 1 (censoring).
//!
//! **Events** are peak-to-trough drawdowns of at least the threshold in the data up
//! to `as_of` ([`find_events`]), dated by their *peak*. A signal is scored against
//! its own series' events when its id names a price series (`bubble.bsadf.NVDA`),
//! otherwise against the equity indices (S&P 500 and NASDAQ), whose simultaneous
//! falls (overlapping peak → trough spans) count once ([`merge_events`]).
//!
//! **Scores** (weekly Fridays, from `eval_from` to the end of the labelled data):
//! - AUROC of the risk percentile (Mann–Whitney with ties; Drehmann & Juselius 2014,
//!   Int. J. Forecasting 30(3)), with a moving-block bootstrap band (1-year blocks of
//!   weeks; Künsch 1989, Ann. Statist. 17(3)) at 3, 6, 12 and 24 months;
//! - the state `alarm` as the signal's "on": **on-share**, noise-to-signal ratio
//!   (Kaminsky, Lizondo & Reinhart 1998, IMF Staff Papers 45(1)): (B/(B+D))/(A/(A+C)),
//!   the Alessi–Detken (2011, Eur. J. Political Economy 27(3)) usefulness
//!   U = min(μ, 1−μ) − [μ·C/(A+C) + (1−μ)·B/(B+D)] with μ = 0.5, and false alarms per
//!   alarm-week B/(A+B);
//! - per event: *warned* when an alarm came in the 12 months before the peak,
//!   *nowcast* when the first alarm came between peak and trough (not a warning);
//! - Brier skill of the signal calibrated in real time into a probability (logistic
//!   regression refitted on data known at each date, [`crate::warning::realtime_fit`])
//!   against the real-time base rate;
//! - a time-shifted random benchmark: the signal's own score and states shifted in
//!   time (circularly, by 1 to T−1 years), which keeps the on-share and persistence
//!   and destroys the timing; the signal must beat its 95th percentile;
//! - the verdict against each baseline (2-year run-up of Greenwood, Shleifer & You
//!   2019, J. Financial Economics 131(1); 21-day volatility; 200-day average) by the
//!   bootstrap interval of ΔAUROC on the same weeks: *better* when its lower bound is
//!   above 0, *worse* when its upper bound is below 0, else *no different*;
//! - AUROC by decade.

use crate::percentile;
use crate::registry::State;
use chrono::{Datelike, Duration, NaiveDate};
use fissure_core::Series;
use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The horizons scored: label, calendar days.
pub const HORIZONS: [(&str, i64); 4] = [("3m", 91), ("6m", 182), ("12m", 365), ("24m", 730)];
/// The primary horizon's key.
pub const PRIMARY: &str = "12m";
/// Days in the primary horizon.
pub const PRIMARY_DAYS: i64 = 365;

/// Parameters of the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SkillParams {
    /// First week scored (earlier data still trains the real-time fits).
    pub eval_from: NaiveDate,
    /// Bootstrap block length in weeks.
    pub block_weeks: usize,
    /// Bootstrap replications.
    pub boot_reps: usize,
    /// Time shifts of the random benchmark.
    pub shifts: usize,
    /// Two-sided coverage of the bands (0.90 → 5th and 95th percentiles).
    pub coverage: f64,
    /// Alessi–Detken preference for missed crises (0.5 = balanced).
    pub mu: f64,
    pub seed: u64,
}

impl Default for SkillParams {
    fn default() -> Self {
        SkillParams {
            eval_from: NaiveDate::from_ymd_opt(1966, 1, 1).unwrap_or_default(),
            block_weeks: 52,
            boot_reps: 499,
            shifts: 199,
            coverage: 0.90,
            mu: 0.5,
            seed: 19_660_101,
        }
    }
}

/// A drawdown event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub series: String,
    /// The threshold (0.2 = 20%).
    pub threshold: f64,
    pub peak_date: NaiveDate,
    pub peak_value: f64,
    /// First date the fall from the peak reached the threshold (when the event became known).
    pub event_date: NaiveDate,
    pub trough_date: NaiveDate,
    pub trough_value: f64,
    /// Peak-to-trough fall (0.35 = 35%).
    pub drawdown: f64,
    /// False when the series had not regained its peak by the end of the data.
    pub recovered: bool,
}

/// Peak-to-trough drawdowns of at least `threshold` in `s`.
pub fn find_events(s: &Series, threshold: f64) -> Vec<Event> {
    let (d, v) = (s.dates(), s.values());
    let mut out = Vec::new();
    if v.is_empty() {
        return out;
    }
    let mut peak = 0usize;
    let mut cross: Option<usize> = None;
    let mut trough = 0usize;
    let record = |peak: usize, cross: usize, trough: usize, recovered: bool, out: &mut Vec<Event>| {
        out.push(Event {
            series: s.id().to_string(),
            threshold,
            peak_date: d[peak],
            peak_value: v[peak],
            event_date: d[cross],
            trough_date: d[trough],
            trough_value: v[trough],
            drawdown: 1.0 - v[trough] / v[peak],
            recovered,
        });
    };
    for i in 1..v.len() {
        if v[i] > v[peak] {
            if let Some(c) = cross.take() {
                record(peak, c, trough, true, &mut out);
            }
            peak = i;
        } else if v[peak] > 0.0 {
            let dd = 1.0 - v[i] / v[peak];
            if cross.is_none() && dd >= threshold {
                cross = Some(i);
                trough = i;
            }
            if cross.is_some() && v[i] < v[trough] {
                trough = i;
            }
        }
    }
    if let Some(c) = cross {
        record(peak, c, trough, false, &mut out);
    }
    out
}

/// Events of several series with overlapping peak → trough spans merged into one
/// (earliest peak, latest trough, deepest fall; `series` joined by `+`), so that
/// simultaneous falls of the S&P 500 and the NASDAQ count once.
pub fn merge_events(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by(|a, b| a.peak_date.cmp(&b.peak_date).then(a.series.cmp(&b.series)));
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        match out.last_mut() {
            Some(m) if e.peak_date <= m.trough_date => {
                if !m.series.split('+').any(|s| s == e.series) {
                    m.series = format!("{}+{}", m.series, e.series);
                }
                m.event_date = m.event_date.min(e.event_date);
                if e.trough_date > m.trough_date {
                    m.trough_date = e.trough_date;
                }
                if e.drawdown > m.drawdown {
                    m.drawdown = e.drawdown;
                    m.trough_value = e.trough_value;
                    m.peak_value = e.peak_value;
                }
                m.recovered &= e.recovered;
            }
            _ => out.push(e),
        }
    }
    out
}

/// Weekly labels: `Some(true)` when an event of `events` peaks in (t, t + h];
/// `Some(false)` when none does and t + h ≤ `known_until`; `None` otherwise.
pub fn labels(
    calendar: &[NaiveDate],
    events: &[Event],
    horizon_days: i64,
    known_until: NaiveDate,
) -> Vec<Option<bool>> {
    let mut peaks: Vec<NaiveDate> = events.iter().map(|e| e.peak_date).collect();
    peaks.sort();
    calendar
        .iter()
        .map(|t| {
            let end = *t + Duration::days(horizon_days);
            let k = peaks.partition_point(|p| p <= t);
            if peaks.get(k).is_some_and(|p| *p <= end) {
                Some(true)
            } else if end <= known_until {
                Some(false)
            } else {
                None
            }
        })
        .collect()
}

/// A signal sampled on the weekly calendar: its risk percentile (the score) and
/// whether it was in `alarm` (the "on" state).
#[derive(Debug, Clone, Default)]
pub struct Track {
    pub score: Vec<Option<f64>>,
    pub on: Vec<Option<bool>>,
}

/// Samples `(dates, risk, states)` on `calendar` (last observation on or before
/// each date, if not older than `max_stale_days`).
pub fn track(
    dates: &[NaiveDate],
    risk: &[Option<f64>],
    states: &[Option<State>],
    calendar: &[NaiveDate],
    max_stale_days: i64,
) -> Track {
    let mut p = 0;
    let mut out = Track { score: Vec::with_capacity(calendar.len()), on: Vec::with_capacity(calendar.len()) };
    for c in calendar {
        while p < dates.len() && dates[p] <= *c {
            p += 1;
        }
        match p.checked_sub(1).filter(|i| (*c - dates[*i]).num_days() <= max_stale_days) {
            Some(i) => {
                out.score.push(risk.get(i).copied().flatten());
                out.on.push(states.get(i).copied().flatten().map(|s| s == State::Alarm));
            }
            None => {
                out.score.push(None);
                out.on.push(None);
            }
        }
    }
    out
}

/// Weighted AUROC: the probability that a positive outranks a negative (ties ½),
/// each row weighted (bootstrap multiplicities). `None` without both classes.
pub fn auroc_weighted(rows: &[(f64, bool, f64)]) -> Option<f64> {
    let mut r: Vec<(f64, bool, f64)> = rows.iter().copied().filter(|x| x.2 > 0.0).collect();
    r.sort_by(|a, b| a.0.total_cmp(&b.0));
    auroc_sorted(&r, |_, w| w)
}

/// The weighted AUROC of rows already sorted by score, the weight of row k being
/// `weight(k, row weight)`: one linear sweep (ties ½).
pub fn auroc_sorted(r: &[(f64, bool, f64)], weight: impl Fn(usize, f64) -> f64) -> Option<f64> {
    let (mut neg_below, mut num) = (0.0, 0.0);
    let (mut wp, mut wn) = (0.0, 0.0);
    let mut i = 0;
    while i < r.len() {
        let mut j = i;
        let (mut p_tie, mut n_tie) = (0.0, 0.0);
        while j < r.len() && r[j].0 == r[i].0 {
            let w = weight(j, r[j].2);
            if r[j].1 {
                p_tie += w;
            } else {
                n_tie += w;
            }
            j += 1;
        }
        num += p_tie * (neg_below + 0.5 * n_tie);
        neg_below += n_tie;
        wp += p_tie;
        wn += n_tie;
        i = j;
    }
    (wp > 0.0 && wn > 0.0).then(|| num / (wp * wn))
}

/// AUROC of scores against labels (unit weights).
pub fn auroc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let rows: Vec<(f64, bool, f64)> = scores.iter().zip(labels).map(|(s, y)| (*s, *y, 1.0)).collect();
    auroc_weighted(&rows)
}

/// Moving-block bootstrap multiplicities of `n` weeks: ⌈n/L⌉ blocks of `block`
/// consecutive weeks with uniform starts, each week counted once per block drawn.
pub fn block_weights(n: usize, block: usize, rng: &mut fissure_stats::rng::Rng) -> Vec<f64> {
    let mut w = vec![0.0; n];
    if n == 0 {
        return w;
    }
    let l = block.clamp(1, n);
    let blocks = n.div_ceil(l);
    for _ in 0..blocks {
        let s = rng.gen_range(0..=n - l);
        for x in &mut w[s..s + l] {
            *x += 1.0;
        }
    }
    w
}

type WeightKey = (usize, usize, usize, u64);
type WeightCache = Option<(WeightKey, std::sync::Arc<Vec<Vec<f64>>>)>;

/// The bootstrap weight vectors of `p` over `n` weeks, drawn once and shared by every
/// statistic (replication `b` from `rng::stream(seed, b)`): the same replications
/// for every signal, so ΔAUROC bands are paired and the study stays fast.
pub fn shared_weights(n: usize, p: &SkillParams) -> std::sync::Arc<Vec<Vec<f64>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<WeightCache>> = OnceLock::new();
    let key = (n, p.block_weeks, p.boot_reps, p.seed);
    let cache = CACHE.get_or_init(|| Mutex::new(None));
    if let Ok(c) = cache.lock() {
        if let Some((k, w)) = c.as_ref() {
            if *k == key {
                return w.clone();
            }
        }
    }
    let w: Vec<Vec<f64>> = (0..p.boot_reps)
        .into_par_iter()
        .map(|b| block_weights(n, p.block_weeks, &mut fissure_stats::rng::stream(p.seed, b as u64)))
        .collect();
    let w = Arc::new(w);
    if let Ok(mut c) = cache.lock() {
        *c = Some((key, w.clone()));
    }
    w
}

/// A value with its bootstrap band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub value: f64,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
}

/// Type-7 quantile of a sample (sorted in place).
pub fn quantile(x: &mut [f64], q: f64) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    x.sort_by(f64::total_cmp);
    let h = (x.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(x[lo] + (h - lo as f64) * (x[hi] - x[lo]))
}

/// Rows of one scored quantity: week index, score, label.
pub type Rows = Vec<(usize, f64, bool)>;

/// The scored rows: weeks with a score and a known label, from `from` on.
pub fn rows(score: &[Option<f64>], labels: &[Option<bool>], from: usize) -> Rows {
    (from..score.len().min(labels.len())).filter_map(|i| Some((i, score[i]?, labels[i]?))).collect()
}

/// AUROC of `rows` with its moving-block bootstrap band over the weeks `0..n_weeks`
/// (the same weights for every statistic of a replication: replication `b` uses
/// `rng::stream(seed, b)`).
pub fn auroc_band(rows: &Rows, n_weeks: usize, p: &SkillParams) -> Option<Band> {
    // sorted once; each replication is a linear sweep with its weights (row weight = week index)
    let mut sorted: Vec<(f64, bool, f64)> = rows.iter().map(|r| (r.1, r.2, r.0 as f64)).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let value = auroc_sorted(&sorted, |_, _| 1.0)?;
    let weights = shared_weights(n_weeks, p);
    let mut reps: Vec<f64> =
        weights.par_iter().filter_map(|w| auroc_sorted(&sorted, |_, week| w[week as usize])).collect();
    let a = (1.0 - p.coverage) / 2.0;
    let lo = quantile(&mut reps, a);
    let hi = quantile(&mut reps, 1.0 - a);
    Some(Band { value, lo, hi })
}

/// ΔAUROC (a − b) on the weeks both score, with its bootstrap band.
pub fn delta_band(a: &Rows, b: &Rows, n_weeks: usize, p: &SkillParams) -> Option<Band> {
    let bw: BTreeMap<usize, f64> = b.iter().map(|r| (r.0, r.1)).collect();
    let mut sa: Vec<(f64, bool, f64)> = Vec::new();
    let mut sb: Vec<(f64, bool, f64)> = Vec::new();
    for r in a {
        if let Some(s) = bw.get(&r.0) {
            sa.push((r.1, r.2, r.0 as f64));
            sb.push((*s, r.2, r.0 as f64));
        }
    }
    sa.sort_by(|x, y| x.0.total_cmp(&y.0));
    sb.sort_by(|x, y| x.0.total_cmp(&y.0));
    let value = auroc_sorted(&sa, |_, _| 1.0)? - auroc_sorted(&sb, |_, _| 1.0)?;
    let weights = shared_weights(n_weeks, p);
    let mut reps: Vec<f64> = weights
        .par_iter()
        .filter_map(|w| Some(auroc_sorted(&sa, |_, i| w[i as usize])? - auroc_sorted(&sb, |_, i| w[i as usize])?))
        .collect();
    let q = (1.0 - p.coverage) / 2.0;
    Some(Band { value, lo: quantile(&mut reps, q), hi: quantile(&mut reps, 1.0 - q) })
}

/// The 2×2 table of "on" against the label.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Confusion {
    /// on, event ahead
    pub a: f64,
    /// on, no event ahead
    pub b: f64,
    /// off, event ahead
    pub c: f64,
    /// off, no event ahead
    pub d: f64,
}

impl Confusion {
    pub fn of(on: &[Option<bool>], labels: &[Option<bool>], from: usize) -> Confusion {
        let mut k = Confusion::default();
        for i in from..on.len().min(labels.len()) {
            match (on[i], labels[i]) {
                (Some(true), Some(true)) => k.a += 1.0,
                (Some(true), Some(false)) => k.b += 1.0,
                (Some(false), Some(true)) => k.c += 1.0,
                (Some(false), Some(false)) => k.d += 1.0,
                _ => {}
            }
        }
        k
    }

    pub fn weeks(&self) -> f64 {
        self.a + self.b + self.c + self.d
    }

    /// Share of weeks "on".
    pub fn on_share(&self) -> Option<f64> {
        (self.weeks() > 0.0).then(|| (self.a + self.b) / self.weeks())
    }

    /// Kaminsky–Lizondo–Reinhart noise-to-signal ratio (B/(B+D)) / (A/(A+C)).
    pub fn noise_to_signal(&self) -> Option<f64> {
        let signal = self.a / (self.a + self.c);
        let noise = self.b / (self.b + self.d);
        (signal.is_finite() && signal > 0.0 && noise.is_finite()).then(|| noise / signal)
    }

    /// Alessi–Detken usefulness min(μ, 1−μ) − (μ·T1 + (1−μ)·T2), T1 = C/(A+C)
    /// (missed), T2 = B/(B+D) (false alarms).
    pub fn usefulness(&self, mu: f64) -> Option<f64> {
        let t1 = self.c / (self.a + self.c);
        let t2 = self.b / (self.b + self.d);
        (t1.is_finite() && t2.is_finite()).then(|| mu.min(1.0 - mu) - (mu * t1 + (1.0 - mu) * t2))
    }

    /// False alarms per alarm-week, B/(A+B).
    pub fn false_alarm_share(&self) -> Option<f64> {
        (self.a + self.b > 0.0).then(|| self.b / (self.a + self.b))
    }
}

/// How a signal did around one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An alarm within 12 months before the peak.
    Warned,
    /// No alarm before the peak, one between peak and trough.
    Nowcast,
    Missed,
}

/// Events counted for a signal.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventCounts {
    /// Events whose 12 months before the peak the signal covers.
    pub scored: usize,
    pub warned: usize,
    pub nowcast: usize,
    pub missed: usize,
    /// Median days from the first alarm of the window to the peak, over warned events.
    pub median_lead_days: Option<f64>,
    /// (peak date, outcome, lead days) per scored event.
    pub per_event: Vec<(NaiveDate, Outcome, Option<i64>)>,
}

/// Warned / nowcast / missed for each event whose pre-peak year lies in the scored
/// weeks `from..` and where the signal has a state on at least half of those weeks.
pub fn event_counts(calendar: &[NaiveDate], on: &[Option<bool>], events: &[Event], from: usize) -> EventCounts {
    let mut out = EventCounts::default();
    let mut leads = Vec::new();
    let start = calendar.get(from).copied();
    for e in events {
        let w0 = e.peak_date - Duration::days(PRIMARY_DAYS);
        if start.is_none_or(|s| w0 < s) {
            continue;
        }
        let (lo, hi) = (calendar.partition_point(|d| *d < w0), calendar.partition_point(|d| *d < e.peak_date));
        let covered = (lo..hi).filter(|&i| on[i].is_some()).count();
        if hi == lo || 2 * covered < hi - lo {
            continue;
        }
        let first = (lo..hi).find(|&i| on[i] == Some(true));
        let end = calendar.partition_point(|d| *d <= e.trough_date);
        let outcome = match first {
            Some(_) => Outcome::Warned,
            None if (hi..end).any(|i| on[i] == Some(true)) => Outcome::Nowcast,
            None => Outcome::Missed,
        };
        let lead = first.map(|i| (e.peak_date - calendar[i]).num_days());
        if let Some(l) = lead {
            leads.push(l as f64);
        }
        match outcome {
            Outcome::Warned => out.warned += 1,
            Outcome::Nowcast => out.nowcast += 1,
            Outcome::Missed => out.missed += 1,
        }
        out.scored += 1;
        out.per_event.push((e.peak_date, outcome, lead));
    }
    let mut l = leads;
    out.median_lead_days = quantile(&mut l, 0.5);
    out
}

/// The time-shifted random benchmark of a score (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RandomBenchmark {
    /// 95th percentile of the shifted signals' 12-month AUROC.
    pub auroc_p95: f64,
    /// Share of shifts with an AUROC at least the signal's.
    pub p_value: f64,
    pub shifts: usize,
}

/// Shifts `score` circularly (over its own available weeks) by lags spread over
/// 1 … T−1 years and scores each against the unshifted labels.
pub fn random_benchmark(
    score: &[Option<f64>],
    labels: &[Option<bool>],
    from: usize,
    actual: f64,
    p: &SkillParams,
) -> Option<RandomBenchmark> {
    let idx: Vec<usize> = (from..score.len().min(labels.len())).filter(|&i| score[i].is_some()).collect();
    let n = idx.len();
    let year = 52usize;
    if n < 3 * year || p.shifts == 0 {
        return None;
    }
    let mut rng = fissure_stats::rng::stream(p.seed ^ 0x5eed, 0);
    let lags: Vec<usize> = (0..p.shifts).map(|_| rng.gen_range(year..=n - year)).collect();
    // The shifted scores are a permutation of the same values: sort once, then each
    // shift is a linear sweep (the label paired with score j is that of week j − k).
    let mut order: Vec<(f64, usize)> = (0..n).filter_map(|j| Some((score[idx[j]]?, j))).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut aucs: Vec<f64> = lags
        .par_iter()
        .filter_map(|&k| {
            let rows: Vec<(f64, bool, f64)> =
                order.iter().filter_map(|&(s, j)| labels[idx[(j + n - k) % n]].map(|y| (s, y, 1.0))).collect();
            auroc_sorted(&rows, |_, w| w)
        })
        .collect();
    let ge = aucs.iter().filter(|a| **a >= actual - 1e-12).count();
    let shifts = aucs.len();
    Some(RandomBenchmark { auroc_p95: quantile(&mut aucs, 0.95)?, p_value: ge as f64 / shifts.max(1) as f64, shifts })
}

/// Brier skill score 1 − BS/BS_ref of probabilities against labels, the reference
/// being the real-time base rate `base` (both on the same weeks, from `from`).
pub fn brier_skill(prob: &[Option<f64>], base: &[Option<f64>], labels: &[Option<bool>], from: usize) -> Option<f64> {
    let (mut bs, mut br, mut n) = (0.0, 0.0, 0usize);
    for i in from..prob.len().min(labels.len()).min(base.len()) {
        if let (Some(p), Some(c), Some(y)) = (prob[i], base[i], labels[i]) {
            let y = if y { 1.0 } else { 0.0 };
            bs += (p - y) * (p - y);
            br += (c - y) * (c - y);
            n += 1;
        }
    }
    (n > 0 && br > 0.0).then(|| 1.0 - bs / br)
}

/// Verdict against a baseline by the bootstrap band of ΔAUROC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    NoDifferent,
    Worse,
    NotComparable,
}

impl Verdict {
    pub fn of(delta: Option<&Band>) -> Verdict {
        match delta {
            Some(Band { lo: Some(lo), .. }) if *lo > 0.0 => Verdict::Better,
            Some(Band { hi: Some(hi), .. }) if *hi < 0.0 => Verdict::Worse,
            Some(Band { lo: Some(_), hi: Some(_), .. }) => Verdict::NoDifferent,
            _ => Verdict::NotComparable,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::NoDifferent => "no_different",
            Verdict::Worse => "worse",
            Verdict::NotComparable => "na",
        }
    }
}

/// One baseline comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versus {
    /// `runup2y`, `vol21` or `ma200`.
    pub baseline: String,
    pub delta_auroc: Option<Band>,
    pub verdict: Verdict,
}

/// A decade's 12-month AUROC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Era {
    /// `1960s`, …
    pub era: String,
    pub auroc: Option<f64>,
    pub weeks: usize,
    pub positive_weeks: usize,
}

/// A signal's (or gauge's) skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    /// What the signal is scored against (`SPX+IXIC`, or its own series).
    pub target: String,
    pub first_week: Option<NaiveDate>,
    /// Weeks scored at the primary horizon.
    pub weeks: usize,
    /// AUROC by horizon (`3m`, `6m`, `12m`, `24m`).
    pub auroc: BTreeMap<String, Option<Band>>,
    pub brier_skill: Option<f64>,
    pub usefulness: Option<f64>,
    pub relative_usefulness: Option<f64>,
    pub noise_to_signal: Option<f64>,
    pub on_share: Option<f64>,
    pub false_alarms_per_alarm_week: Option<f64>,
    pub confusion: Confusion,
    pub events: EventCounts,
    pub random: Option<RandomBenchmark>,
    /// The verdict against the first baseline (the 2-year run-up).
    pub verdict: Verdict,
    pub versus: Vec<Versus>,
    pub by_decade: Vec<Era>,
}

impl Skill {
    /// The primary (12-month) AUROC.
    pub fn auroc12(&self) -> Option<&Band> {
        self.auroc.get(PRIMARY).and_then(Option::as_ref)
    }

    /// True when the signal beats its time-shifted random benchmark.
    pub fn beats_random(&self) -> Option<bool> {
        Some(self.auroc12()?.value > self.random?.auroc_p95)
    }
}

/// Everything a score needs about its target.
pub struct Target<'a> {
    pub name: String,
    pub events: &'a [Event],
    /// Labels by horizon key.
    pub labels: &'a BTreeMap<String, Vec<Option<bool>>>,
    /// Real-time base rate of the primary label.
    pub base_rate: &'a [Option<f64>],
    /// Baseline rows at the primary horizon: (kind, rows).
    pub baselines: &'a [(String, Rows)],
}

/// AUROC by decade (12-month labels).
pub fn by_decade(calendar: &[NaiveDate], r: &Rows) -> Vec<Era> {
    let mut groups: BTreeMap<i32, Vec<(f64, bool, f64)>> = BTreeMap::new();
    for (i, s, y) in r {
        groups.entry(calendar[*i].year() / 10 * 10).or_default().push((*s, *y, 1.0));
    }
    groups
        .into_iter()
        .map(|(d, rows)| Era {
            era: format!("{d}s"),
            auroc: auroc_weighted(&rows),
            weeks: rows.len(),
            positive_weeks: rows.iter().filter(|r| r.1).count(),
        })
        .collect()
}

/// Scores one track (score, on-state, calibrated probability) against a target.
pub fn score(
    calendar: &[NaiveDate],
    tr: &Track,
    prob: Option<&[Option<f64>]>,
    target: &Target<'_>,
    from: usize,
    p: &SkillParams,
) -> Option<Skill> {
    let n = calendar.len();
    let first = (from..n).find(|&i| tr.score[i].is_some() || tr.on[i].is_some())?;
    let mut auroc = BTreeMap::new();
    let mut primary_rows = Rows::new();
    for (key, _) in HORIZONS {
        let lab = target.labels.get(key)?;
        let r = rows(&tr.score, lab, from);
        auroc.insert(key.to_string(), auroc_band(&r, n, p));
        if key == PRIMARY {
            primary_rows = r;
        }
    }
    let lab12 = target.labels.get(PRIMARY)?;
    let confusion = Confusion::of(&tr.on, lab12, from);
    let a12 = auroc.get(PRIMARY).copied().flatten();
    let random = a12.and_then(|a| random_benchmark(&tr.score, lab12, from, a.value, p));
    let versus: Vec<Versus> = target
        .baselines
        .iter()
        .map(|(kind, brows)| {
            let d = delta_band(&primary_rows, brows, n, p);
            Versus { baseline: kind.clone(), verdict: Verdict::of(d.as_ref()), delta_auroc: d }
        })
        .collect();
    let usefulness = confusion.usefulness(p.mu);
    Some(Skill {
        target: target.name.clone(),
        first_week: Some(calendar[first]),
        weeks: primary_rows.len(),
        brier_skill: prob.and_then(|pr| brier_skill(pr, target.base_rate, lab12, from)),
        usefulness,
        relative_usefulness: usefulness.map(|u| u / p.mu.min(1.0 - p.mu)),
        noise_to_signal: confusion.noise_to_signal(),
        on_share: confusion.on_share(),
        false_alarms_per_alarm_week: confusion.false_alarm_share(),
        confusion,
        events: event_counts(calendar, &tr.on, target.events, from),
        random,
        verdict: versus.first().map_or(Verdict::NotComparable, |v| v.verdict),
        versus,
        by_decade: by_decade(calendar, &primary_rows),
        auroc,
    })
}

/// The baselines of a price series on the calendar: GSY 2-year run-up
/// `P_t / P_{t−2y} − 1`, 21-day volatility, and the distance from the 200-day
/// average, each scored by its expanding risk percentile of weekly values
/// (real-time). "On": run-up and volatility at or above their 95th percentile (the
/// report's alarm rule), the close below its 200-day average.
pub type BaselineScore = (String, Vec<Option<f64>>, Vec<Option<bool>>);

/// See [`BaselineScore`].
pub fn baseline_scores(s: &Series, calendar: &[NaiveDate]) -> Vec<BaselineScore> {
    let (d, v) = (s.dates(), s.values());
    let mut out = Vec::new();
    if v.len() < 30 || v.iter().any(|x| *x <= 0.0) {
        return out;
    }
    // weekly samples of (dates, values), NaN when older than 10 days
    let weekly = |dd: &[NaiveDate], vv: &[f64]| -> Vec<f64> {
        let mut k = 0;
        calendar
            .iter()
            .map(|c| {
                while k < dd.len() && dd[k] <= *c {
                    k += 1;
                }
                match k.checked_sub(1) {
                    Some(j) if (*c - dd[j]).num_days() <= 10 => vv[j],
                    _ => f64::NAN,
                }
            })
            .collect()
    };
    // 2-year run-up on the series' own dates
    let mut back = 0;
    let ru: Vec<f64> = (0..d.len())
        .map(|j| {
            let target = d[j] - Duration::days(730);
            while back + 1 < d.len() && d[back + 1] <= target {
                back += 1;
            }
            if d[back] <= target && (target - d[back]).num_days() <= 10 {
                v[j] / v[back] - 1.0
            } else {
                f64::NAN
            }
        })
        .collect();
    let pct_rule = |score: &[Option<f64>]| score.iter().map(|x| x.map(|p| p >= 95.0)).collect::<Vec<_>>();
    let runup = percentile::expanding(&weekly(d, &ru), true, 52);
    out.push(("runup2y".to_string(), runup.clone(), pct_rule(&runup)));
    if let Some((vd, vol)) = crate::baseline::trailing_vol(s) {
        let sc = percentile::expanding(&weekly(&vd, &vol), true, 52);
        out.push(("vol21".to_string(), sc.clone(), pct_rule(&sc)));
    }
    if let Some((md, gap, _)) = crate::baseline::ma_gap(s) {
        let w = weekly(&md, &gap);
        let sc = percentile::expanding(&w, false, 52);
        let on = w.iter().zip(&sc).map(|(g, p)| p.map(|_| *g <= 0.0)).collect();
        out.push(("ma200".to_string(), sc, on));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fissure_core::SeriesMeta;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn finds_peak_event_trough() {
        let dates: Vec<NaiveDate> = (0..8).map(|i| d(2020, 1, 1) + Duration::days(i)).collect();
        let v = vec![100.0, 110.0, 95.0, 85.0, 80.0, 100.0, 120.0, 90.0];
        let s = Series::new(SeriesMeta::new("X"), dates.clone(), v).unwrap();
        let ev = find_events(&s, 0.2);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].peak_date, dates[1]);
        assert_eq!(ev[0].event_date, dates[3]); // 85/110 = -22.7%
        assert_eq!(ev[0].trough_date, dates[4]);
        assert!((ev[0].drawdown - (1.0 - 80.0 / 110.0)).abs() < 1e-12);
        assert!(ev[0].recovered);
        assert_eq!(ev[1].event_date, dates[7]); // 90/120 = -25%
        assert!(!ev[1].recovered);
    }

    fn ev(series: &str, peak: NaiveDate, trough: NaiveDate) -> Event {
        Event {
            series: series.into(),
            threshold: 0.2,
            peak_date: peak,
            peak_value: 1.0,
            event_date: peak + Duration::days(30),
            trough_date: trough,
            trough_value: 0.7,
            drawdown: 0.3,
            recovered: true,
        }
    }

    #[test]
    fn simultaneous_falls_count_once() {
        let m = merge_events(vec![
            ev("SPX", d(2000, 3, 24), d(2002, 10, 9)),
            ev("IXIC", d(2000, 3, 10), d(2002, 10, 9)),
            ev("IXIC", d(2007, 10, 31), d(2009, 3, 9)),
        ]);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].peak_date, d(2000, 3, 10));
        assert_eq!(m[0].series, "IXIC+SPX");
    }

    #[test]
    fn auroc_hand_worked_with_ties() {
        // positives 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5, 0.5>0.1) = 3.5/4
        let a = auroc(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, false]).unwrap();
        assert!((a - 0.875).abs() < 1e-15);
        // weights: the negative at 0.5 counted twice -> (2·1 + 1 + 2·0.5 + 1) / (2·3) = 5/6
        let w = auroc_weighted(&[(0.9, true, 1.0), (0.5, true, 1.0), (0.5, false, 2.0), (0.1, false, 1.0)]).unwrap();
        assert!((w - 5.0 / 6.0).abs() < 1e-15);
        assert_eq!(auroc(&[1.0, 2.0], &[true, true]), None);
    }

    /// 20 years of weeks, events peaking in weeks 300, 600 and 900 (troughs 26 weeks later).
    type World = (Vec<NaiveDate>, Vec<Event>, BTreeMap<String, Vec<Option<bool>>>, Vec<usize>);

    fn world() -> World {
        let cal: Vec<NaiveDate> = (0..1040).map(|i| d(1990, 1, 5) + Duration::weeks(i)).collect();
        let peaks = vec![300usize, 600, 900];
        let events: Vec<Event> = peaks.iter().map(|&k| ev("SPX", cal[k], cal[k + 26])).collect();
        let last = *cal.last().unwrap();
        let labels = HORIZONS.iter().map(|(k, h)| (k.to_string(), labels(&cal, &events, *h, last))).collect();
        (cal, events, labels, peaks)
    }

    fn run(tr: &Track) -> Skill {
        let (cal, events, labels, _) = world();
        let base = vec![None; cal.len()];
        let t = Target { name: "SPX".into(), events: &events, labels: &labels, base_rate: &base, baselines: &[] };
        let p = SkillParams { boot_reps: 50, shifts: 50, ..Default::default() };
        score(&cal, tr, None, &t, 0, &p).unwrap()
    }

    fn constant(on: bool) -> Track {
        Track { score: vec![Some(if on { 100.0 } else { 0.0 }); 1040], on: vec![Some(on); 1040] }
    }

    #[test]
    fn always_on_scores_nothing() {
        let s = run(&constant(true));
        // 12-month labels: weeks 248..=299, 548..=599, 848..=899 are positive (52 each:
        // t + 365 days reaches the peak from 52 weeks before it); weeks 987..=1039 are
        // censored (t + 365 days is after the last week), so 987 weeks are scored.
        assert_eq!(s.confusion.a, 156.0);
        assert_eq!(s.weeks, 987);
        assert_eq!(s.on_share, Some(1.0));
        assert_eq!(s.auroc12().unwrap().value, 0.5);
        // every event warned, but usefulness 0 (T1 = 0, T2 = 1), NSR 1
        assert_eq!(s.events.warned, 3);
        assert_eq!(s.usefulness, Some(0.0));
        assert_eq!(s.noise_to_signal, Some(1.0));
        assert!((s.false_alarms_per_alarm_week.unwrap() - (1.0 - 156.0 / 987.0)).abs() < 1e-12);
        assert_eq!(s.beats_random(), Some(false));
    }

    #[test]
    fn never_on_scores_nothing() {
        let s = run(&constant(false));
        assert_eq!(s.on_share, Some(0.0));
        assert_eq!(s.usefulness, Some(0.0)); // T1 = 1 (μ·1 = 0.5), T2 = 0
        assert_eq!(s.noise_to_signal, None);
        assert_eq!(s.events.warned, 0);
        assert_eq!(s.events.missed, 3);
        assert_eq!(s.auroc12().unwrap().value, 0.5);
    }

    #[test]
    fn perfect_signal() {
        let (_, _, labels, _) = world();
        let lab = &labels["12m"];
        let on: Vec<Option<bool>> = lab.iter().map(|l| Some(l.unwrap_or(false))).collect();
        let score = on.iter().map(|o| o.map(|b| if b { 90.0 } else { 10.0 })).collect();
        let s = run(&Track { score, on });
        assert_eq!(s.auroc12().unwrap().value, 1.0);
        assert_eq!(s.auroc12().unwrap().lo, Some(1.0));
        assert_eq!(s.usefulness, Some(0.5));
        assert_eq!(s.noise_to_signal, Some(0.0));
        assert_eq!(s.events.warned, 3);
        // first alarm 52 weeks (364 days) before each peak
        assert_eq!(s.events.median_lead_days, Some(364.0));
        assert_eq!(s.on_share, Some(156.0 / 987.0));
        assert_eq!(s.beats_random(), Some(true));
        assert!(s.random.unwrap().p_value < 0.05);
    }

    #[test]
    fn late_signal_is_a_nowcast_not_a_warning() {
        let (_, _, _, peaks) = world();
        // on from each peak to its trough: never before a peak
        let on: Vec<Option<bool>> = (0..1040).map(|i| Some(peaks.iter().any(|&k| i >= k && i <= k + 26))).collect();
        let score = on.iter().map(|o| o.map(|b| if b { 90.0 } else { 10.0 })).collect();
        let s = run(&Track { score, on });
        assert_eq!(s.events.warned, 0);
        assert_eq!(s.events.nowcast, 3);
        assert_eq!(s.confusion.a, 0.0);
        // on-weeks are all negatives: AUROC below one half
        // (3·27 on-weeks among 831 negatives, none among 156 positives)
        let auc = s.auroc12().unwrap().value;
        assert!((auc - (1.0 - 81.0 / 831.0) * 0.5).abs() < 1e-12, "{auc}");
        assert!((s.usefulness.unwrap() - (0.5 - 0.5 - 0.5 * 81.0 / 831.0)).abs() < 1e-15);
    }

    #[test]
    fn random_signal_is_near_one_half_and_does_not_beat_its_shifts() {
        let mut rng = fissure_stats::rng::seeded(7);
        // persistent random on/off: 26-week runs
        let mut on = Vec::new();
        while on.len() < 1040 {
            let state: bool = rng.gen_bool(0.2);
            on.extend(std::iter::repeat_n(Some(state), 26));
        }
        on.truncate(1040);
        let score = on.iter().map(|o: &Option<bool>| o.map(|b| if b { 90.0 } else { 10.0 })).collect();
        let s = run(&Track { score, on });
        let a = s.auroc12().unwrap();
        assert!(a.lo.unwrap() < 0.5 + 1e-9 || a.value < 0.65, "{a:?}");
        assert!(s.random.unwrap().p_value > 0.05, "{:?}", s.random);
    }

    #[test]
    fn block_bootstrap_weights_sum_to_whole_blocks() {
        let mut r = fissure_stats::rng::seeded(1);
        let w = block_weights(100, 52, &mut r);
        assert_eq!(w.iter().sum::<f64>(), 104.0);
        assert!(w.iter().all(|x| *x >= 0.0));
    }

    #[test]
    fn confusion_formulas_hand_worked() {
        let k = Confusion { a: 30.0, b: 70.0, c: 20.0, d: 880.0 };
        // NSR = (70/950) / (30/50); U = 0.5 − (0.5·20/50 + 0.5·70/950)
        assert!((k.noise_to_signal().unwrap() - (70.0 / 950.0) / 0.6).abs() < 1e-15);
        assert!((k.usefulness(0.5).unwrap() - (0.5 - 0.5 * 0.4 - 0.5 * 70.0 / 950.0)).abs() < 1e-15);
        assert_eq!(k.on_share(), Some(0.1));
        assert_eq!(k.false_alarm_share(), Some(0.7));
    }

    #[test]
    fn labels_are_censored_at_the_end() {
        let cal = vec![d(2020, 1, 3), d(2020, 6, 5), d(2021, 1, 1)];
        let e = vec![ev("SPX", d(2021, 2, 19), d(2021, 3, 1))];
        let l = labels(&cal, &e, 365, d(2021, 3, 1));
        assert_eq!(l, vec![Some(false), Some(true), Some(true)]);
        let l = labels(&cal, &[], 365, d(2021, 3, 1));
        assert_eq!(l, vec![Some(false), None, None]);
    }

    #[test]
    fn brier_skill_hand_worked() {
        let p = vec![Some(0.8), Some(0.2)];
        let c = vec![Some(0.5), Some(0.5)];
        let y = vec![Some(true), Some(false)];
        // BS = (0.04 + 0.04)/2, ref = 0.25 → 1 − 0.04/0.25 = 0.84
        assert!((brier_skill(&p, &c, &y, 0).unwrap() - 0.84).abs() < 1e-12);
    }
}
