//! Reading answers: the API's JSON, its problem documents, storage's refusals — each read up to a
//! limit, since a share link can name any host and what answers there decides what arrives; and
//! building API paths from values a user typed.

use crate::error::{redact, Error, Result};
use fileshare_api::Problem;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Response;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Everything but RFC 3986's unreserved characters is encoded in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// An API path from segments, each percent-encoded: ids typed by a user cannot add segments or a
/// query (`../x?y` names one odd file id, and the API says it does not exist).
///
/// ```
/// assert_eq!(fileshare_client::api_path(&["files", "../auth?x=1", "share", "a@b c"]),
///            "/files/..%2Fauth%3Fx%3D1/share/a%40b%20c");
/// ```
pub fn api_path(segments: &[&str]) -> String {
    segments.iter().map(|segment| format!("/{}", utf8_percent_encode(segment, SEGMENT))).collect()
}

/// The most of a successful JSON answer read (a page of a thousand files is well under 1 MiB).
const JSON_LIMIT: usize = 16 * 1024 * 1024;
/// The most of a refusal read: problem documents and storage's XML errors are short.
const REFUSAL_LIMIT: usize = 64 * 1024;
/// The most of a refusal's own words kept in an error.
const DETAIL_CHARS: usize = 300;

/// The body of `response`, up to `limit` bytes: `Ok(None)` if it is longer (the rest is never read).
pub(crate) async fn bounded(mut response: Response, limit: usize) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// The JSON body of a successful API answer, or the refusal its problem document explains.
pub(crate) async fn json<T: DeserializeOwned>(response: Response, url: &str) -> Result<T> {
    if !response.status().is_success() {
        return Err(refusal(response, url).await);
    }
    let body = bounded(response, JSON_LIMIT).await.map_err(|e| Error::network(url, &e))?;
    let body = body.ok_or_else(|| Error::UnexpectedResponse(format!("{}: an answer over 16 MiB", redact(url))))?;
    serde_json::from_slice(&body).map_err(|e| Error::UnexpectedResponse(format!("{}: {e}", redact(url))))
}

/// A refusal's body, as text: as much as [`REFUSAL_LIMIT`] allows, empty if it is longer or
/// cannot be read (the status still says what happened).
async fn refusal_text(response: Response) -> String {
    let body = bounded(response, REFUSAL_LIMIT).await.ok().flatten().unwrap_or_default();
    String::from_utf8_lossy(&body).into_owned()
}

/// `text`, cut to [`DETAIL_CHARS`] characters.
fn short(text: &str) -> String {
    text.trim().chars().take(DETAIL_CHARS).collect()
}

/// Success with nothing to read (204), or the refusal.
pub(crate) async fn empty(response: Response, url: &str) -> Result<()> {
    if response.status().is_success() {
        return Ok(());
    }
    Err(refusal(response, url).await)
}

/// The API's refusal: its problem document; API Gateway's own answer, read as the service's
/// ([`crate::gateway`]); or, from anything else in front of the API, one made from the status and
/// the text.
pub(crate) async fn refusal(response: Response, url: &str) -> Error {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .map(Duration::from_secs);
    let text = refusal_text(response).await;
    let parsed = serde_json::from_str::<Problem>(&text).ok().or_else(|| crate::gateway::problem(status, &text));
    let mut problem = parsed.unwrap_or_else(|| {
        let detail = match short(&text) {
            said if said.is_empty() => format!("{status} from {}", redact(url)),
            said => said,
        };
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("refused").to_owned(),
            status: status.as_u16(),
            detail,
            figures: None,
        }
    });
    problem.detail = short(&problem.detail);
    problem.title = short(&problem.title);
    Error::Api { problem: Box::new(problem), retry_after }
}

/// A refusal from storage (a presigned URL): S3 explains in XML, the embedded store in JSON.
pub(crate) async fn storage_refusal(response: Response) -> Error {
    let status = response.status();
    let text = refusal_text(response).await;
    let problem = serde_json::from_str::<Problem>(&text).ok().map(|p| p.detail);
    let xml_message = text.split_once("<Message>").and_then(|(_, rest)| rest.split_once("</Message>")).map(|(m, _)| m);
    let detail = short(problem.as_deref().or(xml_message).unwrap_or("no explanation"));
    Error::Storage { status: status.as_u16(), detail }
}
