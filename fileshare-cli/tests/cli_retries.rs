//! Storage that fails: `fileshare upload` tries an upload or part again after a transient failure
//! (5xx), gives up after three tries, and never retries a refusal (403). A proxy in front of the local
//! service injects the failures; presigned URLs point at it, so all traffic passes through it.

mod common;

use axum::http::{Method, StatusCode};
use common::{ids, pattern, User, MIB};
use fileshare_core::backends::SqliteMetadataStore;
use fileshare_lambda::testing::{Fault, FlakyProxy, TestService};
use std::sync::Arc;

/// What identifies a single (whole-file) upload's PUT: parts' queries start with `uploadId`.
const SINGLE: &str = "?X-Fileshare-Size=";

async fn setup() -> (TestService, Arc<FlakyProxy>, User) {
    let (service, flaky) = FlakyProxy::start(|config| config.user_rate = 1000.0).await;
    let mut alice = User::at(&flaky.base, "alice");
    alice.sign_up_and_log_in().await;
    (service, flaky, alice)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_and_the_bytes_arrive_intact() {
    let (_service, flaky, alice) = setup().await;
    let big = pattern(20 * MIB + 9, 5);
    std::fs::write(alice.path("big.bin"), &big).expect("write");
    std::fs::write(alice.path("small.txt"), b"sent twice, stored once").expect("write");
    std::fs::write(alice.path("lost.txt"), b"stored, answer lost").expect("write");
    flaky.fail(Method::PUT, "partNumber=2&", StatusCode::SERVICE_UNAVAILABLE, 1);
    flaky.fail(Method::PUT, "partNumber=3&", StatusCode::INTERNAL_SERVER_ERROR, 2);
    flaky.fail(Method::PUT, SINGLE, StatusCode::SERVICE_UNAVAILABLE, 1);

    let out = alice.ok(&["upload", "big.bin", "small.txt", "--multipart-threshold", "10485760"]).await;
    assert_eq!(flaky.transfers_matching("PUT", "partNumber=1&"), 1);
    assert_eq!(flaky.transfers_matching("PUT", "partNumber=2&"), 2, "one retry");
    assert_eq!(flaky.transfers_matching("PUT", "partNumber=3&"), 3, "two retries");
    assert_eq!(flaky.transfers_matching("PUT", SINGLE), 2, "the upload was sent again");
    let uploaded = ids(&out);
    alice.ok(&["download", &uploaded[0], "-o", "copy.bin"]).await;
    assert!(std::fs::read(alice.path("copy.bin")).expect("copy") == big, "bytes differ after retries");
    assert_eq!(alice.ok(&["download", &uploaded[1], "-o", "-"]).await, "sent twice, stored once");

    // Stored, but the answer was lost: the retry hears 412 (stored once already) and completes.
    flaky.plan(Method::PUT, SINGLE, StatusCode::BAD_GATEWAY, Fault::LoseAnswer, 1);
    let lost = ids(&alice.ok(&["upload", "lost.txt"]).await);
    assert_eq!(flaky.transfers_matching("PUT", SINGLE), 4, "sent twice");
    assert_eq!(alice.ok(&["download", &lost[0], "-o", "-"]).await, "stored, answer lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_not_retried_and_persistent_failures_give_up() {
    let (service, flaky, alice) = setup().await;
    std::fs::write(alice.path("small.txt"), b"never stored").expect("write");

    flaky.fail(Method::PUT, SINGLE, StatusCode::FORBIDDEN, 1);
    assert!(alice.fails(&["upload", "small.txt"], 5).await.contains("storage refused"));
    assert_eq!(flaky.transfers_matching("PUT", SINGLE), 1, "a 403 is final");

    flaky.fail(Method::PUT, SINGLE, StatusCode::SERVICE_UNAVAILABLE, 3);
    assert!(alice.fails(&["upload", "small.txt"], 1).await.contains("503"));
    assert_eq!(flaky.transfers_matching("PUT", SINGLE), 1 + 3, "three tries, then it gives up");

    // Both failed uploads were deleted by the CLI: no pending record is left to expire.
    let metadata = SqliteMetadataStore::open(service.data.path().join("fileshare.db")).await.expect("sqlite");
    let in_two_days = chrono::Utc::now() + chrono::TimeDelta::days(2);
    let pending = metadata.expired_uploads(in_two_days, 10).await.expect("pending uploads");
    assert!(pending.is_empty(), "left behind: {pending:?}");
}

/// API Gateway's own answers: a throttled `ls` is tried again and goes through; one that stays
/// throttled ends in words (exit 1), never as `{"message": …}`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_throttling_is_backed_off_and_said_in_words() {
    let (_service, flaky, alice) = setup().await;
    flaky.plan(Method::GET, "/files?", StatusCode::TOO_MANY_REQUESTS, Fault::Gateway, 2);
    alice.ok(&["ls"]).await;
    assert_eq!(flaky.transfers_matching("GET", "/files?"), 3);
    flaky.plan(Method::GET, "/files?", StatusCode::TOO_MANY_REQUESTS, Fault::Gateway, 10);
    let said = alice.fails(&["ls"], 1).await;
    assert!(said.contains("rate limited: The service is busy"), "{said}");
    assert!(!said.contains("{\"message\""), "{said}");
}
