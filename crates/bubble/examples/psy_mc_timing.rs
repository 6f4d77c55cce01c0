//! Times the lag-0 PSY kernels alone: the BSADF path of seeded random walks and the Monte Carlo critical values
//! (pointwise BSADF rule, as `fissure.scan` uses) at one sample size. Prints one JSON line with wall and CPU
//! seconds and a checksum of the results (to compare two builds). Small sizes are meant for instruction counts
//! under `valgrind --tool=callgrind`, large ones for wall time. Run in release mode:
//! `cargo run --release -p fissure-bubble --example psy_mc_timing -- [T] [reps] [series]`.

use fissure_bubble::cv::{critical_values, BsadfCvRule, CvMethod};
use fissure_bubble::psy::{radf, LagSelection, MinWindow, PsyConfig};
use rand::Rng;
use rand_distr::StandardNormal;
use std::time::Instant;

/// CPU seconds (user + system) of this process so far, from /proc/self/stat (Linux; 0 elsewhere).
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let Some(rest) = stat.rsplit(')').next() else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5000);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let series: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let cfg = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Default };

    let walks: Vec<Vec<f64>> = (0..series)
        .map(|j| {
            let mut r = fissure_stats::rng::stream(7, j as u64);
            let mut acc = 0.0;
            (0..n)
                .map(|_| {
                    let e: f64 = r.sample(StandardNormal);
                    acc += 0.01 * e;
                    acc
                })
                .collect()
        })
        .collect();
    let (c0, t0) = (cpu_secs(), Instant::now());
    let mut check_stats = 0.0;
    for y in &walks {
        let r = radf(y, &cfg).expect("radf");
        check_stats += r.gsadf + r.bsadf.iter().sum::<f64>();
    }
    let (t_stats, cpu_stats) = (t0.elapsed().as_secs_f64(), cpu_secs() - c0);

    let (c0, t0) = (cpu_secs(), Instant::now());
    let c = critical_values(
        &walks[0],
        &cfg,
        CvMethod::MonteCarlo { reps, seed: 123, drift_eta: None },
        BsadfCvRule::Pointwise,
        None,
    )
    .expect("cv");
    let (t_mc, cpu_mc) = (t0.elapsed().as_secs_f64(), cpu_secs() - c0);
    let check_cv: f64 = c.gsadf.iter().sum::<f64>() + c.bsadf.iter().flatten().sum::<f64>();
    println!(
        "{{\"T\": {n}, \"reps\": {reps}, \"series\": {series}, \"threads\": {}, \"stats_seconds\": {t_stats:.4}, \
         \"stats_cpu_seconds\": {cpu_stats:.3}, \"mc_seconds\": {t_mc:.4}, \"mc_cpu_seconds\": {cpu_mc:.3}, \
         \"gsadf_cv\": [{:.15}, {:.15}, {:.15}], \"check_stats\": {check_stats:.15e}, \"check_cv\": {check_cv:.15e}}}",
        rayon::current_num_threads(),
        c.gsadf[0],
        c.gsadf[1],
        c.gsadf[2],
    );
}
