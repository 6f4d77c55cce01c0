//! Criterion benchmarks of the contagion kernels on the bundled real data.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_contagion::absorption::{absorption_ratio, AbsorptionOptions};
use fissure_contagion::dcc::fit_dcc;
use fissure_contagion::garch::{fit_garch, GarchSpec, Innovation};
use fissure_contagion::spillover::{rolling_spillover, SpilloverOptions};
use fissure_contagion::turbulence::turbulence;

fn benches(c: &mut Criterion) {
    let s = common::demo("SPX", "prices/sp500_index_daily.csv");
    let to: fissure_core::Date = "2025-12-31".parse().unwrap();
    let v = s.values();
    let d = s.dates();
    let all: Vec<f64> = (1..v.len()).filter(|&i| d[i] <= to).map(|i| 100.0 * (v[i] / v[i - 1] - 1.0)).collect();
    let y = all[all.len() - 5000..].to_vec();
    let mut g = c.benchmark_group("contagion");
    g.sample_size(20);
    g.bench_function("garch11_normal_5000", |b| b.iter(|| fit_garch(&y, GarchSpec::default()).unwrap()));
    g.bench_function("garch11_t_gjr_5000", |b| {
        b.iter(|| fit_garch(&y, GarchSpec { dist: Innovation::StudentT, gjr: true }).unwrap())
    });
    let (_, rows) = common::etf6_returns("2010-01-01", "2025-12-31");
    let names: Vec<String> = ["SPY", "TLT", "GLD", "SLV", "XLE", "HYG"].iter().map(|s| s.to_string()).collect();
    g.bench_function("rolling_dy_200_var2_h10_6etf", |b| {
        b.iter(|| rolling_spillover(&names, &rows, 200, 1, &SpilloverOptions::default()).unwrap())
    });
    let cols: Vec<Vec<f64>> = (0..3).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    g.bench_function("dcc_3_assets_4000", |b| b.iter(|| fit_dcc(&names[..3], &cols, GarchSpec::default()).unwrap()));
    let (_, _, sect) = common::returns_of(&common::SECTORS);
    g.bench_function("absorption_11_etf", |b| {
        b.iter(|| absorption_ratio(&sect, &AbsorptionOptions::default()).unwrap())
    });
    g.bench_function("turbulence_11_etf", |b| b.iter(|| turbulence(&sect, 500).unwrap()));
    g.finish();
}

criterion_group!(contagion, benches);
criterion_main!(contagion);
