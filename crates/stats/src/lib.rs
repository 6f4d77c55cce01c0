//! Numerical kernels with no finance words, shared by every signal family:
//! descriptive statistics and quantiles, dense linear algebra (OLS, symmetric
//! eigen), seeded random numbers, GARCH(1,1) and DCC(1,1) volatility/correlation
//! models (used by the contagion and the portfolio-risk families). A fix or a speed-up here lands everywhere.
//!
//! Add a kernel as its own module; check this list first so each one exists once.

pub mod dcc;
pub mod describe;
pub mod error;
pub mod fastmath;
pub mod garch;
pub mod linalg;
pub mod optim;
pub mod rng;
pub mod rolling_ols;
pub mod tol;
pub mod var;

pub use error::StatsError;

pub type Result<T> = std::result::Result<T, StatsError>;
