//! Fuzzes the analysis entry points with arbitrary (bounded) numeric inputs: PSY (every kernel),
//! valuation, LPPLS, GARCH, correlations, absorption, turbulence, spillovers, crowding, Markov
//! switching. Each may refuse its input with a typed error; it must never panic, never hang (sizes
//! are bounded), and a statistic it returns must be finite or NaN-by-contract (flat PSY windows).
//!
//! Input layout: byte 0 picks the entry point, byte 1 a parameter, then f64s (little endian, 8 bytes
//! each; at most 320 values), used raw or as a walk of bounded steps (byte 2) so that both
//! pathological values (NaN, ±inf, 1e-300, 1e300, constants) and ordinary series are reached.
#![no_main]

use fissure_bubble::psy::{self, LagSelection, MinWindow, PsyConfig};
use libfuzzer_sys::fuzz_target;

const MAX: usize = 320;

fn values(data: &[u8]) -> Vec<f64> {
    let mode = data.get(2).copied().unwrap_or(0);
    let raw: Vec<f64> = data
        .get(3..)
        .unwrap_or(&[])
        .chunks_exact(8)
        .take(MAX)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    if mode % 2 == 0 {
        return raw;
    }
    // a positive walk: steps are the raw values folded into [-0.5, 0.5]
    let mut level = 100.0f64;
    raw.iter()
        .map(|v| {
            let step = if v.is_finite() { (v.fract()).clamp(-0.5, 0.5) } else { 0.0 };
            level *= step.exp();
            level
        })
        .collect()
}

fn columns(v: &[f64], k: usize) -> Vec<Vec<f64>> {
    let n = v.len() / k;
    (0..n).map(|i| v[i * k..(i + 1) * k].to_vec()).collect()
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (pick, p) = (data[0], data[1] as usize);
    let y = values(data);
    match pick % 10 {
        0 => {
            let lag = match p % 4 {
                0 => LagSelection::Fixed(0),
                1 => LagSelection::Fixed(1 + p % 3),
                2 => LagSelection::Aic(1 + p % 2),
                _ => LagSelection::Bic(2),
            };
            let cfg = PsyConfig { lag, min_window: MinWindow::Observations(4 + p % 40) };
            if let Ok(r) = psy::radf(&y, &cfg) {
                assert!(r.bsadf.iter().all(|v| !v.is_infinite()), "infinite BSADF");
                assert!(!r.gsadf.is_nan(), "GSADF NaN while the radf call succeeded");
            }
        }
        1 => {
            let _ = fissure_bubble::valuation::summary(&y);
            let _ = fissure_bubble::valuation::expanding(&y, 2 + p % 20);
        }
        2 => {
            let y: Vec<f64> = y.into_iter().take(60).collect();
            let t: Vec<f64> = (0..y.len()).map(|i| 730_000.0 + i as f64).collect();
            let opt = fissure_bubble::lppls::FitOptions { starts: 1, screen: 4, ..Default::default() };
            if let Ok(f) = fissure_bubble::lppls::fit(&t, &y, &opt) {
                assert!(f.sse.is_finite(), "non-finite SSE");
            }
        }
        3 => {
            let spec = fissure_contagion::garch::GarchSpec {
                dist: if p % 2 == 0 {
                    fissure_contagion::garch::Innovation::Normal
                } else {
                    fissure_contagion::garch::Innovation::StudentT
                },
                gjr: p % 4 >= 2,
            };
            if let Ok(f) = fissure_contagion::garch::fit_garch(&y, spec) {
                assert!(f.loglik.is_finite());
            }
        }
        4 => {
            let rows = columns(&y, 2 + p % 3);
            if let Ok(m) = fissure_contagion::corr::correlation_matrix(&rows) {
                assert!(m.iter().all(|v| v.is_nan() || (-1.0..=1.0).contains(v)), "correlation outside [-1, 1]");
            }
            let _ = fissure_contagion::corr::rolling_correlation_matrices(&rows, 3 + p % 20);
        }
        5 => {
            let rows = columns(&y, 2 + p % 3);
            let opts = fissure_contagion::absorption::AbsorptionOptions {
                window: 5 + p % 40,
                shift_short: 2,
                shift_long: 10,
                ..Default::default()
            };
            if let Ok(a) = fissure_contagion::absorption::absorption_ratio(&rows, &opts) {
                assert!(a.ar.iter().all(|v| (0.0..=1.0).contains(v)), "AR outside [0, 1]");
            }
        }
        6 => {
            let rows = columns(&y, 2 + p % 3);
            let _ = fissure_contagion::turbulence::turbulence(&rows, 5 + p % 40);
        }
        7 => {
            let k = 2 + p % 2;
            let rows = columns(&y, k);
            let names: Vec<String> = (0..k).map(|i| format!("s{i}")).collect();
            let opts = fissure_contagion::spillover::SpilloverOptions::default();
            if let Ok(s) = fissure_contagion::spillover::spillover(&names, &rows, &opts) {
                assert!(s.total.is_finite() && (0.0..=100.0 + 1e-9).contains(&s.total), "total {}", s.total);
            }
            let _ = fissure_contagion::spillover::rolling_spillover(&names, &rows, 30 + p % 30, 5, &opts);
        }
        8 => {
            let rows = columns(&y, 2 + p % 3);
            let _ = fissure_contagion::crowding::basket_crowding(&rows, 3 + p % 20);
        }
        _ => {
            use fissure_liquidity::markov::{FitOptions, MarkovSwitching, MsSpec};
            let y: Vec<f64> = y.into_iter().take(120).collect();
            let spec = MsSpec::switching_mean(2, p % 2, p % 4 >= 2);
            if let Ok(m) = MarkovSwitching::new(&y, vec![1.0; y.len()], vec!["const".into()], spec) {
                let opts = FitOptions { random_starts: 0, ..Default::default() };
                let _ = m.fit(&opts);
            }
        }
    }
});
