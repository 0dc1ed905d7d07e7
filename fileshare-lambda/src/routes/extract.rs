//! Extractors whose rejections are problem documents, not axum's plain-text defaults.

use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body, which is always an object in this API; malformed input (an array or a string where
/// the object belongs, too) is a 400 problem, one over the size limit a 413, another content type a 415.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let rejected = |e: JsonRejection| ApiError::rejected(e.status(), e.body_text());
        // The content type first, as axum's `Json` checks it; then the body's shape: serde reads a
        // struct from an array too (`[]` would be a body whose fields are all left out).
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await.map_err(rejected)?;
        if !value.is_object() {
            return Err(ApiError::BadRequest("the body must be a JSON object".into()));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
    }
}

/// A JSON body that may be left out (empty, or only whitespace): then `T::default()`. Malformed
/// input is a 400 problem.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::rejected(e.status(), e.body_text()))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        serde_json::from_slice(&body)
            .map(OptionalJson)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
    }
}

/// A query string; malformed input is a 400 problem.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| ApiError::rejected(e.status(), e.body_text()))
    }
}
