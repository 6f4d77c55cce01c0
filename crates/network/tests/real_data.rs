//! The bundled AI deal graph (data/demo/fundamentals): summary figures, real-time
//! replay of the history, DebtRank of an OpenAI failure, and the claims check.

use chrono::NaiveDate;
use fissure_core::DealBook;
use fissure_core::{FamilyInputs, SignalFamily};
use fissure_network::claims::{check_claims, Verdict};
use fissure_network::signals::NetworkFamily;
use fissure_network::stress::{debt_rank, DebtRankVariant, ExposureNetwork};
use fissure_network::summary::{summarize, timeline, SummaryParams};
use std::collections::BTreeMap;

fn book() -> DealBook {
    fissure_io::demo::load().unwrap().book.unwrap().1
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn summary_of_the_ai_deal_graph() {
    let b = book();
    assert_eq!((b.deals.len(), b.firms.len(), b.claims.len()), (26, 14, 20));
    let s = summarize(&b, &SummaryParams::default()).unwrap();
    assert_eq!((s.nodes, s.edges, s.undisclosed_deals), (14, 23, 6));
    assert_eq!(s.sccs.len(), 1);
    assert_eq!(s.sccs[0], ["AMD", "AMZN", "ANTHROPIC", "CRWV", "GOOGL", "MSFT", "NVDA", "OPENAI", "ORCL"]);
    assert_eq!(s.cycle_count, 17);
    // networkx network_simplex on the same graph gives 166.7 (fixture)
    assert!((s.circulation.amount_usd_bn - 166.7).abs() < 1e-9);
    assert!((s.circulation.total_flows_usd_bn - 870.25).abs() < 1e-9);
    let top = &s.cycles[0];
    assert_eq!(top.nodes, ["NVDA", "OPENAI", "ORCL"]);
    assert_eq!(top.bottleneck_usd_bn, Some(40.0));
    assert!((top.total_usd_bn - 440.0).abs() < 1e-9);
    // Oracle's booked contracts: all from OpenAI; Microsoft's: 89% OpenAI
    let c = |f: &str| s.concentration.iter().find(|c| c.firm == f).unwrap().clone();
    assert_eq!(c("ORCL").top_payer, "OPENAI");
    assert_eq!(c("ORCL").top_share, 1.0);
    assert!((c("MSFT").top_share - 250.0 / 280.0).abs() < 1e-12);
    let rt = |f: &str| s.round_trip.iter().find(|r| r.firm == f).unwrap().clone();
    // Nvidia's disclosed revenue (Oracle's $40B chip order) comes from a firm it funded through OpenAI
    assert_eq!(rt("NVDA").share, Some(1.0));
    assert_eq!(rt("NVDA").undisclosed_inflows, 2);
    assert_eq!(rt("ORCL").share, Some(0.0));
    // CoreWeave: OpenAI's $22.4B of contracts (funded by CoreWeave's stock) of $36.6B disclosed revenue
    assert!((rt("CRWV").share.unwrap() - 22.4 / 36.6).abs() < 1e-12);
    assert_eq!(rt("AMD").share, None, "AMD's only inflow is undisclosed: no share, never zero");
    // direct round trips only (1 hop)
    let s1 = summarize(&b, &SummaryParams { hops: 1, ..Default::default() }).unwrap();
    let nv1 = s1.round_trip.iter().find(|r| r.firm == "NVDA").unwrap();
    assert_eq!(nv1.share, Some(0.0));
    assert_eq!(nv1.undisclosed_round_trip, 2);
    // open commitments: OpenAI's exceed its valuation
    let oa = s.commitments.iter().find(|c| c.firm == "OPENAI").unwrap();
    assert!((oa.commitments_usd_bn - 610.4).abs() < 1e-9);
    assert!(oa.to_size.unwrap() > 1.2);
    assert_eq!(s.commitments.iter().find(|c| c.firm == "AMD").unwrap().to_size, None);
}

#[test]
fn history_replays_in_real_time() {
    let b = book();
    let full = timeline(&b, d("2025-12-31"), None).unwrap();
    assert_eq!(full.first().unwrap().quarter, "2023Q1");
    assert_eq!(full.last().unwrap().quarter, "2025Q4");
    // recomputing on the book as known at each quarter end gives the same row
    for row in &full {
        let known = b.as_of(row.end);
        let t = timeline(&known, row.end, None).unwrap();
        let last = t.last().unwrap();
        assert_eq!(last.cycles, row.cycles, "{}", row.quarter);
        assert_eq!(last.circular_share, row.circular_share, "{}", row.quarter);
        assert_eq!(last.new_cycles, row.new_cycles, "{}", row.quarter);
    }
    let q3 = full.iter().find(|r| r.quarter == "2025Q3").unwrap();
    assert!(q3.new_cycles.contains(&vec!["NVDA".to_string(), "OPENAI".into(), "ORCL".into()]));
    let q2 = full.iter().find(|r| r.quarter == "2025Q2").unwrap();
    assert_eq!(q2.cycles, 1);
}

#[test]
fn debtrank_of_an_openai_failure() {
    let b = book();
    let (net, skipped) = ExposureNetwork::from_deals(&b, &BTreeMap::new()).unwrap();
    assert_eq!(skipped, 6);
    let i = net.index("OPENAI").unwrap();
    let r = debt_rank(&net, &[(i, 1.0)], DebtRankVariant::Original).unwrap();
    let h = |f: &str| r.h[net.index(f).unwrap()];
    // Oracle: OpenAI's $300B contract against Oracle's $414.2B market cap
    assert!((h("ORCL").unwrap() - 300.0 / 414.241).abs() < 1e-12);
    assert_eq!(h("CRWV"), None, "CoreWeave's size is unknown");
    let lin = debt_rank(&net, &[(i, 1.0)], DebtRankVariant::Linear).unwrap();
    assert!(lin.debtrank >= r.debtrank - 1e-15, "linear ≥ once-only");
    // with a size for CoreWeave it takes losses too
    let sizes = BTreeMap::from([("CRWV".to_string(), 60.0)]);
    let (net2, _) = ExposureNetwork::from_deals(&b, &sizes).unwrap();
    let r2 = debt_rank(&net2, &[(net2.index("OPENAI").unwrap(), 1.0)], DebtRankVariant::Original).unwrap();
    assert!(r2.h[net2.index("CRWV").unwrap()].unwrap() > 0.3);
    assert!(r.price_shocks(&net).get("ORCL").unwrap() < &-0.7);
}

#[test]
fn every_claim_is_checked() {
    let b = book();
    let checks = check_claims(&b.claims, &b.fundamentals, &b.firms, &[]);
    assert_eq!(checks.len(), 20);
    let v = |id: &str| checks.iter().find(|c| c.claim_id == id).unwrap();
    assert_eq!(v("c14").verdict, Verdict::Inconsistent, "{}", v("c14").reason.en);
    assert!(v("c14").reason.en.contains("412"));
    assert_eq!(v("c15").verdict, Verdict::Consistent);
    assert_eq!(v("c07").verdict, Verdict::Consistent);
    assert_eq!(v("c20").verdict, Verdict::NotCheckable);
    assert_eq!(v("c03").verdict, Verdict::NotCheckable);
    assert!(v("c03").reason.en.contains("no audited financial statements"));
    assert_eq!(v("c19").verdict, Verdict::NotCheckable, "no snapshots passed");
    for c in &checks {
        assert!(!c.reason.en.is_empty() && !c.reason.zh.is_empty(), "{}", c.claim_id);
    }
    // with a fundamentals row the firm's figure becomes checkable
    let f = fissure_core::Fundamentals {
        firm: "AMZN".into(),
        period: "2026".into(),
        period_end: d("2026-12-31"),
        capex_usd_bn: None,
        revenue_usd_bn: None,
        operating_cash_flow_usd_bn: None,
        free_cash_flow_usd_bn: Some(-40.0),
        ai_revenue_usd_bn: None,
        published: d("2027-02-01"),
        source: "test row".into(),
    };
    let checks = check_claims(&b.claims, &[f], &b.firms, &[]);
    let c11 = checks.iter().find(|c| c.claim_id == "c11").unwrap();
    assert_eq!(c11.verdict, Verdict::Inconsistent, "{}", c11.reason.en);
}

#[test]
fn family_signals_are_real_time_safe() {
    let b = book();
    let inputs = |as_of: &str| FamilyInputs { as_of: Some(d(as_of)), deals: Some(b.clone()), ..Default::default() };
    let full = NetworkFamily.compute(&inputs("2026-08-21")).unwrap();
    let ids: Vec<&str> = full.signals.iter().map(|s| s.spec.id.as_str()).collect();
    assert_eq!(
        ids,
        ["network.circular_share", "network.round_trip_max", "network.top_concentration", "network.debtrank_central"]
    );
    assert!(full.notes.iter().any(|n| n.en.contains("no fundamentals file")));
    let cut = NetworkFamily.compute(&inputs("2025-09-30")).unwrap();
    for (a, c) in full.signals.iter().zip(&cut.signals) {
        for (i, dt) in c.dates.iter().enumerate() {
            let j = a.dates.iter().position(|x| x == dt).unwrap();
            let (x, y) = (a.values[j], c.values[i]);
            assert!(x == y || (x.is_nan() && y.is_nan()), "{} on {dt}: {x} vs {y}", a.spec.id);
        }
    }
    let circ = &full.signals[0];
    assert!((circ.values.last().unwrap() - 166.7 / 870.25).abs() < 1e-12);
    assert!(full.charts.iter().any(|c| c.id == "network_deals"));
    assert!(full.charts.iter().any(|c| c.id == "network_claims"));
    assert!(full.charts.iter().any(|c| c.id == "network_required_revenue"));
    // no book: a note, no signal, no error
    let none = NetworkFamily.compute(&FamilyInputs::default()).unwrap();
    assert!(none.signals.is_empty() && !none.notes.is_empty());
}

/// `first_cycles` counts every cycle and keeps the first `limit`, in the order `each_cycle` streams them.
#[test]
fn first_cycles_counts_all_and_keeps_the_first() {
    use fissure_network::graph::DealGraph;
    use std::ops::ControlFlow;
    let b = book();
    let g = DealGraph::new(&b);
    let mut all = Vec::new();
    let s = g.each_cycle(None, |c| {
        all.push(c.nodes.clone());
        ControlFlow::Continue(())
    });
    let (search, first) = g.first_cycles(None, 5);
    assert_eq!((search.count, s.count, search.stopped), (17, 17, false));
    assert_eq!(first.iter().map(|c| c.nodes.clone()).collect::<Vec<_>>(), all[..5].to_vec());
    let (bounded, list) = g.first_cycles(Some(2), 100);
    assert_eq!(bounded.count as usize, list.len());
    assert!(list.iter().all(|c| c.nodes.len() <= 2));
}
