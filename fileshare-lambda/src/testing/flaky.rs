//! A proxy in front of the service that fails on purpose: planned requests are refused before they
//! reach the service, or reach it and lose their answer on the way back. Presigned URLs point at
//! the proxy (the service's public URL is the proxy's), so every API call and every transfer passes
//! through it.

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
    /// The service got the request and acted on it; the answer was lost on the way back.
    LoseAnswer,
}

/// The proxy's plan and what it saw.
pub struct FlakyProxy {
    /// The proxy's base URL: use it as the service's.
    pub base: String,
    upstream: String,
    http: reqwest::Client,
    /// (method, a substring of path and query, status to answer, how), each used once.
    failures: Mutex<Vec<(Method, String, StatusCode, Fault)>>,
    /// Every storage transfer seen: "METHOD path?query".
    transfers: Mutex<Vec<String>>,
}

impl FlakyProxy {
    /// The embedded service behind a new proxy, its configuration adjusted first.
    pub async fn start(adjust: impl FnOnce(&mut crate::ServiceConfig)) -> (TestService, Arc<FlakyProxy>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let service = start_embedded_with(|config| {
            config.public_url = base.clone();
            adjust(config);
        })
        .await;
        let proxy = Arc::new(FlakyProxy {
            base,
            upstream: service.base.clone(),
            http: reqwest::Client::new(),
            failures: Mutex::default(),
            transfers: Mutex::default(),
        });
        let app = axum::Router::new().fallback(forward).with_state(proxy.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (service, proxy)
    }

    /// The next `times` requests of `method` whose path and query contain `needle` are refused
    /// with `status`.
    pub fn fail(&self, method: Method, needle: &str, status: StatusCode, times: usize) {
        self.plan(method, needle, status, Fault::Refuse, times);
    }

    /// The next `times` such requests fail with `status`, as `fault` says.
    pub fn plan(&self, method: Method, needle: &str, status: StatusCode, fault: Fault, times: usize) {
        let mut failures = self.failures.lock().expect("lock");
        failures.extend(std::iter::repeat_n((method, needle.to_owned(), status, fault), times));
    }

    /// How many storage transfers of `method` whose path and query contain `needle` were seen.
    pub fn transfers_matching(&self, method: &str, needle: &str) -> usize {
        let transfers = self.transfers.lock().expect("lock");
        transfers.iter().filter(|t| t.starts_with(method) && t.contains(needle)).count()
    }
}

async fn forward(State(proxy): State<Arc<FlakyProxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map(ToString::to_string).unwrap_or_default();
    // Read the whole body first, as storage does before it answers.
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    if target.starts_with("/blobs") {
        proxy.transfers.lock().expect("lock").push(format!("{} {target}", parts.method));
    }
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
    let mut upstream = proxy.http.request(parts.method, format!("{}{target}", proxy.upstream)).body(bytes);
    for (name, value) in &parts.headers {
        if name != header::HOST {
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
