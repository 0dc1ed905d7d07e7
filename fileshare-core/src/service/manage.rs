//! Owner-only changes: share, unshare, delete.

use super::access::Need;
use super::FileShare;
use crate::domain::{FileId, FileRecord, FileStatus, ObjectKey, Permission, Share, UserId};
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use crate::{Error, Result};
use chrono::{DateTime, Utc};

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// Shares a file with `grantee` for reading, optionally until `expires_at`. Owner only.
    ///
    /// Sharing again updates the expiry and never duplicates. Errors: [`Error::InvalidInput`] for
    /// sharing with yourself or an expiry in the past, [`Error::Conflict`] for a pending file.
    pub async fn share(
        &self,
        caller: &UserId,
        id: &FileId,
        grantee: &UserId,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Share> {
        let (file, _) = self.authorize(caller, id, Need::Own).await?;
        if grantee == &file.owner {
            return Err(Error::invalid("user_id", "cannot share a file with its owner"));
        }
        let now = self.clock.now();
        if expires_at.is_some_and(|t| t <= now) {
            return Err(Error::invalid("expires_at", "must be in the future"));
        }
        if file.status != FileStatus::Available {
            return Err(Error::conflict("a file can be shared once its upload is complete"));
        }
        let share = Share {
            file_id: *id,
            grantee: grantee.clone(),
            permission: Permission::Read,
            created_at: now,
            expires_at: expires_at.map(crate::clock::to_millis),
        };
        // Conditional on the file still existing and being ours: a concurrent delete wins cleanly.
        self.metadata.put_share(&share, &file).await
    }

    /// `Ok` if `caller` may do owner-only things to `id` — with the very answers `share` or `delete`
    /// would give (`NotFound`, `Forbidden`). For adapters that must decide before they act, e.g.
    /// before resolving a name that only an owner may look up.
    pub async fn authorize_owner(&self, caller: &UserId, id: &FileId) -> Result<()> {
        self.authorize(caller, id, Need::Own).await.map(drop)
    }

    /// Revokes `grantee`'s share; effective immediately. Owner only.
    ///
    /// Errors: [`Error::NotFound`] (resource `"share"`) if `grantee` has no share.
    pub async fn unshare(&self, caller: &UserId, id: &FileId, grantee: &UserId) -> Result<()> {
        self.authorize(caller, id, Need::Own).await?;
        self.metadata.delete_share(id, grantee).await
    }

    /// Deletes a file (pending or available), its shares and its bytes. Owner only.
    ///
    /// The record and shares go first, atomically, so nothing visible ever points at missing bytes;
    /// the bytes go last. If removing the bytes fails, the orphan is logged and left to the store's
    /// lifecycle rules: the deletion has already taken effect for every user.
    pub async fn delete(&self, caller: &UserId, id: &FileId) -> Result<()> {
        self.authorize(caller, id, Need::Own).await?;
        let file = self.metadata.delete_file(id).await?;
        self.remove_bytes(&file).await;
        Ok(())
    }

    /// Finishes a delete that was interrupted part-way (on DynamoDB, a file with more shares than
    /// one transaction holds is deleted in steps; the table's stream reports the first one). No
    /// caller: the delete was authorized when it began. Returns whether any of the record was left.
    ///
    /// Safe to call for any key, any number of times: a file that is still readable is left alone.
    pub async fn finish_deletion(&self, key: &ObjectKey) -> Result<bool> {
        let (owner, id) = key.owner_and_file();
        if self.metadata.get_file(&id, &owner).await?.is_some() {
            return Ok(false); // not being deleted
        }
        match self.metadata.delete_file(&id).await {
            Ok(file) => {
                self.remove_bytes(&file).await;
                Ok(true)
            }
            // Finished already — but the bytes may have outlived it: no record will ever own them.
            Err(Error::NotFound { .. }) => {
                self.files.delete(key).await?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// The bytes (and any unfinished multipart upload) of a file whose record is gone. Failures
    /// are logged and left to the store's lifecycle rules: the deletion already took effect.
    async fn remove_bytes(&self, file: &FileRecord) {
        let (id, key) = (file.id, file.key());
        if let Some(plan) = &file.multipart {
            if let Err(e) = self.files.abort_multipart(&key, &plan.upload_id).await {
                tracing::warn!(file_id = %id, error = %e, "could not abort multipart upload of deleted file");
            }
        }
        if let Err(e) = self.files.delete(&key).await {
            tracing::warn!(file_id = %id, error = %e, "could not delete bytes of deleted file; left orphaned");
        }
    }
}
