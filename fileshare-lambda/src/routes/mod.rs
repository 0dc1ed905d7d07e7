//! The router: every route of the API, and the layers around them.

mod blobs;
mod caching;
mod extract;
mod files;
mod identity;
mod links;
mod meta;
mod openapi;
mod problems;
mod session;
mod web;

pub use openapi::{document as openapi_document, ApiDoc};
pub use web::{PageIdentity, WebPage};

use crate::metrics;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::routing::{delete, get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// JSON bodies are small; blob uploads stream and are bounded by their signed size instead.
pub const MAX_JSON_BODY: usize = 64 * 1024;
/// The one large JSON body: completing the largest plan the service issues, 10 000 parts of
/// `{"part_number": 10000, "etag": "…"}` — about 70 bytes each with S3's 34-character ETags, and
/// room for ETags of up to 150 characters.
pub const MAX_COMPLETE_BODY: usize = 2 * 1024 * 1024;

fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        // What API calls send, and what a presigned upload to the embedded store signs.
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::CONTENT_DISPOSITION,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(600))
}

/// The whole API over `state`.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(meta::health))
        .route("/openapi.json", get(meta::openapi))
        .route("/files", get(files::list_files))
        .route("/files/upload-url", post(files::create_upload))
        .route("/files/{id}", get(files::get_file).delete(files::delete))
        .route("/files/{id}/download-url", get(files::download_url))
        .route("/files/{id}/share", post(files::share))
        .route("/files/{id}/shares", get(files::list_shares))
        .route("/files/{id}/share/{user_id}", delete(files::unshare))
        .route("/files/{id}/links", post(links::create_link).get(links::list_links))
        .route("/files/{id}/links/{link_id}", delete(links::revoke_link))
        .route("/links/{token}", get(links::link_info))
        .route("/links/{token}/redeem", post(links::redeem_link))
        .route("/l/{token}", get(links::open_link))
        .route("/me", get(identity::me))
        .route("/auth/signup", post(identity::sign_up))
        .route("/auth/login", post(identity::log_in))
        .route("/auth/session", post(session::start))
        .route("/auth/refresh", post(session::refresh))
        .route("/auth/logout", post(session::log_out))
        .route("/.well-known/jwks.json", get(identity::jwks))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(axum::middleware::from_fn(caching::revalidate))
        // An API request is small and quick: the whole of it, body included, gets one deadline.
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, state.timeouts.request));
    // Completing a multipart upload assembles the file, which on the embedded default takes as long
    // as copying it (minutes for tens of GB): no deadline, but its body must keep arriving.
    let completion = Router::new()
        .route("/files/{id}/complete", post(files::complete_upload))
        .layer(DefaultBodyLimit::max(MAX_COMPLETE_BODY))
        .layer(axum::middleware::from_fn(caching::revalidate))
        .layer(RequestBodyTimeoutLayer::new(state.timeouts.idle));
    // A transfer may take hours, so it has no deadline, only an idle limit: its body must keep
    // arriving (and, in `server`, the client must keep reading its answer).
    let blob_routes = Router::new()
        .route("/blobs/{*key}", get(blobs::download).put(blobs::upload))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyTimeoutLayer::new(state.timeouts.idle));
    let cors = cors(&state.cors_origins);
    let page = web::routes();
    api.merge(completion)
        .merge(blob_routes)
        .merge(page)
        .fallback(|| async { crate::error::ApiError::NoRoute })
        .with_state(state)
        // A panic in a handler is a bug, and still answers a problem document (500), not a cut connection.
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(problems::bare_errors_as_problems))
        .layer(axum::middleware::from_fn(metrics::record))
        .layer(cors)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
