//! `fissure ingest`: read files (all validated first), then store them in one transaction.

use crate::ctx::Ctx;
use crate::input::FileOptions;
use crate::outln;
use crate::output::{date_or_dash, print_json, print_table, progress};
use anyhow::{bail, Context};
use clap::Args;
use fissure_core::{AssetClass, Frequency, SeriesMeta};
use fissure_io::store::{ChangeKind, Declared, IngestItem, IngestSection};
use fissure_io::{read_file, ReadOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// File extensions ingested from a folder.
const DATA_EXTENSIONS: &[&str] = &["csv", "txt", "tsv", "parquet"];

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  fissure ingest --demo\n  fissure ingest ../shared/data/prices ../shared/data/macro --repair-ohlc\n  fissure ingest DGS10.csv --id US10Y --format fred --asset-class rate\n  fissure ingest shiller.csv --value-col cape --id CAPE\n  fissure ingest prices.tsv\n  fissure ingest european.csv --delimiter ';' --date-format dmy\n\nAll files are read and validated before anything is written; one bad file stores nothing.\nRe-ingesting a series keeps its stored name, class, unit, frequency and source unless a flag\nstates a new value (a new metadata revision, see `fissure show ID --revisions`)."
)]
pub struct IngestArgs {
    /// Files or folders (a folder ingests every .csv/.txt/.tsv/.parquet file in it).
    #[arg(value_name = "PATH", required_unless_present = "demo")]
    pub paths: Vec<PathBuf>,
    /// Series id (one file only; default: the file stem). Ids are letters, digits and
    /// `_.-^=+@`, at most 64 characters.
    #[arg(long)]
    pub id: Option<String>,
    /// Human name of the series (one file only).
    #[arg(long)]
    pub name: Option<String>,
    /// Load the bundled real data set (data/demo).
    #[arg(long)]
    pub demo: bool,
    /// Asset class of the ingested series.
    #[arg(long)]
    pub asset_class: Option<AssetClass>,
    /// Declared frequency; ingestion fails if the dates contradict it.
    #[arg(long)]
    pub frequency: Option<Frequency>,
    /// Unit of the values (e.g. USD, percent).
    #[arg(long)]
    pub unit: Option<String>,
    #[command(flatten)]
    pub file_options: FileOptions,
}

/// What a folder entry is, following symbolic links; a link that cannot be followed (a
/// loop, a dangling target) is an error naming it, never a silent skip.
fn entry_kind(p: &Path) -> anyhow::Result<std::fs::Metadata> {
    std::fs::metadata(p).map_err(|e| {
        let link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            anyhow::anyhow!(
                "{}: a symbolic link that cannot be followed (a loop or a missing target): {e}",
                p.display()
            )
        } else {
            anyhow::anyhow!("{}: {e}", p.display())
        }
    })
}

/// A folder entry left out, with the reason.
type Skipped = (PathBuf, &'static str);

/// Files to read from the given paths, and every entry skipped with the reason.
fn expand(paths: &[PathBuf]) -> anyhow::Result<(Vec<PathBuf>, Vec<Skipped>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!("{}: no such file or folder", p.display());
        }
        let meta = entry_kind(p)?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading folder {}", p.display()))?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()
                .with_context(|| format!("reading folder {}", p.display()))?;
            entries.sort();
            for e in entries {
                let hidden = e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
                if hidden {
                    skipped.push((e, "hidden"));
                    continue;
                }
                let m = entry_kind(&e)?;
                let data = e
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| DATA_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()));
                if m.is_dir() {
                    skipped.push((e, "a folder (folders are not read recursively)"));
                } else if !m.is_file() {
                    skipped.push((e, "not a regular file"));
                } else if data {
                    files.push(e);
                } else {
                    skipped.push((e, "not a data file (.csv, .txt, .tsv, .parquet)"));
                }
            }
        } else {
            files.push(p.clone());
        }
    }
    Ok((files, skipped))
}

fn stem_meta(args: &IngestArgs, path: &Path) -> Option<SeriesMeta> {
    if args.asset_class.is_none() && args.unit.is_none() && args.frequency.is_none() && args.name.is_none() {
        return None;
    }
    let id = args.id.clone().unwrap_or_default();
    Some(SeriesMeta {
        name: args.name.clone().unwrap_or_default(),
        id,
        asset_class: args.asset_class.unwrap_or_default(),
        unit: args.unit.clone().unwrap_or_default(),
        frequency: args.frequency.unwrap_or_default(),
        source: path.display().to_string(),
    })
}

/// The metadata fields the flags state (only those change a stored series).
fn declared(args: &IngestArgs) -> Declared {
    Declared {
        name: args.name.is_some(),
        asset_class: args.asset_class.is_some(),
        unit: args.unit.is_some(),
        frequency: args.frequency.is_some(),
        source: false,
    }
}

/// A series stored at a regular frequency must keep fitting it once the new rows are merged
/// in: a gap beyond [`fissure_io::read::max_gap_days`] between the stored data and the new
/// rows (a mistyped year in an update) is refused before anything is written.
fn check_stored_gaps(st: &fissure_io::Store, items: &[IngestItem]) -> anyhow::Result<()> {
    for it in items {
        let id = it.series.id();
        let Ok((meta, _)) = st.meta(id) else { continue };
        let max = fissure_io::read::max_gap_days(meta.frequency);
        if meta.frequency == Frequency::Irregular || it.series.is_empty() {
            continue;
        }
        let old = st.load(id, None)?;
        let mut dates: Vec<chrono::NaiveDate> = old.dates().iter().chain(it.series.dates()).copied().collect();
        dates.sort_unstable();
        dates.dedup();
        if let Some(w) = dates.windows(2).max_by_key(|w| (w[1] - w[0]).num_days()) {
            let days = (w[1] - w[0]).num_days();
            if days > max {
                bail!(
                    "{}: series `{id}` is stored as {} ({} to {}); with the new rows it would have a gap of {days} days ({} → {}), more than the {max} days a {} series may have — a mistyped year? nothing was stored",
                    it.origin,
                    meta.frequency,
                    old.first_date().map_or_else(|| "-".into(), |d| d.to_string()),
                    old.last_date().map_or_else(|| "-".into(), |d| d.to_string()),
                    w[0],
                    w[1],
                    meta.frequency
                );
            }
        }
    }
    Ok(())
}

pub fn run(ctx: &Ctx, args: &IngestArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut items = Vec::new();
    let mut sections = Vec::new();
    let mut labels = Vec::new();
    let mut book = None;
    if args.demo {
        let mut demo = fissure_io::demo::load().context("loading the bundled demo data")?;
        book = demo.book.take();
        items
            .extend(demo.series.into_iter().map(|(series, f)| IngestItem { series, origin: format!("data/demo/{f}") }));
        sections.extend(
            demo.sections.into_iter().map(|(section, f)| IngestSection { section, origin: format!("data/demo/{f}") }),
        );
        labels.push("--demo".to_string());
    }
    let mut decl = vec![Declared::ALL; items.len()];
    let (files, skipped) = expand(&args.paths)?;
    for (s, why) in &skipped {
        eprintln!("note: skipped {}: {why}", s.display());
    }
    if let Some(id) = &args.id {
        crate::input::check_id(id).context("--id")?;
        if files.len() != 1 {
            bail!("--id names one series, but {} files were given", files.len());
        }
    }
    if args.name.is_some() && files.len() != 1 {
        bail!("--name names one series, but {} files were given", files.len());
    }
    // The stored frequency of a series being updated is checked against the new file's
    // dates, as a declared one would be (a plain file cannot bring a 73-year hole into SPX).
    let existing = fissure_io::Store::open_read_only(&ctx.store_path).ok();
    let pb = progress(files.len() as u64, "reading");
    for path in &files {
        let id = args.id.clone().or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()));
        let stored = match (&existing, &id, args.frequency) {
            (Some(st), Some(id), None) => {
                st.meta(id).ok().map(|(m, _)| m.frequency).filter(|f| *f != Frequency::Irregular)
            }
            _ => None,
        };
        let opts = ReadOptions {
            id: args.id.clone(),
            meta: stem_meta(args, path),
            frequency: args.frequency.or(stored),
            ..args.file_options.read_options()
        };
        let out = read_file(path, &opts).with_context(|| {
            let note = match (stored, &id) {
                (Some(f), Some(id)) => format!(" (`{id}` is stored as {f}; the new rows were checked against it)"),
                _ => String::new(),
            };
            format!("nothing was stored; fix {} and retry{note}", path.display())
        })?;
        for w in &out.warnings {
            pb.suspend(|| eprintln!("warning: {}: {}", w.file.display(), w.message));
        }
        let origin = path.display().to_string();
        decl.extend(std::iter::repeat_n(declared(args), out.series.len()));
        items.extend(out.series.into_iter().map(|series| IngestItem { series, origin: origin.clone() }));
        sections.extend(out.sections.into_iter().map(|section| IngestSection { section, origin: origin.clone() }));
        labels.push(origin);
        pb.inc(1);
    }
    pb.finish_and_clear();
    if items.is_empty() && sections.is_empty() {
        bail!("no data files found in the given paths");
    }
    if let Some(st) = &existing {
        check_stored_gaps(st, &items)?;
    }
    let mut store = ctx.open_store_mut()?;
    let label = labels.join(" ");
    // the series and the bundled deal book in one transaction: all stored, or nothing
    let books: Vec<(&str, &fissure_core::DealBook)> = book.iter().map(|(n, b)| (n.as_str(), b)).collect();
    let summary = store
        .ingest_all(&label, &items, &sections, &decl, &books)
        .with_context(|| format!("ingesting into {} (nothing was stored)", ctx.store_path.display()))?;
    for c in summary.series.iter().filter(|c| !c.metadata.is_empty()) {
        let what: Vec<String> = c.metadata.iter().map(|m| format!("{} `{}` → `{}`", m.field, m.from, m.to)).collect();
        eprintln!("note: {}: metadata revision {}: {}", c.id, c.meta_revision, what.join(", "));
    }
    let book_change = summary.books.first().cloned();
    let elapsed = t0.elapsed().as_secs_f64();
    if ctx.json {
        return print_json(&serde_json::json!({
            "store": ctx.store_path,
            "elapsed_seconds": elapsed,
            "series": summary.series,
            "sections": summary.sections,
            "deal_books": book_change.iter().collect::<Vec<_>>(),
        }));
    }
    if let Some(c) = &book_change {
        println!(
            "deal book `{}`: revision {} ({} added, {} changed, {} unchanged records)",
            c.book, c.revision, c.added, c.changed, c.unchanged
        );
    }
    let rows: Vec<Vec<String>> = summary
        .series
        .iter()
        .chain(&summary.sections)
        .map(|c| {
            vec![
                c.id.clone(),
                match c.kind {
                    ChangeKind::New => "new".into(),
                    ChangeKind::Unchanged => "unchanged".into(),
                    ChangeKind::Revised => format!("revised (+{} new, {} changed)", c.added, c.changed),
                },
                c.revision.to_string(),
                c.observations.to_string(),
                date_or_dash(c.first),
                date_or_dash(c.last),
            ]
        })
        .collect();
    print_table(&["id", "status", "revision", "observations", "first", "last"], &rows);
    let count = |k: ChangeKind| summary.series.iter().chain(&summary.sections).filter(|c| c.kind == k).count();
    let total_obs: usize = summary.series.iter().map(|c| c.observations).sum();
    outln!(
        "\n{} series and {} cross-section fields ({} new, {} revised, {} unchanged), {} observations, in {:.2} s -> {}",
        summary.series.len(),
        summary.sections.len(),
        count(ChangeKind::New),
        count(ChangeKind::Revised),
        count(ChangeKind::Unchanged),
        total_obs,
        elapsed,
        ctx.store_path.display()
    )?;
    Ok(())
}
