//! Criterion benchmarks of the portfolio-risk kernels: VaR/ES with Euler components on the
//! bundled portfolio (1,000 days) and on a synthetic 200 × 5,000 panel, FHS simulation, one
//! rolling backtest. Side-by-side timings against the Python peers: `tools/bench/risk.sh`.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_risk::backtest::{backtest, BacktestOptions};
use fissure_risk::fhs::{self, Correlation};
use fissure_risk::measures;
use fissure_risk::var::Method;
use rand::Rng;

fn benches(c: &mut Criterion) {
    let (pf, m, s) = common::watchlist_portfolio();
    let w = pf.weights();
    let n = m.n();
    let mut g = c.benchmark_group("risk");
    g.sample_size(20);
    g.bench_function("historical_portfolio_1000d", |b| b.iter(|| measures::historical(&m.data, n, &w, 0.99).unwrap()));
    g.bench_function("cornish_fisher_portfolio_1000d", |b| {
        b.iter(|| measures::cornish_fisher(&m.data, n, &w, 0.99).unwrap())
    });
    g.bench_function("evt_portfolio_1000d", |b| b.iter(|| measures::evt(&m.data, n, &w, 0.99, 0.1).unwrap()));
    let mut rng = fissure_stats::rng::seeded(1);
    let (t, k) = (5000, 200);
    let x: Vec<f64> = (0..t * k).map(|_| 0.01 * (rng.gen::<f64>() - 0.5)).collect();
    let wk = vec![1.0 / k as f64; k];
    g.bench_function("historical_cf_200x5000", |b| {
        b.iter(|| {
            (measures::historical(&x, k, &wk, 0.99).unwrap(), measures::cornish_fisher(&x, k, &wk, 0.99).unwrap())
        })
    });
    let model = fhs::fit(&m, Correlation::Constant).unwrap();
    g.bench_function("fhs_simulate_6x10000x10", |b| b.iter(|| fhs::simulate(&model, 10_000, 10, 42).unwrap()));
    let refs: Vec<&fissure_core::Series> = s.iter().collect();
    let full = fissure_risk::portfolio::return_matrix(&refs, None, Some("2026-08-21".parse().unwrap())).unwrap();
    let r = full.portfolio(&w);
    let o = BacktestOptions { sims: 200, ..Default::default() };
    g.bench_function("backtest_historical_portfolio", |b| {
        b.iter(|| backtest(&r, &full.dates, &[Method::Historical], &o).unwrap())
    });
    g.finish();
}

criterion_group!(risk, benches);
criterion_main!(risk);
