//! Stylised facts on the bundled real data: amplification above 1 and convex in the
//! shock, safe-haven failure of gold only with margin-constrained gold holders,
//! stop-loss cascades, determinism whatever the thread count, and the replays.

mod common;

use fissure_spiral::config::Exogenous;
use fissure_spiral::{parse_spec, replay, simulate, simulate_path, AgentClass, Market, Shock, SpiralConfig};

fn market(cfg: &SpiralConfig) -> Market {
    Market::estimate(common::demo(), cfg, None).expect("market from the bundled data")
}

fn shock(m: &Market, cfg: &SpiralConfig, spec: &str) -> Shock {
    Shock::build(&[parse_spec(spec).unwrap()], m, cfg).unwrap()
}

/// Mean amplification of S&P 500 falls `z` with the default agents, Gaussian noise, fixed seed.
fn amplification_grid(steps: usize, paths: usize, z: &[f64]) -> Vec<f64> {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.paths = paths;
    cfg.simulation.steps = steps;
    let m = market(&cfg);
    z.iter().map(|x| simulate(&cfg, &m, &shock(&m, &cfg, &format!("SPX=-{x}"))).amplification.unwrap().mean).collect()
}

/// With every default agent and Gaussian noise, the amplification is above 1 for every
/// shock from 2% to 15%, on the day of the shock and over ten days.
#[test]
fn amplification_above_one_with_all_agents() {
    let z = [0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15];
    for steps in [1, 10] {
        let a = amplification_grid(steps, 300, &z);
        assert!(a.iter().all(|x| *x > 1.05), "{steps} days: {a:?}");
    }
}

/// The spiral on the day of the shock (fast agents: margin calls of five cushion tranches,
/// stops, carry unwinds, value buyers whose spare capital is part of the depth): the
/// amplification rises with the shock from 2% to 6% and the loss is convex, i.e. it grows
/// faster than linearly in the shock. Beyond about 6% it falls (docs/spiral.md): the margin
/// book is sold and the value buyers' capital is used up, so this test stops at 6% (the next
/// test shows why).
#[test]
fn amplification_increases_with_the_shock_on_the_day() {
    let z = [0.02, 0.04, 0.06];
    let a = amplification_grid(1, 400, &z);
    for w in a.windows(2) {
        assert!(w[1] > w[0] + 0.01, "amplification {a:?}");
    }
    let loss: Vec<f64> = a.iter().zip(&z).map(|(a, z)| a * z).collect();
    assert!(loss[2] - 2.0 * loss[1] + loss[0] > 0.0, "loss {loss:?}");
    // Faster than linear: doubling the shock more than doubles the agents' extra loss.
    let extra: Vec<f64> = a.iter().zip(&z).map(|(a, z)| (a - 1.0) * z).collect();
    assert!(extra[1] > 2.0 * extra[0], "extra loss {extra:?}");
}

/// Why the amplification cannot keep rising: the leveraged capital is finite. A(z) = 1 + E(z)/z, and the
/// agents' extra loss E(z) is bounded once every margin tranche has been called and liquidated, so A
/// falls towards 1 beyond that point in this model and in any model with finite leverage. Here the forced
/// sales reach their plateau (the whole margin book) by a 6–8% fall: from 8% to 15% they change by less
/// than 3%, while from 2% to 6% they grow more than fivefold.
#[test]
fn forced_sales_plateau_once_the_margin_book_is_sold() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.paths = 300;
    cfg.simulation.steps = 1;
    let m = market(&cfg);
    let fs: Vec<f64> = [0.02, 0.06, 0.08, 0.10, 0.12, 0.15]
        .iter()
        .map(|z| simulate(&cfg, &m, &shock(&m, &cfg, &format!("SPX=-{z}"))).forced_sales.median)
        .collect();
    assert!(fs[1] > 5.0 * fs[0], "forced sales {fs:?}");
    let top = fs[2..].iter().copied().fold(f64::MIN, f64::max);
    assert!(fs[2..].iter().all(|v| *v > 0.97 * top), "forced sales {fs:?}");
}

/// The margin spiral alone (Brunnermeier–Pedersen investors with volatility-dependent
/// margins, limited-capital value buyers, no noise, the day of the shock): a threshold,
/// then the agents' extra loss more than doubles when the shock doubles.
#[test]
fn margin_spiral_amplification_grows_faster_than_the_shock() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.exogenous = Exogenous::None;
    cfg.simulation.paths = 1;
    cfg.simulation.steps = 1;
    cfg.without(&[AgentClass::Cta, AgentClass::VolTarget, AgentClass::Carry]);
    let m = market(&cfg);
    let z = [0.01, 0.02, 0.03, 0.04];
    let mut amps = Vec::new();
    for x in z {
        amps.push(simulate(&cfg, &m, &shock(&m, &cfg, &format!("SPX=-{x}"))).amplification.unwrap().median);
    }
    // A threshold: a 1% fall leaves every tranche within its margin (amplification exactly 1).
    assert_eq!(amps[0], 1.0, "amplification {amps:?}");
    for w in amps[1..].windows(2) {
        assert!(w[1] > w[0], "amplification {amps:?}");
    }
    assert!(amps[1] > 1.0, "amplification {amps:?}");
    let extra: Vec<f64> = (0..4).map(|i| (amps[i] - 1.0) * z[i]).collect();
    assert!(extra[3] > 2.0 * extra[1], "extra loss {extra:?}");
}

/// Safe-haven failure: on an equity shock, gold falls when margin-constrained investors
/// hold it, and does not move when they hold none (no noise, no propagation, only the
/// margin investors and value buyers trade).
#[test]
fn gold_safe_haven_fails_only_with_margin_constrained_holders() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.exogenous = Exogenous::None;
    cfg.simulation.propagate_shock = false;
    cfg.simulation.paths = 1;
    cfg.simulation.steps = 5;
    cfg.without(&[AgentClass::Cta, AgentClass::VolTarget, AgentClass::Carry]);
    let m = market(&cfg);
    let gold = m.index("GOLD").unwrap();
    let sh = shock(&m, &cfg, "SPX=-0.08");
    let with = simulate(&cfg, &m, &sh);
    let g_with = with.returns[gold].with_agents.median;
    assert!(with.forced_sales.median > 0.0);
    assert!(g_with < -0.003, "gold with margin-constrained holders: {g_with}");
    for mc in &mut cfg.margin {
        mc.weights.remove("GOLD");
    }
    let m = market(&cfg);
    let without = simulate(&cfg, &m, &sh);
    let g_without = without.returns[gold].with_agents.median;
    assert!(without.forced_sales.median > 0.0, "the margin spiral still runs in other assets");
    assert_eq!(g_without, 0.0, "gold without margin-constrained holders");
}

/// A trend follower's round-number stop: a gold fall through the level triggers it and
/// deepens the fall beyond the same fall with the stop removed.
#[test]
fn round_number_stop_triggers_and_deepens_the_fall() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.exogenous = Exogenous::None;
    cfg.simulation.propagate_shock = false;
    cfg.simulation.paths = 1;
    cfg.simulation.steps = 1;
    cfg.without(&[AgentClass::VolTarget, AgentClass::Carry, AgentClass::Margin, AgentClass::Liquidity]);
    let m = market(&cfg);
    let gold = m.index("GOLD").unwrap();
    // A stop 1% below the starting price and a 2% exogenous fall.
    let level = m.price0[gold] * 0.99;
    cfg.cta[0].stops = vec![fissure_spiral::config::StopConfig { asset: "GOLD".into(), level, cut: 0.5 }];
    let sh = shock(&m, &cfg, "GOLD=-0.02");
    let with_stop = simulate(&cfg, &m, &sh);
    assert_eq!(with_stop.stop_triggers.median, 1.0);
    cfg.cta[0].stops.clear();
    let no_stop = simulate(&cfg, &m, &sh);
    assert_eq!(no_stop.stop_triggers.median, 0.0);
    let (a, b) = (with_stop.returns[gold].with_agents.median, no_stop.returns[gold].with_agents.median);
    assert!(a < b - 1e-4, "with stop {a}, without {b}");
}

/// Margins rise with volatility: the same positions in a more volatile market are
/// forced to sell more on the same shock.
#[test]
fn higher_volatility_means_more_forced_sales() {
    use fissure_spiral::engine::{run_path, Model, Recorder, Work};
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.exogenous = Exogenous::None;
    cfg.simulation.steps = 1;
    cfg.without(&[AgentClass::Cta, AgentClass::VolTarget, AgentClass::Carry, AgentClass::Liquidity]);
    let m = market(&cfg);
    let sh = shock(&m, &cfg, "SPX=-0.03");
    let model = Model::new(&cfg, &m, &sh);
    let forced = |mk: &Market| {
        let mut w = Work::new(&model, mk);
        let (mut a, mut b) = (vec![0.0; mk.k()], vec![0.0; mk.k()]);
        let days = [1usize];
        let mut rec = Recorder { days: &days, with_agents: &mut a, without_agents: &mut b, daily: None };
        run_path(&model, mk, &sh, &mut fissure_stats::rng::stream(1, 0), &mut w, &mut rec);
        w.forced_sales
    };
    let mut stressed = m.clone();
    stressed.sigma_ewma.iter_mut().for_each(|s| *s *= 1.5);
    let (base, more) = (forced(&m), forced(&stressed));
    assert!(more > base * 1.2, "forced sales {base} (as estimated) vs {more} (volatility × 1.5, same positions)");
}

/// Identical results with 1 and 2 threads, and path i of the Monte Carlo is `simulate_path(i)`.
#[test]
fn deterministic_whatever_the_thread_count() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.paths = 64;
    cfg.simulation.steps = 15;
    cfg.simulation.exogenous = Exogenous::Bootstrap;
    let m = market(&cfg);
    let sh = shock(&m, &cfg, "QQQ=-0.06");
    let run =
        |t: usize| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap().install(|| simulate(&cfg, &m, &sh));
    let (a, b) = (run(1), run(2));
    assert_eq!(a, b);
    assert_eq!(a, simulate(&cfg, &m, &sh));
    // Path export reproduces the Monte Carlo path.
    cfg.simulation.paths = 1;
    let one = simulate(&cfg, &m, &sh);
    let p = simulate_path(&cfg, &m, &sh, 0);
    assert_eq!(p.dates.len(), 15);
    for j in 0..m.k() {
        let cum = p.returns.iter().fold(1.0, |acc, r| acc * (1.0 + r[j])) - 1.0;
        assert!((cum - one.returns[j].with_agents.median).abs() < 1e-12, "asset {j}");
    }
    assert_eq!(p.amplification, one.amplification.map(|q| q.median));
    // A different seed differs.
    cfg.simulation.seed += 1;
    assert_ne!(simulate(&cfg, &m, &sh).returns[0].with_agents, one.returns[0].with_agents);
}

/// The bundled replays: every sign matches the real day (flat assets stay flat) and
/// every magnitude is within the replay's stated factor.
#[test]
fn replays_match_the_real_days() {
    let cfg = SpiralConfig::default_config();
    let defs = replay::bundled();
    assert!(defs.iter().any(|d| d.date.to_string() == "2024-08-05"));
    assert!(defs.iter().any(|d| d.date.to_string() == "2026-02-12"));
    for def in defs {
        let r = replay::run(&def, common::demo(), &cfg).unwrap();
        assert!(r.missing.is_empty(), "{}: missing {:?}", r.date, r.missing);
        assert!(r.all_signs_match, "{}: {:?}", r.date, r.assets);
        assert!(r.within_factor, "{}: max factor {} > {}", r.date, r.max_factor, r.factor_bound);
        // The agents add to the fall of the risky assets beyond the exogenous inputs.
        let spx = r.assets.iter().find(|a| a.id == "SPX").unwrap();
        assert!(spx.simulated < spx.exogenous);
    }
}

#[test]
fn missing_series_and_unknown_replay_are_refused() {
    let cfg = SpiralConfig::default_config();
    let mut data = common::demo().clone();
    data.remove("BTC");
    let e = Market::estimate(&data, &cfg, None).unwrap_err().to_string();
    assert!(e.contains("BTC"), "{e}");
    let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
    assert!(replay::find(d).unwrap_err().to_string().contains("2024-08-05"));
}

/// The intra-day impact σ is bounded (`impact.sigma_cap`): without the bound the loop σ → impact →
/// return → σ diverges once a day's flow is many days of depth, and prices run into the 1%-of-the-
/// previous-close floor. A margin book five times the default's (the previous round's sizing) sends
/// most paths to the floor with an effectively unbounded σ, and almost none with the default bound.
#[test]
fn bounded_impact_sigma_keeps_prices_off_the_floor() {
    let floor_share = |cap: f64| {
        let mut cfg = SpiralConfig::default_config();
        cfg.simulation.paths = 300;
        cfg.simulation.steps = 20;
        cfg.impact.sigma_cap = cap;
        for m in cfg.margin.iter_mut().skip(1) {
            m.capital_per_unit *= 4.0;
        }
        let m = market(&cfg);
        let r = simulate(&cfg, &m, &shock(&m, &cfg, "SPX=-0.05"));
        (r.floor_hit_paths as f64 / r.paths as f64, r.impact_bound_paths)
    };
    let ((unbounded, bound_hits), (bounded, _)) = (floor_share(100.0), floor_share(3.0));
    assert!(unbounded > 0.5 && bounded < 0.05, "paths at the floor: σ unbounded {unbounded}, bounded {bounded}");
    // the paths whose impact reached its bound are counted and reported
    assert!(bound_hits > 0);
}

/// The standard shock with the bundled defaults stays inside the impact laws' range: no path at the price
/// floor, no day's impact at its bound (both are counted and reported when they happen).
#[test]
fn standard_shock_stays_within_the_impact_laws_range() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.paths = 300;
    let m = market(&cfg);
    let r = simulate(&cfg, &m, &shock(&m, &cfg, "SPX=-0.05"));
    assert_eq!((r.floor_hit_paths, r.impact_bound_paths), (0, 0));
    let a = r.amplification.unwrap();
    assert!(a.median > 1.2 && a.median < 3.0 && a.mean.is_finite(), "{a:?}");
}

/// The baseline is the same Monte Carlo without the shock, and the net amplification removes the agents'
/// no-shock drift: over 20 days with the bundled book, the agents alone move prices (the 95% margin
/// tranche is called by ordinary noise), so a −0.1% shock has a plain amplification far from 1; net
/// of the drift it is close to 1. With every agent removed both are exactly 1 and the drift is 0.
#[test]
fn baseline_nets_out_the_agents_drift_without_a_shock() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.paths = 300;
    cfg.simulation.steps = 20;
    let m = market(&cfg);
    let tiny = shock(&m, &cfg, "SPX=-0.001");
    let (res, b) = fissure_spiral::simulate_with_baseline(&cfg, &m, &tiny);
    // the shocked result is simulate's; the baseline is the no-shock run, path by path on the same draws
    assert_eq!(res, simulate(&cfg, &m, &tiny));
    assert_eq!(fissure_spiral::simulate_maybe_baseline(&cfg, &m, &tiny, true), (res.clone(), Some(b.clone())));
    assert_eq!(fissure_spiral::simulate_maybe_baseline(&cfg, &m, &tiny, false), (res.clone(), None));
    let none = simulate(&cfg, &m, &Shock::none(m.k()));
    for (j, (id, q)) in b.endogenous.iter().enumerate() {
        assert_eq!(id, &none.returns[j].id);
        assert_eq!(q.unwrap().median.to_bits(), none.returns[j].endogenous.median.to_bits(), "{id}");
    }
    assert_eq!(b.forced_sales.unwrap().median.to_bits(), none.forced_sales.median.to_bits());
    assert!(b.margin_call_share > 0.3, "the bundled book is called without a shock: {}", b.margin_call_share);
    let plain = res.amplification.unwrap().median;
    let net = b.amplification_net.unwrap().median;
    assert!((plain - 1.0).abs() > 3.0, "plain amplification of a −0.1% shock over 20 days: {plain}");
    assert!((net - 1.0).abs() < 0.5, "net amplification of a −0.1% shock over 20 days: {net}");
    // no agents: no drift, and both amplifications exactly 1
    cfg.without(&AgentClass::ALL);
    let (_, b) = fissure_spiral::simulate_with_baseline(&cfg, &m, &tiny);
    assert!(b.endogenous.iter().all(|(_, q)| q.is_some_and(|q| q.median == 0.0 && q.p05 == 0.0 && q.p95 == 0.0)));
    let a = b.amplification_net.unwrap();
    assert!(a.p05 == 1.0 && a.p95 == 1.0, "{a:?}");
    assert_eq!(b.margin_call_share, 0.0);
}
