//! File readers. Every reader turns bytes into validated [`Series`] (and, for
//! snapshot files, [`CrossSection`]s) or a [`ReadError`] naming file, line and column.
//! Reading never touches the store: ingestion is all-or-nothing because every
//! file is read and validated before the store's transaction begins.
//!
//! Layouts (see `docs/io-readers.md` for the full rules):
//! - the data bundle's (`date,open,high,low,close,volume` or any subset with `close`;
//!   `date,value`; `date,<col>,<col>,…` → one series per column `<id>.<col>`), and the
//!   market-cap snapshot layout (`snapshot_date,symbol,name,…,<numeric fields>` →
//!   one [`CrossSection`] per date and numeric field);
//! - generic CSV (date column and value columns detected or chosen; text columns skipped);
//! - Yahoo (`Date,Open,High,Low,Close,Adj Close,Volume`: the value is `Adj Close`, open/high/low
//!   are kept as published, i.e. not adjusted);
//! - Stooq (`Date,Open,High,Low,Close,Volume` or `<TICKER>,<PER>,<DATE>,<TIME>,<OPEN>,…`);
//! - FRED (`DATE` or `observation_date`, value column named by the series code, `.` missing);
//! - Parquet (cargo feature `parquet`).
//!
//! Line numbers are 1-based physical lines of the file (the header is line 1); columns are
//! reported by name and 1-based index.

mod date;
mod num;
#[cfg(feature = "parquet")]
mod parquet;
mod section;
mod table;

pub use date::{date_form, parse_date, parse_date_with, DateForm, DateOrder};
pub use num::{is_missing, parse_cell, Cell};
pub use table::{max_gap_days, SPIKE_FACTOR, WARN_GAP_DAYS};

use chrono::NaiveDate;
use fissure_core::{CoreError, CrossSection, Frequency, Series, SeriesMeta};
use std::fmt;
use std::path::{Path, PathBuf};

/// Input layout of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Detect from the header (and file extension).
    #[default]
    Auto,
    /// Generic CSV: a date column and one or more value columns.
    Csv,
    /// Yahoo-style OHLCV (`Date,Open,High,Low,Close,Adj Close,Volume`).
    Yahoo,
    /// Stooq (`Date,Open,High,Low,Close,Volume`, or `<TICKER>,<PER>,<DATE>,…`).
    Stooq,
    /// FRED (`DATE` or `observation_date`, value column named by the series code; `.` is missing).
    Fred,
    /// The data bundle's layout (`date,open,high,low,close,volume` or `date,value`, or several value columns).
    Bundle,
    /// Apache Parquet (a date column and numeric columns).
    Parquet,
}

impl Format {
    pub const ALL: [Format; 7] =
        [Self::Auto, Self::Csv, Self::Yahoo, Self::Stooq, Self::Fred, Self::Bundle, Self::Parquet];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Csv => "csv",
            Self::Yahoo => "yahoo",
            Self::Stooq => "stooq",
            Self::Fred => "fred",
            Self::Bundle => "bundle",
            Self::Parquet => "parquet",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown format `{s}` (expected auto, csv, yahoo, stooq, fred, bundle or parquet)"))
    }
}

/// What to read and how.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub format: Format,
    /// Series id (default: the file stem; multi-column files give `<id>.<column>`).
    pub id: Option<String>,
    /// Name of the date column (default: detected).
    pub date_col: Option<String>,
    /// Read only this value column (default: close for OHLCV files, every numeric column otherwise).
    pub value_col: Option<String>,
    /// Metadata to stamp on the series (name, asset class, unit, frequency, source); `id` is ignored.
    pub meta: Option<SeriesMeta>,
    /// The declared frequency, checked against the dates when set.
    pub frequency: Option<Frequency>,
    /// Accept zero or negative values in price columns (open/high/low/close/adj close, and the
    /// value of a series declared with a price asset class). Off by default because log returns
    /// need prices > 0; WTI crude's real settlement of -36.98 USD on 2020-04-20 is the case
    /// this exists for.
    pub allow_non_positive: bool,
    /// Refuse rows dated after this date (the CLI passes today unless `--allow-future`):
    /// a date in the future is a typo or a forecast, and it would move every "as of".
    pub not_after: Option<NaiveDate>,
    /// Drop rows dated before this date before their values are checked (an analysis'
    /// `--from`): a bad or non-positive value before the analysed span does not fail the file.
    pub skip_before: Option<NaiveDate>,
    /// Order of day and month in `a/b/YYYY` dates (`--date-format`).
    pub date_order: DateOrder,
    /// Field delimiter (`--delimiter`); default `,`, or a tab for `.tsv`/`.tab` files.
    pub delimiter: Option<u8>,
    /// Repair OHLC rows instead of refusing them: high and low widened to contain open and
    /// close (swapped when high < low), a negative volume made missing; every repair is
    /// counted in a warning (`--repair-ohlc`).
    pub repair_ohlc: bool,
}

/// Years before this are refused: market data start later, and `0001` is a placeholder.
pub const MIN_YEAR: i32 = 1600;

/// A cell echoed in a message, cut to a short prefix (a 200 MB cell must not print
/// 200 MB); messages print it with `{:?}`, which escapes control characters.
pub(crate) fn echo(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(4 * ECHO_CHARS)];
    let text = String::from_utf8_lossy(cut);
    let n = text.chars().count();
    let mut out: String = text.chars().take(ECHO_CHARS).collect();
    if n > ECHO_CHARS || bytes.len() > cut.len() {
        out.push_str(&format!("… ({} bytes)", bytes.len()));
    }
    out
}

/// Longest echoed cell, in characters.
pub(crate) const ECHO_CHARS: usize = 40;

/// Header names listed in a message: each cut and escaped, at most 20 of them.
pub(crate) fn echo_names(names: &[String]) -> String {
    let mut parts: Vec<String> = names.iter().take(20).map(|n| fissure_core::id::shorten(n, ECHO_CHARS)).collect();
    if names.len() > 20 {
        parts.push(format!("… {} more", names.len() - 20));
    }
    parts.join(", ")
}

/// A non-fatal observation made while reading.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadWarning {
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    pub series: Vec<Series>,
    pub sections: Vec<CrossSection>,
    pub warnings: Vec<ReadWarning>,
    /// The layout the file was read as (the detected one when `ReadOptions.format` is `Auto`).
    pub format: Format,
}

/// A column of the input, by 1-based index and header name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    /// 1-based position in the row.
    pub index: usize,
    /// Header name (empty if the header has no name for it).
    pub name: String,
}

impl fmt::Display for Col {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "column {}", self.index)
        } else {
            write!(f, "column {} `{}`", self.index, fissure_core::id::shorten(&self.name, ECHO_CHARS))
        }
    }
}

/// Errors of the readers. Every variant names the file and, where there is one, the line
/// (1-based physical line, header = 1) and column. [`ReadError::kind`] gives the variant name.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {source}", file.display())]
    Io { file: PathBuf, source: std::io::Error },
    #[error("{}: line {line}: the file is empty; expected a header line and data rows", file.display())]
    Empty { file: PathBuf, line: u64 },
    #[error("{}: line {line}: header only, no data rows; expected at least one dated row after the header", file.display())]
    HeaderOnly { file: PathBuf, line: u64 },
    #[error("{}: line {line}{}: not valid UTF-8 (byte offset {offset}); expected UTF-8 text (re-save the file as UTF-8)", file.display(), col_suffix(column))]
    NotUtf8 { file: PathBuf, line: u64, column: Option<Col>, offset: usize },
    #[error("{}: line {line}: the first line looks like data ({text:?}); expected a header line naming the columns", file.display())]
    NoHeader { file: PathBuf, line: u64, text: String },
    #[error("{}: line {line}: {column}: the header names this column twice; expected unique column names", file.display())]
    DuplicateColumn { file: PathBuf, line: u64, column: Col },
    #[error("{}: line {line}: no date column; expected {expected} (found: {found})", file.display())]
    MissingDateColumn { file: PathBuf, line: u64, expected: String, found: String },
    #[error("{}: line {line}: no value column; expected {expected} (found: {found})", file.display())]
    NoValueColumn { file: PathBuf, line: u64, expected: String, found: String },
    #[error("{}: line {line}: {found} fields; expected {expected} as in the header", file.display())]
    FieldCount { file: PathBuf, line: u64, expected: usize, found: usize },
    #[error("{}: line {line}: {column}: cannot parse date {text:?}; expected YYYY-MM-DD, M/D/YYYY, YYYYMMDD, YYYYMM, YYYY-MM, YYYY.MM or an ISO timestamp", file.display())]
    BadDate { file: PathBuf, line: u64, column: Col, text: String },
    #[error("{}: line {line}: {column}: cannot parse number {text:?}; expected a decimal number (e.g. 5048.62 or 1.2e3) or a missing marker (empty, ., NA, NaN, null)", file.display())]
    BadNumber { file: PathBuf, line: u64, column: Col, text: String },
    #[error("{}: line {line}: {column}: {text:?} is not a finite number; expected a finite value or a missing marker", file.display())]
    NonFinite { file: PathBuf, line: u64, column: Col, text: String },
    #[error("{}: line {line}: {column}: non-positive price {value} on {date}{}; expected a price > 0 (log returns need it; ReadOptions.allow_non_positive accepts it)", file.display(), class_suffix(asset_class))]
    NonPositivePrice {
        file: PathBuf,
        line: u64,
        column: Col,
        date: chrono::NaiveDate,
        value: f64,
        asset_class: Option<String>,
    },
    #[error("{}: line {line}: {column}: date {date} already appears at line {first_line} with a different value ({values}); expected one value per date", file.display())]
    DuplicateDate { file: PathBuf, line: u64, column: Col, date: chrono::NaiveDate, first_line: u64, values: String },
    #[error("{}: line {line}: {column}: symbol {symbol:?} already appears on {date} at line {first_line} with a different value; expected one row per symbol and date", file.display())]
    DuplicateSymbol { file: PathBuf, line: u64, column: Col, symbol: String, date: chrono::NaiveDate, first_line: u64 },
    #[error("{}: line {line}: {column}: empty symbol; expected a ticker in every row", file.display())]
    MissingSymbol { file: PathBuf, line: u64, column: Col },
    #[error("{}: line {line}: series `{series}` declared {declared} but the dates look {observed} (median gap {median_gap_days} days; first contradicting gap: {detail})", file.display())]
    FrequencyMismatch {
        file: PathBuf,
        line: u64,
        series: String,
        declared: Frequency,
        observed: Frequency,
        median_gap_days: i64,
        detail: String,
    },
    #[error("{}: line {line}: {column}: every value is missing; expected at least one number", file.display())]
    AllMissing { file: PathBuf, line: u64, column: Col },
    #[error("{}: line {line}: malformed CSV: {message}", file.display())]
    Malformed { file: PathBuf, line: u64, message: String },
    #[error("{}: Parquet support is not compiled in; rebuild with the cargo feature `parquet`", file.display())]
    ParquetDisabled { file: PathBuf },
    #[error("{}: {}{column_text}invalid Parquet: {message}", file.display(), row_text(*row))]
    Parquet { file: PathBuf, row: Option<u64>, column_text: String, message: String },
    #[error("{}: line {line}: series `{series}`: {source}", file.display())]
    Core { file: PathBuf, line: u64, series: String, source: Box<CoreError> },
    #[error("{}: line {line}: looks like UTF-16 ({what}); expected UTF-8 text (re-save the file as UTF-8)", file.display())]
    Utf16 { file: PathBuf, line: u64, what: String },
    #[error("{}: line {line}: NUL byte at byte offset {offset}: this is a binary file, not CSV text", file.display())]
    NulByte { file: PathBuf, line: u64, offset: usize },
    #[error("{}: line {line}: the header has one field holding {count} {name} characters: {name}-separated; use --delimiter {flag}", file.display())]
    WrongDelimiter { file: PathBuf, line: u64, name: &'static str, flag: &'static str, count: usize },
    #[error("{}: line {line}: {column}: date {text:?} is written as {}, but line {first_line} writes dates as {}; expected one date format per file", file.display(), form.describe(), first_form.describe())]
    MixedDateFormats {
        file: PathBuf,
        line: u64,
        column: Col,
        text: String,
        form: DateForm,
        first_line: u64,
        first_form: DateForm,
    },
    #[error("{}: line {line}: {column}: day and month are ambiguous: every date has both parts ≤ 12 (e.g. {text:?} could be {readings}); pass --date-format mdy or --date-format dmy", file.display())]
    AmbiguousDates { file: PathBuf, line: u64, column: Col, text: String, readings: String },
    #[error("{}: line {line}: {column}: {text:?} has a first part > 12 (day first) but line {other_line} has a second part > 12 (month first); expected one order per file", file.display())]
    InconsistentDateOrder { file: PathBuf, line: u64, column: Col, text: String, other_line: u64 },
    #[error("{}: line {line}: {column}: date {date} {why}", file.display())]
    DateOutOfRange { file: PathBuf, line: u64, column: Col, date: NaiveDate, why: String },
    #[error("{}: line {line}: {column}: {detail} on {date}; expected low ≤ open, close ≤ high and volume ≥ 0 (or pass --repair-ohlc to repair and report such rows)", file.display())]
    OhlcInconsistent { file: PathBuf, line: u64, column: Col, date: NaiveDate, detail: String },
    #[error("{}: line {line}: series `{series}` declared {declared}: a gap of {days} days ({from} → {to}, lines {from_line}–{line}); expected at most {max_days} days between observations", file.display())]
    GapTooLong {
        file: PathBuf,
        line: u64,
        series: String,
        declared: Frequency,
        days: i64,
        from: NaiveDate,
        to: NaiveDate,
        from_line: u64,
        max_days: i64,
    },
}

fn col_suffix(c: &Option<Col>) -> String {
    c.as_ref().map(|c| format!(", {c}")).unwrap_or_default()
}
fn class_suffix(c: &Option<String>) -> String {
    c.as_ref().map(|c| format!(" (declared asset class {c})")).unwrap_or_default()
}
fn row_text(r: Option<u64>) -> String {
    r.map(|r| format!("row {r}: ")).unwrap_or_default()
}

impl ReadError {
    /// The variant name (`"BadNumber"`, `"DuplicateDate"`, …), stable for tests and tools.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Io { .. } => "Io",
            Self::Empty { .. } => "Empty",
            Self::HeaderOnly { .. } => "HeaderOnly",
            Self::NotUtf8 { .. } => "NotUtf8",
            Self::NoHeader { .. } => "NoHeader",
            Self::DuplicateColumn { .. } => "DuplicateColumn",
            Self::MissingDateColumn { .. } => "MissingDateColumn",
            Self::NoValueColumn { .. } => "NoValueColumn",
            Self::FieldCount { .. } => "FieldCount",
            Self::BadDate { .. } => "BadDate",
            Self::BadNumber { .. } => "BadNumber",
            Self::NonFinite { .. } => "NonFinite",
            Self::NonPositivePrice { .. } => "NonPositivePrice",
            Self::DuplicateDate { .. } => "DuplicateDate",
            Self::DuplicateSymbol { .. } => "DuplicateSymbol",
            Self::MissingSymbol { .. } => "MissingSymbol",
            Self::FrequencyMismatch { .. } => "FrequencyMismatch",
            Self::AllMissing { .. } => "AllMissing",
            Self::Malformed { .. } => "Malformed",
            Self::ParquetDisabled { .. } => "ParquetDisabled",
            Self::Parquet { .. } => "Parquet",
            Self::Core { .. } => "Core",
            Self::Utf16 { .. } => "Utf16",
            Self::NulByte { .. } => "NulByte",
            Self::WrongDelimiter { .. } => "WrongDelimiter",
            Self::MixedDateFormats { .. } => "MixedDateFormats",
            Self::AmbiguousDates { .. } => "AmbiguousDates",
            Self::InconsistentDateOrder { .. } => "InconsistentDateOrder",
            Self::DateOutOfRange { .. } => "DateOutOfRange",
            Self::OhlcInconsistent { .. } => "OhlcInconsistent",
            Self::GapTooLong { .. } => "GapTooLong",
        }
    }

    /// The file the error is about.
    pub fn file(&self) -> &Path {
        match self {
            Self::Io { file, .. }
            | Self::Empty { file, .. }
            | Self::HeaderOnly { file, .. }
            | Self::NotUtf8 { file, .. }
            | Self::NoHeader { file, .. }
            | Self::DuplicateColumn { file, .. }
            | Self::MissingDateColumn { file, .. }
            | Self::NoValueColumn { file, .. }
            | Self::FieldCount { file, .. }
            | Self::BadDate { file, .. }
            | Self::BadNumber { file, .. }
            | Self::NonFinite { file, .. }
            | Self::NonPositivePrice { file, .. }
            | Self::DuplicateDate { file, .. }
            | Self::DuplicateSymbol { file, .. }
            | Self::MissingSymbol { file, .. }
            | Self::FrequencyMismatch { file, .. }
            | Self::AllMissing { file, .. }
            | Self::Malformed { file, .. }
            | Self::ParquetDisabled { file }
            | Self::Parquet { file, .. }
            | Self::Core { file, .. }
            | Self::Utf16 { file, .. }
            | Self::NulByte { file, .. }
            | Self::WrongDelimiter { file, .. }
            | Self::MixedDateFormats { file, .. }
            | Self::AmbiguousDates { file, .. }
            | Self::InconsistentDateOrder { file, .. }
            | Self::DateOutOfRange { file, .. }
            | Self::OhlcInconsistent { file, .. }
            | Self::GapTooLong { file, .. } => file,
        }
    }

    /// The 1-based physical line (header = 1) the error is about, if any. For Parquet
    /// errors this is the 1-based row number.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Io { .. } | Self::ParquetDisabled { .. } => None,
            Self::Parquet { row, .. } => *row,
            Self::Empty { line, .. }
            | Self::HeaderOnly { line, .. }
            | Self::NotUtf8 { line, .. }
            | Self::NoHeader { line, .. }
            | Self::DuplicateColumn { line, .. }
            | Self::MissingDateColumn { line, .. }
            | Self::NoValueColumn { line, .. }
            | Self::FieldCount { line, .. }
            | Self::BadDate { line, .. }
            | Self::BadNumber { line, .. }
            | Self::NonFinite { line, .. }
            | Self::NonPositivePrice { line, .. }
            | Self::DuplicateDate { line, .. }
            | Self::DuplicateSymbol { line, .. }
            | Self::MissingSymbol { line, .. }
            | Self::FrequencyMismatch { line, .. }
            | Self::AllMissing { line, .. }
            | Self::Malformed { line, .. }
            | Self::Core { line, .. }
            | Self::Utf16 { line, .. }
            | Self::NulByte { line, .. }
            | Self::WrongDelimiter { line, .. }
            | Self::MixedDateFormats { line, .. }
            | Self::AmbiguousDates { line, .. }
            | Self::InconsistentDateOrder { line, .. }
            | Self::DateOutOfRange { line, .. }
            | Self::OhlcInconsistent { line, .. }
            | Self::GapTooLong { line, .. } => Some(*line),
        }
    }

    /// The column the error is about (its header name, or `#<index>` when unnamed), if any.
    pub fn column(&self) -> Option<String> {
        self.col().map(|c| if c.name.is_empty() { format!("#{}", c.index) } else { c.name.clone() })
    }

    /// The column the error is about, with its 1-based index.
    pub fn col(&self) -> Option<&Col> {
        match self {
            Self::NotUtf8 { column, .. } => column.as_ref(),
            Self::DuplicateColumn { column, .. }
            | Self::BadDate { column, .. }
            | Self::BadNumber { column, .. }
            | Self::NonFinite { column, .. }
            | Self::NonPositivePrice { column, .. }
            | Self::DuplicateDate { column, .. }
            | Self::DuplicateSymbol { column, .. }
            | Self::MissingSymbol { column, .. }
            | Self::AllMissing { column, .. }
            | Self::MixedDateFormats { column, .. }
            | Self::AmbiguousDates { column, .. }
            | Self::InconsistentDateOrder { column, .. }
            | Self::DateOutOfRange { column, .. }
            | Self::OhlcInconsistent { column, .. } => Some(column),
            _ => None,
        }
    }
}

/// Reads one file.
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io { file: path.to_path_buf(), source })?;
    read_bytes(path, &bytes, opts)
}

/// Reads file content already in memory; `name` is used for ids and error messages.
pub fn read_bytes(name: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let is_parquet = opts.format == Format::Parquet
        || (opts.format == Format::Auto
            && (bytes.starts_with(b"PAR1")
                || name
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))));
    if is_parquet {
        return read_parquet(name, bytes, opts);
    }
    table::read_text(name, bytes, opts)
}

#[cfg(feature = "parquet")]
fn read_parquet(name: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    parquet::read(name, bytes, opts)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(name: &Path, _bytes: &[u8], _opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    Err(ReadError::ParquetDisabled { file: name.to_path_buf() })
}

/// The default series id: the file stem.
pub(crate) fn default_id(name: &Path, opts: &ReadOptions) -> String {
    if let Some(id) = &opts.id {
        return id.clone();
    }
    name.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "series".into())
}
