//! Markov-switching regressions and autoregressions (Hamilton 1989, *Econometrica*
//! 57(2):357–384): Hamilton filter, Kim (1994, *J. Econometrics* 60:1–22) smoother,
//! EM + BFGS maximum likelihood with several starts, expected durations and
//! standard errors. The parameterisation and the likelihood replicate statsmodels'
//! `MarkovRegression` / `MarkovAutoregression` (conditioning on the first p
//! observations, ergodic initial regime probabilities), so log-likelihoods,
//! parameters and probabilities can be compared one to one.
//!
//! The numerics here are finance-free; they live in this crate because the
//! liquidity family is their only user (move to `fissure-stats` if another
//! family needs them).

mod fit;
mod model;

pub use fit::{FitOptions, MsFit};
pub use model::{steady_state, FilterOutput, MarkovSwitching, MsSpec, SmoothOutput, Structured};

use thiserror::Error;

/// Errors of the Markov-switching models.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MarkovError {
    #[error("model specification: {0}")]
    Spec(String),
    #[error("need at least {needed} observations, got {got}")]
    TooShort { needed: usize, got: usize },
    #[error("data: {0}")]
    Data(String),
    #[error("numerical failure: {0}")]
    Numerical(String),
}
