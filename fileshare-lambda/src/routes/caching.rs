//! HTTP caching of API answers: what a client may keep, and revalidation by `ETag`.
//!
//! Every API answer depends on who asks and on shares that an owner may revoke at any moment, so no
//! API answer may be reused without asking: a successful `GET` answer in JSON is `private, no-cache`
//! with a strong `ETag` (a hash of its body), and a client that sends it back in `If-None-Match` gets
//! `304 Not Modified` with no body. The handler runs in full for a revalidation — the token is
//! verified and access is decided again — so a revoked share or a deleted file is seen at once;
//! what is saved is the body on the wire and the client's parsing. Anything else (errors, writes,
//! tokens, download URLs) is `no-store`. Public documents that change only with a release
//! (`/openapi.json`, the JWKS, the web page's assets) set their own `max-age`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// What API answers that may be revalidated carry.
pub const REVALIDATE: HeaderValue = HeaderValue::from_static("private, no-cache");
/// What API answers that must never be kept carry.
pub const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
/// For public documents that change only with a release.
pub const PUBLIC_SHORT: HeaderValue = HeaderValue::from_static("public, max-age=300");

/// The largest answer given an `ETag`; listings are bounded far below this by their page size.
const MAX_HASHED_BODY: usize = 8 * 1024 * 1024;

/// Middleware over the API routes: sets `Cache-Control` where the handler did not, and answers
/// `If-None-Match` revalidations of JSON `GET` answers with 304.
pub async fn revalidate(request: Request, next: Next) -> Response {
    let conditional = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return response;
    }
    if !(conditional && response.status() == StatusCode::OK && is_json(response.headers())) {
        return with_cache_control(response, NO_STORE);
    }
    let (mut parts, body) = response.into_parts();
    // A handler that keeps its answers (the listing) tags them once; others are tagged here.
    let (etag, body) = match parts.headers.get(header::ETAG).cloned() {
        Some(etag) => (etag, body),
        None => match axum::body::to_bytes(body, MAX_HASHED_BODY).await {
            Ok(bytes) => (entity_tag(&bytes), Body::from(bytes)),
            Err(e) => {
                // Our own handlers' bodies are in memory; this is a bug, answered as a bare 500
                // (which `problems` turns into a problem document).
                tracing::error!(error = %e, "could not read an API answer to tag it");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    parts.headers.insert(header::CACHE_CONTROL, REVALIDATE);
    parts.headers.append(header::VARY, HeaderValue::from_static("authorization"));
    if if_none_match.as_ref().is_some_and(|wanted| matches(wanted, &etag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::CACHE_CONTROL, header::VARY] {
            for value in parts.headers.get_all(&name) {
                not_modified.headers_mut().append(&name, value.clone());
            }
        }
        not_modified.headers_mut().insert(header::ETAG, etag);
        return not_modified;
    }
    parts.headers.insert(header::ETAG, etag);
    Response::from_parts(parts, body)
}

fn with_cache_control(mut response: Response, value: HeaderValue) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, value);
    response
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

/// A strong entity tag: the first 128 bits of the body's SHA-256, quoted.
pub fn entity_tag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

/// Whether `If-None-Match` (`*`, or a list of tags, weak ones compared weakly as the standard
/// asks for this header) names `etag`.
fn matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(wanted) = if_none_match.to_str() else { return false };
    let ours = etag.as_bytes();
    wanted.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/").as_bytes() == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let etag = entity_tag(b"{}");
        let tag = etag.to_str().expect("ascii").to_owned();
        for header in [tag.clone(), format!("\"other\", {tag}"), format!("W/{tag}"), "*".to_owned()] {
            assert!(matches(&HeaderValue::from_str(&header).expect("header"), &etag), "{header}");
        }
        for header in ["\"other\"", "", "W/\"x\""] {
            assert!(!matches(&HeaderValue::from_static(header), &etag), "{header}");
        }
        assert_ne!(entity_tag(b"{}"), entity_tag(b"[]"));
    }
}
