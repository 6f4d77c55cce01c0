//! `fissure report`: one command from the stored data (or the bundled demo) to
//! the bilingual HTML report, its charts, `report.json` and a terminal summary.

use crate::ctx::Ctx;
use crate::outln;
use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;

use fissure_io::Store;
use fissure_report::{Lang, Step};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure report                         the bundled data (ingested first if the store is empty)\n  fissure report --lang zh --open\n  fissure report --as-of 2008-09-15 --out report-2008\n  fissure --config my-watchlist.toml report\n\nWrites <out>/report.html (self-contained), <out>/report.json and <out>/charts/*.svg."
)]
pub struct ReportArgs {
    /// Replay the report as it would have read on this date (YYYY-MM-DD); default: the last
    /// date of the watchlist's core series (`report.core_series`; default: the drawdown-event
    /// series and the equity index). A date after the data gives the report as of the data's
    /// end (readings keep their dates); a date before the core series start is an error.
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

pub use fissure_app::families;

/// An id of the running executable (size and modification time), so that
/// cached family results never outlive the code that computed them.
pub(crate) fn code_id() -> String {
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

pub(crate) fn ingest_demo(store: &mut Store) -> anyhow::Result<()> {
    Ok(fissure_app::ingest_demo(store, "report: bundled demo data")?)
}

/// Everything the families read, as known at `as_of` (see `fissure_app::load_inputs`); warnings
/// and notes for the terminal go to stderr here.
pub(crate) fn load_inputs(store: &Store, ctx: &Ctx, as_of: Option<NaiveDate>) -> anyhow::Result<fissure_app::Loaded> {
    let w = ctx.watchlist()?;
    let l = fissure_app::load_inputs(store, w, &ctx.store_path, ctx.role_notes(), as_of, crate::input::today())?;
    for m in &l.messages {
        eprintln!("{m}");
    }
    Ok(l)
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
        None => {
            let _ = outln!("{}", path.display());
        }
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
    if !ctx.store_path.exists() {
        eprintln!("no store at {}: creating it with the bundled demo data", ctx.store_path.display());
    }
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
    let loaded = load_inputs(&store, ctx, args.as_of)?;
    step("step_load", t);

    let pb = if ctx.json {
        indicatif::ProgressBar::hidden()
    } else {
        crate::output::progress(families().len() as u64 + 1, "signal families")
    };
    let progress = |p: fissure_report::Progress<'_>| {
        pb.set_message(p.run.key.clone());
        pb.set_position(p.done as u64);
    };
    let report = fissure_app::build_report(loaded, watchlist, &store, code_id(), &progress);
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
        crate::out!("{}", fissure_report::terminal::summary(&report, lang, color))?;
        outln!()?;
        outln!("{} {}", fissure_report::i18n::t(lang, "report_written"), written.html.display())?;
        outln!("{}: {:.2} s", fissure_report::i18n::t(lang, "total_time"), total)?;
        let mut slow: Vec<&Step> = all_steps.iter().filter(|s| !s.is_total()).collect();
        slow.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        outln!("{}:", fissure_report::i18n::t(lang, "slowest"))?;
        for s in slow.iter().take(5) {
            outln!("  {:>7.2} s  {}", s.seconds, s.label(lang))?;
        }
    }
    if args.open {
        open_in_browser(&written.html);
    }
    Ok(())
}
