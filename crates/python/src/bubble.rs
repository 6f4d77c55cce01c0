//! Bubble family: `psy`, `lppls`, `lppls_confidence`, `valuation` (the JSON of `fissure bubble … --json`).

use crate::common::{options, run, PySeries};
use anyhow::Context;
use chrono::Datelike;
use fissure_bubble::analyse;
use fissure_bubble::cv::CriticalValues;
use fissure_bubble::lppls_plan::{LpplsCiOptions, LpplsCiPlan, LpplsOptions, LpplsPlan};
use fissure_bubble::psy_plan::{self, PlanError};
use fissure_bubble::valuation as val;
use fissure_core::Series;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

/// `fissure bubble psy` options, same names and defaults (the Python default transform is `log`): the
/// library's [`psy_plan::PsyOptions`], validated when the plan is made.
pub use fissure_bubble::psy_plan::PsyOptions as PsyOpts;

/// The library's PSY plan with the Python package's wording (`transform="none"`) and error contexts.
pub struct PsyPlan(pub psy_plan::PsyPlan);

impl std::ops::Deref for PsyPlan {
    type Target = psy_plan::PsyPlan;
    fn deref(&self) -> &psy_plan::PsyPlan {
        &self.0
    }
}

impl PsyPlan {
    pub fn new(raw: &Series, a: &PsyOpts) -> anyhow::Result<PsyPlan> {
        psy_plan::PsyPlan::new(raw, a).map(PsyPlan).map_err(|e| match e {
            PlanError::NonPositive { .. } => anyhow::anyhow!("{e}; use transform=\"none\""),
            e => anyhow::Error::new(e),
        })
    }

    /// Critical values for this plan (Monte Carlo ones need only the length).
    pub fn critical_values(&self) -> anyhow::Result<Option<CriticalValues>> {
        self.0.critical_values(None).with_context(|| format!("PSY on `{}`", self.s.id()))
    }

    /// Statistics and episodes with the given critical values (computed by `critical_values`, maybe shared).
    pub fn outcome(&self, cvs: Option<CriticalValues>) -> anyhow::Result<analyse::PsyOutcome> {
        self.0.outcome(cvs).with_context(|| format!("PSY on `{}`", self.s.id()))
    }
}

/// The JSON of `fissure bubble psy --json` without its `bsadf` records, which `bsadf_columns` returns as columns.
pub fn psy_json(p: &PsyPlan, out: &analyse::PsyOutcome) -> Value {
    psy_plan::psy_json(&p.0, out)
}

/// The BSADF sequence as columns: day numbers (since 1970-01-01), values, critical values at the level (if any).
pub struct Columns {
    pub days: Vec<i64>,
    pub value: Vec<f64>,
    pub cv: Option<Vec<f64>>,
}

pub fn bsadf_columns(p: &PsyPlan, out: &analyse::PsyOutcome) -> Columns {
    let r = &out.radf;
    let dates = &p.s.dates()[r.first..];
    Columns {
        days: dates.iter().map(|d| i64::from(d.num_days_from_ce()) - crate::common::UNIX_EPOCH_CE).collect(),
        value: r.bsadf.clone(),
        cv: out.cv.as_ref().map(|c| c.bsadf.iter().map(|v| v[p.level]).collect()),
    }
}

/// Returns `(json, columns)`: the JSON document without `bsadf`, and `{"bsadf": {"date", "value"[, "cv"]}}` as
/// numpy arrays handed over without a copy (the Python side rebuilds the records only if `Result.json` is read).
#[pyfunction]
pub fn psy<'py>(
    py: Python<'py>,
    series: PySeries<'py>,
    options_json: &str,
) -> PyResult<(String, Bound<'py, pyo3::types::PyDict>)> {
    let s = series.to_series()?;
    let (doc, cols) = py
        .detach(move || -> anyhow::Result<(String, Columns)> {
            let a: PsyOpts = options(options_json)?;
            let plan = PsyPlan::new(&s, &a)?;
            let out = plan.outcome(plan.critical_values()?)?;
            Ok((psy_json(&plan, &out).to_string(), bsadf_columns(&plan, &out)))
        })
        .map_err(crate::common::py_err)?;
    let b = pyo3::types::PyDict::new(py);
    b.set_item("date", cols.days.into_pyarray(py))?;
    b.set_item("value", cols.value.into_pyarray(py))?;
    if let Some(cv) = cols.cv {
        b.set_item("cv", cv.into_pyarray(py))?;
    }
    let d = pyo3::types::PyDict::new(py);
    d.set_item("bsadf", b)?;
    Ok((doc, d))
}

#[pyfunction]
pub fn lppls(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || {
        let plan = LpplsPlan::new(&s, &options::<LpplsOptions>(options_json)?)?;
        Ok(plan.json(&plan.run()?))
    })
}

#[pyfunction]
pub fn lppls_confidence(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || {
        let plan = LpplsCiPlan::new(&s, &options::<LpplsCiOptions>(options_json)?)?;
        Ok(plan.json(&plan.run(None)?))
    })
}

/// `fissure bubble valuation` options (`vs` is a second series instead of a stored id).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValuationOpts {
    pub min_history: usize,
}

impl Default for ValuationOpts {
    fn default() -> Self {
        ValuationOpts { min_history: 36 }
    }
}

#[pyfunction]
#[pyo3(signature = (series, options_json, vs=None))]
pub fn valuation(
    py: Python<'_>,
    series: PySeries<'_>,
    options_json: &str,
    vs: Option<PySeries<'_>>,
) -> PyResult<String> {
    let s = series.to_series()?;
    let vs = vs.map(|v| v.to_series()).transpose()?;
    run(py, move || {
        let a: ValuationOpts = options(options_json)?;
        let v = s.values();
        let sum = val::summary(v).with_context(|| format!("series `{}`", s.id()))?;
        let e = val::expanding(v, a.min_history)?;
        let vs = match &vs {
            Some(r) => Some((
                r.id().to_string(),
                val::versus(sum.latest, r.values()).with_context(|| format!("reference `{}`", r.id()))?,
            )),
            None => None,
        };
        Ok(json!({
            "id": s.id(), "date": s.last_date(), "latest": sum.latest, "percentile": sum.percentile, "zscore": sum.zscore,
            "history": sum, "expanding": {"percentile": e.percentile.last(), "zscore": e.zscore.last()},
            "vs": vs.as_ref().map(|(id, r)| json!({"id": id, "result": r})),
            "params": {"first": s.first_date(), "n": v.len(), "min_history": a.min_history},
        }))
    })
}

/// Seconds per call of the library alone (`PsyPlan`: critical values and outcome), mean
/// of `repeats` calls: the yardstick of the Python per-call overhead in tools/bench/python.py.
#[pyfunction]
#[pyo3(name = "_bench_psy")]
pub fn bench_psy(py: Python<'_>, series: PySeries<'_>, options_json: &str, repeats: usize) -> PyResult<f64> {
    let s = series.to_series()?;
    py.detach(move || {
        let a: PsyOpts = options(options_json)?;
        let t = std::time::Instant::now();
        for _ in 0..repeats.max(1) {
            let plan = PsyPlan::new(&s, &a)?;
            std::hint::black_box(plan.outcome(plan.critical_values()?)?);
        }
        Ok(t.elapsed().as_secs_f64() / repeats.max(1) as f64)
    })
    .map_err(crate::common::py_err)
}
