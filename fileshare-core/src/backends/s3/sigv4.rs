//! SigV4 presigning done directly: query-string URLs (GET, PUT, part PUT) and POST policies.
//!
//! The SDK's `.presigned()` path is general and ~20 µs a URL; this builds the canonical request by
//! hand and reuses one signing key per (access key, day, region), which is what lets a presign cost a
//! couple of microseconds (DESIGN §7). The crypto primitives are `aws-sigv4`'s.

use aws_credential_types::Credentials;
use base64::Engine;
use chrono::{DateTime, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// RFC 3986 unreserved characters stay literal; SigV4 encodes everything else.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Longest presigned URL lifetime SigV4 allows.
pub(super) const MAX_EXPIRY_SECS: i64 = 7 * 24 * 3600;

pub(super) fn encode(s: &str) -> percent_encoding::PercentEncode<'_> {
    utf8_percent_encode(s, UNRESERVED)
}

/// One signing key, for the credentials, day and region it was derived for.
struct CachedKey {
    access_key: String,
    date: String,
    key: Arc<[u8]>,
}

/// Signs with cached signing keys; cheap to share between tasks.
#[derive(Default)]
pub(super) struct Signer {
    cache: Mutex<Option<CachedKey>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<cached signing key>)")
    }
}

/// Where requests go: `base` is `scheme://host[:port]`, `host` the signed `Host` header.
#[derive(Clone, Debug)]
pub(super) struct Endpoint {
    pub base: String,
    pub host: String,
}

/// One presigned URL to make.
#[derive(Clone, Copy)]
pub(super) struct UrlRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Scheme and host.
    pub endpoint: &'a Endpoint,
    /// The canonical (already encoded) path.
    pub path: &'a str,
    /// Extra query parameters, unencoded.
    pub params: &'a [(&'a str, &'a str)],
    /// Lifetime in seconds (1..=7 days).
    pub expires_secs: i64,
    /// If set, `Content-Length` is a signed header: the body must be exactly this long.
    pub content_length: Option<u64>,
}

/// What one signature is made with.
pub(super) struct Scope<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    pub at: DateTime<Utc>,
}

impl Scope<'_> {
    fn date(&self) -> String {
        self.at.format("%Y%m%d").to_string()
    }

    fn amz_date(&self) -> String {
        self.at.format("%Y%m%dT%H%M%SZ").to_string()
    }

    fn credential(&self) -> String {
        format!("{}/{}/{}/s3/aws4_request", self.credentials.access_key_id(), self.date(), self.region)
    }
}

impl Signer {
    fn signing_key(&self, scope: &Scope<'_>) -> Arc<[u8]> {
        let date = scope.date();
        let access_key = scope.credentials.access_key_id();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = cache.as_ref().filter(|c| c.date == date && c.access_key == access_key) {
            return cached.key.clone();
        }
        let key: Arc<[u8]> = aws_sigv4::sign::v4::generate_signing_key(
            scope.credentials.secret_access_key(),
            scope.at.into(),
            scope.region,
            "s3",
        )
        .as_ref()
        .into();
        *cache = Some(CachedKey { access_key: access_key.to_owned(), date, key: key.clone() });
        key
    }

    /// A presigned URL for `request`.
    pub(super) fn presign_url(&self, scope: &Scope<'_>, request: &UrlRequest<'_>) -> String {
        let UrlRequest { method, endpoint, path, params, expires_secs, content_length } = *request;
        let (base, host) = (endpoint.base.as_str(), endpoint.host.as_str());
        let expires = expires_secs.to_string();
        let (credential, amz_date) = (scope.credential(), scope.amz_date());
        let signed_headers = if content_length.is_some() { "content-length;host" } else { "host" };
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 6);
        all.extend_from_slice(params);
        all.extend_from_slice(&[
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", &credential),
            ("X-Amz-Date", &amz_date),
            ("X-Amz-Expires", &expires),
            ("X-Amz-SignedHeaders", signed_headers),
        ]);
        if let Some(token) = scope.credentials.session_token() {
            all.push(("X-Amz-Security-Token", token));
        }
        all.sort_unstable();
        let mut query = String::with_capacity(512);
        for (i, (name, value)) in all.iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            let _ = write!(query, "{}={}", encode(name), encode(value));
        }
        let mut canonical = String::with_capacity(query.len() + path.len() + 128);
        let _ = write!(canonical, "{method}\n{path}\n{query}\n");
        if let Some(length) = content_length {
            let _ = writeln!(canonical, "content-length:{length}");
        }
        let _ = write!(canonical, "host:{host}\n\n{signed_headers}\nUNSIGNED-PAYLOAD");
        let string_to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{}/{}/s3/aws4_request\n{}",
            scope.date(),
            scope.region,
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let signature = aws_sigv4::sign::v4::calculate_signature(self.signing_key(scope), string_to_sign.as_bytes());
        format!("{base}{path}?{query}&X-Amz-Signature={signature}")
    }

    /// The fields of a SigV4 POST form: every field has an exact (`eq`) condition in the policy,
    /// plus the content-length range. Returns the fields, `policy` and `x-amz-signature` included.
    pub(super) fn post_policy(
        &self,
        scope: &Scope<'_>,
        bucket: &str,
        fields: &[(&str, &str)],
        size: (u64, u64),
        expires_at: DateTime<Utc>,
    ) -> Vec<(String, String)> {
        let (credential, amz_date) = (scope.credential(), scope.amz_date());
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        all.push(("x-amz-algorithm".into(), "AWS4-HMAC-SHA256".into()));
        all.push(("x-amz-credential".into(), credential));
        all.push(("x-amz-date".into(), amz_date));
        if let Some(token) = scope.credentials.session_token() {
            all.push(("x-amz-security-token".into(), token.to_owned()));
        }
        let mut conditions = vec![serde_json::json!({ "bucket": bucket })];
        conditions.extend(all.iter().map(|(k, v)| serde_json::json!(["eq", format!("${k}"), v])));
        conditions.push(serde_json::json!(["content-length-range", size.0, size.1]));
        let policy = serde_json::json!({
            "expiration": expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "conditions": conditions,
        });
        let encoded = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
        let signature = aws_sigv4::sign::v4::calculate_signature(self.signing_key(scope), encoded.as_bytes());
        all.push(("policy".into(), encoded));
        all.push(("x-amz-signature".into(), signature));
        all
    }
}
