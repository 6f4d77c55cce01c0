use thiserror::Error;

/// Errors of the bubble family.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BubbleError {
    #[error("need at least {needed} observations, got {got}")]
    TooShort { needed: usize, got: usize },
    #[error("non-finite value at index {index}")]
    NonFinite { index: usize },
    #[error("non-positive value {value} at index {index}; a log transform needs values > 0")]
    NonPositive { index: usize, value: f64 },
    /// The input cannot give a meaningful statistic (a series that does not move, every window flat).
    #[error("{0}")]
    Degenerate(String),
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("length mismatch: {0}")]
    Length(String),
    #[error(transparent)]
    Core(#[from] fissure_core::CoreError),
    #[error(transparent)]
    Stats(#[from] fissure_stats::StatsError),
}
