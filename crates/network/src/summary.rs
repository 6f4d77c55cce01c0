//! The whole network at once (`fissure network summary`) and over time (quarters).

use crate::error::NetworkError;
use crate::graph::{Commitments, Concentration, CycleInfo, DealGraph, RoundTrip, StatusWeights};
use chrono::{Datelike, NaiveDate};
use fissure_core::DealBook;
use serde::Serialize;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// Options of the summary.
#[derive(Debug, Clone, Copy)]
pub struct SummaryParams {
    /// Hops of the round-trip search (1 = direct).
    pub hops: usize,
    /// Longest cycle listed (firms); `None` = every cycle.
    pub max_len: Option<usize>,
    /// At most this many cycles are listed (all are counted).
    pub max_listed: usize,
    pub weights: StatusWeights,
}

impl Default for SummaryParams {
    fn default() -> Self {
        SummaryParams { hops: 3, max_len: None, max_listed: 1000, weights: StatusWeights::default() }
    }
}

/// The maximum circulation in JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CirculationSummary {
    pub amount_usd_bn: f64,
    /// Share of all disclosed flows; `None` when nothing is disclosed.
    pub share: Option<f64>,
    pub total_flows_usd_bn: f64,
}

/// `fissure network summary`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub nodes: usize,
    pub edges: usize,
    pub deals: usize,
    pub undisclosed_deals: usize,
    /// Components with at least two firms, largest first.
    pub sccs: Vec<Vec<String>>,
    pub circulation: CirculationSummary,
    pub cycle_count: u64,
    pub cycles: Vec<CycleInfo>,
    pub round_trip: Vec<RoundTrip>,
    pub concentration: Vec<Concentration>,
    pub commitments: Vec<Commitments>,
    pub hops: usize,
    pub status_weights: StatusWeights,
}

/// Summarises a book.
pub fn summarize(book: &DealBook, p: &SummaryParams) -> Result<Summary, NetworkError> {
    if book.deals.is_empty() {
        return Err(NetworkError::Missing("the deal book has no deals (as of the date asked)".into()));
    }
    if p.hops == 0 {
        return Err(NetworkError::Invalid("hops must be at least 1".into()));
    }
    let g = DealGraph::new(book);
    let circ = g.circulation()?;
    let (search, mut cycles) = g.first_cycles(p.max_len, p.max_listed);
    cycles.sort_by(|a, b| {
        b.total_usd_bn.total_cmp(&a.total_usd_bn).then(a.nodes.len().cmp(&b.nodes.len())).then(a.nodes.cmp(&b.nodes))
    });
    Ok(Summary {
        nodes: g.node_count(),
        edges: g.edge_count(),
        deals: book.deals.len(),
        undisclosed_deals: book.deals.iter().filter(|d| d.amount_usd_bn.is_none()).count(),
        sccs: g.sccs().into_iter().filter(|c| c.len() > 1).collect(),
        circulation: CirculationSummary {
            amount_usd_bn: circ.amount,
            share: circ.share,
            total_flows_usd_bn: circ.total,
        },
        cycle_count: search.count,
        cycles,
        round_trip: g.round_trip(p.hops, &p.weights),
        concentration: g.concentration(),
        commitments: g.commitments(),
        hops: p.hops,
        status_weights: p.weights,
    })
}

/// One quarter of the graph's history: the graph as known at the quarter's end.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterRow {
    /// `2025Q3`.
    pub quarter: String,
    pub end: NaiveDate,
    pub deals: usize,
    /// Disclosed amounts of the deals dated in the quarter.
    pub new_flows_usd_bn: f64,
    /// All disclosed flows known at the quarter's end.
    pub total_flows_usd_bn: f64,
    pub circulation_usd_bn: f64,
    pub circular_share: Option<f64>,
    pub cycles: u64,
    /// Cycles that did not exist at the previous quarter's end.
    pub new_cycles: Vec<Vec<String>>,
}

fn quarter_end(d: NaiveDate) -> NaiveDate {
    let q = (d.month0() / 3 + 1) * 3;
    let (y, m) = if q == 12 { (d.year() + 1, 1) } else { (d.year(), q + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|x| x.pred_opt()).unwrap_or(d)
}

/// The graph at every quarter end from the first deal's quarter to `until`'s
/// (each quarter sees only the deals dated and known by its end).
pub fn timeline(book: &DealBook, until: NaiveDate, max_len: Option<usize>) -> Result<Vec<QuarterRow>, NetworkError> {
    let Some(first) = book.deals.iter().map(|d| d.date).min() else {
        return Err(NetworkError::Missing("the deal book has no deals".into()));
    };
    let mut out = Vec::new();
    let mut prev: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut end = quarter_end(first);
    let last = quarter_end(until);
    while end <= last {
        let cut = end.min(until);
        let b = book.as_of(cut);
        let start = quarter_end(end - chrono::Days::new(100));
        let g = DealGraph::new(&b);
        let circ = g.circulation()?;
        let mut now = BTreeSet::new();
        let search = g.each_cycle(max_len, |c| {
            now.insert(c.nodes);
            ControlFlow::Continue(())
        });
        let canon = |c: &Vec<String>| {
            let pos = c.iter().enumerate().min_by(|a, b| a.1.cmp(b.1)).map_or(0, |(i, _)| i);
            c[pos..].iter().chain(&c[..pos]).cloned().collect::<Vec<String>>()
        };
        let now: BTreeSet<Vec<String>> = now.iter().map(canon).collect();
        out.push(QuarterRow {
            quarter: format!("{}Q{}", end.year(), end.month0() / 3 + 1),
            end: cut,
            deals: b.deals.len(),
            new_flows_usd_bn: b.deals.iter().filter(|d| d.date > start).filter_map(|d| d.amount_usd_bn).sum::<f64>()
                + 0.0,
            total_flows_usd_bn: circ.total,
            circulation_usd_bn: circ.amount,
            circular_share: circ.share,
            cycles: search.count,
            new_cycles: now.difference(&prev).cloned().collect(),
        });
        prev = now;
        end = quarter_end(end + chrono::Days::new(1));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_ends() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(quarter_end(d("2025-01-01")), d("2025-03-31"));
        assert_eq!(quarter_end(d("2025-09-30")), d("2025-09-30"));
        assert_eq!(quarter_end(d("2025-11-18")), d("2025-12-31"));
    }
}
