//! Times the speed case (10,000 paths × 250 days × 8 assets, every agent class) with wall and
//! CPU time, so that a figure measured on a busy machine can be read as CPU seconds per core.
//!
//! `cargo run -p fissure-spiral --example speed --release [-- PATHS STEPS ASSETS]`

use fissure_spiral::simulate;
use fissure_spiral::speed_case::speed_case;
use std::time::Instant;

#[path = "common/cpu.rs"]
mod cpu;
use cpu::cpu_seconds;

fn main() {
    let a: Vec<usize> = std::env::args().skip(1).filter_map(|x| x.parse().ok()).collect();
    let (paths, steps, k) =
        (a.first().copied().unwrap_or(10_000), a.get(1).copied().unwrap_or(250), a.get(2).copied().unwrap_or(8));
    let (cfg, m, sh) = speed_case(k, paths, steps).unwrap_or_else(|e| panic!("speed case: {e}"));
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
