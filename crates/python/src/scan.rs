//! Universe scans: PSY on many series at once. Monte Carlo critical values depend only on the sample length
//! and the settings, so they are simulated once per distinct key and shared by every series of that length;
//! the series then run in parallel (rayon). The Dask engine (python/fissure/scan.py) calls the same three
//! functions: `psy_cv_keys` and `psy_cv` on the client's tasks, `psy_scan` per column partition.

use crate::bubble::{PsyOpts, PsyPlan};
use crate::common::{many, options, run, PySeries};
use fissure_bubble::cv::CriticalValues;
use pyo3::prelude::*;
use rayon::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// One row of the scan: the statistics, critical values, p-values and episodes of one series, or the reason
/// it was refused (`error`), never a silent drop.
fn row(plan: &PsyPlan, opts: &PsyOpts, cvs: Option<CriticalValues>) -> anyhow::Result<Value> {
    let out = plan.outcome(cvs)?;
    let (s, r) = (&plan.s, &out.radf);
    let dates = s.dates();
    let episodes = out.dated(dates);
    let last_ep = episodes.last();
    let level = plan.level;
    let c = out.cv.as_ref();
    let pv = |d: &[f64], v: f64| CriticalValues::p_value(d, v);
    Ok(json!({
        "id": s.id(), "n": plan.y.len(), "first": dates.first(), "last": dates.last(), "window_obs": plan.w,
        "adf": r.adf, "sadf": r.sadf, "gsadf": r.gsadf,
        "sadf_cv": c.map(|c| c.sadf[level]), "gsadf_cv": c.map(|c| c.gsadf[level]),
        "gsadf_cv90": c.map(|c| c.gsadf[0]), "gsadf_cv95": c.map(|c| c.gsadf[1]), "gsadf_cv99": c.map(|c| c.gsadf[2]),
        "p_adf": c.map(|c| pv(&c.adf_distr, r.adf)), "p_sadf": c.map(|c| pv(&c.sadf_distr, r.sadf)),
        "p_gsadf": c.map(|c| pv(&c.gsadf_distr, r.gsadf)),
        "explosive": c.map(|c| r.gsadf > c.gsadf[level]),
        "bsadf_last": r.bsadf.last(), "bsadf_cv_last": c.and_then(|c| c.bsadf.last().map(|v| v[level])),
        "episodes": c.map(|_| episodes.len()),
        "last_episode_start": last_ep.map(|e| e.start), "last_episode_peak": last_ep.map(|e| e.peak),
        "last_episode_end": last_ep.map(|e| e.end), "ongoing": c.map(|_| last_ep.is_some_and(|e| e.ongoing)),
        "level": opts.level, "error": null,
    }))
}

fn refused(id: &str, e: &anyhow::Error) -> Value {
    json!({"id": id, "error": format!("{e:#}")})
}

/// The shared-critical-value key of each series (`None`: nothing to share, or the series is refused).
#[pyfunction]
pub fn psy_cv_keys(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<Vec<Option<String>>> {
    let list = many(&series)?;
    let opts: PsyOpts = options(options_json).map_err(crate::common::py_err)?;
    Ok(py.detach(|| {
        list.par_iter().map(|s| PsyPlan::new(s, &opts).ok().and_then(|p| p.shared_cv_key())).collect::<Vec<_>>()
    }))
}

/// Monte Carlo critical values for the plan of `series` (JSON of `fissure_bubble::cv::CriticalValues`).
#[pyfunction]
pub fn psy_cv(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || {
        let opts: PsyOpts = options(options_json)?;
        let plan = PsyPlan::new(&s, &opts)?;
        Ok(serde_json::to_value(plan.critical_values()?)?)
    })
}

/// PSY on every series; `shared` maps keys (from `psy_cv_keys`) to critical values (from `psy_cv`). Missing
/// keys are simulated here, once each. Returns the rows as a JSON list.
#[pyfunction]
#[pyo3(signature = (series, options_json, shared=None))]
pub fn psy_scan(
    py: Python<'_>,
    series: Vec<PySeries<'_>>,
    options_json: &str,
    shared: Option<BTreeMap<String, String>>,
) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let opts: PsyOpts = options(options_json)?;
        let plans: Vec<anyhow::Result<PsyPlan>> = list.par_iter().map(|s| PsyPlan::new(s, &opts)).collect();
        let mut cache: BTreeMap<String, CriticalValues> = BTreeMap::new();
        for (k, v) in shared.unwrap_or_default() {
            let cv: CriticalValues =
                serde_json::from_str(&v).map_err(|e| anyhow::anyhow!("shared critical values for {k}: {e}"))?;
            cache.insert(k, cv);
        }
        // one simulation per missing key (each is parallel over its replications)
        let mut todo: BTreeMap<String, &PsyPlan> = BTreeMap::new();
        for p in plans.iter().flatten() {
            if let Some(k) = p.shared_cv_key() {
                if !cache.contains_key(&k) {
                    todo.entry(k).or_insert(p);
                }
            }
        }
        let mut failed: BTreeMap<String, String> = BTreeMap::new();
        for (k, p) in todo {
            match p.critical_values() {
                Ok(Some(cv)) => {
                    cache.insert(k, cv);
                }
                Ok(None) => {}
                Err(e) => {
                    failed.insert(k, format!("{e:#}"));
                }
            }
        }
        let rows: Vec<Value> = plans
            .par_iter()
            .zip(&list)
            .map(|(p, s)| {
                let p = match p {
                    Ok(p) => p,
                    Err(e) => return refused(s.id(), e),
                };
                let cvs = match p.shared_cv_key() {
                    Some(k) => match (cache.get(&k), failed.get(&k)) {
                        (Some(c), _) => Ok(Some(c.clone())),
                        (None, Some(msg)) => Err(anyhow::anyhow!("{msg}")),
                        (None, None) => Err(anyhow::anyhow!("no critical values for key {k}")),
                    },
                    None => p.critical_values(),
                };
                match cvs.and_then(|c| row(p, &opts, c)) {
                    Ok(v) => v,
                    Err(e) => refused(s.id(), &e),
                }
            })
            .collect();
        Ok(Value::Array(rows))
    })
}
