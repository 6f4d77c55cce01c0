//! Reader rules on small inputs made of real bundle rows (S&P 500, 2026-02; US 10-year yield,
//! 2024-01): sorting, repeated rows, line ends, timestamps, column choice, warnings.

use chrono::NaiveDate;
use fissure_core::Frequency;
use fissure_io::read::{read_bytes, Format, ReadOptions};
use std::path::Path;

const SPX: &[&str] = &[
    "2026-02-09,6935.73,6986.99,6916.98,6964.82,5899100000",
    "2026-02-10,6962.53,6986.95,6934.27,6941.81,6010890000",
    "2026-02-11,6976.48,6993.48,6911.97,6941.47,6175510000",
    "2026-02-12,6957.54,6973.22,6824.04,6832.76,7118700000",
    "2026-02-13,6834.27,6881.57,6794.55,6836.17,6410990000",
];

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ohlc(rows: &[&str]) -> String {
    format!("date,open,high,low,close,volume\n{}\n", rows.join("\n"))
}

fn read(text: &str, opts: &ReadOptions) -> fissure_io::read::ReadOutcome {
    read_bytes(Path::new("spx.csv"), text.as_bytes(), opts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn unsorted_rows_are_sorted_with_a_warning() {
    let rows = [SPX[3], SPX[0], SPX[4], SPX[1], SPX[2]];
    let out = read(&ohlc(&rows), &ReadOptions::default());
    let sorted = read(&ohlc(SPX), &ReadOptions::default());
    assert_eq!(out.series[0], sorted.series[0]);
    assert!(
        out.warnings.iter().any(|w| w.message.contains("not in date order (line 3 dated 2026-02-09")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn a_repeated_identical_row_is_dropped_with_a_warning() {
    let rows = [SPX[0], SPX[1], SPX[1], SPX[2]];
    let out = read(&ohlc(&rows), &ReadOptions::default());
    assert_eq!(out.series[0].len(), 3);
    assert!(out.warnings.iter().any(|w| w.message.contains("1 repeated row(s)") && w.message.contains("line 4")));
}

#[test]
fn line_numbers_with_cr_only_line_ends() {
    let text = ohlc(SPX).replace('\n', "\r").replace("6832.76", "x");
    let e = read_bytes(Path::new("mac.csv"), text.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!((e.kind(), e.line(), e.column().as_deref()), ("BadNumber", Some(5), Some("close")));
}

#[test]
fn all_empty_rows_and_trailing_blank_lines_are_ignored() {
    let text = format!("{}\n,,,,,\n\n   \n", ohlc(SPX).trim_end());
    assert_eq!(read(&text, &ReadOptions::default()).series[0].len(), 5);
}

#[test]
fn timestamps_keep_the_written_date() {
    let text = "timestamp,value\n2024-01-02T00:00:00-05:00,3.95\n2024-01-03 00:00:00,3.91\n2024-01-04T16:00:00Z,3.99\n";
    let out = read(text, &ReadOptions::default());
    assert_eq!(out.series[0].dates(), &[d("2024-01-02"), d("2024-01-03"), d("2024-01-04")]);
}

#[test]
fn monthly_labels_map_to_the_first_of_the_month() {
    for (label, text) in [
        ("YYYY-MM", "date,value\n2024-01,5.33\n2024-02,5.33\n2024-03,5.33\n"),
        ("YYYYMM", "month,value\n202401,5.33\n202402,5.33\n202403,5.33\n"),
        ("YYYY.MM", "date,value\n2024.01,5.33\n2024.02,5.33\n2024.03,5.33\n"),
    ] {
        let out = read(text, &ReadOptions { frequency: Some(Frequency::Monthly), ..Default::default() });
        assert_eq!(out.series[0].dates(), &[d("2024-01-01"), d("2024-02-01"), d("2024-03-01")], "{label}");
        assert_eq!(out.series[0].meta.frequency, Frequency::Monthly);
    }
}

#[test]
fn value_col_volume_gives_a_plain_series_and_zero_volume_stays_zero() {
    let text = ohlc(SPX).replace("5899100000", "0");
    let out = read(&text, &ReadOptions { value_col: Some("volume".into()), ..Default::default() });
    let s = &out.series[0];
    assert!(s.ohlcv().is_none());
    assert_eq!(s.values()[0], 0.0);
    assert_eq!(s.values()[3], 7118700000.0);
}

#[test]
fn missing_open_is_none_not_a_skipped_row() {
    let text = ohlc(SPX).replace("2026-02-12,6957.54,6973.22,6824.04", "2026-02-12,,,");
    let out = read(&text, &ReadOptions::default());
    let s = &out.series[0];
    assert_eq!(s.len(), 5);
    let o = s.observation(3);
    assert_eq!((o.value, o.open, o.high, o.low), (6832.76, None, None, None));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn bundle_format_treats_text_as_an_error_and_csv_skips_it() {
    let text = "date,symbol,value\n2024-01-02,TNX,3.95\n";
    let e = read_bytes(Path::new("x.csv"), text.as_bytes(), &ReadOptions { format: Format::Csv, ..Default::default() });
    assert_eq!(e.unwrap().series[0].values(), &[3.95]);
    let text = "date,label,value\n2024-01-02,ten-year,3.95\n";
    let e =
        read_bytes(Path::new("x.csv"), text.as_bytes(), &ReadOptions { format: Format::Bundle, ..Default::default() })
            .unwrap_err();
    assert_eq!((e.kind(), e.line(), e.column().as_deref()), ("BadNumber", Some(2), Some("label")));
}

#[test]
fn parquet_without_the_feature_is_a_named_error() {
    let r = read_bytes(Path::new("x.parquet"), b"PAR1....PAR1", &ReadOptions::default());
    let kind = r.unwrap_err().kind();
    if cfg!(feature = "parquet") {
        assert_eq!(kind, "Parquet");
    } else {
        assert_eq!(kind, "ParquetDisabled");
    }
}

#[test]
fn yahoo_null_rows_are_missing() {
    // Yahoo writes `null` in every field of a day it has no quote for.
    let text = "Date,Open,High,Low,Close,Adj Close,Volume\n\
                2000-03-09,4913.08,5047.96,4857.57,5046.86,5046.86,2006810000\n\
                2000-03-10,null,null,null,null,null,null\n\
                2000-03-13,4879.03,5027.73,4839.26,4907.24,4907.24,1736270000\n";
    let out = read(text, &ReadOptions::default());
    assert_eq!(out.format, Format::Yahoo);
    assert_eq!(out.series[0].dates(), &[d("2000-03-09"), d("2000-03-13")]);
    assert!(out
        .warnings
        .iter()
        .any(|w| w.message.contains("1 row(s) with a missing Adj Close skipped (first at line 3)")));
}
