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
