//! Wall-clock timings of Fissure on the same inputs as `tools/bench/bubble.py` (which runs the
//! peers and prints the ratios). Prints one JSON object. Run in release mode:
//! `cargo run --release -p fissure-bubble --example bubble_timing -- [mc_reps] [ci_dates]`.

use fissure_bubble::cv::{critical_values, BsadfCvRule, CvMethod};
use fissure_bubble::lppls::{self, FitOptions};
use fissure_bubble::lppls_ci::{self, CiConfig};
use fissure_bubble::psy::{radf, LagSelection, MinWindow, PsyConfig};
use std::path::PathBuf;
use std::time::Instant;

fn fixture_floats(file: &str, key: &str) -> Vec<f64> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(file);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json");
    v[key].as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn fixture_dates(file: &str) -> Vec<f64> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(file);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json");
    v["dates"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            let d: chrono::NaiveDate = d.as_str().expect("date").parse().expect("iso date");
            chrono::Datelike::num_days_from_ce(&d) as f64
        })
        .collect()
}

/// CPU seconds (user + system) of this process so far, from /proc/self/stat (Linux; 0 elsewhere).
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let Some(rest) = stat.rsplit(')').next() else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn best_of<T>(k: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..k {
        let t0 = Instant::now();
        let r = f();
        best = best.min(t0.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("k > 0"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let ci_dates: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(250);
    let threads = rayon::current_num_threads();

    // BSADF path, NASDAQ daily T = 1,563, lag 0, default window (exuber's minw = window − 1)
    let y = fixture_floats("psy_nasdaq_daily_1563.json", "y");
    let cfg = PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Default };
    radf(&y, &cfg).expect("radf");
    let (t_path, r) = best_of(20, || radf(&y, &cfg).expect("radf"));
    let c0 = cpu_secs();
    for _ in 0..100 {
        std::hint::black_box(radf(&y, &cfg).expect("radf"));
    }
    let cpu_path = (cpu_secs() - c0) / 100.0;
    let cfg2 = PsyConfig { lag: LagSelection::Fixed(2), min_window: MinWindow::Default };
    let (t_path2, _) = best_of(5, || radf(&y, &cfg2).expect("radf"));

    // Monte Carlo CVs at T = 1,563
    let c0 = cpu_secs();
    let t0 = Instant::now();
    let c = critical_values(
        &y,
        &cfg,
        CvMethod::MonteCarlo { reps, seed: 123, drift_eta: None },
        BsadfCvRule::ExuberCummax,
        None,
    )
    .expect("cv");
    let t_mc = t0.elapsed().as_secs_f64();
    let cpu_mc = cpu_secs() - c0;

    // one LPPLS fit, 500 days (the lppls package's NASDAQ window)
    let t = fixture_floats("lppls_nasdaq_peer.json", "t");
    let ly = fixture_floats("lppls_nasdaq_peer.json", "y");
    let opt = FitOptions::default();
    let mut times = vec![];
    let mut sse = 0.0;
    let c0 = cpu_secs();
    for seed in 0..10 {
        let o = FitOptions { seed, ..opt };
        let t0 = Instant::now();
        let f = lppls::fit(&t, &ly, &o).expect("fit");
        times.push(t0.elapsed().as_secs_f64());
        sse = f64::max(sse, f.sse);
    }
    let cpu_fit = (cpu_secs() - c0) / 10.0;
    times.sort_by(f64::total_cmp);
    let t_fit = times[times.len() / 2];

    // FCO indicator: `ci_dates` dates × 126 windows (750 → 125 step 5) on NASDAQ daily (the
    // fixture's 1,563 daily closes to 2000-03-10, ordinal-day time)
    let n = y.len();
    let tt: Vec<f64> = fixture_dates("psy_nasdaq_daily_1563.json");
    let ci_cfg = CiConfig::default();
    let ends: Vec<usize> = (n - ci_dates..n).collect();
    let c0 = cpu_secs();
    let t0 = Instant::now();
    let pts = lppls_ci::indicator(&tt, &y, &ends, &ci_cfg, None).expect("ci");
    let t_ci = t0.elapsed().as_secs_f64();
    let cpu_ci = cpu_secs() - c0;
    let fits: usize = pts.iter().map(|p| p.windows).sum();

    println!(
        "{}",
        serde_json::json!({
            "threads": threads,
            "bsadf_T1563_lag0_s": t_path, "gsadf": r.gsadf,
            "bsadf_T1563_lag2_s": t_path2,
            "mc_reps": reps, "mc_T1563_s": t_mc, "mc_gsadf_cv": c.gsadf,
            "lppls_fit_500_median_s": t_fit, "lppls_fit_500_worst_sse": sse, "lppls_starts": opt.starts,
            "cpu_path_s": cpu_path, "cpu_mc_s": cpu_mc, "cpu_fit_s": cpu_fit, "cpu_ci_s": cpu_ci,
            "ci_dates": ci_dates, "ci_fits": fits, "ci_s": t_ci, "ci_ms_per_fit": 1000.0 * t_ci / fits as f64,
        })
    );
}
