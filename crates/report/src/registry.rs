//! The signal registry: runs every family, turns each published signal into a
//! history of percentiles and states, and keeps the latest reading with its
//! explanation. A family that fails becomes a visible note, never a crash.

use crate::cache::{family_cache_key, Cache};
use crate::percentile;
use chrono::NaiveDate;
use fissure_core::{FamilyInputs, FamilyOutput, SignalFamily, SignalSeries, Text, Thresholds};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Minimum history before a percentile (and a percentile-based state) is
/// defined: at least this many observations …
pub const MIN_HISTORY_OBS: usize = 20;
/// … spanning at least this many calendar days.
pub const MIN_HISTORY_DAYS: i64 = 365;

/// The reading of a signal on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Calm,
    Elevated,
    Alarm,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::Calm => "calm",
            State::Elevated => "elevated",
            State::Alarm => "alarm",
        }
    }
}

/// The state of a value from its thresholds: percentile thresholds apply to the
/// risk percentile (`≥ alarm` → alarm, `≥ elevated` → elevated); absolute
/// thresholds apply to the value itself (`≥` when higher is riskier, `≤` otherwise).
pub fn state_of(th: &Thresholds, higher_is_riskier: bool, value: f64, risk_pct: Option<f64>) -> Option<State> {
    if !value.is_finite() {
        return None;
    }
    match *th {
        Thresholds::Percentile { elevated, alarm } => {
            let r = risk_pct?;
            Some(if r >= alarm {
                State::Alarm
            } else if r >= elevated {
                State::Elevated
            } else {
                State::Calm
            })
        }
        Thresholds::Absolute { elevated, alarm } => {
            let beyond = |level: f64| {
                if higher_is_riskier {
                    value >= level
                } else {
                    value <= level
                }
            };
            Some(if beyond(alarm) {
                State::Alarm
            } else if beyond(elevated) {
                State::Elevated
            } else {
                State::Calm
            })
        }
    }
}

/// Whether the alarm level lies beyond the elevated level on the risky side
/// (alarm ≥ elevated when higher is riskier, ≤ when lower is). A signal whose
/// levels are the other way round alarms on almost every date (the
/// `small_vs_large_z` bug: levels +1.5 / +2 on a lower-is-riskier z-score).
pub fn thresholds_consistent(th: &Thresholds, higher_is_riskier: bool) -> bool {
    match *th {
        Thresholds::Percentile { elevated, alarm } => alarm >= elevated,
        Thresholds::Absolute { elevated, alarm } => {
            if higher_is_riskier {
                alarm >= elevated
            } else {
                alarm <= elevated
            }
        }
    }
}

/// The latest reading of a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub date: NaiveDate,
    pub value: f64,
    /// Percentile (0–100) of the value in the signal's own history up to `date`.
    pub percentile: Option<f64>,
    /// The same, oriented so that 100 is the riskiest reading seen so far.
    pub risk_percentile: Option<f64>,
    pub state: Option<State>,
}

/// One signal, read by the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalReport {
    pub id: String,
    pub family: String,
    pub title: Text,
    pub unit: String,
    pub higher_is_riskier: bool,
    pub thresholds: Thresholds,
    pub explanation: Text,
    pub latest: Option<Reading>,
    /// Full history (not serialised to `report.json`; see the charts).
    #[serde(skip)]
    pub dates: Vec<NaiveDate>,
    #[serde(skip)]
    pub values: Vec<f64>,
    #[serde(skip)]
    pub percentiles: Vec<Option<f64>>,
    #[serde(skip)]
    pub risk: Vec<Option<f64>>,
    #[serde(skip)]
    pub states: Vec<Option<State>>,
}

impl SignalReport {
    /// Reads a published signal: expanding percentiles (real-time safe), states.
    pub fn read(s: &SignalSeries) -> SignalReport {
        let spec = &s.spec;
        let n = s.dates.len().min(s.values.len());
        let dates = s.dates[..n].to_vec();
        let values = s.values[..n].to_vec();
        let mut percentiles = percentile::expanding(&values, true, MIN_HISTORY_OBS);
        let mut risk = if spec.higher_is_riskier {
            percentiles.clone()
        } else {
            percentile::expanding(&values, false, MIN_HISTORY_OBS)
        };
        // Percentiles need a year of history, not only MIN_HISTORY_OBS points.
        if let Some(first) = dates.first().copied() {
            for (i, d) in dates.iter().enumerate() {
                if (*d - first).num_days() >= MIN_HISTORY_DAYS {
                    break;
                }
                percentiles[i] = None;
                risk[i] = None;
            }
        }
        let states: Vec<Option<State>> =
            (0..n).map(|i| state_of(&spec.thresholds, spec.higher_is_riskier, values[i], risk[i])).collect();
        let latest = (0..n).rev().find(|&i| values[i].is_finite()).map(|i| Reading {
            date: dates[i],
            value: values[i],
            percentile: percentiles[i],
            risk_percentile: risk[i],
            state: states[i],
        });
        SignalReport {
            id: spec.id.clone(),
            family: spec.family.clone(),
            title: Text::new(spec.title_en.clone(), spec.title_zh.clone()),
            unit: spec.unit.clone(),
            higher_is_riskier: spec.higher_is_riskier,
            thresholds: spec.thresholds,
            explanation: Text::new(s.explain_en.clone(), s.explain_zh.clone()),
            latest,
            dates,
            values,
            percentiles,
            risk,
            states,
        }
    }

    /// Index of the last observation on or before `d`.
    pub fn index_at_or_before(&self, d: NaiveDate) -> Option<usize> {
        let k = self.dates.partition_point(|x| *x <= d);
        k.checked_sub(1)
    }

    /// State on the last observation on or before `d`.
    pub fn state_at(&self, d: NaiveDate) -> Option<State> {
        self.index_at_or_before(d).and_then(|i| self.states[i])
    }
}

/// How one family's computation went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyRun {
    pub key: String,
    pub title: Text,
    /// Seconds spent (computing, or reading the cache).
    pub seconds: f64,
    pub cached: bool,
    /// The error message when the family failed.
    pub error: Option<String>,
}

/// A family's results as the report shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyReport {
    pub run: FamilyRun,
    pub signals: Vec<SignalReport>,
    /// Charts, methods, notes as the family returned them.
    #[serde(skip)]
    pub output: FamilyOutput,
}

/// Progress of the registry, reported once per family as it finishes.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub run: &'a FamilyRun,
    pub done: usize,
    pub total: usize,
}

/// Runs the families: cached outputs are read first (sequentially: the cache
/// may not be shareable between threads), the rest are computed in parallel
/// (rayon), then stored in the cache. Results are in the order of `families`.
/// `code_id` identifies the code that computed (see [`family_cache_key`]).
pub fn run_families(
    families: &[&dyn SignalFamily],
    inputs: &FamilyInputs,
    cache: Option<&dyn Cache>,
    code_id: &str,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Vec<FamilyReport> {
    let as_of = inputs.as_of;
    let total = families.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = |run: &FamilyRun| {
        let d = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        progress(Progress { run, done: d, total });
    };
    // 1. Cache look-ups.
    let mut slots: Vec<Option<(FamilyRun, Option<FamilyOutput>)>> = Vec::with_capacity(total);
    let mut keys: Vec<Option<String>> = Vec::with_capacity(total);
    for f in families {
        let t0 = Instant::now();
        let key = cache.and_then(|c| family_cache_key(c, *f, inputs, code_id));
        let hit = match (cache, &key) {
            (Some(c), Some(k)) => c.get(k).and_then(|b| serde_json::from_slice::<FamilyOutput>(&b).ok()),
            _ => None,
        };
        match hit {
            Some(out) => {
                let run = FamilyRun {
                    key: f.key().to_string(),
                    title: f.title(),
                    seconds: t0.elapsed().as_secs_f64(),
                    cached: true,
                    error: None,
                };
                tick(&run);
                slots.push(Some((run, Some(out))));
            }
            None => slots.push(None),
        }
        keys.push(key);
    }
    // 2. Compute the misses in parallel.
    let computed: Vec<(usize, FamilyRun, Option<FamilyOutput>)> = (0..total)
        .into_par_iter()
        .filter(|i| slots[*i].is_none())
        .map(|i| {
            let f = families[i];
            let t0 = Instant::now();
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.compute(inputs))).unwrap_or_else(|p| {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panic".into());
                    Err(format!("internal error (panic): {msg}"))
                });
            let (error, out) = match result {
                Ok(o) => (None, Some(o)),
                Err(e) => (Some(e), None),
            };
            let run = FamilyRun {
                key: f.key().to_string(),
                title: f.title(),
                seconds: t0.elapsed().as_secs_f64(),
                cached: false,
                error,
            };
            tick(&run);
            (i, run, out)
        })
        .collect();
    // 3. Store new results.
    for (i, run, out) in computed {
        if let (Some(c), Some(k), Some(o)) = (cache, &keys[i], &out) {
            if let Ok(bytes) = serde_json::to_vec(o) {
                c.put(k, &bytes);
            }
        }
        slots[i] = Some((run, out));
    }
    slots
        .into_iter()
        .flatten()
        .map(|(run, out)| {
            let mut output = out.unwrap_or_default();
            if let Some(d) = as_of {
                drop_after(&mut output, d);
            }
            for s in &output.signals {
                if !thresholds_consistent(&s.spec.thresholds, s.spec.higher_is_riskier) {
                    output.notes.push(Text::new(
                        format!(
                            "{}: its alarm level lies before its elevated level on the risky side ({:?}, higher is riskier: {}); its states are not meaningful.",
                            s.spec.id, s.spec.thresholds, s.spec.higher_is_riskier
                        ),
                        format!("{}：警报水平在风险方向上先于偏高水平（{:?}），其状态没有意义。", s.spec.id, s.spec.thresholds),
                    ));
                }
            }
            let signals = read_signals(&output.signals);
            FamilyReport { run, signals, output }
        })
        .collect()
}

/// Leaves out signal observations dated after the report date `as_of` (e.g. a
/// partial week labelled by its end date), with a visible note: the report shows
/// what was known on `as_of`.
pub fn drop_after(output: &mut FamilyOutput, as_of: NaiveDate) {
    for s in &mut output.signals {
        let keep = s.dates.partition_point(|d| *d <= as_of);
        let n = s.dates.len().min(s.values.len());
        if keep < n {
            let first = s.dates[keep];
            output.notes.push(Text::new(
                format!(
                    "{}: {} observation(s) dated after the report date {as_of} (from {first}) were left out; \
                     the report shows what was known on {as_of}.",
                    s.spec.id,
                    n - keep
                ),
                format!(
                    "{}：{} 个日期晚于报告日期 {as_of} 的观测值（自 {first} 起）未计入；报告只显示截至 {as_of} 已知的信息。",
                    s.spec.id,
                    n - keep
                ),
            ));
            s.dates.truncate(keep);
            s.values.truncate(keep.min(s.values.len()));
            // The family's sentence described the dropped reading.
            let shown = s.dates.last().map_or_else(|| "-".to_string(), |d| d.to_string());
            s.explain_en = format!(
                "{}: reading of {shown} shown; the family's explanation described {first}, after the report date.",
                s.spec.title_en
            );
            s.explain_zh =
                format!("{}：显示 {shown} 的读数；该类别的说明针对报告日期之后的 {first}，未显示。", s.spec.title_zh);
        }
    }
}

/// Reads every signal (in parallel; each is O(n log n)).
pub fn read_signals(signals: &[SignalSeries]) -> Vec<SignalReport> {
    signals.par_iter().map(SignalReport::read).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_thresholds() {
        let p = Thresholds::Percentile { elevated: 80.0, alarm: 95.0 };
        assert_eq!(state_of(&p, true, 1.0, Some(96.0)), Some(State::Alarm));
        assert_eq!(state_of(&p, true, 1.0, Some(80.0)), Some(State::Elevated));
        assert_eq!(state_of(&p, true, 1.0, Some(50.0)), Some(State::Calm));
        assert_eq!(state_of(&p, true, 1.0, None), None);
        let a = Thresholds::Absolute { elevated: 2.0, alarm: 0.0 };
        assert_eq!(state_of(&a, false, -1.0, None), Some(State::Alarm));
        assert_eq!(state_of(&a, false, 1.0, None), Some(State::Elevated));
        assert_eq!(state_of(&a, false, 5.0, None), Some(State::Calm));
        let b = Thresholds::Absolute { elevated: 1.0, alarm: 2.0 };
        assert_eq!(state_of(&b, true, 2.5, None), Some(State::Alarm));
    }

    #[test]
    fn inconsistent_levels_are_flagged() {
        let bug = Thresholds::Absolute { elevated: 1.5, alarm: 2.0 };
        assert!(!thresholds_consistent(&bug, false));
        assert!(thresholds_consistent(&bug, true));
        assert!(thresholds_consistent(&Thresholds::Absolute { elevated: -1.5, alarm: -2.0 }, false));
    }

    #[test]
    fn drops_observations_after_as_of_with_a_note() {
        let d = |day| NaiveDate::from_ymd_opt(2008, 9, day).unwrap();
        let spec = fissure_core::SignalSpec {
            id: "x.weekly".into(),
            family: "x".into(),
            title_en: "X".into(),
            title_zh: "X".into(),
            unit: String::new(),
            higher_is_riskier: true,
            thresholds: Thresholds::default(),
        };
        let mut out = FamilyOutput {
            signals: vec![SignalSeries {
                spec,
                dates: vec![d(5), d(12), d(19)],
                values: vec![1.0, 2.0, 3.0],
                explain_en: String::new(),
                explain_zh: String::new(),
            }],
            ..Default::default()
        };
        drop_after(&mut out, d(15));
        assert_eq!(out.signals[0].dates, vec![d(5), d(12)]);
        assert_eq!(out.signals[0].values, vec![1.0, 2.0]);
        assert_eq!(out.notes.len(), 1);
        assert!(out.notes[0].en.contains("2008-09-19"));
    }
}
