//! The REST API under `/api/v1`, documented by the OpenAPI 3.1 document that
//! utoipa generates from these handlers (`/api/v1/openapi.json`).
//!
//! Report endpoints serve the report's own JSON (`report.json`, as `fissure
//! report` writes it) whole or by part, never a re-modelled copy, so a new key
//! in the report appears here without a change.

use crate::alerts::Alert;
use crate::error::{ApiError, ErrorBody};
use crate::ingest;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use fissure_report::Lang;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio_stream::StreamExt;
use utoipa::{IntoParams, OpenApi, ToSchema};

type St = State<Arc<AppState>>;

/// Query parameters, with a JSON 400 on malformed input.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Q(v))
            .map_err(|e| ApiError::bad_request(format!("malformed query: {}", e.body_text())))
    }
}

/// A path parameter, with a JSON 400 on malformed input.
pub struct P(pub String);

impl<S: Send + Sync> FromRequestParts<S> for P {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| P(v))
            .map_err(|e| ApiError::bad_request(format!("malformed path: {}", e.body_text())))
    }
}

fn json_bytes(b: Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], b).into_response()
}

/// A document of a snapshot, serialised once: the bytes are shared (a reference count, no
/// copy), with its entity tag; `If-None-Match` with that tag (or `*`) gets 304 without a body.
/// `Cache-Control: no-cache` lets a client keep it and revalidate.
fn cached(headers: &HeaderMap, b: &Bytes, etag: &HeaderValue) -> Response {
    let hit = headers.get_all(header::IF_NONE_MATCH).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/").as_bytes() == etag.as_bytes()
            })
        })
    });
    let common = [(header::ETAG, etag.clone()), (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))];
    if hit {
        (StatusCode::NOT_MODIFIED, common).into_response()
    } else {
        (common, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], b.clone()).into_response()
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal(format!("task stopped: {e}")))?
}

fn store_error(e: fissure_io::StoreError) -> ApiError {
    use fissure_io::StoreError as E;
    match e {
        E::SeriesNotFound { .. } | E::RevisionNotFound { .. } | E::SectionNotFound { .. } => {
            ApiError::not_found(e.to_string())
        }
        E::DuplicateInBatch { .. } => ApiError::bad_request(format!("{e}; nothing was stored")),
        other => ApiError::internal(other.to_string()),
    }
}

/// `as_of` of a report endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Replay the report as it read on this date (YYYY-MM-DD); default: the latest.
    pub as_of: Option<NaiveDate>,
}

/// `families/{key}` options.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FamilyQuery {
    /// Replay date (YYYY-MM-DD); default: the latest.
    pub as_of: Option<NaiveDate>,
    /// Language of the SVG charts: `en` (default) or `zh`.
    pub lang: Option<String>,
}

/// `series/{id}` options.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// First date included (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Last date included (YYYY-MM-DD).
    pub to: Option<NaiveDate>,
    /// Revision (1 = first ingest); default: the current one.
    pub revision: Option<u32>,
}

/// Server status.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok` when a report is being served, `starting` while the first one is built, `degraded` after a failed build.
    pub status: String,
    pub version: String,
    pub uptime_seconds: f64,
    /// As-of date of the latest report.
    pub as_of: Option<NaiveDate>,
    /// Data generation: bumped by every ingest that changed data.
    pub generation: u64,
    /// Generation of the report being served (lags `generation` while a rebuild runs).
    pub report_generation: Option<u64>,
    pub report_build_seconds: Option<f64>,
    pub build_error: Option<String>,
    pub public_reads: bool,
    pub ingests: u64,
    pub rebuilds: u64,
    pub alerts: u64,
    pub webhook_deliveries: u64,
    pub webhook_failures: u64,
}

#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses((status = 200, description = "Server status", body = Health)))]
pub async fn health(State(st): St) -> Json<Health> {
    let latest = st.latest();
    let build_error = st.build_error.read().unwrap_or_else(|e| e.into_inner()).clone();
    let c = &st.counters;
    Json(Health {
        status: match (&latest, &build_error) {
            (_, Some(_)) => "degraded",
            (Some(_), None) => "ok",
            (None, None) => "starting",
        }
        .into(),
        version: env!("CARGO_PKG_VERSION").into(),
        uptime_seconds: st.started.elapsed().as_secs_f64(),
        as_of: latest.as_ref().map(|s| s.as_of),
        generation: st.generation.load(Ordering::SeqCst),
        report_generation: latest.as_ref().map(|s| s.generation),
        report_build_seconds: latest.as_ref().map(|s| s.build_seconds),
        build_error,
        public_reads: st.settings.public_reads,
        ingests: c.ingests.load(Ordering::Relaxed),
        rebuilds: c.rebuilds.load(Ordering::Relaxed),
        alerts: c.alerts.load(Ordering::Relaxed),
        webhook_deliveries: c.webhook_deliveries.load(Ordering::Relaxed),
        webhook_failures: c.webhook_failures.load(Ordering::Relaxed),
    })
}

#[utoipa::path(get, path = "/api/v1/series", tag = "data",
    responses((status = 200, description = "Every stored series (metadata, current revision, span) and cross-section field", body = Object)))]
pub async fn list_series(State(st): St) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let (series, sections) = st
            .pool
            .with(|s| s.consistent_read(|s| Ok::<_, fissure_io::StoreError>((s.list()?, s.list_sections()?))))
            .map_err(store_error)?
            .map_err(store_error)?
            .map_err(store_error)?;
        Ok(Json(json!({ "series": series, "sections": sections })))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/series/{id}", tag = "data",
    params(("id" = String, Path, description = "Series id (see `series`)"), SeriesQuery),
    responses(
        (status = 200, description = "The series at a revision, optionally between two dates, with its revision history", body = Object),
        (status = 400, description = "Malformed query (bad date, from after to)", body = ErrorBody),
        (status = 404, description = "Unknown series or revision", body = ErrorBody)))]
pub async fn get_series(State(st): St, P(id): P, Q(q): Q<SeriesQuery>) -> Result<Json<Value>, ApiError> {
    if let (Some(f), Some(t)) = (q.from, q.to) {
        if f > t {
            return Err(ApiError::bad_request(format!("from {f} is after to {t}")));
        }
    }
    if q.revision == Some(0) {
        return Err(ApiError::bad_request("revision must be >= 1"));
    }
    blocking(move || {
        let (series, latest, revisions) = st
            .pool
            .with(|s| {
                s.consistent_read(|s| {
                    let (_, latest) = s.meta(&id)?;
                    Ok::<_, fissure_io::StoreError>((s.load(&id, q.revision)?, latest, s.revisions(&id)?))
                })
            })
            .map_err(store_error)?
            .map_err(store_error)?
            .map_err(store_error)?;
        let s = series.slice(q.from, q.to);
        let mut doc = json!({
            "id": s.id(),
            "meta": s.meta,
            "revision": q.revision.unwrap_or(latest),
            "latest_revision": latest,
            "observations": s.len(),
            "dates": s.dates(),
            "values": s.values(),
            "revisions": revisions,
        });
        if let Some(o) = s.ohlcv() {
            doc["ohlcv"] = json!(o);
        }
        Ok(Json(doc))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/signals", tag = "report",
    responses(
        (status = 200, description = "Latest reading of every signal (value, percentile, risk percentile, state, thresholds, explanation in en and zh, skill), as in report.json", body = Object),
        (status = 304, description = "`If-None-Match` names the current `ETag`: unchanged"),
        (status = 503, description = "The first report is still being computed", body = ErrorBody)))]
pub async fn signals(State(st): St, headers: HeaderMap) -> Result<Response, ApiError> {
    let s = st.latest_or_503()?;
    Ok(cached(&headers, &s.signals_bytes, &s.signals_etag))
}

#[utoipa::path(get, path = "/api/v1/signals/{id}", tag = "report",
    params(("id" = String, Path, description = "Signal id (e.g. `baseline.vol21.SPX`)"), AsOfQuery),
    responses(
        (status = 200, description = "The signal's full history: dates, values, percentiles, risk percentiles, states", body = Object),
        (status = 400, description = "Malformed query or as_of outside the data", body = ErrorBody),
        (status = 404, description = "Unknown signal", body = ErrorBody)))]
pub async fn signal(State(st): St, P(id): P, Q(q): Q<AsOfQuery>) -> Result<Response, ApiError> {
    let snap = st.snapshot_at(q.as_of).await?;
    let (s2, id2) = (snap.clone(), id.clone());
    let doc = blocking(move || Ok(s2.signal_history_bytes(&id2))).await?;
    doc.map(json_bytes).ok_or_else(|| ApiError::not_found(format!("no signal `{id}` in the report of {}", snap.as_of)))
}

#[utoipa::path(get, path = "/api/v1/gauges", tag = "report",
    params(AsOfQuery),
    responses(
        (status = 200, description = "The overall and family gauges (latest reading, weights, skill, weekly history) and what changed", body = Object),
        (status = 304, description = "`If-None-Match` names the current `ETag`: unchanged"),
        (status = 400, description = "Malformed query or as_of outside the data", body = ErrorBody)))]
pub async fn gauges(State(st): St, headers: HeaderMap, Q(q): Q<AsOfQuery>) -> Result<Response, ApiError> {
    let s = st.snapshot_at(q.as_of).await?;
    Ok(cached(&headers, &s.gauges_bytes, &s.gauges_etag))
}

#[utoipa::path(get, path = "/api/v1/report", tag = "report",
    params(AsOfQuery),
    responses(
        (status = 200, description = "report.json of the date, exactly as `fissure report` writes it", body = Object),
        (status = 304, description = "`If-None-Match` names the current `ETag`: unchanged"),
        (status = 400, description = "Malformed query or as_of outside the data", body = ErrorBody)))]
pub async fn report(State(st): St, headers: HeaderMap, Q(q): Q<AsOfQuery>) -> Result<Response, ApiError> {
    let s = st.snapshot_at(q.as_of).await?;
    Ok(cached(&headers, &s.report_bytes, &s.report_etag))
}

#[utoipa::path(get, path = "/api/v1/families", tag = "report",
    params(AsOfQuery),
    responses((status = 200, description = "The families of the report: key, title, run (seconds, cached, error)", body = Object)))]
pub async fn families(State(st): St, Q(q): Q<AsOfQuery>) -> Result<Json<Value>, ApiError> {
    let snap = st.snapshot_at(q.as_of).await?;
    let list: Vec<Value> = snap.json["families"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, f)| json!({"key": k, "title": f["title"], "run": f["run"], "gauge": f["gauge"]}))
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(json!({ "as_of": snap.as_of, "families": list })))
}

#[utoipa::path(get, path = "/api/v1/families/{key}", tag = "report",
    params(("key" = String, Path, description = "Family key (`bubble`, `contagion`, …)"), FamilyQuery),
    responses(
        (status = 200, description = "The family's part of report.json, plus `chart_data` (every chart's data and its SVG drawing)", body = Object),
        (status = 400, description = "Malformed query", body = ErrorBody),
        (status = 404, description = "Unknown family", body = ErrorBody)))]
pub async fn family(State(st): St, P(key): P, Q(q): Q<FamilyQuery>) -> Result<Response, ApiError> {
    let lang = match q.lang.as_deref() {
        None => Lang::En,
        Some(l) => Lang::parse(l).ok_or_else(|| ApiError::bad_request(format!("lang `{l}`: expected en or zh")))?,
    };
    let snap = st.snapshot_at(q.as_of).await?;
    let s2 = snap.clone();
    let k2 = key.clone();
    let doc = blocking(move || Ok(s2.family(&k2, lang))).await?;
    doc.map(json_bytes).ok_or_else(|| ApiError::not_found(format!("no family `{key}` in the report of {}", snap.as_of)))
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts",
    responses((status = 200, description = "The most recent alerts (up to 200), oldest first", body = [Alert])))]
pub async fn alerts(State(st): St) -> Json<Vec<Alert>> {
    Json(st.alerts.recent())
}

#[utoipa::path(get, path = "/api/v1/events", tag = "alerts",
    params(("token" = Option<String>, Query, description = "A read token, for clients that cannot send `Authorization` (the browser's EventSource) when reads need a token; accepted on this endpoint only")),
    responses((status = 200, description = "Server-sent events: `alert` events (JSON of an Alert, id = seq), and `ready` once. Send `Last-Event-ID` to replay the alerts missed since that id.", content_type = "text/event-stream", body = String),
        (status = 401, description = "Reads need a token and none (or an invalid one) was given", body = ErrorBody)))]
pub async fn events(
    State(st): St,
    headers: HeaderMap,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let last: Option<u64> = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let rx = st.alerts.subscribe();
    let replay: Vec<Arc<Alert>> = match last {
        Some(l) => st.alerts.recent().into_iter().filter(|a| a.seq > l).map(Arc::new).collect(),
        None => Vec::new(),
    };
    let ready =
        Event::default().event("ready").data(json!({"generation": st.generation.load(Ordering::SeqCst)}).to_string());
    let head = tokio_stream::iter(std::iter::once(ready).chain(replay.into_iter().map(alert_event)).map(Ok));
    let live = tokio_stream::wrappers::BroadcastStream::new(rx).filter_map(|r| r.ok().map(|a| Ok(alert_event(a))));
    let stop = tokio_stream::wrappers::WatchStream::from_changes(st.shutdown.subscribe()).filter(|v| *v).map(|_| None);
    let stream = head.chain(live).map(Some).merge(stop).take_while(Option::is_some).filter_map(|x| x);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

fn alert_event(a: Arc<Alert>) -> Event {
    Event::default().event("alert").id(a.seq.to_string()).data(serde_json::to_string(&*a).unwrap_or_default())
}

/// The upload of `POST /api/v1/ingest`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct IngestForm {
    /// One or more data files (CSV, Yahoo, Stooq, FRED, bundle layout; Parquet when built with it).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Series id for a single file (default: the file stem).
    id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/ingest", tag = "data",
    request_body(content = IngestForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored (or identical to what was stored): each series' change and revision", body = Object),
        (status = 400, description = "Invalid data (names the file, line and column; nothing was stored) or a malformed form", body = ErrorBody),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 403, description = "The token may not write", body = ErrorBody),
        (status = 413, description = "The upload is larger than the body limit", body = ErrorBody),
        (status = 429, description = "Rate limit of the token exceeded", body = ErrorBody)))]
pub async fn post_ingest(
    State(st): St,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<Value>, ApiError> {
    let mut form = form.map_err(|e| {
        ApiError::bad_request(format!("expected a multipart/form-data upload with a `file` field: {}", e.body_text()))
    })?;
    let mut files = Vec::new();
    let mut id = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let name = ingest::upload_name(field.file_name());
                let data = field.bytes().await.map_err(multipart_error)?;
                files.push((name, data));
            }
            Some("id") => id = Some(field.text().await.map_err(multipart_error)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form field `{}`; expected `file` (and optionally `id`)",
                    other.unwrap_or("")
                )))
            }
        }
    }
    let out = ingest::ingest_uploads(&st, files, id).await?;
    Ok(Json(out))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large("the upload is larger than the server's body limit (`[server] body_limit_mib`)")
    } else {
        ApiError::bad_request(format!("malformed multipart upload: {}", e.body_text()))
    }
}

#[utoipa::path(post, path = "/api/v1/admin/refresh", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Re-ingested the scheduled folder (if configured) and rebuilt the latest report", body = Object),
        (status = 400, description = "The scheduled folder holds invalid data (nothing was stored)", body = ErrorBody),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 403, description = "The token may not write", body = ErrorBody)))]
pub async fn admin_refresh(State(st): St) -> Result<Json<Value>, ApiError> {
    let ingested = match st.settings.schedule.clone() {
        Some(s) => Some(ingest::ingest_folder(&st, &s.folder).await?),
        None => None,
    };
    st.refresh_latest().await;
    let latest = st.latest_or_503()?;
    Ok(Json(json!({ "ingested": ingested, "as_of": latest.as_of, "generation": latest.generation })))
}

#[utoipa::path(get, path = "/api/v1/admin/tokens", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every token record (id, name, role, created, revoked); never a token or its hash", body = Object),
        (status = 401, description = "Missing or invalid token", body = ErrorBody),
        (status = 403, description = "The token may not write", body = ErrorBody)))]
pub async fn admin_tokens(State(st): St) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let list = st.pool.with(|s| s.token_list()).map_err(store_error)?.map_err(store_error)?;
        Ok(Json(json!({ "tokens": list })))
    })
    .await
}

struct BearerAddon;

impl utoipa::Modify for BearerAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("fst_<id>_<secret> (fissure token create)")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fissure API",
        description = "Signals, gauges and reports of the Fissure market-fragility observatory, the stored data, ingestion and alerts. Reads are public unless the server is configured otherwise (`[server] public_reads = false`); writes and admin endpoints need a bearer token (`fissure token create --role write`). Errors are JSON `{error, detail}`.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(health, list_series, get_series, signals, signal, gauges, report, families, family, alerts, events, post_ingest, admin_refresh, admin_tokens,
        crate::analysis::risk_var, crate::analysis::risk_scenarios, crate::analysis::network_summary, crate::analysis::network_debtrank),
    components(schemas(ErrorBody, Health, Alert, IngestForm, crate::analysis::VarRequest, crate::analysis::ScenariosRequest, crate::analysis::DebtRankRequest, crate::analysis::VarMethod, crate::analysis::Correlation)),
    modifiers(&BearerAddon),
    tags(
        (name = "meta", description = "Server status"),
        (name = "data", description = "Stored series and ingestion"),
        (name = "report", description = "The report: signals, gauges, families, report.json (any as-of date)"),
        (name = "alerts", description = "Alerts raised by the watchlist's rules"),
        (name = "risk", description = "Portfolio VaR/ES and scenario replay (the JSON of `fissure risk … --json`)"),
        (name = "network", description = "The deal network: summary and DebtRank (the JSON of `fissure network … --json`)"),
        (name = "admin", description = "Administration (write token)")
    )
)]
pub struct ApiDoc;

/// The document as JSON bytes (built once).
pub fn openapi_json() -> &'static Bytes {
    static DOC: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    DOC.get_or_init(|| Bytes::from(ApiDoc::openapi().to_pretty_json().unwrap_or_default()))
}

pub async fn openapi() -> Response {
    json_bytes(openapi_json().clone())
}
