//! `/health` and `/openapi.json` (the document itself: [`super::openapi`]).

use super::caching::{NO_STORE, PUBLIC_SHORT};
use axum::http::header::CACHE_CONTROL;
use axum::Json;

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "meta", responses((status = 200, description = "alive")))]
pub async fn health() -> ([(axum::http::HeaderName, axum::http::HeaderValue); 1], Json<serde_json::Value>) {
    ([(CACHE_CONTROL, NO_STORE)], Json(serde_json::json!({ "status": "ok" })))
}

/// `GET /openapi.json`.
pub async fn openapi() -> ([(axum::http::HeaderName, axum::http::HeaderValue); 1], Json<serde_json::Value>) {
    ([(CACHE_CONTROL, PUBLIC_SHORT)], Json(super::openapi::document()))
}
