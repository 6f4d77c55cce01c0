//! The simulator's speed: 10,000 paths × 250 days × 8 assets with every agent class
//! (the target: < 3 s on 2 cores), and the scaling in paths and assets.
//!
//! `cargo bench -p fissure-spiral --bench spiral`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fissure_spiral::speed_case::speed_case;
use fissure_spiral::{simulate, Market, Shock, SpiralConfig};
use std::time::Duration;

fn setup(k: usize, paths: usize, steps: usize) -> (SpiralConfig, Market, Shock) {
    speed_case(k, paths, steps).unwrap_or_else(|e| panic!("speed case: {e}"))
}

fn target(c: &mut Criterion) {
    let mut g = c.benchmark_group("spiral_target");
    g.sample_size(10).measurement_time(Duration::from_secs(30)).warm_up_time(Duration::from_secs(3));
    let (cfg, m, sh) = setup(8, 10_000, 250);
    assert_eq!(
        cfg.agent_count(),
        10,
        "every class: 1 CTA, 1 vol target, 5 margin tranches, carry, value buyers, banks"
    );
    g.bench_function("10000_paths_250_steps_8_assets_all_agents", |b| b.iter(|| simulate(&cfg, &m, &sh)));
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("spiral_scaling");
    g.sample_size(10).measurement_time(Duration::from_secs(10)).warm_up_time(Duration::from_secs(1));
    for paths in [1_000usize, 4_000] {
        let (cfg, m, sh) = setup(8, paths, 250);
        g.bench_with_input(BenchmarkId::new("paths_8_assets", paths), &paths, |b, _| {
            b.iter(|| simulate(&cfg, &m, &sh))
        });
    }
    for k in [4usize, 16, 32] {
        let (cfg, m, sh) = setup(k, 1_000, 250);
        g.bench_with_input(BenchmarkId::new("assets_1000_paths", k), &k, |b, _| b.iter(|| simulate(&cfg, &m, &sh)));
    }
    g.finish();
}

criterion_group!(benches, target, scaling);
criterion_main!(benches);
