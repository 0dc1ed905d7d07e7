//! The values that go in and out of a [`FileStore`](super::FileStore).

use crate::domain::{ContentType, FileName, ObjectKey, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// What a presigned upload allows: one `PUT` of exactly `size` bytes to exactly this key, with
/// exactly these headers, until `expires_at` — and only while no object exists under the key (S3's
/// `If-None-Match: *`), so whatever is stored first can never be replaced through the URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadPolicy {
    /// The only key the upload may write.
    pub key: ObjectKey,
    /// The headers the upload must carry (and the object keeps).
    pub headers: ObjectHeaders,
    /// The exact body size in bytes.
    pub size: u64,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
}

/// A presigned upload: `PUT` the whole body to `url` with every header of `headers`, unchanged (and
/// `Content-Length`). The same client works for S3 and for the embedded store. Storage answers
/// `412 Precondition Failed` once an object exists under the key: the upload happened already.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignedUpload {
    /// Where to PUT.
    pub url: String,
    /// Request headers to send, exactly as given (names in lower case).
    pub headers: BTreeMap<String, String>,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
}

/// The headers every presigned upload must carry, by name: what [`PresignedUpload::headers`] holds.
pub fn upload_headers(headers: &ObjectHeaders) -> BTreeMap<String, String> {
    BTreeMap::from([
        (header_names::CONTENT_TYPE.to_owned(), headers.content_type.to_string()),
        (header_names::CONTENT_DISPOSITION.to_owned(), crate::content_disposition(&headers.filename)),
        (header_names::IF_NONE_MATCH.to_owned(), "*".to_owned()),
    ])
}

/// Names of the request headers a presigned upload carries.
pub mod header_names {
    /// The object's `Content-Type`.
    pub const CONTENT_TYPE: &str = "content-type";
    /// The object's `Content-Disposition` (the name it is saved under).
    pub const CONTENT_DISPOSITION: &str = "content-disposition";
    /// `*`: store only if no object exists under the key.
    pub const IF_NONE_MATCH: &str = "if-none-match";
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
    /// Who the URL is for. A store that serves its own URLs (the embedded one) signs this into the
    /// URL, so that its server can ask [`FileShare`](crate::FileShare) on every request whether that
    /// user may still read the file; stateless stores (S3) ignore it.
    pub viewer: Option<UserId>,
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
