//! Storage that fails, through a proxy in front of the local service that injects the failures
//! (presigned URLs point at it): transient failures are tried again — a whole upload, a part from
//! a file, a part from a reader (held in memory to be sent again), the completion — refusals are
//! not, and an upload that fails for good leaves nothing behind.

mod common;

use axum::http::{Method, StatusCode};
use common::{pattern, recorder, signed_in, MIB};
use fileshare_client::{Client, Destination, DownloadOptions, Error, ErrorKind, Progress, UploadOptions, UploadSource};
use fileshare_lambda::testing::{Fault, FlakyProxy, TestService};
use std::sync::Arc;

/// What identifies a single (whole-file) upload's PUT: parts' queries start with `uploadId`.
const SINGLE: &str = "?X-Fileshare-Size=";

async fn setup() -> (TestService, Arc<FlakyProxy>, Client) {
    let (service, proxy) = FlakyProxy::start(|config| config.user_rate = 1000.0).await;
    let (alice, _) = signed_in(&proxy.base, "alice").await;
    (service, proxy, alice)
}

fn in_parts(progress: Option<Progress>) -> UploadOptions {
    UploadOptions { multipart_threshold: 10 * MIB as u64, progress, ..UploadOptions::default() }
}

async fn round_trip(client: &Client, file_id: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("copy");
    client.download(file_id, Destination::path(&path), &DownloadOptions::default()).await.expect("download");
    std::fs::read(path).expect("read")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_and_the_bytes_arrive_intact() {
    let (_service, proxy, alice) = setup().await;
    let dir = tempfile::tempdir().expect("tempdir");

    // A file in parts: part 2 fails once, part 3 twice; progress gives back what a failed try sent.
    let big = pattern(20 * MIB + 9, 5);
    std::fs::write(dir.path().join("big.bin"), &big).expect("write");
    proxy.fail(Method::PUT, "partNumber=2&", StatusCode::SERVICE_UNAVAILABLE, 1);
    proxy.fail(Method::PUT, "partNumber=3&", StatusCode::INTERNAL_SERVER_ERROR, 2);
    let (progress, reports) = recorder();
    let file = alice.upload(UploadSource::path(dir.path().join("big.bin")), &in_parts(Some(progress))).await;
    let file = file.expect("uploaded despite the failures");
    assert_eq!(proxy.transfers_matching("PUT", "partNumber=1&"), 1);
    assert_eq!(proxy.transfers_matching("PUT", "partNumber=2&"), 2, "one retry");
    assert_eq!(proxy.transfers_matching("PUT", "partNumber=3&"), 3, "two retries");
    assert!(round_trip(&alice, &file.file_id).await == big, "bytes differ after retries");
    let reports = reports.lock().expect("lock").clone();
    assert!(reports.windows(2).any(|w| w[1].0 < w[0].0), "a failed try gave its bytes back");
    let size = big.len() as u64;
    assert_eq!(reports.last(), Some(&(size, size)), "ends at the size, counted once");

    // A reader in parts: its parts are held while in flight, so a failed one is sent again.
    let streamed = pattern(17 * MIB + 1, 6);
    proxy.fail(Method::PUT, "partNumber=2&", StatusCode::BAD_GATEWAY, 1);
    let reader = UploadSource::reader("stream.bin", streamed.len() as u64, std::io::Cursor::new(streamed.clone()));
    let file = alice.upload(reader, &UploadOptions::default()).await.expect("from a reader");
    assert!(round_trip(&alice, &file.file_id).await == streamed, "the reader's bytes, in order");

    // A single upload, stored but its answer lost: the retry hears 412 (stored once already) and completes.
    proxy.plan(Method::PUT, SINGLE, StatusCode::BAD_GATEWAY, Fault::LoseAnswer, 1);
    let lost = UploadSource::bytes("lost.txt", &b"stored, answer lost"[..]);
    let file = alice.upload(lost, &UploadOptions::default()).await.expect("completed");
    assert_eq!(proxy.transfers_matching("PUT", SINGLE), 2, "sent twice");
    assert_eq!(alice.download_bytes(&file.file_id).await.expect("read"), &b"stored, answer lost"[..]);

    // Completed, but the answer is lost: completing again (it is idempotent) finds the file whole,
    // which is kept — not deleted as a failed upload.
    let completions = proxy.transfers_matching("POST", "/complete");
    proxy.plan(Method::POST, "/complete", StatusCode::BAD_GATEWAY, Fault::LoseAnswer, 1);
    let kept = UploadSource::bytes("kept.txt", &b"completed, answer lost"[..]);
    let file = alice.upload(kept, &UploadOptions::default()).await.expect("completed");
    assert_eq!(proxy.transfers_matching("POST", "/complete"), completions + 2, "asked twice");
    assert_eq!(alice.download_bytes(&file.file_id).await.expect("kept"), &b"completed, answer lost"[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_final_persistent_failures_give_up_and_nothing_is_left() {
    let (_service, proxy, alice) = setup().await;
    let small = || UploadSource::bytes("small.txt", &b"never stored"[..]);

    proxy.fail(Method::PUT, SINGLE, StatusCode::FORBIDDEN, 1);
    let refused = alice.upload(small(), &UploadOptions::default()).await;
    assert!(matches!(refused, Err(Error::Storage { status: 403, .. })), "{refused:?}");
    assert_eq!(proxy.transfers_matching("PUT", SINGLE), 1, "a 403 is final");

    proxy.fail(Method::PUT, SINGLE, StatusCode::SERVICE_UNAVAILABLE, 3);
    let gave_up = alice.upload(small(), &UploadOptions::default()).await;
    assert_eq!(gave_up.expect_err("three failures").kind(), ErrorKind::Transient);
    assert_eq!(proxy.transfers_matching("PUT", SINGLE), 1 + 3, "three tries, then it gives up");

    proxy.fail(Method::PUT, "partNumber=1&", StatusCode::FORBIDDEN, 1);
    let parts = alice.upload(UploadSource::bytes("big.bin", pattern(11 * MIB, 1)), &in_parts(None)).await;
    assert_eq!(parts.expect_err("a refused part").kind(), ErrorKind::Forbidden);

    // Every failed upload was deleted: nothing pending holds the quota.
    let me = alice.me().await.expect("me");
    assert_eq!((me.usage.files, me.usage.bytes), (0, 0));
}

/// API Gateway's own answers (`{"message": …}`, no `Retry-After`): a throttled request is tried
/// again after a growing pause, whatever its method; a read the gateway timed out on too, a write
/// not (it may have been done); each refusal reads as the service's own, in words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_refusals_are_backed_off_and_said_in_words() {
    let (_service, proxy, alice) = setup().await;
    let file = alice.upload(UploadSource::bytes("a.txt", b"hello".to_vec()), &UploadOptions::default()).await;
    let file = file.expect("upload");

    proxy.plan(Method::GET, "/files?", StatusCode::TOO_MANY_REQUESTS, Fault::Gateway, 2);
    let listed = alice.list_all(fileshare_client::Scope::Owned).await.expect("listed after two throttles");
    assert_eq!(listed.len(), 1);
    assert_eq!(proxy.transfers_matching("GET", "/files?"), 3, "tried again twice");

    proxy.plan(Method::POST, "/share", StatusCode::TOO_MANY_REQUESTS, Fault::Gateway, 10);
    let throttled = alice.share(&file.file_id, &"nobody".into(), None).await.expect_err("throttled throughout");
    assert_eq!(throttled.kind(), ErrorKind::RateLimited);
    assert!(throttled.to_string().starts_with("The service is busy"), "{throttled}");
    assert_eq!(proxy.transfers_matching("POST", "/share"), 4, "the first try and three more, then it says so");

    proxy.plan(Method::GET, "/download-url", StatusCode::SERVICE_UNAVAILABLE, Fault::Gateway, 1);
    alice.download_url(&file.file_id, None).await.expect("a read the gateway timed out on is tried again");
    proxy.plan(Method::DELETE, &file.file_id, StatusCode::SERVICE_UNAVAILABLE, Fault::Gateway, 1);
    let timed_out = alice.delete_file(&file.file_id).await.expect_err("a write is not tried again");
    assert_eq!(timed_out.kind(), ErrorKind::Transient);
    assert!(timed_out.to_string().contains("did not answer in time"), "{timed_out}");

    proxy.plan(Method::POST, "/upload-url", StatusCode::PAYLOAD_TOO_LARGE, Fault::Gateway, 1);
    let large = alice.upload(UploadSource::bytes("b.txt", b"x".to_vec()), &UploadOptions::default()).await;
    assert_eq!(large.expect_err("too large").kind(), ErrorKind::TooLarge);
}
