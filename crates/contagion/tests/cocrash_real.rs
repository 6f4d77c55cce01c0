//! Co-crash detector on the bundled data (1993–2026, ten assets in six classes).

mod common;
use fissure_contagion::cocrash::{default_universe, detect, CoCrashOptions, CrashClass};
use fissure_core::{Alignment, Panel, Series};

fn files(id: &str) -> &'static str {
    match id {
        "SPY" => "prices/etf_spy_daily.csv",
        "QQQ" => "prices/etf_qqq_daily.csv",
        "GLD" => "prices/etf_gld_daily.csv",
        "SLV" => "prices/etf_slv_daily.csv",
        "COPPER" => "prices/copper_futures_daily.csv",
        "WTI" => "prices/wti_crude_spot_daily.csv",
        "XLE" => "prices/etf_xle_daily.csv",
        "BTC" => "prices/btc_usd_daily.csv",
        "ETH" => "prices/eth_usd_daily.csv",
        "TLT" => "prices/etf_tlt_daily.csv",
        _ => unreachable!(),
    }
}

#[test]
fn finds_known_cocrash_days_and_not_ordinary_down_days() {
    let uni = default_universe();
    let series: Vec<Series> = uni.iter().map(|(id, _)| common::demo(id, files(id))).collect();
    let refs: Vec<&Series> = series.iter().collect();
    let panel = Panel::align(&refs, &Alignment::Reference { id: "SPY".into(), max_fill_days: 5 }).unwrap();
    let classes: Vec<(String, CrashClass)> = uni.iter().map(|(i, c)| (i.to_string(), *c)).collect();
    let cc = detect(&panel, &classes, &CoCrashOptions::default()).unwrap();
    let flag = |d: &str| cc.flagged.iter().find(|f| f.date.to_string() == d);
    let mut ind = 0;
    let mut shf = 0;
    for f in &cc.flagged {
        ind += usize::from(f.indiscriminate);
        shf += usize::from(f.safe_haven_failure);
    }
    let days = cc.breadth.iter().filter(|b| b.is_finite()).count();
    println!("{} flagged of {days} days ({ind} indiscriminate, {shf} safe-haven failure)", cc.flagged.len());
    for f in &cc.flagged {
        let assets: Vec<String> = f.assets_down.iter().map(|a| format!("{} {:.1}σ", a.id, a.sigma_move)).collect();
        println!(
            "{} breadth {:.2} ind {} shf {} | {}",
            f.date,
            f.breadth,
            f.indiscriminate,
            f.safe_haven_failure,
            assets.join(", ")
        );
    }
    // well-known days
    let d = flag("2026-02-12").expect("2026-02-12 flagged");
    assert!(d.indiscriminate && d.safe_haven_failure);
    assert!(d.assets_down.iter().any(|a| a.id == "SLV") && d.assets_down.iter().any(|a| a.id == "SPY"));
    for day in ["2020-03-12", "2020-03-16"] {
        let d = flag(day).unwrap_or_else(|| panic!("{day} not flagged"));
        assert!(d.indiscriminate && d.safe_haven_failure, "{day}");
    }
    for day in ["2008-09-29", "2008-10-06", "2008-10-15", "2008-12-01"] {
        assert!(flag(day).is_some_and(|d| d.indiscriminate), "{day} not flagged as indiscriminate");
    }
    // ordinary equity down days (stocks fell ≥ 2σ, havens held, few others fell) are not flagged
    for day in ["2025-11-13", "2025-11-20", "2026-02-03"] {
        assert!(flag(day).is_none(), "{day} flagged");
    }
    // rare: under 2.5% of days, and most large equity declines are not co-crashes
    assert!((cc.flagged.len() as f64) < 0.025 * days as f64);
    let eq = &cc.class_moves[0];
    let eq_down: Vec<usize> = (0..eq.len()).filter(|&t| eq[t] <= -1.5 && cc.breadth[t].is_finite()).collect();
    let eq_flagged = eq_down.iter().filter(|&&t| cc.flagged.iter().any(|f| f.date == cc.dates[t])).count();
    println!("equity ≤ −1.5σ days: {}, flagged: {eq_flagged}", eq_down.len());
    assert!((eq_flagged as f64) < 0.35 * eq_down.len() as f64);
}

/// With fewer than the required four asset classes no day can qualify: a refusal with the reason,
/// not "0 co-crash days".
#[test]
fn fewer_classes_than_required_is_refused() {
    let ids = ["SPY", "QQQ", "GLD", "TLT"]; // equities, precious metals, long bonds: three classes
    let series: Vec<Series> = ids.iter().map(|id| common::demo(id, files(id))).collect();
    let refs: Vec<&Series> = series.iter().collect();
    let panel = Panel::align(&refs, &Alignment::Reference { id: "SPY".into(), max_fill_days: 5 }).unwrap();
    let uni = default_universe();
    let classes: Vec<(String, CrashClass)> =
        uni.iter().filter(|(i, _)| ids.contains(i)).map(|(i, c)| (i.to_string(), *c)).collect();
    let e = detect(&panel, &classes, &CoCrashOptions::default()).unwrap_err().to_string();
    assert!(e.contains("at least 4 asset classes") && e.contains("covers 3"), "{e}");
}

/// `scan` (what the CLI and Python show) is `detect` on the calendar of the equity series, with the
/// co-exceedances; its days filter by date and its document carries them all.
#[test]
fn scan_is_detect_with_the_coexceedances() {
    use fissure_contagion::cocrash::scan;
    let uni = default_universe();
    let series: Vec<Series> = uni.iter().map(|(id, _)| common::demo(id, files(id))).collect();
    let refs: Vec<&Series> = series.iter().collect();
    let classes: Vec<(String, CrashClass)> = uni.iter().map(|(i, c)| (i.to_string(), *c)).collect();
    let o = CoCrashOptions::default();
    let sc = scan(&refs, classes.clone(), o.large, o.vol_window).unwrap();
    assert_eq!(sc.calendar, "SPY");
    let panel = Panel::align(&refs, &Alignment::Reference { id: "SPY".into(), max_fill_days: 5 }).unwrap();
    let cc = detect(&panel, &classes, &o).unwrap();
    assert_eq!(sc.cocrash.flagged.len(), cc.flagged.len());
    assert!(
        sc.coexceedance.iter().all(|(_, l, _)| l.is_nan() || (0.0..=1.0).contains(l)) && !sc.coexceedance.is_empty()
    );
    assert!(sc.coexceedance.iter().all(|(_, _, f)| (0.0..=1.0).contains(f)));
    let (from, to) = ("2020-01-01".parse().ok(), "2020-12-31".parse().ok());
    let y2020 = sc.days_between(from, to);
    assert!(!y2020.is_empty() && y2020.iter().all(|d| d.date.to_string().starts_with("2020")));
    let v = fissure_contagion::json::cocrash(&sc, o.large, o.vol_window, from, to);
    assert_eq!(v["days"].as_array().map(Vec::len), Some(y2020.len()));
    assert_eq!(v["coexceedance"].as_array().map(Vec::len), Some(sc.coexceedance.len()));
    // without an equity series there is no calendar: refused
    let no_eq: Vec<(String, CrashClass)> =
        classes.iter().filter(|(_, c)| *c != CrashClass::Equities).cloned().collect();
    let rest: Vec<&Series> = refs.iter().copied().filter(|s| no_eq.iter().any(|(i, _)| i == s.id())).collect();
    assert!(scan(&rest, no_eq, o.large, o.vol_window).unwrap_err().to_string().contains("equity"));
}
