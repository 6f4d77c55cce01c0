//! Data in and out of Fissure.
//!
//! - [`read`]: file readers (bundle layout, generic CSV, Yahoo, Stooq, FRED, Parquet)
//!   with precise, typed errors (file, line, column, what was expected).
//! - [`store`]: the embedded SQLite store — revisioned series, cross-sections,
//!   all-or-nothing ingestion, safe under concurrent writers.
//! - [`watchlist`]: baskets, macro roles, portfolio and report settings (TOML).
//! - [`demo`]: the bundled real data set and its catalog, embedded in the binary.
//! - [`publication`]: publication lags; series moved to the dates they became known.

pub mod deals;
pub mod demo;
pub mod publication;
pub mod read;
pub mod store;
pub mod tokens;
pub mod watchlist;
pub mod write;

pub use read::{read_bytes, read_file, Format, ReadError, ReadOptions, ReadOutcome, ReadWarning};
pub use store::default_store_path;
pub use store::{IngestSummary, Store, StoreError};
pub use watchlist::{Watchlist, WatchlistError};
#[cfg(feature = "parquet")]
pub use write::write_parquet;
pub use write::{write_csv, WriteError};
