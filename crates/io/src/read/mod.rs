//! File readers. Every reader turns bytes into validated [`Series`] (and, for
//! snapshot files, [`CrossSection`]s) or a [`ReadError`] naming file, line and column.
//! Reading never touches the store: ingestion is all-or-nothing because every
//! file is read and validated before the store's transaction begins.
//!
//! (API fixed here; implementation in progress.)

use fissure_core::{CrossSection, Frequency, Series, SeriesMeta};
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
}

/// A non-fatal observation made while reading.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadWarning {
    pub file: PathBuf,
    pub message: String,
}

/// Everything read from one file.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    pub series: Vec<Series>,
    pub sections: Vec<CrossSection>,
    pub warnings: Vec<ReadWarning>,
}

/// Errors of the readers. Every variant names the file and, where there is one, the line and column.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}: {source}")]
    Io { file: PathBuf, source: std::io::Error },
}

/// Reads one file.
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io { file: path.to_path_buf(), source })?;
    read_bytes(path, &bytes, opts)
}

/// Reads file content already in memory; `name` is used for ids and error messages.
pub fn read_bytes(name: &Path, bytes: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let _ = (name, bytes, opts);
    unimplemented!("readers are being written")
}
