//! Signals: the dated, named outputs every analysis family publishes for the
//! report (registry, composite gauge, skill backtest). A family returns
//! [`SignalSeries`]; the report turns each into states and scores without
//! knowing the family's internals.
//!
//! Real-time safety: `values[i]` must be computable from data dated on or
//! before `dates[i]` (expanding or trailing windows only, no look-ahead).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How a signal's value maps to calm / elevated / alarm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Thresholds {
    /// Percentile of the value against the signal's own history up to that date.
    Percentile { elevated: f64, alarm: f64 },
    /// Absolute levels of the value (e.g. a statistic above its critical value).
    Absolute { elevated: f64, alarm: f64 },
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::Percentile { elevated: 80.0, alarm: 95.0 }
    }
}

/// Static description of a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalSpec {
    /// Stable id, `family.name[.subject]` (e.g. `bubble.bsadf.IXIC`).
    pub id: String,
    /// Family key (`bubble`, `contagion`, `liquidity`, `structure`, …).
    pub family: String,
    pub title_en: String,
    pub title_zh: String,
    /// Unit of `values` (`t-stat`, `percent`, `share`, …).
    pub unit: String,
    /// True when a higher value means more risk (else the percentile is flipped).
    pub higher_is_riskier: bool,
    pub thresholds: Thresholds,
}

/// A signal's history, plus a one-sentence explanation of its latest value in
/// English and Simplified Chinese, built from the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalSeries {
    pub spec: SignalSpec,
    pub dates: Vec<NaiveDate>,
    /// NaN = no reading on that date.
    #[serde(with = "crate::serde_nan::vec")]
    pub values: Vec<f64>,
    pub explain_en: String,
    pub explain_zh: String,
}
