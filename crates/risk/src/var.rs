//! Portfolio VaR/ES by method, level and horizon, with components by asset and basket.
//!
//! Horizons h > 1 are computed two ways, each labelled: `overlapping` (the estimator on
//! overlapping h-day buy-and-hold returns Π(1 + r) − 1 of today's holdings) and `sqrt`
//! (the one-day figures × √h). FHS simulates the h days (`simulated`).

use crate::fhs::{self, Correlation};
use crate::measures::{self, Estimate, GpdTail};
use crate::portfolio::{Portfolio, ReturnMatrix};
use crate::{Result, RiskError};
use serde::Serialize;
use std::collections::BTreeMap;

/// A VaR/ES method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Historical,
    Gaussian,
    CornishFisher,
    Fhs,
    Evt,
}

impl Method {
    pub const ALL: [Method; 5] =
        [Method::Historical, Method::Gaussian, Method::CornishFisher, Method::Fhs, Method::Evt];
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Historical => "historical",
            Method::Gaussian => "gaussian",
            Method::CornishFisher => "cornish-fisher",
            Method::Fhs => "fhs",
            Method::Evt => "evt",
        }
    }
}

/// How an h-day figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// h = 1.
    OneDay,
    /// The estimator on overlapping h-day returns.
    Overlapping,
    /// One-day figures × √h.
    Sqrt,
    /// Simulated h-day paths (FHS).
    Simulated,
}

/// Options of [`portfolio_var`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct VarOptions {
    pub level: f64,
    pub horizon: usize,
    /// Share of the losses above the EVT threshold (0.1 = the worst 10 %).
    pub evt_tail: f64,
    pub sims: usize,
    pub seed: u64,
    pub correlation: Correlation,
}

impl Default for VarOptions {
    fn default() -> Self {
        VarOptions { level: 0.99, horizon: 1, evt_tail: 0.1, sims: 10_000, seed: 42, correlation: Correlation::Dcc }
    }
}

/// One asset's (or basket's) Euler component.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Component {
    pub id: String,
    pub weight: f64,
    pub var: f64,
    pub es: f64,
    /// Marginal VaR ∂VaR/∂wᵢ = component / weight (n/a for a zero weight).
    pub marginal_var: Option<f64>,
    pub marginal_es: Option<f64>,
}

/// One VaR/ES result.
#[derive(Debug, Clone, Serialize)]
pub struct VarResult {
    pub method: Method,
    pub level: f64,
    pub horizon: usize,
    pub scaling: Scaling,
    pub var: f64,
    pub es: f64,
    pub components: Vec<Component>,
    /// Basket sums of the components (baskets may overlap; each is a partial sum).
    pub baskets: Vec<Component>,
    /// Observations used (rows of returns, or simulations).
    pub observations: usize,
    pub first_date: Option<chrono::NaiveDate>,
    pub last_date: Option<chrono::NaiveDate>,
    pub gpd: Option<GpdTail>,
    pub dcc: Option<(f64, f64)>,
    pub skewness: Option<f64>,
    pub excess_kurtosis: Option<f64>,
}

fn components(ids: &[String], w: &[f64], e: &Estimate) -> Vec<Component> {
    ids.iter()
        .zip(w)
        .enumerate()
        .map(|(i, (id, wi))| Component {
            id: id.clone(),
            weight: *wi,
            var: e.var_components[i],
            es: e.es_components[i],
            marginal_var: (wi.abs() > 1e-12).then(|| e.var_components[i] / wi),
            marginal_es: (wi.abs() > 1e-12).then(|| e.es_components[i] / wi),
        })
        .collect()
}

/// Sums components over each basket's members present in the portfolio.
pub fn by_basket(comps: &[Component], baskets: &BTreeMap<String, Vec<String>>) -> Vec<Component> {
    let mut out = Vec::new();
    for (name, members) in baskets {
        let m: Vec<&Component> = comps.iter().filter(|c| members.contains(&c.id)).collect();
        if m.is_empty() {
            continue;
        }
        let weight: f64 = m.iter().map(|c| c.weight).sum();
        let var: f64 = m.iter().map(|c| c.var).sum();
        let es: f64 = m.iter().map(|c| c.es).sum();
        out.push(Component {
            id: name.clone(),
            weight,
            var,
            es,
            marginal_var: (weight.abs() > 1e-12).then(|| var / weight),
            marginal_es: (weight.abs() > 1e-12).then(|| es / weight),
        });
    }
    out
}

/// [`portfolio_var`] by each of `methods` in turn, the results in that order; a failure names its method
/// (`risk var --method all`).
pub fn portfolio_var_methods(
    m: &ReturnMatrix,
    portfolio: &Portfolio,
    methods: &[Method],
    opts: &VarOptions,
    baskets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<VarResult>> {
    let mut out = Vec::new();
    for &method in methods {
        let r = portfolio_var(m, portfolio, method, opts, baskets)
            .map_err(|e| RiskError::Method { method: method.as_str(), source: Box::new(e) })?;
        out.extend(r);
    }
    Ok(out)
}

/// VaR/ES of `portfolio` on daily returns `m` (columns in the portfolio's order).
/// Returns one result for h = 1 or FHS, and two (overlapping, sqrt) otherwise.
pub fn portfolio_var(
    m: &ReturnMatrix,
    portfolio: &Portfolio,
    method: Method,
    opts: &VarOptions,
    baskets: &BTreeMap<String, Vec<String>>,
) -> Result<Vec<VarResult>> {
    if m.ids != portfolio.ids() {
        return Err(RiskError::Invalid("return columns do not match the portfolio's holdings".into()));
    }
    measures::check_level(opts.level)?;
    if opts.horizon == 0 || opts.horizon > 250 {
        return Err(RiskError::Invalid(format!("horizon {} must be in 1..=250 days", opts.horizon)));
    }
    let w = portfolio.weights();
    let n = m.n();
    let h = opts.horizon;
    let make = |e: Estimate, scaling, rows: &ReturnMatrix, obs: usize, gpd, dcc, sk: Option<(f64, f64)>| VarResult {
        method,
        level: opts.level,
        horizon: h,
        scaling,
        var: e.var,
        es: e.es,
        baskets: by_basket(&components(&m.ids, &w, &e), baskets),
        components: components(&m.ids, &w, &e),
        observations: obs,
        first_date: rows.dates.first().copied(),
        last_date: rows.dates.last().copied(),
        gpd,
        dcc,
        skewness: sk.map(|s| s.0),
        excess_kurtosis: sk.map(|s| s.1),
    };
    type One = (Estimate, Option<GpdTail>, Option<(f64, f64)>);
    let one = |rows: &ReturnMatrix| -> Result<One> {
        Ok(match method {
            Method::Historical => (measures::historical(&rows.data, n, &w, opts.level)?, None, None),
            Method::Gaussian => (measures::gaussian(&rows.data, n, &w, opts.level)?, None, None),
            Method::CornishFisher => (measures::cornish_fisher(&rows.data, n, &w, opts.level)?, None, None),
            Method::Evt => {
                let (e, g) = measures::evt(&rows.data, n, &w, opts.level, opts.evt_tail)?;
                (e, Some(g), None)
            }
            Method::Fhs => unreachable!("FHS handled separately"),
        })
    };
    let sk = |rows: &ReturnMatrix| {
        (method == Method::CornishFisher).then(|| measures::skew_kurt(&rows.data, n, &w).ok()).flatten()
    };
    if method == Method::Fhs {
        let model = fhs::fit(m, opts.correlation)?;
        let sims = fhs::simulate(&model, opts.sims, h, opts.seed)?;
        let e = measures::historical(&sims, n, &w, opts.level)?;
        let scaling = if h == 1 { Scaling::OneDay } else { Scaling::Simulated };
        return Ok(vec![make(e, scaling, m, opts.sims, None, model.dcc, None)]);
    }
    let (e1, g1, _) = one(m)?;
    if h == 1 {
        return Ok(vec![make(e1, Scaling::OneDay, m, m.t(), g1, None, sk(m))]);
    }
    let ov = m.overlapping(h);
    let mut out = Vec::new();
    match one(&ov) {
        Ok((e, g, _)) => out.push(make(e, Scaling::Overlapping, &ov, ov.t(), g, None, sk(&ov))),
        Err(e) => {
            return Err(RiskError::Invalid(format!("{} VaR on overlapping {h}-day returns: {e}", method.as_str())))
        }
    }
    out.push(make(e1.scaled((h as f64).sqrt()), Scaling::Sqrt, m, m.t(), g1, None, sk(m)));
    Ok(out)
}
