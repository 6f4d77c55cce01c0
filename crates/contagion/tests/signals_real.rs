//! The family's signals on the bundled data: present, finite, explained in both
//! languages, and real-time safe (truncating the inputs does not change the past).

mod common;
use fissure_contagion::signals::{compute, ContagionFamily};
use fissure_core::family::{FamilyInputs, SignalFamily};
use fissure_core::Date;
use std::collections::BTreeMap;

const FILES: [(&str, &str, Option<&str>); 27] = [
    ("SPY", "prices/etf_spy_daily.csv", None),
    ("QQQ", "prices/etf_qqq_daily.csv", None),
    ("IWM", "prices/etf_iwm_daily.csv", None),
    ("XLK", "prices/etf_xlk_daily.csv", None),
    ("XLF", "prices/etf_xlf_daily.csv", None),
    ("XLE", "prices/etf_xle_daily.csv", None),
    ("XLU", "prices/etf_xlu_daily.csv", None),
    ("XLP", "prices/etf_xlp_daily.csv", None),
    ("XLV", "prices/etf_xlv_daily.csv", None),
    ("TLT", "prices/etf_tlt_daily.csv", None),
    ("GLD", "prices/etf_gld_daily.csv", None),
    ("SLV", "prices/etf_slv_daily.csv", None),
    ("HYG", "prices/etf_hyg_daily.csv", None),
    ("COPPER", "prices/copper_futures_daily.csv", None),
    ("WTI", "prices/wti_crude_spot_daily.csv", None),
    ("BTC", "prices/btc_usd_daily.csv", None),
    ("ETH", "prices/eth_usd_daily.csv", None),
    ("NVDA", "prices/stock_nvda_daily.csv", None),
    ("MSFT", "prices/stock_msft_daily.csv", None),
    ("GOOGL", "prices/stock_googl_daily.csv", None),
    ("AMZN", "prices/stock_amzn_daily.csv", None),
    ("META", "prices/stock_meta_daily.csv", None),
    ("AVGO", "prices/stock_avgo_daily.csv", None),
    ("ORCL", "prices/stock_orcl_daily.csv", None),
    ("AMD", "prices/stock_amd_daily.csv", None),
    ("MARGIN_DEBT", "macro/finra_margin_debt_monthly.csv", Some("debit_balances_musd")),
    ("AAII_SPREAD", "macro/aaii_sentiment_spread_monthly.csv", Some("bull_minus_bear")),
];

fn inputs(as_of: Option<&str>) -> FamilyInputs {
    let as_of: Option<Date> = as_of.map(|d| d.parse().unwrap());
    let mut series = BTreeMap::new();
    for (id, f, col) in FILES {
        let s = common::demo_col(id, f, col);
        let s = match as_of {
            Some(d) => s.as_of(d),
            None => s,
        };
        series.insert(id.to_string(), s);
    }
    let n = common::demo("NAAIM", "macro/naaim_exposure_monthly.csv");
    series.insert("NAAIM".into(), as_of.map_or(n.clone(), |d| n.as_of(d)));
    let mut roles = BTreeMap::new();
    roles.insert("margin_debt".to_string(), "MARGIN_DEBT".to_string());
    roles.insert("aaii_spread".to_string(), "AAII_SPREAD".to_string());
    FamilyInputs { as_of, series, roles, ..Default::default() }
}

#[test]
fn signals_on_real_data_are_complete_and_real_time_safe() {
    let t0 = std::time::Instant::now();
    let full = compute(&inputs(None));
    println!(
        "compute: {:.2} s, {} signals, {} charts, notes {:?}",
        t0.elapsed().as_secs_f64(),
        full.signals.len(),
        full.charts.len(),
        full.notes
    );
    for s in &full.signals {
        println!(
            "{} [{} .. {}] last {:.3}\n  {}\n  {}",
            s.spec.id,
            s.dates[0],
            s.dates.last().unwrap(),
            s.values.last().unwrap(),
            s.explain_en,
            s.explain_zh
        );
        assert_eq!(s.dates.len(), s.values.len());
        assert!(s.values.iter().all(|v| v.is_finite()), "{}", s.spec.id);
        assert!(s.dates.windows(2).all(|w| w[0] < w[1]));
        assert!(!s.explain_en.is_empty() && !s.explain_zh.is_empty());
    }
    let ids: Vec<&str> = full.signals.iter().map(|s| s.spec.id.as_str()).collect();
    for want in [
        "contagion.basket_corr.ai_precious",
        "contagion.basket_corr.ai_crypto",
        "contagion.basket_corr.precious_crypto",
        "contagion.absorption.delta_ar",
        "contagion.turbulence",
        "contagion.spillover.total",
        "contagion.cocrash.count60",
        "contagion.crowding.ai",
        "contagion.positioning.margin_debt",
        "contagion.positioning.aaii_spread",
        "contagion.positioning.naaim",
    ] {
        assert!(ids.contains(&want), "missing {want}");
    }
    let c = full.correlation.as_ref().unwrap();
    assert_eq!(c.matrix.len(), c.names.len());
    assert!(!full.net_edges.is_empty());
    // real-time safety: a run on data cut at 2024-06-28 reproduces the full run's past
    let cut = compute(&inputs(Some("2024-06-28")));
    for s in &cut.signals {
        let f = full.signals.iter().find(|x| x.spec.id == s.spec.id).unwrap();
        assert!(*s.dates.last().unwrap() <= "2024-06-28".parse::<Date>().unwrap());
        for (d, v) in s.dates.iter().zip(&s.values) {
            let i = f.dates.binary_search(d).unwrap_or_else(|_| panic!("{} {d}", s.spec.id));
            assert!((f.values[i] - v).abs() <= 1e-9 * v.abs().max(1.0), "{} on {d}: {} vs {v}", s.spec.id, f.values[i]);
        }
    }
    let out = ContagionFamily.compute(&inputs(None)).unwrap();
    assert_eq!(out.signals.len(), full.signals.len());
    assert!(!out.methods.is_empty());
}

/// Point-in-time membership of the co-crash signal: its value at D computed on the data cut
/// at D equals the full run's value at D, for dates before and after the late members (GLD
/// 2004, SLV 2006, BTC 2014-09-17, ETH 2017-11-09) arrive, with the not-yet-existing members
/// either absent from the inputs or present with no observation. The breadth's denominator
/// (classes with data that day) is checked the same way.
#[test]
fn cocrash_at_d_never_changes_when_later_members_arrive() {
    use fissure_contagion::cocrash::{default_universe, detect, CoCrashOptions};
    use fissure_contagion::signals::cocrash_signal;
    let full_in = inputs(None);
    let full = cocrash_signal(&full_in).unwrap();
    let first = |id: &str| full_in.series[id].first_date().unwrap();
    assert!(first("BTC") > "2014-01-01".parse().unwrap() && first("ETH") > "2017-01-01".parse().unwrap());
    let uni = |inp: &FamilyInputs| -> Vec<(String, fissure_contagion::cocrash::CrashClass)> {
        default_universe()
            .into_iter()
            .filter(|(id, _)| inp.series.get(*id).is_some_and(|s| !s.is_empty()))
            .map(|(id, c)| (id.to_string(), c))
            .collect()
    };
    let breadth = |inp: &FamilyInputs| {
        let u = uni(inp);
        let series: Vec<&fissure_core::Series> = u.iter().map(|(id, _)| &inp.series[id]).collect();
        let p = fissure_core::Panel::align(
            &series,
            &fissure_core::Alignment::Reference { id: "SPY".into(), max_fill_days: 5 },
        )
        .unwrap();
        detect(&p, &u, &CoCrashOptions::default()).unwrap()
    };
    let full_b = breadth(&full_in);
    let mut checked = 0;
    for d in ["2006-03-31", "2008-10-10", "2011-08-08", "2014-09-16", "2015-08-24", "2017-11-08", "2020-03-16"] {
        let day: Date = d.parse().unwrap();
        let mut cut = inputs(Some(d));
        for dropped in [false, true] {
            if dropped {
                cut.series.retain(|_, s| !s.is_empty());
            }
            let c = cocrash_signal(&cut).unwrap_or_else(|e| panic!("{d} (empty members dropped: {dropped}): {e}"));
            let (cd, cv) = (*c.dates.last().unwrap(), *c.values.last().unwrap());
            assert!(cd <= day);
            let i = full.dates.binary_search(&cd).unwrap_or_else(|_| panic!("{d}: {cd} not in the full run"));
            assert_eq!(full.values[i], cv, "co-crash count on {cd} (cut at {d}): full {} vs {cv}", full.values[i]);
            // the whole truncated history agrees, not only its last value
            for (dd, v) in c.dates.iter().zip(&c.values) {
                let k = full.dates.binary_search(dd).unwrap();
                assert_eq!(full.values[k], *v, "{dd} (cut at {d})");
            }
            let b = breadth(&cut);
            let t = b.dates.iter().rposition(|x| *x <= day).unwrap();
            let tf = full_b.dates.binary_search(&b.dates[t]).unwrap();
            assert!(
                b.breadth[t] == full_b.breadth[tf] || (b.breadth[t].is_nan() && full_b.breadth[tf].is_nan()),
                "breadth on {}: cut {} vs full {}",
                b.dates[t],
                b.breadth[t],
                full_b.breadth[tf]
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 14);
}
