//! The bundled AI deal graph in a few lines: circular share, the largest cycles,
//! round-trip revenue, and what an OpenAI failure would do (DebtRank).
//! Run: cargo run -p fissure-network --example ai_deals

use fissure_network::stress::{debt_rank, DebtRankVariant, ExposureNetwork};
use fissure_network::summary::{summarize, SummaryParams};
use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_, book) = fissure_io::demo::load()?.book.ok_or("the demo has no deal book")?;
    let s = summarize(&book, &SummaryParams::default())?;
    println!(
        "{} firms, {} deals; {:.1}% of ${:.1}B of disclosed flows go round (maximum circulation)",
        s.nodes,
        s.deals,
        s.circulation.share.unwrap_or(f64::NAN) * 100.0,
        s.circulation.total_flows_usd_bn
    );
    for c in s.cycles.iter().take(3) {
        println!("  cycle {} — ${:.1}B through it", c.nodes.join(" → "), c.total_usd_bn);
    }
    for r in s.round_trip.iter().filter(|r| r.share.is_some()) {
        println!(
            "  {}: {:.0}% of its disclosed revenue comes back from firms it funded",
            r.firm,
            r.share.unwrap_or(0.0) * 100.0
        );
    }
    let (net, _) = ExposureNetwork::from_deals(&book, &BTreeMap::new())?;
    let r = debt_rank(&net, &[(net.index("OPENAI")?, 1.0)], DebtRankVariant::Original)?;
    println!("OpenAI fails: DebtRank {:.3}, ${:.0}B of equity lost", r.debtrank, r.equity_loss_usd_bn);
    Ok(())
}
