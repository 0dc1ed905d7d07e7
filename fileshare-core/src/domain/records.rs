//! What the metadata store keeps: files and shares.

use super::{ContentType, FileId, FileName, ObjectKey, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Lifecycle of a file: created `Pending` by an upload request, `Available` once its bytes are confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Upload requested; bytes not yet confirmed. Hidden from listings, expires if never completed.
    Pending,
    /// Bytes confirmed; the file can be listed, shared and downloaded.
    Available,
}

impl FileStatus {
    /// The lower-case name stored by every backend.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Pending => "pending",
            FileStatus::Available => "available",
        }
    }

    /// Inverse of [`FileStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(FileStatus::Pending),
            "available" => Some(FileStatus::Available),
            _ => None,
        }
    }
}

/// A file's metadata. The bytes live in a [`FileStore`](crate::FileStore) under [`FileRecord::key`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Server-generated id.
    pub id: FileId,
    /// The user who uploaded it; the only one who may share or delete it.
    pub owner: UserId,
    /// Display name (metadata only).
    pub name: FileName,
    /// Exact size in bytes, declared at upload and checked at completion.
    pub size: u64,
    /// Content type, fixed at upload and served on download.
    pub content_type: ContentType,
    /// Pending or available.
    pub status: FileStatus,
    /// When the upload was requested.
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
    /// The store's entity tag, once known.
    pub etag: Option<String>,
    /// For pending files: when the unfinished upload stops existing.
    pub pending_expires_at: Option<DateTime<Utc>>,
    /// For pending multipart uploads: how the upload was planned.
    pub multipart: Option<MultipartUpload>,
}

/// How a multipart upload was planned: the store's upload id and the size of every part but the last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartUpload {
    /// The store's id of the upload, needed to complete or abort it.
    pub upload_id: String,
    /// Size of every part but the last.
    pub part_size: u64,
}

impl MultipartUpload {
    /// How many parts a file of `size` bytes has under this plan.
    pub fn part_count(&self, size: u64) -> u64 {
        size.div_ceil(self.part_size.max(1))
    }
}

impl FileRecord {
    /// Where the bytes live.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::for_file(&self.owner, &self.id)
    }

    /// A pending upload whose time ran out: it no longer exists for anyone.
    pub fn is_expired_upload(&self, now: DateTime<Utc>) -> bool {
        self.status == FileStatus::Pending && self.pending_expires_at.is_some_and(|t| t <= now)
    }
}

/// What a share grants. Only reading exists today; the field makes the stored shape future-proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// Read metadata and obtain download URLs.
    #[default]
    Read,
}

impl Permission {
    /// The lower-case name stored by every backend.
    pub fn as_str(self) -> &'static str {
        "read"
    }

    /// Inverse of [`Permission::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        (s == "read").then_some(Permission::Read)
    }
}

/// A grant of access to one file for one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// The shared file.
    pub file_id: FileId,
    /// Who may read it.
    pub grantee: UserId,
    /// What the grantee may do.
    pub permission: Permission,
    /// When the share was first created (sharing again keeps it).
    pub created_at: DateTime<Utc>,
    /// When it stops granting access, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Share {
    /// Whether the share grants access at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|t| t > now)
    }
}

/// A file as seen by one user, with that user's share if they have one. Read in one consistent step
/// so that an authorization decision never mixes states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileAccess {
    /// The file.
    pub file: FileRecord,
    /// The viewer's share of it, if any (regardless of expiry: deciding is the rules' job).
    pub share: Option<Share>,
}

/// A file shared with the viewer, as listed in "shared with me".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFile {
    /// The file.
    pub file: FileRecord,
    /// The share that makes it visible.
    pub share: Share,
}
