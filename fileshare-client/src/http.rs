//! Reading answers: the API's JSON, its problem documents, storage's refusals; and building API
//! paths from values a user typed.

use crate::error::{Error, Result};
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

/// The JSON body of a successful API answer, or the refusal its problem document explains.
pub(crate) async fn json<T: DeserializeOwned>(response: Response, url: &str) -> Result<T> {
    if !response.status().is_success() {
        return Err(refusal(response, url).await);
    }
    let text = response.text().await.map_err(|e| Error::network(url, &e))?;
    serde_json::from_str(&text).map_err(|e| Error::UnexpectedResponse(format!("{url}: {e}")))
}

/// Success with nothing to read (204), or the refusal.
pub(crate) async fn empty(response: Response, url: &str) -> Result<()> {
    if response.status().is_success() {
        return Ok(());
    }
    Err(refusal(response, url).await)
}

/// The API's refusal: its problem document, or (from something in front of the API that does not
/// speak problem documents, such as a gateway) one made from the status and the text.
pub(crate) async fn refusal(response: Response, url: &str) -> Error {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .map(Duration::from_secs);
    let text = response.text().await.unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&text).unwrap_or_else(|_| {
        let detail = match text.trim() {
            "" => format!("{status} from {}", crate::error::redact(url)),
            said => said.chars().take(300).collect(),
        };
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("refused").to_owned(),
            status: status.as_u16(),
            detail,
            figures: None,
        }
    });
    Error::Api { problem: Box::new(problem), retry_after }
}

/// A refusal from storage (a presigned URL): S3 explains in XML, the embedded store in JSON.
pub(crate) async fn storage_refusal(response: Response) -> Error {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&text).ok().map(|p| p.detail);
    let xml_message = text.split_once("<Message>").and_then(|(_, rest)| rest.split_once("</Message>")).map(|(m, _)| m);
    let detail = problem.as_deref().or(xml_message).unwrap_or("no explanation").to_owned();
    Error::Storage { status: status.as_u16(), detail }
}
