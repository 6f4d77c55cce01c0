//! Property tests: Euler components sum to the totals for every method; a single-asset replay
//! equals the asset's own return; √h scaling and overlapping horizons are consistent.

mod common;

use chrono::{Days, NaiveDate};
use fissure_core::{Series, SeriesMeta};
use fissure_risk::measures;
use fissure_risk::portfolio::ReturnMatrix;
use fissure_risk::scenario::{replay, Episode, ReplayOptions};
use fissure_risk::var::{portfolio_var, Method, VarOptions};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn sums_to(parts: &[f64], total: f64) -> bool {
    let s: f64 = parts.iter().sum();
    (s - total).abs() <= 1e-10 * (1.0 + total.abs())
}

fn panel(t: usize, n: usize, seed: u64, heavy: bool) -> Vec<f64> {
    use rand::Rng;
    let mut rng = fissure_stats::rng::seeded(seed);
    let common: Vec<f64> = (0..t).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let mut out = Vec::with_capacity(t * n);
    for c in &common {
        for j in 0..n {
            let e: f64 = rng.gen_range(-1.0..1.0);
            let shock = if heavy && rng.gen_bool(0.02) { -4.0 * rng.gen::<f64>() } else { 0.0 };
            out.push(0.01 * (0.5 * c * (1.0 + j as f64 * 0.1) + e + shock));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn euler_components_sum_to_the_total(
        n in 1usize..8,
        seed in 0u64..10_000,
        level in 0.9f64..0.995,
        heavy in any::<bool>(),
        raw in proptest::collection::vec(-1.0f64..2.0, 8),
    ) {
        let t = 400;
        let x = panel(t, n, seed, heavy);
        let w: Vec<f64> = raw[..n].to_vec();
        prop_assume!(w.iter().map(|v| v.abs()).sum::<f64>() > 0.1);
        for e in [
            measures::historical(&x, n, &w, level).unwrap(),
            measures::gaussian(&x, n, &w, level).unwrap(),
            measures::cornish_fisher(&x, n, &w, level).unwrap(),
        ] {
            prop_assert!(sums_to(&e.var_components, e.var), "VaR {:?}", e);
            prop_assert!(sums_to(&e.es_components, e.es), "ES {:?}", e);
        }
        if let Ok((e, _)) = measures::evt(&x, n, &w, level.max(0.95), 0.1) {
            prop_assert!(sums_to(&e.var_components, e.var) && sums_to(&e.es_components, e.es));
        }
    }

    #[test]
    fn single_asset_replay_equals_its_own_return(
        prices in proptest::collection::vec(1.0f64..1000.0, 5..60),
        a in 0usize..30,
        len in 1usize..30,
    ) {
        let s0: NaiveDate = "2021-03-01".parse().unwrap();
        let dates: Vec<NaiveDate> = (0..prices.len()).map(|i| s0 + Days::new(i as u64)).collect();
        let s = Series::new(SeriesMeta::new("X"), dates.clone(), prices.clone()).unwrap();
        let a = a.min(prices.len() - 2);
        let b = (a + len).min(prices.len() - 1);
        let ep = Episode { name: "w".into(), start: dates[a], end: dates[b] };
        let r = replay(&[(&s, 1.0)], &[], &ep, &ReplayOptions::default()).unwrap();
        let own = 100.0 * (prices[b] / prices[a] - 1.0);
        prop_assert!((r.pnl_pct - own).abs() < 1e-9 * (1.0 + own.abs()), "{} vs {own}", r.pnl_pct);
        let worst = (a..=b).map(|i| 100.0 * (prices[i] / prices[a] - 1.0)).fold(0.0f64, f64::min);
        prop_assert!((r.worst_pct - worst).abs() < 1e-9 * (1.0 + worst.abs()));
    }
}

#[test]
fn portfolio_components_sum_on_real_data_for_every_method_and_horizon() {
    let (pf, m, _) = common::watchlist_portfolio();
    let baskets = BTreeMap::new();
    for h in [1, 10] {
        for method in Method::ALL {
            let opts = VarOptions { level: 0.99, horizon: h, sims: 2000, ..Default::default() };
            for r in portfolio_var(&m, &pf, method, &opts, &baskets).unwrap() {
                let v: Vec<f64> = r.components.iter().map(|c| c.var).collect();
                let e: Vec<f64> = r.components.iter().map(|c| c.es).collect();
                assert!(sums_to(&v, r.var) && sums_to(&e, r.es), "{method:?} h={h} {:?}", r.scaling);
                assert!(r.var > 0.0 && r.es >= r.var - 1e-12, "{method:?} h={h}: VaR {} ES {}", r.var, r.es);
            }
        }
    }
}

#[test]
fn fhs_is_seeded_and_independent_of_the_thread_count() {
    let (pf, m, _) = common::watchlist_portfolio();
    let opts = VarOptions { horizon: 5, sims: 3000, ..Default::default() };
    let a = portfolio_var(&m, &pf, Method::Fhs, &opts, &BTreeMap::new()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = pool.install(|| portfolio_var(&m, &pf, Method::Fhs, &opts, &BTreeMap::new()).unwrap());
    assert_eq!(a[0].var, b[0].var);
    assert_eq!(a[0].es, b[0].es);
    assert!(a[0].dcc.is_some(), "DCC is the default correlation");
}

#[test]
fn overlapping_ten_day_var_is_close_to_sqrt_scaled_on_iid_returns() {
    // iid returns: overlapping 10-day VaR ≈ √10 × 1-day VaR (within sampling error)
    let t = 20_000;
    let x = panel(t, 1, 5, false);
    let m = ReturnMatrix {
        ids: vec!["X".into()],
        dates: (0..t).map(|i| NaiveDate::from_num_days_from_ce_opt(700_000 + i as i32).unwrap()).collect(),
        data: x,
    };
    let e = vec![("X".to_string(), 1.0, None)];
    let pf = fissure_risk::portfolio::Portfolio::from_weights(&e, 0.0, false, |_| 0.25).unwrap();
    let opts = VarOptions { level: 0.99, horizon: 10, ..Default::default() };
    let r = portfolio_var(&m, &pf, Method::Gaussian, &opts, &BTreeMap::new()).unwrap();
    let (ov, sq) = (r[0].var, r[1].var);
    assert!((ov / sq - 1.0).abs() < 0.06, "overlapping {ov} vs sqrt {sq}");
}

#[test]
fn backtests_on_the_bundled_portfolio_are_finite_and_ranked() {
    let (pf, _, s) = common::watchlist_portfolio();
    let refs: Vec<&Series> = s.iter().collect();
    let m = fissure_risk::portfolio::return_matrix(&refs, None, Some("2026-08-21".parse().unwrap())).unwrap();
    let r = m.portfolio(&pf.weights());
    let o = fissure_risk::backtest::BacktestOptions { sims: 200, ..Default::default() };
    let (res, fc) = fissure_risk::backtest::backtest(&r, &m.dates, &Method::ALL, &o).unwrap();
    let mut ranks: Vec<usize> = res.iter().map(|r| r.rank).collect();
    ranks.sort();
    assert_eq!(ranks, vec![1, 2, 3, 4, 5]);
    for (b, f) in res.iter().zip(&fc) {
        assert_eq!(b.forecasts, r.len() - 500);
        assert!(b.kupiec.p.is_finite() && b.christoffersen.p_cc.is_finite() && b.es_test.z2.is_finite(), "{b:?}");
        // real time: each forecast uses only returns before its date
        assert!(f.dates[0] == m.dates[500]);
    }
    // the Gaussian model under-covers fat tails at 99 %
    let g = res.iter().find(|b| b.method == Method::Gaussian).unwrap();
    assert!(g.exceptions as f64 > g.expected, "{g:?}");
}

/// `portfolio_var_methods` is each method's `portfolio_var` in turn, and a failure names its method.
#[test]
fn var_methods_concatenate_in_order_and_name_the_failing_method() {
    let (pf, m, _) = common::watchlist_portfolio();
    let opts = VarOptions { level: 0.99, horizon: 10, sims: 2000, ..Default::default() };
    let methods = [Method::Gaussian, Method::Historical];
    let all = fissure_risk::var::portfolio_var_methods(&m, &pf, &methods, &opts, &BTreeMap::new()).unwrap();
    let mut one = portfolio_var(&m, &pf, Method::Gaussian, &opts, &BTreeMap::new()).unwrap();
    one.extend(portfolio_var(&m, &pf, Method::Historical, &opts, &BTreeMap::new()).unwrap());
    assert_eq!(all.len(), one.len());
    for (a, b) in all.iter().zip(&one) {
        assert_eq!(
            (a.method, a.scaling, a.var.to_bits(), a.es.to_bits()),
            (b.method, b.scaling, b.var.to_bits(), b.es.to_bits())
        );
    }
    let bad = VarOptions { horizon: 0, ..opts };
    let e = fissure_risk::var::portfolio_var_methods(&m, &pf, &methods, &bad, &BTreeMap::new()).unwrap_err();
    assert_eq!(e.to_string(), "gaussian VaR of the portfolio");
    assert_eq!(std::error::Error::source(&e).map(|s| s.to_string()), Some("horizon 0 must be in 1..=250 days".into()));
}
