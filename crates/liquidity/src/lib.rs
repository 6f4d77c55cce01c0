//! Liquidity and regime family: financial stress index, Markov-switching regimes,
//! rate and yen-carry sensitivity.

pub mod carry;
pub mod error;
pub mod markov;
pub mod signals;
pub mod stress;

pub use error::{LiquidityError, Result};
