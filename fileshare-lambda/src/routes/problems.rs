//! Every error is a problem document: axum's extractors and tower's layers answer some refusals
//! themselves (a body over its limit, a method a route does not have, a timeout) with plain text or
//! nothing; this middleware turns each such answer into `application/problem+json`, keeping its
//! status and its words.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longest plain-text explanation kept as the problem's `detail`.
const MAX_DETAIL: usize = 1024;

/// Middleware: a 4xx/5xx answer that is not already a problem document becomes one.
pub async fn bare_errors_as_problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_DETAIL).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let detail = match text.trim() {
        "" => status.canonical_reason().unwrap_or("refused").to_owned(),
        said => said.to_owned(),
    };
    let mut problem = ApiError::Http { status, detail }.into_response();
    // Keep what the layer said besides the body (`Allow`, `Retry-After`, CORS headers…).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    problem
}
