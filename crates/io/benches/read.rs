//! Reader throughput on the bundled real files: one file per layout, and the whole bundle.
//! `cargo bench -p fissure-io --bench read`; tools/bench/io.sh compares with pyarrow.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fissure_io::read::{read_bytes, ReadOptions};
use std::path::{Path, PathBuf};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    for rel in [
        "prices/sp500_index_daily.csv",
        "macro/us10y_yield_daily.csv",
        "fundamentals/shiller_sp500_monthly.csv",
        "fundamentals/sp500_marketcap_snapshots.csv",
    ] {
        let p = demo().join(rel);
        let bytes = std::fs::read(&p).expect("bundled file");
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(rel, |b| b.iter(|| read_bytes(&p, &bytes, &ReadOptions::default()).expect("reads")));
    }
    let mut all = Vec::new();
    for dir in ["prices", "macro", "fundamentals"] {
        for e in std::fs::read_dir(demo().join(dir)).expect("bundle folder").flatten() {
            let p = e.path();
            let bytes = std::fs::read(&p).expect("bundled file");
            all.push((p, bytes));
        }
    }
    g.throughput(Throughput::Bytes(all.iter().map(|(_, b)| b.len() as u64).sum()));
    g.sample_size(20);
    g.bench_function("whole data/demo", |b| {
        b.iter(|| {
            all.iter()
                .map(|(p, bytes)| read_bytes(p, bytes, &ReadOptions::default()).expect("reads").series.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
