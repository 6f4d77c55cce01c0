//! Structure family: `concentration`, `rotation` (the JSON of `fissure structure … --json`).

use crate::common::{many, options, run, PySeries};
use anyhow::Context;
use chrono::NaiveDate;
use fissure_core::{CrossSection, CrossSectionRow};
use fissure_structure::concentration::{concentration_history, Concentration, ConcentrationConfig, MergeRule};
use fissure_structure::rotation::{default_ratios, scan, RatioSpec, RotationConfig};
use pyo3::prelude::*;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConcentrationOpts {
    pub field: String,
    pub sum_classes: bool,
    pub top: usize,
}

impl Default for ConcentrationOpts {
    fn default() -> Self {
        ConcentrationOpts { field: "market_cap_usd_bn".into(), sum_classes: false, top: 10 }
    }
}

/// Snapshots in long form: `(day number, symbol, name or None, value)` per row, grouped by date.
fn sections(
    field: &str,
    days: &[i64],
    symbols: Vec<String>,
    names: Vec<Option<String>>,
    values: &[f64],
) -> anyhow::Result<Vec<CrossSection>> {
    anyhow::ensure!(
        days.len() == symbols.len() && symbols.len() == names.len() && names.len() == values.len(),
        "snapshot columns have different lengths"
    );
    let mut by_date: BTreeMap<NaiveDate, Vec<CrossSectionRow>> = BTreeMap::new();
    for (((d, symbol), name), value) in days.iter().zip(symbols).zip(names).zip(values) {
        let date = crate::common::series("snapshots", &[*d], &[0.0])?.dates()[0];
        anyhow::ensure!(value.is_finite(), "snapshot {date}: value of `{symbol}` is not finite ({value})");
        by_date.entry(date).or_default().push(CrossSectionRow { symbol, name, value: *value });
    }
    Ok(by_date
        .into_iter()
        .map(|(date, rows)| CrossSection { id: "snapshots".into(), field: field.to_string(), date, rows })
        .collect())
}

#[pyfunction]
pub fn concentration(
    py: Python<'_>,
    days: numpy::PyReadonlyArray1<'_, i64>,
    symbols: Vec<String>,
    names: Vec<Option<String>>,
    values: numpy::PyReadonlyArray1<'_, f64>,
    options_json: &str,
) -> PyResult<String> {
    let a: ConcentrationOpts = options(options_json).map_err(crate::common::py_err)?;
    let secs = sections(
        &a.field,
        days.as_slice().map_err(|e| crate::common::py_err(e.into()))?,
        symbols,
        names,
        values.as_slice().map_err(|e| crate::common::py_err(e.into()))?,
    )
    .map_err(crate::common::py_err)?;
    run(py, move || {
        anyhow::ensure!(!secs.is_empty(), "no snapshot of field `{}`", a.field);
        let mut cfg = ConcentrationConfig::default();
        if a.sum_classes {
            cfg.merge = MergeRule::Sum;
        }
        if !cfg.top_k.contains(&a.top) {
            cfg.top_k.push(a.top);
        }
        let h = concentration_history(&secs, &cfg)?;
        let last = h.last().context("no snapshot")?;
        let snap = |c: &Concentration| {
            json!({
                "date": c.date, "total": c.total, "issuers": c.n_issuers, "rows": c.n_rows, "dropped": c.n_dropped,
                "top_k": c.top_k.iter().map(|(k, s)| json!({"k": k, "share": s})).collect::<Vec<_>>(),
                "hhi": c.hhi, "effective_n": c.effective_n, "group": c.group_name, "group_share": c.group_share,
                "group_found": c.group_found,
            })
        };
        Ok(json!({
            "latest": snap(last),
            "leaders": last.leaders.iter().take(a.top).map(|i| json!({"issuer": i.key, "symbols": i.symbols, "name": i.name, "value": i.value, "share": i.share})).collect::<Vec<_>>(),
            "history": h.iter().map(snap).collect::<Vec<_>>(),
            "merge_rule": cfg.merge,
        }))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RotationOpts {
    pub ratios: Vec<String>,
    pub momentum: usize,
    pub window: usize,
}

impl Default for RotationOpts {
    fn default() -> Self {
        RotationOpts { ratios: vec![], momentum: 63, window: 252 }
    }
}

#[pyfunction]
pub fn rotation(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let data: BTreeMap<String, fissure_core::Series> =
        many(&series)?.into_iter().map(|s| (s.id().to_string(), s)).collect();
    run(py, move || {
        let a: RotationOpts = options(options_json)?;
        let specs: Vec<RatioSpec> = if a.ratios.is_empty() {
            default_ratios()
        } else {
            a.ratios.iter().map(|s| RatioSpec::parse(s)).collect::<Result<_, _>>()?
        };
        let cfg = RotationConfig { momentum: a.momentum, window: a.window, ..Default::default() };
        Ok(fissure_structure::json::rotation(&scan(&data, &specs, &cfg), &cfg))
    })
}
