//! Load the bundled data, align AI stocks, gold and bitcoin on one calendar,
//! resample to weekly and print weekly log-return correlations with NVDA.
//!
//! Run: `cargo run -p fissure-io --example weekly_panel`

use fissure_core::{log_returns, resample, Aggregation, Alignment, Frequency, Panel};
use fissure_stats::describe::correlation;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = fissure_io::demo::load()?;
    let pick = |id: &str| demo.series.iter().find(|(s, _)| s.id() == id).map(|(s, _)| s.clone());
    let mut weekly = Vec::new();
    for id in ["NVDA", "MSFT", "GLD", "SLV", "BTC"] {
        let s = pick(id).ok_or(format!("{id} is not in the bundled data"))?;
        let w = resample(&s.slice("2023-01-01".parse().ok(), None), Frequency::Weekly, Aggregation::Last)?;
        weekly.push(log_returns(&w)?);
    }
    let refs: Vec<_> = weekly.iter().collect();
    let panel = Panel::align(&refs, &Alignment::Intersection)?;
    let (dates, rows) = panel.complete_rows();
    println!("{} common weeks, {} to {}", dates.len(), dates[0], dates[dates.len() - 1]);
    let col = |j: usize| rows.iter().map(|r| r[j]).collect::<Vec<f64>>();
    for (j, id) in panel.ids.iter().enumerate().skip(1) {
        let name = id.trim_end_matches(".logret");
        println!("corr(NVDA, {name:<5}) = {:+.3}", correlation(&col(0), &col(j))?);
    }
    Ok(())
}
