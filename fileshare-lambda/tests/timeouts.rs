//! Clients that stall, from the outside: raw TCP connections against the real local server, with
//! short timeouts so that the tests do not wait long. Each stall must end in bounded time without
//! keeping anyone else waiting.

mod common;

use common::{start_embedded_with, Api};
use fileshare_lambda::auth::{KeySource, TokenVerifier, JWKS_TIMEOUT};
use fileshare_lambda::config::Timeouts;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: Timeouts =
    Timeouts { header_read: Duration::from_secs(1), request: Duration::from_secs(1), idle: Duration::from_secs(1) };
/// What "bounded" means here: the timeout plus scheduling slack on a loaded 2-core machine.
const SLACK: Duration = Duration::from_secs(4);

async fn connect(base: &str) -> TcpStream {
    TcpStream::connect(base.trim_start_matches("http://")).await.expect("connect")
}

/// Reads until the server closes the connection; returns what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(within, stream.read_to_end(&mut seen)).await;
    assert!(read.is_ok(), "the server kept the connection open for {within:?}; it sent {} bytes", seen.len());
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_finish_their_headers_are_closed_and_others_served() {
    let server = start_embedded_with(|c| c.timeouts = SHORT).await;
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = connect(&server.base).await;
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.expect("half the headers");
        slow.push(stream);
    }
    let api = Api::new(&server);
    let started = Instant::now();
    assert_eq!(api.call(Method::GET, "/health", None, None).await.0, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(1), "/health waited behind the slow clients");
    for mut stream in slow {
        until_closed(&mut stream, SHORT.header_read + SLACK).await;
    }
    // An idle keep-alive connection goes the same way.
    let mut idle = connect(&server.base).await;
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("request");
    let answered = until_closed(&mut idle, SHORT.header_read + SLACK).await;
    assert!(answered.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answered));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_stop_arriving_are_cut_off() {
    let server = start_embedded_with(|c| c.timeouts = SHORT).await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;

    // An API request whose body stalls: 408 within the request deadline.
    let mut json_route = connect(&server.base).await;
    let head = format!(
        "POST /files/upload-url HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\"",
        alice.token
    );
    json_route.write_all(head.as_bytes()).await.expect("part of a body");
    let answer = until_closed(&mut json_route, SHORT.request + SLACK).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408") && answer.contains("application/problem+json"), "{answer}");

    // An upload whose body stalls: cut off after the idle limit, nothing stored.
    let (_, ticket) = api
        .call(
            Method::POST,
            "/files/upload-url",
            Some(&alice.token),
            Some(json!({"name": "a.bin", "size": 1_000_000, "content_type": "application/octet-stream"})),
        )
        .await;
    let url = reqwest::Url::parse(ticket["upload"]["url"].as_str().expect("url")).expect("url");
    let mut head =
        format!("PUT {}?{} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n", url.path(), url.query().unwrap_or(""));
    for (name, value) in ticket["upload"]["headers"].as_object().expect("headers") {
        head.push_str(&format!("{name}: {}\r\n", value.as_str().expect("value")));
    }
    head.push_str("\r\n");
    let mut upload = connect(&server.base).await;
    upload.write_all(head.as_bytes()).await.expect("headers");
    upload.write_all(&[7u8; 1000]).await.expect("a little of the body");
    let answer = until_closed(&mut upload, SHORT.idle + SLACK).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let tmp = server.data.path().join("objects/.tmp");
    assert_eq!(std::fs::read_dir(tmp).expect("tmp").count(), 0, "the cut-off upload left no temp file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_a_download_is_dropped() {
    let server = start_embedded_with(|c| c.timeouts = SHORT).await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let size = 64 * 1024 * 1024;
    let id = api.upload(&alice, "big.bin", "application/octet-stream", &vec![1u8; size]).await;
    let (_, link) = api.call(Method::GET, &format!("/files/{id}/download-url"), Some(&alice.token), None).await;
    let url = reqwest::Url::parse(link["url"].as_str().expect("url")).expect("url");
    let mut reader = connect(&server.base).await;
    let request = format!("GET {}?{} HTTP/1.1\r\nHost: x\r\n\r\n", url.path(), url.query().unwrap_or(""));
    reader.write_all(request.as_bytes()).await.expect("request");
    // Read nothing for a while: the socket buffers fill and the server's writes stall.
    tokio::time::sleep(SHORT.idle + SLACK).await;
    let got = until_closed(&mut reader, Duration::from_secs(10)).await;
    assert!(got.len() < size, "the whole file arrived ({} bytes): nothing was cut off", got.len());
}

/// A JWKS host that accepts connections and never answers.
async fn hanging_jwks() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// A token naming a key no JWKS has (the verifier must fetch to find out).
fn token_with_unknown_kid() -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("never-published".into());
    let b64 = |v: serde_json::Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = serde_json::to_value(&header).expect("header");
    format!("{}.{}.c2ln", b64(header), b64(json!({"sub": "x", "exp": 4_000_000_000u64})))
}

#[tokio::test]
async fn a_jwks_host_that_hangs_costs_a_bounded_wait() {
    let verifier = TokenVerifier::new("iss", "client", KeySource::remote(hanging_jwks().await).expect("source"));
    let started = Instant::now();
    assert!(verifier.verify(&token_with_unknown_kid()).await.is_err());
    assert!(started.elapsed() < JWKS_TIMEOUT + SLACK, "waited {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_unknown_keys_fetches_the_jwks_once() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counted = fetches.clone();
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                axum::Json(json!({"keys": []}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let verifier = Arc::new(TokenVerifier::new("iss", "client", KeySource::remote(url).expect("source")));
    let token = token_with_unknown_kid();
    let attempts: Vec<_> = (0..20)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token).await.is_err() })
        })
        .collect();
    for attempt in attempts {
        assert!(attempt.await.expect("task"), "an unknown key is refused");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "one fetch for the whole burst");
}
