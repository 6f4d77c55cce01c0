//! Speed of the registry's expanding percentile (O(n log n)) against the direct
//! O(n²) scan, on a long daily-like series.

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_report::percentile::expanding;
use std::hint::black_box;

fn series(n: usize) -> Vec<f64> {
    let mut x = 0.0f64;
    (0..n)
        .map(|i| {
            x += ((i as f64 * 12.9898).sin() * 43758.5453).fract() - 0.5;
            x
        })
        .collect()
}

fn brute(x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| x[..=i].iter().filter(|v| **v <= x[i]).count() as f64 / (i + 1) as f64).collect()
}

fn bench(c: &mut Criterion) {
    let x = series(10_000);
    c.bench_function("expanding percentile 10k (Fenwick)", |b| b.iter(|| expanding(black_box(&x), true, 20)));
    c.bench_function("expanding percentile 10k (direct scan)", |b| b.iter(|| brute(black_box(&x))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
