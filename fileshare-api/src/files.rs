//! Files and their shares: what listings, `GET /files/{id}` and sharing exchange.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a file is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Upload requested; its bytes are not confirmed yet.
    Pending,
    /// Uploaded: it can be listed, shared and downloaded.
    Available,
}

impl FileStatus {
    /// The wire name: `pending` or `available`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Pending => "pending",
            FileStatus::Available => "available",
        }
    }
}

/// How the viewer holds a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Access {
    /// They own it.
    Owner,
    /// It is shared with them.
    Grantee,
}

impl Access {
    /// The wire name: `owner` or `grantee`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Owner => "owner",
            Access::Grantee => "grantee",
        }
    }
}

/// What a share lets its grantee do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// See the file and download it.
    #[default]
    Read,
}

impl Permission {
    /// The wire name: `read`.
    pub fn as_str(self) -> &'static str {
        "read"
    }
}

/// Which files a listing shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The caller's own files.
    Owned,
    /// Files shared with the caller.
    Shared,
    /// Both.
    #[default]
    All,
}

impl Scope {
    /// The wire name: `owned`, `shared` or `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Owned => "owned",
            Scope::Shared => "shared",
            Scope::All => "all",
        }
    }
}

/// A file, as its viewer may see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileView {
    /// Server-generated id.
    pub file_id: String,
    /// The owner's user id.
    pub owner: String,
    /// The owner's username, where the identity provider knows it: who shared it, in a
    /// grantee's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Display name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Content type.
    pub content_type: String,
    /// Whether the upload is complete.
    pub status: FileStatus,
    /// When the upload was requested.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// Whether the viewer owns it or it is shared with them.
    pub access: Access,
    /// Who the file is shared with, the first 100 in user id order (the owner's view of one file
    /// only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_with: Option<Vec<ShareView>>,
    /// When the file is shared with more people than `shared_with` holds: pass as `cursor` to
    /// `GET /files/{id}/shares` for the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shares_next_cursor: Option<String>,
    /// For a grantee: when their access ends, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_expires_at: Option<DateTime<Utc>>,
}

/// A share of a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareView {
    /// Who it is shared with.
    pub user_id: String,
    /// Their username, where the identity provider knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What they may do.
    pub permission: Permission,
    /// When it was first shared.
    pub created_at: DateTime<Utc>,
    /// When access ends, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// `GET /files` query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListParams {
    /// Which files (default `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(inline))]
    pub scope: Option<Scope>,
    /// Page size, 1–1000 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 256, pattern = "^[A-Za-z0-9_-]+$"))]
    pub cursor: Option<String>,
}

/// A page of files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListResponse {
    /// The files, newest first.
    pub files: Vec<FileView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /files/{id}/download-url` query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct DownloadParams {
    /// URL lifetime in seconds (default 300; at most 7 days for the owner, and a grantee's is cut
    /// to 5 minutes and to their share's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 604800))]
    pub expires_in: Option<u64>,
}

/// A short-lived download URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DownloadResponse {
    /// GET this URL.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// `GET /files/{id}/shares` query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SharesParams {
    /// Page size, 1–100 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<usize>,
    /// The previous page's `next_cursor` (or the file's `shares_next_cursor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 256, pattern = "^[A-Za-z0-9_-]+$"))]
    pub cursor: Option<String>,
}

/// A page of who a file is shared with, in user id order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharesResponse {
    /// The shares.
    pub shares: Vec<ShareView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `POST /files/{id}/share`: whom to share with, by user id or by name (exactly one of the two).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareBody {
    /// The user to share with, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user to share with, by username — or email address, where the identity provider keeps
    /// them (Cognito). An unknown one is a 404 of type `unknown-user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub user: Option<String>,
    /// When access ends (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}
