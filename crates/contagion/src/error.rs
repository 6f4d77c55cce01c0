use thiserror::Error;

/// Errors of the contagion family. Each names what it is about (series, window, date).
#[derive(Debug, Error)]
pub enum ContagionError {
    #[error("{what}: need at least {needed} observations, got {got}")]
    TooShort { what: String, needed: usize, got: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("{what} did not converge: {why}")]
    NoConvergence { what: String, why: String },
    /// A kernel error, reported inside the message (not as a source, so `{:#}` prints it once).
    #[error("{what}: {reason}")]
    Stats { what: String, reason: fissure_stats::StatsError },
    #[error(transparent)]
    Core(#[from] fissure_core::CoreError),
}

impl ContagionError {
    pub(crate) fn stats(what: impl Into<String>) -> impl FnOnce(fissure_stats::StatsError) -> ContagionError {
        let what = what.into();
        move |source| match source {
            fissure_stats::StatsError::NoConvergence(why) => ContagionError::NoConvergence { what, why },
            reason => ContagionError::Stats { what, reason },
        }
    }
}
