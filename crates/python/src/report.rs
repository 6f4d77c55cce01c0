//! The report (`fissure report --json`): every family on the bundled data or a store, the HTML written to
//! `out`, the JSON returned. Also the bundled data itself, for notebooks and tests.

use anyhow::Context;
use chrono::NaiveDate;
use fissure_core::{CrossSection, FamilyInputs, Series, SignalFamily};
use fissure_io::{Store, Watchlist};
use fissure_report::{Lang, ReportInput, SkillParams, Source};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Deserialize;
use std::path::PathBuf;

/// The report's families: the same list as `families()` in `crates/cli/src/cmd/report.rs` (a new family is one
/// line in both).
fn families() -> Vec<Box<dyn SignalFamily>> {
    vec![
        Box::new(fissure_bubble::signals::BubbleFamily::default()),
        Box::new(fissure_contagion::signals::ContagionFamily),
        Box::new(fissure_liquidity::signals::LiquidityFamily),
        Box::new(fissure_structure::signals::StructureFamily),
    ]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportOpts {
    pub out: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub lang: Option<String>,
    /// A store file (`fissure ingest --store …`); default: the bundled data, in memory.
    pub store: Option<PathBuf>,
    /// A watchlist TOML; default: the embedded one.
    pub config: Option<PathBuf>,
}

impl Default for ReportOpts {
    fn default() -> Self {
        ReportOpts { out: "fissure-report".into(), as_of: None, lang: None, store: None, config: None }
    }
}

fn load_all(store: Option<&Store>) -> anyhow::Result<(Vec<Series>, Vec<CrossSection>)> {
    match store {
        None => {
            let demo = fissure_io::demo::load().context("loading the bundled demo data")?;
            Ok((demo.series.into_iter().map(|(s, _)| s).collect(), demo.sections.into_iter().map(|(s, _)| s).collect()))
        }
        Some(st) => {
            let mut series = Vec::new();
            for info in st.list()? {
                series.push(st.load(&info.meta.id, None).with_context(|| format!("loading series {}", info.meta.id))?);
            }
            let mut sections = Vec::new();
            for sec in st.list_sections()? {
                sections.extend(
                    st.load_sections(&sec.id, &sec.field)
                        .with_context(|| format!("loading cross-section {}.{}", sec.id, sec.field))?,
                );
            }
            Ok((series, sections))
        }
    }
}

fn report_json(a: &ReportOpts) -> anyhow::Result<serde_json::Value> {
    let w = match &a.config {
        Some(p) => Watchlist::from_file(p).with_context(|| format!("reading the watchlist {}", p.display()))?,
        None => Watchlist::embedded(),
    };
    let lang = match &a.lang {
        Some(l) => Lang::parse(l).with_context(|| format!("lang={l}: expected en or zh"))?,
        None => Lang::parse(&w.report.lang).unwrap_or_default(),
    };
    let store = match &a.store {
        Some(p) => Some(Store::open(p).with_context(|| format!("opening the store {}", p.display()))?),
        None => None,
    };
    let (all, secs) = load_all(store.as_ref())?;
    let as_of = match a.as_of.or_else(|| all.iter().filter_map(|s| s.last_date()).max()) {
        Some(d) => d,
        None => anyhow::bail!("no data: the store is empty"),
    };
    let mut inputs = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    let mut sources = Vec::new();
    for s in all {
        let s = s.as_of(as_of);
        if s.is_empty() {
            continue;
        }
        sources.push(Source {
            id: s.meta.id.clone(),
            name: s.meta.name.clone(),
            source: s.meta.source.clone(),
            unit: s.meta.unit.clone(),
            first: s.first_date(),
            last: s.last_date(),
            observations: s.len(),
            publication_lag_days: fissure_io::publication::lag_days(&s.meta),
        });
        inputs.series.insert(s.meta.id.clone(), s);
    }
    sources.sort_by(|x, y| x.id.cmp(&y.id));
    for c in secs.into_iter().filter(|c| c.date <= as_of) {
        inputs.sections.entry(c.id.clone()).or_default().push(c);
    }
    for v in inputs.sections.values_mut() {
        v.sort_by(|a, b| a.date.cmp(&b.date).then(a.field.cmp(&b.field)));
    }
    for name in w.baskets.keys() {
        if let Some(bw) = w.basket_weights(name) {
            inputs.baskets.insert(name.clone(), bw);
        }
    }
    inputs.roles = w.roles.clone();
    inputs.bubble_assets = w.report.bubble_assets.clone();
    let fams = families();
    let refs: Vec<&dyn SignalFamily> = fams.iter().map(|f| f.as_ref()).collect();
    let events: Vec<(String, f64)> = w.report.drawdown_events.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let report = fissure_report::build(
        ReportInput {
            families: refs,
            inputs,
            events,
            as_of,
            sources,
            skill_params: SkillParams::default(),
            code_id: format!("python-{}", env!("CARGO_PKG_VERSION")),
        },
        store.as_ref().map(|s| s as &dyn fissure_report::cache::Cache),
        &|_| {},
    );
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let written = fissure_report::write(&report, &a.out, lang)?;
    let mut j = fissure_report::json::to_json(&report, lang);
    j["timings"] = serde_json::to_value(&report.steps)?;
    j["html"] = serde_json::json!(written.html);
    Ok(j)
}

#[pyfunction]
pub fn report(py: Python<'_>, options_json: &str) -> PyResult<String> {
    crate::common::run(py, move || report_json(&crate::common::options(options_json)?))
}

/// The bundled data: `{id: (datetime64[D] days, values, metadata)}` and the cross-sections in long form.
#[pyfunction]
pub fn demo_data(py: Python<'_>) -> PyResult<Py<PyDict>> {
    let demo = py.detach(fissure_io::demo::load).map_err(|e| crate::common::py_err(e.into()))?;
    let out = PyDict::new(py);
    let series = PyDict::new(py);
    let day = |d: &NaiveDate| i64::from(chrono::Datelike::num_days_from_ce(d)) - 719_163;
    for (s, file) in &demo.series {
        let days: Vec<i64> = s.dates().iter().map(day).collect();
        let meta = PyDict::new(py);
        meta.set_item("name", &s.meta.name)?;
        meta.set_item("asset_class", s.meta.asset_class.as_str())?;
        meta.set_item("unit", &s.meta.unit)?;
        meta.set_item("frequency", s.meta.frequency.as_str())?;
        meta.set_item("source", &s.meta.source)?;
        meta.set_item("file", file)?;
        let arrays: (Bound<'_, PyArray1<i64>>, Bound<'_, PyArray1<f64>>) =
            (days.into_pyarray(py), s.values().to_vec().into_pyarray(py));
        series.set_item(s.id(), (arrays.0, arrays.1, meta))?;
    }
    out.set_item("series", series)?;
    let (mut ids, mut fields, mut days, mut symbols, mut names, mut values) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (c, _) in &demo.sections {
        for r in &c.rows {
            ids.push(c.id.clone());
            fields.push(c.field.clone());
            days.push(day(&c.date));
            symbols.push(r.symbol.clone());
            names.push(r.name.clone());
            values.push(r.value);
        }
    }
    let sec = PyDict::new(py);
    sec.set_item("id", ids)?;
    sec.set_item("field", fields)?;
    sec.set_item("date", days.into_pyarray(py))?;
    sec.set_item("symbol", symbols)?;
    sec.set_item("name", names)?;
    sec.set_item("value", values.into_pyarray(py))?;
    out.set_item("sections", sec)?;
    Ok(out.unbind())
}
