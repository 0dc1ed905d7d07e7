//! The values the bindings return: plain, immutable Python objects.

use chrono::{DateTime, Utc};
use fileshare_core::{Access, FileDetails, FileEntry, FileRecord, Share};
use pyo3::prelude::*;
use std::collections::BTreeMap;

/// A file as its viewer may see it.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct FileInfo {
    /// Server-generated id.
    pub file_id: String,
    /// The owner's user id.
    pub owner: String,
    /// Display name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Content type.
    pub content_type: String,
    /// ``"pending"`` or ``"available"``.
    pub status: String,
    /// When the upload was requested (aware UTC datetime).
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// ``"owner"`` or ``"grantee"``.
    pub access: String,
    /// Who the file is shared with (the owner's view of one file; otherwise ``None``).
    pub shared_with: Option<Vec<ShareInfo>>,
}

#[pymethods]
impl FileInfo {
    fn __repr__(&self) -> String {
        format!(
            "FileInfo(file_id={:?}, name={:?}, size={}, status={:?}, access={:?})",
            self.file_id, self.name, self.size, self.status, self.access
        )
    }
}

impl FileInfo {
    pub fn new(file: FileRecord, access: &Access, shared_with: Option<Vec<Share>>) -> Self {
        Self {
            file_id: file.id.to_string(),
            owner: file.owner.to_string(),
            name: file.name.to_string(),
            size: file.size,
            content_type: file.content_type.to_string(),
            status: file.status.as_str().to_owned(),
            created_at: file.created_at,
            updated_at: file.updated_at,
            access: match access {
                Access::Owner => "owner",
                Access::Grantee { .. } => "grantee",
            }
            .to_owned(),
            shared_with: shared_with.map(|s| s.into_iter().map(ShareInfo::from).collect()),
        }
    }

    pub fn owned(file: FileRecord) -> Self {
        Self::new(file, &Access::Owner, None)
    }
}

impl From<FileDetails> for FileInfo {
    fn from(d: FileDetails) -> Self {
        Self::new(d.file, &d.access, d.shared_with)
    }
}

impl From<FileEntry> for FileInfo {
    fn from(e: FileEntry) -> Self {
        Self::new(e.file, &e.access, None)
    }
}

/// A share of a file.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct ShareInfo {
    /// Who it is shared with.
    pub user_id: String,
    /// What they may do (``"read"``).
    pub permission: String,
    /// When it was first shared.
    pub created_at: DateTime<Utc>,
    /// When access ends, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

#[pymethods]
impl ShareInfo {
    fn __repr__(&self) -> String {
        format!(
            "ShareInfo(user_id={:?}, permission={:?}, expires_at={:?})",
            self.user_id, self.permission, self.expires_at
        )
    }
}

impl From<Share> for ShareInfo {
    fn from(s: Share) -> Self {
        Self {
            user_id: s.grantee.to_string(),
            permission: s.permission.as_str().to_owned(),
            created_at: s.created_at,
            expires_at: s.expires_at,
        }
    }
}

/// Where to send a new file's bytes: ``PUT`` them to ``url`` with every header in ``headers``.
/// Storage stores them once; a second upload is refused.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct UploadTicket {
    /// The new (pending) file's id.
    pub file_id: String,
    /// The presigned URL.
    pub url: String,
    /// Request headers to send unchanged.
    pub headers: BTreeMap<String, String>,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
}

#[pymethods]
impl UploadTicket {
    fn __repr__(&self) -> String {
        format!("UploadTicket(file_id={:?}, url={:?}, expires_at={})", self.file_id, self.url, self.expires_at)
    }
}

/// One page of a listing.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct Page {
    /// The files, newest first.
    pub files: Vec<FileInfo>,
    /// Pass as ``cursor`` for the next page; ``None`` on the last page.
    pub next_cursor: Option<String>,
}

#[pymethods]
impl Page {
    fn __repr__(&self) -> String {
        format!("Page(files=[{} files], next_cursor={:?})", self.files.len(), self.next_cursor)
    }
}
