//! The rules of an upload's life, in the [`rules`](super::rules) suite: completing it (too early,
//! with the wrong size, twice, concurrently), single and multipart flows end to end, immutability
//! once completed, and what becomes of bytes that no record owns.

use super::rules::{service, service_with, uploaded, Service};
use super::{random_user, RulesHarness};
use crate::domain::{FileStatus, UserId};
use crate::service::{Config, UploadRequest, UploadTarget};
use crate::store::CompletedPart;
use crate::{assert_error, ok};
use bytes::Bytes;
use std::time::Duration;

/// No headers: what a part upload sends.
fn no_headers() -> std::collections::BTreeMap<String, String> {
    std::collections::BTreeMap::new()
}

/// - Completing an upload whose bytes are missing → `Conflict`; the file stays pending.
pub async fn completing_before_the_bytes_arrive_conflicts(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("a.txt", 10, "text/plain")).await);
    assert_error!(s.complete_upload(&alice, &ticket.file.id, &[]).await, Conflict);
    assert_eq!(ok!(s.get_file(&alice, &ticket.file.id).await).file.status, FileStatus::Pending);
}

/// - Completing with bytes of the wrong size → `Conflict`; the file stays pending.
pub async fn completing_with_the_wrong_size_conflicts(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("a.txt", 10, "text/plain")).await);
    let file = &ticket.file;
    ok!(h.files.put(&file.key(), &file.into(), Bytes::from_static(b"short")).await);
    assert_error!(s.complete_upload(&alice, &file.id, &[]).await, Conflict);
    assert_eq!(ok!(s.get_file(&alice, &file.id).await).file.status, FileStatus::Pending);
}

/// - Completing twice returns the same available file.
pub async fn completing_twice_is_idempotent(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = uploaded(&s, &alice, "a.txt").await;
    assert_eq!(ok!(s.complete_upload(&alice, &file.id, &[]).await), file);
}

/// - create upload → PUT the bytes → complete → a grantee downloads the exact bytes.
pub async fn single_upload_flow_end_to_end(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let data = Bytes::from(vec![42u8; 123_456]);
    let request = UploadRequest::new("report — final.pdf", data.len() as u64, "application/pdf");
    let ticket = ok!(s.create_upload(&alice, request).await);
    let UploadTarget::Single(upload) = &ticket.target else { panic!("expected a single upload") };
    ok!(h.transport.put(&upload.url, &upload.headers, data.clone()).await);
    let file = ok!(s.complete_upload(&alice, &ticket.file.id, &[]).await);
    assert_eq!(file.status, FileStatus::Available);
    ok!(s.share(&alice, &file.id, &bob, None).await);
    let url = ok!(s.download_url(&bob, &file.id, None).await);
    let fetched = ok!(h.transport.get(&url.url).await);
    assert_eq!(fetched.body, data);
    assert_eq!(fetched.content_type, "application/pdf");
    assert!(fetched.content_disposition.contains("filename*=UTF-8''report%20%E2%80%94%20final.pdf"));
}

/// - Once completed, a file's bytes never change: replaying its upload URL is refused, and a
///   grantee downloads exactly the bytes that were completed.
pub async fn completed_files_are_immutable(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let (original, forged) = (Bytes::from(vec![1u8; 5000]), Bytes::from(vec![2u8; 5000]));
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("a.bin", 5000, "application/octet-stream")).await);
    let UploadTarget::Single(upload) = &ticket.target else { panic!("expected a single upload") };
    ok!(h.transport.put(&upload.url, &upload.headers, original.clone()).await);
    let file = ok!(s.complete_upload(&alice, &ticket.file.id, &[]).await);
    ok!(s.share(&alice, &file.id, &bob, None).await);
    assert!(h.transport.put(&upload.url, &upload.headers, forged.clone()).await.is_err(), "the replay is refused");
    assert_error!(h.files.put(&file.key(), &(&file).into(), forged).await, AlreadyExists);
    let fetched = ok!(h.transport.get(&ok!(s.download_url(&bob, &file.id, None).await).url).await);
    assert_eq!(fetched.body, original, "the grantee gets the completed bytes");
}

/// - Bytes that arrive for a deleted upload (its URL used after the delete) are removed when
///   storage reports them, and confirm nothing.
pub async fn bytes_sent_after_a_delete_are_removed(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("late.txt", 4, "text/plain")).await);
    let UploadTarget::Single(upload) = &ticket.target else { panic!("expected a single upload") };
    ok!(s.delete(&alice, &ticket.file.id).await);
    let key = ticket.file.key();
    // Stateless storage (S3) cannot revoke a URL it signed: the bytes land, and its event reports them.
    if h.transport.put(&upload.url, &upload.headers, Bytes::from_static(b"late")).await.is_ok() {
        assert_eq!(ok!(s.confirm_uploaded_object(&key, 4, None).await), None);
    }
    assert_eq!(ok!(h.files.head(&key).await), None, "no bytes without a record");
}

/// - A multipart upload: PUT every part, complete with the ETags, download the exact bytes.
pub async fn multipart_upload_flow_end_to_end(h: &RulesHarness) {
    let min_part = 5 * 1024 * 1024;
    let s = service_with(h, Config { min_part_size: min_part, ..Config::default() });
    let alice = random_user("alice");
    let data: Bytes = (0..min_part + 4321).map(|i| (i % 251) as u8).collect::<Vec<u8>>().into();
    let request = UploadRequest {
        multipart: true,
        ..UploadRequest::new("big.bin", data.len() as u64, "application/octet-stream")
    };
    let ticket = ok!(s.create_upload(&alice, request).await);
    let UploadTarget::Multipart { parts, .. } = &ticket.target else { panic!("expected a multipart upload") };
    assert_eq!(parts.iter().map(|p| p.size).sum::<u64>(), data.len() as u64);
    let id = ticket.file.id;
    assert_error!(s.complete_upload(&alice, &id, &[]).await, InvalidInput);
    let mut completed = Vec::new();
    let mut offset = 0;
    for part in parts {
        let end = offset + usize::try_from(part.size).unwrap_or(usize::MAX);
        let etag = ok!(h.transport.put(&part.url, &no_headers(), data.slice(offset..end)).await);
        completed.push(CompletedPart { part_number: part.part_number, etag });
        offset = end;
    }
    assert_error!(s.complete_upload(&alice, &id, &completed[..1]).await, InvalidInput);
    let reversed: Vec<_> = completed.iter().rev().cloned().collect();
    assert_error!(s.complete_upload(&alice, &id, &reversed).await, InvalidInput);
    if h.capabilities.verifies_multipart_completion {
        let mut wrong_etag = completed.clone();
        wrong_etag[0].etag = "\"0000\"".into();
        assert_error!(s.complete_upload(&alice, &id, &wrong_etag).await, Conflict);
    } else {
        super::StoreCapabilities::skip("completing with a wrong ETag");
    }
    let file = ok!(s.complete_upload(&alice, &id, &completed).await);
    assert_eq!(file.status, FileStatus::Available);
    let fetched = ok!(h.transport.get(&ok!(s.download_url(&alice, &id, None).await).url).await);
    assert!(fetched.body == data, "multipart bytes differ");
}

/// - Completions of one multipart upload racing each other, or repeated after it succeeded, all
///   answer the available file, and its bytes are the parts'.
pub async fn completing_concurrently_or_again_finishes_once(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let request = UploadRequest { multipart: true, ..UploadRequest::new("big.bin", 3000, "application/octet-stream") };
    let ticket = ok!(s.create_upload(&alice, request).await);
    let UploadTarget::Multipart { parts, .. } = &ticket.target else { panic!("expected multipart") };
    let data = Bytes::from(vec![9u8; 3000]);
    let etag = ok!(h.transport.put(&parts[0].url, &no_headers(), data.clone()).await);
    let completed = [CompletedPart { part_number: 1, etag }];
    let id = ticket.file.id;
    let (first, second) =
        tokio::join!(s.complete_upload(&alice, &id, &completed), s.complete_upload(&alice, &id, &completed));
    assert_eq!(ok!(first).status, FileStatus::Available);
    assert_eq!(ok!(second).status, FileStatus::Available);
    assert_eq!(ok!(s.complete_upload(&alice, &id, &completed).await).status, FileStatus::Available);
    assert_eq!(ok!(s.get_bytes(&alice, &id).await).1, data);
}

/// - Deleting a pending multipart upload aborts it: its parts can no longer be completed.
pub async fn deleting_a_pending_multipart_upload_aborts_it(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let request = UploadRequest { multipart: true, ..UploadRequest::new("big.bin", 2048, "application/octet-stream") };
    let ticket = ok!(s.create_upload(&alice, request).await);
    let UploadTarget::Multipart { upload_id, parts, .. } = &ticket.target else { panic!("expected multipart") };
    let etag = ok!(h.transport.put(&parts[0].url, &no_headers(), Bytes::from(vec![1u8; 2048])).await);
    ok!(s.delete(&alice, &ticket.file.id).await);
    let key = ticket.file.key();
    let part = CompletedPart { part_number: 1, etag };
    assert!(h.files.complete_multipart(&key, upload_id, &[part]).await.is_err());
    assert_eq!(ok!(h.files.head(&key).await), None);
}

/// An upload whose bytes arrived but which was never completed.
async fn bytes_sent(h: &RulesHarness, s: &Service, owner: &UserId, name: &str) -> crate::FileRecord {
    let file = ok!(s.create_upload(owner, UploadRequest::new(name, 4, "text/plain")).await).file;
    ok!(h.files.put(&file.key(), &(&file).into(), Bytes::from_static(b"late")).await);
    file
}

/// - Discarding an abandoned upload removes its bytes and record once it is long expired or its
///   record is gone; available files and uploads still in time are never touched.
pub async fn abandoned_uploads_are_discarded_and_live_files_never(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let live = uploaded(&s, &alice, "live.txt").await;
    assert!(!ok!(s.discard_abandoned_upload(&live.key(), None).await), "an available file is live");
    assert_eq!(ok!(s.get_bytes(&alice, &live.id).await).1, Bytes::from("contents of live.txt"));

    let (abandoned, in_time) =
        (bytes_sent(h, &s, &alice, "abandoned.txt").await, bytes_sent(h, &s, &alice, "in-time.txt").await);
    h.clock.advance(s.config().pending_ttl - Duration::from_secs(60));
    assert!(!ok!(s.discard_abandoned_upload(&in_time.key(), None).await), "not expired yet");
    ok!(s.complete_upload(&alice, &in_time.id, &[]).await);

    h.clock.advance(Duration::from_secs(60 + 5 * 60 + 1));
    assert!(ok!(s.discard_abandoned_upload(&abandoned.key(), None).await));
    assert_eq!(ok!(h.files.head(&abandoned.key()).await), None);
    assert!(ok!(h.metadata.get_file(&abandoned.id, &alice).await).is_none(), "record removed");
    // Record already gone (on AWS, TTL deleted it): the bytes still go; repeating is harmless.
    ok!(h.files.put(&abandoned.key(), &(&abandoned).into(), Bytes::from_static(b"late")).await);
    assert!(ok!(s.discard_abandoned_upload(&abandoned.key(), None).await));
    assert_eq!(ok!(h.files.head(&abandoned.key()).await), None);
    assert!(ok!(s.discard_abandoned_upload(&abandoned.key(), None).await));
    assert!(!ok!(s.discard_abandoned_upload(&in_time.key(), None).await), "completed in time");
    assert_eq!(ok!(s.get_bytes(&alice, &in_time.id).await).1, Bytes::from_static(b"late"));
}
