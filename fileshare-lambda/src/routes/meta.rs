//! `/health` and `/openapi.json`.

use super::caching::{NO_STORE, PUBLIC_SHORT};
use crate::error::Problem;
use axum::http::header::CACHE_CONTROL;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "meta", responses((status = 200, description = "alive")))]
pub async fn health() -> ([(axum::http::HeaderName, axum::http::HeaderValue); 1], Json<serde_json::Value>) {
    ([(CACHE_CONTROL, NO_STORE)], Json(serde_json::json!({ "status": "ok" })))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme =
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build());
        openapi.components.get_or_insert_with(Default::default).add_security_scheme("bearer", scheme);
    }
}

/// The OpenAPI document, generated from the handlers' annotations so it cannot drift.
#[derive(OpenApi)]
#[openapi(
    info(title = "fileshare", description = "Upload, share, list, download and delete files."),
    paths(
        health,
        super::files::create_upload, super::files::complete_upload, super::files::list_files, super::files::get_file,
        super::files::download_url, super::files::share, super::files::unshare, super::files::delete,
        super::identity::me, super::identity::sign_up, super::identity::log_in, super::identity::refresh,
        super::identity::log_out, super::identity::jwks,
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// `GET /openapi.json`.
pub async fn openapi() -> ([(axum::http::HeaderName, axum::http::HeaderValue); 1], Json<utoipa::openapi::OpenApi>) {
    ([(CACHE_CONTROL, PUBLIC_SHORT)], Json(ApiDoc::openapi()))
}
