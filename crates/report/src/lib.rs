//! Synthesis and delivery: the signal registry, composite gauges, the skill
//! backtest, and the bilingual report (self-contained HTML with inline SVG
//! charts, `charts/*.svg`, `report.json`, a terminal summary).
//!
//! The report knows families only through [`fissure_core::SignalFamily`]: any
//! family listed by the binary appears, with its signals, charts, methods and
//! notes; a failing family appears as a note.

pub mod baseline;
pub mod bear;
pub mod cache;
pub mod composite;
pub mod html;
pub mod i18n;
pub mod json;
pub mod percentile;
pub mod registry;
pub mod skill;
pub mod study;
pub mod svg;
pub mod terminal;
pub mod warning;

use chrono::NaiveDate;
use fissure_core::{FamilyInputs, SignalFamily};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use cache::Cache;
pub use composite::Composite;
pub use i18n::Lang;
pub use registry::{FamilyReport, FamilyRun, Progress, SignalReport, State};
pub use skill::{Event, Skill, SkillParams};
pub use study::{SkillStudy, Warning};

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("serialising report.json: {0}")]
    Json(#[from] serde_json::Error),
}

/// A stored series as listed in the data-sources section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub name: String,
    pub source: String,
    pub unit: String,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    pub observations: usize,
    /// Days from an observation's date label to its publication (dates shown are publication dates).
    #[serde(default)]
    pub publication_lag_days: i64,
}

/// What the report is built from.
pub struct ReportInput<'a> {
    /// The families to run (the report adds its `baseline` family itself).
    pub families: Vec<&'a dyn SignalFamily>,
    /// Data, already truncated at `as_of`.
    pub inputs: FamilyInputs,
    /// Drawdown events of the skill study: series id → threshold (0.2 = 20%).
    pub events: Vec<(String, f64)>,
    pub as_of: NaiveDate,
    pub sources: Vec<Source>,
    pub skill_params: SkillParams,
    /// Identifies the code (e.g. the executable's size and time): part of cache keys.
    pub code_id: String,
}

/// A timed step: `key` is an i18n key (`step_*`), `subject` e.g. a family key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub key: String,
    pub subject: String,
    pub seconds: f64,
}

impl Step {
    pub fn new(key: &str, subject: &str, seconds: f64) -> Step {
        Step { key: key.into(), subject: subject.into(), seconds }
    }

    /// The step's name in `lang`.
    pub fn label(&self, lang: Lang) -> String {
        if let Some(how) = self.key.strip_prefix("step_family_") {
            let how = if how == "cached" { "cached" } else { "computed" };
            return format!("{} {} ({})", i18n::t(lang, "family"), self.subject, i18n::t(lang, how));
        }
        let name = i18n::t(lang, &self.key);
        if self.subject.is_empty() {
            name.to_string()
        } else {
            format!("{name} {}", self.subject)
        }
    }

    /// Wall-clock totals that include other steps (left out of "slowest steps").
    pub fn is_total(&self) -> bool {
        self.key == "step_families_wall"
    }
}

/// The whole report, before rendering.
#[derive(Debug, Clone)]
pub struct Report {
    pub as_of: NaiveDate,
    pub families: Vec<FamilyReport>,
    pub composite: Composite,
    pub skill: SkillStudy,
    pub sources: Vec<Source>,
    pub steps: Vec<Step>,
    /// Notes on the data and the report date, shown under the title (how the as-of was
    /// chosen, roles mapped to standard codes, ids missing from the store). Set by the caller.
    pub notes: Vec<fissure_core::Text>,
}

impl Report {
    /// Skill of a signal or gauge.
    pub fn skill_of(&self, id: &str) -> Option<&Skill> {
        self.skill.get(id)
    }
}

/// Runs the families and the synthesis. `progress` is called as each family ends.
pub fn build(input: ReportInput<'_>, cache: Option<&dyn Cache>, progress: &(dyn Fn(Progress<'_>) + Sync)) -> Report {
    let mut steps = Vec::new();
    let baseline = baseline::BaselineFamily::new(input.events.clone());
    let mut families = input.families.clone();
    families.push(&baseline);
    let t0 = Instant::now();
    let reports = registry::run_families(&families, &input.inputs, cache, &input.code_id, progress);
    for r in &reports {
        let key = if r.run.cached { "step_family_cached" } else { "step_family_computed" };
        steps.push(Step::new(key, &r.run.key, r.run.seconds));
    }
    steps.push(Step::new("step_families_wall", "", t0.elapsed().as_secs_f64()));

    let t = Instant::now();
    let composite = composite::build(&reports, input.as_of);
    steps.push(Step::new("step_composite", "", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    // The study is a function of the signal histories, the gauges, the event series
    // and the parameters: cached in the store under their digest.
    let key = study_cache_key(&reports, &composite, &input, &input.code_id);
    let cached = cache.and_then(|c| c.get(&key)).and_then(|b| serde_json::from_slice::<SkillStudy>(&b).ok());
    let was_cached = cached.is_some();
    let skill = cached.unwrap_or_else(|| {
        let s = study(&reports, &composite, &input.inputs, &input.events, input.as_of, input.skill_params);
        if let (Some(c), Ok(bytes)) = (cache, serde_json::to_vec(&s)) {
            c.put(&key, &bytes);
        }
        s
    });
    steps.push(Step::new(if was_cached { "step_skill_cached" } else { "step_skill" }, "", t.elapsed().as_secs_f64()));

    Report { as_of: input.as_of, families: reports, composite, skill, sources: input.sources, steps, notes: Vec::new() }
}

/// The cache key of the skill study: a digest of every signal history (dates, risk
/// percentiles, states), every gauge, the event series' data and the parameters.
fn study_cache_key(families: &[FamilyReport], composite: &Composite, input: &ReportInput<'_>, code_id: &str) -> String {
    let mut h = cache::Fnv128::default();
    h.write(
        format!("{} {code_id} {:?} {} {:?}", env!("CARGO_PKG_VERSION"), input.skill_params, input.as_of, input.events)
            .as_bytes(),
    );
    for s in families.iter().flat_map(|f| &f.signals) {
        h.write(s.id.as_bytes());
        for ((d, r), st) in s.dates.iter().zip(&s.risk).zip(&s.states) {
            h.write(&chrono::Datelike::num_days_from_ce(d).to_le_bytes());
            h.write(&r.map_or(u64::MAX, f64::to_bits).to_le_bytes());
            h.write(&[st.map_or(9, |x| x as u8)]);
        }
    }
    for g in std::iter::once(&composite.overall)
        .chain(&composite.families)
        .chain([&composite.fragility, &composite.stress_now])
    {
        h.write(g.id.as_bytes());
        for (v, st) in g.values.iter().zip(&g.states) {
            h.write(&v.map_or(u64::MAX, f64::to_bits).to_le_bytes());
            h.write(&[st.map_or(9, |x| x as u8)]);
        }
    }
    // the series the events and baselines are found in (prices of the panel included)
    for (id, s) in &input.inputs.series {
        if s.meta.asset_class.is_price() {
            h.write(id.as_bytes());
            h.write(&(s.len() as u64).to_le_bytes());
            for (d, v) in s.dates().iter().zip(s.values()) {
                h.write(&chrono::Datelike::num_days_from_ce(d).to_le_bytes());
                h.write(&v.to_bits().to_le_bytes());
            }
        }
    }
    format!("report/skill/{}", h.hex())
}

/// Finds the events in the (truncated) data and scores every signal, gauge and
/// baseline, and fits the combined warning (see [`study::study`]).
pub fn study(
    families: &[FamilyReport],
    composite: &Composite,
    inputs: &FamilyInputs,
    event_specs: &[(String, f64)],
    as_of: NaiveDate,
    params: SkillParams,
) -> SkillStudy {
    study::study(families, composite, inputs, event_specs, as_of, params)
}

/// Files written by [`write`].
#[derive(Debug, Clone)]
pub struct Written {
    pub html: PathBuf,
    pub json: PathBuf,
    pub charts: Vec<PathBuf>,
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    std::fs::write(path, bytes).map_err(|source| ReportError::Write { path: path.into(), source })
}

/// Writes `report.html`, `report.json` and `charts/*.svg` into `out`.
pub fn write(report: &Report, out: &Path, lang: Lang) -> Result<Written, ReportError> {
    let charts_dir = out.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| ReportError::Write { path: charts_dir.clone(), source })?;
    let mut charts = Vec::new();
    for (id, svg) in html::all_charts(report, lang) {
        let p = charts_dir.join(format!("{id}.svg"));
        write_file(&p, svg.as_bytes())?;
        charts.push(p);
    }
    let html_path = out.join("report.html");
    write_file(&html_path, html::render(report, lang).as_bytes())?;
    let json_path = out.join("report.json");
    let j = json::to_json(report, lang);
    // compact: the signal histories make the pretty form several times larger
    write_file(&json_path, serde_json::to_string(&j)?.as_bytes())?;
    Ok(Written { html: html_path, json: json_path, charts })
}
