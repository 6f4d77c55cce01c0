//! `fissure report`: one command from the stored data (or the bundled demo) to
//! the bilingual HTML report, its charts, `report.json` and a terminal summary.

use crate::ctx::Ctx;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args;
use fissure_core::{CrossSection, FamilyInputs, SignalFamily};
use fissure_io::store::{IngestItem, IngestSection};
use fissure_io::Store;
use fissure_report::{Lang, ReportInput, SkillParams, Source, Step};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure report                         the bundled data (ingested first if the store is empty)\n  fissure report --lang zh --open\n  fissure report --as-of 2008-09-15 --out report-2008\n  fissure --config my-watchlist.toml report\n\nWrites <out>/report.html (self-contained), <out>/report.json and <out>/charts/*.svg."
)]
pub struct ReportArgs {
    /// Replay the report as it would have read on this date (YYYY-MM-DD); default: the last stored date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "fissure-report")]
    pub out: PathBuf,
    /// Language of the report and of the summary: en or zh (default: the watchlist's `report.lang`).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Open the HTML report with xdg-open (or print its path).
    #[arg(long)]
    pub open: bool,
}

/// The signal families of the report. A new family is one line here; the
/// report adds its own `baseline` family (the yardsticks of the skill study).
pub fn families() -> Vec<Box<dyn SignalFamily>> {
    vec![
        Box::new(fissure_bubble::signals::BubbleFamily::default()),
        Box::new(fissure_contagion::signals::ContagionFamily),
        Box::new(fissure_liquidity::signals::LiquidityFamily),
        Box::new(fissure_structure::signals::StructureFamily),
        Box::new(fissure_spiral::signals::SpiralFamily::default()),
    ]
}

/// An id of the running executable (size and modification time), so that
/// cached family results never outlive the code that computed them.
fn code_id() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{t}", m.len())
        })
        .unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_string())
}

fn ingest_demo(store: &mut Store) -> anyhow::Result<()> {
    let demo = fissure_io::demo::load().context("loading the bundled demo data")?;
    let items: Vec<IngestItem> =
        demo.series.into_iter().map(|(series, f)| IngestItem { series, origin: format!("data/demo/{f}") }).collect();
    let sections: Vec<IngestSection> = demo
        .sections
        .into_iter()
        .map(|(section, f)| IngestSection { section, origin: format!("data/demo/{f}") })
        .collect();
    store.ingest("report: bundled demo data", &items, &sections).context("storing the bundled demo data")?;
    Ok(())
}

/// Everything the families read, truncated at `as_of`, and the sources list.
fn load_inputs(
    store: &Store,
    ctx: &Ctx,
    as_of: Option<NaiveDate>,
) -> anyhow::Result<(FamilyInputs, NaiveDate, Vec<Source>)> {
    let list = store.list()?;
    let as_of = match as_of.or_else(|| list.iter().filter_map(|s| s.last).max()) {
        Some(d) => d,
        None => bail!("the store has no data; run `fissure ingest --demo` or ingest files"),
    };
    let mut inputs = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    let mut sources = Vec::new();
    for info in &list {
        let s =
            store.load(&info.meta.id, None).with_context(|| format!("loading series {}", info.meta.id))?.as_of(as_of);
        if s.is_empty() {
            continue;
        }
        sources.push(Source {
            id: info.meta.id.clone(),
            name: info.meta.name.clone(),
            source: info.meta.source.clone(),
            unit: info.meta.unit.clone(),
            first: s.first_date(),
            last: s.last_date(),
            observations: s.len(),
        });
        inputs.series.insert(info.meta.id.clone(), s);
    }
    for sec in store.list_sections()? {
        let snaps: Vec<CrossSection> = store
            .load_sections(&sec.id, &sec.field)
            .with_context(|| format!("loading cross-section {}.{}", sec.id, sec.field))?
            .into_iter()
            .filter(|c| c.date <= as_of)
            .collect();
        inputs.sections.entry(sec.id.clone()).or_default().extend(snaps);
    }
    for v in inputs.sections.values_mut() {
        v.sort_by(|a, b| a.date.cmp(&b.date).then(a.field.cmp(&b.field)));
    }
    let w = ctx.watchlist()?;
    for name in w.baskets.keys() {
        if let Some(bw) = w.basket_weights(name) {
            inputs.baskets.insert(name.clone(), bw);
        }
    }
    inputs.roles = w.roles.clone();
    inputs.bubble_assets = w.report.bubble_assets.clone();
    Ok((inputs, as_of, sources))
}

fn open_in_browser(path: &Path) {
    let opener = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("xdg-open")).find(|c| c.is_file()))
        .unwrap_or(None);
    match opener {
        Some(o) => {
            if let Err(e) = std::process::Command::new(o).arg(path).spawn() {
                eprintln!("could not run xdg-open ({e}); open {}", path.display());
            }
        }
        None => println!("{}", path.display()),
    }
}

pub fn run(ctx: &Ctx, args: &ReportArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut steps: Vec<Step> = Vec::new();
    let mut step = |key: &str, t: Instant| steps.push(Step::new(key, "", t.elapsed().as_secs_f64()));
    let watchlist = ctx.watchlist()?;
    let lang = match &args.lang {
        Some(l) => Lang::parse(l).with_context(|| format!("--lang {l}: expected en or zh"))?,
        None => Lang::parse(&watchlist.report.lang).unwrap_or_default(),
    };

    let t = Instant::now();
    let mut store = ctx.open_store_mut()?;
    if store.list()?.is_empty() {
        eprintln!(
            "{}",
            match lang {
                Lang::En => "The store is empty: ingesting the bundled demo data first.",
                Lang::Zh => "数据库为空：先导入内置的示例数据。",
            }
        );
        ingest_demo(&mut store)?;
        step("step_ingest", t);
    }

    let t = Instant::now();
    let (inputs, as_of, sources) = load_inputs(&store, ctx, args.as_of)?;
    step("step_load", t);

    let fams = families();
    let refs: Vec<&dyn SignalFamily> = fams.iter().map(|f| f.as_ref()).collect();
    let events: Vec<(String, f64)> = watchlist.report.drawdown_events.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let pb = if ctx.json {
        indicatif::ProgressBar::hidden()
    } else {
        crate::output::progress(refs.len() as u64 + 1, "signal families")
    };
    let progress = |p: fissure_report::Progress<'_>| {
        pb.set_message(p.run.key.clone());
        pb.set_position(p.done as u64);
    };
    let report = fissure_report::build(
        ReportInput {
            families: refs,
            inputs,
            events,
            as_of,
            sources,
            skill_params: SkillParams::default(),
            code_id: code_id(),
        },
        Some(&store),
        &progress,
    );
    pb.finish_and_clear();

    let t = Instant::now();
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let written = fissure_report::write(&report, &args.out, lang)?;
    step("step_render", t);

    let mut all_steps = report.steps.clone();
    all_steps.extend(steps);
    let total = t0.elapsed().as_secs_f64();
    if ctx.json {
        let mut j = fissure_report::json::to_json(&report, lang);
        j["timings"] = serde_json::to_value(&all_steps)?;
        j["total_seconds"] = serde_json::json!(total);
        j["html"] = serde_json::json!(written.html);
        crate::output::print_json(&j)?;
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print!("{}", fissure_report::terminal::summary(&report, lang, color));
        println!();
        println!("{} {}", fissure_report::i18n::t(lang, "report_written"), written.html.display());
        println!("{}: {:.2} s", fissure_report::i18n::t(lang, "total_time"), total);
        let mut slow: Vec<&Step> = all_steps.iter().filter(|s| !s.is_total()).collect();
        slow.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        println!("{}:", fissure_report::i18n::t(lang, "slowest"));
        for s in slow.iter().take(5) {
            println!("  {:>7.2} s  {}", s.seconds, s.label(lang));
        }
    }
    if args.open {
        open_in_browser(&written.html);
    }
    Ok(())
}
