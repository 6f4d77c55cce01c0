//! One module per command group.

pub mod bubble;
pub mod export;
pub mod ingest;
pub mod list;
pub mod show;
