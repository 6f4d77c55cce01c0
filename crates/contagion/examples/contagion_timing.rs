//! Times the contagion kernels on the bundled data, for `tools/bench/contagion.sh`
//! (side by side with the Python peers). Prints `name seconds [extra]` lines.
//! Run: `cargo run --release -p fissure-contagion --example contagion_timing`.

#[path = "../tests/common/mod.rs"]
mod common;

use fissure_contagion::garch::{fit_garch, GarchSpec};
use fissure_contagion::spillover::{rolling_spillover, SpilloverOptions};
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

fn main() {
    // GARCH(1,1) normal on the last 5,000 S&P 500 percent returns up to 2025-12-31
    let s = common::demo("SPX", "prices/sp500_index_daily.csv");
    let to: fissure_core::Date = "2025-12-31".parse().expect("date");
    let v = s.values();
    let d = s.dates();
    let all: Vec<f64> = (1..v.len()).filter(|&i| d[i] <= to).map(|i| 100.0 * (v[i] / v[i - 1] - 1.0)).collect();
    let y = &all[all.len() - 5000..];
    let (t, fit) = best_of(20, || fit_garch(y, GarchSpec::default()).expect("garch fit"));
    println!("garch5000 {t:.6} loglik={:.6}", fit.loglik);

    // rolling Diebold–Yilmaz: 200-day windows, step 1, VAR(2), H = 10, generalized
    let (_, rows) = common::etf6_returns("2010-01-01", "2025-12-31");
    let names: Vec<String> = ["SPY", "TLT", "GLD", "SLV", "XLE", "HYG"].iter().map(|s| s.to_string()).collect();
    let (t, r) =
        best_of(10, || rolling_spillover(&names, &rows, 200, 1, &SpilloverOptions::default()).expect("rolling DY"));
    println!("rolling_dy {t:.6} windows={}", r.total.len());
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let (t, r) = pool.install(|| {
        best_of(10, || rolling_spillover(&names, &rows, 200, 1, &SpilloverOptions::default()).expect("rolling DY"))
    });
    println!("rolling_dy_1thread {t:.6} windows={}", r.total.len());
}
