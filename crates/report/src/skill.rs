//! Skill of the warnings: a real-time-safe event study.
//!
//! **Events** are peak-to-trough drawdowns of at least a threshold (per series,
//! from the watchlist's `report.drawdown_events`) in the data up to `as_of`. A
//! drawdown starts at a running maximum (the *peak*) and ends when the series
//! closes above that peak again (or at the end of the data); its *event date* is
//! the first day the fall from the peak reaches the threshold — the day the fall
//! became "real", by which a warning must have come.
//!
//! **Alarms** are the dates on which a signal's state is `alarm`; states use only
//! data up to each date (expanding percentiles), so the study is real-time safe.
//! Alarm dates less than `merge_gap_days` apart form one *alarm episode*.
//!
//! Scores (in the spirit of the early-warning literature, e.g. Kaminsky, Lizondo
//! & Reinhart 1998, IMF Staff Papers 45(1), "signals approach"):
//! - *hit*: an event preceded by at least one alarm within `lead_window_days`
//!   before its event date; *hit rate* = hits / events scored (events after the
//!   signal's first state and with signal data in their window);
//! - *lead*: days from the earliest alarm in that window to the event date;
//!   the median over hits is reported;
//! - *false alarm*: an alarm episode whose start is not followed by an event date
//!   within `lead_window_days`, and that does not start inside an event (between
//!   its peak and trough — those are *late* alarms, counted apart); episodes that
//!   started less than `lead_window_days` before `as_of` are *pending*;
//!   *false alarms per year* divides by the years in which a false alarm could be
//!   judged (first state to `as_of − lead_window_days`).

use crate::registry::State;
use chrono::{Duration, NaiveDate};
use fissure_core::Series;
use serde::{Deserialize, Serialize};

/// Parameters of the event study.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SkillParams {
    /// An alarm counts as a warning of an event up to this many calendar days
    /// before the event date (365 ≈ 250 trading days).
    pub lead_window_days: i64,
    /// Alarm dates closer than this form one episode.
    pub merge_gap_days: i64,
}

impl Default for SkillParams {
    fn default() -> Self {
        SkillParams { lead_window_days: 365, merge_gap_days: 30 }
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
    /// First date the fall from the peak reached the threshold.
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

/// A signal's (or gauge's) skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    pub events_scored: usize,
    pub hits: usize,
    pub hit_rate: Option<f64>,
    pub median_lead_days: Option<f64>,
    pub alarm_episodes: usize,
    pub false_alarms: usize,
    pub late_alarms: usize,
    pub pending: usize,
    /// Years in which false alarms were judged.
    pub years: f64,
    pub false_alarms_per_year: Option<f64>,
    /// Per scored event (index into the report's event list): lead in days, or
    /// `None` when missed.
    pub leads: Vec<(usize, Option<i64>)>,
}

/// An alarm episode: first and last alarm date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Alarm episodes of a state history.
pub fn episodes(dates: &[NaiveDate], states: &[Option<State>], merge_gap_days: i64) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    for (d, s) in dates.iter().zip(states) {
        if *s != Some(State::Alarm) {
            continue;
        }
        match out.last_mut() {
            Some(e) if (*d - e.end).num_days() <= merge_gap_days => e.end = *d,
            _ => out.push(Episode { start: *d, end: *d }),
        }
    }
    out
}

fn median(mut x: Vec<f64>) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    x.sort_by(f64::total_cmp);
    let n = x.len();
    Some(if n % 2 == 1 { x[n / 2] } else { 0.5 * (x[n / 2 - 1] + x[n / 2]) })
}

/// Scores one state history against `events` (all dated ≤ `as_of`). `None`
/// when the history has no state at all.
pub fn score(
    dates: &[NaiveDate],
    states: &[Option<State>],
    events: &[Event],
    as_of: NaiveDate,
    p: &SkillParams,
) -> Option<Skill> {
    let n = dates.len().min(states.len());
    let (dates, states) = (&dates[..n], &states[..n]);
    let first_i = states.iter().position(Option::is_some)?;
    let first = dates[first_i];
    let last = dates[states.iter().rposition(Option::is_some)?];
    let window = Duration::days(p.lead_window_days);
    let alarms: Vec<NaiveDate> =
        dates.iter().zip(states).filter(|(_, s)| **s == Some(State::Alarm)).map(|(d, _)| *d).collect();
    let mut leads = Vec::new();
    let mut lead_days = Vec::new();
    for (k, e) in events.iter().enumerate() {
        if e.event_date <= first || e.event_date > as_of || last < e.event_date - window {
            continue;
        }
        let lo = alarms.partition_point(|a| *a < e.event_date - window);
        let lead = alarms.get(lo).filter(|a| **a < e.event_date).map(|a| (e.event_date - *a).num_days());
        if let Some(l) = lead {
            lead_days.push(l as f64);
        }
        leads.push((k, lead));
    }
    let hits = lead_days.len();
    let eps = episodes(dates, states, p.merge_gap_days);
    let (mut false_alarms, mut late, mut pending) = (0, 0, 0);
    for ep in &eps {
        let followed = events.iter().any(|e| e.event_date > ep.start && e.event_date <= ep.start + window);
        if followed {
            continue;
        }
        if events.iter().any(|e| ep.start >= e.peak_date && ep.start <= e.trough_date) {
            late += 1;
        } else if ep.start > as_of - window {
            pending += 1;
        } else {
            false_alarms += 1;
        }
    }
    let judged_end = (as_of - window).min(last);
    let years = ((judged_end - first).num_days() as f64 / 365.25).max(0.0);
    Some(Skill {
        events_scored: leads.len(),
        hits,
        hit_rate: (!leads.is_empty()).then(|| hits as f64 / leads.len() as f64),
        median_lead_days: median(lead_days),
        alarm_episodes: eps.len(),
        false_alarms,
        late_alarms: late,
        pending,
        years,
        false_alarms_per_year: (years > 0.5).then(|| false_alarms as f64 / years),
        leads,
    })
}

/// A baseline kind pooled over the event series: hits / events and false
/// alarms / judged years summed over its signals (`baseline.<kind>.<series>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineSkill {
    /// `vol_pct` or `ma200`.
    pub kind: String,
    pub events_scored: usize,
    pub hit_rate: Option<f64>,
    pub false_alarms_per_year: Option<f64>,
}

/// A warning's record against a baseline: better (hit rate ≥ and false alarms
/// per year ≤, one of them strictly), worse (the reverse), mixed, or not
/// comparable (a rate missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    Mixed,
    NotComparable,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Mixed => "mixed",
            Verdict::NotComparable => "na",
        }
    }
}

impl BaselineSkill {
    /// How `k` compares with this baseline.
    pub fn verdict(&self, k: &Skill) -> Verdict {
        let (Some(h), Some(f), Some(bh), Some(bf)) =
            (k.hit_rate, k.false_alarms_per_year, self.hit_rate, self.false_alarms_per_year)
        else {
            return Verdict::NotComparable;
        };
        let eps = 1e-12;
        let (h_ge, h_le) = (h >= bh - eps, h <= bh + eps);
        let (f_le, f_ge) = (f <= bf + eps, f >= bf - eps);
        let same = h_ge && h_le && f_le && f_ge;
        if h_ge && f_le && !same {
            Verdict::Better
        } else if h_le && f_ge && !same {
            Verdict::Worse
        } else {
            Verdict::Mixed
        }
    }
}

/// Pools the baseline signals' scores by kind (`baseline.<kind>.<series>`).
pub fn pool_baselines(scores: &std::collections::BTreeMap<String, Skill>) -> Vec<BaselineSkill> {
    let mut out = Vec::new();
    for kind in ["vol_pct", "ma200"] {
        let prefix = format!("baseline.{kind}.");
        let ks: Vec<&Skill> = scores.iter().filter(|(id, _)| id.starts_with(&prefix)).map(|(_, k)| k).collect();
        if ks.is_empty() {
            continue;
        }
        let events: usize = ks.iter().map(|k| k.events_scored).sum();
        let hits: usize = ks.iter().map(|k| k.hits).sum();
        let years: f64 = ks.iter().filter(|k| k.false_alarms_per_year.is_some()).map(|k| k.years).sum();
        let fa: usize = ks.iter().filter(|k| k.false_alarms_per_year.is_some()).map(|k| k.false_alarms).sum();
        out.push(BaselineSkill {
            kind: kind.to_string(),
            events_scored: events,
            hit_rate: (events > 0).then(|| hits as f64 / events as f64),
            false_alarms_per_year: (years > 0.5).then(|| fa as f64 / years),
        });
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

    #[test]
    fn verdicts_against_a_baseline() {
        let b = BaselineSkill {
            kind: "ma200".into(),
            events_scored: 10,
            hit_rate: Some(0.5),
            false_alarms_per_year: Some(0.3),
        };
        let k = |h: f64, f: f64| Skill {
            events_scored: 10,
            hits: 0,
            hit_rate: Some(h),
            median_lead_days: None,
            alarm_episodes: 0,
            false_alarms: 0,
            late_alarms: 0,
            pending: 0,
            years: 10.0,
            false_alarms_per_year: Some(f),
            leads: vec![],
        };
        assert_eq!(b.verdict(&k(0.6, 0.3)), Verdict::Better);
        assert_eq!(b.verdict(&k(0.5, 0.1)), Verdict::Better);
        assert_eq!(b.verdict(&k(0.4, 0.3)), Verdict::Worse);
        assert_eq!(b.verdict(&k(0.6, 0.5)), Verdict::Mixed);
        assert_eq!(b.verdict(&k(0.5, 0.3)), Verdict::Mixed);
    }

    #[test]
    fn scores_hits_false_and_late_alarms() {
        let ev = Event {
            series: "X".into(),
            threshold: 0.2,
            peak_date: d(2010, 1, 1),
            peak_value: 1.0,
            event_date: d(2010, 3, 1),
            trough_date: d(2010, 6, 1),
            trough_value: 0.7,
            drawdown: 0.3,
            recovered: true,
        };
        let dates = vec![d(2000, 1, 1), d(2005, 1, 1), d(2009, 6, 1), d(2010, 4, 1), d(2012, 1, 1), d(2020, 1, 1)];
        let a = Some(State::Alarm);
        let c = Some(State::Calm);
        let states = vec![c, a, a, a, c, c];
        let s = score(&dates, &states, &[ev], d(2020, 1, 1), &SkillParams::default()).unwrap();
        assert_eq!(s.events_scored, 1);
        assert_eq!(s.hits, 1);
        assert_eq!(s.median_lead_days, Some((d(2010, 3, 1) - d(2009, 6, 1)).num_days() as f64));
        assert_eq!(s.alarm_episodes, 3);
        assert_eq!(s.false_alarms, 1); // 2005
        assert_eq!(s.late_alarms, 1); // 2010-04, inside the drawdown
        assert_eq!(s.hit_rate, Some(1.0));
    }
}
