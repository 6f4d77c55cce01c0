//! The amplification of a 5% S&P 500 fall on the bundled data, with the default agents.
//!
//! `cargo run -p fissure-spiral --example standard_shock --release`

use fissure_spiral::{parse_spec, simulate, Market, Shock, SpiralConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = fissure_io::demo::load()?;
    let series = demo.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    let cfg = SpiralConfig::default_config();
    let market = Market::estimate(&series, &cfg, None)?;
    let shock = Shock::resolve(&[parse_spec("SPX=-0.05")?], &market)?;
    let res = simulate(&cfg, &market, &shock);
    for (j, id) in market.ids.iter().enumerate() {
        println!(
            "{id:7} σ_ewma {:.4}  ADV {:8.1} bn  p0 {:10.2}",
            market.sigma_ewma[j], market.adv[j], market.price0[j]
        );
    }
    match &res.amplification {
        Some(a) => println!(
            "amplification median {:.3} (p05 {:.3}, p95 {:.3}); of means {:?}",
            a.median, a.p05, a.p95, res.amplification_of_means
        ),
        None => println!("amplification {}", res.amplification_note.as_deref().unwrap_or("n/a")),
    }
    for r in &res.returns {
        println!(
            "{:7} with {:+.4}  without {:+.4}  endogenous {:+.4}",
            r.id, r.with_agents.median, r.without_agents.median, r.endogenous.median
        );
    }
    for f in &res.flows {
        println!("{:12} net sales median {:+.1} bn", f.class.as_str(), f.net_sales.median);
    }
    println!(
        "forced sales median {:.1} bn, margin-call share {:.2}, stops {:.2}",
        res.forced_sales.median, res.margin_call_share, res.stop_triggers.mean
    );
    Ok(())
}
