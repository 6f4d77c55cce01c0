//! Replays of real days (`config/replays.toml`): the state at the previous close,
//! the day's exogenous inputs, one simulated day with the agents (no noise), and the
//! comparison with what the market did.

use crate::config::{AgentClass, Exogenous, SpiralConfig};
use crate::engine::{run_path, Model, Recorder, Work};
use crate::market::Market;
use crate::shock::{parse_spec, Shock};
use crate::{Result, SpiralError};
use chrono::NaiveDate;
use fissure_core::Series;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The bundled replay definitions.
pub const REPLAYS_TOML: &str = include_str!("../config/replays.toml");

/// One replayable day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayDef {
    pub date: NaiveDate,
    pub title: String,
    /// Magnitudes must agree within this factor.
    pub factor: f64,
    /// A real move below this (absolute) counts as flat.
    pub flat: f64,
    /// A flat asset's simulated move must stay below this.
    pub flat_tolerance: f64,
    /// Exogenous inputs, `ASSET=MOVE`.
    pub exogenous: Vec<String>,
    pub rationale: String,
}

#[derive(Debug, Deserialize)]
struct ReplayFile {
    replay: Vec<ReplayDef>,
}

/// The bundled replays.
pub fn bundled() -> Vec<ReplayDef> {
    // The bundled file is tested; a parse failure is a build defect.
    toml::from_str::<ReplayFile>(REPLAYS_TOML).expect("bundled config/replays.toml is valid").replay
}

/// One asset of a replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayAsset {
    pub id: String,
    /// Simulated day's return with the agents.
    pub simulated: f64,
    /// The exogenous input alone (the no-agent counterfactual).
    pub exogenous: f64,
    /// The real day's return (None when the data lack the day).
    pub actual: Option<f64>,
    /// The real move was below `flat`.
    pub flat: bool,
    /// Signs agree (flat assets: the simulated move stays below `flat_tolerance`).
    pub ok_sign: Option<bool>,
    /// max(|sim|/|actual|, |actual|/|sim|) for non-flat assets.
    pub factor: Option<f64>,
}

/// A replay's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayResult {
    pub date: NaiveDate,
    pub previous_date: NaiveDate,
    pub title: String,
    pub rationale: String,
    pub exogenous: Vec<String>,
    pub factor_bound: f64,
    pub assets: Vec<ReplayAsset>,
    pub all_signs_match: bool,
    /// Largest factor over non-flat assets.
    pub max_factor: f64,
    pub within_factor: bool,
    /// Net sales per agent class (US$ bn, + = sold).
    pub flows: Vec<(AgentClass, f64)>,
    pub forced_sales: f64,
    pub stop_triggers: u32,
    /// Assets without the real day in the data.
    pub missing: Vec<String>,
}

/// Finds a bundled replay by date.
pub fn find(date: NaiveDate) -> Result<ReplayDef> {
    let all = bundled();
    let list = all.iter().map(|r| r.date.to_string()).collect::<Vec<_>>().join(", ");
    all.into_iter().find(|r| r.date == date).ok_or_else(|| SpiralError::Replay {
        date: date.to_string(),
        msg: format!("no replay defined for this date (bundled: {list}; add one to config/replays.toml)"),
    })
}

/// Runs a replay: market as of the last common date before `def.date`, one day,
/// exogenous inputs only (no noise, no propagation), `cfg`'s agents.
pub fn run(def: &ReplayDef, series: &BTreeMap<String, Series>, cfg: &SpiralConfig) -> Result<ReplayResult> {
    let mut cfg = cfg.clone();
    cfg.simulation.steps = 1;
    cfg.simulation.paths = 1;
    cfg.simulation.exogenous = Exogenous::None;
    cfg.simulation.propagate_shock = false;
    let err = |msg: String| SpiralError::Replay { date: def.date.to_string(), msg };
    let prev = def.date.pred_opt().ok_or_else(|| err("no previous day".into()))?;
    let market = Market::estimate(series, &cfg, Some(prev))?;
    let specs = def.exogenous.iter().map(|s| parse_spec(s)).collect::<Result<Vec<_>>>()?;
    let shock = Shock::resolve(&specs, &market)?;
    let model = Model::new(&cfg, &market, &shock);
    let k = market.k();
    let mut work = Work::new(&model, &market);
    let mut rng = fissure_stats::rng::stream(cfg.simulation.seed, 0);
    let (mut rw, mut rf) = (vec![0.0; k], vec![0.0; k]);
    let days = [1usize];
    let mut rec = Recorder { days: &days, with_agents: &mut rw, without_agents: &mut rf, daily: None };
    run_path(&model, &market, &shock, &mut rng, &mut work, &mut rec);
    let mut assets = Vec::with_capacity(k);
    let mut missing = Vec::new();
    for j in 0..k {
        let id = &market.ids[j];
        let actual = series.get(id).and_then(|s| {
            let p1 = s.value_on(def.date)?;
            let p0 = s.value_on(market.start_date)?;
            Some(p1 / p0 - 1.0)
        });
        if actual.is_none() {
            missing.push(id.clone());
        }
        let sim = rw[j];
        let (flat, ok_sign, factor) = match actual {
            None => (false, None, None),
            Some(a) if a.abs() < def.flat => (true, Some(sim.abs() < def.flat_tolerance), None),
            Some(a) => {
                let f = if sim == 0.0 { f64::INFINITY } else { (sim / a).abs().max((a / sim).abs()) };
                (false, Some(sim.signum() == a.signum() && sim != 0.0), Some(f))
            }
        };
        assets.push(ReplayAsset { id: id.clone(), simulated: sim, exogenous: rf[j], actual, flat, ok_sign, factor });
    }
    let all_signs_match = assets.iter().all(|a| a.ok_sign != Some(false));
    let max_factor = assets.iter().filter_map(|a| a.factor).fold(1.0, f64::max);
    let flows = AgentClass::ALL
        .iter()
        .filter(|c| model.agents.iter().any(|a| a.class == **c))
        .map(|c| (*c, -work.flows[c.index() * k..(c.index() + 1) * k].iter().sum::<f64>()))
        .collect();
    Ok(ReplayResult {
        date: def.date,
        previous_date: market.start_date,
        title: def.title.clone(),
        rationale: def.rationale.clone(),
        exogenous: def.exogenous.clone(),
        factor_bound: def.factor,
        within_factor: max_factor <= def.factor,
        assets,
        all_signs_match,
        max_factor,
        flows,
        forced_sales: work.forced_sales,
        stop_triggers: work.stop_triggers,
        missing,
    })
}
