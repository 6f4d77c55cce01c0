//! Criterion benches on the real inputs of the reference fixtures:
//! BSADF path (NASDAQ daily T = 1,563, lag 0 / lag 2 / BIC ≤ 2), Monte Carlo critical values
//! (200 replications at T = 1,563; the 2,000-replication timing is in `examples/bubble_timing.rs`),
//! one LPPLS fit on 500 days, the FCO confidence indicator at one date (126 windows).

use criterion::{criterion_group, criterion_main, Criterion};
use fissure_bubble::cv::{critical_values, BsadfCvRule, CvMethod};
use fissure_bubble::lppls::{self, FitOptions};
use fissure_bubble::lppls_ci::{self, CiConfig};
use fissure_bubble::psy::{radf, LagSelection, MinWindow, PsyConfig};
use std::hint::black_box;
use std::path::PathBuf;

fn fixture_floats(file: &str, key: &str) -> Vec<f64> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(file);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v[key].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn psy(c: &mut Criterion) {
    let y = fixture_floats("psy_nasdaq_daily_1563.json", "y");
    let mut g = c.benchmark_group("psy");
    g.sample_size(20);
    for (name, lag) in [
        ("bsadf_T1563_lag0", LagSelection::Fixed(0)),
        ("bsadf_T1563_lag2", LagSelection::Fixed(2)),
        ("bsadf_T1563_bic2", LagSelection::Bic(2)),
    ] {
        let cfg = PsyConfig { lag, min_window: MinWindow::Default };
        g.bench_function(name, |b| b.iter(|| radf(black_box(&y), &cfg).unwrap()));
    }
    g.sample_size(10);
    let cfg = PsyConfig::default();
    g.bench_function("mc_cv_T1563_200reps", |b| {
        b.iter(|| {
            critical_values(
                &y,
                &cfg,
                CvMethod::MonteCarlo { reps: 200, seed: 1, drift_eta: None },
                BsadfCvRule::ExuberCummax,
                None,
            )
            .unwrap()
        })
    });
    g.finish();
}

fn lppls_benches(c: &mut Criterion) {
    let t = fixture_floats("lppls_nasdaq_peer.json", "t");
    let y = fixture_floats("lppls_nasdaq_peer.json", "y");
    let mut g = c.benchmark_group("lppls");
    g.sample_size(20);
    g.bench_function("fit_500_default_starts", |b| {
        b.iter(|| lppls::fit(black_box(&t), &y, &FitOptions::default()).unwrap())
    });
    let cfg = CiConfig { max_window: 500, ..CiConfig::default() };
    g.sample_size(10);
    g.bench_function("ci_one_date_76_windows_500_to_125", |b| {
        b.iter(|| lppls_ci::indicator(&t, &y, &[t.len() - 1], &cfg, None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, psy, lppls_benches);
criterion_main!(benches);
