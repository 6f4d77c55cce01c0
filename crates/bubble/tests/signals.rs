//! Bubble signals on real data: shape, bilingual explanations, and real-time safety (the value at
//! a date does not change when later data are removed).

use fissure_bubble::signals::{signals, BubbleFamily, SignalOptions};
use fissure_core::{AssetClass, FamilyInputs, Series, SignalFamily};
use std::path::PathBuf;

fn nasdaq() -> Series {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/prices/nasdaq_composite_daily.csv");
    let mut s = fissure_io::read_file(&p, &Default::default()).unwrap().series.remove(0);
    s.meta.id = "IXIC".into();
    s.meta.asset_class = AssetClass::EquityIndex;
    s.slice(Some("1990-01-01".parse().unwrap()), Some("2000-12-31".parse().unwrap()))
}

fn opts() -> SignalOptions {
    SignalOptions {
        mc_reps: 99,
        lppls_dates: 2,
        lppls_every: 21,
        lppls_windows: (400, 125, 25),
        ..SignalOptions::default()
    }
}

#[test]
fn signals_are_real_time_safe_and_explained() {
    let s = nasdaq();
    let all = signals(&s, &opts()).unwrap();
    let ids: Vec<&str> = all.iter().map(|x| x.spec.id.as_str()).collect();
    assert_eq!(ids, vec!["bubble.bsadf.IXIC", "bubble.lppls_pos.IXIC"]);
    for x in &all {
        assert_eq!(x.dates.len(), x.values.len());
        assert!(!x.explain_en.is_empty() && !x.explain_zh.is_empty());
        assert!(x.values.iter().all(|v| v.is_finite()));
    }
    // BSADF − CV95 was positive in the weeks before the March 2000 peak
    let b = &all[0];
    let i = b.dates.iter().position(|d| d.to_string() == "2000-03-10").unwrap();
    assert!(b.values[i] > 0.0, "{}", b.values[i]);
    // truncating the data at 2000-03-10 leaves every earlier value unchanged
    let cut = signals(&s.as_of("2000-03-10".parse().unwrap()), &opts()).unwrap();
    let c = &cut[0];
    assert_eq!(c.dates.last().unwrap().to_string(), "2000-03-10");
    for (k, d) in c.dates.iter().enumerate() {
        let j = b.dates.iter().position(|x| x == d).unwrap();
        assert!((c.values[k] - b.values[j]).abs() < 1e-12, "{d}");
    }
    let lp = &all[1];
    assert!(lp.values.iter().all(|v| (0.0..=1.0).contains(v)));
}

#[test]
fn family_reports_missing_assets_and_charts_present_ones() {
    let s = nasdaq();
    let mut inputs = FamilyInputs { bubble_assets: vec!["IXIC".into(), "NOPE".into()], ..Default::default() };
    inputs.series.insert("IXIC".into(), s);
    let fam = BubbleFamily { opts: SignalOptions { lppls_dates: 0, ..opts() } };
    let out = fam.compute(&inputs).unwrap();
    assert_eq!(out.signals.len(), 1);
    assert_eq!(out.charts.len(), 1);
    assert_eq!(out.notes.len(), 1);
    assert!(!out.methods.is_empty());
}
