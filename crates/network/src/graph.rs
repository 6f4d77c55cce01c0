//! The deal graph: firms as nodes, one edge per (payer, payee) pair carrying the
//! sum of the disclosed amounts of its deals (a petgraph `DiGraph`), and the
//! measures on it: strongly connected components, cycles with their bottleneck
//! and total amounts, the maximum circulation, round-trip revenue, counterparty
//! concentration and commitments relative to size.

use crate::circulation::{max_circulation, Circulation};
use crate::cycles::{simple_cycles, Csr, CycleSearch};
use crate::error::NetworkError;
use fissure_core::{DealBook, DealStatus};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// Weights by status for the status-weighted measures (a letter of intent counts
/// less than a completed deal). Defaults: completed 1, committed 0.9, announced 0.6,
/// reported 0.4, letter of intent 0.2.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StatusWeights {
    pub completed: f64,
    pub committed: f64,
    pub announced: f64,
    pub reported: f64,
    pub letter_of_intent: f64,
}

impl Default for StatusWeights {
    fn default() -> Self {
        StatusWeights { completed: 1.0, committed: 0.9, announced: 0.6, reported: 0.4, letter_of_intent: 0.2 }
    }
}

impl StatusWeights {
    pub fn weight(&self, s: DealStatus) -> f64 {
        match s {
            DealStatus::Completed => self.completed,
            DealStatus::Committed => self.committed,
            DealStatus::Announced => self.announced,
            DealStatus::Reported => self.reported,
            DealStatus::LetterOfIntent => self.letter_of_intent,
        }
    }

    /// Sets one weight (`status=weight`, weight in [0, 1]).
    pub fn set(&mut self, s: DealStatus, w: f64) -> Result<(), NetworkError> {
        if !(0.0..=1.0).contains(&w) {
            return Err(NetworkError::Invalid(format!("weight of {s} is {w}; expected a number in [0, 1]")));
        }
        match s {
            DealStatus::Completed => self.completed = w,
            DealStatus::Committed => self.committed = w,
            DealStatus::Announced => self.announced = w,
            DealStatus::Reported => self.reported = w,
            DealStatus::LetterOfIntent => self.letter_of_intent = w,
        }
        Ok(())
    }
}

/// One edge of the graph: every deal from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    pub from: usize,
    pub to: usize,
    /// Sum of the disclosed amounts (USD bn).
    pub amount_usd_bn: f64,
    /// Deals on this edge without a disclosed amount.
    pub undisclosed: usize,
    /// Indices into the book's deals.
    pub deals: Vec<usize>,
}

/// The deal graph of a book.
#[derive(Debug, Clone)]
pub struct DealGraph {
    pub book: DealBook,
    /// Node names (firm ids), sorted; node `i` of `graph` is `firms[i]`.
    pub firms: Vec<String>,
    pub graph: DiGraph<String, Flow>,
}

/// One cycle with its amounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleInfo {
    pub nodes: Vec<String>,
    /// Smallest edge amount on the cycle; `None` when an edge has no disclosed amount.
    pub bottleneck_usd_bn: Option<f64>,
    /// Sum of the disclosed edge amounts (a lower bound when `undisclosed_edges > 0`).
    pub total_usd_bn: f64,
    /// Edges of the cycle with no disclosed amount at all.
    pub undisclosed_edges: usize,
}

/// Round-trip revenue of one firm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundTrip {
    pub firm: String,
    /// Disclosed revenue-like inflows (chips, cloud, services bought from it).
    pub inflow_usd_bn: f64,
    /// Of which from firms it funded, directly or within `hops` hops.
    pub round_trip_usd_bn: f64,
    /// `round_trip / inflow`; `None` when no inflow amount is disclosed.
    pub share: Option<f64>,
    /// The same, status-weighted.
    pub weighted_inflow_usd_bn: f64,
    pub weighted_round_trip_usd_bn: f64,
    pub weighted_share: Option<f64>,
    /// Revenue-like inflows with no disclosed amount (all, and those from funded firms).
    pub undisclosed_inflows: usize,
    pub undisclosed_round_trip: usize,
    /// Funded firms whose purchases came back.
    pub via: Vec<String>,
}

/// Concentration of one payee's disclosed inflows over its payers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    pub firm: String,
    pub inflow_usd_bn: f64,
    /// Herfindahl–Hirschman index of payer shares, in (0, 1].
    pub hhi: f64,
    pub top_payer: String,
    pub top_share: f64,
    pub payers: usize,
    pub undisclosed_inflows: usize,
}

/// One payer's open commitments (not completed) against its size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commitments {
    pub firm: String,
    pub commitments_usd_bn: f64,
    pub undisclosed: usize,
    pub valuation_usd_bn: Option<f64>,
    /// `commitments / valuation`; `None` when the size is unknown.
    pub to_size: Option<f64>,
}

impl DealGraph {
    /// Builds the graph (firms of the firms table and of the deals).
    pub fn new(book: &DealBook) -> DealGraph {
        let mut names: Vec<String> = book.firms.iter().map(|f| f.firm.clone()).collect();
        for d in &book.deals {
            names.push(d.payer.clone());
            names.push(d.payee.clone());
        }
        names.sort();
        names.dedup();
        let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let mut graph = DiGraph::with_capacity(names.len(), book.deals.len());
        for n in &names {
            graph.add_node(n.clone());
        }
        let mut flows: BTreeMap<(usize, usize), Flow> = BTreeMap::new();
        for (k, d) in book.deals.iter().enumerate() {
            let (a, b) = (index[d.payer.as_str()], index[d.payee.as_str()]);
            let f = flows.entry((a, b)).or_insert(Flow {
                from: a,
                to: b,
                amount_usd_bn: 0.0,
                undisclosed: 0,
                deals: vec![],
            });
            match d.amount_usd_bn {
                Some(x) => f.amount_usd_bn += x,
                None => f.undisclosed += 1,
            }
            f.deals.push(k);
        }
        for ((a, b), f) in flows {
            graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), f);
        }
        DealGraph { book: book.clone(), firms: names, graph }
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn flows(&self) -> impl Iterator<Item = &Flow> {
        self.graph.edge_weights()
    }

    /// The adjacency for the cycle search.
    pub fn csr(&self) -> Csr {
        let e: Vec<(u32, u32)> = self.flows().map(|f| (f.from as u32, f.to as u32)).collect();
        Csr::from_edges(self.node_count(), &e)
    }

    /// Strongly connected components (petgraph's Tarjan), each sorted by name,
    /// largest first; singletons included.
    pub fn sccs(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .map(|c| {
                let mut v: Vec<String> = c.into_iter().map(|i| self.firms[i.index()].clone()).collect();
                v.sort();
                v
            })
            .collect();
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        out
    }

    fn flow(&self, a: usize, b: usize) -> Option<&Flow> {
        self.graph.find_edge(NodeIndex::new(a), NodeIndex::new(b)).map(|e| &self.graph[e])
    }

    /// The amounts of a cycle given by node indices.
    pub fn cycle_info(&self, cycle: &[u32]) -> CycleInfo {
        let mut bottleneck = f64::INFINITY;
        let mut total = 0.0;
        let mut undisclosed = 0;
        for (i, &a) in cycle.iter().enumerate() {
            let b = cycle[(i + 1) % cycle.len()];
            if let Some(f) = self.flow(a as usize, b as usize) {
                if f.deals.len() == f.undisclosed {
                    undisclosed += 1;
                } else {
                    bottleneck = bottleneck.min(f.amount_usd_bn);
                    total += f.amount_usd_bn;
                }
            }
        }
        CycleInfo {
            nodes: cycle.iter().map(|&i| self.firms[i as usize].clone()).collect(),
            bottleneck_usd_bn: (undisclosed == 0 && bottleneck.is_finite()).then_some(bottleneck),
            total_usd_bn: total,
            undisclosed_edges: undisclosed,
        }
    }

    /// Every elementary cycle (of at most `max_len` firms), streamed to `visit`.
    pub fn each_cycle<F>(&self, max_len: Option<usize>, mut visit: F) -> CycleSearch
    where
        F: FnMut(CycleInfo) -> ControlFlow<()>,
    {
        let g = self.csr();
        simple_cycles(&g, max_len, |c| visit(self.cycle_info(c)))
    }

    /// Counts every elementary cycle (of at most `max_len` firms) and keeps the first `limit` of them, in
    /// the search's order (the listing of `fissure network cycles`).
    pub fn first_cycles(&self, max_len: Option<usize>, limit: usize) -> (CycleSearch, Vec<CycleInfo>) {
        let mut list = Vec::new();
        let search = self.each_cycle(max_len, |c| {
            if list.len() < limit {
                list.push(c);
            }
            ControlFlow::Continue(())
        });
        (search, list)
    }

    /// Maximum circulation over the disclosed amounts.
    pub fn circulation(&self) -> Result<Circulation, NetworkError> {
        let e: Vec<(usize, usize, f64)> = self.flows().map(|f| (f.from, f.to, f.amount_usd_bn)).collect();
        max_circulation(self.node_count(), &e)
    }

    /// Round-trip revenue of every firm with revenue-like inflows: the share that
    /// comes from firms it funded (a funding deal from it, then up to `hops − 1`
    /// further flows of any kind). Status-weighted variant: each inflow counts
    /// `w(status) × strength`, the strength of a funding path being its weakest
    /// status weight (the best path counts).
    pub fn round_trip(&self, hops: usize, weights: &StatusWeights) -> Vec<RoundTrip> {
        let n = self.node_count();
        let idx: BTreeMap<&str, usize> = self.firms.iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect();
        let deals = &self.book.deals;
        let mut out = Vec::new();
        for x in 0..n {
            let inflows: Vec<&fissure_core::Deal> =
                deals.iter().filter(|d| idx[d.payee.as_str()] == x && d.kind.is_revenue()).collect();
            if inflows.is_empty() {
                continue;
            }
            // reach[v]: best status strength of a funding path x → … → v (0 = none); plain: any path
            let mut reach = vec![0.0f64; n];
            let mut plain = vec![false; n];
            for d in deals.iter().filter(|d| idx[d.payer.as_str()] == x && d.kind.is_funding()) {
                let v = idx[d.payee.as_str()];
                reach[v] = reach[v].max(weights.weight(d.status));
                plain[v] = true;
            }
            for _ in 1..hops {
                let (prev, prev_plain) = (reach.clone(), plain.clone());
                for d in deals {
                    let (u, v) = (idx[d.payer.as_str()], idx[d.payee.as_str()]);
                    if prev_plain[u] {
                        plain[v] = true;
                        reach[v] = reach[v].max(prev[u].min(weights.weight(d.status)));
                    }
                }
            }
            let mut rt = RoundTrip {
                firm: self.firms[x].clone(),
                inflow_usd_bn: 0.0,
                round_trip_usd_bn: 0.0,
                share: None,
                weighted_inflow_usd_bn: 0.0,
                weighted_round_trip_usd_bn: 0.0,
                weighted_share: None,
                undisclosed_inflows: 0,
                undisclosed_round_trip: 0,
                via: vec![],
            };
            for d in inflows {
                let p = idx[d.payer.as_str()];
                let funded = plain[p] && p != x;
                if funded && !rt.via.contains(&d.payer) {
                    rt.via.push(d.payer.clone());
                }
                let Some(a) = d.amount_usd_bn else {
                    rt.undisclosed_inflows += 1;
                    rt.undisclosed_round_trip += usize::from(funded);
                    continue;
                };
                let w = weights.weight(d.status);
                rt.inflow_usd_bn += a;
                rt.weighted_inflow_usd_bn += a * w;
                if funded {
                    rt.round_trip_usd_bn += a;
                    rt.weighted_round_trip_usd_bn += a * w * reach[p];
                }
            }
            rt.share = (rt.inflow_usd_bn > 0.0).then(|| rt.round_trip_usd_bn / rt.inflow_usd_bn);
            rt.weighted_share =
                (rt.weighted_inflow_usd_bn > 0.0).then(|| rt.weighted_round_trip_usd_bn / rt.weighted_inflow_usd_bn);
            rt.via.sort();
            out.push(rt);
        }
        out
    }

    /// Concentration of every payee's disclosed inflows (all kinds) over its payers.
    pub fn concentration(&self) -> Vec<Concentration> {
        let mut out = Vec::new();
        for (x, name) in self.firms.iter().enumerate() {
            let mut by_payer: BTreeMap<&str, f64> = BTreeMap::new();
            let mut undisclosed = 0;
            for f in self.flows().filter(|f| f.to == x) {
                undisclosed += f.undisclosed;
                if f.amount_usd_bn > 0.0 {
                    *by_payer.entry(self.firms[f.from].as_str()).or_default() += f.amount_usd_bn;
                }
            }
            let total: f64 = by_payer.values().sum();
            if total <= 0.0 {
                continue;
            }
            let hhi = by_payer.values().map(|v| (v / total).powi(2)).sum();
            let Some((top, amt)) = by_payer.iter().max_by(|a, b| a.1.total_cmp(b.1)) else { continue };
            out.push(Concentration {
                firm: name.clone(),
                inflow_usd_bn: total,
                hhi,
                top_payer: (*top).to_string(),
                top_share: amt / total,
                payers: by_payer.len(),
                undisclosed_inflows: undisclosed,
            });
        }
        out.sort_by(|a, b| b.top_share.total_cmp(&a.top_share).then(b.inflow_usd_bn.total_cmp(&a.inflow_usd_bn)));
        out
    }

    /// Each payer's open (not completed) commitments against its valuation.
    pub fn commitments(&self) -> Vec<Commitments> {
        let mut out = Vec::new();
        for name in &self.firms {
            let open: Vec<_> =
                self.book.deals.iter().filter(|d| &d.payer == name && d.status != DealStatus::Completed).collect();
            if open.is_empty() {
                continue;
            }
            // (+ 0.0: an empty f64 sum is −0.0)
            let amount: f64 = open.iter().filter_map(|d| d.amount_usd_bn).sum::<f64>() + 0.0;
            let undisclosed = open.iter().filter(|d| d.amount_usd_bn.is_none()).count();
            let disclosed = open.len() > undisclosed;
            let val = self.book.firm(name).and_then(|f| f.valuation_usd_bn).filter(|v| *v > 0.0);
            out.push(Commitments {
                firm: name.clone(),
                commitments_usd_bn: amount,
                undisclosed,
                valuation_usd_bn: val,
                to_size: val.filter(|_| disclosed).map(|v| amount / v),
            });
        }
        out.sort_by(|a, b| b.to_size.unwrap_or(-1.0).total_cmp(&a.to_size.unwrap_or(-1.0)).then(a.firm.cmp(&b.firm)));
        out
    }
}
