use chrono::NaiveDate;
use thiserror::Error;

/// Errors of the data model. Every variant names the series (and date) it is about.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    #[error("series `{series}`: dates are not strictly increasing at {date} (index {index})")]
    UnsortedDates { series: String, date: NaiveDate, index: usize },
    #[error("series `{series}`: column `{column}` has {got} values for {expected} dates")]
    LengthMismatch { series: String, column: String, expected: usize, got: usize },
    #[error("series `{series}`: non-finite value {value} on {date}")]
    NonFinite { series: String, date: NaiveDate, value: f64 },
    #[error("series `{series}`: non-positive price {value} on {date}; a log return needs prices > 0")]
    NonPositivePrice { series: String, date: NaiveDate, value: f64 },
    #[error("series `{series}` is empty")]
    Empty { series: String },
    #[error("series `{series}`: declared frequency {declared} but the dates look {observed} (median gap {median_gap_days} days)")]
    FrequencyMismatch { series: String, declared: String, observed: String, median_gap_days: i64 },
    #[error("panel: no series given")]
    NoSeries,
    #[error("panel: reference series `{0}` is not among the series to align")]
    UnknownReference(String),
    #[error("panel: series id `{0}` appears twice")]
    DuplicateId(String),
    #[error("panel: the series have no date in common")]
    NoCommonDates,
    #[error("window {window} is invalid for {len} observations")]
    BadWindow { window: usize, len: usize },
    #[error("series `{series}`: cannot {what}: {why}")]
    Invalid { series: String, what: String, why: String },
}
