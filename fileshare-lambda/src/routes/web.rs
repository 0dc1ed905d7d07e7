//! The web page: static files compiled into the binary — no build step — served by the API itself
//! on every deployment (locally with the built-in identity provider, on AWS with Cognito), with
//! its run-time configuration written into the HTML and a strict Content-Security-Policy: scripts
//! and styles from this origin only (no inline code), requests to this origin, the identity
//! provider and the bucket only, no framing.

use super::AppState;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const INDEX_HTML: &str = include_str!("../../web/index.html");
const LINK_HTML: &str = include_str!("../../web/link.html");
/// Where the page's configuration goes (a `<meta>` tag's content, HTML-escaped JSON).
const CONFIG_SLOT: &str = "{{CONFIG}}";

/// The page's scripts and styles, by name under `/assets/`: ES modules and one stylesheet.
const ASSETS: &[(&str, &str)] = &[
    ("app.css", include_str!("../../web/assets/app.css")),
    ("app.js", include_str!("../../web/assets/app.js")),
    ("api.js", include_str!("../../web/assets/api.js")),
    ("http.js", include_str!("../../web/assets/http.js")),
    ("auth.js", include_str!("../../web/assets/auth.js")),
    ("cognito.js", include_str!("../../web/assets/cognito.js")),
    ("srp.js", include_str!("../../web/assets/srp.js")),
    ("files.js", include_str!("../../web/assets/files.js")),
    ("links.js", include_str!("../../web/assets/links.js")),
    ("upload.js", include_str!("../../web/assets/upload.js")),
    ("ui.js", include_str!("../../web/assets/ui.js")),
    ("link.js", include_str!("../../web/assets/link.js")),
];

/// Each asset's strong `ETag` (a prefix of its SHA-256), in the order of [`ASSETS`]: the files are
/// part of the binary, so their tags are worked out once, at the first request for one.
static ASSET_ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(_, body)| {
            let etag = format!("\"{}\"", hex_prefix(&Sha256::digest(body.as_bytes())));
            HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""))
        })
        .collect()
});

/// How the page signs people in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "identity", rename_all = "lowercase")]
pub enum PageIdentity {
    /// The built-in identity provider's `/auth/signup` and `/auth/login`.
    Local {
        /// The password policy the provider enforces, shown before sign-up.
        password_policy: &'static str,
    },
    /// A Cognito user pool, which the page calls itself (sign-up, confirmation, SRP login).
    Cognito {
        /// The pool's region.
        region: String,
        /// The pool.
        user_pool_id: String,
        /// The app client (public: no secret).
        client_id: String,
        /// Cognito's endpoint: `https://cognito-idp.{region}.amazonaws.com/`, or a compatible server's.
        endpoint: String,
    },
}

/// The page as this deployment serves it.
#[derive(Debug)]
pub struct WebPage {
    csp: HeaderValue,
    index: Bytes,
    /// `Strict-Transport-Security`, on HTTPS.
    hsts: Option<HeaderValue>,
    /// Whether session cookies are `Secure`: everywhere but a plain-HTTP local server.
    pub secure_cookies: bool,
}

/// What the page is told at run time.
#[derive(Serialize)]
struct PageConfig<'a> {
    #[serde(flatten)]
    identity: &'a PageIdentity,
    /// Where the API is: empty, for the page's own origin (the API serves the page).
    api_url: &'static str,
    /// Where uploads go, if not to this origin.
    storage_origin: Option<&'a str>,
}

/// The origin (`scheme://host[:port]`) of a URL, if it has one.
fn origin(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    url.has_host().then(|| url.origin().ascii_serialization())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('\'', "&#39;").replace('<', "&lt;").replace('>', "&gt;")
}

impl WebPage {
    /// The page for `identity`, uploads going to `storage_origin` (`None`: this server's blob
    /// endpoints), its session cookie `Secure` unless `plain_http` (a local server without TLS).
    pub fn new(identity: &PageIdentity, storage_origin: Option<&str>, plain_http: bool) -> Self {
        let mut connect = vec!["'self'".to_owned()];
        if let PageIdentity::Cognito { endpoint, .. } = identity {
            connect.extend(origin(endpoint));
        }
        connect.extend(storage_origin.and_then(origin));
        let csp = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {}; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            connect.join(" ")
        );
        let config = PageConfig { identity, api_url: "", storage_origin };
        // Serialising plain data cannot fail.
        let json = serde_json::to_string(&config).unwrap_or_default();
        Self {
            csp: HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'none'")),
            index: Bytes::from(INDEX_HTML.replace(CONFIG_SLOT, &html_escape(&json))),
            secure_cookies: !plain_http,
            hsts: (!plain_http).then(|| HeaderValue::from_static("max-age=31536000")),
        }
    }

    /// The policy the page is served with.
    pub fn content_security_policy(&self) -> &HeaderValue {
        &self.csp
    }

    /// A share link's page (`/l/{token}`, for a browser): works without an account.
    pub fn link_page(&self) -> Response {
        self.file("text/html; charset=utf-8", Bytes::from_static(LINK_HTML.as_bytes()), None)
    }

    /// One of the page's files, with the headers every one carries. `Referrer-Policy: no-referrer`
    /// matters most for a link's page: its URL holds the link's token. Scripts and styles (`etag`
    /// given) are kept five minutes and then revalidated by their strong `ETag`: a page load within
    /// that time asks for none of them (each is a Lambda invocation on AWS), and a deploy reaches
    /// everyone within five minutes. HTML is always revalidated.
    fn file(&self, content_type: &'static str, body: Bytes, etag: Option<HeaderValue>) -> Response {
        let mut response = (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CONTENT_SECURITY_POLICY, self.csp.clone()),
                (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
                (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
                (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            ],
            body,
        )
            .into_response();
        let headers = response.headers_mut();
        if let Some(hsts) = &self.hsts {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
        let cache = if etag.is_some() { super::caching::PUBLIC_SHORT } else { HeaderValue::from_static("no-cache") };
        headers.insert(header::CACHE_CONTROL, cache);
        if let Some(etag) = etag {
            headers.insert(header::ETAG, etag);
        }
        response
    }
}

/// `GET /`.
async fn index(State(state): State<AppState>) -> Response {
    match &state.web {
        Some(page) => page.file("text/html; charset=utf-8", page.index.clone(), None),
        None => crate::error::ApiError::NoRoute.into_response(),
    }
}

/// `GET /assets/{name}`.
async fn asset(State(state): State<AppState>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let found = ASSETS.iter().zip(ASSET_ETAGS.iter()).find(|((n, _), _)| *n == name);
    let (Some(page), Some(((_, body), etag))) = (&state.web, found) else {
        return crate::error::ApiError::NoRoute.into_response();
    };
    let content_type =
        if name.ends_with(".css") { "text/css; charset=utf-8" } else { "text/javascript; charset=utf-8" };
    let etag = etag.clone();
    if headers.get(header::IF_NONE_MATCH).is_some_and(|sent| sent == etag) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    page.file(content_type, Bytes::from_static(body.as_bytes()), Some(etag))
}

fn hex_prefix(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// `/` and `/assets/{name}`; they answer 404 where no page is served.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(index)).route("/assets/{name}", get(asset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::PASSWORD_POLICY;

    fn cognito() -> PageIdentity {
        PageIdentity::Cognito {
            region: "eu-west-1".into(),
            user_pool_id: "eu-west-1_AbC".into(),
            client_id: "client".into(),
            endpoint: "https://cognito-idp.eu-west-1.amazonaws.com/".into(),
        }
    }

    #[test]
    fn the_policy_names_exactly_the_identity_provider_and_the_bucket() {
        let page = WebPage::new(&cognito(), Some("https://files.s3.eu-west-1.amazonaws.com"), false);
        let csp = page.content_security_policy().to_str().expect("ascii");
        assert!(csp.contains(
            "connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com https://files.s3.eu-west-1.amazonaws.com;"
        ));
        assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe") && !csp.contains('*'));
        assert!(csp.contains("frame-ancestors 'none'"));
        let local = WebPage::new(&PageIdentity::Local { password_policy: PASSWORD_POLICY }, None, true);
        assert!(local.content_security_policy().to_str().expect("ascii").contains("connect-src 'self';"));
        assert!(!local.secure_cookies);
    }

    #[test]
    fn the_configuration_is_escaped_into_the_page() {
        let page = WebPage::new(&cognito(), None, false);
        let html = std::str::from_utf8(&page.index).expect("utf-8");
        assert!(html.contains("&quot;identity&quot;:&quot;cognito&quot;"), "{html}");
        assert!(!html.contains(CONFIG_SLOT));
        let hostile = PageIdentity::Cognito {
            region: "r".into(),
            user_pool_id: "r_p".into(),
            client_id: "\"><script>".into(),
            endpoint: "https://cognito.example/".into(),
        };
        let html = String::from_utf8(WebPage::new(&hostile, None, false).index.to_vec()).expect("utf-8");
        assert!(!html.contains("\"><script>"));
    }

    #[test]
    fn the_page_has_no_inline_code() {
        for (name, body) in ASSETS.iter().copied().chain([("index.html", INDEX_HTML), ("link.html", LINK_HTML)]) {
            assert!(!body.contains("innerHTML") && !body.contains("onclick=") && !body.contains("eval("), "{name}");
        }
        for html in [INDEX_HTML, LINK_HTML] {
            assert!(!html.contains("<script>") && !html.contains("style="));
        }
    }
}
