use fissure_core::CoreError;
use fissure_stats::StatsError;
use thiserror::Error;

/// Errors of the market-structure family.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StructureError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error("missing input: {0}")]
    Missing(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, StructureError>;
