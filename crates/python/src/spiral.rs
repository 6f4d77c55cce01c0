//! Spiral family: `simulate_spiral`, `simulate_replay` (the JSON of `fissure simulate spiral|replay --json`,
//! built by `fissure_spiral::json`). The market state is estimated from the store's series (default: the
//! bundled data), as the CLI does.

use crate::common::{options, run, store};
use anyhow::Context;
use chrono::NaiveDate;
use fissure_core::Series;
use fissure_spiral::config::{Exogenous, ImpactModel};
use fissure_spiral::{json, parse_spec, replay, simulate_maybe_baseline, AgentClass, Market, Shock, SpiralConfig};
use pyo3::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The CLI's `AgentsArgs` plus the store.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpiralOpts {
    pub shock: Option<Vec<String>>,
    pub agents: Option<PathBuf>,
    pub no_agents: Vec<String>,
    pub as_of: Option<NaiveDate>,
    pub paths: Option<u32>,
    pub steps: Option<u32>,
    pub seed: Option<u64>,
    pub exogenous: Option<Exogenous>,
    pub impact: Option<ImpactModel>,
    pub no_propagation: bool,
    /// Skip the no-shock run behind `baseline` (as the CLI's --no-baseline).
    pub no_baseline: bool,
    pub store: Option<PathBuf>,
    /// `simulate_replay` only: the day to replay.
    pub date: Option<NaiveDate>,
}

/// The configuration with `agents` and `no_agents` applied; returns the removed classes (as the CLI).
fn load_config(a: &SpiralOpts) -> anyhow::Result<(SpiralConfig, Vec<AgentClass>)> {
    let mut cfg = SpiralConfig::load(a.agents.as_deref())?;
    let removed = AgentClass::parse_list(&a.no_agents).context("no_agents")?;
    cfg.without(&removed);
    Ok((cfg, removed))
}

fn load_series(a: &SpiralOpts, cfg: &SpiralConfig) -> anyhow::Result<BTreeMap<String, Series>> {
    let s = store(a.store.as_deref())?;
    let mut out = BTreeMap::new();
    for id in cfg.series_needed() {
        let x = s.load(&id, None).with_context(|| format!("series `{id}`: the simulator's parameter file names it"))?;
        out.insert(id, x);
    }
    Ok(out)
}

#[pyfunction]
pub fn simulate_spiral(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let a: SpiralOpts = options(options_json)?;
        anyhow::ensure!(a.date.is_none(), "date= is for simulate_replay");
        let (mut cfg, removed) = load_config(&a)?;
        if let Some(p) = a.paths {
            anyhow::ensure!((1..=1_000_000).contains(&p), "paths: {p} is not in 1..=1000000");
            cfg.simulation.paths = p as usize;
        }
        if let Some(s) = a.steps {
            anyhow::ensure!((1..=5000).contains(&s), "steps: {s} is not in 1..=5000");
            cfg.simulation.steps = s as usize;
        }
        if let Some(s) = a.seed {
            cfg.simulation.seed = s;
        }
        if let Some(e) = a.exogenous {
            cfg.simulation.exogenous = e;
        }
        if let Some(i) = a.impact {
            cfg.impact.model = i;
        }
        if a.no_propagation {
            cfg.simulation.propagate_shock = false;
        }
        cfg.validate()?;
        let series = load_series(&a, &cfg)?;
        let market = Market::estimate(&series, &cfg, a.as_of).context("estimating the market from the store")?;
        let shocks = a.shock.clone().unwrap_or_else(|| vec!["SPX=-0.05".into()]);
        let specs = shocks.iter().map(|s| parse_spec(s)).collect::<Result<Vec<_>, _>>()?;
        let shock = Shock::build(&specs, &market, &cfg)?;
        let (res, base) = simulate_maybe_baseline(&cfg, &market, &shock, !a.no_baseline);
        Ok(json::spiral(&res, &market, &cfg, &removed, base.as_ref()))
    })
}

#[pyfunction]
pub fn simulate_replay(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let a: SpiralOpts = options(options_json)?;
        anyhow::ensure!(a.as_of.is_none(), "as_of does not apply to a replay (the state is the previous close)");
        anyhow::ensure!(
            a.shock.is_none() && a.paths.is_none() && a.steps.is_none() && a.seed.is_none() && !a.no_baseline,
            "shock, paths, steps, seed and no_baseline are for simulate_spiral"
        );
        let date = a.date.context("simulate_replay needs the date to replay")?;
        let (cfg, removed) = load_config(&a)?;
        let def = replay::find(date)?;
        let series = load_series(&a, &cfg)?;
        let r = replay::run(&def, &series, &cfg)?;
        Ok(json::replay(&r, &removed))
    })
}
