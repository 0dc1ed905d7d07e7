//! A proxy that fails on purpose, in front of the service or of S3: planned requests are refused
//! before they reach it (plainly, or as API Gateway refuses them), reach it and lose their answer
//! on the way back, get only half of it, or are held up on the way there or back.
//! Presigned URLs point at the proxy (the service's public URL, or its S3 endpoint, is the proxy's),
//! so every transfer passes through it. It keeps the `Host` a request was sent with, so that S3's
//! signatures, which cover it, still hold.

use super::{start_embedded_with, TestService};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use std::sync::{Arc, Mutex};

/// How a planned failure happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answered by the proxy without reaching the service.
    Refuse,
    /// Answered as API Gateway answers for itself, without reaching the service: `{"message": …}`
    /// (not a problem document), and no `Retry-After` on a 429.
    Gateway,
    /// The service got the request and acted on it; the answer was lost on the way back.
    LoseAnswer,
    /// The answer's status and headers arrive, then half its body, then the connection breaks.
    Truncate,
    /// The request reaches the service this long after it was sent (the status is not used).
    Late(std::time::Duration),
    /// The service answers at once; the answer arrives this long after (the status is not used).
    Slow(std::time::Duration),
}

/// The proxy's plan and what it saw.
pub struct FlakyProxy {
    /// The proxy's base URL: use it as the service's.
    pub base: String,
    upstream: String,
    http: reqwest::Client,
    /// (method, a substring of the request's target, status to answer, how), each used once.
    failures: Mutex<Vec<(Method, String, StatusCode, Fault)>>,
    /// Every request seen: "METHOD target".
    transfers: Mutex<Vec<String>>,
}

impl FlakyProxy {
    /// The embedded service behind a new proxy, its configuration adjusted first.
    pub async fn start(adjust: impl FnOnce(&mut crate::ServiceConfig)) -> (TestService, Arc<FlakyProxy>) {
        let (listener, base) = listen().await;
        let service = start_embedded_with(|config| {
            config.public_url = base.clone();
            adjust(config);
        })
        .await;
        let proxy = Self::serve(listener, base, &service.base);
        (service, proxy)
    }

    /// A new proxy in front of `upstream` (an S3 endpoint, say).
    pub async fn in_front_of(upstream: &str) -> Arc<FlakyProxy> {
        let (listener, base) = listen().await;
        Self::serve(listener, base, upstream)
    }

    fn serve(listener: tokio::net::TcpListener, base: String, upstream: &str) -> Arc<FlakyProxy> {
        let proxy = Arc::new(FlakyProxy {
            base,
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            failures: Mutex::default(),
            transfers: Mutex::default(),
        });
        let app = axum::Router::new().fallback(forward).with_state(proxy.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        proxy
    }

    /// The next `times` requests of `method` whose target contains `needle` are refused with
    /// `status`. A request's target is its path and query, and ` range=…` if it asks for a range.
    pub fn fail(&self, method: Method, needle: &str, status: StatusCode, times: usize) {
        self.plan(method, needle, status, Fault::Refuse, times);
    }

    /// The next `times` such requests fail with `status`, as `fault` says.
    pub fn plan(&self, method: Method, needle: &str, status: StatusCode, fault: Fault, times: usize) {
        let mut failures = self.failures.lock().expect("lock");
        failures.extend(std::iter::repeat_n((method, needle.to_owned(), status, fault), times));
    }

    /// How many requests of `method` whose target contains `needle` were seen.
    pub fn transfers_matching(&self, method: &str, needle: &str) -> usize {
        let transfers = self.transfers.lock().expect("lock");
        transfers.iter().filter(|t| t.starts_with(method) && t.contains(needle)).count()
    }
}

async fn listen() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    (listener, base)
}

/// What API Gateway (HTTP API) answers itself: its own words for the status, as JSON.
fn gateway_answer(status: StatusCode) -> Response {
    let message = match status.as_u16() {
        429 => "Too Many Requests",
        413 => "Request Entity Too Large",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header("apigw-requestid", "Xz1aBcDeFgHiJkL=")
        .body(Body::from(serde_json::json!({ "message": message }).to_string()))
        .expect("response")
}

async fn forward(State(proxy): State<Arc<FlakyProxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map(ToString::to_string).unwrap_or_default();
    let range = parts.headers.get(header::RANGE).and_then(|r| r.to_str().ok());
    let target = match range {
        Some(range) => format!("{path} range={range}"),
        None => path.clone(),
    };
    // Read the whole body first, as storage does before it answers.
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    proxy.transfers.lock().expect("lock").push(format!("{} {target}", parts.method));
    let planned = {
        let mut failures = proxy.failures.lock().expect("lock");
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
    if let Some((status, Fault::Gateway)) = planned {
        return gateway_answer(status);
    }
    if let Some((_, Fault::Late(wait))) = planned {
        tokio::time::sleep(wait).await;
    }
    let mut upstream = proxy.http.request(parts.method, format!("{}{path}", proxy.upstream)).body(bytes);
    for (name, value) in &parts.headers {
        upstream = upstream.header(name, value);
    }
    let answer = upstream.send().await.expect("upstream answers");
    if let Some((status, Fault::LoseAnswer)) = planned {
        return injected(status);
    }
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    let body = answer.bytes().await.expect("upstream body");
    if let Some((_, Fault::Slow(wait))) = planned {
        tokio::time::sleep(wait).await;
    }
    if let Some((_, Fault::Truncate)) = planned {
        // The declared length stays: the client sees the connection end early.
        let half = body.slice(..body.len() / 2);
        let cut = futures::stream::iter([Ok(half), Err(std::io::Error::other("connection cut"))]);
        return response.body(Body::from_stream(cut)).expect("response");
    }
    response.body(Body::from(body)).expect("response")
}
