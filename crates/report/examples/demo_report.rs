//! Writes the report on the bundled data (baselines only, no store) into a folder:
//! `cargo run -p fissure-report --example demo_report -- OUT [en|zh] [AS_OF]`.
//! The binary's `fissure report` is the real entry point; this example exists
//! to look at the rendering while developing the report crate on its own.

use fissure_core::FamilyInputs;
use fissure_io::Watchlist;
use fissure_report::{Lang, Progress, ReportInput, SkillParams, Source};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let out = std::path::PathBuf::from(args.get(1).map_or("demo-report", String::as_str));
    let lang = args.get(2).and_then(|l| Lang::parse(l)).unwrap_or_default();
    let demo = fissure_io::demo::load()?;
    let w = Watchlist::embedded();
    let last = demo.series.iter().filter_map(|(s, _)| s.last_date()).max().ok_or("no data")?;
    let as_of = match args.get(3) {
        Some(d) => d.parse()?,
        None => last,
    };
    let mut inputs = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    let mut sources = Vec::new();
    for (s, f) in &demo.series {
        let s = fissure_io::publication::as_known(s).as_of(as_of);
        if s.is_empty() {
            continue;
        }
        sources.push(Source {
            id: s.id().into(),
            name: s.meta.name.clone(),
            source: format!("{} ({f})", s.meta.source),
            unit: s.meta.unit.clone(),
            first: s.first_date(),
            last: s.last_date(),
            observations: s.len(),
            publication_lag_days: fissure_io::publication::lag_days(&s.meta),
        });
        inputs.series.insert(s.id().into(), s);
    }
    let t = std::time::Instant::now();
    let report = fissure_report::build(
        ReportInput {
            families: vec![],
            inputs,
            events: w.report.drawdown_events.clone().into_iter().collect(),
            as_of,
            sources,
            skill_params: SkillParams::default(),
            code_id: "example".into(),
        },
        None,
        &|_: Progress<'_>| {},
    );
    let written = fissure_report::write(&report, &out, lang)?;
    print!("{}", fissure_report::terminal::summary(&report, lang, false));
    println!("{} in {:.2} s", written.html.display(), t.elapsed().as_secs_f64());
    Ok(())
}
