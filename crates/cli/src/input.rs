//! The input convention of every analysis command: a stored series id, or
//! `--file PATH` to analyse a file without ingesting it.

use crate::ctx::Ctx;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args;
use fissure_core::Series;
use fissure_io::read::DateOrder;
use fissure_io::{read_file, Format, ReadOptions};
use std::path::{Path, PathBuf};

/// Today's date: the later of the local and the UTC date (a file written in Tokyo in the
/// morning is not "in the future"). Dates after it are refused unless `--allow-future`.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive().max(chrono::Utc::now().date_naive())
}

/// `--date-format`: the order of day and month in `a/b/YYYY` dates.
#[derive(Debug, Clone, Copy, clap::ValueEnum, Default, PartialEq, Eq)]
pub enum DateFormatArg {
    /// Decided from the file (a part above 12 tells); an ambiguous file is refused.
    #[default]
    Auto,
    /// Month first: 01/13/2024.
    Mdy,
    /// Day first: 13/01/2024.
    Dmy,
}

/// `--delimiter`: `,` `;` `|`, `tab` (or `\t`), or any single ASCII character.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" | "TAB" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}`: expected one ASCII character, or tab, comma, semicolon or pipe")),
    }
}

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
    /// Field delimiter of files: `,` (default; tab for .tsv), `;`, `|`, `tab`.
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Order of day and month in `a/b/YYYY` dates: auto (decided by the file; an ambiguous
    /// file is refused), mdy or dmy.
    #[arg(long, value_enum, value_name = "ORDER", default_value_t = DateFormatArg::Auto)]
    pub date_format: DateFormatArg,
    /// Accept rows dated after today (forecasts); refused by default.
    #[arg(long)]
    pub allow_future: bool,
    /// Accept prices <= 0 (e.g. WTI crude on 2020-04-20); log returns will refuse such a series.
    #[arg(long)]
    pub allow_non_positive: bool,
    /// Repair OHLC rows with open/close outside [low, high], or high < low, or a negative
    /// volume (high/low widened, volume made missing; the close is never changed), with a
    /// warning counting them; such rows are refused otherwise.
    #[arg(long)]
    pub repair_ohlc: bool,
}

impl FileOptions {
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            format: self.format.into(),
            date_col: self.date_col.clone(),
            value_col: self.value_col.clone(),
            delimiter: self.delimiter,
            date_order: match self.date_format {
                DateFormatArg::Auto => DateOrder::Auto,
                DateFormatArg::Mdy => DateOrder::Mdy,
                DateFormatArg::Dmy => DateOrder::Dmy,
            },
            not_after: (!self.allow_future).then(today),
            allow_non_positive: self.allow_non_positive,
            repair_ohlc: self.repair_ohlc,
            ..Default::default()
        }
    }

    /// As [`FileOptions::read_options`], dropping rows before `from` (an analysis' `--from`)
    /// before their values are checked: a bad or non-positive price before the analysed
    /// span (WTI on 2020-04-20) does not fail the file.
    pub fn read_options_from(&self, from: Option<NaiveDate>) -> ReadOptions {
        ReadOptions { skip_before: from, ..self.read_options() }
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

/// Refuses an id outside the id grammar before looking it up (never echoing it raw).
pub fn check_id(id: &str) -> anyhow::Result<()> {
    match fissure_core::id_problem(id) {
        None => Ok(()),
        Some(why) => bail!("\"{}\" is not a valid series id: {why}", fissure_core::printable_id(id)),
    }
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
        check_id(id)?;
        self.store()?.load(id, None).map_err(|e| not_found_hint(self, id, e.into()))
    }

    /// Resolves a [`SeriesInput`] to one series.
    pub fn load_series(&self, input: &SeriesInput) -> anyhow::Result<Series> {
        self.load_series_from(input, None)
    }

    /// As [`Ctx::load_series`]; a `--file` input is read from `from` on (rows before it are
    /// dropped before validation, see [`FileOptions::read_options_from`]).
    pub fn load_series_from(&self, input: &SeriesInput, from: Option<NaiveDate>) -> anyhow::Result<Series> {
        if let Some(path) = &input.file {
            let mut all = read_series_file(path, &input.file_options.read_options_from(from))?;
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
        self.load_many_from(input, None)
    }

    /// As [`Ctx::load_many`], reading `--file` inputs from `from` on.
    pub fn load_many_from(&self, input: &MultiInput, from: Option<NaiveDate>) -> anyhow::Result<Vec<Series>> {
        let mut out = Vec::new();
        for name in &input.ids {
            check_id(name)?;
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
            out.extend(read_series_file(path, &input.file_options.read_options_from(from))?);
        }
        Ok(out)
    }
}

pub fn stored_ids(store: &fissure_io::Store) -> anyhow::Result<std::collections::BTreeSet<String>> {
    Ok(fissure_app::stored_ids(store)?)
}
