//! Replays 2024-08-05 and 2026-02-12 on the bundled data with the default agents.
//!
//! `cargo run -p fissure-spiral --example replay`

use fissure_spiral::{replay, SpiralConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = fissure_io::demo::load()?;
    let series = demo.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    let cfg = SpiralConfig::default_config();
    for def in replay::bundled() {
        let r = replay::run(&def, &series, &cfg)?;
        println!(
            "{} {} (state of {}): signs ok {}, max factor {:.2}",
            r.date, r.title, r.previous_date, r.all_signs_match, r.max_factor
        );
        for a in &r.assets {
            println!(
                "  {:7} sim {:+.4}  exog {:+.4}  actual {:>8}  flat {} ok {:?} factor {:?}",
                a.id,
                a.simulated,
                a.exogenous,
                a.actual.map_or("n/a".into(), |v| format!("{v:+.4}")),
                a.flat,
                a.ok_sign,
                a.factor.map(|f| (f * 100.0).round() / 100.0)
            );
        }
        for (c, v) in &r.flows {
            println!("  {:10} net sales {:+.1} bn", c.as_str(), v);
        }
        println!("  forced sales {:.1} bn, stops {}", r.forced_sales, r.stop_triggers);
    }
    Ok(())
}
