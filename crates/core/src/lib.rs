//! Fissure's data model — the one currency of the whole project.
//!
//! A [`Series`] is one dated, sorted, validated set of observations (a close or value,
//! and open/high/low/volume when the source has them). A [`Panel`] is many series
//! aligned on one calendar with explicit missing values ([`Option<f64>`]).
//! This crate does no I/O: readers and the store live in `fissure-io`.

pub mod deals;
pub mod error;
pub mod family;
pub mod id;
pub mod panel;
pub mod resample;
pub mod returns;
pub mod rolling;
pub mod section;
pub mod serde_nan;
pub mod series;
pub mod signal;

pub use chrono::NaiveDate as Date;
pub use deals::{Claim, Deal, DealBook, DealKind, DealStatus, Firm, Fundamentals};
pub use error::CoreError;
pub use family::{
    Chart, ChartData, FamilyInputs, FamilyOutput, FanBand, FanLine, Line, NetEdge, NetNode, SignalFamily, Span, Text,
};
pub use id::{id_problem, is_valid_id, printable_id};
pub use panel::{Alignment, Panel};
pub use resample::{resample, Aggregation};
pub use returns::{excess_returns, log_returns, prices_from_log_returns, prices_from_simple_returns, simple_returns};
pub use section::{CrossSection, CrossSectionRow};
pub use series::{AssetClass, Frequency, Ohlcv, Series, SeriesMeta};
pub use signal::{SignalSeries, SignalSpec, Thresholds};

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, CoreError>;
