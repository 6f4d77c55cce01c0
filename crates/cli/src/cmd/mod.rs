//! One module per command group.

pub mod bubble;
pub mod contagion;
pub mod export;
pub mod ingest;
pub mod liquidity;
pub mod list;
pub mod regime;
pub mod report;
pub mod show;
pub mod simulate;
pub mod structure;
