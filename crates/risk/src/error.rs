use thiserror::Error;

/// Errors of the portfolio-risk family. Each names the asset, file, window or parameter concerned.
#[derive(Debug, Error)]
pub enum RiskError {
    #[error("{what}: need at least {needed} observations, got {got}")]
    TooShort { what: String, needed: usize, got: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("unknown asset `{0}` (not in the store or the given files)")]
    UnknownAsset(String),
    /// One method of several failed (`method`: its name).
    #[error("{method} VaR of the portfolio")]
    Method {
        method: &'static str,
        #[source]
        source: Box<RiskError>,
    },
    #[error("portfolio weights sum to {total:.6} (with cash {cash:.6}), not 1; fix them or pass --normalise")]
    WeightsDoNotSumToOne { total: f64, cash: f64 },
    #[error("asset `{id}` has no price on or before {date}")]
    NoPrice { id: String, date: chrono::NaiveDate },
    #[error("asset `{id}` has no price on the as-of date {date} (last price {last_price} on {last_date}); give another as-of date or update the data")]
    StalePrice { id: String, date: chrono::NaiveDate, last_date: chrono::NaiveDate, last_price: f64 },
    #[error("{what}: {source}")]
    Stats { what: String, source: fissure_stats::StatsError },
    #[error(transparent)]
    Core(#[from] fissure_core::CoreError),
}

impl RiskError {
    pub(crate) fn stats(what: impl Into<String>) -> impl FnOnce(fissure_stats::StatsError) -> RiskError {
        let what = what.into();
        move |source| RiskError::Stats { what, source }
    }
}
