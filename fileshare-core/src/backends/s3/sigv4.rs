//! SigV4 presigning done directly: query-string URLs for GETs and PUTs (objects and parts), with
//! any request headers the client must send signed into them.
//!
//! The SDK's `.presigned()` path is general and costs ~20 µs a URL. This builds the canonical
//! request in one buffer, and keeps the HMAC already keyed with the signing key for each
//! (access key, day, region) — the signing key is derived by `aws-sigv4` — so a presign costs about
//! a microsecond or two (BENCHMARKS.md).

use crate::encoding::{hex_into, is_unreserved, percent_encode_into, push_amz_date, push_yyyymmdd};
use crate::{Error, Result};
use aws_credential_types::Credentials;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::sync::Mutex;

type HmacSha256 = Hmac<Sha256>;

/// Longest presigned URL lifetime SigV4 allows.
pub(super) const MAX_EXPIRY_SECS: i64 = 7 * 24 * 3600;

/// Appends `s` percent-encoded the SigV4 way (everything but RFC 3986 unreserved characters).
pub(super) fn encode_into(out: &mut String, s: &str) {
    percent_encode_into(out, s, is_unreserved);
}

/// The HMAC keyed with one signing key, for the credentials, day and region it was derived for.
struct CachedKey {
    access_key: String,
    date: String,
    region: String,
    mac: HmacSha256,
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
    /// Extra query parameters, unencoded, **sorted by name**, each starting with a lower-case letter
    /// (`partNumber`, `response-*`, `uploadId`), so that they all sort after `X-Amz-*`.
    pub params: &'a [(&'a str, &'a str)],
    /// Lifetime in seconds (1..=7 days).
    pub expires_secs: i64,
    /// Headers the request must carry, signed (besides `host`): lower-case names, **sorted by
    /// name**, none of them `host` (e.g. `content-length`, so the body must be exactly that long).
    pub headers: &'a [(&'a str, &'a str)],
}

/// A header value as SigV4 canonicalizes it: trimmed, with runs of spaces collapsed to one — what
/// S3 computes from the value the client sends.
fn push_canonical_value(out: &mut String, value: &str) {
    let mut space = false;
    for c in value.trim().chars() {
        if c == ' ' {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
}

/// What one signature is made with: the credentials, the region and the signing time.
pub(super) struct Scope<'a> {
    credentials: &'a Credentials,
    region: &'a str,
    at: DateTime<Utc>,
    date: String,
    amz_date: String,
}

impl<'a> Scope<'a> {
    pub(super) fn new(credentials: &'a Credentials, region: &'a str, at: DateTime<Utc>) -> Self {
        let (mut date, mut amz_date) = (String::with_capacity(8), String::with_capacity(16));
        push_yyyymmdd(&mut date, at);
        push_amz_date(&mut amz_date, at);
        Self { credentials, region, at, date, amz_date }
    }

    /// `{date}/{region}/s3/aws4_request`.
    fn push_scope(&self, out: &mut String) {
        out.push_str(&self.date);
        out.push('/');
        out.push_str(self.region);
        out.push_str("/s3/aws4_request");
    }

    fn credential(&self) -> String {
        let mut out = String::with_capacity(64);
        out.push_str(self.credentials.access_key_id());
        out.push('/');
        self.push_scope(&mut out);
        out
    }
}

impl Signer {
    /// Hex HMAC-SHA256 of `message` with the scope's signing key, appended to `out`.
    fn sign_into(&self, scope: &Scope<'_>, message: &[u8], out: &mut String) -> Result<()> {
        let mut mac = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let access_key = scope.credentials.access_key_id();
            let cached = cache
                .as_ref()
                .filter(|c| c.date == scope.date && c.access_key == access_key && c.region == scope.region);
            match cached {
                Some(cached) => cached.mac.clone(),
                None => {
                    let key = aws_sigv4::sign::v4::generate_signing_key(
                        scope.credentials.secret_access_key(),
                        scope.at.into(),
                        scope.region,
                        "s3",
                    );
                    let mac = <HmacSha256 as KeyInit>::new_from_slice(key.as_ref())
                        .map_err(|e| Error::storage("s3", format!("cannot key HMAC-SHA256 for signing: {e}")))?;
                    *cache = Some(CachedKey {
                        access_key: access_key.to_owned(),
                        date: scope.date.clone(),
                        region: scope.region.to_owned(),
                        mac: mac.clone(),
                    });
                    mac
                }
            }
        };
        mac.update(message);
        hex_into(out, &mac.finalize().into_bytes());
        Ok(())
    }

    /// A presigned URL for `request`.
    pub(super) fn presign_url(&self, scope: &Scope<'_>, request: &UrlRequest<'_>) -> Result<String> {
        let UrlRequest { method, endpoint, path, params, expires_secs, headers } = *request;
        debug_assert!(headers.windows(2).all(|w| w[0].0 < w[1].0), "headers must be sorted by name");
        // `host` in its sorted place among the signed headers.
        let at = headers.partition_point(|(name, _)| *name < "host");
        let signed: Vec<(&str, &str)> = headers[..at]
            .iter()
            .copied()
            .chain(std::iter::once(("host", endpoint.host.as_str())))
            .chain(headers[at..].iter().copied())
            .collect();
        let mut signed_names = String::with_capacity(64);
        for (i, (name, _)) in signed.iter().enumerate() {
            if i > 0 {
                signed_names.push(';');
            }
            signed_names.push_str(name);
        }

        // The canonical query, in byte order: ours (`X-Amz-*`, upper-case `X` sorts first), then the
        // caller's (sorted, lower-case initials).
        let mut query = String::with_capacity(512);
        query.push_str("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
        encode_into(&mut query, &scope.credential());
        query.push_str("&X-Amz-Date=");
        query.push_str(&scope.amz_date);
        query.push_str("&X-Amz-Expires=");
        query.push_str(&expires_secs.to_string());
        if let Some(token) = scope.credentials.session_token() {
            query.push_str("&X-Amz-Security-Token=");
            encode_into(&mut query, token);
        }
        query.push_str("&X-Amz-SignedHeaders=");
        encode_into(&mut query, &signed_names);
        for (name, value) in params {
            debug_assert!(name.starts_with(|c: char| c.is_ascii_lowercase()), "{name} must sort after X-Amz-*");
            query.push('&');
            encode_into(&mut query, name);
            query.push('=');
            encode_into(&mut query, value);
        }

        let mut canonical = String::with_capacity(query.len() + path.len() + 160);
        canonical.push_str(method);
        canonical.push('\n');
        canonical.push_str(path);
        canonical.push('\n');
        canonical.push_str(&query);
        canonical.push('\n');
        for (name, value) in &signed {
            canonical.push_str(name);
            canonical.push(':');
            push_canonical_value(&mut canonical, value);
            canonical.push('\n');
        }
        canonical.push('\n');
        canonical.push_str(&signed_names);
        canonical.push_str("\nUNSIGNED-PAYLOAD");

        let mut string_to_sign = String::with_capacity(160);
        string_to_sign.push_str("AWS4-HMAC-SHA256\n");
        string_to_sign.push_str(&scope.amz_date);
        string_to_sign.push('\n');
        scope.push_scope(&mut string_to_sign);
        string_to_sign.push('\n');
        hex_into(&mut string_to_sign, &Sha256::digest(canonical.as_bytes()));

        let mut url = String::with_capacity(endpoint.base.len() + path.len() + query.len() + 90);
        url.push_str(&endpoint.base);
        url.push_str(path);
        url.push('?');
        url.push_str(&query);
        url.push_str("&X-Amz-Signature=");
        self.sign_into(scope, string_to_sign.as_bytes(), &mut url)?;
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the S3 documentation ("Authenticating Requests: Using Query Parameters").
    #[test]
    fn presigned_url_matches_the_aws_documented_example() {
        let credentials =
            Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None, None, "test");
        let at = DateTime::from_timestamp(1_369_353_600, 0).expect("2013-05-24T00:00:00Z");
        let scope = Scope::new(&credentials, "us-east-1", at);
        let endpoint = Endpoint {
            base: "https://examplebucket.s3.amazonaws.com".into(),
            host: "examplebucket.s3.amazonaws.com".into(),
        };
        let request = UrlRequest {
            method: "GET",
            endpoint: &endpoint,
            path: "/test.txt",
            params: &[],
            expires_secs: 86400,
            headers: &[],
        };
        let url = Signer::default().presign_url(&scope, &request).expect("signs");
        assert!(
            url.ends_with("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
            "{url}"
        );
    }

    /// With extra parameters and a session token, the URL must verify as aws-sigv4's own presigner
    /// would sign it: the canonical query is the URL's query sorted by name.
    #[test]
    fn canonical_query_is_sorted_by_byte_order() {
        let credentials = Credentials::new("AKID", "secret", Some("token/with+chars".into()), None, "test");
        let at = DateTime::from_timestamp(1_795_000_000, 0).expect("time");
        let scope = Scope::new(&credentials, "eu-west-1", at);
        let endpoint = Endpoint { base: "http://127.0.0.1:9000".into(), host: "127.0.0.1:9000".into() };
        let params = [("partNumber", "3"), ("uploadId", "abc~def")];
        let request = UrlRequest {
            method: "PUT",
            endpoint: &endpoint,
            path: "/bucket/files/u/k",
            params: &params,
            expires_secs: 60,
            headers: &[("content-length", "5")],
        };
        let url = Signer::default().presign_url(&scope, &request).expect("signs");
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let names: Vec<&str> = query.split('&').map(|p| p.split('=').next().unwrap_or_default()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        let signature = names.iter().position(|n| *n == "X-Amz-Signature");
        assert_eq!(signature, Some(names.len() - 1), "the signature comes last");
        assert_eq!(
            &names[..names.len() - 1],
            &sorted.iter().filter(|n| **n != "X-Amz-Signature").copied().collect::<Vec<_>>()[..]
        );
    }
}
