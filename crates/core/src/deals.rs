//! Deal networks: who pays whom, for what, how firmly — the records of the AI
//! capital loop (equity investments, chip and cloud purchases, backstops,
//! warrants). Validated values only; the readers live in `fissure-io`, the
//! measures in `fissure-network`.
//!
//! Money flows from `payer` to `payee` (investor → investee, buyer → seller).
//! An amount may be undisclosed (`None`): it is then reported as "undisclosed"
//! everywhere and never counted as zero.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a deal is. Funding kinds put money or value into the payee;
/// revenue kinds are purchases that the payee books as revenue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealKind {
    /// Shares bought in the payee (a completed investment is a holding of the payer).
    EquityInvestment,
    /// Warrants (options on the payer's shares) granted to the payee.
    Warrant,
    /// A promise by the payer to buy the payee's unsold capacity.
    CapacityBackstop,
    /// A loan or bond from the payer (lender) to the payee (borrower).
    Debt,
    /// Chips or systems bought from the payee.
    ChipPurchase,
    /// Cloud or compute capacity bought from the payee.
    CloudContract,
    /// Other services or licences bought from the payee.
    ServiceContract,
}

impl DealKind {
    pub const ALL: [DealKind; 7] = [
        Self::EquityInvestment,
        Self::Warrant,
        Self::CapacityBackstop,
        Self::Debt,
        Self::ChipPurchase,
        Self::CloudContract,
        Self::ServiceContract,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EquityInvestment => "equity_investment",
            Self::Warrant => "warrant",
            Self::CapacityBackstop => "capacity_backstop",
            Self::Debt => "debt",
            Self::ChipPurchase => "chip_purchase",
            Self::CloudContract => "cloud_contract",
            Self::ServiceContract => "service_contract",
        }
    }

    /// Funding: the payer finances the payee (equity, warrants, backstops, debt).
    pub fn is_funding(self) -> bool {
        matches!(self, Self::EquityInvestment | Self::Warrant | Self::CapacityBackstop | Self::Debt)
    }

    /// Revenue-like: the payee sells chips, cloud or services to the payer.
    pub fn is_revenue(self) -> bool {
        !self.is_funding()
    }

    /// The vocabulary, for messages.
    pub fn vocabulary() -> String {
        Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl std::str::FromStr for DealKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| format!("unknown kind `{s}` (expected one of {})", Self::vocabulary()))
    }
}

impl fmt::Display for DealKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How firm a deal is, from done to merely intended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// Money has changed hands.
    Completed,
    /// A binding agreement.
    Committed,
    /// Announced by the parties (often multi-year, conditional).
    Announced,
    /// Reported by the press, not confirmed by the parties.
    Reported,
    /// A non-binding letter of intent or memorandum.
    LetterOfIntent,
}

impl DealStatus {
    pub const ALL: [DealStatus; 5] =
        [Self::Completed, Self::Committed, Self::Announced, Self::Reported, Self::LetterOfIntent];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Committed => "committed",
            Self::Announced => "announced",
            Self::Reported => "reported",
            Self::LetterOfIntent => "letter_of_intent",
        }
    }

    pub fn vocabulary() -> String {
        Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl std::str::FromStr for DealStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| format!("unknown status `{s}` (expected one of {})", Self::vocabulary()))
    }
}

impl fmt::Display for DealStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One deal. `id` is stable across revisions of the deals file (the `id` column,
/// or `date:payer:payee:kind`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    pub id: String,
    pub date: NaiveDate,
    /// `day`, `month`, `quarter` or `year`: how precise `date` is.
    pub date_precision: String,
    pub payer: String,
    pub payee: String,
    pub kind: DealKind,
    /// Headline amount in USD billions; `None` = undisclosed.
    pub amount_usd_bn: Option<f64>,
    pub status: DealStatus,
    pub description: String,
    pub source: String,
    /// Since when this version of the record was public (default: `date`).
    pub known_since: NaiveDate,
}

/// A firm of the deal graph with its size (market cap or private valuation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Firm {
    pub firm: String,
    pub name: String,
    pub listed: bool,
    /// USD billions; `None` = unknown (never zero).
    pub valuation_usd_bn: Option<f64>,
    pub valuation_date: Option<NaiveDate>,
    pub valuation_kind: String,
    pub source: String,
}

/// One row of a fundamentals table (USD billions; `None` = not reported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fundamentals {
    pub firm: String,
    /// Free text (`FY2025`, `2025Q3`).
    pub period: String,
    pub period_end: NaiveDate,
    pub capex_usd_bn: Option<f64>,
    pub revenue_usd_bn: Option<f64>,
    pub operating_cash_flow_usd_bn: Option<f64>,
    pub free_cash_flow_usd_bn: Option<f64>,
    pub ai_revenue_usd_bn: Option<f64>,
    /// Publication date (default: `period_end`, an optimistic stand-in).
    pub published: NaiveDate,
    pub source: String,
}

/// A numerical claim from a commentary (capex, revenue, FCF, valuations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub claim_id: String,
    pub published: NaiveDate,
    pub subject: String,
    pub metric: String,
    pub period: String,
    pub value: Option<f64>,
    pub unit: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub claim: String,
    pub source: String,
}

/// Everything the network family reads: deals, firms, fundamentals, claims.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DealBook {
    pub deals: Vec<Deal>,
    pub firms: Vec<Firm>,
    pub fundamentals: Vec<Fundamentals>,
    pub claims: Vec<Claim>,
}

impl DealBook {
    /// The firm record of `id`.
    pub fn firm(&self, id: &str) -> Option<&Firm> {
        self.firms.iter().find(|f| f.firm == id)
    }

    /// The book as known on `as_of`: deals dated and known by then, firm sizes
    /// valued by then (later valuations become unknown), claims published and
    /// fundamentals published by then.
    pub fn as_of(&self, as_of: NaiveDate) -> DealBook {
        DealBook {
            deals: self.deals.iter().filter(|d| d.date <= as_of && d.known_since <= as_of).cloned().collect(),
            firms: self
                .firms
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    if f.valuation_date.is_some_and(|d| d > as_of) {
                        f.valuation_usd_bn = None;
                        f.valuation_date = None;
                    }
                    f
                })
                .collect(),
            fundamentals: self.fundamentals.iter().filter(|r| r.published <= as_of).cloned().collect(),
            claims: self.claims.iter().filter(|c| c.published <= as_of).cloned().collect(),
        }
    }
}
