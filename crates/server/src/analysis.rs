//! The stress-test and network endpoints: a portfolio or a set of shocks in, the
//! analysis's JSON out (`POST risk/var`, `POST risk/scenarios`, `GET network/summary`,
//! `POST network/debtrank`).
//!
//! The server validates the request (400 naming the field), checks the ids it can
//! against the store (an unknown asset → 400 `unknown_id`; an unknown deal book →
//! 404), and hands a typed [`Analysis`] to the [`Engine`](crate::Engine). The binary's
//! engine runs the CLI's own command (`fissure risk var …`), so the JSON is the CLI's
//! `--json` output, key for key. At most [`ANALYSIS_CONCURRENCY`] analyses run at once
//! (they use whole cores); the others wait (within the request timeout).

use crate::api::Q;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Analyses running at once (each can use every core).
pub const ANALYSIS_CONCURRENCY: usize = 2;
/// Largest request body of an analysis endpoint.
pub const ANALYSIS_BODY_LIMIT: usize = 64 * 1024;
/// Most holdings, scenarios, shocks or sizes in one request.
pub const MAX_ITEMS: usize = 200;
/// Most simulated paths a request may ask for (the CLI allows more; the server bounds the work).
pub const MAX_SIMS: u32 = 100_000;

/// VaR/ES methods (`all` runs every one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum VarMethod {
    Historical,
    Gaussian,
    CornishFisher,
    Fhs,
    Evt,
    All,
}

impl VarMethod {
    /// The CLI's spelling (`--method`).
    pub fn as_str(self) -> &'static str {
        match self {
            VarMethod::Historical => "historical",
            VarMethod::Gaussian => "gaussian",
            VarMethod::CornishFisher => "cornish-fisher",
            VarMethod::Fhs => "fhs",
            VarMethod::Evt => "evt",
            VarMethod::All => "all",
        }
    }
}

/// Correlation model of filtered historical simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Correlation {
    Dcc,
    Constant,
}

impl Correlation {
    pub fn as_str(self) -> &'static str {
        match self {
            Correlation::Dcc => "dcc",
            Correlation::Constant => "constant",
        }
    }
}

/// `POST /api/v1/risk/var`: as `fissure risk var --weights … --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VarRequest {
    /// Weights of equity by stored series id, e.g. `{"SPX": 0.6, "GOLD": 0.4}` (holdings listed in id order).
    pub weights: BTreeMap<String, f64>,
    /// Cash as a share of equity (negative = borrowed); default 0.
    pub cash: Option<f64>,
    /// Scale the weights so that weights + cash = 1 (otherwise such a portfolio is refused).
    pub normalise: Option<bool>,
    /// Valuation date (YYYY-MM-DD); default: the latest date of the holdings' data.
    pub as_of: Option<NaiveDate>,
    /// Confidence level α in (0.5, 1); default 0.99.
    pub level: Option<f64>,
    /// Horizon in trading days, 1..=250; default 1.
    pub horizon: Option<u16>,
    /// Method; default `historical`.
    pub method: Option<VarMethod>,
    /// Days of history used (0 = all, else at least 250); default 1000.
    pub lookback: Option<u32>,
    /// EVT: share of the losses above the GPD threshold, in (0, 0.5); default 0.1.
    pub evt_tail: Option<f64>,
    /// FHS: simulated paths, 100..=100000; default 10000.
    pub sims: Option<u32>,
    /// FHS: correlation model; default `dcc`.
    pub corr: Option<Correlation>,
    /// Seed of every random draw; default 42.
    pub seed: Option<u64>,
}

/// `POST /api/v1/risk/scenarios`: as `fissure risk scenarios --weights … --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenariosRequest {
    /// Weights of equity by stored series id (holdings listed in id order).
    pub weights: BTreeMap<String, f64>,
    /// Cash as a share of equity (negative = borrowed); default 0.
    pub cash: Option<f64>,
    /// Scale the weights so that weights + cash = 1.
    pub normalise: Option<bool>,
    /// Valuation date (YYYY-MM-DD); default: the latest date of the holdings' data.
    pub as_of: Option<NaiveDate>,
    /// Built-in episode names, `FROM:TO` windows or single dates; default: every built-in episode
    /// plus the co-crash days.
    pub scenarios: Option<Vec<String>>,
    /// Do not add the co-crash days flagged by the contagion detector.
    pub no_cocrash: Option<bool>,
    /// Include each scenario's P&L path.
    pub paths: Option<bool>,
}

/// `GET /api/v1/network/summary`: as `fissure network summary --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// Stored deal book; default `ai`.
    pub book: Option<String>,
    /// The network as it was known on this date (YYYY-MM-DD).
    pub as_of: Option<NaiveDate>,
    /// Store revision of the book (>= 1); default: the current one.
    pub revision: Option<u32>,
    /// Round-trip search depth, 1..=10; default 3.
    pub hops: Option<u32>,
    /// Longest cycle listed (firms, >= 2); default: all.
    pub max_len: Option<u32>,
}

/// `POST /api/v1/network/debtrank`: as `fissure network debtrank --shock … --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DebtRankRequest {
    /// Initial relative equity loss by firm, each in [0, 1], e.g. `{"OPENAI": 0.5}`.
    pub shocks: BTreeMap<String, f64>,
    /// Linear DebtRank (Bardoscia et al. 2015) instead of the original once-only rule.
    pub linear: Option<bool>,
    /// Size in USD bn for firms whose size is unknown (or to override it); each > 0.
    pub sizes: Option<BTreeMap<String, f64>>,
    /// Stored deal book; default `ai`.
    pub book: Option<String>,
    /// The network as it was known on this date (YYYY-MM-DD).
    pub as_of: Option<NaiveDate>,
    /// Store revision of the book (>= 1).
    pub revision: Option<u32>,
}

/// A validated analysis request, for the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Analysis {
    RiskVar(VarRequest),
    RiskScenarios(ScenariosRequest),
    NetworkSummary(SummaryQuery),
    NetworkDebtRank(DebtRankRequest),
}

/// Why the engine refused or failed an analysis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// A parameter is out of range or malformed (400).
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// An asset, firm or book the request names does not exist (400 `unknown_id`, naming the field).
    #[error("{field}: {detail}")]
    UnknownId { field: String, detail: String },
    /// The analysis refused the input as given (too little history, no price on the date,
    /// weights that do not sum to one, …) (422).
    #[error("{0}")]
    Refused(String),
    /// Anything else: the store could not be read, … (500).
    #[error("{0}")]
    Internal(String),
}

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> ApiError {
        match e {
            AnalysisError::Invalid { field, detail } => {
                ApiError::bad_request(format!("{field}: {detail}")).field(field)
            }
            AnalysisError::UnknownId { field, detail } => {
                ApiError::new(StatusCode::BAD_REQUEST, "unknown_id", format!("{field}: {detail}")).field(field)
            }
            AnalysisError::Refused(d) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", d),
            AnalysisError::Internal(d) => ApiError::internal(d),
        }
    }
}

fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ApiError {
    AnalysisError::Invalid { field: field.into(), detail: detail.into() }.into()
}

/// An id as the CLI's `ID=VALUE` lists take it: 1–64 characters, no `,`, `=`, space or control.
fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.chars().count() > 64 {
        return Err(invalid(field, "an id has 1 to 64 characters"));
    }
    if let Some(c) = id.chars().find(|c| *c == ',' || *c == '=' || c.is_whitespace() || c.is_control()) {
        return Err(invalid(field, format!("id `{}` contains {c:?}", id.escape_debug())));
    }
    Ok(())
}

fn check_map(field: &str, map: &BTreeMap<String, f64>, ok: impl Fn(f64) -> bool, range: &str) -> Result<(), ApiError> {
    if map.is_empty() {
        return Err(invalid(field, "must name at least one id"));
    }
    if map.len() > MAX_ITEMS {
        return Err(invalid(field, format!("{} entries; at most {MAX_ITEMS}", map.len())));
    }
    for (id, v) in map {
        check_id(&format!("{field}.{id}"), id)?;
        if !v.is_finite() || !ok(*v) {
            return Err(invalid(format!("{field}.{id}"), format!("{v} is not {range}")));
        }
    }
    Ok(())
}

fn check_range<T: PartialOrd + std::fmt::Display + Copy>(
    field: &str,
    v: Option<T>,
    ok: impl Fn(T) -> bool,
    range: &str,
) -> Result<(), ApiError> {
    match v {
        Some(x) if !ok(x) => Err(invalid(field, format!("{x} is not {range}"))),
        _ => Ok(()),
    }
}

fn check_f64(field: &str, v: Option<f64>, ok: impl Fn(f64) -> bool, range: &str) -> Result<(), ApiError> {
    check_range(field, v, |x: f64| x.is_finite() && ok(x), range)
}

impl VarRequest {
    /// Range checks (the CLI's, with the server's cap on `sims`).
    pub fn validate(&self) -> Result<(), ApiError> {
        check_map("weights", &self.weights, |_| true, "a finite number")?;
        check_f64("cash", self.cash, |_| true, "a finite number")?;
        check_f64("level", self.level, |x| x > 0.5 && x < 1.0, "in (0.5, 1)")?;
        check_range("horizon", self.horizon, |h| (1..=250).contains(&h), "in 1..=250")?;
        check_range(
            "lookback",
            self.lookback,
            |l| l == 0 || (250..=100_000).contains(&l),
            "0 (all) or in 250..=100000",
        )?;
        check_f64("evt_tail", self.evt_tail, |x| x > 0.0 && x < 0.5, "in (0, 0.5)")?;
        check_range("sims", self.sims, |s| (100..=MAX_SIMS).contains(&s), "in 100..=100000")
    }
}

impl ScenariosRequest {
    pub fn validate(&self) -> Result<(), ApiError> {
        check_map("weights", &self.weights, |_| true, "a finite number")?;
        check_f64("cash", self.cash, |_| true, "a finite number")?;
        let list = self.scenarios.as_deref().unwrap_or_default();
        if list.len() > MAX_ITEMS {
            return Err(invalid("scenarios", format!("{} entries; at most {MAX_ITEMS}", list.len())));
        }
        for (i, s) in list.iter().enumerate() {
            if s.trim().is_empty() || s.chars().count() > 64 || s.chars().any(char::is_control) {
                return Err(invalid(
                    format!("scenarios[{i}]"),
                    "a scenario is a built-in name, FROM:TO or a date (1 to 64 printable characters)",
                ));
            }
        }
        Ok(())
    }
}

fn check_book(book: Option<&str>, revision: Option<u32>) -> Result<(), ApiError> {
    if let Some(b) = book {
        check_id("book", b)?;
    }
    check_range("revision", revision, |r| r >= 1, ">= 1")
}

impl SummaryQuery {
    pub fn validate(&self) -> Result<(), ApiError> {
        check_book(self.book.as_deref(), self.revision)?;
        check_range("hops", self.hops, |h| (1..=10).contains(&h), "in 1..=10")?;
        check_range("max_len", self.max_len, |k| k >= 2, ">= 2 (a cycle needs two firms)")
    }
}

impl DebtRankRequest {
    pub fn validate(&self) -> Result<(), ApiError> {
        check_map("shocks", &self.shocks, |x| (0.0..=1.0).contains(&x), "in [0, 1]")?;
        if let Some(s) = &self.sizes {
            if !s.is_empty() {
                check_map("sizes", s, |x| x > 0.0, "> 0 (USD bn)")?;
            }
        }
        check_book(self.book.as_deref(), self.revision)
    }
}

/// A JSON body, with 400 (naming the field serde could not read), 413 and 415 as JSON errors.
fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    match b {
        Ok(Json(v)) => Ok(v),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(ApiError::too_large(format!("the request body is larger than {} KiB", ANALYSIS_BODY_LIMIT / 1024)))
        }
        Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the request as JSON (`Content-Type: application/json`)",
        )),
        Err(e) => Err(ApiError::bad_request(format!("malformed JSON body: {}", e.body_text()))),
    }
}

/// Series ids the store does not hold → 400 `unknown_id` naming the field.
async fn check_series(st: &Arc<AppState>, weights: &BTreeMap<String, f64>) -> Result<(), ApiError> {
    let ids: Vec<String> = weights.keys().cloned().collect();
    let st = st.clone();
    let missing = tokio::task::spawn_blocking(move || {
        st.pool.with(|s| ids.into_iter().filter(|id| s.meta(id).is_err()).collect::<Vec<_>>())
    })
    .await
    .map_err(|e| ApiError::internal(format!("task stopped: {e}")))?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    match missing.first() {
        None => Ok(()),
        Some(id) => Err(AnalysisError::UnknownId {
            field: format!("weights.{id}"),
            detail: format!("no series `{id}` in the store (see GET /api/v1/series)"),
        }
        .into()),
    }
}

/// An unknown deal book → 404.
async fn check_book_stored(st: &Arc<AppState>, book: Option<&str>) -> Result<(), ApiError> {
    let name = book.unwrap_or("ai").to_string();
    let st = st.clone();
    let n2 = name.clone();
    let books = tokio::task::spawn_blocking(move || st.pool.with(|s| s.list_books()))
        .await
        .map_err(|e| ApiError::internal(format!("task stopped: {e}")))?
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(e.to_string()))?;
    if books.iter().any(|b| b.book == n2) {
        Ok(())
    } else {
        let known: Vec<&str> = books.iter().map(|b| b.book.as_str()).collect();
        Err(ApiError::not_found(format!("no deal book `{name}` in the store (stored: {})", known.join(", "))))
    }
}

/// Runs a validated analysis on a blocking thread, at most [`ANALYSIS_CONCURRENCY`] at once.
pub async fn run(st: &Arc<AppState>, a: Analysis) -> Result<Response, ApiError> {
    let _permit = st.analyses.acquire().await.map_err(|_| ApiError::unavailable("the server is shutting down", 5))?;
    let engine = st.engine.clone();
    let v = tokio::task::spawn_blocking(move || engine.analysis(&a))
        .await
        .map_err(|e| ApiError::internal(format!("analysis stopped: {e}")))??;
    let bytes = serde_json::to_vec(&v).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], Bytes::from(bytes)).into_response())
}

type St = State<Arc<AppState>>;

#[utoipa::path(post, path = "/api/v1/risk/var", tag = "risk",
    request_body(content = VarRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Exactly `fissure risk var --json`: one method gives its result (`method`, `level`, `horizon`, `scaling`, `var`, `es`, `components` (Euler contributions by asset), `baskets`, …) with `portfolio`; `method: all` gives `{portfolio, results: [...]}`", body = Object),
        (status = 400, description = "Malformed JSON, unknown field, parameter out of range, or an asset not in the store (`unknown_id`); `field` names it", body = ErrorBody),
        (status = 413, description = "Body larger than 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "The analysis refused the portfolio (too little common history, no price on the as-of date, weights + cash not 1 without `normalise`, …)", body = ErrorBody)))]
pub async fn risk_var(State(st): St, b: Result<Json<VarRequest>, JsonRejection>) -> Result<Response, ApiError> {
    let r = body(b)?;
    r.validate()?;
    check_series(&st, &r.weights).await?;
    run(&st, Analysis::RiskVar(r)).await
}

#[utoipa::path(post, path = "/api/v1/risk/scenarios", tag = "risk",
    request_body(content = ScenariosRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Exactly `fissure risk scenarios --json`: `portfolio`, `scenarios` [{name, start, end, pnl_pct, worst_pct, worst_date, contributions, proxies, path?}], `skipped` (episodes without data, with the reason)", body = Object),
        (status = 400, description = "Malformed JSON, unknown field, bad value, or an asset not in the store (`unknown_id`)", body = ErrorBody),
        (status = 413, description = "Body larger than 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "The replay refused the input (unknown scenario name, a named window without data, …)", body = ErrorBody)))]
pub async fn risk_scenarios(
    State(st): St,
    b: Result<Json<ScenariosRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let r = body(b)?;
    r.validate()?;
    check_series(&st, &r.weights).await?;
    run(&st, Analysis::RiskScenarios(r)).await
}

#[utoipa::path(get, path = "/api/v1/network/summary", tag = "network",
    params(SummaryQuery),
    responses(
        (status = 200, description = "Exactly `fissure network summary --json`: nodes, edges, sccs, circulation, cycles, round_trip, concentration, commitments", body = Object),
        (status = 400, description = "Malformed query or parameter out of range", body = ErrorBody),
        (status = 404, description = "No such deal book in the store", body = ErrorBody),
        (status = 422, description = "The analysis refused the book (e.g. an unknown revision)", body = ErrorBody)))]
pub async fn network_summary(State(st): St, Q(q): Q<SummaryQuery>) -> Result<Response, ApiError> {
    q.validate()?;
    check_book_stored(&st, q.book.as_deref()).await?;
    run(&st, Analysis::NetworkSummary(q)).await
}

#[utoipa::path(post, path = "/api/v1/network/debtrank", tag = "network",
    request_body(content = DebtRankRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Exactly `fissure network debtrank --json`: variant, shocks, debtrank, h (firm → relative equity loss), rounds, converged, equity_loss_usd_bn, initial_loss_usd_bn, defaults, price_shocks, unknown_size", body = Object),
        (status = 400, description = "Malformed JSON, unknown field, a loss outside [0, 1], or a firm not in the network (`unknown_id`)", body = ErrorBody),
        (status = 404, description = "No such deal book in the store", body = ErrorBody),
        (status = 413, description = "Body larger than 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "The analysis refused the input", body = ErrorBody)))]
pub async fn network_debtrank(
    State(st): St,
    b: Result<Json<DebtRankRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let r = body(b)?;
    r.validate()?;
    check_book_stored(&st, r.book.as_deref()).await?;
    run(&st, Analysis::NetworkDebtRank(r)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(j: &str) -> VarRequest {
        serde_json::from_str(j).unwrap()
    }

    fn field_of(e: ApiError) -> (StatusCode, Option<String>) {
        (e.status, e.field)
    }

    #[test]
    fn var_ranges_name_the_field() {
        assert!(var(r#"{"weights":{"SPX":1}}"#).validate().is_ok());
        for (body, field) in [
            (r#"{"weights":{}}"#, "weights"),
            (r#"{"weights":{"SPX":1},"level":0.5}"#, "level"),
            (r#"{"weights":{"SPX":1},"level":1.0}"#, "level"),
            (r#"{"weights":{"SPX":1},"horizon":0}"#, "horizon"),
            (r#"{"weights":{"SPX":1},"horizon":251}"#, "horizon"),
            (r#"{"weights":{"SPX":1},"lookback":100}"#, "lookback"),
            (r#"{"weights":{"SPX":1},"sims":99}"#, "sims"),
            (r#"{"weights":{"SPX":1},"sims":100001}"#, "sims"),
            (r#"{"weights":{"SPX":1},"evt_tail":0.5}"#, "evt_tail"),
            (r#"{"weights":{"S,PX":1}}"#, "weights.S,PX"),
            (r#"{"weights":{"A=B":1}}"#, "weights.A=B"),
            (r#"{"weights":{"":1}}"#, "weights."),
        ] {
            let (status, f) = field_of(var(body).validate().unwrap_err());
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(f.as_deref(), Some(field), "{body}");
        }
        assert!(var(r#"{"weights":{"SPX":1},"lookback":0}"#).validate().is_ok());
    }

    #[test]
    fn unknown_fields_and_methods_are_refused() {
        assert!(serde_json::from_str::<VarRequest>(r#"{"weights":{"SPX":1},"levle":0.9}"#).is_err());
        assert!(serde_json::from_str::<VarRequest>(r#"{"weights":{"SPX":1},"method":"magic"}"#).is_err());
        let r = var(r#"{"weights":{"SPX":1},"method":"cornish-fisher"}"#);
        assert_eq!(r.method.map(VarMethod::as_str), Some("cornish-fisher"));
    }

    #[test]
    fn debtrank_and_summary_ranges() {
        let d: DebtRankRequest = serde_json::from_str(r#"{"shocks":{"OPENAI":1.5}}"#).unwrap();
        assert_eq!(field_of(d.validate().unwrap_err()).1.as_deref(), Some("shocks.OPENAI"));
        let d: DebtRankRequest = serde_json::from_str(r#"{"shocks":{"OPENAI":0.5},"sizes":{"CRWV":0}}"#).unwrap();
        assert_eq!(field_of(d.validate().unwrap_err()).1.as_deref(), Some("sizes.CRWV"));
        let d: DebtRankRequest = serde_json::from_str(r#"{"shocks":{"OPENAI":0.5},"sizes":{"CRWV":60}}"#).unwrap();
        assert!(d.validate().is_ok());
        let q = SummaryQuery { book: None, as_of: None, revision: None, hops: Some(11), max_len: None };
        assert_eq!(field_of(q.validate().unwrap_err()).1.as_deref(), Some("hops"));
        let q = SummaryQuery { max_len: Some(1), hops: None, ..q };
        assert_eq!(field_of(q.validate().unwrap_err()).1.as_deref(), Some("max_len"));
        let q = SummaryQuery { max_len: None, revision: Some(0), ..q };
        assert_eq!(field_of(q.validate().unwrap_err()).1.as_deref(), Some("revision"));
    }

    #[test]
    fn scenario_entries_are_checked() {
        let s: ScenariosRequest = serde_json::from_str(r#"{"weights":{"SPX":1},"scenarios":["covid"," "]}"#).unwrap();
        assert_eq!(field_of(s.validate().unwrap_err()).1.as_deref(), Some("scenarios[1]"));
    }

    #[test]
    fn engine_errors_map_to_statuses() {
        let e: ApiError = AnalysisError::UnknownId { field: "shocks.X".into(), detail: "no firm".into() }.into();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, "unknown_id"));
        let e: ApiError = AnalysisError::Refused("too short".into()).into();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e: ApiError = AnalysisError::Internal("disk".into()).into();
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
