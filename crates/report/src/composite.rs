//! Composite gauges: per family, the weighted mean of its signals' risk
//! percentiles; overall, the weighted mean of the family gauges. Weights are
//! explicit and shown. Each gauge has a weekly history, its own expanding
//! percentile and a state (same 80/95 rule as percentile signals), and the
//! "what changed" list compares every state with a week and a month ago.

use crate::i18n;
use crate::percentile;
use crate::registry::{state_of, FamilyReport, Reading, SignalReport, State};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use fissure_core::{Text, Thresholds};
use serde::{Deserialize, Serialize};

/// A signal reading older than this (calendar days) no longer enters a gauge.
pub const MAX_STALE_DAYS: i64 = 100;
/// Weekly points of gauge history before its percentile is defined (one year).
pub const GAUGE_MIN_HISTORY: usize = 52;
/// The gauges' state thresholds, on their own percentile.
pub const GAUGE_THRESHOLDS: Thresholds = Thresholds::Percentile { elevated: 80.0, alarm: 95.0 };
/// Family key of the report's own baselines.
pub const BASELINE_FAMILY: &str = "baseline";

/// A composite gauge with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gauge {
    /// `composite.overall` or `composite.<family>`.
    pub id: String,
    pub title: Text,
    /// Component (signal id or family key) → weight (summing to 1 over the
    /// components; a component missing on a date is left out and the rest renormalised).
    pub weights: Vec<(String, f64)>,
    pub latest: Option<Reading>,
    /// Weekly history (Fridays, and `as_of`).
    pub dates: Vec<NaiveDate>,
    pub values: Vec<Option<f64>>,
    #[serde(skip)]
    pub percentiles: Vec<Option<f64>>,
    #[serde(skip)]
    pub states: Vec<Option<State>>,
}

/// One state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: String,
    pub family: String,
    pub title: Text,
    pub since: NaiveDate,
    pub from: Option<State>,
    pub to: Option<State>,
}

/// State changes over the last week and month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Changes {
    pub week: Vec<Change>,
    pub month: Vec<Change>,
}

/// The composite: overall and per-family gauges, the fragility / stress-now
/// split, and what changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Composite {
    pub overall: Gauge,
    pub families: Vec<Gauge>,
    /// `composite.fragility`: leading signals (explosiveness, valuation, leverage,
    /// positioning, crowding, concentration).
    pub fragility: Gauge,
    /// `composite.stress_now`: coincident signals (stress index, turbulence,
    /// absorption, spillover, co-crash, regime probability, rotation, carry unwind).
    pub stress_now: Gauge,
    pub changes: Changes,
}

/// Whether a signal leads falls or measures stress as it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// Fragility: builds up before a fall.
    Leading,
    /// Stress now: rises during a fall.
    Coincident,
    /// The report's yardsticks.
    Baseline,
}

impl Timing {
    pub fn key(self) -> &'static str {
        match self {
            Timing::Leading => "leading",
            Timing::Coincident => "coincident",
            Timing::Baseline => "baseline",
        }
    }
}

/// The timing class of a signal id (fixed by what the signal measures, not by its
/// measured skill): bubble statistics, valuation, leverage and positioning,
/// crowding and concentration lead; stress, turbulence, absorption, spillover,
/// co-movement, co-crash, regime probabilities, carry unwinds and defensive
/// rotation are coincident. Unknown ids of a new family count as leading.
pub fn timing(id: &str) -> Timing {
    const COINCIDENT: [&str; 9] = [
        "contagion.absorption",
        "contagion.turbulence",
        "contagion.spillover",
        "contagion.cocrash",
        "contagion.basket_corr",
        "liquidity.",
        "structure.defensive_vs_tech",
        "risk.",
        "spiral.",
    ];
    if id.starts_with("baseline.") {
        Timing::Baseline
    } else if COINCIDENT.iter().any(|p| id.starts_with(p)) {
        Timing::Coincident
    } else {
        Timing::Leading
    }
}

/// The weekly calendar: every Friday from `start` to `end`, plus `end`.
pub fn weekly_calendar(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let offset =
        (Weekday::Fri.num_days_from_monday() as i64 - start.weekday().num_days_from_monday() as i64).rem_euclid(7);
    let mut d = start + Duration::days(offset);
    while d <= end {
        out.push(d);
        d += Duration::days(7);
    }
    if out.last() != Some(&end) && start <= end {
        out.push(end);
    }
    out
}

/// The last value of `(dates, values)` on or before each calendar date, if not stale.
fn sample(dates: &[NaiveDate], values: &[Option<f64>], calendar: &[NaiveDate]) -> Vec<Option<f64>> {
    let mut p = 0;
    calendar
        .iter()
        .map(|c| {
            while p < dates.len() && dates[p] <= *c {
                p += 1;
            }
            let i = p.checked_sub(1)?;
            if (*c - dates[i]).num_days() > MAX_STALE_DAYS {
                return None;
            }
            values[i]
        })
        .collect()
}

/// Weighted mean of the available components on each date.
fn weighted(components: &[(Vec<Option<f64>>, f64)], n: usize) -> Vec<Option<f64>> {
    (0..n)
        .map(|t| {
            let (mut s, mut w) = (0.0, 0.0);
            for (vals, wt) in components {
                if let Some(v) = vals[t] {
                    if *wt > 0.0 {
                        s += wt * v;
                        w += wt;
                    }
                }
            }
            (w > 0.0).then(|| s / w)
        })
        .collect()
}

fn finish(
    id: String,
    title: Text,
    weights: Vec<(String, f64)>,
    dates: Vec<NaiveDate>,
    values: Vec<Option<f64>>,
) -> Gauge {
    let raw: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let percentiles = percentile::expanding(&raw, true, GAUGE_MIN_HISTORY);
    let states: Vec<Option<State>> =
        raw.iter().zip(&percentiles).map(|(v, p)| state_of(&GAUGE_THRESHOLDS, true, *v, *p)).collect();
    let latest = (0..dates.len()).rev().find(|&i| values[i].is_some()).map(|i| Reading {
        date: dates[i],
        value: raw[i],
        percentile: percentiles[i],
        risk_percentile: percentiles[i],
        state: states[i],
    });
    Gauge { id, title, weights, latest, dates, values, percentiles, states }
}

/// Family weights: 1 for every family with signals, except the baselines,
/// which weigh 0 as soon as another family has signals (they are the yardstick
/// the composite is compared with, not part of it).
pub fn family_weights(families: &[FamilyReport]) -> Vec<(String, f64)> {
    let others = families.iter().any(|f| f.run.key != BASELINE_FAMILY && !f.signals.is_empty());
    let raw: Vec<(String, f64)> = families
        .iter()
        .filter(|f| !f.signals.is_empty())
        .map(|f| {
            let w = if f.run.key == BASELINE_FAMILY && others { 0.0 } else { 1.0 };
            (f.run.key.clone(), w)
        })
        .collect();
    let total: f64 = raw.iter().map(|r| r.1).sum();
    raw.into_iter().map(|(k, w)| (k, if total > 0.0 { w / total } else { 0.0 })).collect()
}

/// Builds the gauges on a weekly calendar ending at `as_of`, and the changes.
pub fn build(families: &[FamilyReport], as_of: NaiveDate) -> Composite {
    let start = families
        .iter()
        .flat_map(|f| &f.signals)
        .filter_map(|s| s.risk.iter().position(Option::is_some).map(|i| s.dates[i]))
        .min()
        .unwrap_or(as_of);
    let calendar = weekly_calendar(start.min(as_of), as_of);
    let n = calendar.len();
    let fam_weights = family_weights(families);
    let mut fam_gauges = Vec::new();
    let mut overall_components = Vec::new();
    for f in families.iter().filter(|f| !f.signals.is_empty()) {
        let w = 1.0 / f.signals.len() as f64;
        let comps: Vec<(Vec<Option<f64>>, f64)> =
            f.signals.iter().map(|s| (sample(&s.dates, &s.risk, &calendar), w)).collect();
        let values = weighted(&comps, n);
        let weights = f.signals.iter().map(|s| (s.id.clone(), w)).collect();
        let title = Text::new(format!("{} gauge", f.run.title.en), format!("{}指数", f.run.title.zh));
        let g = finish(format!("composite.{}", f.run.key), title, weights, calendar.clone(), values);
        let fw = fam_weights.iter().find(|(k, _)| *k == f.run.key).map_or(0.0, |x| x.1);
        overall_components.push((g.values.clone(), fw));
        fam_gauges.push(g);
    }
    let overall_values = weighted(&overall_components, n);
    let split = |t: Timing, id: &str, key: &str| {
        let sigs: Vec<&SignalReport> = families
            .iter()
            .filter(|f| f.run.key != BASELINE_FAMILY)
            .flat_map(|f| &f.signals)
            .filter(|s| timing(&s.id) == t)
            .collect();
        let w = if sigs.is_empty() { 0.0 } else { 1.0 / sigs.len() as f64 };
        let comps: Vec<(Vec<Option<f64>>, f64)> =
            sigs.iter().map(|s| (sample(&s.dates, &s.risk, &calendar), w)).collect();
        let values = weighted(&comps, n);
        let weights = sigs.iter().map(|s| (s.id.clone(), w)).collect();
        finish(id.into(), i18n::text(key), weights, calendar.clone(), values)
    };
    let fragility = split(Timing::Leading, "composite.fragility", "fragility_gauge");
    let stress_now = split(Timing::Coincident, "composite.stress_now", "stress_now_gauge");
    let overall =
        finish("composite.overall".into(), i18n::text("overall_gauge"), fam_weights, calendar, overall_values);
    let mut gauges = fam_gauges.clone();
    gauges.push(fragility.clone());
    gauges.push(stress_now.clone());
    let changes = changes(families, &overall, &gauges, as_of);
    Composite { overall, families: fam_gauges, fragility, stress_now, changes }
}

fn gauge_state_at(g: &Gauge, d: NaiveDate) -> Option<State> {
    let k = g.dates.partition_point(|x| *x <= d);
    k.checked_sub(1).and_then(|i| g.states[i])
}

/// Signals and gauges whose state differs from a week (7 days) and a month
/// (30 days) before `as_of`.
pub fn changes(families: &[FamilyReport], overall: &Gauge, gauges: &[Gauge], as_of: NaiveDate) -> Changes {
    let mut out = Changes::default();
    for (days, list) in [(7, &mut out.week), (30, &mut out.month)] {
        let since = as_of - Duration::days(days);
        let mut push = |id: &str, family: &str, title: &Text, from: Option<State>, to: Option<State>| {
            if from != to {
                list.push(Change { id: id.into(), family: family.into(), title: title.clone(), since, from, to });
            }
        };
        for g in std::iter::once(overall).chain(gauges) {
            push(&g.id, "composite", &g.title, gauge_state_at(g, since), gauge_state_at(g, as_of));
        }
        for f in families {
            for s in &f.signals {
                let s: &SignalReport = s;
                push(&s.id, &s.family, &s.title, s.state_at(since), s.state_at(as_of));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_is_fridays_then_as_of() {
        let s = NaiveDate::from_ymd_opt(2026, 2, 2).unwrap(); // Monday
        let e = NaiveDate::from_ymd_opt(2026, 2, 18).unwrap(); // Wednesday
        let c = weekly_calendar(s, e);
        assert_eq!(c.len(), 3);
        assert_eq!(c[0], NaiveDate::from_ymd_opt(2026, 2, 6).unwrap());
        assert_eq!(c[2], e);
        assert!(c[..2].iter().all(|d| d.weekday() == Weekday::Fri));
    }

    #[test]
    fn weighted_mean_skips_missing() {
        let comps = vec![(vec![Some(10.0), None], 1.0), (vec![Some(30.0), Some(50.0)], 1.0)];
        assert_eq!(weighted(&comps, 2), vec![Some(20.0), Some(50.0)]);
    }

    #[test]
    fn timing_classes() {
        assert_eq!(timing("bubble.bsadf.SPX"), Timing::Leading);
        assert_eq!(timing("contagion.positioning.margin_debt"), Timing::Leading);
        assert_eq!(timing("contagion.crowding.ai"), Timing::Leading);
        assert_eq!(timing("liquidity.stress_index"), Timing::Coincident);
        assert_eq!(timing("contagion.spillover.total"), Timing::Coincident);
        assert_eq!(timing("structure.defensive_vs_tech_z"), Timing::Coincident);
        assert_eq!(timing("baseline.ma200.SPX"), Timing::Baseline);
    }

    #[test]
    fn sample_drops_stale() {
        let d = |m, day| NaiveDate::from_ymd_opt(2020, m, day).unwrap();
        let got = sample(&[d(1, 1)], &[Some(5.0)], &[d(1, 2), d(12, 1)]);
        assert_eq!(got, vec![Some(5.0), None]);
    }
}
