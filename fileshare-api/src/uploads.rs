//! Uploads: asking for presigned targets, and completing once the bytes are there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /files/upload-url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadBody {
    /// Display name: 1–255 bytes of UTF-8 (after NFC normalisation), not only whitespace, not `.`
    /// or `..`, without control characters, bidirectional controls or path separators.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 255, pattern = r"^[^\x00-\x1f\x7f-\x9f/\\]+$")
    )]
    pub name: String,
    /// Exact size in bytes (at most the single-upload limit, or the multipart limit with `multipart`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5_497_558_138_880_u64))]
    pub size: u64,
    /// Content type the file is served with: `type/subtype`, optionally with `; name=value`
    /// parameters (a quoted value holds no `;`, `"` or `\`); at most 255 bytes.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 255,
            pattern = r#"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(; *[A-Za-z0-9!#$%&'*+.^_`|~-]+=([A-Za-z0-9!#$%&'*+.^_`|~-]+|"[ !#-:<-\[\]-~]*"))*$"#
        )
    )]
    pub content_type: String,
    /// Upload in parts (required above the single-upload limit).
    #[serde(default)]
    pub multipart: bool,
}

/// The one method a single upload uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum UploadMethod {
    /// `PUT` the whole file.
    #[default]
    #[serde(rename = "PUT")]
    Put,
}

/// Where to send a single upload: `PUT` the whole file to `url` with every header in `headers`,
/// unchanged. Storage answers 412 once the file's bytes are there: an upload happens once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadView {
    /// Always `PUT`.
    pub method: UploadMethod,
    /// The presigned URL.
    pub url: String,
    /// Request headers to send exactly as given (`content-type`, `content-disposition`,
    /// `if-none-match: *`).
    pub headers: BTreeMap<String, String>,
}

/// One part of a multipart upload: PUT exactly `size` bytes to `url`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartView {
    /// 1-based part number.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub part_number: u32,
    /// Exact size in bytes.
    pub size: u64,
    /// Presigned PUT URL.
    pub url: String,
}

/// A multipart upload plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MultipartView {
    /// The storage upload id.
    pub upload_id: String,
    /// Size of every part but the last.
    pub part_size: u64,
    /// The parts, in order.
    pub parts: Vec<PartView>,
}

/// The answer to an upload request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadResponse {
    /// The new (pending) file's id.
    pub file_id: String,
    /// For a single upload: where to PUT it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadView>,
    /// For a multipart upload: the parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multipart: Option<MultipartView>,
    /// When the upload URLs stop working.
    pub expires_at: DateTime<Utc>,
}

/// A completed part: its number and the `ETag` its PUT returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartEtag {
    /// 1-based part number.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub part_number: u32,
    /// The part's `ETag`.
    pub etag: String,
}

/// `POST /files/{id}/complete` (body optional; multipart uploads list their parts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompleteBody {
    /// Every part, in order (multipart uploads only).
    #[serde(default)]
    pub parts: Vec<PartEtag>,
}
