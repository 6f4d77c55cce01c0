//! Analytic special cases: the Greenwood–Landier–Thesmar closed form, the no-agent
//! identity, shock parsing and parameter validation.

use chrono::NaiveDate;
use fissure_spiral::config::{Exogenous, ImpactModel, LeverageConfig};
use fissure_spiral::engine::{equity, run_path, Model, Recorder, Work};
use fissure_spiral::glt::closed_form;
use fissure_spiral::{parse_spec, simulate, AgentClass, Market, Shock, SpiralConfig};
use std::collections::BTreeMap;

fn synthetic(k: usize) -> Market {
    let ids: Vec<String> = (0..k).map(|i| format!("A{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    Market::synthetic(&refs, 0.01, 0.3, 50.0, 300, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap())
}

fn bare_config(m: &Market) -> SpiralConfig {
    let mut cfg = SpiralConfig::default_config();
    cfg.assets.retain(|_| false);
    for id in &m.ids {
        let mut a = SpiralConfig::default_config().assets[0].clone();
        a.id = id.clone();
        a.adv_usd_bn = Some(50.0);
        a.adv_series.clear();
        cfg.assets.push(a);
    }
    cfg.without(&AgentClass::ALL);
    cfg.simulation.exogenous = Exogenous::None;
    cfg
}

/// GLT (2015): with leverage targeters only, linear impact and one round, the simulated
/// second-round P&L of each bank equals A·M·L·M'·B·A·M·F to 1e-9.
#[test]
fn glt_closed_form_matches_simulation() {
    let m = synthetic(4);
    let mut cfg = bare_config(&m);
    cfg.impact.model = ImpactModel::Linear;
    cfg.impact.y = 0.8;
    cfg.impact.state_dependent_sigma = false;
    cfg.simulation.rounds = 1;
    cfg.simulation.steps = 1;
    let banks = [
        (900.0, 12.0, [0.4, 0.3, 0.2, 0.1]),
        (400.0, 8.0, [0.1, 0.1, 0.4, 0.4]),
        (250.0, 20.0, [0.25, 0.25, 0.25, 0.25]),
    ];
    for (i, (a, b, w)) in banks.iter().enumerate() {
        let weights: BTreeMap<String, f64> = m.ids.iter().cloned().zip(w.iter().copied()).collect();
        cfg.leverage.push(LeverageConfig { name: format!("bank {i}"), assets: *a, leverage: *b, weights });
    }
    let f = [-0.05, -0.02, 0.01, -0.03];
    let shock = Shock { moves: f.to_vec(), boj: 0.0, direct: vec![true; 4], specs: vec![], propagated: false };
    let model = Model::new(&cfg, &m, &shock);
    let mut work = Work::new(&model, &m);
    let mut rng = fissure_stats::rng::stream(1, 0);
    let (mut rw, mut rf) = (vec![0.0; 4], vec![0.0; 4]);
    let days = [1usize];
    let mut rec = Recorder { days: &days, with_agents: &mut rw, without_agents: &mut rf, daily: None };
    run_path(&model, &m, &shock, &mut rng, &mut work, &mut rec);
    let eq = equity(&work);
    let a: Vec<f64> = banks.iter().map(|b| b.0).collect();
    let bvec: Vec<f64> = banks.iter().map(|b| b.1).collect();
    let mm: Vec<Vec<f64>> = banks.iter().map(|b| b.2.to_vec()).collect();
    let l: Vec<f64> = (0..4).map(|j| 0.8 * m.sigma_window[j] / m.adv[j]).collect();
    let cf = closed_form(&a, &mm, &bvec, &l, &f);
    for i in 0..3 {
        let e0 = a[i] / (1.0 + bvec[i]);
        let second = eq[i] - e0 - cf.direct[i];
        let rel = (second - cf.second_round[i]).abs() / cf.second_round[i].abs();
        assert!(rel < 1e-9, "bank {i}: simulated {second}, closed form {}, rel {rel}", cf.second_round[i]);
        assert!(cf.second_round[i] < 0.0);
    }
    // The price moves are the closed form's L·M'·B·A·M·F.
    for j in 0..4 {
        let impact = rw[j] - f[j];
        assert!((impact - cf.price_moves[j]).abs() < 1e-12 * (1.0 + cf.price_moves[j].abs()), "asset {j}");
    }
    let e_total: f64 = (0..3).map(|i| a[i] / (1.0 + bvec[i])).sum();
    assert!((cf.aggregate_vulnerability - cf.second_round.iter().sum::<f64>() / e_total).abs() < 1e-15);
}

/// A closed-form value computed by hand: one bank, one asset.
#[test]
fn glt_one_bank_one_asset_by_hand() {
    // a = 100, b = 9, ℓ = 0.001, F = −0.1: direct −10, sales 90, price −0.09, second round −9.
    let cf = closed_form(&[100.0], &[vec![1.0]], &[9.0], &[0.001], &[-0.1]);
    assert!((cf.direct[0] + 10.0).abs() < 1e-12);
    assert!((cf.net_flows[0] + 90.0).abs() < 1e-12);
    assert!((cf.price_moves[0] + 0.09).abs() < 1e-12);
    assert!((cf.second_round[0] + 9.0).abs() < 1e-12);
    assert!((cf.aggregate_vulnerability + 0.9).abs() < 1e-12);
}

/// `--no-agents all`: the amplification is exactly 1 on every path, with noise.
#[test]
fn no_agents_gives_amplification_exactly_one() {
    let m = synthetic(5);
    let mut cfg = bare_config(&m);
    cfg.simulation.exogenous = Exogenous::Gaussian;
    cfg.simulation.paths = 200;
    cfg.simulation.steps = 30;
    let shock = Shock::resolve(&[parse_spec("A0=-5%").unwrap()], &m).unwrap();
    let r = simulate(&cfg, &m, &shock);
    let a = r.amplification.unwrap();
    assert_eq!((a.p05, a.median, a.p95), (1.0, 1.0, 1.0));
    assert_eq!(r.amplification_of_means, Some(1.0));
    assert!(r.flows.is_empty());
    for x in &r.returns {
        assert_eq!(x.with_agents, x.without_agents);
    }
}

/// Without noise and agents, the counterfactual return is the shock itself.
#[test]
fn counterfactual_is_the_shock_without_noise() {
    let m = synthetic(3);
    let cfg = bare_config(&m);
    let shock = Shock::resolve(&[parse_spec("A1=-0.07").unwrap()], &m).unwrap();
    let r = simulate(&cfg, &m, &shock);
    assert!((r.returns[1].without_agents.median + 0.07).abs() < 1e-15);
    assert_eq!(r.returns[0].without_agents.median, 0.0);
}

#[test]
fn shock_specs_parse_and_refuse() {
    assert_eq!(parse_spec("SPX=-0.05").unwrap().value, -0.05);
    assert!((parse_spec("SPX=-5%").unwrap().value + 0.05).abs() < 1e-15);
    assert!((parse_spec("US10Y=+25bp").unwrap().value - 0.0025).abs() < 1e-15);
    assert!(parse_spec("SPX").is_err());
    assert!(parse_spec("SPX=abc").is_err());
    assert!(parse_spec("=0.1").is_err());
    let m = synthetic(2);
    assert!(Shock::resolve(&[parse_spec("NOPE=-0.1").unwrap()], &m).is_err());
    assert!(Shock::resolve(&[parse_spec("A0=-1.5").unwrap()], &m).is_err());
    let b = Shock::resolve(&[parse_spec("BOJ=+25bp").unwrap()], &m).unwrap();
    assert_eq!(b.boj, 0.0025);
}

/// A BoJ-only shock moves no price without agents: the amplification is n/a, with a reason.
#[test]
fn boj_only_shock_has_no_amplification() {
    let m = synthetic(2);
    let cfg = bare_config(&m);
    let shock = Shock::resolve(&[parse_spec("BOJ=+25bp").unwrap()], &m).unwrap();
    let r = simulate(&cfg, &m, &shock);
    assert!(r.amplification.is_none());
    assert!(r.amplification_note.unwrap().starts_with("n/a"));
}

#[test]
fn default_config_parses_and_bad_values_are_refused() {
    let cfg = SpiralConfig::default_config();
    assert_eq!(cfg.assets.len(), 8);
    assert!(cfg.agent_count() >= 5);
    let bad = fissure_spiral::config::DEFAULT_TOML.replace("paths = 2000", "paths = 0");
    let e = SpiralConfig::from_toml(&bad, "x.toml").unwrap_err().to_string();
    assert!(e.contains("simulation.paths") && e.contains("x.toml"), "{e}");
    let bad = fissure_spiral::config::DEFAULT_TOML.replace("utilisation = 0.95", "utilisation = 1.5");
    assert!(SpiralConfig::from_toml(&bad, "x.toml").unwrap_err().to_string().contains("utilisation"));
    let bad = fissure_spiral::config::DEFAULT_TOML.replace("[impact]", "[impact]\nbogus = 1");
    assert!(SpiralConfig::from_toml(&bad, "x.toml").is_err());
    let bad = fissure_spiral::config::DEFAULT_TOML.replace("GOLD = 0.17", "GLOD = 0.17");
    assert!(SpiralConfig::from_toml(&bad, "x.toml").unwrap_err().to_string().contains("GLOD"));
    for c in ["cta", "vol_target", "risk_parity", "margin", "carry", "lp", "leverage"] {
        assert!(AgentClass::parse(c).is_some(), "{c}");
    }
    assert!(AgentClass::parse("hedgehogs").is_none());
}

/// The square-root law is concave, the exponential bounded by 1, the linear odd; all vanish at 0.
#[test]
fn impact_laws() {
    let m = synthetic(1);
    let mut cfg = bare_config(&m);
    let shock = Shock::none(1);
    for model in [ImpactModel::Sqrt, ImpactModel::Exponential, ImpactModel::Linear] {
        cfg.impact.model = model;
        let md = Model::new(&cfg, &m, &shock);
        assert_eq!(md.impact(0.0, 0.01, 50.0), 0.0);
        assert!(md.impact(-10.0, 0.01, 50.0) < 0.0);
        assert!((md.impact(-10.0, 0.01, 50.0) + md.impact(10.0, 0.01, 50.0)).abs() < 1e-15);
        assert!(md.impact(-1e9, 0.01, 50.0) >= -1.0 || model != ImpactModel::Exponential);
    }
    cfg.impact.model = ImpactModel::Sqrt;
    let md = Model::new(&cfg, &m, &shock);
    // Δp/p = Y σ sqrt(Q/ADV): Q = ADV gives Y·σ.
    assert!((md.impact(50.0, 0.01, 50.0) - cfg.impact.y * 0.01).abs() < 1e-15);
    assert!((md.impact(200.0, 0.01, 50.0) - 2.0 * md.impact(50.0, 0.01, 50.0)).abs() < 1e-15);
}
