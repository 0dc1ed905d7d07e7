//! Reading a file: metadata, download URL, bytes.

use super::access::Need;
use super::types::{Access, FileDetails};
use super::{delta, FileShare};
use crate::domain::{FileId, FileRecord, FileStatus, UserId};
use crate::metadata::MetadataStore;
use crate::store::{DownloadRequest, FileStore, ObjectHeaders, PresignedUrl};
use crate::{Error, Result};
use bytes::Bytes;
use std::time::Duration;

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// A file's metadata; the owner also sees who it is shared with.
    pub async fn get_file(&self, caller: &UserId, id: &FileId) -> Result<FileDetails> {
        let (file, access) = self.authorize(caller, id, Need::Read).await?;
        let shared_with = match access {
            Access::Owner => Some(self.metadata.list_shares(id).await?),
            Access::Grantee { .. } => None,
        };
        Ok(FileDetails { file, access, shared_with })
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
