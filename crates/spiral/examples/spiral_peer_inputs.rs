//! Writes the inputs of `tools/bench/spiral_peer.py` (the NumPy peer of the simulator) and times
//! the Rust side of `tools/bench/spiral.sh` on the same case: the speed case of
//! `examples/speed.rs` (synthetic market, `SpiralConfig::synthetic`, every agent class, shock A0 = −5%).
//!
//! Written to `$FISSURE_BENCH_DIR` (default /tmp/fissure-spiral-bench):
//! - `model.json`: the resolved model (`engine::Model::new`) — agents with their rules and parameters
//!   (asset indices), per-asset arrays of the market, impact law and constants, rounds, steps, loss
//!   weights, shock moves, `ORDER_TOL`, `PRICE_FLOOR`; non-finite numbers are written as strings;
//! - `z.bin`: the standard-normal draws of every path, paths × steps × K f64 little-endian, drawn from
//!   `fissure_stats::rng::stream(seed, path)` in the engine's order (K per day, asset order);
//! - `amp.bin` (paths f64) and `p_final.bin` (paths × K f64): each path's amplification and final
//!   prices with agents from `engine::run_path` (untimed pass), for the agreement check.
//!
//! Then times `simulate` (best of N runs, wall, and CPU seconds of the process as in speed.rs) and
//! prints `spiral_{P}x{T}x{K} seconds amp_median=… amp_mean=… final_mean_A0=… cpu=…`.
//!
//! `cargo run --release -p fissure-spiral --example spiral_peer_inputs [-- PATHS STEPS ASSETS [N]] [--timing-only]`
//! (default 10000 250 8, N = 3; `--timing-only` skips writing the inputs, e.g. on later rounds of the bench).

use fissure_spiral::config::{Exogenous, ImpactModel};
use fissure_spiral::engine::{self, Model, Recorder, Rule, Work, ORDER_TOL, PRICE_FLOOR};
use fissure_spiral::montecarlo::Quantiles;
use fissure_spiral::speed_case::speed_case;
use fissure_spiral::{simulate, Market, Shock, SpiralConfig};
use rand::Rng as _;
use rand_distr::StandardNormal;
use serde_json::{json, Value};
use std::io::Write;
use std::time::Instant;

#[path = "common/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

/// A number as JSON; non-finite values (which JSON cannot hold) as "inf", "-inf", "nan".
fn num(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else if x.is_nan() {
        json!("nan")
    } else if x > 0.0 {
        json!("inf")
    } else {
        json!("-inf")
    }
}

fn nums(x: &[f64]) -> Value {
    Value::Array(x.iter().map(|v| num(*v)).collect())
}

fn write_f64(path: &std::path::Path, x: &[f64]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("bench file"));
    for v in x {
        f.write_all(&v.to_le_bytes()).expect("write");
    }
}

fn rule_json(rule: &Rule) -> Value {
    match rule {
        Rule::Cta { lookbacks, w, vol_daily, speed, max_gross, stops, cooldown } => json!({
            "rule": "cta", "lookbacks": lookbacks, "w": nums(w), "vol_daily": num(*vol_daily),
            "speed": num(*speed), "max_gross": num(*max_gross), "cooldown": cooldown,
            "stops": stops.iter().map(|&(j, level, cut, long, slot)| json!({
                "asset": j, "level": num(level), "cut": num(cut), "long": long, "slot": slot
            })).collect::<Vec<_>>(),
        }),
        Rule::VolTarget { w, target_daily, max_leverage, speed } => json!({
            "rule": "vol_target", "w": nums(w), "target_daily": num(*target_daily),
            "max_leverage": num(*max_leverage), "speed": num(*speed),
        }),
        Rule::Margin { z_sqrt_h, floors, w, utilisation, relever_speed } => json!({
            "rule": "margin", "z_sqrt_h": num(*z_sqrt_h), "floors": nums(floors), "w": nums(w),
            "utilisation": num(*utilisation), "relever_speed": num(*relever_speed),
        }),
        Rule::Carry { funding, trigger, ramp, window, boj_sensitivity, done0, reentry_speed, full_units } => json!({
            "rule": "carry", "funding": funding, "trigger": num(*trigger), "ramp": num(*ramp), "window": window,
            "boj_sensitivity": num(*boj_sensitivity), "done0": num(*done0), "reentry_speed": num(*reentry_speed),
            "full_units": nums(full_units),
        }),
        Rule::Liquidity { w, aggressiveness, capital, depth_share } => json!({
            "rule": "liquidity", "w": nums(w), "aggressiveness": num(*aggressiveness), "capital": num(*capital),
            "depth_share": num(*depth_share),
        }),
        Rule::Leverage { b } => json!({ "rule": "leverage", "b": num(*b) }),
    }
}

fn model_json(cfg: &SpiralConfig, model: &Model, m: &Market, sh: &Shock) -> Value {
    let agents: Vec<Value> = model
        .agents
        .iter()
        .map(|a| {
            json!({
                "name": a.name, "class": a.class.as_str(), "class_index": a.class.index(),
                "init_value": nums(&a.init_value), "init_equity": num(a.init_equity), "params": rule_json(&a.rule),
            })
        })
        .collect();
    json!({
        "paths": cfg.simulation.paths,
        "seed": cfg.simulation.seed,
        "k": model.k,
        "ids": m.ids,
        "steps": model.steps,
        "rounds": model.rounds,
        "exogenous": match model.exogenous { Exogenous::Gaussian => "gaussian", Exogenous::Bootstrap => "bootstrap", Exogenous::None => "none" },
        "lambda": num(model.lambda),
        "impact": match model.impact { ImpactModel::Sqrt => "sqrt", ImpactModel::Linear => "linear", ImpactModel::Exponential => "exponential" },
        "y": num(model.y),
        "cs_c": num(model.cs_c),
        "cs_tau": num(model.cs_tau),
        "state_sigma": model.state_sigma,
        "sigma_cap": num(model.sigma_cap),
        "loss_weights": nums(&model.loss_weights),
        "shock_loss": num(model.shock_loss),
        "shock_moves": nums(&sh.moves),
        "shock_boj": num(sh.boj),
        "caps": nums(&model.caps),
        "depth_providers": model.depth_providers,
        "stops": model.stops,
        "n_classes": fissure_spiral::AgentClass::ALL.len(),
        "order_tol": num(ORDER_TOL),
        "price_floor": num(PRICE_FLOOR),
        "market": {
            "price0": nums(&m.price0),
            "sigma_window": nums(&m.sigma_window),
            "sigma_ewma": nums(&m.sigma_ewma),
            "adv": nums(&m.adv),
            "corr": nums(&m.corr),
            "chol": nums(&m.chol),
            "noise_scale": nums(&m.noise_scale),
            "history_len": m.history_len,
            "history": nums(&m.history),
        },
        "agents": agents,
    })
}

fn main() {
    let a: Vec<usize> = std::env::args().skip(1).filter_map(|x| x.parse().ok()).collect();
    let (paths, steps, k) =
        (a.first().copied().unwrap_or(10_000), a.get(1).copied().unwrap_or(250), a.get(2).copied().unwrap_or(8));
    let n_runs = a.get(3).copied().unwrap_or(3).max(1);
    let write_inputs = !std::env::args().any(|x| x == "--timing-only");
    let dir = std::path::PathBuf::from(
        std::env::var("FISSURE_BENCH_DIR").unwrap_or_else(|_| "/tmp/fissure-spiral-bench".into()),
    );

    // Exactly the case of examples/speed.rs.
    let (cfg, m, sh) = speed_case(k, paths, steps).unwrap_or_else(|e| panic!("speed case: {e}"));
    let model = Model::new(&cfg, &m, &sh);
    assert_eq!(model.exogenous, Exogenous::Gaussian, "the peer ports the Gaussian noise only");

    let amp = if write_inputs { Some(write_peer_inputs(&dir, &cfg, &model, &m, &sh)) } else { None };

    // Timing of the simulator itself.
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut r = None;
    for _ in 0..n_runs {
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let out = simulate(&cfg, &m, &sh);
        let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
        if wall < best {
            best = wall;
            best_cpu = cpu;
        }
        r = Some(out);
    }
    let r = r.expect("n_runs > 0");
    let q = r.amplification.expect("finite amplification");
    if let Some(mut amp) = amp {
        // The engine pass of the inputs is the same computation as simulate's paths.
        assert_eq!(Quantiles::of(&mut amp), Some(q), "run_path pass differs from simulate");
    }
    println!(
        "spiral_{paths}x{steps}x{k} {best:.6} amp_median={:.12} amp_mean={:.12} final_mean_A0={:.12} cpu={best_cpu:.2} threads={}",
        q.median,
        q.mean,
        r.returns[0].with_agents.mean,
        rayon::current_num_threads()
    );
}

/// Writes model.json, z.bin, amp.bin and p_final.bin; returns the per-path amplifications.
fn write_peer_inputs(dir: &std::path::Path, cfg: &SpiralConfig, model: &Model, m: &Market, sh: &Shock) -> Vec<f64> {
    std::fs::create_dir_all(dir).expect("bench dir");
    let (paths, steps, k) = (cfg.simulation.paths, model.steps, model.k);
    let text = serde_json::to_string(&model_json(cfg, model, m, sh)).expect("model json");
    std::fs::write(dir.join("model.json"), text).expect("model.json");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("z.bin")).expect("z.bin"));
        for i in 0..paths {
            // The draws of run_path: K standard normals per day, from the path's stream.
            let mut rng = fissure_stats::rng::stream(cfg.simulation.seed, i as u64);
            for _ in 0..steps * k {
                let z: f64 = rng.sample(StandardNormal);
                f.write_all(&z.to_le_bytes()).expect("write z");
            }
        }
    }
    // Per-path results of the engine (what simulate computes for path i), for the agreement check.
    let mut amp = vec![0.0; paths];
    let mut p_final = vec![0.0; paths * k];
    let mut work = Work::new(model, m);
    let days = [steps];
    let (mut rw, mut rf) = (vec![0.0; k], vec![0.0; k]);
    for i in 0..paths {
        let mut rng = fissure_stats::rng::stream(cfg.simulation.seed, i as u64);
        let mut rec = Recorder { days: &days, with_agents: &mut rw, without_agents: &mut rf, daily: None };
        amp[i] = engine::run_path(model, m, sh, &mut rng, &mut work, &mut rec);
        p_final[i * k..(i + 1) * k].copy_from_slice(engine::final_prices(&work).0);
    }
    write_f64(&dir.join("amp.bin"), &amp);
    write_f64(&dir.join("p_final.bin"), &p_final);
    amp
}
