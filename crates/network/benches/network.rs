//! Criterion benchmarks of the network kernels on synthetic graphs (the
//! side-by-side comparison with networkx / numpy is `tools/bench/network.sh`).

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_network::cycles::{count_cycles, scc_partition, Csr};
use fissure_network::stress::{debt_rank, DebtRankVariant, ExposureNetwork};
use rand::{Rng, SeedableRng};

/// 10,000 nodes in clusters of 10 (cycles inside clusters) plus forward edges between clusters.
fn clustered(n: usize, m: usize, seed: u64) -> Vec<(u32, u32)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut e = Vec::with_capacity(m);
    while e.len() < m {
        let a = rng.gen_range(0..n as u32);
        let b = if rng.gen_bool(0.2) { (a / 10) * 10 + rng.gen_range(0..10) } else { rng.gen_range(a..n as u32) };
        if a != b {
            e.push((a, b));
        }
    }
    e
}

fn bench(c: &mut Criterion) {
    let e = clustered(10_000, 100_000, 1);
    let g = Csr::from_edges(10_000, &e);
    c.bench_function("scc 10k/100k", |b| b.iter(|| scc_partition(&g, None).len()));
    c.bench_function("cycles 10k/100k", |b| b.iter(|| count_cycles(&g, None)));
    let names: Vec<String> = (0..10_000).map(|i| format!("f{i}")).collect();
    let eq = (0..10_000).map(|i| Some(50.0 + (i % 17) as f64)).collect();
    let ex: Vec<(usize, usize, f64)> = e.iter().map(|&(a, b)| (a as usize, b as usize, 1.0 + (a % 7) as f64)).collect();
    let net = ExposureNetwork::new(names, eq, ex, vec![true; 10_000]).unwrap();
    c.bench_function("debtrank 10k/100k", |b| {
        b.iter(|| debt_rank(&net, &[(0, 1.0), (5000, 1.0)], DebtRankVariant::Original).unwrap().rounds)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
