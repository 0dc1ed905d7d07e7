//! The web page (local mode, with the built-in identity provider): three static files compiled into
//! the binary — no build step — served with a strict Content-Security-Policy: scripts and styles from
//! this origin only (no inline code), requests to this origin and the storage origin only, no framing.

use super::AppState;
use crate::idp::PASSWORD_POLICY;
use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const INDEX_HTML: &str = include_str!("../../web/index.html");
/// Where the page shows the password policy: stated once, in the identity provider.
const POLICY_SLOT: &str = "{{PASSWORD_POLICY}}";
const APP_JS: &str = include_str!("../../web/app.js");
const APP_CSS: &str = include_str!("../../web/app.css");
const LINK_HTML: &str = include_str!("../../web/link.html");
const LINK_JS: &str = include_str!("../../web/link.js");
const LINKS_PANEL_JS: &str = include_str!("../../web/links-panel.js");

/// The policy for a page whose uploads and downloads go to `storage_origin` (besides this origin).
pub fn content_security_policy(storage_origin: Option<&str>) -> String {
    let connect = match storage_origin {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// One of the page's files, with the headers every one carries. `Referrer-Policy: no-referrer`
/// matters most for a link's page: its URL holds the link's token.
fn asset(csp: &str, content_type: &'static str, body: Bytes) -> Response {
    let csp = HeaderValue::from_str(csp).unwrap_or(HeaderValue::from_static("default-src 'none'"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// A share link's page (`/l/{token}`, for a browser): works without an account.
pub fn link_page(csp: &str) -> Response {
    asset(csp, "text/html; charset=utf-8", Bytes::from_static(LINK_HTML.as_bytes()))
}

/// `/`, `/app.js`, `/links-panel.js`, `/app.css` and the link page's `/link.js`.
pub fn routes(csp: &str) -> Router<AppState> {
    let csp: std::sync::Arc<str> = csp.into();
    let asset = move |content_type: &'static str, body: Bytes| {
        let csp = csp.clone();
        move || async move { asset(&csp, content_type, body) }
    };
    let index = INDEX_HTML.replace(POLICY_SLOT, PASSWORD_POLICY);
    Router::new()
        .route("/", get(asset("text/html; charset=utf-8", index.into())))
        .route("/app.js", get(asset("text/javascript; charset=utf-8", APP_JS.into())))
        .route("/app.css", get(asset("text/css; charset=utf-8", APP_CSS.into())))
        .route("/link.js", get(asset("text/javascript; charset=utf-8", LINK_JS.into())))
        .route("/links-panel.js", get(asset("text/javascript; charset=utf-8", LINKS_PANEL_JS.into())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_allows_no_inline_code_and_names_the_storage_origin() {
        let csp = super::content_security_policy(Some("http://127.0.0.1:9000"));
        assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe"));
        assert!(csp.contains("connect-src 'self' http://127.0.0.1:9000;"));
        assert!(csp.contains("frame-ancestors 'none'"));
        for asset in [super::INDEX_HTML, super::APP_JS] {
            assert!(!asset.contains("innerHTML") && !asset.contains("onclick="), "inline handlers or HTML injection");
        }
        assert!(!super::INDEX_HTML.contains("<script>") && !super::INDEX_HTML.contains("style="));
    }

    /// The page shows the policy the server enforces, from the one place it is stated.
    #[test]
    fn the_page_shows_the_password_policy_the_server_enforces() {
        assert_eq!(super::INDEX_HTML.matches(super::POLICY_SLOT).count(), 1);
        assert!(!super::PASSWORD_POLICY.contains(['<', '>', '&', '"']), "inserted into HTML as is");
    }
}
