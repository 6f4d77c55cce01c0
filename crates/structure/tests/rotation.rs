//! Rotation ratios and high-cut-low days on the bundled real prices.

mod common;

use fissure_structure::rotation::{default_ratios, high_cut_low_days, ratio, RotationConfig};

#[test]
fn ratios_hand_checked() {
    let d = common::demo();
    let cfg = RotationConfig::default();
    let specs = default_ratios();
    let day: chrono::NaiveDate = "2026-02-06".parse().unwrap();
    let iwm = ratio(&d.series, &specs[0], &cfg).unwrap();
    let i = iwm.dates.iter().position(|x| *x == day).unwrap();
    // closes on 2026-02-06: IWM 264.5494, SPY 688.739 → 0.384107
    assert!((iwm.ratio[i] - 264.5494 / 688.739).abs() < 1e-12);
    let def = ratio(&d.series, &specs[2], &cfg).unwrap();
    let j = def.dates.iter().position(|x| *x == day).unwrap();
    // geometric mean of XLU 43.049, XLP 87.4478, XLV 157.0643 over XLK 140.9547 = 0.595457
    let want = (43.049f64 * 87.4478 * 157.0643).powf(1.0 / 3.0) / 140.9547;
    assert!((def.ratio[j] - want).abs() < 1e-12);
    // momentum and z-score by their definitions
    let h = cfg.momentum;
    assert!((iwm.momentum_pct[i] - 100.0 * (iwm.ratio[i] / iwm.ratio[i - h]).ln()).abs() < 1e-9);
    let w = &iwm.ratio[i + 1 - cfg.window..=i];
    let logs: Vec<f64> = w.iter().map(|v| v.ln()).collect();
    let z = fissure_stats::describe::z_score(&logs, iwm.ratio[i].ln());
    assert!((iwm.z[i] - z).abs() < 1e-8, "{} vs {z}", iwm.z[i]);
    for s in &specs {
        let r = ratio(&d.series, s, &cfg).unwrap();
        let (dt, v, m, z) = r.latest().unwrap();
        eprintln!("{:>16} {dt} ratio {v:.4} mom {m:+.1}% z {z:+.2} breakouts {}", r.name, r.breakouts.len());
        assert!(!r.breakouts.is_empty());
    }
}

#[test]
fn high_cut_low_includes_2026_02_06() {
    let d = common::demo();
    let days = high_cut_low_days(&d.series, &RotationConfig::default()).unwrap();
    for x in days.iter().rev().take(8) {
        eprintln!(
            "{} leaders down {:?} low mean {:+.2}% up {:.0}%",
            x.date,
            x.leaders_down,
            x.low_mean_pct,
            100.0 * x.low_up_share
        );
    }
    let day = days.iter().find(|x| x.date == "2026-02-06".parse().unwrap()).expect("2026-02-06");
    // AMZN −5.55 %, GOOGL −2.53 %, META −1.31 % while XLE, XLF, XLU, XLP, XLV and IWM all rose
    let names: Vec<&str> = day.leaders_down.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names, vec!["GOOGL", "AMZN", "META"]);
    assert!((day.low_up_share - 1.0).abs() < 1e-12);
    assert!(days.len() < 200, "{} days: the rule must stay selective", days.len());
}

/// What cannot be computed is kept with its reason: a ratio naming a missing series is skipped, and without
/// the leaders the high-cut-low days are null with a note, not an empty list.
#[test]
fn scan_keeps_what_it_cannot_compute() {
    use fissure_structure::rotation::{scan, RatioSpec};
    let d = common::demo();
    let cfg = RotationConfig::default();
    let specs = vec![RatioSpec::parse("IWM/SPY").unwrap(), RatioSpec::parse("NVDA+MSFT/NOPE").unwrap()];
    assert_eq!(specs[1].numerator, ["NVDA", "MSFT"]);
    assert!(RatioSpec::parse("IWM").is_err() && RatioSpec::parse("IWM/ ").is_err());
    let sc = scan(&d.series, &specs, &cfg);
    assert_eq!(sc.ratios.len(), 1);
    assert_eq!(sc.skipped.len(), 1);
    assert!(sc.skipped[0].0 == "NVDA+MSFT/NOPE" && sc.skipped[0].1.contains("NOPE"), "{:?}", sc.skipped);
    let v = fissure_structure::json::rotation(&sc, &cfg);
    assert!(v["high_cut_low_days"].as_array().is_some_and(|a| !a.is_empty()) && v["high_cut_low_note"].is_null());
    assert_eq!(v["skipped"][0]["ratio"], "NVDA+MSFT/NOPE");
    // without the Magnificent 7 the days cannot be computed: null and the reason
    let few: std::collections::BTreeMap<_, _> =
        d.series.iter().filter(|(k, _)| !cfg.leaders.contains(k)).map(|(k, s)| (k.clone(), s.clone())).collect();
    let v = fissure_structure::json::rotation(&scan(&few, &specs[..1], &cfg), &cfg);
    assert!(v["high_cut_low_days"].is_null(), "{}", v["high_cut_low_days"]);
    assert!(v["high_cut_low_note"].as_str().is_some_and(|n| n.contains("leaders")), "{}", v["high_cut_low_note"]);
}
