//! What every wrapper shares: series in (numpy arrays of day numbers and values), options in (a JSON object
//! deserialised into a struct with the CLI's names and defaults), JSON out, errors as `ValueError`.

use anyhow::Context;
use chrono::NaiveDate;
use fissure_core::{Series, SeriesMeta};
use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01: numpy `datetime64[D]` counts from the Unix epoch.
pub const UNIX_EPOCH_CE: i64 = 719_163;

/// A series as Python hands it over: `(name, datetime64[D] as int64 days, float64 values)`. The arrays are
/// borrowed from numpy (no copy on the Python side); the library's `Series` owns one copy.
#[derive(FromPyObject)]
pub struct PySeries<'py>(pub String, pub PyReadonlyArray1<'py, i64>, pub PyReadonlyArray1<'py, f64>);

impl PySeries<'_> {
    pub fn to_series(&self) -> PyResult<Series> {
        let days = self.1.as_slice().map_err(|e| PyValueError::new_err(format!("series `{}`: {e}", self.0)))?;
        let values = self.2.as_slice().map_err(|e| PyValueError::new_err(format!("series `{}`: {e}", self.0)))?;
        series(&self.0, days, values).map_err(py_err)
    }
}

/// Builds a validated series (dates strictly increasing, values finite, as `fissure_core::Series::new`).
pub fn series(name: &str, days: &[i64], values: &[f64]) -> anyhow::Result<Series> {
    let dates = days
        .iter()
        .map(|d| {
            i32::try_from(d + UNIX_EPOCH_CE)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .with_context(|| format!("series `{name}`: day number {d} is not a date"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Series::new(SeriesMeta::new(name), dates, values.to_vec())?)
}

pub fn many(list: &[PySeries<'_>]) -> PyResult<Vec<Series>> {
    list.iter().map(PySeries::to_series).collect()
}

/// Options from a JSON object; unknown names and bad values are refused with serde's message.
pub fn options<T: DeserializeOwned>(json: &str) -> anyhow::Result<T> {
    serde_json::from_str(json).map_err(|e| anyhow::anyhow!("invalid option: {e}"))
}

/// A library error as Python's `ValueError`, with the whole context chain (as the CLI prints it).
pub fn py_err(e: anyhow::Error) -> PyErr {
    PyValueError::new_err(format!("{e:#}"))
}

/// Runs `f` with the GIL released and returns its JSON as a string.
pub fn run<F>(py: Python<'_>, f: F) -> PyResult<String>
where
    F: FnOnce() -> anyhow::Result<Value> + Send,
{
    py.detach(f).map(|v| v.to_string()).map_err(py_err)
}

/// The store a store-backed function reads: `path` opened read-only (as every CLI read command does), else the
/// bundled data ingested once per process into a temporary store (the CLI's `ingest --demo`).
pub fn store(path: Option<&std::path::Path>) -> anyhow::Result<fissure_io::Store> {
    use std::sync::OnceLock;
    static DEMO: OnceLock<Result<(tempfile::TempDir, std::path::PathBuf), String>> = OnceLock::new();
    if let Some(p) = path {
        return Ok(fissure_io::Store::open_read_only(p)?);
    }
    let demo = DEMO.get_or_init(|| {
        let make = || -> anyhow::Result<(tempfile::TempDir, std::path::PathBuf)> {
            let dir = tempfile::tempdir().context("creating a temporary store")?;
            let p = dir.path().join("store.sqlite");
            let mut s = fissure_io::Store::open(&p).with_context(|| format!("opening the store {}", p.display()))?;
            fissure_app::ingest_demo(&mut s, "python: bundled demo data")?;
            Ok((dir, p))
        };
        make().map_err(|e| format!("{e:#}"))
    });
    match demo {
        Ok((_, p)) => Ok(fissure_io::Store::open_read_only(p)?),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}
