//! Bubble family: the recursive right-tailed unit-root tests of Phillips, Shi & Yu (2015)
//! with Monte Carlo and wild-bootstrap critical values and date-stamping ([`psy`], [`cv`],
//! [`datestamp`]); the LPPLS model of Johansen–Ledoit–Sornette calibrated as in Filimonov &
//! Sornette (2013) with the FCO confidence indicator ([`lppls`], [`lppls_ci`]); valuation
//! stretch ([`valuation`]); signals for the report ([`signals`]).

// Index loops mirror the equations; `!(x > 0.0)` deliberately treats NaN as failure.
#![allow(clippy::needless_range_loop, clippy::neg_cmp_op_on_partial_ord)]

pub mod analyse;
pub mod cv;
pub mod datestamp;
pub mod error;
pub mod lppls;
pub mod lppls_ci;
pub mod lppls_plan;
pub mod psy;
pub mod psy_plan;
pub mod signals;
pub mod valuation;

pub use error::BubbleError;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, BubbleError>;
