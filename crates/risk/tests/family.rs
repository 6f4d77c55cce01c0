//! The `portfolio` report family on the bundled data: signals present, real-time safe
//! (recomputing on data cut at a past date leaves the past unchanged), notes for what is missing.

mod common;

use chrono::NaiveDate;
use fissure_core::{FamilyInputs, SignalFamily};
use fissure_risk::signals::PortfolioFamily;

fn inputs(as_of: &str) -> FamilyInputs {
    let d: NaiveDate = as_of.parse().unwrap();
    let series = common::assets().into_iter().map(|s| (s.id().to_string(), s.as_of(d))).collect();
    let portfolio = common::FILES.iter().map(|(id, _, w)| (id.to_string(), *w)).collect();
    FamilyInputs { as_of: Some(d), series, portfolio, ..Default::default() }
}

#[test]
fn portfolio_signals_are_real_time() {
    let fam = PortfolioFamily::default();
    let full = fam.compute(&inputs("2026-08-21")).unwrap();
    let cut = fam.compute(&inputs("2024-06-28")).unwrap();
    let get = |o: &fissure_core::FamilyOutput, id: &str| o.signals.iter().find(|s| s.spec.id == id).cloned().unwrap();
    for id in ["portfolio.var99", "portfolio.es975"] {
        let (a, b) = (get(&full, id), get(&cut, id));
        assert_eq!(b.dates.last().unwrap().to_string(), "2024-06-28");
        for (d, v) in b.dates.iter().zip(&b.values) {
            let i = a.dates.iter().position(|x| x == d).unwrap();
            assert_eq!(a.values[i], *v, "{id} on {d}");
        }
    }
    // the replays that end after the cut are not used, and the worst one is a real loss
    let w = get(&full, "portfolio.worst_scenario");
    assert!(w.values[0] > 5.0, "{w:?}");
    assert!(get(&full, "portfolio.cash_shortfall").values[0] == 0.0, "unleveraged: no buffer needed");
    // single values with the reason they have no history (hence no percentile), in both languages
    for id in ["portfolio.worst_scenario", "portfolio.cash_shortfall"] {
        let s = get(&full, id);
        assert_eq!(s.values.len(), 1, "{id}");
        assert!(s.explain_en.contains("No history, so no percentile"), "{id}: {}", s.explain_en);
        assert!(s.explain_zh.contains("无历史序列"), "{id}: {}", s.explain_zh);
    }
    assert!(full.charts.iter().any(|c| c.id == "portfolio_var_backtest"));
    assert!(full.charts.iter().any(|c| c.id == "portfolio_contributions"));
    // the dot-com replay needs proxies (BTC, GLD, TLT did not trade): they are named in the caption
    let dotcom = full.charts.iter().find(|c| c.id == "portfolio_replay_dotcom").expect("dot-com replay");
    assert!(dotcom.caption.en.contains("Proxies:") && dotcom.caption.en.contains("BTC"), "{}", dotcom.caption.en);
    assert!(dotcom.caption.zh.contains("代理"));
}

#[test]
fn empty_or_unknown_portfolio_gives_a_note() {
    let fam = PortfolioFamily::default();
    let mut i = inputs("2026-08-21");
    i.portfolio.clear();
    assert!(fam.compute(&i).unwrap().notes[0].en.contains("No [portfolio]"));
    let mut i = inputs("2026-08-21");
    i.portfolio.push(("NOPE".into(), 0.0));
    let out = fam.compute(&i).unwrap();
    assert!(out.signals.is_empty() && out.notes[0].en.contains("NOPE"));
}

#[test]
fn watchlist_margins_reach_the_cash_buffer() {
    let fam = PortfolioFamily::default();
    // the same mix at 2.5× leverage: weights × 2.5, cash −1.5
    let levered = |margin: f64| {
        let mut i = inputs("2026-08-21");
        i.portfolio.iter_mut().for_each(|p| p.1 *= 2.5);
        i.portfolio_margin = i.portfolio.iter().map(|p| (p.0.clone(), margin)).collect();
        let out = fam.compute(&i).unwrap();
        out.signals.iter().find(|s| s.spec.id == "portfolio.cash_shortfall").unwrap().values[0]
    };
    let (low, high) = (levered(0.10), levered(0.40));
    // shares of equity: about 0.38 against 0.14 on the bundled data
    assert!(high > low + 0.1 && low > 0.0, "cash shortfall with 40% margins {high} vs 10% margins {low}");
}
