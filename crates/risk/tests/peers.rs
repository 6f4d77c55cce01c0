//! VaR/ES, EVT, the GARCH filter and Kupiec against the Python peers on the bundled portfolio
//! (fixture tests/fixtures/risk_peers.json from tools/reference/risk/risk_ref.py).

mod common;

use fissure_risk::backtest::{kupiec, traffic_light};
use fissure_risk::fhs::{self, Correlation};
use fissure_risk::measures::{self, gpd_tail};

fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!((a - b).abs() <= rel * b.abs().max(1e-12), "{what}: {a} vs {b}");
}

#[test]
fn same_returns_as_the_reference_script() {
    let fx = common::fixture("risk_peers.json");
    let (pf, m, _) = common::watchlist_portfolio();
    assert_eq!(m.t() as u64, fx["n"].as_u64().unwrap());
    assert_eq!(m.dates[0].to_string(), fx["first_date"].as_str().unwrap());
    let sum: f64 = m.portfolio(&pf.weights()).iter().sum();
    close(sum, fx["sum_returns"].as_f64().unwrap(), 1e-12, "sum of portfolio returns");
}

#[test]
fn var_es_match_numpy_quantstats_and_the_cornish_fisher_formula() {
    let fx = common::fixture("risk_peers.json");
    let (pf, m, _) = common::watchlist_portfolio();
    let w = pf.weights();
    for level in [0.95, 0.975, 0.99] {
        let r = &fx["levels"][level.to_string()];
        let g = |k: &str| r[k].as_f64().unwrap();
        let h = measures::historical(&m.data, m.n(), &w, level).unwrap();
        close(h.var, g("historical_var"), 1e-12, "historical VaR vs numpy type 7");
        close(h.es, g("historical_es"), 1e-12, "historical ES");
        let ga = measures::gaussian(&m.data, m.n(), &w, level).unwrap();
        close(ga.var, g("gaussian_var"), 1e-10, "Gaussian VaR");
        close(ga.var, g("quantstats_var"), 1e-10, "quantstats value_at_risk");
        close(ga.es, g("gaussian_es"), 1e-10, "Gaussian ES");
        for (a, b) in ga.var_components.iter().zip(r["gaussian_components"].as_array().unwrap()) {
            close(*a, b.as_f64().unwrap(), 1e-9, "Gaussian component");
        }
        let cf = measures::cornish_fisher(&m.data, m.n(), &w, level).unwrap();
        close(cf.var, g("cornish_fisher_var"), 1e-10, "Cornish–Fisher VaR");
        let (s, k) = measures::skew_kurt(&m.data, m.n(), &w).unwrap();
        close(s, g("skewness"), 1e-10, "skewness");
        close(k, g("excess_kurtosis"), 1e-10, "excess kurtosis");
        // riskfolio's CVaR_Hist (Rockafellar–Uryasev on the ⌈np⌉-th order statistic) coincides with our ES
        // when no interpolation tie intervenes; its VaR_Hist is the lower order statistic (documented).
        close(h.es, g("riskfolio_cvar_hist"), 1e-9, "riskfolio CVaR_Hist");
        assert!(
            (h.var - g("riskfolio_var_hist")).abs() < 2e-4,
            "riskfolio VaR_Hist convention differs by interpolation only"
        );
    }
}

#[test]
fn gpd_matches_scipy_genpareto() {
    let fx = common::fixture("risk_peers.json");
    let (pf, m, _) = common::watchlist_portfolio();
    let l = measures::losses(&m.data, m.n(), &pf.weights());
    let t = gpd_tail(&l, 0.1).unwrap();
    let e = &fx["evt"];
    close(t.threshold, e["threshold"].as_f64().unwrap(), 1e-12, "threshold");
    assert_eq!(t.n_exceed as u64, e["n_exceed"].as_u64().unwrap());
    // same likelihood optimum: ξ and β to 1e-3 relative, log-likelihood to 1e-7
    close(t.xi, e["xi"].as_f64().unwrap(), 2e-3, "ξ");
    close(t.beta, e["beta"].as_f64().unwrap(), 2e-3, "β");
}

#[test]
fn garch_filter_matches_arch() {
    let fx = common::fixture("risk_peers.json");
    let (_, m, _) = common::watchlist_portfolio();
    let model = fhs::fit(&m, Correlation::Constant).unwrap();
    for (i, id) in model.ids.iter().enumerate() {
        let g = &fx["garch"][id];
        let rel = 2e-3;
        close(model.sigma2_next[i], g["sigma2_next"].as_f64().unwrap(), 5e-3, &format!("{id} σ²_T+1"));
        close(
            model.alpha[i] + model.beta[i],
            g["alpha"].as_f64().unwrap() + g["beta"].as_f64().unwrap(),
            rel,
            &format!("{id} persistence"),
        );
    }
}

#[test]
fn kupiec_matches_vartests_and_traffic_light_matches_the_binomial() {
    let fx = common::fixture("risk_peers.json");
    for c in fx["kupiec"].as_array().unwrap() {
        let (n, x, lv) =
            (c["n"].as_u64().unwrap() as usize, c["x"].as_u64().unwrap() as usize, c["level"].as_f64().unwrap());
        let k = kupiec(n, x, 1.0 - lv);
        close(k.lr, c["lr"].as_f64().unwrap(), 1e-10, "Kupiec LR");
        close(k.p, c["p"].as_f64().unwrap(), 1e-9, "Kupiec p");
        close(traffic_light(n, x, 1.0 - lv).1, c["binom_cdf"].as_f64().unwrap(), 1e-9, "binomial cdf");
    }
}

#[test]
fn gpd_likelihood_is_at_least_as_good_as_scipy() {
    let fx = common::fixture("risk_peers.json");
    let (pf, m, _) = common::watchlist_portfolio();
    let l = measures::losses(&m.data, m.n(), &pf.weights());
    let t = gpd_tail(&l, 0.1).unwrap();
    let exc: Vec<f64> = l.iter().filter(|v| **v > t.threshold).map(|v| v - t.threshold).collect();
    let n = exc.len() as f64;
    let nll = n * t.beta.ln() + (1.0 + 1.0 / t.xi) * exc.iter().map(|y| (1.0 + t.xi * y / t.beta).ln()).sum::<f64>();
    assert!(nll <= fx["evt"]["nll"].as_f64().unwrap() + 1e-9, "{nll} vs scipy {}", fx["evt"]["nll"]);
}
