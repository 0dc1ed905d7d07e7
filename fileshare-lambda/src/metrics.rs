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
pub fn emf_line(timestamp_ms: i64, dimensions: &[(&str, &str)], metrics: &[(&str, &str, f64)]) -> serde_json::Value {
    let mut line = serde_json::Map::new();
    let definitions: Vec<_> =
        metrics.iter().map(|(name, unit, _)| serde_json::json!({ "Name": name, "Unit": unit })).collect();
    let dimension_names: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    line.insert(
        "_aws".into(),
        serde_json::json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{ "Namespace": NAMESPACE, "Dimensions": [dimension_names], "Metrics": definitions }],
        }),
    );
    for (key, value) in dimensions {
        line.insert((*key).into(), serde_json::json!(value));
    }
    for (name, _, value) in metrics {
        line.insert((*name).into(), serde_json::json!(value));
    }
    serde_json::Value::Object(line)
}

fn emit(dimensions: &[(&str, &str)], metrics: &[(&str, &str, f64)]) {
    if EMF.load(Ordering::Relaxed) {
        println!("{}", emf_line(chrono::Utc::now().timestamp_millis(), dimensions, metrics));
    }
}

/// Counts a completed upload and its bytes.
pub fn upload_completed(bytes: u64) {
    emit(&[], &[("Uploads", "Count", 1.0), ("UploadBytes", "Bytes", bytes as f64)]);
}

/// Counts a directory entry the user pool's triggers failed to record (it alarms: people cannot
/// find that account by name until it signs in again).
pub fn directory_record_failed() {
    emit(&[], &[("DirectoryRecordFailures", "Count", 1.0)]);
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
        &[("Route", &route)],
        &[
            ("Requests", "Count", 1.0),
            ("Latency", "Milliseconds", latency_ms),
            ("Errors4xx", "Count", is(400..500)),
            ("Errors5xx", "Count", is(500..600)),
        ],
    );
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
            &[("Route", "/files")],
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
    }
}
