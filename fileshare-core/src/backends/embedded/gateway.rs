//! The verifying side of the embedded store: what its blob endpoints do with a presigned request.
//!
//! Each method checks the signature (constant time), the expiry and every signed condition before
//! touching storage, and refuses anything else with the error S3 would give: a bad signature, an
//! expired request or a violated policy is [`Error::Forbidden`] (HTTP 403), an oversized body
//! [`Error::TooLarge`], an undersized one [`Error::InvalidInput`].

use super::blobs::{BlobReader, BlobStorage};
use super::{names, purpose, EmbeddedFileStore};
use crate::domain::ObjectKey;
use crate::store::{ObjectMeta, MAX_PARTS};
use crate::{Error, Result};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use tokio::io::AsyncRead;

/// The signed upload policy carried (base64 JSON) in the form's `policy` field.
#[derive(Serialize, Deserialize)]
pub(super) struct PolicyDocument {
    pub expiration: DateTime<Utc>,
    pub key: String,
    pub content_type: String,
    pub content_length_range: (u64, u64),
}

/// A verified download, ready to stream to the client.
pub struct Download {
    /// The object's key and size.
    pub meta: ObjectMeta,
    /// `Content-Type` to send, as signed.
    pub content_type: String,
    /// `Content-Disposition` to send, as signed.
    pub content_disposition: String,
    /// The bytes.
    pub body: BlobReader,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("meta", &self.meta)
            .field("content_type", &self.content_type)
            .field("content_disposition", &self.content_disposition)
            .finish_non_exhaustive()
    }
}

/// Presigned URLs carry whole seconds; report the expiry they really have.
pub(super) fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

fn signature_mismatch() -> Error {
    Error::forbidden("the request signature does not match")
}

/// A parsed presigned URL: the object it names and its query parameters (each at most once).
struct SignedUrl {
    key: ObjectKey,
    params: HashMap<String, String>,
}

impl SignedUrl {
    fn param(&self, name: &str) -> Result<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| Error::forbidden(format!("the request is not presigned (missing {name})")))
    }
}

impl<B: BlobStorage> EmbeddedFileStore<B> {
    fn parse_url(&self, url: &str) -> Result<SignedUrl> {
        // Never echo the URL: it carries a signature, and errors end up in logs.
        let bad = || Error::not_found("object", "(unrecognised blob URL)");
        let url = self.public_url.join(url).map_err(|_| bad())?;
        let base = self.public_url.path();
        let raw_key = url.path().strip_prefix(base).and_then(|p| p.strip_prefix('/')).ok_or_else(bad)?;
        let decoded = percent_encoding::percent_decode_str(raw_key).decode_utf8().map_err(|_| bad())?;
        let key = ObjectKey::parse(&decoded).map_err(|_| bad())?;
        let mut params = HashMap::new();
        for (name, value) in url.query_pairs() {
            // A repeated parameter could mean one thing to the verifier and another to a proxy.
            if params.insert(name.into_owned(), value.into_owned()).is_some() {
                return Err(signature_mismatch());
            }
        }
        Ok(SignedUrl { key, params })
    }

    fn check_not_expired(&self, expires_unix: &str) -> Result<()> {
        let expires: i64 = expires_unix.parse().map_err(|_| signature_mismatch())?;
        if self.clock.now().timestamp() >= expires {
            return Err(Error::forbidden("the request has expired"));
        }
        Ok(())
    }

    /// Accepts a browser-style POST upload: the form's text `fields` and the `file` body.
    ///
    /// Stores the file only if the policy's signature verifies, it has not expired, the `key` and
    /// `Content-Type` fields are exactly the policy's, and the body length is within its range.
    pub async fn receive_form_upload(
        &self,
        fields: &BTreeMap<String, String>,
        file: &mut (dyn AsyncRead + Send + Unpin),
    ) -> Result<ObjectMeta> {
        let field = |name: &str| {
            fields.get(name).map(String::as_str).ok_or_else(|| Error::invalid("form", format!("missing field {name}")))
        };
        let encoded = field(names::POLICY)?;
        if field(names::FIELD_ALGORITHM)? != names::ALGORITHM
            || !self.signer.verify(purpose::POLICY, &[encoded], field(names::FIELD_SIGNATURE)?)
        {
            return Err(signature_mismatch());
        }
        // Signed by us, so it parses; a failure here means a key compromise or a bug, not user error.
        let policy: PolicyDocument = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(signature_mismatch)?;
        if self.clock.now() >= policy.expiration {
            return Err(Error::forbidden("the upload policy has expired"));
        }
        if field(names::KEY)? != policy.key {
            return Err(Error::forbidden("the key does not satisfy the upload policy"));
        }
        if field(names::CONTENT_TYPE)? != policy.content_type {
            return Err(Error::forbidden("the Content-Type does not satisfy the upload policy"));
        }
        let key = ObjectKey::parse(&policy.key)?;
        let (min, max) = policy.content_length_range;
        let meta = self.blobs.write(key.as_str(), file, min..=max).await?;
        Ok(Self::object_meta(&key, meta))
    }

    /// Verifies a presigned GET (`url`: the request's path and query, or the full URL) and opens the
    /// object with the signed response headers.
    pub async fn open_download(&self, url: &str) -> Result<Download> {
        let signed = self.parse_url(url)?;
        let expires = signed.param(names::EXPIRES)?;
        let content_type = signed.param(names::RESPONSE_CONTENT_TYPE)?;
        let disposition = signed.param(names::RESPONSE_DISPOSITION)?;
        let fields = [signed.key.as_str(), expires, content_type, disposition];
        if !self.signer.verify(purpose::GET, &fields, signed.param(names::SIGNATURE)?) {
            return Err(signature_mismatch());
        }
        self.check_not_expired(expires)?;
        let (meta, body) =
            self.blobs.read(signed.key.as_str()).await?.ok_or_else(|| Error::not_found("object", &signed.key))?;
        Ok(Download {
            meta: Self::object_meta(&signed.key, meta),
            content_type: content_type.to_owned(),
            content_disposition: disposition.to_owned(),
            body,
        })
    }

    /// Verifies a presigned part PUT and stores the part; returns its `ETag` (quoted, as S3 does).
    /// The body must be exactly the signed size.
    pub async fn receive_part(&self, url: &str, body: &mut (dyn AsyncRead + Send + Unpin)) -> Result<String> {
        let signed = self.parse_url(url)?;
        let upload_id = signed.param(names::UPLOAD_ID)?;
        let part = signed.param(names::PART_NUMBER)?;
        let size = signed.param(names::SIZE)?;
        let expires = signed.param(names::EXPIRES)?;
        let fields = [signed.key.as_str(), upload_id, part, size, expires];
        if !self.signer.verify(purpose::PART, &fields, signed.param(names::SIGNATURE)?) {
            return Err(signature_mismatch());
        }
        self.check_not_expired(expires)?;
        let part: u32 = part.parse().map_err(|_| signature_mismatch())?;
        let size: u64 = size.parse().map_err(|_| signature_mismatch())?;
        if !self.check_upload_id(&signed.key, upload_id) || part == 0 || part > MAX_PARTS {
            return Err(signature_mismatch());
        }
        let meta = self.blobs.write(&Self::part_path(upload_id, part), body, size..=size).await?;
        Ok(meta.etag)
    }
}
