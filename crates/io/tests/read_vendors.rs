//! Yahoo, Stooq (both layouts), FRED (both date headers) and a generic spreadsheet export, on
//! real rows of the bundle re-written in each vendor's layout (see tests/data/README.md).

use chrono::NaiveDate;
use fissure_core::Frequency;
use fissure_io::read::{read_file, Format, ReadOptions};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn yahoo_value_is_adj_close_and_ohlc_are_kept() {
    let out = read_file(&data("yahoo_ixic_2000.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(out.format, Format::Yahoo);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let s = &out.series[0];
    assert_eq!(s.id(), "yahoo_ixic_2000");
    assert_eq!(s.value_on(d("2000-03-10")), Some(5048.62));
    let i = s.dates().binary_search(&d("2000-03-10")).unwrap();
    let o = s.observation(i);
    assert_eq!((o.open, o.high, o.low, o.volume), (Some(5060.34), Some(5132.52), Some(5039.35), Some(1992170000.0)));
    assert_eq!(s.meta.frequency, Frequency::Daily);
    // Forced format gives the same; the raw Close can be chosen explicitly.
    let forced =
        read_file(&data("yahoo_ixic_2000.csv"), &ReadOptions { format: Format::Yahoo, ..Default::default() }).unwrap();
    assert_eq!(forced.series[0], *s);
    let close =
        read_file(&data("yahoo_ixic_2000.csv"), &ReadOptions { value_col: Some("Close".into()), ..Default::default() })
            .unwrap();
    assert_eq!(close.series[0].values(), s.values());
}

#[test]
fn stooq_both_layouts_agree() {
    let a = read_file(&data("stooq_spx_2026.csv"), &ReadOptions::default()).unwrap();
    let b = read_file(&data("stooq_spx_2026.txt"), &ReadOptions::default()).unwrap();
    assert_eq!(a.format, Format::Stooq);
    assert_eq!(b.format, Format::Stooq);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    let (sa, sb) = (&a.series[0], &b.series[0]);
    assert_eq!(sa.dates(), sb.dates());
    assert_eq!(sa.values(), sb.values());
    assert_eq!(sa.ohlcv(), sb.ohlcv());
    // The S&P 500 fell 1.57 % on 2026-02-12.
    let i = sa.dates().binary_search(&d("2026-02-12")).unwrap();
    let r = (sa.values()[i] / sa.values()[i - 1] - 1.0) * 100.0;
    assert!((r + 1.5661).abs() < 0.005, "{r}");
    assert_eq!(sa.len(), 19);
}

#[test]
fn fred_dot_is_missing_with_either_date_header() {
    for name in ["fred_dgs10_DATE.csv", "fred_dgs10_observation_date.csv"] {
        let out = read_file(&data(name), &ReadOptions::default()).unwrap();
        assert_eq!(out.format, Format::Fred, "{name}");
        let s = &out.series[0];
        // 33 weekdays, 3 of them holidays written ".".
        assert_eq!(s.len(), 30, "{name}");
        assert_eq!(s.value_on(d("2023-12-25")), None);
        assert_eq!(s.value_on(d("2024-01-16")), Some(4.07));
        assert_eq!(s.meta.frequency, Frequency::Daily);
        assert!(out.warnings.iter().any(|w| w.message.contains("3 row(s) with a missing DGS10")), "{:?}", out.warnings);
    }
}

#[test]
fn generic_export_with_bom_crlf_quotes_and_us_dates() {
    let out = read_file(&data("generic_gld_2020.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(out.format, Format::Csv);
    let ids: Vec<&str> = out.series.iter().map(|s| s.id()).collect();
    // column names with spaces become id parts with `_` (the id grammar), with a warning
    assert_eq!(ids, ["generic_gld_2020.Closing_Price", "generic_gld_2020.Shares_Traded"]);
    assert!(out.warnings.iter().any(|w| w.message.contains("named `generic_gld_2020.Closing_Price`")));
    assert!(out.warnings.iter().any(|w| w.message.contains("text column(s) Symbol skipped")));
    let close = &out.series[0];
    assert_eq!(close.first_date(), Some(d("2020-03-02")));
    assert_eq!(close.value_on(d("2020-03-02")), Some(149.2));
    assert_eq!(close.len(), 22);
    // Choosing the columns by name.
    let opts = ReadOptions {
        id: Some("GLD".into()),
        date_col: Some("trade date".into()),
        value_col: Some("Closing Price".into()),
        format: Format::Csv,
        ..Default::default()
    };
    let one = read_file(&data("generic_gld_2020.csv"), &opts).unwrap();
    assert_eq!(one.series.len(), 1);
    assert_eq!(one.series[0].id(), "GLD");
    assert_eq!(one.series[0].values(), close.values());
}
