//! Cleanup after abandoned uploads: bytes and unfinished multipart uploads nobody will complete.
//!
//! Storage cannot tell an abandoned upload's object from a finished file's (both live under
//! `files/`), so cleanup is driven by the metadata: on AWS, the table's TTL deletes a pending record
//! once it expires and the deletion, delivered on the table's stream, names the object to remove.

use super::FileShare;
use crate::domain::ObjectKey;
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use crate::{Error, Result};
use chrono::{DateTime, TimeDelta, Utc};

/// How long past its expiry a pending record must be before it is discarded: far longer than any
/// completion call that read the record just before it expired could still be in flight.
const GRACE: TimeDelta = TimeDelta::minutes(5);

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// Pending uploads whose window closed before this instant count as abandoned: what a sweep
    /// asks its store for before calling [`FileShare::discard_abandoned_upload`] on each.
    pub fn abandoned_before(&self) -> DateTime<Utc> {
        self.clock.now() - GRACE
    }

    /// Removes what an abandoned upload left behind at `key`: the bytes, the unfinished multipart
    /// upload `upload_id` (if any), and the pending record if it is still there. Returns whether
    /// anything was discarded.
    ///
    /// Safe to call for any key, any number of times: a file that is available, or pending and not
    /// expired for at least five minutes, is left untouched (`Ok(false)`). Only a record that is gone
    /// or long expired counts as abandoned: expired uploads cannot be completed, and the grace
    /// period outlasts any completion that began just before the expiry.
    pub async fn discard_abandoned_upload(&self, key: &ObjectKey, upload_id: Option<&str>) -> Result<bool> {
        let (owner, id) = key.owner_and_file();
        let mut upload_id = upload_id.map(str::to_owned);
        if let Some(found) = self.metadata.get_file(&id, &owner).await? {
            if found.file.owner != owner || !found.file.is_expired_upload(self.abandoned_before()) {
                return Ok(false);
            }
            match self.metadata.delete_file(&id).await {
                Ok(_) | Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            upload_id = upload_id.or(found.file.multipart.map(|plan| plan.upload_id));
        }
        if let Some(upload_id) = upload_id {
            // Best effort: the bucket's lifecycle rule aborts unfinished multipart uploads anyway.
            if let Err(e) = self.files.abort_multipart(key, &upload_id).await {
                tracing::warn!(%key, error = %e, "could not abort the multipart upload of an abandoned upload");
            }
        }
        self.files.delete(key).await?;
        Ok(true)
    }
}
