//! Panels: many series aligned on one calendar, with explicit missing values.

use crate::{CoreError, Result, Series};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};

/// How to choose the common calendar of a panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "policy")]
pub enum Alignment {
    /// Only dates on which every series has an observation.
    Intersection,
    /// Every date of any series; a gap is filled with the last observation
    /// when it is at most `max_fill_days` calendar days old, else left missing.
    Union { max_fill_days: u32 },
    /// The dates of series `id` (within the span of the others is not required);
    /// other series are forward-filled at most `max_fill_days` calendar days.
    Reference { id: String, max_fill_days: u32 },
}

impl Default for Alignment {
    fn default() -> Self {
        Alignment::Union { max_fill_days: 5 }
    }
}

/// Series aligned on one calendar. `columns[j][i]` is series `ids[j]` on `dates[i]`;
/// `None` is missing (not observed, or older than the fill bound).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub dates: Vec<NaiveDate>,
    pub ids: Vec<String>,
    pub columns: Vec<Vec<Option<f64>>>,
}

impl Panel {
    /// Aligns series' values (close/value column) on a calendar chosen by `policy`.
    pub fn align(series: &[&Series], policy: &Alignment) -> Result<Panel> {
        if series.is_empty() {
            return Err(CoreError::NoSeries);
        }
        let mut seen = HashSet::new();
        for s in series {
            if !seen.insert(s.id()) {
                return Err(CoreError::DuplicateId(s.id().to_string()));
            }
        }
        let (dates, max_fill) = match policy {
            Alignment::Intersection => {
                let mut common: BTreeSet<NaiveDate> = series[0].dates().iter().copied().collect();
                for s in &series[1..] {
                    let other: HashSet<NaiveDate> = s.dates().iter().copied().collect();
                    common.retain(|d| other.contains(d));
                }
                if common.is_empty() {
                    return Err(CoreError::NoCommonDates);
                }
                (common.into_iter().collect::<Vec<_>>(), 0)
            }
            Alignment::Union { max_fill_days } => {
                let all: BTreeSet<NaiveDate> = series.iter().flat_map(|s| s.dates().iter().copied()).collect();
                (all.into_iter().collect(), *max_fill_days)
            }
            Alignment::Reference { id, max_fill_days } => {
                let r = series.iter().find(|s| s.id() == id).ok_or_else(|| CoreError::UnknownReference(id.clone()))?;
                (r.dates().to_vec(), *max_fill_days)
            }
        };
        let columns = series.iter().map(|s| fill_on_calendar(s.dates(), s.values(), &dates, max_fill)).collect();
        Ok(Panel { dates, ids: series.iter().map(|s| s.id().to_string()).collect(), columns })
    }

    pub fn len(&self) -> usize {
        self.dates.len()
    }
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
    pub fn width(&self) -> usize {
        self.ids.len()
    }

    /// Column of series `id`.
    pub fn column(&self, id: &str) -> Option<&[Option<f64>]> {
        self.ids.iter().position(|x| x == id).map(|j| self.columns[j].as_slice())
    }

    /// The rows where every series has a value: dates and a row-major matrix.
    pub fn complete_rows(&self) -> (Vec<NaiveDate>, Vec<Vec<f64>>) {
        let mut dates = Vec::new();
        let mut rows = Vec::new();
        for i in 0..self.len() {
            let row: Option<Vec<f64>> = self.columns.iter().map(|c| c[i]).collect();
            if let Some(r) = row {
                dates.push(self.dates[i]);
                rows.push(r);
            }
        }
        (dates, rows)
    }

    /// The panel restricted to dates `<= as_of`.
    pub fn as_of(&self, as_of: NaiveDate) -> Panel {
        let n = self.dates.partition_point(|d| *d <= as_of);
        Panel {
            dates: self.dates[..n].to_vec(),
            ids: self.ids.clone(),
            columns: self.columns.iter().map(|c| c[..n].to_vec()).collect(),
        }
    }
}

/// Values of a sorted series on a sorted calendar: exact matches, else the
/// last earlier observation if it is at most `max_fill_days` calendar days old.
pub fn fill_on_calendar(
    src_dates: &[NaiveDate],
    src_values: &[f64],
    calendar: &[NaiveDate],
    max_fill_days: u32,
) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(calendar.len());
    let mut j = 0usize; // first source index with date > current calendar date
    for d in calendar {
        while j < src_dates.len() && src_dates[j] <= *d {
            j += 1;
        }
        let v = if j == 0 {
            None
        } else {
            let last = src_dates[j - 1];
            let age = (*d - last).num_days();
            (age <= i64::from(max_fill_days)).then(|| src_values[j - 1])
        };
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeriesMeta;

    fn s(id: &str, pts: &[(&str, f64)]) -> Series {
        Series::new(
            SeriesMeta::new(id),
            pts.iter().map(|(d, _)| d.parse().unwrap()).collect(),
            pts.iter().map(|(_, v)| *v).collect(),
        )
        .unwrap()
    }

    #[test]
    fn union_fill_is_bounded() {
        let a = s("a", &[("2024-01-01", 1.0), ("2024-01-10", 2.0)]);
        let b = s("b", &[("2024-01-01", 5.0), ("2024-01-03", 6.0), ("2024-01-06", 7.0), ("2024-01-08", 8.0)]);
        let p = Panel::align(&[&a, &b], &Alignment::Union { max_fill_days: 5 }).unwrap();
        assert_eq!(p.len(), 5);
        // a: observed 01-01; filled on 01-03 and 01-06 (5 days), missing on 01-08 (7 days)
        assert_eq!(p.columns[0], vec![Some(1.0), Some(1.0), Some(1.0), None, Some(2.0)]);
        assert_eq!(p.columns[1], vec![Some(5.0), Some(6.0), Some(7.0), Some(8.0), Some(8.0)]);
    }

    #[test]
    fn intersection_and_reference() {
        let a = s("a", &[("2024-01-01", 1.0), ("2024-01-02", 2.0), ("2024-01-03", 3.0)]);
        let b = s("b", &[("2024-01-02", 5.0), ("2024-01-04", 6.0)]);
        let p = Panel::align(&[&a, &b], &Alignment::Intersection).unwrap();
        assert_eq!(p.dates.len(), 1);
        let p = Panel::align(&[&a, &b], &Alignment::Reference { id: "a".into(), max_fill_days: 3 }).unwrap();
        assert_eq!(p.columns[1], vec![None, Some(5.0), Some(5.0)]);
        assert!(matches!(
            Panel::align(&[&a, &b], &Alignment::Reference { id: "z".into(), max_fill_days: 3 }),
            Err(CoreError::UnknownReference(_))
        ));
        assert!(matches!(Panel::align(&[&a, &a], &Alignment::Intersection), Err(CoreError::DuplicateId(_))));
    }
}
