//! What a gateway in front of the API says for itself, and when to try again.
//!
//! On AWS, API Gateway answers some requests before the service sees them: throttled (429), too
//! large (413), the function timed out or failed (503, 500), no valid token (401), no such route
//! (404). Its bodies are `{"message": "Too Many Requests"}`, not problem documents, and its 429
//! carries no `Retry-After`. They are read here as the service's own refusals, in words, and a
//! throttled request is tried again after a pause that grows, as AWS asks of its clients.

use fileshare_api::{Problem, ProblemType};
use reqwest::{Method, Response, StatusCode};
use std::time::Duration;

/// Tries after the first, for a request throttled (or, for a read, a gateway that failed).
pub(crate) const RETRIES: u32 = 3;
/// A `Retry-After` longer than this is the service rationing someone (a login's failed attempts):
/// not waited out here, but handed to the caller with the refusal.
const LONGEST_WAIT: Duration = Duration::from_secs(5);
/// The first pause without `Retry-After`; each try after doubles it (with jitter).
const FIRST_PAUSE: Duration = Duration::from_millis(250);

/// API Gateway's own refusal body.
#[derive(serde::Deserialize)]
struct GatewayMessage {
    message: String,
}

/// The problem a gateway's `{"message": …}` body stands for, in words; `None` for any other body.
pub(crate) fn problem(status: StatusCode, body: &str) -> Option<Problem> {
    let GatewayMessage { message } = serde_json::from_str(body).ok()?;
    let (problem_type, detail) = match status.as_u16() {
        429 => (
            ProblemType::TooManyRequests,
            "The service is busy: its gateway is turning requests away. Try again in a moment.",
        ),
        413 => (ProblemType::TooLarge, "The request is larger than the service's gateway accepts."),
        401 => (ProblemType::Unauthorized, "The service's gateway refused the access token: log in again."),
        404 => (ProblemType::NotFound, "The service has no such route."),
        502..=504 => (ProblemType::ServerError, "The service did not answer in time; try again."),
        500..=599 => (ProblemType::ServerError, "The service failed; try again."),
        _ => (ProblemType::RequestRefused, message.as_str()),
    };
    Some(Problem::new(problem_type, status.as_u16(), format!("{detail} ({} {message:?})", status.as_u16())))
}

/// How long to wait before trying `response`'s request again (the `attempt`-th retry), or `None`
/// if it should not be: a throttle (429) with a short or no `Retry-After`, whatever the method —
/// a throttled request was never processed — and, for reads only, a gateway that failed or timed
/// out (a write it timed out on may have been done).
pub(crate) fn pause_before_retry(response: &Response, method: &Method, attempt: u32) -> Option<Duration> {
    if attempt >= RETRIES {
        return None;
    }
    let status = response.status();
    let retriable =
        status == StatusCode::TOO_MANY_REQUESTS || (*method == Method::GET && matches!(status.as_u16(), 502..=504));
    if !retriable {
        return None;
    }
    let asked = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    match asked {
        Some(wait) if wait > LONGEST_WAIT => None,
        Some(wait) => Some(wait),
        None => {
            let pause = FIRST_PAUSE * 2u32.pow(attempt);
            // Full jitter: many clients throttled at once do not come back at once.
            Some(pause.mul_f64(rand::random_range(0.5..=1.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_messages_read_as_the_services_refusals() {
        let throttled = problem(StatusCode::TOO_MANY_REQUESTS, r#"{"message":"Too Many Requests"}"#).expect("read");
        assert_eq!(throttled.problem_type(), ProblemType::TooManyRequests);
        assert!(throttled.detail.starts_with("The service is busy"), "{}", throttled.detail);
        let timeout = problem(StatusCode::SERVICE_UNAVAILABLE, r#"{"message":"Service Unavailable"}"#).expect("read");
        assert_eq!((timeout.problem_type(), timeout.status), (ProblemType::ServerError, 503));
        let large = problem(StatusCode::PAYLOAD_TOO_LARGE, r#"{"message":"Request Entity Too Large"}"#);
        assert_eq!(large.map(|p| p.problem_type()), Some(ProblemType::TooLarge));
        assert!(problem(StatusCode::TOO_MANY_REQUESTS, "<html>busy</html>").is_none(), "not the gateway's shape");
    }
}
