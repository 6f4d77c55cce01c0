//! `fissure report`: one command from the stored data (or the bundled demo) to
//! the bilingual HTML report, its charts, `report.json` and a terminal summary.

use crate::ctx::Ctx;
use crate::outln;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args;
use fissure_core::{CrossSection, FamilyInputs, SignalFamily, Text};
use fissure_io::store::{IngestItem, IngestSection, SeriesInfo};
use fissure_io::{Store, Watchlist};
use fissure_report::{Lang, ReportInput, SkillParams, Source, Step};
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

/// The signal families of the report. A new family is one line here; the
/// report adds its own `baseline` family (the yardsticks of the skill study).
pub fn families() -> Vec<Box<dyn SignalFamily>> {
    vec![
        Box::new(fissure_bubble::signals::BubbleFamily::default()),
        Box::new(fissure_contagion::signals::ContagionFamily),
        Box::new(fissure_liquidity::signals::LiquidityFamily),
        Box::new(fissure_structure::signals::StructureFamily),
        Box::new(fissure_network::signals::NetworkFamily),
        Box::new(fissure_risk::signals::PortfolioFamily { cocrash: Some(crate::cmd::risk::cocrash_days_for_report) }),
        Box::new(fissure_spiral::signals::SpiralFamily::default()),
    ]
}

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
    let mut demo = fissure_io::demo::load().context("loading the bundled demo data")?;
    let book = demo.book.take();
    let items: Vec<IngestItem> =
        demo.series.into_iter().map(|(series, f)| IngestItem { series, origin: format!("data/demo/{f}") }).collect();
    let sections: Vec<IngestSection> = demo
        .sections
        .into_iter()
        .map(|(section, f)| IngestSection { section, origin: format!("data/demo/{f}") })
        .collect();
    store.ingest("report: bundled demo data", &items, &sections).context("storing the bundled demo data")?;
    if let Some((name, book)) = &book {
        store.ingest_book(name, "report: bundled demo data", book).context("storing the bundled deal book")?;
    }
    Ok(())
}

/// The core series of the watchlist: `report.core_series`, else the drawdown-event series
/// and `roles.equity_index`.
pub fn core_ids(w: &Watchlist) -> Vec<String> {
    if !w.report.core_series.is_empty() {
        return w.report.core_series.clone();
    }
    let mut ids: Vec<String> = w.report.drawdown_events.keys().cloned().collect();
    if let Some(e) = w.role("equity_index") {
        if !ids.iter().any(|i| i == e) {
            ids.push(e.to_string());
        }
    }
    ids
}

fn note(en: String, zh: String) -> Text {
    Text::new(en, zh)
}

/// The report date and the note stating how it was chosen. Default: the last date of the
/// core series (never after `today`). An `--as-of` after that date gives the report as of
/// the data's end, so that no reading is re-dated; before the core series start, an error.
pub fn choose_as_of(
    list: &[SeriesInfo],
    core: &[String],
    requested: Option<NaiveDate>,
    today: NaiveDate,
) -> anyhow::Result<(NaiveDate, Text)> {
    let present: Vec<&SeriesInfo> = list.iter().filter(|s| core.contains(&s.meta.id) && s.last.is_some()).collect();
    let (basis, names): (Vec<&SeriesInfo>, String) = if present.is_empty() {
        (list.iter().filter(|s| s.last.is_some()).collect(), String::new())
    } else {
        let names = present.iter().map(|s| s.meta.id.as_str()).collect::<Vec<_>>().join(", ");
        (present, names)
    };
    let Some(end) = basis.iter().filter_map(|s| s.last).max() else {
        bail!("the store has no data; run `fissure ingest --demo` or ingest files");
    };
    let start = basis.iter().filter_map(|s| s.first).min().unwrap_or(end);
    let (end, capped) = if end > today { (today, true) } else { (end, false) };
    let what_en = if names.is_empty() {
        format!("the last date of any stored series (none of the core series {} is stored)", core.join(", "))
    } else {
        format!("the last date of the core series {names}")
    };
    let what_zh = if names.is_empty() {
        format!("任一已存序列的最后日期（核心序列 {} 均未存储）", core.join("、"))
    } else {
        format!("核心序列 {names} 的最后日期")
    };
    let cap_en = if capped { format!(" (capped at today, {today}: later rows are forecasts)") } else { String::new() };
    let cap_zh =
        if capped { format!("（以今天 {today} 为上限：更晚的数据是预测）") } else { String::new() };
    Ok(match requested {
        None => (
            end,
            note(
                format!("As of {end}: {what_en}{cap_en}."),
                format!("截至 {end}：{what_zh}{cap_zh}。"),
            ),
        ),
        Some(d) if d < start => bail!(
            "--as-of {d} is before the data: the {} start on {start}; choose a later date",
            if names.is_empty() { "stored series".to_string() } else { format!("core series ({names})") }
        ),
        Some(d) if d > end => (
            end,
            note(
                format!("--as-of {d} is after the last data ({end}, {what_en}): the report is as of {end}, and every reading keeps its own date."),
                format!("--as-of {d} 晚于最后的数据（{end}，{what_zh}）：报告截至 {end}，每个读数保留自己的日期。"),
            ),
        ),
        Some(d) => (
            d,
            note(
                format!("As of {d} (--as-of): data dated after it are left out; the core series end on {end}."),
                format!("截至 {d}（--as-of）：之后的数据不计入；核心序列截至 {end}。"),
            ),
        ),
    })
}

/// Everything the families read, truncated at `as_of`, the sources list, and the notes
/// (as-of basis, roles, ids missing from the store).
pub(crate) fn load_inputs(
    store: &Store,
    ctx: &Ctx,
    as_of: Option<NaiveDate>,
) -> anyhow::Result<(FamilyInputs, NaiveDate, Vec<Source>, Vec<Text>)> {
    let list = store.list()?;
    let w = ctx.watchlist()?;
    let mut notes = Vec::new();
    let (as_of, as_of_note) = choose_as_of(&list, &core_ids(w), as_of, crate::input::today())?;
    notes.push(as_of_note);

    // The watchlist against the store: every unknown id listed at once. Ids the user wrote
    // are errors; ids of the embedded default (or of sections taken from it) are warnings.
    let known = crate::input::stored_ids(store)?;
    let section_list = store.list_sections()?;
    let exists = |id: &str| known.contains(id);
    let (errors, warnings): (Vec<_>, Vec<_>) =
        w.unknown_ids(&exists).into_iter().partition(|(section, _)| !w.is_embedded() && !w.defaulted.contains(section));
    if !errors.is_empty() {
        let list: Vec<String> = errors.into_iter().map(|(_, m)| m).collect();
        bail!(
            "{}: {} id(s) of the watchlist are not in the store {}:\n  - {}",
            w.origin.display(),
            list.len(),
            ctx.store_path.display(),
            list.join("\n  - ")
        );
    }
    if !warnings.is_empty() {
        for (_, m) in &warnings {
            eprintln!("warning: watchlist {}: {m}", w.origin.display());
        }
        let ids: Vec<&str> = warnings.iter().map(|(_, m)| m.as_str()).collect();
        notes.push(note(
            format!("{} watchlist entr(ies) have no data in the store and are left out: {}", ids.len(), ids.join("; ")),
            format!("观察列表中有 {} 项在数据库中没有数据，未计入：{}", ids.len(), ids.join("；")),
        ));
    }
    let roles = w.resolve_roles(&exists);
    for n in &roles.notes {
        eprintln!("note: {n}");
    }
    // roles mapped to a standard code, when the watchlist was loaded or now
    let mapped: Vec<&String> =
        ctx.role_notes().iter().chain(roles.notes.iter().filter(|n| n.contains("using `"))).collect();
    if !mapped.is_empty() {
        let text = mapped.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ");
        notes.push(note(format!("Roles: {text}."), format!("角色：{text}。")));
    }
    if !w.defaulted.is_empty() && !w.is_embedded() {
        let d = w.defaulted.join(", ");
        notes.push(note(
            format!("Watchlist {}: {d} not given there; the defaults are used.", w.origin.display()),
            format!("观察列表 {}：未给出 {d}，使用默认值。", w.origin.display()),
        ));
    }

    let mut inputs = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    let mut sources = Vec::new();
    for info in &list {
        // As it was known: dates moved to publication dates before the as-of cut.
        let s = fissure_io::publication::as_known(
            &store.load(&info.meta.id, None).with_context(|| format!("loading series {}", info.meta.id))?,
        )
        .as_of(as_of);
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
            publication_lag_days: fissure_io::publication::lag_days(&s.meta),
        });
        inputs.series.insert(info.meta.id.clone(), s);
    }
    for sec in section_list {
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
    for name in w.baskets.keys() {
        if let Some(bw) = w.basket_weights(name) {
            inputs.baskets.insert(name.clone(), bw);
        }
    }
    inputs.roles = roles.roles;
    inputs.bubble_assets = w.report.bubble_assets.clone();
    inputs.portfolio = w.portfolio.iter().map(|(k, v)| (k.clone(), *v)).collect();
    // the deal book as it was known on the report date
    inputs.deals = store.load_book("ai", None, Some(as_of)).context("loading the deal book `ai`")?;
    Ok((inputs, as_of, sources, notes))
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
    let (inputs, as_of, sources, notes) = load_inputs(&store, ctx, args.as_of)?;
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
    let mut report = fissure_report::build(
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
    report.notes = notes;

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
