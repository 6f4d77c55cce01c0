//! Export of series to CSV and (cargo feature `parquet`) Parquet.
//!
//! Layout, chosen so that a written file reads back with [`crate::read`] to the same dates and
//! values (numbers are written with Rust's shortest round-trip representation):
//! - **one series**: the bundle layout, `date,open,high,low,close,volume` when the series has
//!   open/high/low/volume columns (the value is written as `close`; a value the source did not
//!   report is an empty cell), `date,value` otherwise. Read back, it gives the same series.
//! - **several series**: a wide table `date,<id1>,<id2>,…` on the union of their dates, sorted,
//!   an empty cell where a series has no observation. Only the values are written (no OHLCV).
//!   Read back, it gives one series per column, `<file stem>.<id>`, with the same observations.
//!
//! Dates are ISO `YYYY-MM-DD`.

#[cfg(feature = "parquet")]
mod parquet;
#[cfg(feature = "parquet")]
pub use self::parquet::write_parquet;

use chrono::NaiveDate;
use fissure_core::Series;
use std::io::Write;

/// Errors of the writers.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("nothing to export: no series given")]
    NoSeries,
    #[error("series id `{0}` appears twice; a wide table needs unique column names")]
    DuplicateId(String),
    #[error("cannot write: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot write Parquet: {0}")]
    Parquet(String),
}

fn num(buf: &mut String, v: Option<f64>) -> &str {
    use std::fmt::Write as _;
    buf.clear();
    if let Some(v) = v {
        let _ = write!(buf, "{v}");
    }
    buf
}

fn date(buf: &mut String, d: NaiveDate) -> &str {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{}", d.format("%Y-%m-%d"));
    buf
}

/// The union of the series' dates, sorted.
pub(crate) fn union_dates(series: &[Series]) -> Vec<NaiveDate> {
    let mut all: Vec<NaiveDate> = series.iter().flat_map(|s| s.dates().iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

pub(crate) fn check_ids(series: &[Series]) -> Result<(), WriteError> {
    if series.is_empty() {
        return Err(WriteError::NoSeries);
    }
    for (i, s) in series.iter().enumerate() {
        if series[..i].iter().any(|t| t.id() == s.id()) {
            return Err(WriteError::DuplicateId(s.id().to_string()));
        }
    }
    Ok(())
}

/// Writes series as CSV (layout in the module documentation).
pub fn write_csv(series: &[Series], out: &mut impl Write) -> Result<(), WriteError> {
    check_ids(series)?;
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let (mut db, mut b1, mut b2, mut b3, mut b4, mut b5) =
        (String::new(), String::new(), String::new(), String::new(), String::new(), String::new());
    if let [s] = series {
        match s.ohlcv() {
            Some(o) => {
                w.write_record(["date", "open", "high", "low", "close", "volume"])?;
                for i in 0..s.len() {
                    w.write_record([
                        date(&mut db, s.dates()[i]),
                        num(&mut b1, o.open[i]),
                        num(&mut b2, o.high[i]),
                        num(&mut b3, o.low[i]),
                        num(&mut b4, Some(s.values()[i])),
                        num(&mut b5, o.volume[i]),
                    ])?;
                }
            }
            None => {
                w.write_record(["date", "value"])?;
                for (d, v) in s.dates().iter().zip(s.values()) {
                    w.write_record([date(&mut db, *d), num(&mut b1, Some(*v))])?;
                }
            }
        }
    } else {
        let mut header = vec!["date"];
        header.extend(series.iter().map(|s| s.id()));
        w.write_record(&header)?;
        let dates = union_dates(series);
        let mut pos = vec![0usize; series.len()];
        let mut cells: Vec<String> = vec![String::new(); series.len() + 1];
        for d in dates {
            cells[0].clear();
            cells[0].push_str(date(&mut db, d));
            for (k, s) in series.iter().enumerate() {
                let v = match s.dates().get(pos[k]) {
                    Some(x) if *x == d => {
                        pos[k] += 1;
                        Some(s.values()[pos[k] - 1])
                    }
                    _ => None,
                };
                cells[k + 1].clear();
                cells[k + 1].push_str(num(&mut b1, v));
            }
            w.write_record(&cells)?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fissure_core::{Ohlcv, SeriesMeta};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn layouts() {
        let a = Series::with_ohlcv(
            SeriesMeta::new("a"),
            vec![d("2024-01-02"), d("2024-01-03")],
            vec![1.5, 2.0],
            Some(Ohlcv {
                open: vec![Some(1.0), None],
                high: vec![Some(2.0), Some(2.5)],
                low: vec![Some(0.5), Some(1.0)],
                volume: vec![Some(0.0), None],
            }),
        )
        .unwrap();
        let mut out = Vec::new();
        write_csv(std::slice::from_ref(&a), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,0\n2024-01-03,,2.5,1,2,\n"
        );
        let b = Series::new(SeriesMeta::new("b,x"), vec![d("2024-01-03"), d("2024-01-04")], vec![0.1, 1e-20]).unwrap();
        let mut out = Vec::new();
        write_csv(&[a.clone(), b], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "date,a,\"b,x\"\n2024-01-02,1.5,\n2024-01-03,2,0.1\n2024-01-04,,0.00000000000000000001\n"
        );
        assert!(matches!(write_csv(&[], &mut Vec::new()), Err(WriteError::NoSeries)));
        assert!(matches!(write_csv(&[a.clone(), a], &mut Vec::new()), Err(WriteError::DuplicateId(_))));
    }
}
