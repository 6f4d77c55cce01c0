//! Liquidity family and regimes: `stress_index`, `carry`, `markov` (the JSON of `fissure liquidity index|carry`
//! and `fissure regime markov`). Roles and baskets come from the watchlist (`config`, default: the embedded one).

use crate::common::{many, options, run, PySeries};
use anyhow::Context;
use chrono::NaiveDate;
use fissure_core::Series;
use fissure_io::Watchlist;
use fissure_liquidity::carry::{basket_betas, baskets_named, betas_json, carry_unwind, CarryConfig};
use fissure_liquidity::markov::{markov_json, observations, FitOptions, MarkovSwitching, MsSpec};
use fissure_liquidity::stress::{benchmark_correlations, stress_index as stress_fn, stress_json};
use pyo3::prelude::*;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn watchlist(config: &Option<PathBuf>) -> anyhow::Result<Watchlist> {
    match config {
        Some(p) => Watchlist::from_file(p).with_context(|| format!("reading the watchlist {}", p.display())),
        None => Ok(Watchlist::embedded()),
    }
}

fn role(w: &Watchlist, name: &str, default: &str) -> String {
    w.role(name).map(str::to_string).unwrap_or_else(|| default.to_string())
}

fn by_id(list: Vec<Series>) -> BTreeMap<String, Series> {
    list.into_iter().map(|s| (s.id().to_string(), s)).collect()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexOpts {
    pub only: Vec<String>,
    pub min_weeks: usize,
    pub config: Option<PathBuf>,
}

impl Default for IndexOpts {
    fn default() -> Self {
        IndexOpts { only: vec![], min_weeks: 104, config: None }
    }
}

#[pyfunction]
pub fn stress_index(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let data = by_id(many(&series)?);
    run(py, move || {
        let a: IndexOpts = options(options_json)?;
        let w = watchlist(&a.config)?;
        let mut cfg = fissure_liquidity::signals::stress_config_with_roles(&w.roles);
        cfg.min_obs = a.min_weeks;
        cfg.restrict_to(&a.only).context("only")?;
        let (st_id, nf_id) = (role(&w, "stlfsi", "STLFSI4"), role(&w, "nfci", "NFCI"));
        let idx = stress_fn(&data, &cfg).context("building the stress index")?;
        Ok(stress_json(&idx, &cfg, &benchmark_correlations(&idx, &data, &[st_id, nf_id])))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CarryOpts {
    pub baskets: Vec<String>,
    pub window: usize,
    pub horizon: usize,
    pub threshold: f64,
    pub config: Option<PathBuf>,
}

impl Default for CarryOpts {
    fn default() -> Self {
        CarryOpts { baskets: vec![], window: 126, horizon: 5, threshold: 2.0, config: None }
    }
}

#[pyfunction]
pub fn carry(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let data = by_id(many(&series)?);
    run(py, move || {
        let a: CarryOpts = options(options_json)?;
        let w = watchlist(&a.config)?;
        let cfg = CarryConfig { window: a.window, horizon: a.horizon, threshold: a.threshold, ..Default::default() };
        let baskets = baskets_named(&a.baskets, |n| w.basket_weights(n));
        let (cal, y10, jpy, vix) = (
            role(&w, "equity_index", "SPX"),
            role(&w, "us10y", "US10Y"),
            role(&w, "usdjpy", "USDJPY"),
            role(&w, "vix", "VIX"),
        );
        let bb = basket_betas(&data, &baskets, &cal, &y10, &jpy, &cfg).context("rolling betas")?;
        let cu = carry_unwind(&data, &cal, &jpy, &vix, &cfg).context("carry-unwind indicator")?;
        let i = cu.score.len().saturating_sub(1);
        Ok(json!({
            "indicator": {"date": cu.dates.get(i), "value": cu.score.get(i), "z_yen": cu.z_yen.get(i), "z_vix": cu.z_vol.get(i)},
            "series": cu.dates.iter().enumerate().map(|(k, d)| json!({"date": d, "value": cu.score[k], "z_yen": cu.z_yen[k], "z_vix": cu.z_vol[k]})).collect::<Vec<_>>(),
            "episodes": cu.episodes,
            "betas": betas_json(&bb),
            "config": cfg,
        }))
    })
}

pub use fissure_liquidity::markov::MsReturns as ReturnsArg;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarkovOpts {
    pub k: usize,
    pub order: usize,
    pub switching_variance: bool,
    pub switching_ar: bool,
    pub returns: Option<ReturnsArg>,
    pub scale: f64,
    pub weekly: bool,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub starts: usize,
    pub seed: u64,
}

impl Default for MarkovOpts {
    fn default() -> Self {
        MarkovOpts {
            k: 2,
            order: 0,
            switching_variance: false,
            switching_ar: false,
            returns: None,
            scale: 1.0,
            weekly: false,
            from: None,
            to: None,
            starts: 3,
            seed: 20_240_805,
        }
    }
}

#[pyfunction]
pub fn markov(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || {
        let a: MarkovOpts = options(options_json)?;
        let raw = s.slice(a.from, a.to);
        let (s, y) = observations(&raw, a.weekly, a.returns, a.scale)
            .with_context(|| format!("observations of {}", raw.id()))?;
        let spec = MsSpec::switching_intercept(a.k, a.order, a.switching_ar, a.switching_variance);
        let m = MarkovSwitching::with_constant(&y, spec.clone()).with_context(|| format!("model of {}", s.id()))?;
        let fit = m
            .fit(&FitOptions { random_starts: a.starts, seed: a.seed, ..Default::default() })
            .with_context(|| format!("fitting {}", s.id()))?;
        Ok(markov_json(&s, m.nobs(), &spec, a.returns, a.scale, &fit))
    })
}
