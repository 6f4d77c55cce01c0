//! Dated cross-sections: one value per symbol on a snapshot date (market caps).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One row of a cross-section: a symbol's value of `field` on `date`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossSectionRow {
    pub symbol: String,
    pub name: Option<String>,
    pub value: f64,
}

/// A dated cross-section of one field (e.g. `market_cap_usd_bn` on 2026-08-20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossSection {
    /// The cross-section family (`sp500_marketcap`).
    pub id: String,
    pub field: String,
    pub date: NaiveDate,
    pub rows: Vec<CrossSectionRow>,
}
