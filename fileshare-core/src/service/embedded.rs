//! Serving the embedded store's presigned URLs: what the local server's blob endpoints (and the
//! Python bindings' in-process client) do with a request, so that a URL never outlives the rules.
//!
//! S3 serves its URLs statelessly: whatever it signed works until it expires. The embedded store
//! can do better, because its server can ask between verifying a request and touching storage:
//! an upload is accepted only while its file is still pending (not completed, deleted, expired or
//! aborted), and a download only while its viewer may still read the file — so unsharing or
//! deleting ends downloads at once.

use super::FileShare;
use crate::backends::{BlobStorage, Download, EmbeddedFileStore, Stored};
use crate::domain::{FileStatus, ObjectKey};
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use crate::{Error, Result};
use std::collections::BTreeMap;
use tokio::io::AsyncRead;

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// Accepts a presigned `PUT` to `store` (`url`: the request's path and query; `headers`: its
    /// headers by lower-case name), if its signature checks out **and** its upload is still open;
    /// stores the body. A whole object is then confirmed at once, as S3's `ObjectCreated` event
    /// confirms it on AWS.
    ///
    /// Errors: the store's refusals (`Forbidden`, `TooLarge`, `InvalidInput`, `AlreadyExists` for a
    /// second upload), and `NotFound` for an upload that is no longer open.
    pub async fn receive_embedded_upload<B: BlobStorage>(
        &self,
        store: &EmbeddedFileStore<B>,
        url: &str,
        headers: &BTreeMap<String, String>,
        body: &mut (dyn AsyncRead + Send + Unpin),
    ) -> Result<Stored> {
        let upload = store.verify_upload(url, headers)?;
        self.check_upload_open(upload.key(), upload.upload_id()).await?;
        let stored = store.store_upload(&upload, body).await?;
        if let Some(object) = &stored.object {
            // The bytes are safe whatever happens next; a failed confirmation is retried by the
            // client's `complete`.
            if let Err(e) = self.confirm_uploaded_object(&object.key, object.size, object.etag.clone()).await {
                tracing::warn!(key = %object.key, error = %e, "could not confirm an upload as it arrived");
            }
        }
        Ok(stored)
    }

    /// Opens a presigned GET of `store` (`url`: the request's path and query), if its signature
    /// checks out **and** the viewer it names may still read the file now (a URL naming nobody:
    /// if the file is still available).
    ///
    /// Errors: the store's refusals (`Forbidden`), and `NotFound` for a file that is gone or that
    /// the viewer may no longer read.
    pub async fn open_embedded_download<B: BlobStorage>(
        &self,
        store: &EmbeddedFileStore<B>,
        url: &str,
    ) -> Result<Download> {
        let download = store.verify_download(url)?;
        let (owner, id) = download.key().owner_and_file();
        let viewer = download.viewer().unwrap_or(&owner);
        let (file, _) = self.readable_available(viewer, &id).await?;
        if &file.key() != download.key() {
            return Err(Error::not_found("object", download.key()));
        }
        store.open_download(download).await
    }

    /// `Ok` while the upload of `key` is open: its record exists, is pending and not expired, and
    /// (for a part) `upload_id` is its multipart upload. A whole object whose file is complete
    /// already is `AlreadyExists` (S3 answers such a replay with 412 too); anything else `NotFound`.
    async fn check_upload_open(&self, key: &ObjectKey, upload_id: Option<&str>) -> Result<()> {
        let (owner, id) = key.owner_and_file();
        let closed = || Error::not_found("upload", key);
        let found = self.metadata.get_file(&id, &owner).await?.ok_or_else(closed)?;
        let file = found.file;
        if file.owner != owner {
            return Err(closed());
        }
        if file.status == FileStatus::Available {
            return Err(if upload_id.is_none() { Error::already_exists("object", key) } else { closed() });
        }
        let plan = file.multipart.as_ref().map(|plan| plan.upload_id.as_str());
        if file.is_expired_upload(self.clock.now()) || plan != upload_id {
            return Err(closed());
        }
        Ok(())
    }
}
