//! Requests to and answers from [`FileShare`](super::FileShare).

use crate::domain::{FileRecord, Scope, Share, ShareCursor};
use crate::store::PresignedUpload;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A request to upload a file. Strings are validated by [`FileShare::create_upload`](super::FileShare::create_upload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadRequest {
    /// Display name.
    pub name: String,
    /// Exact size in bytes.
    pub size: u64,
    /// Content type the file will be served with.
    pub content_type: String,
    /// Upload in parts (required above [`Config::max_upload_size`](super::Config::max_upload_size)).
    #[serde(default)]
    pub multipart: bool,
}

impl UploadRequest {
    /// A single (form) upload request.
    pub fn new(name: impl Into<String>, size: u64, content_type: impl Into<String>) -> Self {
        Self { name: name.into(), size, content_type: content_type.into(), multipart: false }
    }
}

/// Where and how the client sends the bytes of a new file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum UploadTarget {
    /// PUT the whole file to the URL with its headers.
    Single(PresignedUpload),
    /// PUT each part to its URL, then complete with the parts' ETags.
    Multipart {
        /// The store's multipart upload id.
        upload_id: String,
        /// Size of every part but the last.
        part_size: u64,
        /// One presigned PUT per part, in order.
        parts: Vec<PartUpload>,
    },
}

/// One part of a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartUpload {
    /// 1-based part number.
    pub part_number: u32,
    /// Exact size of this part.
    pub size: u64,
    /// Presigned PUT URL.
    pub url: String,
}

/// The answer to an upload request: the pending file and where to send its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UploadTicket {
    /// The new, pending file.
    pub file: FileRecord,
    /// How to send the bytes.
    pub target: UploadTarget,
    /// When the upload URLs stop working.
    pub expires_at: DateTime<Utc>,
}

/// A file as its viewer may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileDetails {
    /// The file.
    pub file: FileRecord,
    /// How the viewer can see it.
    pub access: Access,
    /// Who it is shared with, the first page of it: the owner's view only (`None` for grantees).
    pub shared_with: Option<SharePage>,
}

/// A page of a file's shares, in grantee order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharePage {
    /// The shares.
    pub shares: Vec<Share>,
    /// Pass this back to [`FileShare::list_shares`](crate::FileShare::list_shares) for the next
    /// page; `None` on the last.
    pub next_cursor: Option<ShareCursor>,
}

/// Why a viewer can see a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Access {
    /// The viewer owns it.
    Owner,
    /// It is shared with the viewer.
    Grantee {
        /// The share that grants access.
        share: Share,
    },
}

/// One entry of a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// The file.
    pub file: FileRecord,
    /// Owned by the viewer, or shared with them.
    pub access: Access,
}

/// A listing request.
#[derive(Clone, Debug, PartialEq, Eq, Default, Deserialize)]
pub struct ListRequest {
    /// Which files.
    #[serde(default)]
    pub scope: Scope,
    /// Page size (1..=[`Config::max_page_size`](super::Config::max_page_size)); default 50.
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl ListRequest {
    /// The first page of `scope`.
    pub fn scope(scope: Scope) -> Self {
        Self { scope, ..Self::default() }
    }
}
