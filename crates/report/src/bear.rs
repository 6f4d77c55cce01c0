//! Bear markets: the skill study's second event definition.
//!
//! The primary view ([`crate::skill::find_events`]) dates a fall from the running
//! *all-time* high: after 1929, or after the NASDAQ's 2000 peak, no new event can
//! start until the old high is regained (1954, 2015), so the 1937 and 2007 bear
//! markets are not events there. The second view dates **bull and bear phases**:
//!
//! 1. **Lunde & Timmermann (2004)**, "Duration dependence in stock prices: an analysis
//!    of bull and bear markets", *J. Business & Economic Statistics* 22(3):253–273,
//!    section 2 (their filter on daily closes): in a bull phase the running maximum
//!    P^max is tracked and the phase ends at that maximum (a **peak**) as soon as
//!    P_t < (1 − λ₂)·P^max; in a bear phase the running minimum P^min is tracked and
//!    the phase ends at that minimum (a **trough**) as soon as P_t > (1 + λ₁)·P^min.
//!    Here λ₂ = λ₁ = the series' event threshold (20% for the equity indices, the
//!    "20% rule"); the first phase is whichever threshold is crossed first.
//! 2. **Pagan & Sossounov (2003)**, "A simple framework for analysing bull and bear
//!    markets", *J. Applied Econometrics* 18(1):23–46, section 3 (their Bry–Boschan
//!    censoring rules), applied to those turning points, repeatedly until none
//!    applies: turning points within 6 months of the series' start are dropped (the
//!    series may begin inside a phase); a **cycle** (peak to peak, or trough to
//!    trough) must last at least 16 months — else the lower peak (higher trough) is
//!    removed and the two neighbouring troughs (peaks) merge into the lower (higher);
//!    a **phase** must last at least 4 months unless its move is at least 20% — else
//!    both of its turning points are removed.
//!
//! A **bear market** is a peak → trough phase whose fall is at least λ₂; it is an
//! [`Event`] dated by its peak, like the primary view, so the same labels, AUROC and
//! bootstrap machinery score it. A bear phase still running at the end of the data
//! ends at the lowest close so far (`recovered = false`). With λ₁ = λ₂ = 20% every
//! phase moves by 20% or more, so the 4-month phase rule never binds; the 16-month
//! cycle rule does (it merges, e.g., the S&P 500's Oct 2007 → Nov 2008 and
//! Jan 2009 → Mar 2009 falls into one bear market).

use crate::skill::Event;
use fissure_core::Series;
use serde::{Deserialize, Serialize};

/// Parameters of the bull/bear dating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BearParams {
    /// λ₂: the fall from a peak that ends a bull phase (0.2 = 20%).
    pub fall: f64,
    /// λ₁: the rise from a trough that ends a bear phase.
    pub rise: f64,
    /// Pagan–Sossounov minimum phase, days (4 months).
    pub min_phase_days: i64,
    /// A phase shorter than `min_phase_days` is kept when its move is at least this.
    pub phase_exception: f64,
    /// Pagan–Sossounov minimum cycle, days (16 months).
    pub min_cycle_days: i64,
    /// Turning points this close to the series' start are dropped (6 months).
    pub censor_days: i64,
}

impl BearParams {
    /// The standard rules with both thresholds at `threshold`.
    pub fn with_threshold(threshold: f64) -> BearParams {
        BearParams {
            fall: threshold,
            rise: threshold,
            min_phase_days: 122,
            phase_exception: 0.20,
            min_cycle_days: 487,
            censor_days: 183,
        }
    }
}

impl Default for BearParams {
    fn default() -> Self {
        BearParams::with_threshold(0.20)
    }
}

/// The method in words (shown in the report and `report.json`).
pub const BEAR_METHOD: &str = "Bear markets (second view): bull/bear phases dated on daily closes by the Lunde & Timmermann (2004, JBES 22(3)) filter — a bull phase ends at its peak once the close falls 20% below it, a bear phase ends at its trough once the close rises 20% above it (the series' event threshold: 40% for bitcoin) — then the Pagan & Sossounov (2003, J. Applied Econometrics 18(1)) censoring rules: no turning point within 6 months of the series' start, cycles of at least 16 months, phases of at least 4 months unless they move 20% or more. Each peak → trough fall of at least the threshold is an event dated by its peak; simultaneous S&P 500 and NASDAQ bear markets count once. Scored like the primary view: 12-month AUROC of the risk percentile with its 90% one-year-block bootstrap band, and the AUROC difference to the 2-year run-up on the same weeks.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Peak(usize),
    Trough(usize),
}

impl Turn {
    fn index(self) -> usize {
        match self {
            Turn::Peak(i) | Turn::Trough(i) => i,
        }
    }
    fn is_peak(self) -> bool {
        matches!(self, Turn::Peak(_))
    }
}

/// Lunde–Timmermann turning points (alternating) and, when the data end inside a
/// bear phase, the lowest close of that phase so far.
fn lt_turns(v: &[f64], p: &BearParams) -> (Vec<Turn>, Option<usize>) {
    #[derive(PartialEq)]
    enum State {
        Unknown,
        Bull,
        Bear,
    }
    let mut turns = Vec::new();
    let mut state = State::Unknown;
    let (mut imax, mut imin) = (0usize, 0usize);
    for i in 1..v.len() {
        match state {
            State::Unknown => {
                if v[i] > v[imax] {
                    imax = i;
                }
                if v[i] < v[imin] {
                    imin = i;
                }
                if v[i] <= (1.0 - p.fall) * v[imax] {
                    turns.push(Turn::Peak(imax));
                    state = State::Bear;
                    imin = i;
                } else if v[i] >= (1.0 + p.rise) * v[imin] {
                    turns.push(Turn::Trough(imin));
                    state = State::Bull;
                    imax = i;
                }
            }
            State::Bull => {
                if v[i] > v[imax] {
                    imax = i;
                } else if v[i] <= (1.0 - p.fall) * v[imax] {
                    turns.push(Turn::Peak(imax));
                    state = State::Bear;
                    imin = i;
                }
            }
            State::Bear => {
                if v[i] < v[imin] {
                    imin = i;
                } else if v[i] >= (1.0 + p.rise) * v[imin] {
                    turns.push(Turn::Trough(imin));
                    state = State::Bull;
                    imax = i;
                }
            }
        }
    }
    (turns, (state == State::Bear).then_some(imin))
}

/// Restores alternation: of two adjacent peaks the higher stays, of two adjacent
/// troughs the lower (the earlier on a tie).
fn alternate(turns: &mut Vec<Turn>, v: &[f64]) -> bool {
    let mut changed = false;
    let mut out: Vec<Turn> = Vec::with_capacity(turns.len());
    for &t in turns.iter() {
        match out.last_mut() {
            Some(last) if last.is_peak() == t.is_peak() => {
                changed = true;
                let keep_new =
                    if t.is_peak() { v[t.index()] > v[last.index()] } else { v[t.index()] < v[last.index()] };
                if keep_new {
                    *last = t;
                }
            }
            _ => out.push(t),
        }
    }
    *turns = out;
    changed
}

/// One pass of the Pagan–Sossounov rules; true when something was removed.
fn censor_once(turns: &mut Vec<Turn>, d: &[chrono::NaiveDate], v: &[f64], p: &BearParams) -> bool {
    let days = |a: Turn, b: Turn| (d[b.index()] - d[a.index()]).num_days();
    // minimum cycle: same-kind turning points two apart
    for k in 2..turns.len() {
        let (a, b) = (turns[k - 2], turns[k]);
        if days(a, b) < p.min_cycle_days {
            let drop_first = if a.is_peak() { v[a.index()] <= v[b.index()] } else { v[a.index()] >= v[b.index()] };
            turns.remove(if drop_first { k - 2 } else { k });
            alternate(turns, v);
            return true;
        }
    }
    // minimum phase, unless the move is large
    for k in 1..turns.len() {
        let (a, b) = (turns[k - 1], turns[k]);
        let mv = (v[b.index()] / v[a.index()] - 1.0).abs();
        if days(a, b) < p.min_phase_days && mv < p.phase_exception {
            turns.drain(k - 1..=k);
            alternate(turns, v);
            return true;
        }
    }
    false
}

/// Bear markets of `s` (see the module documentation), dated by their peak.
/// Non-positive or non-finite closes give no events (the dating needs ratios).
pub fn bear_markets(s: &Series, p: &BearParams) -> Vec<Event> {
    let (d, v) = (s.dates(), s.values());
    if v.len() < 2 || v.iter().any(|x| !x.is_finite() || *x <= 0.0) || !(p.fall > 0.0 && p.fall < 1.0 && p.rise > 0.0) {
        return Vec::new();
    }
    let (mut turns, open_trough) = lt_turns(v, p);
    // an open bear phase's lowest close so far takes part in the rules as a trough
    if let Some(i) = open_trough {
        turns.push(Turn::Trough(i));
    }
    let start = d[0];
    turns.retain(|t| (d[t.index()] - start).num_days() >= p.censor_days);
    alternate(&mut turns, v);
    while censor_once(&mut turns, d, v, p) {}
    let mut out = Vec::new();
    for (k, t) in turns.iter().enumerate() {
        let Turn::Peak(ip) = *t else { continue };
        // the trough: the next turning point, or (a trailing peak) the lowest close after it
        let it = match turns.get(k + 1) {
            Some(Turn::Trough(j)) => *j,
            _ => match (ip + 1..v.len()).min_by(|a, b| v[*a].total_cmp(&v[*b])) {
                Some(j) => j,
                None => continue,
            },
        };
        let fall = 1.0 - v[it] / v[ip];
        if fall < p.fall - 1e-12 {
            continue;
        }
        let Some(cross) = (ip + 1..=it).find(|&i| v[i] <= (1.0 - p.fall) * v[ip] + 1e-12 * v[ip]) else { continue };
        out.push(Event {
            series: s.id().to_string(),
            threshold: p.fall,
            peak_date: d[ip],
            peak_value: v[ip],
            event_date: d[cross],
            trough_date: d[it],
            trough_value: v[it],
            drawdown: fall,
            recovered: v[it + 1..].iter().any(|x| *x >= v[ip]),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};
    use fissure_core::SeriesMeta;

    /// A daily series through the given (day offset, level) knots, linear in between.
    fn path(knots: &[(i64, f64)]) -> Series {
        let d0 = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        let mut dates = Vec::new();
        let mut vals = Vec::new();
        for w in knots.windows(2) {
            let ((t0, v0), (t1, v1)) = (w[0], w[1]);
            for t in t0..t1 {
                dates.push(d0 + Duration::days(t));
                vals.push(v0 + (v1 - v0) * (t - t0) as f64 / (t1 - t0) as f64);
            }
        }
        let (t, v) = *knots.last().unwrap();
        dates.push(d0 + Duration::days(t));
        vals.push(v);
        Series::new(SeriesMeta::new("X"), dates, vals).unwrap()
    }

    fn day(t: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + Duration::days(t)
    }

    #[test]
    fn two_bear_markets_one_below_the_old_high() {
        // 100 → 200 (day 400) → 120 (day 600) → 180 (day 1100) → 126 (day 1300) → 250 (day 2000)
        // The second fall (−30%) starts below the first peak: the all-time-high view misses it.
        let s = path(&[(0, 100.0), (400, 200.0), (600, 120.0), (1100, 180.0), (1300, 126.0), (2000, 250.0)]);
        let b = bear_markets(&s, &BearParams::default());
        assert_eq!(b.len(), 2, "{b:?}");
        assert_eq!((b[0].peak_date, b[0].trough_date), (day(400), day(600)));
        assert!((b[0].drawdown - 0.4).abs() < 1e-12);
        // 200 · 0.8 = 160 is reached 100 days after the peak (−0.4 per day)
        assert_eq!(b[0].event_date, day(500));
        assert_eq!((b[1].peak_date, b[1].trough_date), (day(1100), day(1300)));
        assert!((b[1].drawdown - 0.3).abs() < 1e-12);
        assert!(b[0].recovered && b[1].recovered);
        let dd = crate::skill::find_events(&s, 0.2);
        assert_eq!(dd.len(), 1, "the drawdown view sees one event: {dd:?}");
    }

    #[test]
    fn short_cycle_merges_into_one_bear_market() {
        // 200 (day 400) → 140 (day 700) → 175 (+25%, day 760) → 120 (day 900) → 300:
        // the peak-to-peak cycle 400 → 760 is 12 months < 16: one bear market 400 → 900
        let s = path(&[(0, 100.0), (400, 200.0), (700, 140.0), (760, 175.0), (900, 120.0), (1800, 300.0)]);
        let lt = lt_turns(s.values(), &BearParams::default()).0;
        assert_eq!(lt.len(), 5, "{lt:?}"); // trough 0, peak 400, trough 700, peak 760, trough 900
        let b = bear_markets(&s, &BearParams::default());
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!((b[0].peak_date, b[0].trough_date), (day(400), day(900)));
        assert!((b[0].drawdown - 0.4).abs() < 1e-12);
        // with a 6-month minimum cycle the two falls stay apart
        let p = BearParams { min_cycle_days: 183, ..BearParams::default() };
        assert_eq!(bear_markets(&s, &p).len(), 2);
    }

    #[test]
    fn short_phase_needs_a_large_move() {
        // 10% thresholds: 100 → 150 (day 300) → 132 (−12% in 30 days) → 200 (day 900) → 150 (day 1200) → 220.
        // The 30-day, 12% phase is shorter than 4 months and below 20%: removed.
        let s = path(&[(0, 100.0), (300, 150.0), (330, 132.0), (900, 200.0), (1200, 150.0), (1800, 220.0)]);
        let p = BearParams { fall: 0.10, rise: 0.10, ..BearParams::default() };
        let b = bear_markets(&s, &p);
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(b[0].peak_date, day(900));
        // the same fall over 30 days but 25% deep is kept (the Pagan–Sossounov exception)
        let s = path(&[(0, 100.0), (300, 150.0), (330, 112.5), (900, 200.0), (1200, 150.0), (1800, 220.0)]);
        let b = bear_markets(&s, &p);
        assert_eq!(b.iter().map(|e| e.peak_date).collect::<Vec<_>>(), vec![day(300), day(900)]);
    }

    #[test]
    fn start_is_censored_and_an_open_bear_ends_at_the_low_so_far() {
        // starts at its high: the fall from day 0 is not dated (the series may begin mid-phase)
        let s = path(&[(0, 200.0), (100, 120.0), (700, 300.0), (900, 210.0), (950, 220.0)]);
        let b = bear_markets(&s, &BearParams::default());
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!((b[0].peak_date, b[0].trough_date), (day(700), day(900)));
        assert!(!b[0].recovered);
        // a fall of less than the threshold is no bear market
        let s = path(&[(0, 100.0), (400, 200.0), (600, 165.0), (1000, 260.0)]);
        assert!(bear_markets(&s, &BearParams::default()).is_empty());
        // non-positive prices: no dating
        let s = path(&[(0, 1.0), (400, 0.0), (600, 1.0)]);
        assert!(bear_markets(&s, &BearParams::default()).is_empty());
    }

    #[test]
    fn simultaneous_bear_markets_count_once() {
        let a = bear_markets(
            &path(&[(0, 100.0), (400, 200.0), (600, 120.0), (1100, 180.0), (1300, 126.0), (2000, 250.0)]),
            &BearParams::default(),
        );
        let mut b = bear_markets(&path(&[(0, 50.0), (390, 100.0), (620, 70.0), (1500, 90.0)]), &BearParams::default());
        for e in &mut b {
            e.series = "Y".into();
        }
        assert_eq!(b.len(), 1);
        let m = crate::skill::merge_events(a.into_iter().chain(b).collect());
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(m[0].peak_date, day(390));
        assert_eq!(m[0].series, "Y+X");
        assert_eq!(m[1].peak_date, day(1100));
    }
}
