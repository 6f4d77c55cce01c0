//! From series to the return matrices the methods use, and basket indices.

use crate::corr::basket_returns;
use crate::error::ContagionError;
use chrono::NaiveDate;
use fissure_core::{Alignment, Panel, Series, SeriesMeta};

type Result<T> = std::result::Result<T, ContagionError>;

/// Aligned returns: `rows[t][j]` is series `names[j]` on `dates[t]`.
#[derive(Debug, Clone)]
pub struct ReturnRows {
    pub names: Vec<String>,
    pub dates: Vec<NaiveDate>,
    pub rows: Vec<Vec<f64>>,
}

impl ReturnRows {
    /// Column `j` as a vector.
    pub fn column(&self, j: usize) -> Vec<f64> {
        self.rows.iter().map(|r| r[j]).collect()
    }

    /// Rows with dates in [from, to].
    pub fn between(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> ReturnRows {
        let keep: Vec<usize> = (0..self.dates.len())
            .filter(|&i| from.is_none_or(|f| f <= self.dates[i]) && to.is_none_or(|t| self.dates[i] <= t))
            .collect();
        ReturnRows {
            names: self.names.clone(),
            dates: keep.iter().map(|&i| self.dates[i]).collect(),
            rows: keep.iter().map(|&i| self.rows[i].clone()).collect(),
        }
    }
}

/// Log returns × `scale` of price series aligned by `policy`, on the dates where
/// every series has a price; each return spans two consecutive such dates.
pub fn log_return_rows(series: &[&Series], policy: &Alignment, scale: f64) -> Result<ReturnRows> {
    for s in series {
        s.check_positive()?;
    }
    let panel = Panel::align(series, policy)?;
    let (dates, px) = panel.complete_rows();
    if px.len() < 2 {
        return Err(ContagionError::TooShort { what: "aligned prices".into(), needed: 2, got: px.len() });
    }
    let rows =
        (1..px.len()).map(|i| (0..px[i].len()).map(|j| scale * (px[i][j] / px[i - 1][j]).ln()).collect()).collect();
    Ok(ReturnRows { names: panel.ids, dates: dates[1..].to_vec(), rows })
}

/// A basket index (level 100 on its first date): the members' daily simple returns
/// combined with constant weights (renormalised over the members quoted that day,
/// and only when at least half the weight is quoted), i.e. a daily-rebalanced
/// index. Members are aligned on the union of their dates with a 5-day fill.
pub fn basket_index(name: &str, members: &[(&Series, f64)]) -> Result<Series> {
    if members.is_empty() {
        return Err(ContagionError::Invalid(format!("basket `{name}` has no members")));
    }
    let refs: Vec<&Series> = members.iter().map(|m| m.0).collect();
    let panel = Panel::align(&refs, &Alignment::Union { max_fill_days: 5 })?;
    let rets: Vec<Vec<Option<f64>>> = panel
        .columns
        .iter()
        .map(|c| {
            let mut r = vec![None];
            r.extend(c.windows(2).map(|w| match (w[0], w[1]) {
                (Some(a), Some(b)) if a > 0.0 => Some(b / a - 1.0),
                _ => None,
            }));
            r
        })
        .collect();
    let w: Vec<f64> = members.iter().map(|m| m.1).collect();
    let br = basket_returns(&rets, &w, 0.5)?;
    let mut dates = Vec::new();
    let mut values = Vec::new();
    let mut level = 100.0;
    for (i, r) in br.iter().enumerate() {
        match r {
            Some(r) if !dates.is_empty() => {
                level *= 1.0 + r;
                dates.push(panel.dates[i]);
                values.push(level);
            }
            // the first date with enough members quoted starts the index
            _ if dates.is_empty() => {
                let quoted: f64 = panel.columns.iter().zip(&w).filter(|(c, _)| c[i].is_some()).map(|(_, w)| w).sum();
                if quoted / w.iter().sum::<f64>() >= 0.5 {
                    dates.push(panel.dates[i]);
                    values.push(level);
                }
            }
            _ => {}
        }
    }
    let mut meta = SeriesMeta::new(name);
    meta.name = format!("basket {name} (daily-rebalanced weighted index)");
    meta.unit = "index".into();
    Ok(Series::new(meta, dates, values)?)
}

/// The percentage returns a GARCH fit of `s` takes: 100 × simple (or, with `log`, log) returns of the days
/// within [from, to]; with the indices of those days in `s`. Refuses a span without returns.
pub fn garch_returns(
    s: &Series,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    log: bool,
) -> crate::Result<(Vec<usize>, Vec<f64>)> {
    s.check_positive()?;
    let (v, d) = (s.values(), s.dates());
    let keep: Vec<usize> =
        (1..v.len()).filter(|&i| from.is_none_or(|f| d[i] >= f) && to.is_none_or(|t| d[i] <= t)).collect();
    if keep.is_empty() {
        return Err(ContagionError::Invalid(format!("series `{}`: no returns in the requested span", s.id())));
    }
    let y = if log {
        keep.iter().map(|&i| 100.0 * (v[i] / v[i - 1]).ln()).collect()
    } else {
        keep.iter().map(|&i| 100.0 * (v[i] / v[i - 1] - 1.0)).collect()
    };
    Ok((keep, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, pts: &[(&str, f64)]) -> Series {
        Series::new(
            SeriesMeta::new(id),
            pts.iter().map(|(d, _)| d.parse().unwrap()).collect(),
            pts.iter().map(|(_, v)| *v).collect(),
        )
        .unwrap()
    }

    #[test]
    fn basket_index_and_returns() {
        let a = s("a", &[("2024-01-01", 100.0), ("2024-01-02", 110.0), ("2024-01-03", 99.0)]);
        let b = s("b", &[("2024-01-01", 50.0), ("2024-01-02", 50.0), ("2024-01-03", 55.0)]);
        // equal weights: day 2 = (10% + 0%)/2 = 5%, day 3 = (−10% + 10%)/2 = 0%
        let i = basket_index("ab", &[(&a, 0.5), (&b, 0.5)]).unwrap();
        assert_eq!(i.values().len(), 3);
        assert!((i.values()[1] - 105.0).abs() < 1e-12 && (i.values()[2] - 105.0).abs() < 1e-12);
        // 3:1 weights on day 2: 7.5%
        let j = basket_index("ab", &[(&a, 0.75), (&b, 0.25)]).unwrap();
        assert!((j.values()[1] - 107.5).abs() < 1e-12);
        let r = log_return_rows(&[&a, &b], &Alignment::Intersection, 100.0).unwrap();
        assert_eq!(r.rows.len(), 2);
        assert!((r.rows[0][0] - 100.0 * 1.1f64.ln()).abs() < 1e-12);
        let cut = r.between(Some("2024-01-03".parse().unwrap()), None);
        assert_eq!(cut.dates.len(), 1);
        assert!(basket_index("none", &[]).is_err());
    }
}
