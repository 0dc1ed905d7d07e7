//! The one place errors become HTTP responses: `application/problem+json` (RFC 9457).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fileshare_core::Error as CoreError;
use serde::Serialize;
use std::time::Duration;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A `FileShare` rule or a storage failure.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// No valid access token.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The request body or query is malformed.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A username that is taken (signup).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Sharing by a name that names no user.
    #[error("no user is called {0:?}")]
    UnknownUser(String),
    /// Too many requests; retry after the given time.
    #[error("too many requests")]
    TooManyRequests(Duration),
    /// A route that does not exist in this mode (e.g. local identity routes on Lambda).
    #[error("not found")]
    NoRoute,
    /// Refused by the HTTP stack before a handler ran (a body over its limit, a method the route
    /// does not have, a timeout): `status` with its reason.
    #[error("{detail}")]
    Http {
        /// The status the HTTP stack chose.
        status: StatusCode,
        /// What it said.
        detail: String,
    },
}

/// The problem document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// `quota-exceeded` only: the usage, the quota and the refused size (documented as
    /// `QuotaFigures` on the routes that can answer it).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub figures: Option<crate::routes::QuotaFigures>,
}

impl ApiError {
    fn status_and_title(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Core(e) => match e {
                CoreError::NotFound { .. } => (StatusCode::NOT_FOUND, "not-found"),
                CoreError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
                CoreError::InvalidInput { .. } => (StatusCode::BAD_REQUEST, "invalid-input"),
                CoreError::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
                CoreError::AlreadyExists { .. } => (StatusCode::PRECONDITION_FAILED, "already-exists"),
                CoreError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too-large"),
                CoreError::UnsupportedContentType { .. } => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-content-type")
                }
                CoreError::WrongPassword => (StatusCode::FORBIDDEN, "link-password"),
                CoreError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, "too-many-attempts"),
                // Refused for this caller's account, not for the request's form: what Google
                // Drive and others answer; 507 would tell clients the server is at fault.
                CoreError::QuotaExceeded { .. } => (StatusCode::FORBIDDEN, "quota-exceeded"),
                _ => (StatusCode::SERVICE_UNAVAILABLE, "storage-unavailable"),
            },
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "invalid-input"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::UnknownUser(_) => (StatusCode::NOT_FOUND, "unknown-user"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too-many-requests"),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "not-found"),
            ApiError::Http { status, .. } => (*status, http_title(*status)),
        }
    }
}

impl ApiError {
    /// An extractor's refusal: malformed input is [`ApiError::BadRequest`]; any other status (a
    /// body over its limit, a wrong content type) keeps its status.
    pub fn rejected(status: StatusCode, detail: String) -> Self {
        match status {
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => ApiError::BadRequest(detail),
            status => ApiError::Http { status, detail },
        }
    }
}

/// The problem type of a status the HTTP stack answers with.
fn http_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "invalid-input",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::REQUEST_TIMEOUT => "request-timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-content-type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid-input",
        s if s.is_server_error() => "server-error",
        _ => "request-refused",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, title) = self.status_and_title();
        let detail = match &self {
            // Storage failures are logged, not shown: they can name buckets, tables and hosts.
            ApiError::Core(CoreError::Storage { .. }) => {
                tracing::error!(error = %self, "storage failure");
                "storage is temporarily unavailable; try again".to_owned()
            }
            ApiError::Core(e) => e.to_string(),
            other => other.to_string(),
        };
        let figures = match &self {
            ApiError::Core(CoreError::QuotaExceeded { usage, quota, size }) => {
                Some(crate::routes::QuotaFigures { usage: (*usage).into(), quota: (*quota).into(), size: *size })
            }
            _ => None,
        };
        let problem = Problem {
            kind: format!("https://fileshare.dev/problems/{title}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            figures,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests(after) | ApiError::Core(CoreError::TooManyAttempts { retry_after: after }) => {
                let secs = after.as_secs().max(1).to_string();
                if let Ok(value) = HeaderValue::from_str(&secs) {
                    headers.insert(header::RETRY_AFTER, value);
                }
            }
            _ => {}
        }
        response
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
