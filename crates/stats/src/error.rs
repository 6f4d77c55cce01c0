use thiserror::Error;

/// Errors of the numerical kernels.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StatsError {
    #[error("need at least {needed} observations, got {got}")]
    TooFewObservations { needed: usize, got: usize },
    #[error("dimension mismatch: {0}")]
    Dimension(String),
    #[error("matrix is singular or not positive definite: {0}")]
    Singular(String),
    #[error("optimisation did not converge: {0}")]
    NoConvergence(String),
    #[error("invalid argument: {0}")]
    Invalid(String),
}

impl StatsError {
    /// The same error with `what` (the fit or series it is about) prefixed to its message.
    pub fn context(self, what: &str) -> StatsError {
        match self {
            StatsError::Dimension(m) => StatsError::Dimension(format!("{what}: {m}")),
            StatsError::Singular(m) => StatsError::Singular(format!("{what}: {m}")),
            StatsError::NoConvergence(m) => StatsError::NoConvergence(format!("{what}: {m}")),
            StatsError::Invalid(m) => StatsError::Invalid(format!("{what}: {m}")),
            e @ StatsError::TooFewObservations { .. } => e,
        }
    }
}
