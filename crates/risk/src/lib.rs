//! Portfolio risk family: what the market's fragility means for *my* holdings.
//!
//! - [`portfolio`]: holdings (weights or quantities), cash and leverage, margins, base
//!   currency; the aligned return matrix.
//! - [`measures`]: VaR/ES estimators (historical type-7, Gaussian, Cornish–Fisher, EVT/GPD)
//!   with Euler allocation.
//! - [`fhs`]: filtered historical simulation (GARCH(1,1) per asset, DCC or constant correlation).
//! - [`var`]: the portfolio VaR/ES by method, level and horizon, by asset and by basket.
//! - [`backtest`]: rolling out-of-sample forecasts, Kupiec, Christoffersen, Basel traffic light,
//!   Acerbi–Székely Z2, FZ0 ranking.
//! - [`scenario`]: replay of named historical episodes and user windows, with proxies.
//! - [`shock`]: conditional shocks (full / stressed / Student-t copula) and the reverse stress test.
//! - [`cash`]: the cash buffer that avoids a margin call in each scenario.
//! - [`signals`]: the `portfolio` family of the report.

// index loops mirror the matrix formulas; `!(x > tol)` comparisons deliberately reject NaN too
#![allow(clippy::needless_range_loop, clippy::neg_cmp_op_on_partial_ord)]

pub mod backtest;
pub mod cash;
pub mod error;
pub mod fhs;
pub mod json;
pub mod measures;
pub mod portfolio;
pub mod scenario;
pub mod shock;
pub mod signals;
pub mod var;

pub use error::RiskError;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, RiskError>;
