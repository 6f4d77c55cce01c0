//! Amplification of S&P 500 shocks of growing size (no noise), with the default agents.
//!
//! `cargo run -p fissure-spiral --example shock_grid`

use fissure_spiral::config::{Exogenous, ImpactModel};
use fissure_spiral::{parse_spec, simulate, Market, Shock, SpiralConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = fissure_io::demo::load()?;
    let series = demo.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    use fissure_spiral::AgentClass as A;
    let drops: Vec<(&str, Vec<A>)> = vec![
        ("all", vec![]),
        ("margin+lp", vec![A::Cta, A::VolTarget, A::Carry]),
        ("margin", vec![A::Cta, A::VolTarget, A::Carry, A::Liquidity]),
        ("no cta", vec![A::Cta]),
        ("cta", vec![A::Margin, A::VolTarget, A::Carry, A::Liquidity]),
        ("vol", vec![A::Margin, A::Cta, A::Carry, A::Liquidity]),
    ];
    for (label, drop) in drops {
        let (model, noise) = (ImpactModel::Sqrt, Exogenous::None);
        let mut cfg = SpiralConfig::default_config();
        cfg.without(&drop);
        print!("{label:10} ");
        cfg.impact.model = model;
        cfg.simulation.exogenous = noise;
        cfg.simulation.paths = if noise == Exogenous::None { 1 } else { 300 };
        cfg.simulation.steps = 10;
        let market = Market::estimate(&series, &cfg, None)?;
        print!("{model:?} {noise:?}:");
        for z in [0.01, 0.02, 0.05, 0.10, 0.15, 0.20] {
            let shock = Shock::build(&[parse_spec(&format!("SPX=-{z}"))?], &market, &cfg)?;
            let r = simulate(&cfg, &market, &shock);
            let a = r.amplification.map_or(f64::NAN, |q| q.median);
            print!("  {z}: {a:.3} (forced {:.0})", r.forced_sales.median);
        }
        println!();
    }
    Ok(())
}
