//! The plug-in contract between signal families and the report.
//!
//! A family (bubble, contagion, liquidity, structure, …) implements
//! [`SignalFamily`]: given the loaded data ([`FamilyInputs`]) it returns its
//! signals and the chart data that illustrate them ([`FamilyOutput`]). The report
//! renders any family without knowing it; adding a family is one line where the
//! binary lists them.

use crate::{CrossSection, Series, SignalSeries};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a family may read. Series are already truncated at `as_of`
/// (real-time safety is the caller's guarantee; families must not look past the
/// last date they are given).
#[derive(Debug, Clone, Default)]
pub struct FamilyInputs {
    pub as_of: Option<NaiveDate>,
    /// Stored series by id.
    pub series: BTreeMap<String, Series>,
    /// Cross-sections by id (e.g. `SP500_MCAP`), each field's snapshots by date.
    pub sections: BTreeMap<String, Vec<CrossSection>>,
    /// Basket name → (member id, weight), weights summing to 1.
    pub baskets: BTreeMap<String, Vec<(String, f64)>>,
    /// Role name (`us10y`, `vix`, …) → series id.
    pub roles: BTreeMap<String, String>,
    /// Series to test for bubbles.
    pub bubble_assets: Vec<String>,
    /// The deal network (deals, firms, fundamentals, claims), as known at `as_of`.
    pub deals: Option<crate::DealBook>,
    /// The watchlist's `[portfolio]`: (series id, weight of equity); empty when none.
    pub portfolio: Vec<(String, f64)>,
    /// The `[portfolio]`'s maintenance margin by held asset (`portfolio.margin`); an asset not listed
    /// takes its asset class's default.
    pub portfolio_margin: BTreeMap<String, f64>,
}

impl FamilyInputs {
    /// The series playing `role`, if present.
    pub fn role(&self, role: &str) -> Option<&Series> {
        self.roles.get(role).and_then(|id| self.series.get(id))
    }
}

/// A text in both report languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text { en: en.into(), zh: zh.into() }
    }
}

/// An English ordinal of a rounded percentile (`92nd`, `11th`), for explanations;
/// `n/a` when not finite. Chinese texts write `第92百分位` and need no helper.
pub fn ordinal_en(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".into();
    }
    let n = p.round() as i64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    pub dates: Vec<NaiveDate>,
    #[serde(with = "crate::serde_nan::vec")]
    pub values: Vec<f64>,
}

/// A shaded date span on a line chart (a bubble episode, a stress regime).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

/// Chart data; the report draws it (SVG), families never draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ChartData {
    /// Lines over time, optional shaded spans and horizontal reference levels.
    Lines { lines: Vec<Line>, spans: Vec<Span>, hlines: Vec<(String, f64)>, log_scale: bool },
    /// A labelled square matrix (correlations): values in [-1, 1] unless stated.
    Heatmap {
        labels: Vec<String>,
        #[serde(with = "crate::serde_nan::matrix")]
        matrix: Vec<Vec<f64>>,
    },
    /// A directed weighted network (net pairwise spillovers): edges (from, to, weight).
    Network { nodes: Vec<String>, edges: Vec<(String, String, f64)> },
    /// Labelled bars (concentration shares, loadings).
    Bars {
        labels: Vec<String>,
        #[serde(with = "crate::serde_nan::vec")]
        values: Vec<f64>,
    },
    /// A deal network: nodes sized by valuation, edges by amount, cycle edges
    /// highlighted, line style by how firm the deal is.
    DealNetwork { nodes: Vec<NetNode>, edges: Vec<NetEdge> },
    /// A table of cells in both languages (required-revenue sensitivities, claims checks).
    Table { columns: Vec<Text>, rows: Vec<Vec<Text>> },
    /// A fan chart over a simulated horizon: a central path, nested quantile bands
    /// (widest first) and reference lines on the same `x` (e.g. days ahead).
    Fan {
        x_label: String,
        #[serde(with = "crate::serde_nan::vec")]
        x: Vec<f64>,
        center_label: String,
        #[serde(with = "crate::serde_nan::vec")]
        center: Vec<f64>,
        bands: Vec<FanBand>,
        lines: Vec<FanLine>,
        /// Unit shown on the y axis (`%`).
        unit: String,
    },
}

/// A node of [`ChartData::DealNetwork`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetNode {
    pub id: String,
    /// Size (valuation, USD bn); `None` = unknown (drawn hollow at the smallest size).
    pub size: Option<f64>,
}

/// An edge of [`ChartData::DealNetwork`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetEdge {
    pub from: String,
    pub to: String,
    /// Amount (USD bn); `None` = undisclosed (drawn thin and dotted).
    pub amount: Option<f64>,
    /// `solid` (completed, committed), `dashed` (announced, reported) or `dotted` (letter of intent).
    pub style: String,
    /// True when the edge lies on a cycle (highlighted).
    pub in_cycle: bool,
    /// Hover text (kind, status, amount).
    pub label: String,
}

/// One quantile band of a fan chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanBand {
    pub label: String,
    #[serde(with = "crate::serde_nan::vec")]
    pub lower: Vec<f64>,
    #[serde(with = "crate::serde_nan::vec")]
    pub upper: Vec<f64>,
}

/// A reference line of a fan chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanLine {
    pub label: String,
    #[serde(with = "crate::serde_nan::vec")]
    pub values: Vec<f64>,
}

/// A chart with its title and caption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// File-name-safe id (`bubble_ixic`).
    pub id: String,
    pub title: Text,
    pub caption: Text,
    pub data: ChartData,
}

/// What a family returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FamilyOutput {
    pub signals: Vec<SignalSeries>,
    pub charts: Vec<Chart>,
    /// Methods used, with references (shown in the report's methods section).
    pub methods: Vec<Text>,
    /// Inputs that were missing or too short (shown, never silently dropped).
    pub notes: Vec<Text>,
}

/// A signal family.
pub trait SignalFamily: Send + Sync {
    /// Family key (`bubble`, `contagion`, `liquidity`, `structure`).
    fn key(&self) -> &'static str;
    /// Family title in both languages.
    fn title(&self) -> Text;
    /// Computes the family's signals and charts.
    fn compute(&self, inputs: &FamilyInputs) -> Result<FamilyOutput, String>;
    /// Series and cross-section ids this family reads from `inputs`, so that the
    /// report's cache recomputes the family only when one of them changes.
    /// `None` (the default) means "any input": every data update recomputes it.
    fn inputs_used(&self, _inputs: &FamilyInputs) -> Option<Vec<String>> {
        None
    }
    /// The family's parameters as text (windows, levels, seeds), part of the
    /// report's cache key. Default: none beyond the code itself.
    fn params(&self) -> String {
        String::new()
    }
}
