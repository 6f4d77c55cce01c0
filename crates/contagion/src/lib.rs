//! Contagion and crowding family: how tightly markets are coupled, who transmits
//! shocks to whom, and when diversification stops working.
//!
//! - [`corr`]: rolling and EWMA (RiskMetrics) correlation matrices, baskets as
//!   equal-weight indices, basket-vs-basket correlation with Fisher-z bands.
//! - [`garch`]: univariate GARCH(1,1) (normal / Student-t, GJR) by ML with robust SEs
//!   (implemented in `fissure_stats::garch`, re-exported).
//! - [`dcc`]: DCC(1,1) (Engle 2002) by the two-step method (`fissure_stats::dcc`, re-exported).
//! - [`absorption`]: absorption ratio (Kritzman, Li, Page & Rigobon 2011) and ΔAR.
//! - [`turbulence`]: financial turbulence (Kritzman & Li 2010) with the
//!   magnitude / correlation-surprise split (Kinlaw & Turkington 2014).
//! - [`spillover`]: Diebold–Yilmaz connectedness (2009 Cholesky, 2012 generalized),
//!   rolling in parallel with incremental cross-products.
//! - [`cocrash`]: cross-asset co-crash (simultaneous large decline) detector.
//! - [`crowding`]: basket correlation/dispersion and positioning percentiles.
//! - [`signals`]: the family's signals for the report, real-time safe.

#![allow(clippy::needless_range_loop)] // index loops mirror the matrix formulas

pub mod absorption;
pub mod cocrash;
pub mod corr;
pub mod crowding;
pub mod error;
pub mod json;
pub mod panel;
pub mod signals;
pub mod spillover;
pub mod turbulence;

pub use error::ContagionError;
/// GARCH(1,1) and DCC(1,1) live in `fissure-stats` (shared with the portfolio-risk family);
/// re-exported here so `fissure_contagion::{garch, dcc}` keep working.
pub use fissure_stats::{dcc, garch};

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, ContagionError>;
