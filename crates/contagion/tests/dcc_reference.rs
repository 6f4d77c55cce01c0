//! DCC(1,1) two-step on SPY/TLT/GLD 2015–2025 against an independent numpy/scipy
//! implementation on arch GARCH fits (fixture from tools/reference/contagion/dcc_ref.py).

mod common;
use fissure_contagion::dcc::fit_dcc;
use fissure_contagion::garch::GarchSpec;
use serde_json::Value;

#[test]
fn dcc_matches_numpy_reference() {
    let fx: Value = serde_json::from_str(&common::fixture("dcc_spy_tlt_gld.json")).unwrap();
    let (_, rows) = common::etf6_returns("2015-01-01", "2025-12-31");
    assert_eq!(rows.len() as u64, fx["nobs"].as_u64().unwrap());
    // columns SPY, TLT, GLD of the six-ETF panel
    let cols: Vec<Vec<f64>> = [0usize, 1, 2].iter().map(|&j| rows.iter().map(|r| r[j]).collect()).collect();
    let names: Vec<String> = ["SPY", "TLT", "GLD"].iter().map(|s| s.to_string()).collect();
    let f = fit_dcc(&names, &cols, GarchSpec::default()).unwrap();
    let (a, b) = (fx["a"].as_f64().unwrap(), fx["b"].as_f64().unwrap());
    let llc = fx["loglik_correlation"].as_f64().unwrap();
    println!(
        "ours a {} b {} llC {} ll {}; reference a {a} b {b} llC {llc} ll {}",
        f.a, f.b, f.loglik_correlation, f.loglik, fx["loglik"]
    );
    assert!(common::rel_close(f.a, a, 1e-3), "a {} vs {a}", f.a);
    assert!(common::rel_close(f.b, b, 1e-4), "b {} vs {b}", f.b);
    assert!((f.loglik_correlation - llc).abs() < 1e-4 * llc.abs().max(1.0));
    assert!(common::rel_close(f.loglik, fx["loglik"].as_f64().unwrap(), 1e-8));
    let last = f.correlations.last().unwrap();
    for (i, row) in fx["corr_last"].as_array().unwrap().iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            assert!((last[i * 3 + j] - v.as_f64().unwrap()).abs() < 1e-4);
        }
    }
    let p = f.pair(0, 1);
    for (k, v) in fx["corr_spy_tlt_every_250"].as_array().unwrap().iter().enumerate() {
        assert!((p[k * 250] - v.as_f64().unwrap()).abs() < 1e-4);
    }
}
