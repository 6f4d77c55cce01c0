//! Crowding proxies from the data at hand.
//!
//! - **Basket crowding**: over a trailing window, the average pairwise correlation
//!   of a basket's members and their return dispersion (mean cross-sectional
//!   standard deviation of the members' daily returns). Rising correlation with
//!   collapsing dispersion marks a crowded trade (the members move as one); the
//!   crowding score is the mean of the correlation's expanding percentile and
//!   100 minus the dispersion's.
//! - **Positioning / sentiment** (AAII bull–bear spread, AAII equity allocation,
//!   NAAIM exposure, FINRA margin debt): expanding percentile of the level and of
//!   the 12-month change (difference, or percent change for levels such as
//!   margin debt), each against the history up to that date.

use crate::corr::rolling_correlation;
use crate::error::ContagionError;
use crate::turbulence::expanding_percentile;
use chrono::{Months, NaiveDate};
use fissure_core::Series;
use serde::Serialize;

type Result<T> = std::result::Result<T, ContagionError>;

/// Basket crowding series, one value per window end.
#[derive(Debug, Clone, Serialize)]
pub struct BasketCrowding {
    pub window: usize,
    /// Row index of each window's last observation.
    pub end_index: Vec<usize>,
    pub avg_correlation: Vec<f64>,
    pub dispersion: Vec<f64>,
    pub correlation_percentile: Vec<f64>,
    pub dispersion_percentile: Vec<f64>,
    /// (correlation percentile + (100 − dispersion percentile)) / 2.
    pub score: Vec<f64>,
}

/// Crowding of a basket from its members' aligned returns (row-major T×M, M ≥ 2).
pub fn basket_crowding(rows: &[Vec<f64>], window: usize) -> Result<BasketCrowding> {
    let m = rows.first().map(|r| r.len()).unwrap_or(0);
    if m < 2 {
        return Err(ContagionError::Invalid("basket crowding needs at least two members".into()));
    }
    if rows.len() < window || window < 3 {
        return Err(ContagionError::TooShort {
            what: "basket crowding".into(),
            needed: window.max(3),
            got: rows.len(),
        });
    }
    let cols: Vec<Vec<f64>> = (0..m).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let nw = rows.len() - window + 1;
    let mut sum = vec![0.0; nw];
    let mut cnt = vec![0usize; nw];
    for i in 0..m {
        for j in 0..i {
            for (w, c) in rolling_correlation(&cols[i], &cols[j], window)?.into_iter().enumerate() {
                if c.is_finite() {
                    sum[w] += c;
                    cnt[w] += 1;
                }
            }
        }
    }
    let avg: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| if *c > 0 { s / *c as f64 } else { f64::NAN }).collect();
    let daily_sd: Vec<f64> = rows
        .iter()
        .map(|r| {
            let mu = r.iter().sum::<f64>() / m as f64;
            (r.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / (m - 1) as f64).sqrt()
        })
        .collect();
    let disp = fissure_core::rolling::rolling_mean(&daily_sd, window)?;
    let cp = expanding_percentile(&avg);
    let dp = expanding_percentile(&disp);
    let score = cp.iter().zip(&dp).map(|(c, d)| (c + 100.0 - d) / 2.0).collect();
    Ok(BasketCrowding {
        window,
        end_index: (window - 1..rows.len()).collect(),
        avg_correlation: avg,
        dispersion: disp,
        correlation_percentile: cp,
        dispersion_percentile: dp,
        score,
    })
}

/// How to measure a 12-month change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// x_t − x_{t−12m} (spreads, percentages).
    Difference,
    /// 100 (x_t / x_{t−12m} − 1) (levels such as margin debt).
    Percent,
}

/// Positioning percentiles of one series.
#[derive(Debug, Clone, Serialize)]
pub struct Positioning {
    pub id: String,
    pub dates: Vec<NaiveDate>,
    pub level: Vec<f64>,
    pub level_percentile: Vec<f64>,
    /// 12-month change (NaN when no observation 12 months earlier, within 45 days).
    pub change_12m: Vec<f64>,
    pub change_percentile: Vec<f64>,
    pub change_kind: ChangeKind,
}

/// Level and 12-month-change percentiles of a positioning/sentiment series.
pub fn positioning(s: &Series, kind: ChangeKind) -> Result<Positioning> {
    if s.len() < 13 {
        return Err(ContagionError::TooShort { what: format!("positioning `{}`", s.id()), needed: 13, got: s.len() });
    }
    let dates = s.dates();
    let v = s.values();
    let change: Vec<f64> = (0..s.len())
        .map(|i| {
            let Some(target) = dates[i].checked_sub_months(Months::new(12)) else {
                return f64::NAN;
            };
            let j = dates.partition_point(|d| *d <= target);
            if j == 0 || (target - dates[j - 1]).num_days() > 45 {
                return f64::NAN;
            }
            let old = v[j - 1];
            match kind {
                ChangeKind::Difference => v[i] - old,
                ChangeKind::Percent if old != 0.0 => 100.0 * (v[i] / old - 1.0),
                ChangeKind::Percent => f64::NAN,
            }
        })
        .collect();
    Ok(Positioning {
        id: s.id().to_string(),
        dates: dates.to_vec(),
        level: v.to_vec(),
        level_percentile: expanding_percentile(v),
        change_percentile: expanding_percentile(&change),
        change_12m: change,
        change_kind: kind,
    })
}

/// The change measure suited to a series id of the bundled data.
pub fn change_kind_for(id: &str) -> ChangeKind {
    if id.to_ascii_uppercase().contains("MARGIN") {
        ChangeKind::Percent
    } else {
        ChangeKind::Difference
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fissure_core::SeriesMeta;

    #[test]
    fn positioning_change_and_percentiles() {
        let dates: Vec<NaiveDate> =
            (0..30).map(|i| NaiveDate::from_ymd_opt(2000 + i / 12, (i % 12) as u32 + 1, 1).unwrap()).collect();
        let values: Vec<f64> = (0..30).map(|i| 100.0 + i as f64).collect();
        let s = Series::new(SeriesMeta::new("MARGIN_DEBT"), dates, values).unwrap();
        let p = positioning(&s, change_kind_for("MARGIN_DEBT")).unwrap();
        assert!(p.change_12m[11].is_nan());
        assert!((p.change_12m[12] - 12.0).abs() < 1e-12); // 112/100 − 1
        assert_eq!(p.level_percentile[29], 100.0);
        // change at 13 is 113/101 − 1 = 11.9% < 12%: the lower of two values → 50th percentile
        assert!((p.change_percentile[13] - 50.0).abs() < 1e-12);
    }

    #[test]
    fn crowding_of_identical_members_is_maximal() {
        let rows: Vec<Vec<f64>> = (0..100)
            .map(|i| {
                let x = ((i * 37 % 101) as f64).sin();
                vec![x, x + 1e-3 * ((i * 13 % 7) as f64), x * 1.01]
            })
            .collect();
        let c = basket_crowding(&rows, 20).unwrap();
        assert!(c.avg_correlation.iter().all(|v| *v > 0.99));
        assert_eq!(c.end_index.len(), 81);
    }
}
