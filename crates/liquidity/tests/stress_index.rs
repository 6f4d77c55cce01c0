//! Stress index on the bundled real data against the published STLFSI4 and NFCI.

mod common;

use fissure_liquidity::stress::{correlation_with, stress_index, StressConfig};

#[test]
fn stress_index_tracks_stlfsi4_and_nfci() {
    let data = common::demo();
    let idx = stress_index(data, &StressConfig::default()).unwrap();
    assert!(idx.missing.is_empty(), "missing {:?}", idx.missing);
    let (r_st, n_st) = correlation_with(&idx, &data["STLFSI4"]).unwrap();
    let (r_nf, n_nf) = correlation_with(&idx, &data["NFCI"]).unwrap();
    eprintln!(
        "corr STLFSI4 {r_st:.3} over {n_st} weeks, NFCI {r_nf:.3} over {n_nf} weeks, explained {:.3}",
        idx.explained
    );
    for l in &idx.loadings {
        eprintln!("{:>16} loading {:+.3} z {:+.2} contribution {:+.3}", l.indicator, l.loading, l.z, l.contribution);
    }
    assert!(n_st > 1000 && n_nf > 1000);
    assert!(r_st >= 0.85, "correlation with STLFSI4 {r_st}");
    assert!(r_nf >= 0.65, "correlation with NFCI {r_nf}");
    // every loading with an economic prior has the expected sign
    assert_eq!(idx.loadings.len(), 12, "all twelve indicators active on the last date");
    for l in &idx.loadings {
        if l.expected_sign != 0 {
            assert_eq!(l.loading.signum() as i8, l.expected_sign, "{} loading {}", l.indicator, l.loading);
        }
    }
    // contributions add up to the last value
    let sum: f64 = idx.loadings.iter().map(|l| l.contribution).sum();
    assert!((sum - idx.values.last().unwrap()).abs() < 1e-9);
}

#[test]
fn stress_index_is_real_time() {
    // the value on a past date does not change when later data are added
    let data = common::demo();
    let full = stress_index(data, &StressConfig::default()).unwrap();
    let cut: chrono::NaiveDate = "2020-03-20".parse().unwrap();
    let truncated: std::collections::BTreeMap<_, _> = data.iter().map(|(k, s)| (k.clone(), s.as_of(cut))).collect();
    let part = stress_index(&truncated, &StressConfig::default()).unwrap();
    let i = full.dates.iter().position(|d| *d == cut).unwrap();
    assert_eq!(*part.dates.last().unwrap(), cut);
    assert!((part.values.last().unwrap() - full.values[i]).abs() < 1e-12);
    // March 2020 is a stress peak: above the 95th percentile of the history so far
    let hist = &full.values[..=i];
    let rank = fissure_stats::describe::percentile_rank(hist, full.values[i]);
    assert!(rank > 95.0, "percentile {rank}");
}

#[test]
fn stress_index_equals_independent_numpy_implementation() {
    // fixture: tools/reference/liquidity/stress_reference.py (pandas/numpy, same algorithm)
    let idx = stress_index(common::demo(), &StressConfig::default()).unwrap();
    let text =
        std::fs::read_to_string(format!("{}/tests/fixtures/stress_index_reference.csv", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let rows: Vec<(chrono::NaiveDate, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let (d, v) = l.split_once(',').unwrap();
            (d.parse().unwrap(), v.parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), idx.dates.len());
    for ((d, v), (d2, v2)) in rows.iter().zip(idx.dates.iter().zip(&idx.values)) {
        assert_eq!(d, d2);
        assert!((v - v2).abs() < 1e-8, "{d}: numpy {v} vs fissure {v2}");
    }
}
