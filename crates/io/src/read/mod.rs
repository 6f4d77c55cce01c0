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

pub use date::parse_date;
pub use num::{is_missing, parse_cell, Cell};

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
            write!(f, "column {} `{}`", self.index, self.name)
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
            | Self::Core { file, .. } => file,
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
            | Self::Core { line, .. } => Some(*line),
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
            | Self::AllMissing { column, .. } => Some(column),
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
