//! Criterion benches: concentration of all bundled snapshots, one rotation ratio,
//! high-cut-low day detection.

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_structure::concentration::{concentration_history, ConcentrationConfig};
use fissure_structure::rotation::{default_ratios, high_cut_low_days, ratio, RotationConfig};
use std::collections::BTreeMap;

fn bench(c: &mut Criterion) {
    let d = fissure_io::demo::load().unwrap();
    let series: BTreeMap<String, fissure_core::Series> =
        d.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    let mcaps: Vec<fissure_core::CrossSection> =
        d.sections.into_iter().map(|(s, _)| s).filter(|s| s.field == "market_cap_usd_bn").collect();
    let cfg = ConcentrationConfig::default();
    c.bench_function("concentration_31_snapshots", |b| b.iter(|| concentration_history(&mcaps, &cfg).unwrap()));
    let rc = RotationConfig::default();
    let spec = default_ratios().remove(2);
    c.bench_function("rotation_defensives_xlk", |b| b.iter(|| ratio(&series, &spec, &rc).unwrap()));
    c.bench_function("high_cut_low_days", |b| b.iter(|| high_cut_low_days(&series, &rc).unwrap()));
}

criterion_group! { name = benches; config = Criterion::default().sample_size(20); targets = bench }
criterion_main!(benches);
