//! The HTTP surface: routes, and the layers every request passes through
//! (request log (one line per request, see `log`), panic catcher, security headers, JSON errors, body limit,
//! timeout, optional CORS, bearer-token auth and the per-token rate limit).

use crate::analysis;
use crate::api;
use crate::auth::{verify_hash, Check, Role};
use crate::dashboard;
use crate::error::{json_for_status, ApiError};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// The Content-Security-Policy of every response: nothing from outside the server.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Who made the request (set by the auth layer, read by handlers and logs).
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: Option<String>,
    pub role: Option<Role>,
}

/// The role a request needs: writes and admin need `write`; reads need `read`
/// only when reads are not public; the status, the API description and the
/// dashboard's static files are always open (they hold no data). The analyses
/// (`risk/*`, `network/*`) write nothing: their POSTs are reads.
fn required_role(method: &Method, path: &str, public_reads: bool) -> Option<Role> {
    let open = path == "/api/v1/health"
        || path == "/api/v1/openapi.json"
        || path == "/api/v1/docs"
        || !path.starts_with("/api/");
    let read = method == Method::GET
        || method == Method::HEAD
        || method == Method::POST && (path.starts_with("/api/v1/risk/") || path.starts_with("/api/v1/network/"));
    if !read || path.starts_with("/api/v1/admin/") {
        return Some(Role::Write);
    }
    if open || public_reads {
        None
    } else {
        Some(Role::Read)
    }
}

fn bearer(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let v = v.to_str().map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
    match v.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(Some(token.trim().to_string()))
        }
        _ => Err(ApiError::unauthorized("expected `Authorization: Bearer <token>`")),
    }
}

/// The path of the event stream, the one endpoint that also takes `?token=`: the browser's
/// `EventSource` cannot send an `Authorization` header.
pub const EVENTS_PATH: &str = "/api/v1/events";

/// `?token=…` of the event stream (tokens are `fst_<hex>_<hex>`: nothing to decode).
fn query_token(req: &Request) -> Option<String> {
    if req.uri().path() != EVENTS_PATH {
        return None;
    }
    req.uri().query()?.split('&').find_map(|kv| kv.strip_prefix("token=")).filter(|t| !t.is_empty()).map(str::to_string)
}

async fn auth(State(st): State<Arc<AppState>>, mut req: Request, next: Next) -> Result<Response, ApiError> {
    let needed = required_role(req.method(), req.uri().path(), st.settings.public_reads);
    let token = match bearer(&req)? {
        Some(t) => Some(t),
        None => query_token(&req),
    };
    let mut caller = Caller { token_id: None, role: None };
    if let Some(token) = token {
        if st.tokens.stale() {
            let s = st.clone();
            let _ = tokio::task::spawn_blocking(move || s.refresh_tokens()).await;
        }
        let mut check = st.tokens.check(&token);
        if check == Check::Invalid("unknown token") {
            // created after the last table refresh (e.g. by `fissure token create` just now)
            let s = st.clone();
            let _ = tokio::task::spawn_blocking(move || s.refresh_tokens()).await;
            check = st.tokens.check(&token);
        }
        let (id, role) = match check {
            Check::Valid { id, role } => (id, role),
            Check::Invalid(why) => {
                return Err(ApiError::unauthorized(format!("{why} (create one with `fissure token create`)")))
            }
            Check::NeedsVerify { record } => {
                let t = token.clone();
                let hash = record.hash.clone();
                let ok = tokio::task::spawn_blocking(move || verify_hash(&t, &hash)).await.unwrap_or(false);
                if !ok {
                    return Err(ApiError::unauthorized("invalid token"));
                }
                st.tokens.remember(&token, &record.id);
                (record.id.clone(), Role::parse(&record.role).unwrap_or(Role::Read))
            }
        };
        if let Err(wait) = st.limiter.take(&id) {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "token {id} exceeded {} requests/s (burst {}); retry in {wait} s",
                    st.settings.rate_limit_per_second, st.settings.rate_limit_burst
                ),
            );
            e.retry_after = Some(wait);
            return Err(e);
        }
        caller = Caller { token_id: Some(id), role: Some(role) };
    }
    if let Some(needed) = needed {
        match caller.role {
            None => return Err(ApiError::unauthorized(format!("this endpoint needs a {} token", needed.as_str()))),
            Some(r) if r < needed => {
                return Err(ApiError::forbidden(format!(
                    "this endpoint needs a {} token; this one is {}",
                    needed.as_str(),
                    r.as_str()
                )))
            }
            _ => {}
        }
    }
    if let Some(id) = &caller.token_id {
        tracing::debug!(token = %id, "authenticated");
    }
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}

/// Security headers on every response, and JSON bodies for errors produced by layers.
async fn finish(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json && (resp.status().is_client_error() || resp.status().is_server_error()) {
        if let Some(e) = json_for_status(resp.status()) {
            resp = e.into_response();
        }
    }
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    h.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    if api && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route {method} {}", uri.path()))
}

/// The application: every route and layer.
pub fn router(state: Arc<AppState>) -> Router {
    let s = &state.settings;
    let limit = (s.body_limit_mib as usize) * 1024 * 1024;
    let timed = Router::new()
        .route("/api/v1/health", get(api::health))
        .route("/api/v1/series", get(api::list_series))
        .route("/api/v1/series/{id}", get(api::get_series))
        .route("/api/v1/signals", get(api::signals))
        .route("/api/v1/signals/{id}", get(api::signal))
        .route("/api/v1/gauges", get(api::gauges))
        .route("/api/v1/report", get(api::report))
        .route("/api/v1/families", get(api::families))
        .route("/api/v1/families/{key}", get(api::family))
        .route("/api/v1/alerts", get(api::alerts))
        .route("/api/v1/ingest", post(api::post_ingest))
        .route("/api/v1/admin/refresh", post(api::admin_refresh))
        .route("/api/v1/admin/tokens", get(api::admin_tokens))
        .route("/api/v1/risk/var", post(analysis::risk_var).layer(DefaultBodyLimit::max(analysis::ANALYSIS_BODY_LIMIT)))
        .route(
            "/api/v1/risk/scenarios",
            post(analysis::risk_scenarios).layer(DefaultBodyLimit::max(analysis::ANALYSIS_BODY_LIMIT)),
        )
        .route("/api/v1/network/summary", get(analysis::network_summary))
        .route(
            "/api/v1/network/debtrank",
            post(analysis::network_debtrank).layer(DefaultBodyLimit::max(analysis::ANALYSIS_BODY_LIMIT)),
        )
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/docs", get(dashboard::docs_page))
        .route("/", get(dashboard::index))
        .route("/assets/{*path}", get(dashboard::asset))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(s.request_timeout_seconds),
        ));
    let mut app = timed
        .route(EVENTS_PATH, get(api::events))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit));
    if !s.cors_origins.is_empty() {
        let origins: Vec<HeaderValue> = s.cors_origins.iter().filter_map(|o| o.parse().ok()).collect();
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        );
    }
    app.layer(middleware::from_fn(finish))
        .layer(CatchPanicLayer::custom(|_| ApiError::internal("internal error").into_response()))
        .layer(middleware::from_fn(crate::log::request_log))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_by_route() {
        assert_eq!(required_role(&Method::GET, "/api/v1/signals", true), None);
        assert_eq!(required_role(&Method::GET, "/api/v1/signals", false), Some(Role::Read));
        assert_eq!(required_role(&Method::GET, "/api/v1/health", false), None);
        assert_eq!(required_role(&Method::GET, "/", false), None);
        assert_eq!(required_role(&Method::POST, "/api/v1/ingest", true), Some(Role::Write));
        assert_eq!(required_role(&Method::GET, "/api/v1/admin/tokens", true), Some(Role::Write));
        assert_eq!(required_role(&Method::POST, "/nothing", true), Some(Role::Write));
        assert_eq!(required_role(&Method::POST, "/api/v1/risk/var", true), None);
        assert_eq!(required_role(&Method::POST, "/api/v1/network/debtrank", false), Some(Role::Read));
        assert_eq!(required_role(&Method::DELETE, "/api/v1/risk/var", true), Some(Role::Write));
    }
}
