//! The report (`fissure report --json`): every family on the bundled data or a store, the HTML written to
//! `out`, the JSON returned. Also the bundled data itself, for notebooks and tests.

use anyhow::Context;
use chrono::NaiveDate;

use fissure_io::{Store, Watchlist};
use fissure_report::Lang;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Deserialize;
use std::path::PathBuf;

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

fn report_json(a: &ReportOpts) -> anyhow::Result<serde_json::Value> {
    let w = match &a.config {
        Some(p) => Watchlist::from_file(p).with_context(|| format!("reading the watchlist {}", p.display()))?,
        None => Watchlist::embedded(),
    };
    let lang = match &a.lang {
        Some(l) => Lang::parse(l).with_context(|| format!("lang={l}: expected en or zh"))?,
        None => Lang::parse(&w.report.lang).unwrap_or_default(),
    };
    // The same loading code as `fissure report` (fissure-app): a given store, or the bundled data
    // ingested into a temporary one.
    let tmp;
    let (mut store, path) = match &a.store {
        Some(p) => (Store::open(p).with_context(|| format!("opening the store {}", p.display()))?, p.clone()),
        None => {
            tmp = tempfile::tempdir().context("creating a temporary store")?;
            let p = tmp.path().join("store.sqlite");
            (Store::open(&p).with_context(|| format!("opening the store {}", p.display()))?, p)
        }
    };
    if store.list()?.is_empty() {
        fissure_app::ingest_demo(&mut store, "python: bundled demo data")?;
    }
    let today = chrono::Local::now().date_naive().max(chrono::Utc::now().date_naive());
    let l = fissure_app::load_inputs(&store, &w, &path, &[], a.as_of, today)?;
    let report = fissure_app::build_report(l, &w, &store, format!("python-{}", env!("CARGO_PKG_VERSION")), &|_| {});
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
