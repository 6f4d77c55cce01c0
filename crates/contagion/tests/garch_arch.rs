//! GARCH(1,1) against `arch` 8.0.0 on daily S&P 500 percentage returns 2000–2025
//! (fixture tests/fixtures/garch_sp500_arch.json from tools/reference/contagion/garch_ref.py).

mod common;
use fissure_contagion::garch::{fit_garch, GarchSpec, Innovation};
use serde_json::Value;

fn sp500_pct() -> Vec<f64> {
    let s = common::demo("SPX", "prices/sp500_index_daily.csv");
    let (from, to) = ("2000-01-01".parse().unwrap(), "2025-12-31".parse().unwrap());
    let v = s.values();
    let d = s.dates();
    (1..v.len()).filter(|&i| d[i] >= from && d[i] <= to).map(|i| 100.0 * (v[i] / v[i - 1] - 1.0)).collect()
}

fn check(name: &str, spec: GarchSpec, param_tol: f64) {
    let fx: Value = serde_json::from_str(&common::fixture("garch_sp500_arch.json")).unwrap();
    let m = &fx["models"][name];
    let y = sp500_pct();
    assert_eq!(y.len() as u64, fx["nobs"].as_u64().unwrap());
    let f = fit_garch(&y, spec).unwrap();
    let want: Vec<f64> = m["params"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let names: Vec<String> = m["param_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_lowercase().replace("[1]", ""))
        .collect();
    assert_eq!(f.param_names, names);
    let ll = m["loglik"].as_f64().unwrap();
    println!("{name}: ours {:?} ll {:.8}\n arch {:?} ll {:.8}", f.params, f.loglik, want, ll);
    println!(" se ours {:?}\n se arch {:?}", f.std_errors, m["std_errors_robust"]);
    assert!(common::rel_close(f.loglik, ll, 1e-8), "loglik {} vs {}", f.loglik, ll);
    assert!(f.loglik >= ll - 1e-6, "our optimum is below arch's");
    for (i, (a, b)) in f.params.iter().zip(&want).enumerate() {
        // parameters at a bound (arch's GJR alpha = 7e-19) are compared absolutely
        let ok = if b.abs() < 1e-6 { a.abs() < param_tol.max(1e-4) } else { common::rel_close(*a, *b, param_tol) };
        assert!(ok, "{name} {}: {a} vs {b}", names[i]);
    }
    let se: Vec<f64> = m["std_errors_robust"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    for (i, (a, b)) in f.std_errors.iter().zip(&se).enumerate() {
        if want[i].abs() < 1e-6 {
            continue; // a parameter on its bound has no meaningful standard error
        }
        assert!(common::rel_close(*a, *b, 1e-2), "{name} se {}: {a} vs {b}", names[i]);
    }
    let v5: Vec<f64> =
        m["conditional_volatility_last5"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let n = f.conditional_volatility.len();
    for (a, b) in f.conditional_volatility[n - 5..].iter().zip(&v5) {
        assert!(common::rel_close(*a, *b, 1e-4), "sigma {a} vs {b}");
    }
}

#[test]
fn garch_normal_matches_arch() {
    check("normal", GarchSpec { dist: Innovation::Normal, gjr: false }, 1e-4);
}

#[test]
fn garch_student_t_matches_arch() {
    check("t", GarchSpec { dist: Innovation::StudentT, gjr: false }, 1e-4);
}

#[test]
fn gjr_normal_matches_arch() {
    check("gjr_normal", GarchSpec { dist: Innovation::Normal, gjr: true }, 1e-3);
}

/// Bitcoin's whole history: the Student-t GARCH optimum sits on the stationarity bound. The fit is
/// returned (as `arch` returns it) with the integrated-GARCH warning, not an error; the
/// log-likelihood equals arch's (−10673.44 on log returns, −10677.54 on simple returns), fixture
/// tests/fixtures/garch_btc_t_arch.json from tools/reference/contagion/garch_btc_ref.py.
#[test]
fn bitcoin_boundary_fit_is_integrated_garch_as_arch() {
    let fx: Value = serde_json::from_str(&common::fixture("garch_btc_t_arch.json")).unwrap();
    let s = common::demo("BTC", "prices/btc_usd_daily.csv");
    let v = s.values();
    for (kind, r) in [
        ("log", (1..v.len()).map(|i| 100.0 * (v[i] / v[i - 1]).ln()).collect::<Vec<f64>>()),
        ("simple", (1..v.len()).map(|i| 100.0 * (v[i] / v[i - 1] - 1.0)).collect()),
    ] {
        let m = &fx["models"][kind];
        assert_eq!(r.len() as u64, m["nobs"].as_u64().unwrap());
        let f = fit_garch(&r, GarchSpec { dist: Innovation::StudentT, gjr: false }).unwrap();
        let ll = m["loglik"].as_f64().unwrap();
        println!("{kind}: ours {:?} ll {:.6}; arch ll {ll:.6}", f.params, f.loglik);
        assert!((f.loglik - ll).abs() < 1e-3, "{kind}: loglik {} vs arch {ll}", f.loglik);
        assert!(f.integrated && f.persistence > 1.0 - 1e-6, "{kind}: persistence {}", f.persistence);
        assert!(f.warnings.iter().any(|w| w.contains("integrated GARCH")), "{:?}", f.warnings);
        let want: Vec<f64> = m["params"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        for (a, b) in f.params.iter().zip(&want) {
            assert!(common::rel_close(*a, *b, 1e-3), "{kind}: {a} vs {b}");
        }
    }
    // a stationary fit carries no warning
    let spx = sp500_pct();
    let f = fit_garch(&spx, GarchSpec::default()).unwrap();
    assert!(!f.integrated && f.warnings.is_empty());
}

/// DCC carries the step-1 warnings: bitcoin's integrated Student-t GARCH is named in the
/// DCC result's warnings; the S&P 500's stationary fit adds none.
#[test]
fn dcc_propagates_the_integrated_garch_warning_by_series() {
    use fissure_contagion::dcc::fit_dcc;
    let s = common::demo("BTC", "prices/btc_usd_daily.csv");
    let v = s.values();
    let btc: Vec<f64> = (1..v.len()).map(|i| 100.0 * (v[i] / v[i - 1]).ln()).collect();
    let spx = sp500_pct();
    let n = btc.len().min(spx.len());
    let cols = vec![btc[btc.len() - n..].to_vec(), spx[spx.len() - n..].to_vec()];
    let names = vec!["BTC".to_string(), "SPX".to_string()];
    let spec = GarchSpec { dist: Innovation::StudentT, gjr: false };
    let f = fit_dcc(&names, &cols, spec).unwrap();
    println!("{n} returns: {:?}", f.warnings);
    assert!(f.garch[0].integrated, "bitcoin's last {n} returns: persistence {}", f.garch[0].persistence);
    assert!(f.warnings.iter().any(|w| w.starts_with("series `BTC`") && w.contains("integrated GARCH")));
    assert!(f.warnings.iter().all(|w| !w.starts_with("series `SPX`")), "{:?}", f.warnings);
    // the JSON form of the fit carries them
    let j = serde_json::to_value(&f.warnings).unwrap();
    assert_eq!(j.as_array().unwrap().len(), f.warnings.len());
}

/// `json::garch_returns` gives the returns the reference fit uses; the document names the span and carries the
/// conditional volatility path only when asked.
#[test]
fn garch_returns_and_document() {
    let s = common::demo("SPX", "prices/sp500_index_daily.csv");
    let (from, to) = ("2000-01-01".parse().ok(), "2025-12-31".parse().ok());
    let (keep, y) = fissure_contagion::panel::garch_returns(&s, from, to, false).unwrap();
    assert_eq!(y, sp500_pct());
    let (_, ly) = fissure_contagion::panel::garch_returns(&s, from, to, true).unwrap();
    assert!((ly[0] - 100.0 * (1.0 + y[0] / 100.0).ln()).abs() < 1e-12);
    assert!(fissure_contagion::panel::garch_returns(&s, "2030-01-01".parse().ok(), None, false).is_err());
    let fit = fit_garch(&y[..1500], GarchSpec::default()).unwrap();
    let v = fissure_contagion::json::garch(&s, &keep[..1500], false, &fit, false);
    assert_eq!(v["from"], serde_json::json!(s.dates()[keep[0]]));
    assert_eq!(v["nobs"], 1500);
    assert!(v.get("conditional_volatility").is_none());
    let p = fissure_contagion::json::garch(&s, &keep[..1500], false, &fit, true);
    assert_eq!(p["conditional_volatility"]["value"].as_array().map(Vec::len), Some(1500));
}
