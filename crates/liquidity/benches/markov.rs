//! Criterion benches: Markov-switching fit on 1,500 weekly S&P 500 returns
//! (switching mean and variance, k = 2), the Hamilton filter alone, and the stress index.

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_liquidity::markov::{FitOptions, MarkovSwitching, MsSpec};

fn spx_returns() -> Vec<f64> {
    let p = format!("{}/tests/fixtures/markov_spx_weekly_1500.json", env!("CARGO_MANIFEST_DIR"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["endog"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn bench(c: &mut Criterion) {
    let y = spx_returns();
    let m = MarkovSwitching::with_constant(&y, MsSpec::switching_mean(2, 0, true)).unwrap();
    c.bench_function("markov_fit_spx_weekly_1500", |b| b.iter(|| m.fit(&FitOptions::default()).unwrap()));
    let fit = m.fit(&FitOptions::default()).unwrap();
    c.bench_function("markov_loglike_spx_weekly_1500", |b| b.iter(|| m.loglike(&fit.params)));
    let f: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/tests/fixtures/markov_hamilton_ar4.json", env!("CARGO_MANIFEST_DIR")))
            .unwrap(),
    )
    .unwrap();
    let g: Vec<f64> = f["endog"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let h = MarkovSwitching::with_constant(&g, MsSpec::switching_mean(2, 4, false)).unwrap();
    c.bench_function("markov_fit_hamilton_ar4", |b| b.iter(|| h.fit(&FitOptions::default()).unwrap()));
}

criterion_group! { name = benches; config = Criterion::default().sample_size(20); targets = bench }
criterion_main!(benches);
