//! Per-request logs and CloudWatch Embedded Metric Format (EMF) lines.
//!
//! Every request is logged (structured, with its request id). With EMF on (always on Lambda), each
//! request also prints one EMF JSON line to stdout, which CloudWatch turns into metrics without any
//! API call: `Requests`, `Latency`, `Errors4xx`, `Errors5xx` by `Route`, and `Uploads` / `UploadBytes`.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

static EMF: AtomicBool = AtomicBool::new(false);

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "fileshare";

/// Turns EMF lines on or off (on for Lambda; `FILESHARE_EMF=1` locally).
pub fn enable_emf(on: bool) {
    EMF.store(on, Ordering::Relaxed);
}

/// One EMF document: metric definitions under `_aws`, dimension and metric values at the top level.
/// Each metric is recorded once per dimension set (an empty set: one series with no dimensions).
pub fn emf_line(
    timestamp_ms: i64,
    dimension_sets: &[&[(&str, &str)]],
    metrics: &[(&str, &str, f64)],
) -> serde_json::Value {
    let mut line = serde_json::Map::new();
    let definitions: Vec<_> =
        metrics.iter().map(|(name, unit, _)| serde_json::json!({ "Name": name, "Unit": unit })).collect();
    let sets: Vec<Vec<&str>> = dimension_sets.iter().map(|set| set.iter().map(|(k, _)| *k).collect()).collect();
    line.insert(
        "_aws".into(),
        serde_json::json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{ "Namespace": NAMESPACE, "Dimensions": sets, "Metrics": definitions }],
        }),
    );
    for (key, value) in dimension_sets.iter().flat_map(|set| set.iter()) {
        line.insert((*key).into(), serde_json::json!(value));
    }
    for (name, _, value) in metrics {
        line.insert((*name).into(), serde_json::json!(value));
    }
    serde_json::Value::Object(line)
}

fn emit(dimension_sets: &[&[(&str, &str)]], metrics: &[(&str, &str, f64)]) {
    if EMF.load(Ordering::Relaxed) {
        println!("{}", emf_line(chrono::Utc::now().timestamp_millis(), dimension_sets, metrics));
    }
}

/// The Lambda version this process runs (`AWS_LAMBDA_FUNCTION_VERSION`: a number behind an alias),
/// so that a canary's alarms see the new version's failures apart from the old one's.
fn function_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| std::env::var("AWS_LAMBDA_FUNCTION_VERSION").unwrap_or_else(|_| "local".to_owned()))
}

/// Counts a completed upload and its bytes.
pub fn upload_completed(bytes: u64) {
    emit(&[&[]], &[("Uploads", "Count", 1.0), ("UploadBytes", "Bytes", bytes as f64)]);
}

/// Counts a directory entry the user pool's triggers failed to record (it alarms: people cannot
/// find that account by name until it signs in again), overall and by version (a canary's alarm).
pub fn directory_record_failed() {
    emit(&[&[], &[("FunctionVersion", function_version())]], &[("DirectoryRecordFailures", "Count", 1.0)]);
}

/// Middleware: logs the request and emits its metrics.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(request_id, %method, route, status, latency_ms, "request");
    let is = |range: std::ops::Range<u16>| if range.contains(&status) { 1.0 } else { 0.0 };
    emit(
        &[&[("Route", &route)]],
        &[
            ("Requests", "Count", 1.0),
            ("Latency", "Milliseconds", latency_ms),
            ("Errors4xx", "Count", is(400..500)),
            ("Errors5xx", "Count", is(500..600)),
        ],
    );
    // A version that answers 5xx (a panic made a 500 is no Lambda error) rolls its deploy back:
    // the canary's alarm watches this series. Only failures are written: one line per 5xx.
    if status >= 500 {
        emit(&[&[("FunctionVersion", function_version())]], &[("Errors5xx", "Count", 1.0)]);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape CloudWatch requires: every metric defined under `_aws` has a top-level value, and
    /// every dimension named has a top-level value too.
    #[test]
    fn emf_lines_follow_the_specification() {
        let line = emf_line(
            1_795_000_000_000,
            &[&[("Route", "/files")]],
            &[("Requests", "Count", 1.0), ("Latency", "Milliseconds", 2.5)],
        );
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(line["_aws"]["Timestamp"], 1_795_000_000_000i64);
        assert_eq!(directive["Namespace"], NAMESPACE);
        assert_eq!(directive["Dimensions"], serde_json::json!([["Route"]]));
        assert_eq!(directive["Metrics"][1], serde_json::json!({"Name": "Latency", "Unit": "Milliseconds"}));
        assert_eq!(
            (line["Route"].as_str(), line["Requests"].as_f64(), line["Latency"].as_f64()),
            (Some("/files"), Some(1.0), Some(2.5))
        );
        // Several dimension sets, one of them empty: a series each, every value at the top level.
        let line = emf_line(0, &[&[], &[("FunctionVersion", "7")]], &[("DirectoryRecordFailures", "Count", 1.0)]);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Dimensions"], serde_json::json!([[], ["FunctionVersion"]]));
        assert_eq!(line["FunctionVersion"], "7");
    }
}
