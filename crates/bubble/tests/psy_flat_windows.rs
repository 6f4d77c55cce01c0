//! Windows whose level does not move (gold at $18.93 for 1833–1871) give NaN on every kernel and
//! every lag, as exuber does, instead of a statistic made of rounding noise (issue 9: SADF 105.6
//! and GSADF 269.3 before, exuber 10.85 and 14.17). Constant series are refused; the statistics
//! do not depend on the scale of the data.

use fissure_bubble::psy::{self, LagSelection, MinWindow, PsyConfig};
use fissure_bubble::BubbleError;
use std::path::PathBuf;

fn gold_logs() -> Vec<f64> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gold_usd_monthly.csv");
    let out = fissure_io::read_file(&p, &fissure_io::ReadOptions::default()).unwrap();
    out.series[0].values().iter().map(|v| v.ln()).collect()
}

/// Number of leading observations equal to the first.
fn flat_prefix(y: &[f64]) -> usize {
    y.iter().take_while(|v| **v == y[0]).count()
}

#[test]
fn gold_matches_exuber_on_the_full_history() {
    let y = gold_logs();
    assert_eq!(y.len(), 2322);
    let r = psy::radf(&y, &PsyConfig::default()).unwrap();
    // exuber radf(log(gold), lag = 0), default minw, as quoted in issue 9 (2 decimals)
    assert!((r.sadf - 10.85).abs() < 0.005, "SADF {}", r.sadf);
    assert!((r.gsadf - 14.17).abs() < 0.005, "GSADF {}", r.gsadf);
}

#[test]
fn flat_windows_are_nan_on_every_kernel_and_lag() {
    let y = gold_logs();
    let flat = flat_prefix(&y);
    assert_eq!(flat, 468);
    let w = 60;
    for lag in [
        LagSelection::Fixed(0), // prefix-sum kernel (lag 0, SIMD)
        LagSelection::Fixed(1), // fixed-lag LDLᵀ kernel
        LagSelection::Fixed(3),
        LagSelection::Aic(2), // prefix Cholesky kernel
        LagSelection::Bic(3),
    ] {
        let cfg = PsyConfig { lag, min_window: MinWindow::Observations(w) };
        let r = psy::radf(&y, &cfg).unwrap();
        // every window ending inside the flat stretch is flat
        for (i, v) in r.bsadf.iter().enumerate().take(flat - r.first) {
            assert!(v.is_nan(), "{lag:?}: BSADF at {} = {v} inside the flat stretch", r.first + i);
            assert!(r.badf[i].is_nan(), "{lag:?}: forward ADF at {}", r.first + i);
        }
        // and the statistics are of the size of the real moves, not of rounding noise
        assert!(r.gsadf.is_finite() && r.gsadf < 30.0, "{lag:?}: GSADF {}", r.gsadf);
        // the fixed-lag/IC kernels agree with a direct window-by-window computation where finite
        for r2 in [flat + 5, flat + 40, 700, 1500] {
            let mut best = f64::NAN;
            for r1 in 0..=(r2 + 1 - w) {
                let v = psy::adf_on_window(&y, lag, r1, r2).unwrap();
                if v > best || best.is_nan() {
                    best = v;
                }
            }
            let got = r.bsadf[r2 - r.first];
            assert!(
                (got.is_nan() && best.is_nan()) || (got - best).abs() < 1e-7 * best.abs().max(1.0),
                "{lag:?} r2 = {r2}: {got} vs {best}"
            );
        }
    }
}

#[test]
fn a_constant_series_is_refused_with_the_reason() {
    let y = vec![18.93f64.ln(); 300];
    for lag in [LagSelection::Fixed(0), LagSelection::Fixed(2), LagSelection::Aic(2)] {
        let cfg = PsyConfig { lag, min_window: MinWindow::Observations(40) };
        match psy::radf(&y, &cfg) {
            Err(BubbleError::Degenerate(m)) => assert!(m.contains("does not move"), "{m}"),
            other => panic!("{lag:?}: {other:?}"),
        }
    }
}

#[test]
fn statistics_do_not_depend_on_the_scale() {
    let y: Vec<f64> = gold_logs()[400..1000].to_vec();
    for lag in [LagSelection::Fixed(0), LagSelection::Fixed(2)] {
        let cfg = PsyConfig { lag, min_window: MinWindow::Observations(50) };
        let base = psy::radf(&y, &cfg).unwrap();
        for scale in [1e-300, 1e-150, 1e150, 1e300] {
            let ys: Vec<f64> = y.iter().map(|v| v * scale).collect();
            let r = psy::radf(&ys, &cfg).unwrap();
            for (a, b) in [(base.adf, r.adf), (base.sadf, r.sadf), (base.gsadf, r.gsadf)] {
                assert!((a - b).abs() < 1e-6 * a.abs().max(1.0), "{lag:?} scale {scale}: {a} vs {b}");
            }
        }
    }
}
