//! Times the portfolio-risk kernels for `tools/bench/risk.sh` (side by side with the Python
//! peers on the same inputs, which this program writes to `$FISSURE_BENCH_DIR`, default
//! /tmp/fissure-risk-bench). Prints `name seconds [extra]` lines.
//! Run: `cargo run --release -p fissure-risk --example risk_timing [a] [b] [c] [dcc]` (default: all).

#[path = "../tests/common/mod.rs"]
mod common;

use fissure_risk::backtest::{backtest, BacktestOptions};
use fissure_risk::fhs::{self, Correlation};
use fissure_risk::measures;
use fissure_risk::portfolio::ReturnMatrix;
use fissure_risk::var::Method;
use rand::Rng;
use rand_distr::StandardNormal;
use std::io::Write;
use std::time::Instant;

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("n > 0"))
}

fn write_f64(path: &std::path::Path, x: &[f64]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("bench file"));
    for v in x {
        f.write_all(&v.to_le_bytes()).expect("write");
    }
}

/// A one-factor panel with GARCH-like volatility clusters and fat tails (synthetic, seeded).
fn panel(t: usize, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = fissure_stats::rng::seeded(seed);
    let mut s2m: f64 = 1e-4;
    let mut out = Vec::with_capacity(t * n);
    let beta: Vec<f64> = (0..n).map(|j| 0.5 + (j % 10) as f64 * 0.1).collect();
    for _ in 0..t {
        let zm: f64 = rng.sample(StandardNormal);
        let m = s2m.sqrt() * zm;
        s2m = 2e-6 + 0.08 * m * m + 0.9 * s2m;
        for b in &beta {
            let e: f64 = rng.sample(StandardNormal);
            out.push(b * m + 0.01 * e * if rng.gen_bool(0.01) { 4.0 } else { 1.0 });
        }
    }
    out
}

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::var("FISSURE_BENCH_DIR").unwrap_or_else(|_| "/tmp/fissure-risk-bench".into()),
    );
    std::fs::create_dir_all(&dir).expect("bench dir");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let want = |w: &str| args.is_empty() || args.iter().any(|a| a == w);

    // A: historical + Cornish–Fisher VaR/ES with Euler components, 1,000 assets × 5,000 days
    // (one fused pass over the panel for the losses and the co-moments)
    if want("a") {
        let (t, n) = (5000, 1000);
        let x = panel(t, n, 1);
        let w: Vec<f64> = (0..n).map(|j| (1.0 + (j % 7) as f64) / 4000.0).collect();
        write_f64(&dir.join("a_x.bin"), &x);
        write_f64(&dir.join("a_w.bin"), &w);
        let (secs, (h, c)) =
            best_of(5, || measures::historical_and_cornish_fisher(&x, n, &w, 0.99).expect("historical + CF"));
        let sum = |v: &[f64]| v.iter().sum::<f64>();
        println!(
            "hist_cf_1000x5000 {secs:.6} hvar={:.8} hes={:.8} cfvar={:.8} cfes={:.8} sum_cf_var_parts={:.8}",
            h.var,
            h.es,
            c.var,
            c.es,
            sum(&c.var_components)
        );
        // The historical estimator alone (VaR and ES with their Euler parts): the work of riskfolio-lib's
        // Risk_Contribution for rm='VaR' and rm='CVaR', the named peer's own risk contributions.
        let (secs, h) = best_of(5, || measures::historical(&x, n, &w, 0.99).expect("historical"));
        println!("hist_euler_1000x5000 {secs:.6} hes={:.8} sum_es_parts={:.8}", h.es, sum(&h.es_components));
    }

    // B: FHS, 50 assets × 2,000 days, 10,000 paths × 10 days (constant correlation; DCC timed apart)
    if want("b") || want("dcc") {
        bench_b(&dir, &want);
    }
    if want("c") {
        bench_c(&dir);
    }
}

fn bench_b(dir: &std::path::Path, want: &dyn Fn(&str) -> bool) {
    let (t, n) = (2000, 50);
    let xb = panel(t, n, 2);
    write_f64(&dir.join("b_x.bin"), &xb);
    let m = ReturnMatrix {
        ids: (0..n).map(|j| format!("A{j}")).collect(),
        dates: (0..t)
            .map(|i| chrono::NaiveDate::from_num_days_from_ce_opt(730_000 + i as i32).expect("date"))
            .collect(),
        data: xb,
    };
    let wb = vec![1.0 / n as f64; n];
    if want("b") {
        let (secs, _) = best_of(3, || fhs::fit(&m, Correlation::Constant).expect("fhs fit"));
        println!("fhs_garch_fits_only {secs:.6}");
    }
    let (secs, (model, var)) = best_of(3, || {
        let model = fhs::fit(&m, Correlation::Constant).expect("fhs fit");
        let sims = fhs::simulate(&model, 10_000, 10, 42).expect("simulate");
        let e = measures::historical(&sims, n, &wb, 0.99).expect("var");
        (model, e.var)
    });
    println!("fhs_50x10000x10 {secs:.6} var={var:.6}");
    let (secs, _) = best_of(3, || fhs::simulate(&model, 10_000, 10, 42).expect("simulate"));
    println!("fhs_sim_only {secs:.6}");
    if !want("dcc") {
        return;
    }
    let (secs, model_dcc) = best_of(1, || fhs::fit(&m, Correlation::Dcc).expect("fhs dcc fit"));
    println!(
        "fhs_dcc_fit_50 {secs:.6} a={:.4} b={:.4}",
        model_dcc.dcc.map_or(f64::NAN, |d| d.0),
        model_dcc.dcc.map_or(f64::NAN, |d| d.1)
    );
}

fn bench_c(dir: &std::path::Path) {
    // C: rolling backtest of every method over 20 years of S&P 500 returns (window 500, Z2 with 1,000 draws)
    let s = common::demo("SPX", "sp500_index_daily.csv");
    let v = s.values();
    let r: Vec<f64> = (1..v.len()).map(|i| v[i] / v[i - 1] - 1.0).collect();
    let r = r[r.len() - 5040..].to_vec();
    let dates = s.dates()[s.len() - 5040..].to_vec();
    write_f64(&dir.join("c_r.bin"), &r);
    let o = BacktestOptions::default();
    let (secs, (res, _)) = best_of(3, || backtest(&r, &dates, &Method::ALL, &o).expect("backtest"));
    let ex: Vec<String> = res.iter().map(|b| format!("{}={}", b.method.as_str(), b.exceptions)).collect();
    println!("backtest_20y_all {secs:.6} {}", ex.join(","));
}
