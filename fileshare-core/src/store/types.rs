//! The values that go in and out of a [`FileStore`](super::FileStore).

use crate::domain::{ContentType, FileName, ObjectKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// How an object is served: its `Content-Type`, and the name a browser saves it under
/// (`Content-Disposition: attachment`, RFC 6266/5987). Stores that can keep headers with an object
/// (S3) store these at upload, so the object serves them by any path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectHeaders {
    /// `Content-Type`.
    pub content_type: ContentType,
    /// Saved-as name, sent through [`content_disposition`](crate::content_disposition).
    pub filename: FileName,
}

/// What a presigned upload form allows: exactly this key, a body size within `size`, exactly these
/// headers, until `expires_at`. The store enforces every condition (S3 POST policy semantics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPolicy {
    /// The only key the form may write.
    pub key: ObjectKey,
    /// The only headers the form may carry.
    pub headers: ObjectHeaders,
    /// Accepted body sizes in bytes (inclusive).
    pub size: RangeInclusive<u64>,
    /// When the form stops working.
    pub expires_at: DateTime<Utc>,
}

/// A browser-style upload: `POST url` as `multipart/form-data` with every field, then the file as the
/// last part (named `file`). The same client works for S3 and for the embedded store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedForm {
    /// Where to POST.
    pub url: String,
    /// Form fields to send, unchanged, before the file.
    pub fields: BTreeMap<String, String>,
    /// When the form stops working.
    pub expires_at: DateTime<Utc>,
}

/// A presigned download: what the response must look like, and for how long the URL works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadRequest {
    /// The object to read.
    pub key: ObjectKey,
    /// `Content-Type` and `Content-Disposition` of the response.
    pub headers: ObjectHeaders,
    /// When the URL should stop working (a store may clamp it earlier, e.g. to its credentials' lifetime).
    pub expires_at: DateTime<Utc>,
}

/// A presigned URL, for one method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedUrl {
    /// The URL, complete with its signature.
    pub url: String,
    /// The HTTP method it is valid for.
    pub method: String,
    /// When it stops working (may be earlier than requested; never later).
    pub expires_at: DateTime<Utc>,
}

/// A presigned part upload of a multipart upload: `PUT` exactly `size` bytes to the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartRequest {
    /// The object being assembled.
    pub key: ObjectKey,
    /// The store's id of the multipart upload.
    pub upload_id: String,
    /// 1-based part number (1..=10 000).
    pub part_number: u32,
    /// Exact size of the part in bytes.
    pub size: u64,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
}

/// A part the client uploaded, identified by the `ETag` the store returned for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedPart {
    /// 1-based part number.
    pub part_number: u32,
    /// The `ETag` header of the part upload's response.
    pub etag: String,
}

/// What a store knows of a stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The object's key.
    pub key: ObjectKey,
    /// Its size in bytes.
    pub size: u64,
    /// The store's entity tag, if it has one.
    pub etag: Option<String>,
}

/// Largest part number of a multipart upload (S3's limit).
pub const MAX_PARTS: u32 = 10_000;

impl From<&crate::domain::FileRecord> for ObjectHeaders {
    fn from(file: &crate::domain::FileRecord) -> Self {
        Self { content_type: file.content_type.clone(), filename: file.name.clone() }
    }
}
