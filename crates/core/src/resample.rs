//! Resampling to weekly and monthly frequency.
//!
//! Weeks run Saturday–Friday and are labelled with their Friday (the convention
//! of weekly equity data and of the PSY NASDAQ anchor); months are labelled with
//! their last calendar day, so a resampled value is never dated before it was known.
//! A period cut short by the end of the data keeps its period-end label (so that
//! series ending on different weekdays still align); a caller replaying an `as_of`
//! date must therefore drop readings labelled after it, as the report does.

use crate::series::{Frequency, Ohlcv, Series};
use crate::{CoreError, Result};
use chrono::{Datelike, Days, NaiveDate};

/// How the observations of one period are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// Last value of the period.
    Last,
    /// Arithmetic mean of the period's values.
    Mean,
    /// Open = first open, high = max high, low = min low, close = last close,
    /// volume = sum (missing parts are skipped; all missing stays missing).
    Ohlc,
}

/// The label of the period containing `d`.
pub fn period_label(d: NaiveDate, freq: Frequency) -> Result<NaiveDate> {
    match freq {
        Frequency::Weekly => {
            // days until Friday (Mon=0..Sun=6; Fri=4); Sat/Sun roll to next Friday
            let wd = d.weekday().num_days_from_monday() as u64;
            let ahead = (4 + 7 - wd) % 7;
            Ok(d + Days::new(ahead))
        }
        Frequency::Monthly => Ok(month_end(d.year(), d.month())),
        Frequency::Quarterly => {
            let q_end_month = ((d.month() - 1) / 3 + 1) * 3;
            Ok(month_end(d.year(), q_end_month))
        }
        Frequency::Annual => Ok(month_end(d.year(), 12)),
        other => Err(CoreError::Invalid {
            series: String::new(),
            what: "resample".into(),
            why: format!("target frequency {other} is not weekly, monthly, quarterly or annual"),
        }),
    }
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

/// Resamples `s` to `freq` with `agg`. The result keeps the metadata (with the
/// new frequency); for [`Aggregation::Ohlc`] it carries OHLCV columns.
pub fn resample(s: &Series, freq: Frequency, agg: Aggregation) -> Result<Series> {
    let mut labels = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, d) in s.dates().iter().enumerate() {
        let l = period_label(*d, freq).map_err(|e| match e {
            CoreError::Invalid { what, why, .. } => CoreError::Invalid { series: s.id().into(), what, why },
            e => e,
        })?;
        if labels.last() == Some(&l) {
            if let Some(last) = spans.last_mut() {
                last.1 = i + 1;
            }
        } else {
            labels.push(l);
            spans.push((i, i + 1));
        }
    }
    let v = s.values();
    let values: Vec<f64> = spans
        .iter()
        .map(|&(a, b)| match agg {
            Aggregation::Last | Aggregation::Ohlc => v[b - 1],
            Aggregation::Mean => v[a..b].iter().sum::<f64>() / (b - a) as f64,
        })
        .collect();
    let ohlcv = match agg {
        Aggregation::Ohlc => Some(ohlc_columns(s, &spans)),
        _ => None,
    };
    let mut meta = s.meta.clone();
    meta.frequency = freq;
    Series::with_ohlcv(meta, labels, values, ohlcv)
}

fn ohlc_columns(s: &Series, spans: &[(usize, usize)]) -> Ohlcv {
    let n = spans.len();
    let Some(o) = s.ohlcv() else {
        // a value-only series: OHLC of the values themselves
        let v = s.values();
        return Ohlcv {
            open: spans.iter().map(|&(a, _)| Some(v[a])).collect(),
            high: spans.iter().map(|&(a, b)| v[a..b].iter().copied().reduce(f64::max)).collect(),
            low: spans.iter().map(|&(a, b)| v[a..b].iter().copied().reduce(f64::min)).collect(),
            volume: vec![None; n],
        };
    };
    let first = |c: &[Option<f64>], a: usize, b: usize| c[a..b].iter().flatten().next().copied();
    let fold =
        |c: &[Option<f64>], a: usize, b: usize, f: fn(f64, f64) -> f64| c[a..b].iter().flatten().copied().reduce(f);
    Ohlcv {
        open: spans.iter().map(|&(a, b)| first(&o.open, a, b)).collect(),
        high: spans.iter().map(|&(a, b)| fold(&o.high, a, b, f64::max)).collect(),
        low: spans.iter().map(|&(a, b)| fold(&o.low, a, b, f64::min)).collect(),
        volume: spans.iter().map(|&(a, b)| fold(&o.volume, a, b, |x, y| x + y)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeriesMeta;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekly_labels_are_fridays() {
        assert_eq!(period_label(d("2000-03-06"), Frequency::Weekly).unwrap(), d("2000-03-10"));
        assert_eq!(period_label(d("2000-03-10"), Frequency::Weekly).unwrap(), d("2000-03-10"));
        assert_eq!(period_label(d("2000-03-11"), Frequency::Weekly).unwrap(), d("2000-03-17"));
        assert_eq!(period_label(d("2000-02-15"), Frequency::Monthly).unwrap(), d("2000-02-29"));
        assert_eq!(period_label(d("2000-12-15"), Frequency::Monthly).unwrap(), d("2000-12-31"));
    }

    #[test]
    fn monthly_last_mean_ohlc() {
        let s = Series::new(
            SeriesMeta::new("x"),
            vec![d("2024-01-30"), d("2024-01-31"), d("2024-02-01"), d("2024-02-02")],
            vec![1.0, 3.0, 5.0, 4.0],
        )
        .unwrap();
        let last = resample(&s, Frequency::Monthly, Aggregation::Last).unwrap();
        assert_eq!(last.dates(), &[d("2024-01-31"), d("2024-02-29")]);
        assert_eq!(last.values(), &[3.0, 4.0]);
        let mean = resample(&s, Frequency::Monthly, Aggregation::Mean).unwrap();
        assert_eq!(mean.values(), &[2.0, 4.5]);
        let ohlc = resample(&s, Frequency::Monthly, Aggregation::Ohlc).unwrap();
        let o = ohlc.ohlcv().unwrap();
        assert_eq!(o.open, vec![Some(1.0), Some(5.0)]);
        assert_eq!(o.high, vec![Some(3.0), Some(5.0)]);
        assert_eq!(o.low, vec![Some(1.0), Some(4.0)]);
    }
}
