//! Reading a file: metadata, download URL, bytes.

use super::access::Need;
use super::types::{Access, FileDetails, SharePage};
use super::{delta, FileShare};
use crate::domain::{FileId, FileRecord, FileStatus, ShareCursor, UserId};
use crate::metadata::MetadataStore;
use crate::store::{DownloadRequest, FileStore, ObjectHeaders, PresignedUrl};
use crate::{Error, Result};
use bytes::Bytes;
use std::time::Duration;

/// Shares per page of a file's shares, and shown with the owner's view of it: as many as one
/// request looks up display names for.
pub const SHARES_PER_PAGE: usize = 100;

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// A file's metadata; the owner also sees who it is shared with (the first
    /// [`SHARES_PER_PAGE`]; the rest with [`list_shares`](Self::list_shares)).
    pub async fn get_file(&self, caller: &UserId, id: &FileId) -> Result<FileDetails> {
        let (file, access) = self.authorize(caller, id, Need::Read).await?;
        let shared_with = match access {
            Access::Owner => Some(self.share_page(id, None, SHARES_PER_PAGE).await?),
            Access::Grantee { .. } => None,
        };
        Ok(FileDetails { file, access, shared_with })
    }

    /// A page of who a file is shared with, in user id order: up to `limit` (at most, and by
    /// default, [`SHARES_PER_PAGE`]) after `cursor`, the previous page's `next_cursor`. Owner only.
    /// Each page costs the same, however many people the file is shared with.
    ///
    /// Errors: [`Error::InvalidInput`] for a `limit` of 0 or above [`SHARES_PER_PAGE`], or a cursor
    /// this service did not return; `Forbidden` for a grantee; `NotFound` by the access rules.
    pub async fn list_shares(
        &self,
        caller: &UserId,
        id: &FileId,
        cursor: Option<&str>,
        limit: Option<usize>,
    ) -> Result<SharePage> {
        let limit = limit.unwrap_or(SHARES_PER_PAGE);
        if limit == 0 || limit > SHARES_PER_PAGE {
            return Err(Error::invalid("limit", format!("must be between 1 and {SHARES_PER_PAGE}")));
        }
        let after = cursor.map(str::parse::<ShareCursor>).transpose()?;
        self.authorize(caller, id, Need::Own).await?;
        self.share_page(id, after.as_ref().map(ShareCursor::grantee), limit).await
    }

    async fn share_page(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<SharePage> {
        let slice = self.metadata.list_shares(id, after, limit).await?;
        let next_cursor = match slice.items.last() {
            Some(last) if slice.has_more => Some(ShareCursor::after(last.grantee.clone())),
            _ => None,
        };
        Ok(SharePage { shares: slice.items, next_cursor })
    }

    /// A short-lived download URL (default [`Config::download_url_ttl`](super::Config::download_url_ttl)).
    ///
    /// A grantee's URL never outlives their share, nor
    /// [`Config::grantee_download_url_ttl`](super::Config::grantee_download_url_ttl): a longer
    /// `expires_in` is shortened (the answer's `expires_at` says by how much). The URL names the
    /// caller, so a store that serves its own URLs re-checks their access on every request
    /// ([`FileShare::open_embedded_download`]).
    ///
    /// Errors: [`Error::InvalidInput`] for a zero or too long `expires_in`, [`Error::Conflict`] for a
    /// pending file, `NotFound` by the access rules.
    pub async fn download_url(
        &self,
        caller: &UserId,
        id: &FileId,
        expires_in: Option<Duration>,
    ) -> Result<PresignedUrl> {
        let ttl = expires_in.unwrap_or(self.config.download_url_ttl);
        if ttl < Duration::from_secs(1) || ttl > self.config.max_download_url_ttl {
            return Err(Error::invalid(
                "expires_in",
                format!("must be between 1 and {} seconds", self.config.max_download_url_ttl.as_secs()),
            ));
        }
        let (file, access) = self.readable_available(caller, id).await?;
        let now = self.clock.now();
        let mut expires_at = now + delta(ttl);
        if let Access::Grantee { share } = &access {
            expires_at = expires_at.min(now + delta(self.config.grantee_download_url_ttl));
            if let Some(end) = share.expires_at {
                expires_at = expires_at.min(end);
            }
        }
        let request = DownloadRequest {
            key: file.key(),
            headers: ObjectHeaders::from(&file),
            expires_at,
            viewer: Some(caller.clone()),
        };
        self.files.presign_download(&request).await
    }

    /// The file's bytes, read server-side: for scripts, tests and small files.
    pub async fn get_bytes(&self, caller: &UserId, id: &FileId) -> Result<(FileRecord, Bytes)> {
        let (file, _) = self.readable_available(caller, id).await?;
        let bytes = self.files.get(&file.key()).await?;
        Ok((file, bytes))
    }

    pub(super) async fn readable_available(&self, caller: &UserId, id: &FileId) -> Result<(FileRecord, Access)> {
        let (file, access) = self.authorize(caller, id, Need::Read).await?;
        if file.status != FileStatus::Available {
            return Err(Error::conflict("the upload has not been completed"));
        }
        Ok((file, access))
    }
}
