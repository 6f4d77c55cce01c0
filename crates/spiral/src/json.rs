//! The `--json` documents of `fissure simulate`, built in one place for every caller (the CLI, the Python
//! package); the keys are documented in docs/spiral.md.

use crate::montecarlo::Quantiles;
use crate::replay::ReplayResult;
use crate::{AgentClass, Baseline, Market, SimulationResult, SpiralConfig};
use serde_json::{json, Map, Value};

/// Quantiles across paths.
pub fn quantiles(q: &Quantiles) -> Value {
    json!({"median": q.median, "p05": q.p05, "p25": q.p25, "p75": q.p75, "p95": q.p95, "mean": q.mean})
}

fn removed_names(removed: &[AgentClass]) -> Vec<&'static str> {
    removed.iter().map(|c| c.as_str()).collect()
}

/// `simulate spiral`: amplification, returns with bands by day, flows by agent class, forced sales, margin
/// calls, stop triggers, the parameters (the market as estimated, the configuration, the agents removed),
/// and the no-shock `baseline` with the net amplification when it was run (else null).
pub fn spiral(
    res: &SimulationResult,
    market: &Market,
    cfg: &SpiralConfig,
    removed: &[AgentClass],
    baseline: Option<&Baseline>,
) -> Value {
    let q_json = quantiles;
    let mut returns = Map::new();
    for r in &res.returns {
        let bands: Vec<Value> = r
            .bands
            .iter()
            .map(|b| {
                json!({"day": b.day, "date": b.date, "median": b.with_agents.median, "p05": b.with_agents.p05,
                       "p25": b.with_agents.p25, "p75": b.with_agents.p75, "p95": b.with_agents.p95,
                       "without_agents_median": b.without_agents.median})
            })
            .collect();
        returns.insert(
            r.id.clone(),
            json!({"median": r.with_agents.median, "p05": r.with_agents.p05, "p25": r.with_agents.p25,
                   "p75": r.with_agents.p75, "p95": r.with_agents.p95,
                   "without_agents": q_json(&r.without_agents), "endogenous": q_json(&r.endogenous), "bands": bands}),
        );
    }
    let mut flows = Map::new();
    for f in &res.flows {
        let by: Map<String, Value> = f.net_sales_by_asset.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        flows.insert(
            f.class.as_str().to_string(),
            json!({"net_sales": q_json(&f.net_sales), "net_sales_by_asset": by, "populations": f.names}),
        );
    }
    let amplification = match &res.amplification {
        Some(q) => {
            let mut v = q_json(q);
            v["of_means"] = json!(res.amplification_of_means);
            v
        }
        None => Value::Null,
    };
    let market_json: Vec<Value> = (0..market.k())
        .map(|j| {
            json!({"id": market.ids[j], "price0": market.price0[j], "sigma_ewma": market.sigma_ewma[j],
                   "sigma_window": market.sigma_window[j], "adv_usd_bn": market.adv[j], "adv_note": market.adv_notes[j]})
        })
        .collect();
    let baseline = baseline.map(|b| {
        let endo: Map<String, Value> =
            b.endogenous.iter().map(|(id, q)| (id.clone(), q.as_ref().map_or(Value::Null, q_json))).collect();
        json!({"amplification_net": b.amplification_net.as_ref().map(q_json), "endogenous": endo,
               "forced_sales": b.forced_sales.as_ref().map(q_json), "margin_call_share": b.margin_call_share})
    });
    json!({
        "amplification": amplification,
        "amplification_note": res.amplification_note,
        "baseline": baseline,
        "returns": returns,
        "flows": flows,
        "forced_sales": q_json(&res.forced_sales),
        "margin_calls": {"days": q_json(&res.margin_call_days), "share_of_paths": res.margin_call_share},
        "stop_triggers": q_json(&res.stop_triggers),
        "floor_hit_paths": res.floor_hit_paths,
        "impact_bound_paths": res.impact_bound_paths,
        "start_date": res.start_date,
        "params": {
            "paths": res.paths, "steps": res.steps, "seed": res.seed,
            "shock": res.shock, "loss_weights": res.loss_weights,
            "agents_removed": removed_names(removed),
            "market": market_json, "window_obs": market.window_obs,
            "config": cfg,
        },
    })
}

/// `simulate replay`: the replayed day against what the market did.
pub fn replay(r: &ReplayResult, removed: &[AgentClass]) -> Value {
    json!({
        "date": r.date, "previous_date": r.previous_date, "title": r.title, "rationale": r.rationale,
        "exogenous": r.exogenous, "factor_bound": r.factor_bound, "all_signs_match": r.all_signs_match,
        "max_factor": r.max_factor, "within_factor": r.within_factor, "assets": r.assets,
        "flows": r.flows.iter().map(|(c, v)| (c.as_str().to_string(), json!(v))).collect::<Map<_, _>>(),
        "forced_sales": r.forced_sales, "stop_triggers": r.stop_triggers, "missing": r.missing,
        "agents_removed": removed_names(removed),
    })
}
