//! The client against a service that misbehaves — a compromised deployment, or the host a share
//! link names, which can be anyone's: plans and answers it cannot be trusted with are refused,
//! what it sends is read only up to a limit, and no secret of the caller's shows in an error.

mod common;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::Utc;
use common::MIB;
use fileshare_client::{
    Access, Client, Destination, DownloadOptions, Error, FileStatus, FileView, LinkRef, MultipartView, PartView,
    Provider, Session, SessionStore, UploadOptions, UploadResponse, UploadSource,
};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The size the hostile service says its file has.
const SIZE: u64 = 20 * MIB as u64;

/// What the hostile service saw.
#[derive(Default)]
struct Seen {
    base: String,
    deletes: AtomicUsize,
    storage_puts: AtomicUsize,
    download_urls: AtomicUsize,
}

/// A hostile service on a free port, and a client logged in to it (a stored session: tokens are
/// never checked here).
async fn hostile() -> (Client, Arc<Seen>, tempfile::TempDir) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Seen { base: base.clone(), ..Seen::default() });
    let app = Router::new()
        .route("/files/upload-url", post(plan_of_a_terabyte))
        .route("/files/{id}", get(file).merge(delete(deleted)))
        .route("/files/{id}/download-url", get(download_url))
        .route("/object", get(object_larger_than_the_file).put(stored))
        .route("/expiring", get(expiring_object))
        .route("/links/{token}", get(huge_link_info))
        .route("/links/{token}/redeem", post(long_refusal))
        .with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = tempfile::tempdir().expect("config");
    let store = SessionStore::new(Some(config.path().to_owned())).expect("store");
    let session = Session {
        username: "victim".into(),
        user_id: "u-victim".into(),
        access_token: "access".into(),
        refresh_token: "refresh".into(),
        expires_at: Utc::now().timestamp() + 3600,
        provider: Provider::Local,
    };
    store.save(&base, &session).expect("save");
    let client = Client::builder(&base).session_store(store).build().expect("client");
    (client, seen, config)
}

/// A multipart plan whose one part is a terabyte, for a file of [`SIZE`] bytes.
async fn plan_of_a_terabyte(State(seen): State<Arc<Seen>>) -> Response {
    let part = PartView { part_number: 1, size: 1 << 40, url: format!("{}/object", seen.base) };
    let plan = MultipartView { upload_id: "u".into(), part_size: 1 << 40, parts: vec![part] };
    let ticket = UploadResponse { file_id: "f1".into(), upload: None, multipart: Some(plan), expires_at: Utc::now() };
    (StatusCode::CREATED, Json(ticket)).into_response()
}

async fn deleted(State(seen): State<Arc<Seen>>) -> StatusCode {
    seen.deletes.fetch_add(1, Ordering::SeqCst);
    StatusCode::NO_CONTENT
}

async fn stored(State(seen): State<Arc<Seen>>) -> StatusCode {
    seen.storage_puts.fetch_add(1, Ordering::SeqCst);
    StatusCode::OK
}

/// A file of [`SIZE`] bytes — or, as `empty`, of none.
async fn file(Path(id): Path<String>) -> Json<FileView> {
    Json(FileView {
        size: if id == "empty" { 0 } else { SIZE },
        file_id: id,
        owner: "u-victim".into(),
        owner_name: None,
        name: "big.bin".into(),
        content_type: "application/octet-stream".into(),
        status: FileStatus::Available,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        access: Access::Owner,
        shared_with: None,
        shares_next_cursor: None,
        share_expires_at: None,
    })
}

async fn download_url(State(seen): State<Arc<Seen>>, Path(id): Path<String>) -> Response {
    let url = |path: &str| {
        Json(json!({ "url": format!("{}{path}", seen.base), "expires_at": Utc::now() + chrono::Duration::minutes(5) }))
    };
    if id != "renewing" {
        return url("/object").into_response();
    }
    // The first URL, then a moment of unavailability, then a fresh URL.
    match seen.download_urls.fetch_add(1, Ordering::SeqCst) {
        0 => url("/expiring?v=1").into_response(),
        1 => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": 503, "detail": "try again" }))).into_response(),
        _ => url("/expiring?v=2").into_response(),
    }
}

/// Storage whose first URL lapses after the one-byte probe (a URL outlived by its download).
async fn expiring_object(Query(query): Query<HashMap<String, String>>, headers: HeaderMap) -> Response {
    let range = headers.get(header::RANGE).and_then(|r| r.to_str().ok()).unwrap_or_default().to_owned();
    if query.get("v").map(String::as_str) == Some("1") && range != "bytes=0-0" {
        return (StatusCode::FORBIDDEN, "<Error><Message>Request has expired</Message></Error>").into_response();
    }
    served_range(&range, SIZE)
}

/// The range `bytes=first-last` of an object of `total` zero bytes.
fn served_range(range: &str, total: u64) -> Response {
    let (first, last) = range.trim_start_matches("bytes=").split_once('-').expect("a range");
    let (first, last): (u64, u64) = (first.parse().expect("first"), last.parse().expect("last"));
    let content_range = format!("bytes {first}-{last}/{total}");
    let body = vec![0u8; (last - first + 1) as usize];
    (StatusCode::PARTIAL_CONTENT, [(header::CONTENT_RANGE, content_range)], body).into_response()
}

/// Storage whose object is longer than the file the service describes: ranges say so.
async fn object_larger_than_the_file(headers: HeaderMap) -> Response {
    let total = SIZE + 7;
    match headers.get(header::RANGE).and_then(|r| r.to_str().ok()) {
        Some(range) => served_range(range, total),
        None => vec![0u8; total as usize].into_response(),
    }
}

/// A link whose description is valid JSON, and 17 MiB of it.
async fn huge_link_info() -> Json<serde_json::Value> {
    Json(json!({
        "link_id": "f1-t", "name": "x".repeat(17 * MIB), "size": 1, "content_type": "text/plain",
        "password_required": false,
    }))
}

/// A refusal with a megabyte of words.
async fn long_refusal() -> Response {
    let problem = json!({ "type": "about:blank", "title": "Forbidden", "status": 403, "detail": "x".repeat(MIB) });
    (StatusCode::FORBIDDEN, Json(problem)).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_plan_that_does_not_make_the_file_is_not_followed() {
    let (client, seen, _config) = hostile().await;
    let reader = std::io::Cursor::new(vec![7u8; SIZE as usize]);
    let upload = client.upload(UploadSource::reader("big.bin", SIZE, reader), &UploadOptions::default()).await;
    assert!(matches!(upload, Err(Error::UnexpectedResponse(_))), "{upload:?}");
    assert_eq!(seen.storage_puts.load(Ordering::SeqCst), 0, "nothing sent");
    assert_eq!(seen.deletes.load(Ordering::SeqCst), 1, "the pending upload is deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_holding_more_than_the_file_is_an_error_not_a_cut_file() {
    let (client, _seen, _config) = hostile().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let download = client.download("big", Destination::path(dir.path()), &DownloadOptions::default()).await;
    let error = download.expect_err("the object is not the file");
    assert!(error.to_string().contains(&format!("holds {} bytes", SIZE + 7)), "{error}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "no file, no temporary file");

    // A file said to be empty, whose object is not: an error too (in one GET: no ranges of nothing).
    let empty = client.download("empty", Destination::path(dir.path()), &DownloadOptions::default()).await;
    assert!(matches!(empty, Err(Error::UnexpectedResponse(_))), "{empty:?}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "no file, no temporary file");
}

/// Not hostile, merely busy: a URL renewal the API cannot answer at once is tried again, as any
/// transient failure of a range is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_the_api_cannot_answer_at_once_is_tried_again() {
    let (client, seen, _config) = hostile().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let download = client.download("renewing", Destination::path(dir.path()), &DownloadOptions::default()).await;
    let path = download.expect("downloaded").expect("a file");
    assert_eq!(std::fs::metadata(path).expect("file").len(), SIZE);
    assert_eq!(seen.download_urls.load(Ordering::SeqCst), 3, "the first URL, a refusal, a fresh URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_host_cannot_flood_the_client_or_read_its_token_in_errors() {
    let (client, seen, _config) = hostile().await;
    let link: LinkRef = format!("{}/l/ID.SECRET", seen.base).parse().expect("link");
    let flood = client.link_info(&link).await.map(|info| info.name.len()).expect_err("17 MiB of JSON");
    assert!(flood.to_string().contains("over 16 MiB"), "{flood}");
    assert!(!flood.to_string().contains("SECRET"), "{flood}");

    let refused = client.redeem_link(&link, None).await.expect_err("refused");
    assert!(refused.to_string().len() <= 300, "a refusal's words are cut: {} bytes", refused.to_string().len());

    let nowhere: LinkRef = "http://127.0.0.1:1/l/ID.SECRET".parse().expect("link");
    let unreachable = client.link_info(&nowhere).await.expect_err("nothing listens");
    assert!(matches!(unreachable, Error::Network { .. }), "{unreachable:?}");
    assert!(!format!("{unreachable} {unreachable:?}").contains("SECRET"), "{unreachable:?}");
}
