//! Amplification of S&P 500 shocks of growing size with the default agents, and with one
//! class at a time switched off or alone: where the amplification comes from.
//!
//! `cargo run -p fissure-spiral --example shock_grid --release [-- NOISE PATHS STEPS]`
//! (NOISE = none | gaussian | bootstrap; defaults none 1 10). A fourth argument `all` prints only the
//! row of the default agents.

use fissure_spiral::config::Exogenous;
use fissure_spiral::{parse_spec, simulate, AgentClass as A, Market, Shock, SpiralConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let noise = match args.first().map(String::as_str) {
        Some("gaussian") => Exogenous::Gaussian,
        Some("bootstrap") => Exogenous::Bootstrap,
        _ => Exogenous::None,
    };
    let paths: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let steps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let demo = fissure_io::demo::load()?;
    let series = demo.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    let only = |keep: A| A::ALL.iter().copied().filter(|c| *c != keep).collect::<Vec<_>>();
    let drops: Vec<(String, Vec<A>)> = std::iter::once(("all".to_string(), vec![]))
        .chain(A::ALL.iter().map(|c| (format!("no {}", c.as_str()), vec![*c])))
        .chain(A::ALL.iter().map(|c| (format!("{} only", c.as_str()), only(*c))))
        .collect();
    println!("{noise:?} noise, {paths} paths x {steps} days; median amplification (extra loss in % of the portfolio)");
    let only_all = args.get(3).is_some_and(|a| a == "all");
    for (label, drop) in drops.into_iter().take(if only_all { 1 } else { usize::MAX }) {
        let mut cfg = SpiralConfig::default_config();
        cfg.without(&drop);
        if cfg.agent_count() == 0 {
            continue;
        }
        cfg.simulation.exogenous = noise;
        match std::env::var("IMPACT").as_deref() {
            Ok("linear") => cfg.impact.model = fissure_spiral::config::ImpactModel::Linear,
            Ok("exponential") => cfg.impact.model = fissure_spiral::config::ImpactModel::Exponential,
            _ => {}
        }
        cfg.simulation.paths = paths;
        cfg.simulation.steps = steps;
        let market = Market::estimate(&series, &cfg, None)?;
        print!("{label:16}");
        for z in [0.002, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15] {
            let shock = Shock::build(&[parse_spec(&format!("SPX=-{z}"))?], &market, &cfg)?;
            let r = simulate(&cfg, &market, &shock);
            let a = r.amplification.map_or(f64::NAN, |q| q.mean);
            print!(" {a:6.3} ({:5.2})", 100.0 * (a - 1.0) * z);
        }
        println!();
    }
    Ok(())
}
