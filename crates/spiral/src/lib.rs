//! The liquidity-spiral simulator: how trend followers' stop-losses, margin spirals,
//! yen-carry unwinds and vol-targeting amplify a shock, and how much a loss grows
//! beyond the no-agent counterfactual on the same random numbers.
//!
//! - [`config`]: the TOML parameter file (cited defaults in `config/default.toml`);
//! - [`market`]: prices, σ (window and EWMA), covariance, ADV estimated from the data;
//! - [`shock`]: `ASSET=MOVE` shocks (returns, yield and BoJ moves);
//! - [`engine`]: one path — exogenous returns, agents' rules, square-root /
//!   Cont–Schaanning / linear impact, intra-day cascade rounds;
//! - [`montecarlo`]: paths in parallel (deterministic per seed), quantile bands,
//!   amplification, flows by agent class, forced sales;
//! - [`glt`]: the Greenwood–Landier–Thesmar (2015) closed form;
//! - [`replay`]: replays of 2024-08-05 and 2026-02-12 against the real day;
//! - [`scenario`]: a simulated path as dated returns for a portfolio stress test;
//! - [`signals`]: the report family (amplification of a standard shock, fan chart);
//! - [`speed_case`]: the synthetic market of the speed benchmarks.
//!
//! Method notes and calibration: `docs/spiral.md`.

#![allow(clippy::needless_range_loop)] // index loops mirror the per-asset formulas (structure of arrays)

pub mod config;
pub mod engine;
pub mod error;
pub mod glt;
pub mod json;
pub mod market;
pub mod montecarlo;
pub mod replay;
pub mod scenario;
pub mod shock;
pub mod signals;
pub mod speed_case;

pub use config::{AgentClass, SpiralConfig};
pub use error::SpiralError;
pub use market::Market;
pub use montecarlo::{
    simulate, simulate_maybe_baseline, simulate_path, simulate_with_baseline, Baseline, SimulationResult,
};
pub use scenario::SimulatedPath;
pub use shock::{parse_spec, Shock, ShockSpec};

pub type Result<T> = std::result::Result<T, SpiralError>;
