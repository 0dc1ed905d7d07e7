//! The verifying side of the embedded store: what its blob endpoints do with a presigned request.
//!
//! Verification and storage are two steps, so that a server can ask
//! [`FileShare`](crate::FileShare) in between whether the upload is still open or the viewer may
//! still read the file. Verification checks the signature (constant time), the expiry and every
//! signed header before anything touches storage, and refuses anything else with the error S3
//! would give: a bad signature or an expired request is [`Error::Forbidden`] (HTTP 403), an
//! oversized body [`Error::TooLarge`], an undersized one [`Error::InvalidInput`], a second upload
//! of an object [`Error::AlreadyExists`] (HTTP 412).

use super::blobs::{BlobBody, BlobStorage, Placement};
use super::{names, purpose, EmbeddedFileStore};
use crate::domain::{ObjectKey, UserId};
use crate::store::{header_names, ObjectMeta, MAX_PARTS};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use tokio::io::AsyncRead;

/// A verified download, ready to stream to the client.
pub struct Download {
    /// The object's key and size.
    pub meta: ObjectMeta,
    /// `Content-Type` to send, as signed.
    pub content_type: String,
    /// `Content-Disposition` to send, as signed.
    pub content_disposition: String,
    /// The bytes.
    pub body: BlobBody,
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

/// A presigned `PUT` whose signature, expiry and headers checked out: what it may write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedUpload {
    key: ObjectKey,
    size: u64,
    /// `(upload id, part number)` for a part of a multipart upload; `None` for a whole object.
    part: Option<(String, u32)>,
}

impl VerifiedUpload {
    /// The object the upload is for.
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// The multipart upload a part belongs to; `None` for a whole object.
    pub fn upload_id(&self) -> Option<&str> {
        self.part.as_ref().map(|(id, _)| id.as_str())
    }
}

/// What a verified upload stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// The `ETag` to answer with (a part's identifies it at completion).
    pub etag: String,
    /// The object, for a whole-object upload; `None` for a part.
    pub object: Option<ObjectMeta>,
}

/// A presigned GET whose signature and expiry checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedDownload {
    key: ObjectKey,
    viewer: Option<UserId>,
    content_type: String,
    content_disposition: String,
}

impl VerifiedDownload {
    /// The object to serve.
    pub fn key(&self) -> &ObjectKey {
        &self.key
    }

    /// Who the URL was issued to, if it names someone.
    pub fn viewer(&self) -> Option<&UserId> {
        self.viewer.as_ref()
    }
}

/// Presigned URLs carry whole seconds; report the expiry they really have.
pub(super) fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// What an object upload's signature covers: the key, size and expiry in its URL, and the headers
/// the request must carry (so they need not be in the URL).
pub(super) fn object_fields<'a>(
    key: &'a ObjectKey,
    size: &'a str,
    expires: &'a str,
    headers: &'a BTreeMap<String, String>,
) -> [&'a str; 6] {
    let header = |name: &str| headers.get(name).map_or("", String::as_str);
    [
        key.as_str(),
        size,
        expires,
        header(header_names::CONTENT_TYPE),
        header(header_names::CONTENT_DISPOSITION),
        header(header_names::IF_NONE_MATCH),
    ]
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

    /// Verifies a presigned `PUT` — of a whole object (its signed headers must be in `headers`,
    /// keyed by lower-case name) or of a multipart part — without touching storage.
    pub fn verify_upload(&self, url: &str, headers: &BTreeMap<String, String>) -> Result<VerifiedUpload> {
        let signed = self.parse_url(url)?;
        let size = signed.param(names::SIZE)?;
        let expires = signed.param(names::EXPIRES)?;
        let signature = signed.param(names::SIGNATURE)?;
        let part = if signed.params.contains_key(names::UPLOAD_ID) {
            let upload_id = signed.param(names::UPLOAD_ID)?;
            let part = signed.param(names::PART_NUMBER)?;
            let fields = [signed.key.as_str(), upload_id, part, size, expires];
            if !self.signer.verify(purpose::PART, &fields, signature) {
                return Err(signature_mismatch());
            }
            let number: u32 = part.parse().map_err(|_| signature_mismatch())?;
            if !self.check_upload_id(&signed.key, upload_id) || number == 0 || number > MAX_PARTS {
                return Err(signature_mismatch());
            }
            Some((upload_id.to_owned(), number))
        } else {
            let fields = object_fields(&signed.key, size, expires, headers);
            if !self.signer.verify(purpose::OBJECT, &fields, signature) {
                return Err(Error::forbidden(
                    "the request signature does not match (send every header the upload names, unchanged)",
                ));
            }
            None
        };
        self.check_not_expired(expires)?;
        let size = size.parse().map_err(|_| signature_mismatch())?;
        Ok(VerifiedUpload { key: signed.key, size, part })
    }

    /// Stores the body of a verified upload: exactly its signed size. A whole object is written
    /// once ([`Error::AlreadyExists`] if it exists); a part only while its upload is open
    /// ([`Error::NotFound`] once it was completed or aborted).
    pub async fn store_upload(
        &self,
        upload: &VerifiedUpload,
        body: &mut (dyn AsyncRead + Send + Unpin),
    ) -> Result<Stored> {
        let size = upload.size..=upload.size;
        match &upload.part {
            None => {
                let meta = self.blobs.write(upload.key.as_str(), body, size, Placement::New).await?;
                let object = Self::object_meta(&upload.key, meta);
                Ok(Stored { etag: object.etag.clone().unwrap_or_default(), object: Some(object) })
            }
            Some((upload_id, number)) => {
                let path = Self::part_path(upload_id, *number);
                let meta = self.blobs.write(&path, body, size, Placement::InFolder).await?;
                Ok(Stored { etag: meta.etag, object: None })
            }
        }
    }

    /// Verifies a presigned GET (`url`: the request's path and query, or the full URL) without
    /// touching storage.
    pub fn verify_download(&self, url: &str) -> Result<VerifiedDownload> {
        let signed = self.parse_url(url)?;
        let expires = signed.param(names::EXPIRES)?;
        let content_type = signed.param(names::RESPONSE_CONTENT_TYPE)?;
        let disposition = signed.param(names::RESPONSE_DISPOSITION)?;
        let viewer = signed.params.get(names::VIEWER).map_or("", String::as_str);
        let fields = [signed.key.as_str(), expires, content_type, disposition, viewer];
        if !self.signer.verify(purpose::GET, &fields, signed.param(names::SIGNATURE)?) {
            return Err(signature_mismatch());
        }
        self.check_not_expired(expires)?;
        let viewer = (!viewer.is_empty()).then(|| UserId::new(viewer)).transpose().map_err(|_| signature_mismatch())?;
        Ok(VerifiedDownload {
            viewer,
            content_type: content_type.to_owned(),
            content_disposition: disposition.to_owned(),
            key: signed.key,
        })
    }

    /// Opens the object of a verified download, with the signed response headers.
    pub async fn open_download(&self, download: VerifiedDownload) -> Result<Download> {
        let key = download.key;
        let (meta, body) = self.blobs.read(key.as_str()).await?.ok_or_else(|| Error::not_found("object", &key))?;
        Ok(Download {
            meta: Self::object_meta(&key, meta),
            content_type: download.content_type,
            content_disposition: download.content_disposition,
            body,
        })
    }
}
