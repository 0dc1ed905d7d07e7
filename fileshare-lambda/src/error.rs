//! The one place errors become HTTP responses: `application/problem+json` (RFC 9457).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fileshare_api::{Problem, ProblemType, QuotaFigures};
use fileshare_core::Error as CoreError;
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

impl ApiError {
    fn status_and_type(&self) -> (StatusCode, ProblemType) {
        match self {
            ApiError::Core(e) => match e {
                CoreError::NotFound { .. } => (StatusCode::NOT_FOUND, ProblemType::NotFound),
                CoreError::Forbidden { .. } => (StatusCode::FORBIDDEN, ProblemType::Forbidden),
                CoreError::InvalidInput { .. } => (StatusCode::BAD_REQUEST, ProblemType::InvalidInput),
                CoreError::Conflict { .. } => (StatusCode::CONFLICT, ProblemType::Conflict),
                CoreError::AlreadyExists { .. } => (StatusCode::PRECONDITION_FAILED, ProblemType::AlreadyExists),
                CoreError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, ProblemType::TooLarge),
                CoreError::UnsupportedContentType { .. } => {
                    (StatusCode::UNSUPPORTED_MEDIA_TYPE, ProblemType::UnsupportedContentType)
                }
                CoreError::WrongPassword => (StatusCode::FORBIDDEN, ProblemType::LinkPassword),
                CoreError::TooManyAttempts { .. } => (StatusCode::TOO_MANY_REQUESTS, ProblemType::TooManyAttempts),
                // Refused for this caller's account, not for the request's form: what Google
                // Drive and others answer; 507 would tell clients the server is at fault.
                CoreError::QuotaExceeded { .. } => (StatusCode::FORBIDDEN, ProblemType::QuotaExceeded),
                _ => (StatusCode::SERVICE_UNAVAILABLE, ProblemType::StorageUnavailable),
            },
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, ProblemType::Unauthorized),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ProblemType::InvalidInput),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ProblemType::Conflict),
            ApiError::UnknownUser(_) => (StatusCode::NOT_FOUND, ProblemType::UnknownUser),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, ProblemType::TooManyRequests),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, ProblemType::NotFound),
            ApiError::Http { status, .. } => (*status, http_type(*status)),
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
fn http_type(status: StatusCode) -> ProblemType {
    match status {
        StatusCode::BAD_REQUEST => ProblemType::InvalidInput,
        StatusCode::NOT_FOUND => ProblemType::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ProblemType::RequestTimeout,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemType::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedContentType,
        StatusCode::UNPROCESSABLE_ENTITY => ProblemType::InvalidInput,
        s if s.is_server_error() => ProblemType::ServerError,
        _ => ProblemType::RequestRefused,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, problem_type) = self.status_and_type();
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
            ApiError::Core(e) => QuotaFigures::of(e),
            _ => None,
        };
        let problem = Problem { figures, ..Problem::new(problem_type, status.as_u16(), detail) };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(fileshare_api::PROBLEM_CONTENT_TYPE));
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
