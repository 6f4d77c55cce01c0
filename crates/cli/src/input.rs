//! The input convention of every analysis command: a stored series id, or
//! `--file PATH` to analyse a file without ingesting it.

use crate::ctx::Ctx;
use anyhow::{bail, Context};
use clap::Args;
use fissure_core::Series;
use fissure_io::{read_file, Format, ReadOptions};
use std::path::{Path, PathBuf};

/// File format names accepted by `--format`.
#[derive(Debug, Clone, Copy, clap::ValueEnum, Default)]
pub enum FormatArg {
    #[default]
    Auto,
    Csv,
    Yahoo,
    Stooq,
    Fred,
    Bundle,
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Auto => Format::Auto,
            FormatArg::Csv => Format::Csv,
            FormatArg::Yahoo => Format::Yahoo,
            FormatArg::Stooq => Format::Stooq,
            FormatArg::Fred => Format::Fred,
            FormatArg::Bundle => Format::Bundle,
            FormatArg::Parquet => Format::Parquet,
        }
    }
}

/// How to read `--file` inputs.
#[derive(Debug, Clone, Args, Default)]
pub struct FileOptions {
    /// Format of `--file` inputs.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Date column of `--file` inputs (default: detected).
    #[arg(long, value_name = "COL")]
    pub date_col: Option<String>,
    /// Value column of `--file` inputs (default: close, or the only value column).
    #[arg(long, value_name = "COL")]
    pub value_col: Option<String>,
}

impl FileOptions {
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            format: self.format.into(),
            date_col: self.date_col.clone(),
            value_col: self.value_col.clone(),
            ..Default::default()
        }
    }
}

/// One series: a stored id or `--file PATH`.
#[derive(Debug, Clone, Args)]
pub struct SeriesInput {
    /// Stored series id (see `fissure list`).
    #[arg(value_name = "ID", required_unless_present = "file", conflicts_with = "file")]
    pub id: Option<String>,
    /// Analyse this file instead of a stored series.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub file_options: FileOptions,
}

/// Several series: stored ids or watchlist basket names, and/or `--file` (repeatable).
#[derive(Debug, Clone, Args)]
pub struct MultiInput {
    /// Stored series ids or basket names from the watchlist (a basket expands to its members).
    #[arg(value_name = "ID", required_unless_present = "file")]
    pub ids: Vec<String>,
    /// Files to analyse (repeat the flag for several).
    #[arg(long, value_name = "PATH")]
    pub file: Vec<PathBuf>,
    #[command(flatten)]
    pub file_options: FileOptions,
}

/// Reads every series of a file.
pub fn read_series_file(path: &Path, opts: &ReadOptions) -> anyhow::Result<Vec<Series>> {
    let out = read_file(path, opts).with_context(|| format!("reading {}", path.display()))?;
    for w in &out.warnings {
        eprintln!("warning: {}: {}", w.file.display(), w.message);
    }
    if out.series.is_empty() {
        bail!("{}: no series in this file", path.display());
    }
    Ok(out.series)
}

fn not_found_hint(ctx: &Ctx, id: &str, e: anyhow::Error) -> anyhow::Error {
    let empty = ctx.store().ok().and_then(|s| s.list().ok()).is_some_and(|l| l.is_empty());
    if empty {
        e.context(format!(
            "loading `{id}`: the store {} is empty; run `fissure ingest --demo` to load the bundled data",
            ctx.store_path.display()
        ))
    } else {
        e.context(format!("loading `{id}`"))
    }
}

impl Ctx {
    /// Loads one stored series by id.
    pub fn load_stored(&self, id: &str) -> anyhow::Result<Series> {
        self.store()?.load(id, None).map_err(|e| not_found_hint(self, id, e.into()))
    }

    /// Resolves a [`SeriesInput`] to one series.
    pub fn load_series(&self, input: &SeriesInput) -> anyhow::Result<Series> {
        if let Some(path) = &input.file {
            let mut all = read_series_file(path, &input.file_options.read_options())?;
            if all.len() > 1 {
                let names: Vec<_> = all.iter().map(|s| s.id().to_string()).collect();
                bail!(
                    "{} holds {} series ({}); choose one with --value-col",
                    path.display(),
                    all.len(),
                    names.join(", ")
                );
            }
            return Ok(all.remove(0));
        }
        match &input.id {
            Some(id) => self.load_stored(id),
            None => bail!("give a series ID or --file PATH"),
        }
    }

    /// Resolves a [`MultiInput`]: ids (baskets expand to members) then files.
    pub fn load_many(&self, input: &MultiInput) -> anyhow::Result<Vec<Series>> {
        let mut out = Vec::new();
        for name in &input.ids {
            let is_series = self.store()?.meta(name).is_ok();
            match (is_series, self.watchlist()?.basket(name)) {
                (false, Some(members)) => {
                    for m in members {
                        out.push(self.load_stored(m).with_context(|| format!("basket `{name}`"))?);
                    }
                }
                _ => out.push(self.load_stored(name)?),
            }
        }
        for path in &input.file {
            out.extend(read_series_file(path, &input.file_options.read_options())?);
        }
        Ok(out)
    }
}
