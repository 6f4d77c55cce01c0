//! The bundle layout on the real bundled files (`data/demo/`), with spot checks of known values.

use chrono::NaiveDate;
use fissure_core::{AssetClass, Frequency, SeriesMeta};
use fissure_io::read::{read_file, Format, ReadOptions};
use std::path::{Path, PathBuf};

fn demo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo").join(rel)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn nasdaq_composite_closed_at_5048_62_on_2000_03_10() {
    let out = read_file(&demo("prices/nasdaq_composite_daily.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(out.format, Format::Bundle);
    assert_eq!(out.series.len(), 1);
    let s = &out.series[0];
    assert_eq!(s.id(), "nasdaq_composite_daily");
    assert_eq!(s.meta.frequency, Frequency::Daily);
    assert_eq!(s.meta.source, "nasdaq_composite_daily.csv");
    assert_eq!(s.value_on(d("2000-03-10")), Some(5048.62));
    assert_eq!(s.first_date(), Some(d("1971-02-05")));
    assert_eq!(s.last_date(), Some(d("2026-08-21")));
    // 14004 lines = header + 14003 rows, none missing.
    assert_eq!(s.len(), 14003);
    let i = s.dates().binary_search(&d("2000-03-10")).unwrap();
    let o = s.observation(i);
    assert!(o.open.is_some() && o.high.unwrap() >= o.low.unwrap() && o.volume.is_some());
    // Volume 0 ("not reported" in the bundle) stays 0.
    assert_eq!(s.observation(0).volume, Some(0.0));
}

#[test]
fn sp500_fell_1_57_percent_on_2026_02_12() {
    let out = read_file(&demo("prices/sp500_index_daily.csv"), &ReadOptions::default()).unwrap();
    let s = &out.series[0];
    let i = s.dates().binary_search(&d("2026-02-12")).unwrap();
    let r = (s.values()[i] / s.values()[i - 1] - 1.0) * 100.0;
    // 6832.76 / 6941.47 - 1 = -1.5661 %
    assert!((r - (-1.5661)).abs() < 0.005, "S&P 500 return on 2026-02-12: {r:.4} %");
    assert_eq!(s.values()[i], 6832.76);
}

#[test]
fn multi_column_file_gives_one_series_per_column() {
    let out = read_file(&demo("fundamentals/shiller_sp500_monthly.csv"), &ReadOptions::default()).unwrap();
    let ids: Vec<&str> = out.series.iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        [
            "shiller_sp500_monthly.sp500",
            "shiller_sp500_monthly.dividend",
            "shiller_sp500_monthly.earnings",
            "shiller_sp500_monthly.cpi",
            "shiller_sp500_monthly.long_interest_rate",
            "shiller_sp500_monthly.real_price",
            "shiller_sp500_monthly.real_dividend",
            "shiller_sp500_monthly.real_earnings",
            "shiller_sp500_monthly.cape",
        ]
    );
    for s in &out.series {
        assert_eq!(s.meta.frequency, Frequency::Monthly, "{}", s.id());
    }
    let cape = out.series.iter().find(|s| s.id().ends_with(".cape")).unwrap();
    // 1866 rows, 153 with an empty CAPE (the first ten years and the latest months).
    assert_eq!(cape.len(), 1866 - 153);
    assert!(out.warnings.iter().any(|w| w.message.contains("153 row(s) with a missing cape")));
    // Only one column, with an explicit id.
    let opts = ReadOptions { id: Some("SHILLER".into()), value_col: Some("cape".into()), ..Default::default() };
    let out = read_file(&demo("fundamentals/shiller_sp500_monthly.csv"), &opts).unwrap();
    assert_eq!(out.series.len(), 1);
    assert_eq!(out.series[0].id(), "SHILLER");
    assert_eq!(out.series[0].len(), 1866 - 153);
}

#[test]
fn date_value_files_and_declared_metadata() {
    let meta = SeriesMeta {
        id: "ignored".into(),
        name: "US 10-year Treasury yield".into(),
        asset_class: AssetClass::Rate,
        unit: "percent".into(),
        frequency: Frequency::Daily,
        source: "FRED DGS10".into(),
    };
    let opts = ReadOptions { id: Some("US10Y".into()), meta: Some(meta), ..Default::default() };
    let out = read_file(&demo("macro/us10y_yield_daily.csv"), &opts).unwrap();
    let s = &out.series[0];
    assert_eq!(s.id(), "US10Y");
    assert_eq!(s.meta.name, "US 10-year Treasury yield");
    assert_eq!(s.meta.asset_class, AssetClass::Rate);
    assert_eq!(s.meta.source, "FRED DGS10");
    assert_eq!(s.value_on(d("1962-01-02")), Some(4.06));
    assert_eq!(s.len(), 16143);
    // Weekly and monthly files.
    let w = read_file(&demo("macro/nfci_weekly.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(w.series[0].meta.frequency, Frequency::Weekly);
    let m = read_file(&demo("macro/fed_funds_rate_monthly.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(m.series[0].meta.frequency, Frequency::Monthly);
    // Declaring the wrong frequency is an error naming the first contradicting gap.
    let opts = ReadOptions { frequency: Some(Frequency::Monthly), ..Default::default() };
    let e = read_file(&demo("macro/nfci_weekly.csv"), &opts).unwrap_err();
    assert_eq!(e.kind(), "FrequencyMismatch");
    assert_eq!(e.line(), Some(3));
}

#[test]
fn wti_negative_settlement_is_refused_for_a_commodity_unless_allowed() {
    let meta = SeriesMeta { asset_class: AssetClass::Commodity, ..SeriesMeta::new("WTI") };
    let opts = ReadOptions { meta: Some(meta), ..Default::default() };
    let e = read_file(&demo("prices/wti_crude_spot_daily.csv"), &opts).unwrap_err();
    assert_eq!(e.kind(), "NonPositivePrice");
    assert_eq!(e.line(), Some(8645));
    assert_eq!(e.column().as_deref(), Some("value"));
    let opts = ReadOptions { allow_non_positive: true, ..opts };
    let out = read_file(&demo("prices/wti_crude_spot_daily.csv"), &opts).unwrap();
    assert_eq!(out.series[0].value_on(d("2020-04-20")), Some(-36.98));
    // Without a declared price class the value column is not a price.
    let out = read_file(&demo("prices/wti_crude_spot_daily.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(out.series[0].value_on(d("2020-04-20")), Some(-36.98));
}

#[test]
fn market_cap_snapshots_become_cross_sections() {
    let out = read_file(&demo("fundamentals/sp500_marketcap_snapshots.csv"), &ReadOptions::default()).unwrap();
    assert!(out.series.is_empty());
    // 31 snapshot dates × 2 numeric fields (price, market_cap_usd_bn).
    assert_eq!(out.sections.len(), 62);
    let last = out.sections.iter().find(|c| c.date == d("2026-08-20") && c.field == "market_cap_usd_bn").unwrap();
    let zts = last.rows.iter().find(|r| r.symbol == "ZTS").unwrap();
    assert_eq!(zts.value, 31.686);
    assert_eq!(zts.name.as_deref(), Some("Zoetis"));
    assert!(out.warnings.iter().any(|w| w.message.contains("price(s) of 0")));
}

#[test]
fn every_bundled_file_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo");
    let mut n = 0;
    for dir in ["prices", "macro", "fundamentals"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            // Four files have OHLC rows outside [low, high] as published (MANIFEST.md): refused
            // by default, read with an explicit, reported repair.
            let repaired =
                ["gold_futures_daily.csv", "silver_futures_daily.csv", "copper_futures_daily.csv", "etf_hyg_daily.csv"];
            let out = match read_file(&p, &ReadOptions::default()) {
                Err(e) if e.kind() == "OhlcInconsistent" && repaired.contains(&name.as_str()) => {
                    let out = read_file(&p, &ReadOptions { repair_ohlc: true, ..Default::default() }).unwrap();
                    assert!(out.warnings.iter().any(|w| w.message.contains("--repair-ohlc repaired")), "{name}");
                    out
                }
                r => r.unwrap_or_else(|e| panic!("{e}")),
            };
            assert!(
                !repaired.contains(&name.as_str()) || out.warnings.iter().any(|w| w.message.contains("repaired")),
                "{name} needs no repair any more: update MANIFEST.md"
            );
            assert!(!out.series.is_empty() || !out.sections.is_empty(), "{}", p.display());
            n += 1;
        }
    }
    assert!(n >= 50);
}
