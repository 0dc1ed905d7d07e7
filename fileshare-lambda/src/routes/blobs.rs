//! The embedded store's blob endpoints (local mode): they serve its presigned URLs exactly as S3
//! serves its own — POST form uploads (S3 field names, `file` last), GETs, part PUTs — so one
//! client works against both. The store checks every signature, expiry, size and header.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fileshare_core::backends::LocalFileStore;
use futures::TryStreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio_util::io::{ReaderStream, StreamReader};

/// Text fields a form may carry, and how long each may be: S3's forms have a handful of short ones.
const MAX_FIELDS: usize = 32;
const MAX_FIELD_BYTES: u64 = 16 * 1024;

fn store(state: &AppState) -> ApiResult<&Arc<LocalFileStore>> {
    state.blobs.as_ref().ok_or(ApiError::NoRoute)
}

fn path_and_query(uri: &OriginalUri) -> &str {
    uri.0.path_and_query().map_or("/", |pq| pq.as_str())
}

/// `POST /blobs`: a presigned form upload.
pub async fn upload_form(State(state): State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<StatusCode> {
    let store = store(&state)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| ApiError::BadRequest("expected multipart/form-data".into()))?;
    let limits = multer::SizeLimit::new().per_field(MAX_FIELD_BYTES).for_field("file", u64::MAX);
    let mut form = multer::Multipart::with_constraints(
        body.into_data_stream(),
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    let mut fields = BTreeMap::new();
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadRequest(e.to_string()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            // Streamed straight to disk: memory stays flat whatever the file size.
            let mut reader = Box::pin(StreamReader::new(field.map_err(std::io::Error::other)));
            store.receive_form_upload(&fields, &mut reader).await?;
            return Ok(StatusCode::NO_CONTENT);
        }
        if fields.len() >= MAX_FIELDS {
            return Err(ApiError::BadRequest("too many form fields".into()));
        }
        let value = field.text().await.map_err(|e| ApiError::BadRequest(e.to_string()))?;
        fields.insert(name, value);
    }
    Err(ApiError::BadRequest("the form has no file part".into()))
}

/// `GET /blobs/{key}?…`: a presigned download, streamed.
pub async fn download(State(state): State<AppState>, uri: OriginalUri) -> ApiResult<Response> {
    let download = store(&state)?.open_download(path_and_query(&uri)).await?;
    // 256 KiB reads: each read of a file is a blocking-pool hop, so the default 4 KiB caps throughput.
    let mut response = Body::from_stream(ReaderStream::with_capacity(download.body, 256 * 1024)).into_response();
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
    if let Some(Ok(etag)) = download.meta.etag.as_deref().map(HeaderValue::from_str) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// `PUT /blobs/{key}?uploadId=…&partNumber=…`: a presigned multipart part.
pub async fn upload_part(State(state): State<AppState>, uri: OriginalUri, body: Body) -> ApiResult<Response> {
    let mut reader = Box::pin(StreamReader::new(body.into_data_stream().map_err(std::io::Error::other)));
    let etag = store(&state)?.receive_part(path_and_query(&uri), &mut reader).await?;
    let mut response = StatusCode::OK.into_response();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}
