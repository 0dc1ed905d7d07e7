//! JSON bodies of the API. Kept apart from the core types so the wire format is a
//! deliberate contract, documented in `/openapi.json`.

use chrono::{DateTime, Utc};
use fileshare_core::{Access, FileDetails, FileEntry, FileRecord, Share};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// A file, as its viewer may see it.
#[derive(Serialize, ToSchema)]
pub struct FileView {
    /// Server-generated id.
    pub file_id: String,
    /// The owner's user id.
    pub owner: String,
    /// The owner's username, where the identity provider knows it: who shared it, in a
    /// grantee's view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_name: Option<String>,
    /// Display name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Content type.
    pub content_type: String,
    /// `pending` or `available`.
    pub status: String,
    /// When the upload was requested.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// `owner` or `grantee`.
    pub access: String,
    /// Who the file is shared with (the owner's view of one file only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_with: Option<Vec<ShareView>>,
    /// For a grantee: when their access ends, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_expires_at: Option<DateTime<Utc>>,
}

impl FileView {
    fn new(file: FileRecord, access: &Access, shared_with: Option<Vec<Share>>) -> Self {
        let (access, share_expires_at) = match access {
            Access::Owner => ("owner", None),
            Access::Grantee { share } => ("grantee", share.expires_at),
        };
        Self {
            file_id: file.id.to_string(),
            owner: file.owner.to_string(),
            owner_name: None,
            name: file.name.to_string(),
            size: file.size,
            content_type: file.content_type.to_string(),
            status: file.status.as_str().to_owned(),
            created_at: file.created_at,
            updated_at: file.updated_at,
            access: access.to_owned(),
            shared_with: shared_with.map(|s| s.into_iter().map(ShareView::from).collect()),
            share_expires_at,
        }
    }

    /// The owner's view of a file they just uploaded.
    pub fn owned(file: FileRecord) -> Self {
        Self::new(file, &Access::Owner, None)
    }
}

impl From<FileDetails> for FileView {
    fn from(d: FileDetails) -> Self {
        Self::new(d.file, &d.access, d.shared_with)
    }
}

impl From<FileEntry> for FileView {
    fn from(e: FileEntry) -> Self {
        Self::new(e.file, &e.access, None)
    }
}

/// A share of a file.
#[derive(Serialize, ToSchema)]
pub struct ShareView {
    /// Who it is shared with.
    pub user_id: String,
    /// Their username, where the identity provider knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What they may do (`read`).
    pub permission: String,
    /// When it was first shared.
    pub created_at: DateTime<Utc>,
    /// When access ends, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<Share> for ShareView {
    fn from(s: Share) -> Self {
        Self {
            user_id: s.grantee.to_string(),
            username: None,
            permission: s.permission.as_str().to_owned(),
            created_at: s.created_at,
            expires_at: s.expires_at,
        }
    }
}

/// `POST /files/upload-url`.
#[derive(Deserialize, ToSchema)]
pub struct UploadBody {
    /// Display name: 1–255 bytes of UTF-8 (after NFC normalisation), not only whitespace, not `.`
    /// or `..`, without control characters, bidirectional controls or path separators.
    #[schema(min_length = 1, max_length = 255, pattern = r"^[^\x00-\x1f\x7f-\x9f/\\]+$")]
    pub name: String,
    /// Exact size in bytes (at most the single-upload limit, or the multipart limit with `multipart`).
    #[schema(minimum = 1, maximum = 5_497_558_138_880_u64)]
    pub size: u64,
    /// Content type the file is served with: `type/subtype`, optionally with `; name=value`
    /// parameters (a quoted value holds no `;`, `"` or `\`); at most 255 bytes.
    #[schema(
        max_length = 255,
        pattern = r#"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(; *[A-Za-z0-9!#$%&'*+.^_`|~-]+=([A-Za-z0-9!#$%&'*+.^_`|~-]+|"[ !#-:<-\[\]-~]*"))*$"#
    )]
    pub content_type: String,
    /// Upload in parts (required above the single-upload limit).
    #[serde(default)]
    pub multipart: bool,
}

/// Where to send a single upload: `PUT` the whole file to `url` with every header in `headers`,
/// unchanged. Storage answers 412 once the file's bytes are there: an upload happens once.
#[derive(Serialize, ToSchema)]
pub struct UploadView {
    /// Always `PUT`.
    pub method: &'static str,
    /// The presigned URL.
    pub url: String,
    /// Request headers to send exactly as given (`content-type`, `content-disposition`,
    /// `if-none-match: *`).
    pub headers: BTreeMap<String, String>,
}

/// One part of a multipart upload: PUT exactly `size` bytes to `url`.
#[derive(Serialize, ToSchema)]
pub struct PartView {
    /// 1-based part number.
    #[schema(minimum = 1, maximum = 10000)]
    pub part_number: u32,
    /// Exact size in bytes.
    pub size: u64,
    /// Presigned PUT URL.
    pub url: String,
}

/// A multipart upload plan.
#[derive(Serialize, ToSchema)]
pub struct MultipartView {
    /// The storage upload id.
    pub upload_id: String,
    /// Size of every part but the last.
    pub part_size: u64,
    /// The parts, in order.
    pub parts: Vec<PartView>,
}

/// The answer to an upload request.
#[derive(Serialize, ToSchema)]
pub struct UploadResponse {
    /// The new (pending) file's id.
    pub file_id: String,
    /// For a single upload: where to PUT it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<UploadView>,
    /// For a multipart upload: the parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multipart: Option<MultipartView>,
    /// When the upload URLs stop working.
    pub expires_at: DateTime<Utc>,
}

/// A completed part: its number and the `ETag` its PUT returned.
#[derive(Deserialize, ToSchema)]
pub struct PartEtag {
    /// 1-based part number.
    #[schema(minimum = 1, maximum = 10000)]
    pub part_number: u32,
    /// The part's `ETag`.
    pub etag: String,
}

/// `POST /files/{id}/complete` (body optional; multipart uploads list their parts).
#[derive(Deserialize, Default, ToSchema)]
pub struct CompleteBody {
    /// Every part, in order (multipart uploads only).
    #[serde(default)]
    pub parts: Vec<PartEtag>,
}

/// `GET /files` query.
#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// `owned`, `shared` or `all` (default).
    #[param(pattern = "^(owned|shared|all)$")]
    pub scope: Option<String>,
    /// Page size, 1–1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// A page of files.
#[derive(Serialize, ToSchema)]
pub struct ListResponse {
    /// The files, newest first.
    pub files: Vec<FileView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /files/{id}/download-url` query.
#[derive(Deserialize, IntoParams)]
pub struct DownloadParams {
    /// URL lifetime in seconds (default 300; at most 7 days for the owner, and a grantee's is cut
    /// to 5 minutes and to their share's end).
    #[param(minimum = 1, maximum = 604800)]
    pub expires_in: Option<u64>,
}

/// A short-lived download URL.
#[derive(Serialize, ToSchema)]
pub struct DownloadResponse {
    /// GET this URL.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// `POST /files/{id}/share`: whom to share with, by user id or by name (exactly one of the two).
#[derive(Deserialize, ToSchema)]
pub struct ShareBody {
    /// The user to share with, by id.
    pub user_id: Option<String>,
    /// The user to share with, by username — or email address, where the identity provider keeps
    /// them (Cognito). An unknown one is a 404 of type `unknown-user`.
    #[schema(min_length = 1, max_length = 128)]
    pub user: Option<String>,
    /// When access ends (optional).
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /auth/signup` and `POST /auth/login`.
#[derive(Deserialize, ToSchema)]
pub struct CredentialsBody {
    /// The username: 3–64 of `A–Z a–z 0–9 . _ - @ +`.
    #[schema(pattern = "^[A-Za-z0-9._@+-]{3,64}$")]
    pub username: String,
    /// The password: 10–256 characters with at least three of lower case, upper case, digits and
    /// symbols, not containing the username.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// A new account.
#[derive(Serialize, ToSchema)]
pub struct SignupResponse {
    /// The stable user id (`sub` of its tokens); share files with this.
    pub user_id: String,
    /// The username.
    pub username: String,
}

/// `GET /me`.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    /// The caller's user id (the token's `sub`).
    pub user_id: String,
    /// The caller's username, where the identity provider knows it: what others share files with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What the caller stores.
    pub usage: super::UsageBody,
    /// What the caller may store: uploads beyond it are refused (403 `quota-exceeded`).
    pub quota: super::QuotaBody,
}

/// `POST /auth/refresh` and `/auth/logout`.
#[derive(Deserialize, ToSchema)]
pub struct RefreshBody {
    /// A refresh token from login; left out, the session cookie's.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// `POST /auth/session`.
#[derive(Deserialize, ToSchema)]
pub struct SessionBody {
    /// The refresh token of a login that just happened, to keep in the session cookie.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,3072}$", min_length = 1, max_length = 3072)]
    pub refresh_token: String,
}
