//! Liquidity and regime family: financial stress index, Markov-switching regimes,
//! rate and yen-carry sensitivity.

pub mod markov;
