//! Times the speed case (10,000 paths × 250 days × 8 assets, every agent class) with wall and
//! CPU time, so that a figure measured on a busy machine can be read as CPU seconds per core.
//!
//! `cargo run -p fissure-spiral --example speed --release [-- PATHS STEPS ASSETS]`

use chrono::NaiveDate;
use fissure_spiral::{parse_spec, simulate, Market, Shock, SpiralConfig};
use std::time::Instant;

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (100 per second on Linux).
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn main() {
    let a: Vec<usize> = std::env::args().skip(1).filter_map(|x| x.parse().ok()).collect();
    let (paths, steps, k) =
        (a.first().copied().unwrap_or(10_000), a.get(1).copied().unwrap_or(250), a.get(2).copied().unwrap_or(8));
    let ids: Vec<String> = (0..k).map(|i| format!("A{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut cfg = SpiralConfig::synthetic(&refs, 100.0);
    cfg.simulation.paths = paths;
    cfg.simulation.steps = steps;
    let m =
        Market::synthetic(&refs, 0.012, 0.4, 100.0, cfg.history_needed(), NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
    let sh = Shock::resolve(&[parse_spec("A0=-0.05").unwrap()], &m).unwrap();
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let r = simulate(&cfg, &m, &sh);
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
    println!(
        "{paths} paths × {steps} days × {k} assets, {} agent populations, {} threads: wall {wall:.2} s, CPU {cpu:.2} s ({:.2} µs CPU per path-day); amplification median {:.3}",
        cfg.agent_count(),
        rayon::current_num_threads(),
        1e6 * cpu / (paths * steps) as f64,
        r.amplification.map_or(f64::NAN, |q| q.median)
    );
}
