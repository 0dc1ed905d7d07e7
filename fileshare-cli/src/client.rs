//! The API client: a stored session's bearer token on every call, refreshed before it expires and
//! once more if the API answers 401; `application/problem+json` refusals become [`CliError`]s.

use crate::error::{CliError, Result};
use crate::identity::Identity;
use crate::session::{Session, SessionStore};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

/// Refresh this long before the access token's expiry, so that it cannot expire mid-request.
const REFRESH_MARGIN_SECS: i64 = 60;

/// A logged-in client of one endpoint.
pub struct Api {
    /// The HTTP client (also used, without the token, for presigned storage URLs).
    pub http: reqwest::Client,
    /// The API's base URL.
    pub endpoint: String,
    store: SessionStore,
    session: Session,
}

impl Api {
    /// The client for `endpoint`'s stored session.
    pub fn new(http: reqwest::Client, endpoint: String, store: SessionStore) -> Result<Self> {
        let session = store.load(&endpoint)?.ok_or_else(|| CliError::NotLoggedIn(endpoint.clone()))?;
        Ok(Self { http, endpoint, store, session })
    }

    /// The session in use.
    pub fn session(&self) -> &Session {
        &self.session
    }

    async fn refresh(&mut self) -> Result<()> {
        let refreshed = Identity::new(&self.http, &self.endpoint).refresh(&self.session).await;
        let session = match refreshed {
            Ok(session) => session,
            // Another `fileshare` process may have refreshed first (a refresh token is spent by its
            // use): its session is in the store, newer than ours.
            Err(CliError::Auth(reason)) => match self.store.load(&self.endpoint)? {
                Some(stored) if stored.refresh_token != self.session.refresh_token => stored,
                _ => return Err(CliError::Auth(reason)),
            },
            Err(e) => return Err(e),
        };
        self.store.save(&self.endpoint, &session)?;
        self.session = session;
        Ok(())
    }

    /// Calls `method path` with an optional JSON body and returns the JSON answer (`Null` if empty).
    pub async fn call(&mut self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        if self.session.expires_at - chrono::Utc::now().timestamp() < REFRESH_MARGIN_SECS {
            self.refresh().await?;
        }
        let url = format!("{}{path}", self.endpoint);
        let mut refreshed = false;
        loop {
            let mut request = self.http.request(method.clone(), &url).bearer_auth(&self.session.access_token);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.map_err(|e| CliError::network(&url, &e))?;
            // A token revoked or expired early (clock skew): refresh once and repeat.
            if response.status() == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.refresh().await?;
                continue;
            }
            return json_or_problem(response, &url).await;
        }
    }
}

/// The JSON body of a successful API response, or the refusal its problem document explains.
pub async fn json_or_problem(response: Response, url: &str) -> Result<Value> {
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = response.text().await.map_err(|e| CliError::network(url, &e))?;
    if status.is_success() {
        return Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::Null) });
    }
    let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if let Some(words) = crate::usage::over_quota(&problem) {
        return Err(CliError::Rejected(words));
    }
    let detail = problem["detail"]
        .as_str()
        .or(problem["title"].as_str())
        .map_or_else(|| format!("{status} from {url}"), str::to_owned);
    Err(match status {
        StatusCode::UNAUTHORIZED => CliError::Auth(detail),
        StatusCode::TOO_MANY_REQUESTS => CliError::Rejected(format!(
            "rate limited, retry in {}s: {detail}",
            retry_after.as_deref().unwrap_or("a few")
        )),
        other => by_status(other, detail),
    })
}

/// A refusal from storage (a presigned URL): S3 explains in XML, the embedded store in JSON.
pub async fn storage_error(response: Response) -> CliError {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let problem: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let xml_message = text.split_once("<Message>").and_then(|(_, rest)| rest.split_once("</Message>")).map(|(m, _)| m);
    let detail = problem["detail"].as_str().or(xml_message).unwrap_or("no explanation").to_owned();
    by_status(status, format!("storage refused the transfer ({status}): {detail}"))
}

fn by_status(status: StatusCode, detail: String) -> CliError {
    match status {
        StatusCode::FORBIDDEN => CliError::Forbidden(detail),
        StatusCode::NOT_FOUND => CliError::NotFound(detail),
        StatusCode::CONFLICT => CliError::Conflict(detail),
        _ => CliError::Rejected(detail),
    }
}

/// An API path from segments, each percent-encoded: ids typed by a user cannot add segments or a
/// query (`fileshare rm '../x?y'` names one odd file id, and the API says it does not exist).
pub fn api_path(segments: &[&str]) -> String {
    segments.iter().map(|segment| format!("/{}", encode(segment))).collect()
}

/// `value` percent-encoded for a path segment or a query value (RFC 3986 unreserved kept).
pub fn encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(super::api_path(&["files", "01ARZ3NDEKTSV4RRFFQ69G5FAV"]), "/files/01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(
            super::api_path(&["files", "../auth?x=1", "share", "a@b c"]),
            "/files/..%2Fauth%3Fx%3D1/share/a%40b%20c"
        );
    }
}
