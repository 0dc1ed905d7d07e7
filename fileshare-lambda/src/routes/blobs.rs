//! The embedded store's blob endpoints (local mode): they serve its presigned URLs exactly as S3
//! serves its own — object and part PUTs, GETs — so one client works against both. The store checks
//! every signature, expiry, size and header; `FileShare` re-checks, on every request, that the
//! upload is still open or that the viewer may still read the file.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fileshare_core::backends::LocalFileStore;
use fileshare_core::store::header_names;
use futures::TryStreamExt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio_util::io::StreamReader;

/// Served with every download: the bytes are the uploader's, so a browser must never run them as
/// a page of this origin — no sniffing a type other than the signed one, and, should a browser
/// render the response anyway, a sandbox with no scripts, forms or same-origin access.
const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'";

fn store(state: &AppState) -> ApiResult<&Arc<LocalFileStore>> {
    state.blobs.as_ref().ok_or(ApiError::NoRoute)
}

fn path_and_query(uri: &OriginalUri) -> &str {
    uri.0.path_and_query().map_or("/", |pq| pq.as_str())
}

/// The request headers a presigned upload signs, by lower-case name.
fn signed_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    [header_names::CONTENT_TYPE, header_names::CONTENT_DISPOSITION, header_names::IF_NONE_MATCH]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), headers.get(name)?.to_str().ok()?.to_owned())))
        .collect()
}

/// `GET /blobs/{key}?…`: a presigned download, streamed.
pub async fn download(State(state): State<AppState>, uri: OriginalUri) -> ApiResult<Response> {
    let download = state.service.open_embedded_download(store(&state)?, path_and_query(&uri)).await?;
    // The store's chunks go to hyper as they are (1 MiB reads from disk, no copy in between).
    let mut response = Body::from_stream(download.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, download.content_type),
        (header::CONTENT_DISPOSITION, download.content_disposition),
        (header::CONTENT_LENGTH, download.meta.size.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOWNLOAD_CSP));
    if let Some(Ok(etag)) = download.meta.etag.as_deref().map(HeaderValue::from_str) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// `PUT /blobs/{key}?…`: a presigned upload of a whole object, or (`uploadId`, `partNumber`) of
/// one part of a multipart upload. Answers with the `ETag`.
pub async fn upload(
    State(state): State<AppState>,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    // Remember whether the client's body failed (stalled past the idle limit, or cut off), so that
    // its failure is not reported as storage's.
    let broke = Arc::new(AtomicBool::new(false));
    let noticed = broke.clone();
    let body = body.into_data_stream().map_err(move |e| {
        noticed.store(true, Ordering::Relaxed);
        std::io::Error::other(e)
    });
    let mut reader = Box::pin(StreamReader::new(body));
    let stored = state
        .service
        .receive_embedded_upload(store(&state)?, path_and_query(&uri), &signed_headers(&headers), &mut reader)
        .await
        .map_err(|e| match e {
            fileshare_core::Error::Storage { .. } if broke.load(Ordering::Relaxed) => ApiError::Http {
                status: StatusCode::REQUEST_TIMEOUT,
                detail: "the upload stalled or broke off before all its bytes arrived; nothing was stored".into(),
            },
            other => other.into(),
        })?;
    let mut response = StatusCode::OK.into_response();
    if let Ok(etag) = HeaderValue::from_str(&stored.etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}
