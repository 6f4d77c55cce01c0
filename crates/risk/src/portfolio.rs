//! Portfolio input: holdings as weights of equity (or quantities valued at the as-of
//! price), cash (negative cash = borrowing, i.e. leverage), a margin requirement per
//! asset, and the base currency (USD; a JPY-priced asset is converted with USDJPY).
//!
//! Convention: weights are fractions of the investor's equity E (net asset value), so
//! Σ wᵢ + cash = 1; Σ wᵢ > 1 is a leveraged portfolio. Returns of the portfolio are
//! r_p = Σ wᵢ rᵢ (cash earns 0), and the loss is L = −r_p (a fraction of equity).

use crate::{Result, RiskError};
use chrono::NaiveDate;
use fissure_core::{AssetClass, Series};
use serde::Serialize;
use std::collections::BTreeMap;

/// Tolerance on Σ wᵢ + cash = 1.
pub const WEIGHT_TOLERANCE: f64 = 1e-6;

/// One position.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Holding {
    pub id: String,
    /// Fraction of equity (negative = short).
    pub weight: f64,
    /// Maintenance margin requirement as a fraction of the position's value
    /// (Reg T: 0.25 for equities; 1.0 = no borrowing against it).
    pub margin: f64,
}

/// A portfolio: holdings, cash and base currency.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Portfolio {
    pub holdings: Vec<Holding>,
    /// Cash as a fraction of equity (negative = borrowed).
    pub cash: f64,
    pub base_currency: String,
}

/// A raw line of a portfolio file or watchlist.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    Weight(f64),
    Quantity(f64),
}

/// Default maintenance margin by asset class: 0.25 (Reg T equities), 0.5 for crypto.
pub fn default_margin(class: AssetClass) -> f64 {
    match class {
        AssetClass::Crypto => 0.5,
        _ => 0.25,
    }
}

impl Portfolio {
    /// From weights of equity. `cash` defaults to 1 − Σw when `None`… only if `normalise`
    /// is false and the weights sum to 1 (then cash is 0); with `normalise` the weights are
    /// scaled so that Σw = 1 − cash.
    pub fn from_weights(
        entries: &[(String, f64, Option<f64>)],
        cash: f64,
        normalise: bool,
        margin_of: impl Fn(&str) -> f64,
    ) -> Result<Portfolio> {
        if entries.is_empty() {
            return Err(RiskError::Invalid("the portfolio has no holdings".into()));
        }
        if !cash.is_finite() {
            return Err(RiskError::Invalid(format!("cash {cash} is not finite")));
        }
        check_unique(entries.iter().map(|e| e.0.as_str()))?;
        if let Some((id, w, _)) = entries.iter().find(|e| !e.1.is_finite()) {
            return Err(RiskError::Invalid(format!("weight of `{id}` = {w} is not finite")));
        }
        let total: f64 = entries.iter().map(|e| e.1).sum();
        let scale = if (total + cash - 1.0).abs() <= WEIGHT_TOLERANCE {
            1.0
        } else if normalise {
            if total.abs() < 1e-12 || (1.0 - cash).abs() < 1e-12 {
                return Err(RiskError::Invalid(format!(
                    "cannot normalise weights summing to {total} with cash {cash}"
                )));
            }
            (1.0 - cash) / total
        } else {
            return Err(RiskError::WeightsDoNotSumToOne { total, cash });
        };
        let holdings = entries
            .iter()
            .map(|(id, w, m)| Holding { id: id.clone(), weight: w * scale, margin: m.unwrap_or_else(|| margin_of(id)) })
            .collect::<Vec<_>>();
        for h in &holdings {
            if !(0.0..=1.0).contains(&h.margin) {
                return Err(RiskError::Invalid(format!("margin of `{}` = {} not in [0, 1]", h.id, h.margin)));
            }
        }
        Ok(Portfolio { holdings, cash, base_currency: "USD".into() })
    }

    /// From quantities valued at `price(id)` (already in the base currency) and a cash
    /// amount in the base currency.
    pub fn from_quantities(
        entries: &[(String, f64, Option<f64>)],
        cash_amount: f64,
        price: impl Fn(&str) -> Result<f64>,
        margin_of: impl Fn(&str) -> f64,
    ) -> Result<Portfolio> {
        if entries.is_empty() {
            return Err(RiskError::Invalid("the portfolio has no holdings".into()));
        }
        check_unique(entries.iter().map(|e| e.0.as_str()))?;
        let mut values = Vec::with_capacity(entries.len());
        for (id, q, _) in entries {
            if !q.is_finite() {
                return Err(RiskError::Invalid(format!("quantity of `{id}` = {q} is not finite")));
            }
            values.push(q * price(id)?);
        }
        let equity: f64 = values.iter().sum::<f64>() + cash_amount;
        let gross: f64 = values.iter().map(|v| v.abs()).sum::<f64>() + cash_amount.abs();
        if equity <= 1e-9 * gross.max(1.0) {
            return Err(RiskError::Invalid(format!(
                "the portfolio's equity (positions {:.2} + cash {cash_amount:.2}) is not positive",
                values.iter().sum::<f64>()
            )));
        }
        let w: Vec<(String, f64, Option<f64>)> =
            entries.iter().zip(&values).map(|((id, _, m), v)| (id.clone(), v / equity, *m)).collect();
        Portfolio::from_weights(&w, cash_amount / equity, false, margin_of)
    }

    pub fn ids(&self) -> Vec<String> {
        self.holdings.iter().map(|h| h.id.clone()).collect()
    }

    pub fn weights(&self) -> Vec<f64> {
        self.holdings.iter().map(|h| h.weight).collect()
    }

    /// Gross exposure Σ|wᵢ| (1 for a fully invested long-only portfolio).
    pub fn gross(&self) -> f64 {
        self.holdings.iter().map(|h| h.weight.abs()).sum()
    }

    /// Leverage = Σ wᵢ (long exposure per unit of equity).
    pub fn leverage(&self) -> f64 {
        self.holdings.iter().map(|h| h.weight).sum()
    }
}

fn check_unique<'a>(ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(RiskError::Invalid(format!("asset `{id}` is listed twice")));
        }
    }
    Ok(())
}

/// A parsed portfolio file: `id,weight` or `id,quantity` (header required), optional
/// `margin` column; a row with id `CASH` gives cash (a weight, or an amount with quantities).
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioFile {
    pub entries: Vec<(String, f64, Option<f64>)>,
    pub quantities: bool,
    pub cash: f64,
}

/// Parses a portfolio file's text; errors name the line.
pub fn parse_portfolio_csv(text: &str, origin: &str) -> Result<PortfolioFile> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let Some((_, header)) = lines.next() else {
        return Err(RiskError::Invalid(format!("{origin}: empty portfolio file")));
    };
    let cols: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    let col = |name: &str| cols.iter().position(|c| c == name);
    let id_col =
        col("id").ok_or_else(|| RiskError::Invalid(format!("{origin}:1: the header has no `id` column ({header})")))?;
    let (amount_col, quantities) = match (col("weight"), col("quantity")) {
        (Some(c), None) => (c, false),
        (None, Some(c)) => (c, true),
        (Some(_), Some(_)) => {
            return Err(RiskError::Invalid(format!(
                "{origin}:1: give either a `weight` or a `quantity` column, not both"
            )))
        }
        (None, None) => {
            return Err(RiskError::Invalid(format!("{origin}:1: the header needs a `weight` or `quantity` column")))
        }
    };
    let margin_col = col("margin");
    let mut entries = Vec::new();
    let mut cash = 0.0;
    for (i, line) in lines {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let get = |c: usize| f.get(c).copied().unwrap_or("");
        let id = get(id_col);
        if id.is_empty() {
            return Err(RiskError::Invalid(format!("{origin}:{}: empty id", i + 1)));
        }
        let num = |c: usize, what: &str| -> Result<f64> {
            let s = get(c);
            s.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                RiskError::Invalid(format!("{origin}:{}:{}: {what} `{s}` is not a number", i + 1, c + 1))
            })
        };
        let amount = num(amount_col, if quantities { "quantity" } else { "weight" })?;
        if id.eq_ignore_ascii_case("cash") {
            cash += amount;
            continue;
        }
        let margin = match margin_col {
            Some(c) if !get(c).is_empty() => Some(num(c, "margin")?),
            _ => None,
        };
        entries.push((id.to_string(), amount, margin));
    }
    Ok(PortfolioFile { entries, quantities, cash })
}

/// Daily simple returns of several assets on their common dates (intersection),
/// in the base currency. `data` is row-major T × N.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnMatrix {
    pub ids: Vec<String>,
    /// Return dates (the later close of each pair).
    pub dates: Vec<NaiveDate>,
    pub data: Vec<f64>,
}

impl ReturnMatrix {
    pub fn n(&self) -> usize {
        self.ids.len()
    }
    pub fn t(&self) -> usize {
        self.dates.len()
    }
    pub fn row(&self, t: usize) -> &[f64] {
        let n = self.n();
        &self.data[t * n..(t + 1) * n]
    }
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.t()).map(|t| self.data[t * self.n() + j]).collect()
    }
    /// The last `k` rows (all when `k` = 0 or ≥ T).
    pub fn tail(&self, k: usize) -> ReturnMatrix {
        if k == 0 || k >= self.t() {
            return self.clone();
        }
        let s = self.t() - k;
        ReturnMatrix {
            ids: self.ids.clone(),
            dates: self.dates[s..].to_vec(),
            data: self.data[s * self.n()..].to_vec(),
        }
    }
    /// Portfolio returns Σ wᵢ rᵢ,t.
    pub fn portfolio(&self, w: &[f64]) -> Vec<f64> {
        (0..self.t()).map(|t| self.row(t).iter().zip(w).map(|(r, w)| r * w).sum()).collect()
    }
    /// Overlapping h-day buy-and-hold returns Π(1 + r) − 1 of each asset (T − h + 1 rows),
    /// dated by the last day of each window.
    pub fn overlapping(&self, h: usize) -> ReturnMatrix {
        let (t, n) = (self.t(), self.n());
        if h <= 1 || t < h {
            return if h <= 1 {
                self.clone()
            } else {
                ReturnMatrix { ids: self.ids.clone(), dates: vec![], data: vec![] }
            };
        }
        // growth factors by running log sums (O(T·N))
        let mut cum = vec![0.0; (t + 1) * n];
        for i in 0..t {
            for j in 0..n {
                cum[(i + 1) * n + j] = cum[i * n + j] + (1.0 + self.data[i * n + j]).ln();
            }
        }
        let rows = t - h + 1;
        let mut data = Vec::with_capacity(rows * n);
        for e in h..=t {
            for j in 0..n {
                data.push((cum[e * n + j] - cum[(e - h) * n + j]).exp() - 1.0);
            }
        }
        ReturnMatrix { ids: self.ids.clone(), dates: self.dates[h - 1..].to_vec(), data }
    }
}

/// Converts a price series quoted in JPY to USD with a USDJPY series (JPY per USD):
/// P_USD(t) = P_JPY(t) / USDJPY(t), using the last USDJPY fixing on or before t.
pub fn to_usd(series: &Series, usdjpy: Option<&Series>) -> Result<Series> {
    let unit = series.meta.unit.to_ascii_uppercase();
    if unit != "JPY" {
        return Ok(series.clone());
    }
    let fx = usdjpy.ok_or_else(|| {
        RiskError::Invalid(format!("`{}` is priced in JPY; USDJPY is needed to convert it to USD", series.id()))
    })?;
    let mut dates = Vec::new();
    let mut values = Vec::new();
    for (d, v) in series.dates().iter().zip(series.values()) {
        if let Some(i) = fx.index_at_or_before(*d) {
            dates.push(*d);
            values.push(v / fx.values()[i]);
        }
    }
    let mut meta = series.meta.clone();
    meta.unit = "USD".into();
    Ok(Series::new(meta, dates, values)?)
}

/// Daily simple returns of `series` on their common dates up to `as_of`. Each series
/// must be a positive price. A JPY series is converted with `usdjpy`.
pub fn return_matrix(series: &[&Series], usdjpy: Option<&Series>, as_of: Option<NaiveDate>) -> Result<ReturnMatrix> {
    if series.is_empty() {
        return Err(RiskError::Invalid("no assets".into()));
    }
    let conv: Vec<Series> = series
        .iter()
        .map(|s| {
            let s = to_usd(s, usdjpy)?;
            Ok(match as_of {
                Some(d) => s.as_of(d),
                None => s,
            })
        })
        .collect::<Result<_>>()?;
    for s in &conv {
        if let Some(i) = s.values().iter().position(|v| !(*v > 0.0) || !v.is_finite()) {
            return Err(RiskError::Invalid(format!(
                "`{}` is not a positive price on {} (value {})",
                s.id(),
                s.dates()[i],
                s.values()[i]
            )));
        }
    }
    // intersection calendar
    let mut common: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for s in &conv {
        for d in s.dates() {
            *common.entry(*d).or_default() += 1;
        }
    }
    let dates: Vec<NaiveDate> = common.into_iter().filter(|(_, c)| *c == conv.len()).map(|(d, _)| d).collect();
    if dates.len() < 3 {
        return Err(RiskError::TooShort {
            what: "common dates of the portfolio's assets".into(),
            needed: 3,
            got: dates.len(),
        });
    }
    let n = conv.len();
    let mut levels = vec![0.0; dates.len() * n];
    for (j, s) in conv.iter().enumerate() {
        let mut k = 0;
        for (i, d) in dates.iter().enumerate() {
            while s.dates()[k] < *d {
                k += 1;
            }
            levels[i * n + j] = s.values()[k];
        }
    }
    let mut data = Vec::with_capacity((dates.len() - 1) * n);
    for i in 1..dates.len() {
        for j in 0..n {
            data.push(levels[i * n + j] / levels[(i - 1) * n + j] - 1.0);
        }
    }
    Ok(ReturnMatrix { ids: conv.iter().map(|s| s.id().to_string()).collect(), dates: dates[1..].to_vec(), data })
}

/// Today's holdings from loaded price series: the as-of date (given, or the last date of any holding), a check that
/// every holding has a price within 7 days before it, then the portfolio from weights or from quantities valued at
/// those prices in USD (JPY assets through `usdjpy`). An entry's own margin wins over the asset class default
/// ([`default_margin`]). `series` holds one series per entry. Shared by the CLI and the Python package.
pub fn portfolio_on_date(
    entries: &[(String, f64, Option<f64>)],
    quantities: bool,
    cash: f64,
    normalise: bool,
    series: &[Series],
    usdjpy: Option<&Series>,
    as_of: Option<NaiveDate>,
) -> Result<(Portfolio, NaiveDate)> {
    let as_of = match as_of {
        Some(d) => d,
        None => series
            .iter()
            .filter_map(|s| s.last_date())
            .max()
            .ok_or_else(|| RiskError::Invalid("the holdings have no data".into()))?,
    };
    for s in series {
        match s.index_at_or_before(as_of) {
            Some(i) if (as_of - s.dates()[i]).num_days() <= 7 => {}
            Some(i) => {
                return Err(RiskError::StalePrice {
                    id: s.id().to_string(),
                    date: as_of,
                    last_date: s.dates()[i],
                    last_price: s.values()[i],
                })
            }
            None => return Err(RiskError::NoPrice { id: s.id().to_string(), date: as_of }),
        }
    }
    let find = |id: &str| series.iter().find(|s| s.id() == id);
    let margin = |id: &str| default_margin(find(id).map(|s| s.meta.asset_class).unwrap_or_default());
    let pf = if quantities {
        let price = |id: &str| match find(id) {
            Some(s) => price_on(s, usdjpy, as_of),
            None => Err(RiskError::UnknownAsset(id.to_string())),
        };
        Portfolio::from_quantities(entries, cash, price, margin)
    } else {
        Portfolio::from_weights(entries, cash, normalise, margin)
    }?;
    Ok((pf, as_of))
}

/// The price of `s` (in base currency) on the last date ≤ `date`.
pub fn price_on(s: &Series, usdjpy: Option<&Series>, date: NaiveDate) -> Result<f64> {
    let s = to_usd(s, usdjpy)?;
    match s.index_at_or_before(date) {
        Some(i) => Ok(s.values()[i]),
        None => Err(RiskError::NoPrice { id: s.id().to_string(), date }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_weights_and_cash() {
        let f = parse_portfolio_csv("id,weight,margin\nSPY,0.6,0.25\nTLT,0.5,\nCASH,-0.1\n", "p.csv").unwrap();
        assert!(!f.quantities);
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.cash, -0.1);
        let p = Portfolio::from_weights(&f.entries, f.cash, false, |_| 0.25).unwrap();
        assert!((p.leverage() - 1.1).abs() < 1e-12);
    }

    #[test]
    fn refuses_weights_not_summing_to_one_unless_normalised() {
        let e = vec![("A".to_string(), 0.5, None), ("B".to_string(), 0.3, None)];
        assert!(matches!(
            Portfolio::from_weights(&e, 0.0, false, |_| 0.25),
            Err(RiskError::WeightsDoNotSumToOne { .. })
        ));
        let p = Portfolio::from_weights(&e, 0.0, true, |_| 0.25).unwrap();
        assert!((p.weights()[0] - 0.625).abs() < 1e-12);
    }

    #[test]
    fn bad_numbers_name_the_line() {
        let e = parse_portfolio_csv("id,weight\nSPY,abc\n", "p.csv").unwrap_err().to_string();
        assert!(e.contains("p.csv:2:2"), "{e}");
        assert!(parse_portfolio_csv("id,foo\nSPY,1\n", "p.csv").is_err());
        let e = vec![("A".to_string(), 0.5, None), ("A".to_string(), 0.5, None)];
        assert!(Portfolio::from_weights(&e, 0.0, false, |_| 0.25).is_err());
    }

    #[test]
    fn quantities_value_at_prices() {
        let e = vec![("A".to_string(), 10.0, None), ("B".to_string(), 5.0, None)];
        let p = Portfolio::from_quantities(&e, 100.0, |id| Ok(if id == "A" { 30.0 } else { 20.0 }), |_| 0.25).unwrap();
        // values 300, 100, cash 100 → equity 500
        assert!((p.weights()[0] - 0.6).abs() < 1e-12 && (p.cash - 0.2).abs() < 1e-12);
    }

    #[test]
    fn jpy_prices_convert_with_usdjpy() {
        let d = |x: u32| NaiveDate::from_ymd_opt(2024, 8, x).unwrap();
        let mut meta = fissure_core::SeriesMeta::new("TOPIX_ETF");
        meta.unit = "JPY".into();
        let jp = Series::new(meta, vec![d(1), d(2), d(5)], vec![3000.0, 2900.0, 2500.0]).unwrap();
        let fx = Series::new(fissure_core::SeriesMeta::new("USDJPY"), vec![d(1), d(2)], vec![150.0, 145.0]).unwrap();
        let usd = to_usd(&jp, Some(&fx)).unwrap();
        assert_eq!(usd.values(), &[20.0, 2900.0 / 145.0, 2500.0 / 145.0]);
        assert_eq!(usd.meta.unit, "USD");
        assert!(to_usd(&jp, None).unwrap_err().to_string().contains("USDJPY"));
        assert!((price_on(&jp, Some(&fx), d(3)).unwrap() - 20.0).abs() < 1e-12);
        assert!(matches!(
            price_on(&jp, Some(&fx), NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()),
            Err(RiskError::NoPrice { .. })
        ));
    }

    #[test]
    fn overlapping_returns_compound() {
        let m = ReturnMatrix {
            ids: vec!["A".into()],
            dates: (1..=4).map(|d| NaiveDate::from_ymd_opt(2020, 1, d).unwrap()).collect(),
            data: vec![0.1, -0.1, 0.2, 0.0],
        };
        let o = m.overlapping(2);
        assert_eq!(o.t(), 3);
        assert!((o.data[0] - (1.1 * 0.9 - 1.0)).abs() < 1e-12);
        assert!((o.data[1] - (0.9 * 1.2 - 1.0)).abs() < 1e-12);
    }
}
