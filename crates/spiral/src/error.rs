//! Typed errors of the spiral simulator.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum SpiralError {
    #[error("parameters: {0}")]
    Params(String),
    #[error("parameter file {file}: {msg}")]
    ParamFile { file: String, msg: String },
    #[error("reading {file}: {msg}")]
    Read { file: String, msg: String },
    #[error(
        "series {0} is needed by the simulator but was not given (ingest it or drop the asset from the parameter file)"
    )]
    MissingSeries(String),
    #[error("series {id}: {msg}")]
    Data { id: String, msg: String },
    #[error("unknown agent class {0:?} (cta, vol_target, margin, carry, liquidity, leverage, all)")]
    UnknownClass(String),
    #[error("unknown asset {0:?} (known: {1})")]
    UnknownAsset(String, String),
    #[error("shock {spec:?}: {msg}")]
    Shock { spec: String, msg: String },
    #[error("replay {date}: {msg}")]
    Replay { date: String, msg: String },
    #[error("covariance of the assets' returns is not positive definite (collinear or constant series); use exogenous = \"bootstrap\"")]
    NotPositiveDefinite,
}
