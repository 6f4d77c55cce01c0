//! The Rust side of tools/bench/network.sh: SCCs, every elementary cycle, cycles up to
//! length 6 and DebtRank on the synthetic graphs written by tools/bench/network_graphs.py.
//! Prints `name seconds result` (best of several runs; graph construction not timed).
//! Usage: cargo run --release -p fissure-network --example bench_kernels -- DIR

use fissure_network::cycles::{count_cycles, scc_partition, Csr};
use fissure_network::stress::{DebtRankEngine, DebtRankVariant, ExposureNetwork};
use std::time::Instant;

fn load(path: &str) -> Vec<(u32, u32, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .map(|l| {
            let mut it = l.split(',');
            let mut next = || it.next().and_then(|x| x.parse::<f64>().ok());
            let bad = || panic!("{path}: bad line {l}");
            let a = next().unwrap_or_else(bad);
            let b = next().unwrap_or_else(bad);
            // two-column files (node, equity) carry their value in the second column
            (a as u32, b as u32, next().unwrap_or(b))
        })
        .collect()
}

fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut t = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let r = f();
        t = t.min(t0.elapsed().as_secs_f64());
        out = Some(r);
    }
    (t, out.unwrap_or_else(|| unreachable!()))
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "target/bench-network".into());
    // optional: comma-separated kernels to run (default: all)
    let only = std::env::args().nth(2);
    let wanted = |k: &str| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == k));
    let big = load(&format!("{dir}/big.csv"));
    let e: Vec<(u32, u32)> = big.iter().map(|x| (x.0, x.1)).collect();
    let g = Csr::from_edges(10_000, &e);
    if wanted("scc") {
        let (t, r) = best(20, || scc_partition(&g, None).len());
        println!("scc {t:.6} {r}");
    }
    if wanted("cycles") {
        let (t, r) = best(3, || count_cycles(&g, None));
        println!("cycles {t:.6} {r}");
    }
    if wanted("cycles_len6") {
        let b = load(&format!("{dir}/bounded.csv"));
        let e2: Vec<(u32, u32)> = b.iter().map(|x| (x.0, x.1)).collect();
        let g2 = Csr::from_edges(2_000, &e2);
        let (t, r) = best(3, || count_cycles(&g2, Some(6)));
        println!("cycles_len6 {t:.6} {r}");
    }
    if !wanted("debtrank") {
        return;
    }
    let eq: Vec<Option<f64>> = load(&format!("{dir}/big_equity.csv")).iter().map(|x| Some(x.1 as f64)).collect();
    // the lender (`to`) is exposed to the borrower (`from`)
    let ex: Vec<(usize, usize, f64)> = big.iter().map(|x| (x.1 as usize, x.0 as usize, x.2)).collect();
    let names: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    let net = ExposureNetwork::new(names, eq, ex, vec![true; 10_000]).unwrap_or_else(|e| panic!("{e}"));
    let shocks: Vec<(usize, f64)> = (0..10_000).step_by(1000).map(|i| (i, 1.0)).collect();
    // the impact matrix is built once, as the peer's (outside the timing); the timed run sets
    // the shocks, propagates round by round and sums R, as the peer's `debtrank()`
    let mut engine = DebtRankEngine::new(&net);
    let (t, r) = best(200, || engine.run(&shocks, DebtRankVariant::Original).map(|r| (r.debtrank, r.rounds)));
    let (dr, rounds) = r.unwrap_or_else(|e| panic!("{e}"));
    println!("debtrank {t:.6} {dr:.12}/{rounds}");
    // the same run plus the full per-firm result the CLI prints (10,000 losses, defaults)
    let (t, r) = best(200, || {
        engine.run(&shocks, DebtRankVariant::Original).map(|r| engine.result(&net, &r).h.iter().flatten().count())
    });
    println!("debtrank_full_result {t:.6} {}", r.unwrap_or_else(|e| panic!("{e}")));
}
