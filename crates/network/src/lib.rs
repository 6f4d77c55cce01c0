//! The AI capital loop as a network: who funds whom, whose spending becomes
//! whose revenue, what happens to the others when one firm cannot pay, and how
//! far capital spending runs ahead of the revenue that would justify it.
//!
//! - [`cycles`]: strongly connected components (Tarjan) and elementary cycles
//!   (Johnson 1975; exact length-bounded search), streamed;
//! - [`circulation`]: the maximum circulation (min-cost circulation by cycle cancelling);
//! - [`graph`]: the deal graph (petgraph) and its measures — cycles with amounts,
//!   round-trip revenue (plain and status-weighted), counterparty concentration,
//!   commitments relative to size;
//! - [`summary`]: everything at once, and the graph over time (quarters);
//! - [`stress`]: DebtRank (Battiston et al. 2012) and linear DebtRank (Bardoscia et
//!   al. 2015); Eisenberg–Noe (2001) clearing with Rogers–Veraart (2013) default costs;
//! - [`capex`]: capex intensity, required revenue (straight-line and annuity), sensitivity
//!   and break-even assumptions; [`claims`]: the check of every commentary claim;
//! - [`signals`]: the report family (`NetworkFamily`).
//!
//! Details and references: `docs/network.md`.

pub mod capex;
pub mod circulation;
pub mod claims;
pub mod cycles;
pub mod error;
pub mod graph;
pub mod json;
pub mod signals;
pub mod stress;
pub mod summary;

pub use error::NetworkError;
pub use graph::{DealGraph, StatusWeights};
