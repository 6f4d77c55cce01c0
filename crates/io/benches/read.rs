//! Reader throughput on the bundled real files: one file per layout, and the whole bundle as the demo
//! ingest reads it.
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
    // The whole bundle as `fissure ingest --demo` reads it: the catalog's options per file (e.g. the OHLC
    // repair of the silver futures, whose raw file has closes outside [low, high]; read with the default
    // options, it is refused, as it should be).
    let cat = fissure_io::demo::catalog().expect("bundled catalog");
    let files = cat.series.iter().map(|e| &e.file).chain(cat.sections.iter().map(|e| &e.file));
    let files = files.chain(cat.network.iter().flat_map(|n| n.files()));
    let bytes: u64 = files.filter_map(|f| fissure_io::demo::file(f)).map(|b| b.len() as u64).sum();
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("whole data/demo (catalog options)", |b| {
        b.iter(|| fissure_io::demo::load().expect("the bundle reads").series.len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
