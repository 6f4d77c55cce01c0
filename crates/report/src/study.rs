//! The skill study of a report: targets and labels, every signal and gauge scored
//! ([`crate::skill`]), the baselines on the equity index and on the panel of the
//! bundle's indices, sector funds and stocks, and the combined warning
//! ([`crate::warning`]).

use crate::bear::{bear_markets, BearParams, BEAR_METHOD};
use crate::composite::{weekly_calendar, Composite, Gauge, MAX_STALE_DAYS};
use crate::registry::FamilyReport;
use crate::skill::{
    self, auroc_band, baseline_scores, delta_band, find_events, labels, merge_events, rows, Band, Event, Rows, Skill,
    SkillParams, Target, Track, Verdict, HORIZONS, PRIMARY, PRIMARY_DAYS,
};
use crate::warning::{self, probability_band, realtime_fit, FitParams, ReliabilityBin};
use chrono::NaiveDate;
use fissure_core::{AssetClass, FamilyInputs, Series};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Name of the equity-index target.
pub const EQUITY: &str = "equity";
/// Fall that makes an event when the watchlist names no threshold for a series.
pub const DEFAULT_THRESHOLD: f64 = 0.20;

/// A baseline pooled over a panel of series, each against its own events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelScore {
    /// `runup2y`, `vol21`, `ma200`, or a signal kind (`bubble.bsadf`).
    pub kind: String,
    pub series: Vec<String>,
    /// Events whose year before the peak lies in the scored weeks.
    pub events: usize,
    pub weeks: usize,
    pub auroc_12m: Option<Band>,
}

/// The combined warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Probability on the report date.
    pub probability: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// The real-time base rate on the report date.
    pub base_rate: Option<f64>,
    pub method: String,
    pub features: Vec<String>,
    /// Latest model: intercept and standardised slopes (same order as `features`).
    pub coefficients: Vec<f64>,
    pub dates: Vec<NaiveDate>,
    pub history: Vec<Option<f64>>,
    pub skill: Option<Skill>,
    pub reliability: Vec<ReliabilityBin>,
    /// ROC points (false-positive rate, true-positive rate) at 12 months, from `eval_from`.
    pub roc: Vec<(f64, f64)>,
}

/// The skill study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillStudy {
    pub params: SkillParams,
    /// Every event of every event series (per series).
    pub events: Vec<Event>,
    /// The equity-index events, simultaneous falls merged.
    pub equity_events: Vec<Event>,
    pub equity_series: Vec<String>,
    /// Signal or gauge id → skill.
    pub scores: BTreeMap<String, Skill>,
    /// Baselines on the equity index (`runup2y`, `vol21`, `ma200`) scored like a signal.
    pub baselines: BTreeMap<String, Skill>,
    /// Baselines and multi-series signals pooled over the panel of series.
    pub panel: Vec<PanelScore>,
    pub warning: Warning,
    /// The ROC points of the overall, fragility and stress-now gauges and the run-up baseline.
    pub roc: BTreeMap<String, Vec<(f64, f64)>>,
    /// The second view: every signal, gauge, baseline and the warning scored against bear markets.
    #[serde(default)]
    pub bear: BearView,
}

/// A signal's (gauge's, baseline's, the warning's) score against the bear-market view
/// ([`crate::bear`]), at the primary horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BearScore {
    /// Bear markets of the equity indices (merged), or of the signal's own series.
    pub target: String,
    /// Bear markets whose 12 months before the peak lie in the scored weeks, with a score at their start.
    pub events: usize,
    pub weeks: usize,
    /// 12-month AUROC of the risk percentile with its 90% moving-block bootstrap band.
    pub auroc_12m: Option<Band>,
    /// AUROC − the 2-year run-up's AUROC on the same weeks and bear-market labels, with its band.
    pub delta_vs_runup: Option<Band>,
    pub verdict: Verdict,
}

/// The bear-market view of the skill study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BearView {
    pub method: String,
    /// The rules (thresholds per series: each event's `threshold`).
    pub params: BearParams,
    /// Bear markets of every event series (per series).
    pub events: Vec<Event>,
    /// The equity target's bear markets, simultaneous ones merged.
    pub equity_events: Vec<Event>,
    /// Signal, gauge, baseline (`baseline.*`) or `warning` → score.
    pub scores: BTreeMap<String, BearScore>,
}

impl Default for BearView {
    fn default() -> Self {
        BearView {
            method: BEAR_METHOD.into(),
            params: BearParams::default(),
            events: vec![],
            equity_events: vec![],
            scores: BTreeMap::new(),
        }
    }
}

/// A bear-market target: its events, 12-month labels and the run-up baseline's rows on them.
struct BearTarget {
    name: String,
    events: Vec<Event>,
    labels: Vec<Option<bool>>,
    runup: Option<Rows>,
}

impl BearTarget {
    fn new(
        name: String,
        events: Vec<Event>,
        runup: Option<&[Option<f64>]>,
        calendar: &[NaiveDate],
        known_until: NaiveDate,
        from: usize,
    ) -> BearTarget {
        let labels = labels(calendar, &events, PRIMARY_DAYS, known_until);
        let runup = runup.map(|r| rows(r, &labels, from));
        BearTarget { name, events, labels, runup }
    }

    /// Scores one risk-percentile track (`with_runup`: compare with the run-up).
    fn score(
        &self,
        score: &[Option<f64>],
        calendar: &[NaiveDate],
        from: usize,
        p: &SkillParams,
        with_runup: bool,
    ) -> Option<BearScore> {
        let r = rows(score, &self.labels, from);
        if r.is_empty() {
            return None;
        }
        let n = calendar.len();
        let delta = self.runup.as_ref().filter(|_| with_runup).and_then(|b| delta_band(&r, b, n, p));
        Some(BearScore {
            target: self.name.clone(),
            events: scored_events(calendar, &self.events, score, from),
            weeks: r.len(),
            auroc_12m: auroc_band(&r, n, p),
            verdict: if with_runup { Verdict::of(delta.as_ref()) } else { Verdict::NotComparable },
            delta_vs_runup: delta,
        })
    }
}

/// Events whose year before the peak starts in the scored weeks with a score there.
fn scored_events(calendar: &[NaiveDate], events: &[Event], score: &[Option<f64>], from: usize) -> usize {
    events
        .iter()
        .filter(|e| {
            let w0 = e.peak_date - chrono::Duration::days(PRIMARY_DAYS);
            let k = calendar.partition_point(|d| *d < w0);
            k >= from && score.get(k).is_some_and(|s| s.is_some())
        })
        .count()
}

impl SkillStudy {
    /// Skill of a signal, gauge or the warning (`warning`).
    pub fn get(&self, id: &str) -> Option<&Skill> {
        if id == "warning" {
            return self.warning.skill.as_ref();
        }
        self.scores.get(id).or_else(|| self.baselines.get(id))
    }

    /// Score of a signal, gauge, baseline or the warning (`warning`) against bear markets.
    pub fn bear_of(&self, id: &str) -> Option<&BearScore> {
        self.bear.scores.get(id)
    }
}

struct TargetData {
    name: String,
    events: Vec<Event>,
    labels: BTreeMap<String, Vec<Option<bool>>>,
    base: Vec<Option<f64>>,
    baselines: Vec<(String, Rows)>,
    baseline_tracks: Vec<(String, Track)>,
}

fn target_data(
    name: String,
    events: Vec<Event>,
    price: Option<&Series>,
    calendar: &[NaiveDate],
    known_until: NaiveDate,
    from: usize,
) -> TargetData {
    let labels: BTreeMap<String, Vec<Option<bool>>> =
        HORIZONS.iter().map(|(k, h)| (k.to_string(), labels(calendar, &events, *h, known_until))).collect();
    let base = realtime_fit(calendar, &vec![None; calendar.len()], &events, &FitParams::default()).base;
    let mut baselines = Vec::new();
    let mut baseline_tracks = Vec::new();
    if let Some(s) = price {
        for (kind, score, on) in baseline_scores(s, calendar) {
            baselines.push((kind.clone(), rows(&score, &labels[PRIMARY], from)));
            baseline_tracks.push((kind, Track { score, on }));
        }
    }
    TargetData { name, events, labels, base, baselines, baseline_tracks }
}

impl TargetData {
    fn target(&self) -> Target<'_> {
        Target {
            name: self.name.clone(),
            events: &self.events,
            labels: &self.labels,
            base_rate: &self.base,
            baselines: &self.baselines,
        }
    }
}

fn is_panel_class(c: AssetClass) -> bool {
    matches!(c, AssetClass::EquityIndex | AssetClass::Stock | AssetClass::Etf)
}

/// The series a signal id names as its last component, when it is a price series.
fn own_series<'a>(id: &str, inputs: &'a FamilyInputs) -> Option<&'a Series> {
    let last = id.rsplit('.').next()?;
    inputs.series.get(last).filter(|s| s.meta.asset_class.is_price())
}

/// A gauge as a track.
fn gauge_track(g: &Gauge, calendar: &[NaiveDate]) -> Track {
    let score: Vec<Option<f64>> = g.values.clone();
    skill::track(&g.dates, &score, &g.states, calendar, 7)
}

/// Real-time calibration of one score (its risk percentile the only feature).
fn calibrate(score: &[Option<f64>], calendar: &[NaiveDate], events: &[Event]) -> Vec<Option<f64>> {
    warning::realtime_calibration(calendar, score, events, &FitParams { refit_weeks: 13, ..FitParams::default() })
}

/// Finds the events in the (truncated) data and scores every signal, gauge,
/// baseline and the combined warning.
pub fn study(
    families: &[FamilyReport],
    composite: &Composite,
    inputs: &FamilyInputs,
    event_specs: &[(String, f64)],
    as_of: NaiveDate,
    params: SkillParams,
) -> SkillStudy {
    let threshold_of = |id: &str| event_specs.iter().find(|(k, _)| k == id).map_or(DEFAULT_THRESHOLD, |(_, t)| *t);
    let mut events: Vec<Event> = event_specs
        .iter()
        .filter_map(|(id, thr)| inputs.series.get(id).map(|s| find_events(&s.as_of(as_of), *thr)))
        .flatten()
        .collect();
    events.sort_by(|a, b| a.peak_date.cmp(&b.peak_date).then(a.series.cmp(&b.series)));
    // the equity target: event series that are equity indices (else every event series)
    let mut equity_series: Vec<String> = event_specs
        .iter()
        .filter(|(id, _)| inputs.series.get(id).is_some_and(|s| s.meta.asset_class == AssetClass::EquityIndex))
        .map(|(id, _)| id.clone())
        .collect();
    if equity_series.is_empty() {
        equity_series =
            event_specs.iter().map(|(id, _)| id.clone()).filter(|id| inputs.series.contains_key(id)).collect();
    }
    let equity_events = merge_events(events.iter().filter(|e| equity_series.contains(&e.series)).cloned().collect());
    let equity_price = inputs
        .roles
        .get("equity_index")
        .filter(|id| equity_series.contains(id))
        .or_else(|| equity_series.first())
        .and_then(|id| inputs.series.get(id));
    let start = equity_series.iter().filter_map(|id| inputs.series.get(id)).filter_map(|s| s.first_date()).min();
    let empty = |events: Vec<Event>| SkillStudy {
        params,
        events,
        equity_events: vec![],
        equity_series: vec![],
        scores: BTreeMap::new(),
        baselines: BTreeMap::new(),
        panel: vec![],
        warning: empty_warning(),
        roc: BTreeMap::new(),
        bear: BearView::default(),
    };
    let Some(start) = start else { return empty(events) };
    let calendar = weekly_calendar(start, as_of);
    let from = calendar.partition_point(|d| *d < params.eval_from);
    let equity_name = equity_series.join("+");
    let equity = target_data(equity_name, equity_events.clone(), equity_price, &calendar, as_of, from);

    // own-series targets of the signals that name a price series
    let mut own: BTreeMap<String, TargetData> = BTreeMap::new();
    for s in families.iter().flat_map(|f| &f.signals) {
        if let Some(ser) = own_series(&s.id, inputs) {
            if !own.contains_key(ser.id()) {
                let ev = find_events(ser, threshold_of(ser.id()));
                own.insert(
                    ser.id().to_string(),
                    target_data(ser.id().to_string(), ev, Some(ser), &calendar, as_of, from),
                );
            }
        }
    }

    // every signal and gauge
    let mut tracks: Vec<(String, Track, &TargetData)> = Vec::new();
    for s in families.iter().flat_map(|f| &f.signals) {
        let tr = skill::track(&s.dates, &s.risk, &s.states, &calendar, MAX_STALE_DAYS);
        let t = own_series(&s.id, inputs).and_then(|ser| own.get(ser.id())).unwrap_or(&equity);
        tracks.push((s.id.clone(), tr, t));
    }
    let gauges: Vec<&Gauge> = std::iter::once(&composite.overall)
        .chain(&composite.families)
        .chain([&composite.fragility, &composite.stress_now])
        .collect();
    for g in &gauges {
        tracks.push((g.id.clone(), gauge_track(g, &calendar), &equity));
    }
    let scores: BTreeMap<String, Skill> = tracks
        .par_iter()
        .filter_map(|(id, tr, t)| {
            let prob = calibrate(&tr.score, &calendar, &t.events);
            skill::score(&calendar, tr, Some(&prob), &t.target(), from, &params).map(|k| (id.clone(), k))
        })
        .collect();
    let baselines: BTreeMap<String, Skill> = equity
        .baseline_tracks
        .par_iter()
        .filter_map(|(kind, tr)| {
            let prob = calibrate(&tr.score, &calendar, &equity.events);
            let t = Target { baselines: &[], ..equity.target() };
            skill::score(&calendar, tr, Some(&prob), &t, from, &params).map(|k| (format!("baseline.{kind}"), k))
        })
        .collect();

    let panel = panel_scores(families, inputs, &calendar, as_of, from, &params, &threshold_of);
    let warning = combined_warning(composite, &equity, &calendar, from, &params);
    let mut roc = BTreeMap::new();
    for (id, tr, t) in &tracks {
        if id.starts_with("composite.overall") || id == "composite.fragility" || id == "composite.stress_now" {
            roc.insert(id.clone(), roc_of(&tr.score, &t.labels[PRIMARY], from));
        }
    }
    if let Some((_, tr)) = equity.baseline_tracks.iter().find(|(k, _)| k == "runup2y") {
        roc.insert("baseline.runup2y".into(), roc_of(&tr.score, &equity.labels[PRIMARY], from));
    }
    // the second view: bear markets (Lunde–Timmermann phases, Pagan–Sossounov rules)
    let bear_of = |id: &str| {
        inputs
            .series
            .get(id)
            .map(|s| bear_markets(&s.as_of(as_of), &BearParams::with_threshold(threshold_of(id))))
            .unwrap_or_default()
    };
    let mut bear_events: Vec<Event> = event_specs.iter().flat_map(|(id, _)| bear_of(id)).collect();
    bear_events.sort_by(|a, b| a.peak_date.cmp(&b.peak_date).then(a.series.cmp(&b.series)));
    let bear_equity_events =
        merge_events(bear_events.iter().filter(|e| equity_series.contains(&e.series)).cloned().collect());
    let runup_of =
        |t: &TargetData| t.baseline_tracks.iter().find(|(k, _)| k == "runup2y").map(|(_, tr)| tr.score.clone());
    let mut bear_targets: BTreeMap<String, BearTarget> = BTreeMap::new();
    bear_targets.insert(
        equity.name.clone(),
        BearTarget::new(
            equity.name.clone(),
            bear_equity_events.clone(),
            runup_of(&equity).as_deref(),
            &calendar,
            as_of,
            from,
        ),
    );
    for (id, t) in &own {
        bear_targets.entry(t.name.clone()).or_insert_with(|| {
            BearTarget::new(id.clone(), bear_of(id), runup_of(t).as_deref(), &calendar, as_of, from)
        });
    }
    let mut bear_jobs: Vec<(String, Vec<Option<f64>>, &BearTarget, bool)> = Vec::new();
    for (id, tr, t) in &tracks {
        if let Some(bt) = bear_targets.get(&t.name) {
            bear_jobs.push((id.clone(), tr.score.clone(), bt, true));
        }
    }
    let equity_bear = &bear_targets[&equity.name];
    for (kind, tr) in &equity.baseline_tracks {
        bear_jobs.push((format!("baseline.{kind}"), tr.score.clone(), equity_bear, kind != "runup2y"));
    }
    if let Some(first) = calendar.iter().position(|d| Some(d) == warning.dates.first()) {
        let mut w = vec![None; first];
        w.extend(warning.history.iter().map(|v| v.map(|x| 100.0 * x)));
        bear_jobs.push(("warning".into(), w, equity_bear, true));
    }
    let bear_scores: BTreeMap<String, BearScore> = bear_jobs
        .par_iter()
        .filter_map(|(id, score, t, vs)| t.score(score, &calendar, from, &params, *vs).map(|k| (id.clone(), k)))
        .collect();
    let bear = BearView {
        method: BEAR_METHOD.into(),
        params: BearParams::default(),
        events: bear_events,
        equity_events: bear_equity_events,
        scores: bear_scores,
    };
    SkillStudy { params, events, equity_events, equity_series, scores, baselines, panel, warning, roc, bear }
}

fn roc_of(score: &[Option<f64>], labels: &[Option<bool>], from: usize) -> Vec<(f64, f64)> {
    let r: Vec<(f64, bool)> = rows(score, labels, from).into_iter().map(|r| (r.1, r.2)).collect();
    warning::roc_curve(&r)
}

/// Baselines on every index, sector fund and stock of the data (each against its
/// own events), and the signals published for several series (`bubble.bsadf.*`),
/// pooled: one AUROC over all (series, week) rows, bootstrapped by blocks of weeks
/// shared across the series.
fn panel_scores(
    families: &[FamilyReport],
    inputs: &FamilyInputs,
    calendar: &[NaiveDate],
    as_of: NaiveDate,
    from: usize,
    p: &SkillParams,
    threshold_of: &(dyn Fn(&str) -> f64 + Sync),
) -> Vec<PanelScore> {
    let series: Vec<&Series> = inputs.series.values().filter(|s| is_panel_class(s.meta.asset_class)).collect();
    type PerSeries = (String, Vec<Event>, Vec<Option<bool>>, Vec<skill::BaselineScore>);
    let per: Vec<PerSeries> = series
        .par_iter()
        .map(|s| {
            let ev = find_events(s, threshold_of(s.id()));
            let lab = labels(calendar, &ev, PRIMARY_DAYS, as_of);
            (s.id().to_string(), ev, lab, baseline_scores(s, calendar))
        })
        .collect();
    let count_events = |ev: &[Event], score: &[Option<f64>]| {
        ev.iter()
            .filter(|e| {
                let w0 = e.peak_date - chrono::Duration::days(PRIMARY_DAYS);
                let k = calendar.partition_point(|d| *d < w0);
                k >= from && score.get(k).is_some_and(|s| s.is_some())
            })
            .count()
    };
    let mut out = Vec::new();
    for kind in ["runup2y", "vol21", "ma200"] {
        let mut all = Rows::new();
        let mut names = Vec::new();
        let mut n_events = 0;
        for (id, ev, lab, sc) in &per {
            if let Some((_, score, _)) = sc.iter().find(|x| x.0 == kind) {
                let r = rows(score, lab, from);
                if !r.is_empty() {
                    n_events += count_events(ev, score);
                    names.push(id.clone());
                    all.extend(r);
                }
            }
        }
        out.push(PanelScore {
            kind: kind.into(),
            series: names,
            events: n_events,
            weeks: all.len(),
            auroc_12m: auroc_band(&all, calendar.len(), p),
        });
    }
    // signals published for several price series
    let mut kinds: BTreeMap<String, Vec<(String, Track)>> = BTreeMap::new();
    for s in families.iter().flat_map(|f| &f.signals) {
        if let Some(ser) = own_series(&s.id, inputs) {
            let kind = s.id[..s.id.len() - ser.id().len() - 1].to_string();
            let tr = skill::track(&s.dates, &s.risk, &s.states, calendar, MAX_STALE_DAYS);
            kinds.entry(kind).or_default().push((ser.id().to_string(), tr));
        }
    }
    for (kind, list) in kinds {
        if list.len() < 2 || kind.starts_with("baseline.") {
            continue;
        }
        let mut all = Rows::new();
        let mut names = Vec::new();
        let mut n_events = 0;
        for (id, tr) in &list {
            let Some(s) = inputs.series.get(id) else { continue };
            let ev = find_events(s, threshold_of(id));
            let lab = labels(calendar, &ev, PRIMARY_DAYS, as_of);
            let r = rows(&tr.score, &lab, from);
            n_events += count_events(&ev, &tr.score);
            names.push(id.clone());
            all.extend(r);
        }
        out.push(PanelScore {
            kind,
            series: names,
            events: n_events,
            weeks: all.len(),
            auroc_12m: auroc_band(&all, calendar.len(), p),
        });
    }
    out
}

/// Text of the combined warning's method (shown in the report and JSON).
pub const WARNING_METHOD: &str = "Logistic regression of 'a fall of 20% or more of the equity indices peaks within 12 months' on the fragility gauge, the stress-now gauge (50 before it exists) and the S&P 500's 2-year run-up percentile; ridge λ = 1 on standardised slopes; refitted every 4 weeks on the weeks whose outcome was known at that date (expanding window, events known once their 20% fall happened); first fit after 10 years of known weeks and 3 known events; band: 5th–95th percentiles over 199 one-year-block bootstrap refits; on when above the real-time base rate. Fixed before looking at post-1990 results.";

fn empty_warning() -> Warning {
    Warning {
        probability: None,
        lo: None,
        hi: None,
        base_rate: None,
        method: WARNING_METHOD.into(),
        features: vec![],
        coefficients: vec![],
        dates: vec![],
        history: vec![],
        skill: None,
        reliability: vec![],
        roc: vec![],
    }
}

fn combined_warning(
    composite: &Composite,
    equity: &TargetData,
    calendar: &[NaiveDate],
    from: usize,
    p: &SkillParams,
) -> Warning {
    let frag = gauge_track(&composite.fragility, calendar).score;
    let stress = gauge_track(&composite.stress_now, calendar).score;
    let runup = equity.baseline_tracks.iter().find(|(k, _)| k == "runup2y").map(|(_, t)| t.score.clone());
    let Some(runup) = runup else { return empty_warning() };
    let x: Vec<Option<Vec<f64>>> = (0..calendar.len())
        .map(|i| Some(vec![frag[i]? / 100.0, stress[i].unwrap_or(50.0) / 100.0, runup[i]? / 100.0]))
        .collect();
    let fp = FitParams::default();
    let fit = realtime_fit(calendar, &x, &equity.events, &fp);
    let n = calendar.len();
    let last = (0..n).rev().find(|&i| fit.prob[i].is_some());
    let band = last.and_then(|i| {
        let xi = x[i].clone()?;
        probability_band(&fit, &x, &xi, &fp, 199, p.block_weeks, p.coverage, p.seed)
    });
    let on: Vec<Option<bool>> = (0..n).map(|i| Some(fit.prob[i]? > fit.base[i]?)).collect();
    let score: Vec<Option<f64>> = fit.prob.iter().map(|v| v.map(|x| 100.0 * x)).collect();
    let tr = Track { score, on };
    let skill = skill::score(calendar, &tr, Some(&fit.prob), &equity.target(), from, p);
    let lab = &equity.labels[PRIMARY];
    let first = (0..n).find(|&i| fit.prob[i].is_some()).unwrap_or(n);
    Warning {
        probability: last.and_then(|i| fit.prob[i]),
        lo: band.map(|b| b.0),
        hi: band.map(|b| b.1),
        base_rate: last.and_then(|i| fit.base[i]),
        method: WARNING_METHOD.into(),
        features: vec!["composite.fragility".into(), "composite.stress_now".into(), "baseline.runup2y".into()],
        coefficients: fit.last.as_ref().map(|(m, _, _)| m.beta.clone()).unwrap_or_default(),
        dates: calendar[first..].to_vec(),
        history: fit.prob[first..].to_vec(),
        skill,
        reliability: warning::reliability(&fit.prob, lab, from, 10),
        roc: roc_of(&tr.score, lab, from),
    }
}
