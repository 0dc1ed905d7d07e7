//! Storage that fails: `fileshare upload` tries an upload or part again after a transient failure
//! (5xx), gives up after three tries, and never retries a refusal (403). A proxy in front of the local
//! service injects the failures; presigned URLs point at it, so all traffic passes through it.

mod common;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use common::{ids, pattern, start_service_with, User, MIB};
use fileshare_core::backends::SqliteMetadataStore;
use std::sync::{Arc, Mutex};

/// What identifies a single (whole-file) upload's PUT: parts' queries start with `uploadId`.
const SINGLE: &str = "?X-Fileshare-Size=";

/// How a planned failure happens.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    /// Answered without reaching storage.
    Refuse,
    /// Storage got the request and stored it; the answer was lost on the way back.
    LoseAnswer,
}

/// Forwards everything to `upstream`, except requests matching a planned failure.
struct Flaky {
    upstream: String,
    http: reqwest::Client,
    /// (method, a substring of path and query, status to answer, how), each used once.
    failures: Mutex<Vec<(Method, String, StatusCode, Fault)>>,
    /// Every storage transfer seen: "METHOD path?query".
    transfers: Mutex<Vec<String>>,
}

impl Flaky {
    fn fail(&self, method: Method, needle: &str, status: StatusCode, times: usize) {
        self.plan(method, needle, status, Fault::Refuse, times);
    }

    fn plan(&self, method: Method, needle: &str, status: StatusCode, fault: Fault, times: usize) {
        let mut failures = self.failures.lock().expect("lock");
        failures.extend(std::iter::repeat_n((method, needle.to_owned(), status, fault), times));
    }

    fn transfers_matching(&self, method: &str, needle: &str) -> usize {
        let transfers = self.transfers.lock().expect("lock");
        transfers.iter().filter(|t| t.starts_with(method) && t.contains(needle)).count()
    }
}

async fn forward(State(flaky): State<Arc<Flaky>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map(ToString::to_string).unwrap_or_default();
    // Read the whole body first, as storage does before it answers.
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    if target.starts_with("/blobs") {
        flaky.transfers.lock().expect("lock").push(format!("{} {target}", parts.method));
    }
    let planned = {
        let mut failures = flaky.failures.lock().expect("lock");
        let found = failures.iter().position(|(m, needle, ..)| *m == parts.method && target.contains(needle.as_str()));
        found.map(|i| {
            let (.., status, fault) = failures.remove(i);
            (status, fault)
        })
    };
    let injected = |status| Response::builder().status(status).body(Body::from("injected failure")).expect("response");
    if let Some((status, Fault::Refuse)) = planned {
        return injected(status);
    }
    let mut upstream = flaky.http.request(parts.method, format!("{}{target}", flaky.upstream)).body(bytes);
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await.expect("upstream answers");
    if let Some((status, Fault::LoseAnswer)) = planned {
        return injected(status);
    }
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    response.body(Body::from(answer.bytes().await.expect("upstream body"))).expect("response")
}

async fn setup() -> (common::Service, Arc<Flaky>, User) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let proxy_url = format!("http://{}", listener.local_addr().expect("addr"));
    let service = start_service_with(|config| config.public_url = proxy_url.clone()).await;
    let flaky = Arc::new(Flaky {
        upstream: service.endpoint.clone(),
        http: reqwest::Client::new(),
        failures: Mutex::default(),
        transfers: Mutex::default(),
    });
    let app = axum::Router::new().fallback(forward).with_state(flaky.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut alice = User::at(&proxy_url, "alice");
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
