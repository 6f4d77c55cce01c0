//! Simple, log and excess returns, and their inverses.

use crate::panel::fill_on_calendar;
use crate::{CoreError, Result, Series};

fn derived(s: &Series, suffix: &str, values: Vec<f64>) -> Result<Series> {
    let mut meta = s.meta.clone();
    meta.id = format!("{}.{suffix}", s.id());
    meta.unit = "return".into();
    Series::new(meta, s.dates()[1..].to_vec(), values)
}

/// r_t = p_t / p_{t−1} − 1, dated t (one fewer observation than the prices).
pub fn simple_returns(s: &Series) -> Result<Series> {
    if s.len() < 2 {
        return Err(CoreError::Empty { series: s.id().into() });
    }
    let v = s.values();
    for (i, w) in v.windows(2).enumerate() {
        if w[0] == 0.0 {
            return Err(CoreError::NonPositivePrice { series: s.id().into(), date: s.dates()[i], value: w[0] });
        }
    }
    derived(s, "ret", v.windows(2).map(|w| w[1] / w[0] - 1.0).collect())
}

/// r_t = ln p_t − ln p_{t−1}; errors on any non-positive price.
pub fn log_returns(s: &Series) -> Result<Series> {
    if s.len() < 2 {
        return Err(CoreError::Empty { series: s.id().into() });
    }
    s.check_positive()?;
    let v = s.values();
    derived(s, "logret", v.windows(2).map(|w| (w[1] / w[0]).ln()).collect())
}

/// Rebuilds prices from simple returns and a starting price `p0` (dated one
/// period before the first return, so the output has the returns' dates).
pub fn prices_from_simple_returns(r: &[f64], p0: f64) -> Vec<f64> {
    r.iter()
        .scan(p0, |p, x| {
            *p *= 1.0 + x;
            Some(*p)
        })
        .collect()
}

/// Rebuilds prices from log returns and a starting price `p0`.
pub fn prices_from_log_returns(r: &[f64], p0: f64) -> Vec<f64> {
    let l0 = p0.ln();
    r.iter()
        .scan(l0, |l, x| {
            *l += x;
            Some(l.exp())
        })
        .collect()
}

/// Excess returns over a rate series quoted in percent per annum (e.g. the
/// 3-month T-bill): r_t − rate_t/100/periods_per_year, with the rate taken as
/// the last observation at most `max_fill_days` old. Dates with no usable rate
/// are dropped.
pub fn excess_returns(
    returns: &Series,
    rate_pct_pa: &Series,
    periods_per_year: f64,
    max_fill_days: u32,
) -> Result<Series> {
    let rate = fill_on_calendar(rate_pct_pa.dates(), rate_pct_pa.values(), returns.dates(), max_fill_days);
    let mut dates = Vec::new();
    let mut values = Vec::new();
    for ((d, r), rf) in returns.dates().iter().zip(returns.values()).zip(rate) {
        if let Some(rf) = rf {
            dates.push(*d);
            values.push(r - rf / 100.0 / periods_per_year);
        }
    }
    if dates.is_empty() {
        return Err(CoreError::NoCommonDates);
    }
    let mut meta = returns.meta.clone();
    meta.id = format!("{}.excess", returns.id());
    Series::new(meta, dates, values)
}
