//! The values that go in and out of a [`FileStore`](super::FileStore).

use crate::domain::{ContentType, FileName, ObjectKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// What a presigned upload form allows: exactly this key, a body size within `size`, exactly this
/// content type, until `expires_at`. The store enforces every condition (S3 POST policy semantics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPolicy {
    /// The only key the form may write.
    pub key: ObjectKey,
    /// The only `Content-Type` the form may carry.
    pub content_type: ContentType,
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
    /// Name given to the browser through `Content-Disposition: attachment` (RFC 6266/5987).
    pub filename: FileName,
    /// `Content-Type` of the response.
    pub content_type: ContentType,
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
