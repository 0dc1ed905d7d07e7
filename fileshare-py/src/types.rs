//! The values the bindings return: plain, immutable Python objects over the API's wire types, the
//! same whether they come from the in-process service or from a client of a running one.

use chrono::{DateTime, Utc};
use fileshare_api::{FileView, ListResponse, ShareView, SharesResponse};
use pyo3::prelude::*;
use std::collections::BTreeMap;

/// Read-only properties of a Python class over a wire type (`self.0`): each `name: Type = value`,
/// where `value` reads the wire value `v`, with its documentation.
macro_rules! properties {
    ($class:ident { $( $(#[doc = $doc:literal])* $name:ident: $ty:ty = |$v:ident| $get:expr; )* }) => {
        #[pymethods]
        impl $class {
            $(
                $(#[doc = $doc])*
                #[getter]
                fn $name(&self) -> $ty {
                    let $v = &self.0;
                    $get
                }
            )*
        }
    };
}
pub(crate) use properties;

/// A file as its viewer may see it.
#[pyclass(frozen, module = "fileshare")]
#[derive(Clone)]
pub struct FileInfo(pub FileView);

properties!(FileInfo {
    /// Server-generated id.
    file_id: &str = |v| &v.file_id;
    /// The owner's user id.
    owner: &str = |v| &v.owner;
    /// The owner's username, where the service knows it (from a :class:`Client`).
    owner_name: Option<&str> = |v| v.owner_name.as_deref();
    /// Display name.
    name: &str = |v| &v.name;
    /// Size in bytes.
    size: u64 = |v| v.size;
    /// Content type.
    content_type: &str = |v| &v.content_type;
    /// ``"pending"`` or ``"available"``.
    status: &'static str = |v| v.status.as_str();
    /// When the upload was requested (aware UTC datetime).
    created_at: DateTime<Utc> = |v| v.created_at;
    /// When the record last changed.
    updated_at: DateTime<Utc> = |v| v.updated_at;
    /// ``"owner"`` or ``"grantee"``.
    access: &'static str = |v| v.access.as_str();
    /// Who the file is shared with, the first 100 by user id (the owner's view of one file;
    /// otherwise ``None``).
    shared_with: Option<Vec<ShareInfo>> = |v| v.shared_with.as_ref().map(|s| s.iter().cloned().map(ShareInfo).collect());
    /// When the file is shared with more people than ``shared_with`` holds: the ``cursor`` of
    /// ``list_shares`` for the rest.
    shares_next_cursor: Option<&str> = |v| v.shares_next_cursor.as_deref();
    /// For a grantee: when their access ends, if it does.
    share_expires_at: Option<DateTime<Utc>> = |v| v.share_expires_at;
});

#[pymethods]
impl FileInfo {
    fn __repr__(&self) -> String {
        let f = &self.0;
        let (status, access) = (f.status.as_str(), f.access.as_str());
        format!(
            "FileInfo(file_id={:?}, name={:?}, size={}, status={status:?}, access={access:?})",
            f.file_id, f.name, f.size
        )
    }
}

/// A share of a file.
#[pyclass(frozen, module = "fileshare")]
#[derive(Clone)]
pub struct ShareInfo(pub ShareView);

properties!(ShareInfo {
    /// Who it is shared with.
    user_id: &str = |v| &v.user_id;
    /// Their username, where the service knows it (from a :class:`Client`).
    username: Option<&str> = |v| v.username.as_deref();
    /// What they may do (``"read"``).
    permission: &'static str = |v| v.permission.as_str();
    /// When it was first shared.
    created_at: DateTime<Utc> = |v| v.created_at;
    /// When access ends, if it does.
    expires_at: Option<DateTime<Utc>> = |v| v.expires_at;
});

#[pymethods]
impl ShareInfo {
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

/// One page of whom a file is shared with, in user id order.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct SharePage {
    /// The shares.
    pub shares: Vec<ShareInfo>,
    /// Pass as ``cursor`` for the next page; ``None`` on the last page.
    pub next_cursor: Option<String>,
}

#[pymethods]
impl SharePage {
    fn __repr__(&self) -> String {
        format!("SharePage(shares=[{} shares], next_cursor={:?})", self.shares.len(), self.next_cursor)
    }
}

impl From<SharesResponse> for SharePage {
    fn from(page: SharesResponse) -> Self {
        Self { shares: page.shares.into_iter().map(ShareInfo).collect(), next_cursor: page.next_cursor }
    }
}

impl From<ListResponse> for Page {
    fn from(page: ListResponse) -> Self {
        Self { files: page.files.into_iter().map(FileInfo).collect(), next_cursor: page.next_cursor }
    }
}
