//! The [`FileStore`](crate::FileStore) conformance suite: one test per `# Behavior` bullet.

use super::{random_user, FileStoreHarness, StoreCapabilities};
use crate::domain::{content_disposition, ContentType, FileId, FileName, ObjectKey};
use crate::store::{
    header_names, CompletedPart, DownloadRequest, ObjectHeaders, PartRequest, PresignedUpload, UploadPolicy,
};
use crate::{assert_error, ok};
use bytes::Bytes;
use chrono::{TimeDelta, Utc};
use std::collections::BTreeMap;

/// Generates the suite's tests for a harness factory: `file_store_conformance!(make_harness);`.
#[macro_export]
macro_rules! file_store_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            file_store,
            [
                put_then_get_returns_the_bytes,
                put_never_replaces_an_object,
                get_of_a_missing_object_is_not_found,
                head_reports_size_then_none_after_delete,
                delete_is_idempotent,
                upload_stores_the_object,
                upload_stores_an_object_once,
                upload_refuses_another_key_or_size,
                upload_refuses_a_changed_or_missing_header,
                upload_refuses_a_body_too_large,
                upload_refuses_a_body_too_small,
                upload_refuses_an_expired_url,
                upload_refuses_a_tampered_signature,
                download_url_serves_bytes_with_signed_headers,
                download_url_refuses_expiry_and_tampering,
                download_expiry_is_never_later_than_requested,
                multipart_assembles_parts_in_order,
                multipart_object_is_invisible_until_complete,
                multipart_refuses_missing_parts_and_wrong_etags,
                multipart_abort_discards_and_is_idempotent,
                part_url_refuses_expiry_tampering_and_wrong_size,
                part_url_dies_with_its_upload,
                multipart_completion_never_replaces_an_object,
            ]
        );
    };
}

const MIB: usize = 1024 * 1024;

fn new_key() -> ObjectKey {
    ObjectKey::for_file(&random_user("fs"), &FileId::generate(Utc::now()))
}

/// Headers for an object: its content type and the name it is saved under.
fn headers(content_type: &str, filename: &str) -> ObjectHeaders {
    ObjectHeaders { content_type: ok!(ContentType::new(content_type)), filename: ok!(FileName::new(filename)) }
}

fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect::<Vec<u8>>().into()
}

async fn presign_upload(h: &FileStoreHarness, key: &ObjectKey, size: u64) -> PresignedUpload {
    let policy = UploadPolicy {
        key: key.clone(),
        headers: headers("text/plain", "notes  “2026”.txt"),
        size,
        expires_at: h.clock.now_plus(TimeDelta::minutes(15)),
    };
    ok!(h.store.presign_upload(&policy).await)
}

/// No headers: what a part upload sends.
fn no_headers() -> BTreeMap<String, String> {
    BTreeMap::new()
}

async fn assert_absent(h: &FileStoreHarness, key: &ObjectKey) {
    assert_eq!(ok!(h.store.head(key).await), None, "{key} must not exist");
}

/// Flips the first hex digit after `marker` in `s`.
fn flip_after(s: &str, marker: &str) -> String {
    let at = s.find(marker).unwrap_or_else(|| panic!("{marker} not in {s}")) + marker.len();
    let mut out = s.to_owned();
    let c = if s[at..].starts_with('0') { "1" } else { "0" };
    out.replace_range(at..at + 1, c);
    out
}

/// - Returns exactly the bytes last stored; `size` equals the data length.
pub async fn put_then_get_returns_the_bytes(h: &FileStoreHarness) {
    let key = new_key();
    let data = pattern(70_000, 1);
    let meta = ok!(h.store.put(&key, &headers("application/octet-stream", "object.bin"), data.clone()).await);
    assert_eq!(meta.size, data.len() as u64);
    assert_eq!(ok!(h.store.get(&key).await), data);
}

/// - An existing object is never replaced: `AlreadyExists`, and the object keeps its bytes.
pub async fn put_never_replaces_an_object(h: &FileStoreHarness) {
    let key = new_key();
    let data = pattern(1000, 1);
    ok!(h.store.put(&key, &headers("application/octet-stream", "object.bin"), data.clone()).await);
    let again = h.store.put(&key, &headers("application/octet-stream", "object.bin"), pattern(10, 2)).await;
    assert_error!(again, AlreadyExists);
    assert_eq!(ok!(h.store.get(&key).await), data, "the first bytes stay");
}

/// - A missing key is `NotFound`.
pub async fn get_of_a_missing_object_is_not_found(h: &FileStoreHarness) {
    assert_error!(h.store.get(&new_key()).await, NotFound);
}

/// - `head` returns the size after an upload and `None` after `delete`.
pub async fn head_reports_size_then_none_after_delete(h: &FileStoreHarness) {
    let key = new_key();
    assert_absent(h, &key).await;
    ok!(h.store.put(&key, &headers("text/plain", "object.bin"), pattern(4096, 3)).await);
    let meta = ok!(h.store.head(&key).await).unwrap_or_else(|| panic!("head after put"));
    assert_eq!((meta.size, &meta.key), (4096, &key));
    ok!(h.store.delete(&key).await);
    assert_absent(h, &key).await;
}

/// - Deleting a missing object succeeds.
pub async fn delete_is_idempotent(h: &FileStoreHarness) {
    let key = new_key();
    ok!(h.store.delete(&key).await);
    ok!(h.store.put(&key, &headers("text/plain", "object.bin"), pattern(1, 4)).await);
    ok!(h.store.delete(&key).await);
    ok!(h.store.delete(&key).await);
}

/// - Uploading to the URL with its headers unchanged stores the object.
pub async fn upload_stores_the_object(h: &FileStoreHarness) {
    let key = new_key();
    let data = pattern(100_000, 5);
    let upload = presign_upload(h, &key, data.len() as u64).await;
    assert_eq!(upload.headers[header_names::IF_NONE_MATCH], "*");
    ok!(h.transport.put(&upload.url, &upload.headers, data.clone()).await);
    assert_eq!(ok!(h.store.get(&key).await), data);
}

/// - Once the object exists, uploading again (a replay, with other bytes) is refused and the
///   object keeps its bytes; so is a direct `put`.
pub async fn upload_stores_an_object_once(h: &FileStoreHarness) {
    let key = new_key();
    let (first, second) = (pattern(1000, 20), pattern(1000, 21));
    let upload = presign_upload(h, &key, 1000).await;
    ok!(h.transport.put(&upload.url, &upload.headers, first.clone()).await);
    assert!(h.transport.put(&upload.url, &upload.headers, second.clone()).await.is_err(), "a replay is refused");
    let fresh = presign_upload(h, &key, 1000).await;
    assert!(h.transport.put(&fresh.url, &fresh.headers, second).await.is_err(), "so is a new URL for the key");
    assert_eq!(ok!(h.store.get(&key).await), first, "the first bytes stay");
}

/// - A URL altered to name another key or another size is refused; neither key is written.
pub async fn upload_refuses_another_key_or_size(h: &FileStoreHarness) {
    let (key, other) = (new_key(), new_key());
    let upload = presign_upload(h, &key, 10).await;
    let elsewhere = upload.url.replace(key.as_str(), other.as_str());
    assert_ne!(elsewhere, upload.url);
    assert!(h.transport.put(&elsewhere, &upload.headers, pattern(10, 6)).await.is_err());
    assert_absent(h, &key).await;
    assert_absent(h, &other).await;
}

/// - A changed `Content-Type`, or a missing signed header (`If-None-Match` among them), is refused.
pub async fn upload_refuses_a_changed_or_missing_header(h: &FileStoreHarness) {
    let key = new_key();
    let upload = presign_upload(h, &key, 10).await;
    let mut html = upload.headers.clone();
    html.insert(header_names::CONTENT_TYPE.into(), "text/html".into());
    assert!(h.transport.put(&upload.url, &html, pattern(10, 7)).await.is_err(), "another content type");
    for name in [header_names::IF_NONE_MATCH, header_names::CONTENT_DISPOSITION] {
        let mut missing = upload.headers.clone();
        missing.remove(name);
        assert!(h.transport.put(&upload.url, &missing, pattern(10, 7)).await.is_err(), "without {name}");
    }
    assert_absent(h, &key).await;
}

/// - A body larger than signed is refused and stores nothing.
pub async fn upload_refuses_a_body_too_large(h: &FileStoreHarness) {
    let key = new_key();
    let upload = presign_upload(h, &key, 1000).await;
    assert!(h.transport.put(&upload.url, &upload.headers, pattern(1001, 8)).await.is_err());
    assert!(h.transport.put(&upload.url, &upload.headers, pattern(2 * MIB, 8)).await.is_err());
    assert_absent(h, &key).await;
}

/// - A body smaller than signed is refused and stores nothing.
pub async fn upload_refuses_a_body_too_small(h: &FileStoreHarness) {
    let key = new_key();
    let upload = presign_upload(h, &key, 1000).await;
    assert!(h.transport.put(&upload.url, &upload.headers, pattern(999, 9)).await.is_err());
    assert_absent(h, &key).await;
}

/// - An expired URL is refused.
pub async fn upload_refuses_an_expired_url(h: &FileStoreHarness) {
    let key = new_key();
    h.clock.set(Utc::now() - TimeDelta::hours(2));
    let upload = presign_upload(h, &key, 10).await; // valid for 15 minutes, two hours ago
    h.clock.set(Utc::now());
    assert!(h.transport.put(&upload.url, &upload.headers, pattern(10, 10)).await.is_err());
    assert_absent(h, &key).await;
}

/// - An altered signature is refused.
pub async fn upload_refuses_a_tampered_signature(h: &FileStoreHarness) {
    let key = new_key();
    let upload = presign_upload(h, &key, 10).await;
    assert!(h.transport.put(&flip_after(&upload.url, "Signature="), &upload.headers, pattern(10, 11)).await.is_err());
    assert_absent(h, &key).await;
}

fn download_request(h: &FileStoreHarness, key: &ObjectKey, name: &str, minutes: i64) -> DownloadRequest {
    DownloadRequest {
        key: key.clone(),
        headers: headers("application/pdf", name),
        expires_at: h.clock.now_plus(TimeDelta::minutes(minutes)),
        viewer: None,
    }
}

/// - The response carries the bytes, the requested `Content-Type` and an RFC 6266 `Content-Disposition`
///   (requested = stored at upload, as in every `FileShare` flow).
pub async fn download_url_serves_bytes_with_signed_headers(h: &FileStoreHarness) {
    let key = new_key();
    let data = pattern(300_000, 12);
    let name = "résumé 2026 — 東京.pdf";
    let request = download_request(h, &key, name, 5);
    ok!(h.store.put(&key, &request.headers, data.clone()).await);
    let url = ok!(h.store.presign_download(&request).await);
    assert_eq!(url.method, "GET");
    let fetched = ok!(h.transport.get(&url.url).await);
    assert_eq!(fetched.body, data);
    assert_eq!(fetched.content_type, "application/pdf");
    assert_eq!(fetched.content_disposition, content_disposition(&ok!(FileName::new(name))));
}

/// - The URL is refused after expiry, or if its key or signature is altered.
pub async fn download_url_refuses_expiry_and_tampering(h: &FileStoreHarness) {
    let (key, other) = (new_key(), new_key());
    for k in [&key, &other] {
        ok!(h.store.put(k, &headers("text/plain", "object.bin"), pattern(10, 13)).await);
    }
    let url = ok!(h.store.presign_download(&download_request(h, &key, "a.pdf", 5)).await).url;
    ok!(h.transport.get(&url).await);
    let other_object = url.replace(key.as_str(), other.as_str());
    assert!(h.transport.get(&other_object).await.is_err(), "signature must bind the key");
    assert!(h.transport.get(&flip_after(&url, "Signature=")).await.is_err());
    assert!(h.transport.get(&url.replace("application%2Fpdf", "text%2Fhtml")).await.is_err());

    h.clock.set(Utc::now() - TimeDelta::hours(2));
    let old = ok!(h.store.presign_download(&download_request(h, &key, "a.pdf", 5)).await).url;
    h.clock.set(Utc::now());
    assert!(h.transport.get(&old).await.is_err(), "expired URL must be refused");
}

/// - The returned `expires_at` is never later than requested.
pub async fn download_expiry_is_never_later_than_requested(h: &FileStoreHarness) {
    let request = download_request(h, &new_key(), "a.pdf", 5);
    let url = ok!(h.store.presign_download(&request).await);
    assert!(url.expires_at <= request.expires_at);
    assert!(url.expires_at > h.clock.now_plus(TimeDelta::minutes(4)));
}

async fn upload_part(h: &FileStoreHarness, key: &ObjectKey, upload_id: &str, n: u32, data: Bytes) -> CompletedPart {
    let request = PartRequest {
        key: key.clone(),
        upload_id: upload_id.to_owned(),
        part_number: n,
        size: data.len() as u64,
        expires_at: h.clock.now_plus(TimeDelta::minutes(15)),
    };
    let url = ok!(h.store.presign_part(&request).await);
    assert_eq!(url.method, "PUT");
    CompletedPart { part_number: n, etag: ok!(h.transport.put(&url.url, &no_headers(), data).await) }
}

/// - The object is the parts concatenated in part-number order, whatever the upload order.
pub async fn multipart_assembles_parts_in_order(h: &FileStoreHarness) {
    let key = new_key();
    let (first, second) = (pattern(5 * MIB, 14), pattern(1024, 15));
    let upload_id = ok!(h.store.create_multipart(&key, &headers("application/zip", "object.bin")).await);
    let p2 = upload_part(h, &key, &upload_id, 2, second.clone()).await;
    let p1 = upload_part(h, &key, &upload_id, 1, first.clone()).await;
    ok!(h.store.complete_multipart(&key, &upload_id, &[p1, p2]).await);
    let size = ok!(h.store.head(&key).await).map(|m| m.size);
    assert_eq!(size, Some((first.len() + second.len()) as u64));
    let got = ok!(h.store.get(&key).await);
    assert!(
        got.len() == first.len() + second.len() && got[..first.len()] == first[..] && got[first.len()..] == second[..]
    );
}

/// - Nothing is visible under the key until completion.
pub async fn multipart_object_is_invisible_until_complete(h: &FileStoreHarness) {
    let key = new_key();
    let upload_id = ok!(h.store.create_multipart(&key, &headers("application/zip", "object.bin")).await);
    upload_part(h, &key, &upload_id, 1, pattern(1024, 16)).await;
    assert_absent(h, &key).await;
    ok!(h.store.abort_multipart(&key, &upload_id).await);
}

/// - A missing part or a wrong ETag is refused with `Conflict` and stores nothing.
pub async fn multipart_refuses_missing_parts_and_wrong_etags(h: &FileStoreHarness) {
    if !h.capabilities.verifies_multipart_completion {
        return StoreCapabilities::skip("completing with a wrong ETag or a missing part");
    }
    let key = new_key();
    let upload_id = ok!(h.store.create_multipart(&key, &headers("application/zip", "object.bin")).await);
    let p1 = upload_part(h, &key, &upload_id, 1, pattern(5 * MIB, 17)).await;
    let wrong = CompletedPart { part_number: 1, etag: "\"0123456789abcdef0123456789abcdef\"".into() };
    assert_error!(h.store.complete_multipart(&key, &upload_id, &[wrong]).await, Conflict);
    let missing = CompletedPart { part_number: 2, etag: p1.etag.clone() };
    assert_error!(h.store.complete_multipart(&key, &upload_id, &[p1.clone(), missing]).await, Conflict);
    assert_absent(h, &key).await;
    ok!(h.store.complete_multipart(&key, &upload_id, &[p1]).await);
}

/// - Abort frees the upload (completing it afterwards fails) and is idempotent.
pub async fn multipart_abort_discards_and_is_idempotent(h: &FileStoreHarness) {
    let key = new_key();
    let upload_id = ok!(h.store.create_multipart(&key, &headers("application/zip", "object.bin")).await);
    let p1 = upload_part(h, &key, &upload_id, 1, pattern(1024, 18)).await;
    ok!(h.store.abort_multipart(&key, &upload_id).await);
    if h.capabilities.unknown_upload_is_not_found {
        ok!(h.store.abort_multipart(&key, &upload_id).await);
    } else {
        StoreCapabilities::skip("aborting an upload twice");
    }
    assert!(h.store.complete_multipart(&key, &upload_id, &[p1]).await.is_err());
    assert_absent(h, &key).await;
}

/// - A part URL is refused after expiry, if altered, or with a body of the wrong size.
pub async fn part_url_refuses_expiry_tampering_and_wrong_size(h: &FileStoreHarness) {
    let key = new_key();
    let upload_id = ok!(h.store.create_multipart(&key, &headers("application/zip", "object.bin")).await);
    let request = |minutes| PartRequest {
        key: key.clone(),
        upload_id: upload_id.clone(),
        part_number: 1,
        size: 1024,
        expires_at: h.clock.now_plus(TimeDelta::minutes(minutes)),
    };
    let url = ok!(h.store.presign_part(&request(15)).await).url;
    let none = no_headers();
    assert!(h.transport.put(&url, &none, pattern(1025, 19)).await.is_err(), "too large");
    assert!(h.transport.put(&url, &none, pattern(1023, 19)).await.is_err(), "too small");
    assert!(h.transport.put(&flip_after(&url, "Signature="), &none, pattern(1024, 19)).await.is_err());
    assert!(h.transport.put(&url.replace("partNumber=1", "partNumber=2"), &none, pattern(1024, 19)).await.is_err());
    h.clock.set(Utc::now() - TimeDelta::hours(2));
    let old = ok!(h.store.presign_part(&request(15)).await).url;
    h.clock.set(Utc::now());
    assert!(h.transport.put(&old, &none, pattern(1024, 19)).await.is_err(), "expired");
    ok!(h.transport.put(&url, &none, pattern(1024, 19)).await);
    ok!(h.store.abort_multipart(&key, &upload_id).await);
}

/// - Once its upload is completed or aborted, a part URL is refused and stores nothing.
pub async fn part_url_dies_with_its_upload(h: &FileStoreHarness) {
    let headers = headers("application/zip", "object.bin");
    for complete in [true, false] {
        let key = new_key();
        let upload_id = ok!(h.store.create_multipart(&key, &headers).await);
        let request = |part_number| PartRequest {
            key: key.clone(),
            upload_id: upload_id.clone(),
            part_number,
            size: 1024,
            expires_at: h.clock.now_plus(TimeDelta::minutes(15)),
        };
        let (first, second) =
            (ok!(h.store.presign_part(&request(1)).await).url, ok!(h.store.presign_part(&request(2)).await).url);
        let etag = ok!(h.transport.put(&first, &no_headers(), pattern(1024, 22)).await);
        if complete {
            ok!(h.store.complete_multipart(&key, &upload_id, &[CompletedPart { part_number: 1, etag }]).await);
        } else {
            ok!(h.store.abort_multipart(&key, &upload_id).await);
        }
        for url in [&first, &second] {
            assert!(h.transport.put(url, &no_headers(), pattern(1024, 23)).await.is_err(), "complete={complete}");
        }
        assert!(h.store.complete_multipart(&key, &upload_id, &[]).await.is_err());
        let stored = ok!(h.store.head(&key).await).map(|m| m.size);
        assert_eq!(stored, complete.then_some(1024), "complete={complete}");
        if complete {
            assert_eq!(ok!(h.store.get(&key).await), pattern(1024, 22), "the completed bytes stay");
        }
    }
}

/// - Completing a multipart upload onto an existing object is refused; the object keeps its bytes.
pub async fn multipart_completion_never_replaces_an_object(h: &FileStoreHarness) {
    let key = new_key();
    let headers = headers("application/zip", "object.bin");
    let data = pattern(100, 24);
    let upload_id = ok!(h.store.create_multipart(&key, &headers).await);
    let part = upload_part(h, &key, &upload_id, 1, pattern(1024, 25)).await;
    ok!(h.store.put(&key, &headers, data.clone()).await);
    assert!(h.store.complete_multipart(&key, &upload_id, &[part]).await.is_err());
    assert_eq!(ok!(h.store.get(&key).await), data);
    ok!(h.store.abort_multipart(&key, &upload_id).await);
}
