//! API errors: JSON `{error, detail}` with the right status; never a stack trace.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable, machine-readable code (`not_found`, `bad_request`, `unauthorized`, …).
    pub error: String,
    /// What went wrong, for a person (names the file, line and column of bad data).
    pub detail: String,
    /// The request field at fault (`level`, `weights.SPX`, `shocks.OPENAI`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Bad data: the file, its line and column, and the reader's error kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Where in an uploaded file the data was bad.
#[derive(Debug, Clone, Default)]
pub struct DataLocation {
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub kind: Option<String>,
}

/// An error returned by a handler.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    /// Seconds, for 429 and 503.
    pub retry_after: Option<u64>,
    pub location: Option<Box<DataLocation>>,
    /// The request field at fault.
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError { status, code, detail: detail.into(), retry_after: None, location: None, field: None }
    }
    /// Names the request field at fault.
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }
    pub fn unavailable(detail: impl Into<String>, retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
        }
    }
    pub fn too_large(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let loc = self.location.map(|l| *l).unwrap_or_default();
        let body = ErrorBody {
            error: self.code.to_string(),
            detail: self.detail,
            field: self.field,
            file: loc.file,
            line: loc.line,
            column: loc.column,
            kind: loc.kind,
        };
        let mut r = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"fissure\""));
        }
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

/// Turns a plain (non-JSON) error response produced by a layer (timeout, body
/// limit, unknown method) into the JSON shape.
pub fn json_for_status(status: StatusCode) -> Option<ApiError> {
    let (code, detail) = match status {
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took longer than the server's request timeout"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is larger than the server's limit"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed on this path"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "unsupported content type"),
        StatusCode::INTERNAL_SERVER_ERROR => ("internal", "internal error"),
        _ => return None,
    };
    Some(ApiError::new(status, code, detail))
}
