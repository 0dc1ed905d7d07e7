//! The values the bindings return: plain, immutable Python objects over the API's wire types, the
//! same whether they come from the in-process service or from a client of a running one.

use chrono::{DateTime, Utc};
use fileshare_api::{FileView, ListResponse, ShareView};
use pyo3::prelude::*;
use std::collections::BTreeMap;

/// A file as its viewer may see it.
#[pyclass(frozen, module = "fileshare")]
#[derive(Clone)]
pub struct FileInfo(pub FileView);

#[pymethods]
impl FileInfo {
    /// Server-generated id.
    #[getter]
    fn file_id(&self) -> &str {
        &self.0.file_id
    }

    /// The owner's user id.
    #[getter]
    fn owner(&self) -> &str {
        &self.0.owner
    }

    /// The owner's username, where the service knows it (from a :class:`Client`).
    #[getter]
    fn owner_name(&self) -> Option<&str> {
        self.0.owner_name.as_deref()
    }

    /// Display name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// Size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// Content type.
    #[getter]
    fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// ``"pending"`` or ``"available"``.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// When the upload was requested (aware UTC datetime).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the record last changed.
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// ``"owner"`` or ``"grantee"``.
    #[getter]
    fn access(&self) -> &'static str {
        self.0.access.as_str()
    }

    /// Who the file is shared with (the owner's view of one file; otherwise ``None``).
    #[getter]
    fn shared_with(&self) -> Option<Vec<ShareInfo>> {
        self.0.shared_with.as_ref().map(|shares| shares.iter().cloned().map(ShareInfo).collect())
    }

    /// For a grantee: when their access ends, if it does.
    #[getter]
    fn share_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.share_expires_at
    }

    fn __repr__(&self) -> String {
        let f = &self.0;
        format!(
            "FileInfo(file_id={:?}, name={:?}, size={}, status={:?}, access={:?})",
            f.file_id,
            f.name,
            f.size,
            f.status.as_str(),
            f.access.as_str()
        )
    }
}

/// A share of a file.
#[pyclass(frozen, module = "fileshare")]
#[derive(Clone)]
pub struct ShareInfo(pub ShareView);

#[pymethods]
impl ShareInfo {
    /// Who it is shared with.
    #[getter]
    fn user_id(&self) -> &str {
        &self.0.user_id
    }

    /// Their username, where the service knows it (from a :class:`Client`).
    #[getter]
    fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }

    /// What they may do (``"read"``).
    #[getter]
    fn permission(&self) -> &'static str {
        self.0.permission.as_str()
    }

    /// When it was first shared.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When access ends, if it does.
    #[getter]
    fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    fn __repr__(&self) -> String {
        let s = &self.0;
        format!(
            "ShareInfo(user_id={:?}, permission={:?}, expires_at={:?})",
            s.user_id,
            s.permission.as_str(),
            s.expires_at
        )
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

impl From<ListResponse> for Page {
    fn from(page: ListResponse) -> Self {
        Self { files: page.files.into_iter().map(FileInfo).collect(), next_cursor: page.next_cursor }
    }
}
