//! One module per command group.

pub mod bubble;
pub mod capex;
pub mod contagion;
pub mod export;
pub mod ingest;
pub mod liquidity;
pub mod list;
pub mod network;
pub mod regime;
pub mod report;
#[cfg(feature = "server")]
pub mod serve;
pub mod risk;
pub mod show;
pub mod structure;
#[cfg(feature = "server")]
pub mod token;
