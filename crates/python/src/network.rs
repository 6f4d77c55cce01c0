//! Network family: `network_summary`, `network_cycles`, `debtrank`, `clearing`, `capex_gap`,
//! `required_revenue`, `capex_claims` (the JSON of `fissure network|capex … --json`, built by
//! `fissure_network::json`).

use crate::common::{options, run, store};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use fissure_core::{CrossSection, DealBook, DealStatus};
use fissure_io::deals;
use fissure_network::capex::{self, Method};
use fissure_network::claims::check_claims;
use fissure_network::stress::{self, ClearingParams, ClearingSystem, DebtRankVariant, ExposureNetwork};
use fissure_network::summary::{summarize, SummaryParams};
use fissure_network::{json, DealGraph, StatusWeights};
use pyo3::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the deal book comes from (the CLI's `BookArgs`): files, else the store's book `book`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BookOpts {
    pub deals: Option<PathBuf>,
    pub firms: Option<PathBuf>,
    pub claims: Option<PathBuf>,
    pub fundamentals: Option<PathBuf>,
    pub book: String,
    pub as_of: Option<NaiveDate>,
    pub revision: Option<u32>,
    pub store: Option<PathBuf>,
}

impl Default for BookOpts {
    fn default() -> Self {
        BookOpts {
            deals: None,
            firms: None,
            claims: None,
            fundamentals: None,
            book: "ai".into(),
            as_of: None,
            revision: None,
            store: None,
        }
    }
}

const BOOK_KEYS: [&str; 8] = ["deals", "firms", "claims", "fundamentals", "book", "as_of", "revision", "store"];

/// Splits the options into the book's (`BookOpts`) and the command's own `T` (both refuse unknown names).
fn with_book<T: serde::de::DeserializeOwned>(options_json: &str) -> anyhow::Result<(BookOpts, T)> {
    let all: serde_json::Map<String, serde_json::Value> = options(options_json)?;
    let (book, own): (serde_json::Map<_, _>, serde_json::Map<_, _>) =
        all.into_iter().partition(|(k, _)| BOOK_KEYS.contains(&k.as_str()));
    let book = serde_json::from_value(book.into()).map_err(|e| anyhow::anyhow!("invalid option: {e}"))?;
    let own = serde_json::from_value(own.into()).map_err(|e| anyhow::anyhow!("invalid option: {e}"))?;
    Ok((book, own))
}

impl BookOpts {
    fn load(&self) -> anyhow::Result<DealBook> {
        let book = if let Some(d) = &self.deals {
            let Some(f) = &self.firms else { bail!("deals= needs firms= (every payer and payee must be a firm)") };
            deals::read_book_files(d, f)?
        } else {
            store(self.store.as_deref())?.load_book(&self.book, self.revision, self.as_of)?.with_context(|| {
                format!(
                    "no deal book `{}` in the store; pass deals= and firms=, or store= a store holding it",
                    self.book
                )
            })?
        };
        Ok(deals::overlay_files(book, self.claims.as_deref(), self.fundamentals.as_deref(), self.as_of)?)
    }
}

fn check_unit(name: &str, v: f64) -> anyhow::Result<f64> {
    anyhow::ensure!((0.0..=1.0).contains(&v), "{name}: {v} is outside [0, 1]");
    Ok(v)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryOpts {
    pub hops: usize,
    pub max_len: Option<usize>,
    pub status_weight: BTreeMap<String, f64>,
}

impl Default for SummaryOpts {
    fn default() -> Self {
        SummaryOpts { hops: 3, max_len: None, status_weight: BTreeMap::new() }
    }
}

fn check_len(k: Option<usize>) -> anyhow::Result<()> {
    if let Some(k) = k {
        anyhow::ensure!(k >= 2, "max_len: {k}: expected an integer ≥ 2 (a cycle needs two firms)");
    }
    Ok(())
}

#[pyfunction]
pub fn network_summary(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let (book, a): (BookOpts, SummaryOpts) = with_book(options_json)?;
        anyhow::ensure!((1..=10).contains(&a.hops), "hops: `{}`: expected an integer in [1, 10]", a.hops);
        check_len(a.max_len)?;
        let mut weights = StatusWeights::default();
        for (s, w) in &a.status_weight {
            let status: DealStatus = s.parse().map_err(|e: String| anyhow::anyhow!("status_weight: {e}"))?;
            weights.set(status, check_unit("status_weight", *w)?)?;
        }
        let book = book.load()?;
        let p = SummaryParams { hops: a.hops, max_len: a.max_len, weights, ..Default::default() };
        Ok(serde_json::to_value(summarize(&book, &p)?)?)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CyclesOpts {
    pub max_len: Option<usize>,
    pub limit: usize,
}

impl Default for CyclesOpts {
    fn default() -> Self {
        CyclesOpts { max_len: None, limit: 10_000 }
    }
}

#[pyfunction]
pub fn network_cycles(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let (book, a): (BookOpts, CyclesOpts) = with_book(options_json)?;
        check_len(a.max_len)?;
        let book = book.load()?;
        let g = DealGraph::new(&book);
        let (search, list) = g.first_cycles(a.max_len, a.limit);
        Ok(json::cycles(&search, a.max_len, &list))
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DebtRankOpts {
    /// FIRM → initial relative equity loss in [0, 1] (the CLI's repeated `--shock FIRM=LOSS`).
    pub shock: BTreeMap<String, f64>,
    pub linear: bool,
    pub exposures: Option<PathBuf>,
    pub equity: Option<PathBuf>,
    pub size: BTreeMap<String, f64>,
}

#[pyfunction]
pub fn debtrank(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let (book, a): (BookOpts, DebtRankOpts) = with_book(options_json)?;
        anyhow::ensure!(!a.shock.is_empty(), "shock: give at least one FIRM=LOSS, e.g. shock={{'OPENAI': 0.5}}");
        let shocks: Vec<(String, f64)> =
            a.shock.iter().map(|(f, l)| Ok((f.clone(), check_unit("shock", *l)?))).collect::<anyhow::Result<_>>()?;
        for (f, s) in &a.size {
            anyhow::ensure!(s.is_finite() && *s > 0.0, "size of `{f}`: {s}: a size must be > 0");
        }
        let (net, skipped) = match (&a.exposures, &a.equity) {
            (Some(x), Some(e)) => {
                let (links, eq) = deals::read_exposure_files(x, e)?;
                let mut net = ExposureNetwork::from_rows(&links, &eq)
                    .with_context(|| format!("{} and {}", x.display(), e.display()))?;
                for (f, s) in &a.size {
                    let i = net.index(f)?;
                    net.equity[i] = Some(*s);
                }
                (net, 0)
            }
            (None, None) => ExposureNetwork::from_deals(&book.load()?, &a.size)?,
            _ => bail!("exposures= and equity= go together"),
        };
        let idx: Vec<(usize, f64)> = shocks
            .iter()
            .map(|(f, l)| Ok((net.index(f)?, *l)))
            .collect::<Result<_, fissure_network::NetworkError>>()?;
        let variant = if a.linear { DebtRankVariant::Linear } else { DebtRankVariant::Original };
        let r = stress::debt_rank(&net, &idx, variant)?;
        Ok(json::debtrank(&net, &r, &shocks, skipped))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearingOpts {
    pub liabilities: PathBuf,
    pub external: PathBuf,
    #[serde(default = "one")]
    pub alpha: f64,
    #[serde(default = "one")]
    pub beta: f64,
    #[serde(default)]
    pub senior_external: bool,
}

fn one() -> f64 {
    1.0
}

#[pyfunction]
pub fn clearing(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let a: ClearingOpts = options(options_json)?;
        let (alpha, beta) = (check_unit("alpha", a.alpha)?, check_unit("beta", a.beta)?);
        let (links, ext) = deals::read_clearing_files(&a.liabilities, &a.external)?;
        let sys = ClearingSystem::from_named(&links, &ext)
            .with_context(|| format!("{} and {}", a.liabilities.display(), a.external.display()))?;
        let p = ClearingParams { alpha, beta, senior_external: a.senior_external };
        let c = stress::clearing(&sys, &p)?;
        Ok(json::clearing(&sys, &p, &c))
    })
}

#[pyfunction]
pub fn capex_gap(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let book: BookOpts = options(options_json)?;
        Ok(json::capex_gap(&capex::intensity(&book.load()?.fundamentals)))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredOpts {
    pub capex: f64,
    pub hurdle: f64,
    pub life: f64,
    pub margin: f64,
    #[serde(default = "annuity")]
    pub method: String,
    #[serde(default)]
    pub revenue: Option<f64>,
}

fn annuity() -> String {
    "annuity".into()
}

#[pyfunction]
pub fn required_revenue(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let a: RequiredOpts = options(options_json)?;
        anyhow::ensure!(a.capex.is_finite() && a.capex > 0.0, "capex: {}: expected a positive amount", a.capex);
        anyhow::ensure!((0.0..=1.0).contains(&a.hurdle), "hurdle: {}: expected a rate in [0, 1] (0.1 = 10%)", a.hurdle);
        anyhow::ensure!((1.0..=100.0).contains(&a.life), "life: {}: expected 1 to 100 years", a.life);
        anyhow::ensure!(
            a.margin > 0.0 && a.margin <= 1.0,
            "margin: {}: expected a margin in (0, 1] (0.5 = 50%)",
            a.margin
        );
        if let Some(r) = a.revenue {
            anyhow::ensure!(r.is_finite() && r > 0.0, "revenue: {r}: expected a positive amount");
        }
        let method: Method = a.method.parse().map_err(|e| anyhow::anyhow!("method: {e}"))?;
        Ok(json::required_revenue(a.capex, a.hurdle, a.life, a.margin, method, a.revenue)?)
    })
}

#[pyfunction]
pub fn capex_claims(py: Python<'_>, options_json: &str) -> PyResult<String> {
    run(py, move || {
        let opts: BookOpts = options(options_json)?;
        let book = opts.load()?;
        if book.claims.is_empty() {
            bail!("no claims: the book has none; pass claims=FILE");
        }
        // the S&P 500 market-cap snapshots, when stored, check the Magnificent 7 share (as the CLI)
        let caps: Vec<CrossSection> = match store(opts.store.as_deref()) {
            Ok(s) if s.list_sections().map(|l| l.iter().any(|x| x.id == "SP500_MCAP")).unwrap_or(false) => s
                .load_sections("SP500_MCAP", "market_cap_usd_bn")
                .context("loading the S&P 500 market-cap snapshots")?,
            _ => vec![],
        };
        Ok(json::capex_claims(&check_claims(&book.claims, &book.fundamentals, &book.firms, &caps)))
    })
}
