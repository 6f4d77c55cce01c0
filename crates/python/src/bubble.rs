//! Bubble family: `psy`, `lppls`, `lppls_confidence`, `valuation` (the JSON of `fissure bubble … --json`).

use crate::common::{options, run, PySeries};
use anyhow::{bail, Context};
use chrono::{Datelike, NaiveDate};
use fissure_bubble::analyse::{self, Transform};
use fissure_bubble::cv::CriticalValues;
use fissure_bubble::lppls::{self as lppls_fit, FitOptions};
use fissure_bubble::lppls_ci::{self, CiConfig, Filter, RelErrorAggregation};
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

fn levels(s: &Series, t: Transform) -> anyhow::Result<Vec<f64>> {
    analyse::transform(s.values(), t).map_err(|e| match e {
        fissure_bubble::BubbleError::NonPositive { index, value } => {
            anyhow::anyhow!(
                "series `{}`: value {value} on {} is not positive; use transform=\"none\"",
                s.id(),
                s.dates()[index]
            )
        }
        e => anyhow::Error::new(e).context(format!("series `{}`", s.id())),
    })
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

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterArg {
    Fco,
    Lppls,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelErrorArg {
    Mean,
    Max,
}

fn filter_of(f: FilterArg, rel: RelErrorArg) -> Filter {
    let base = match f {
        FilterArg::Fco => Filter::default(),
        FilterArg::Lppls => Filter::lppls_package(),
    };
    let rel_error = match rel {
        RelErrorArg::Mean => RelErrorAggregation::Mean,
        RelErrorArg::Max => RelErrorAggregation::Max,
    };
    Filter { rel_error, ..base }
}

/// `fissure bubble lppls` options.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LpplsOpts {
    pub end: Option<NaiveDate>,
    pub window: usize,
    pub starts: usize,
    pub screen: usize,
    pub seed: u64,
    pub filter: FilterArg,
    pub rel_error: RelErrorArg,
}

impl Default for LpplsOpts {
    fn default() -> Self {
        LpplsOpts {
            end: None,
            window: 500,
            starts: 8,
            screen: 96,
            seed: 0,
            filter: FilterArg::Fco,
            rel_error: RelErrorArg::Mean,
        }
    }
}

fn ordinal(d: NaiveDate) -> f64 {
    d.num_days_from_ce() as f64
}

fn from_ordinal(x: f64) -> Option<NaiveDate> {
    if x.is_finite() && x.abs() < 1e7 {
        NaiveDate::from_num_days_from_ce_opt(x.floor() as i32)
    } else {
        None
    }
}

#[pyfunction]
pub fn lppls(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || {
        let a: LpplsOpts = options(options_json)?;
        let s = match a.end {
            Some(e) => s.as_of(e),
            None => s,
        };
        if s.len() < a.window {
            bail!("series `{}` has {} observations up to the end date; the window needs {}", s.id(), s.len(), a.window);
        }
        let lo = s.len() - a.window;
        let t: Vec<f64> = s.dates()[lo..].iter().map(|d| ordinal(*d)).collect();
        let y = levels(&s, Transform::Log)?[lo..].to_vec();
        let opt = FitOptions { starts: a.starts, screen: a.screen, seed: a.seed, ..FitOptions::default() };
        let f = lppls_fit::fit(&t, &y, &opt).with_context(|| format!("LPPLS on `{}`", s.id()))?;
        let filter = filter_of(a.filter, a.rel_error);
        let q = filter.qualifies(&f, &t, &y);
        Ok(json!({
            "tc": from_ordinal(f.tc), "tc_days": f.tc, "m": f.m, "omega": f.omega, "a": f.a, "b": f.b, "c1": f.c1, "c2": f.c2,
            "sse": f.sse, "qualified": q, "oscillations": f.oscillations(filter.oscillation_divisor), "damping": f.damping(),
            "params": {"id": s.id(), "first": s.dates()[lo], "end": s.dates()[s.len() - 1], "window": a.window,
                        "starts": a.starts, "seed": a.seed, "search_space": opt.space, "filter": filter,
                        "time": "calendar days (proleptic Gregorian ordinal, 0001-01-01 = 1)"},
        }))
    })
}

/// `fissure bubble lppls-ci` options.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LpplsCiOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub every: usize,
    pub max_window: usize,
    pub min_window: usize,
    pub step: usize,
    pub starts: usize,
    pub screen: usize,
    pub seed: u64,
    pub filter: FilterArg,
    pub rel_error: RelErrorArg,
}

impl Default for LpplsCiOpts {
    fn default() -> Self {
        LpplsCiOpts {
            from: None,
            to: None,
            every: 1,
            max_window: 750,
            min_window: 125,
            step: 5,
            starts: 2,
            screen: 16,
            seed: 0,
            filter: FilterArg::Fco,
            rel_error: RelErrorArg::Mean,
        }
    }
}

/// The JSON of `fissure bubble lppls-ci --json`.
pub fn lppls_ci_json(s: &Series, a: &LpplsCiOpts) -> anyhow::Result<Value> {
    let t: Vec<f64> = s.dates().iter().map(|d| ordinal(*d)).collect();
    let y = levels(s, Transform::Log)?;
    let to = match a.to {
        Some(d) => {
            s.index_at_or_before(d).with_context(|| format!("no observation of `{}` on or before {d}", s.id()))?
        }
        None => s.len().checked_sub(1).with_context(|| format!("series `{}` is empty", s.id()))?,
    };
    let from = match a.from {
        Some(d) => s.dates().partition_point(|x| *x < d),
        None => to.saturating_sub(59),
    };
    if from > to {
        bail!("empty date range");
    }
    let ends: Vec<usize> = (from..=to).step_by(a.every.max(1)).collect();
    let cfg = CiConfig {
        max_window: a.max_window,
        min_window: a.min_window,
        step: a.step,
        filter: filter_of(a.filter, a.rel_error),
        starts: a.starts,
        screen: a.screen,
        seed: a.seed,
        ..CiConfig::default()
    };
    let pts =
        lppls_ci::indicator(&t, &y, &ends, &cfg, None).with_context(|| format!("LPPLS indicator on `{}`", s.id()))?;
    let q = |p: &lppls_ci::CiPoint, x: f64| p.tc_quantile(x).and_then(from_ordinal);
    let rows: Vec<Value> = pts
        .iter()
        .map(|p| {
            json!({"date": s.dates()[p.index], "pos_conf": p.pos_conf, "neg_conf": p.neg_conf, "windows": p.windows,
                   "qualified": p.tc_qualified.len(),
                   "tc_q10": q(p, 0.1), "tc_q50": q(p, 0.5), "tc_q90": q(p, 0.9)})
        })
        .collect();
    Ok(json!({"id": s.id(), "dates": rows, "params": {
        "windows": cfg.windows().len(), "max_window": cfg.max_window, "min_window": cfg.min_window, "step": cfg.step,
        "starts": cfg.starts, "seed": cfg.seed, "filter": cfg.filter, "search_space": cfg.space}}))
}

#[pyfunction]
pub fn lppls_confidence(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || lppls_ci_json(&s, &options(options_json)?))
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
