//! Parquet (feature `parquet`): a file written by pyarrow from real bundle rows
//! (tests/data/pyarrow_spx_2026.parquet, see tests/data/README.md) and the
//! write_parquet → read_file round trip on the whole S&P 500 file.
#![cfg(feature = "parquet")]

use chrono::NaiveDate;
use fissure_io::read::{read_bytes, read_file, Format, ReadOptions};
use fissure_io::write::write_parquet;
use std::path::{Path, PathBuf};

fn demo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo").join(rel)
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn reads_a_pyarrow_file() {
    let out = read_file(&data("pyarrow_spx_2026.parquet"), &ReadOptions::default()).unwrap();
    assert_eq!(out.format, Format::Parquet);
    let s = &out.series[0];
    assert_eq!(s.id(), "pyarrow_spx_2026");
    let csv = read_file(&data("stooq_spx_2026.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(s.dates(), csv.series[0].dates());
    assert_eq!(s.values(), csv.series[0].values());
    assert_eq!(s.ohlcv(), csv.series[0].ohlcv());
    assert_eq!(s.value_on(d("2026-02-12")), Some(6832.76));
}

#[test]
fn round_trip_of_real_series() {
    let dir = tempfile::tempdir().unwrap();
    let spx = read_file(&demo("prices/sp500_index_daily.csv"), &ReadOptions::default()).unwrap().series;
    let p = dir.path().join("spx.parquet");
    write_parquet(&spx, &p).unwrap();
    let back = read_file(&p, &ReadOptions { id: Some("sp500_index_daily".into()), ..Default::default() }).unwrap();
    assert_eq!(back.series[0].dates(), spx[0].dates());
    assert_eq!(back.series[0].values(), spx[0].values());
    assert_eq!(back.series[0].ohlcv(), spx[0].ohlcv());

    // Several series: wide table on the union of dates.
    let mut many = spx.clone();
    many.extend(read_file(&demo("macro/us10y_yield_daily.csv"), &ReadOptions::default()).unwrap().series);
    let p = dir.path().join("wide.parquet");
    write_parquet(&many, &p).unwrap();
    let back = read_file(&p, &ReadOptions::default()).unwrap();
    assert_eq!(back.series.len(), 2);
    for (a, b) in many.iter().zip(&back.series) {
        assert_eq!(b.id(), format!("wide.{}", a.id()));
        assert_eq!(a.dates(), b.dates());
        assert_eq!(a.values(), b.values());
    }
}

#[test]
fn garbage_after_the_magic_is_a_parquet_error() {
    let e = read_bytes(Path::new("x.parquet"), b"PAR1 not really parquet", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "Parquet");
}
