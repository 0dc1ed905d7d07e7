//! The [`FileStore`] trait: where bytes live and how clients reach them directly.

mod types;

pub use types::{
    header_names, upload_headers, CompletedPart, DownloadRequest, ObjectHeaders, ObjectMeta, PartRequest,
    PresignedUpload, PresignedUrl, UploadPolicy, MAX_PARTS,
};

use crate::domain::ObjectKey;
use crate::Result;
use async_trait::async_trait;
use bytes::Bytes;
use std::fmt::Debug;
use std::sync::Arc;

/// Object storage for file bytes, with presigned direct transfer.
///
/// Clients move bytes **directly** to and from the store through presigned URLs; the service only
/// signs and confirms. A store never decides who may do what: it signs what
/// [`FileShare`](crate::FileShare) asks it to sign and enforces exactly what it signed.
///
/// **Objects are written once.** No path — `put`, a presigned upload, a multipart completion —
/// replaces an existing object, so the bytes a file was completed with are the bytes every reader
/// gets for as long as it exists. The conformance suite in `testing::file_store` has a test for
/// every bullet below.
#[async_trait]
pub trait FileStore: Send + Sync + Debug + 'static {
    /// Stores `data` under `key`, unless an object exists there already.
    ///
    /// # Behavior
    /// - The object appears whole or not at all: a concurrent reader never sees a partial object.
    /// - Returns the stored object's metadata; `size` equals `data.len()`.
    /// - An existing object is never replaced: [`Error::AlreadyExists`](crate::Error::AlreadyExists).
    async fn put(&self, key: &ObjectKey, headers: &ObjectHeaders, data: Bytes) -> Result<ObjectMeta>;

    /// Reads a whole object into memory (for small objects; large ones go through presigned downloads).
    ///
    /// # Behavior
    /// - Returns exactly the bytes last stored.
    /// - A missing key is [`Error::NotFound`](crate::Error::NotFound).
    async fn get(&self, key: &ObjectKey) -> Result<Bytes>;

    /// Metadata of an object, or `None` if it does not exist.
    ///
    /// # Behavior
    /// - After a successful upload by any path (put, form, multipart), returns its size.
    /// - After `delete`, returns `None`.
    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>>;

    /// Deletes an object.
    ///
    /// # Behavior
    /// - Deleting a missing object succeeds (deletion is idempotent).
    async fn delete(&self, key: &ObjectKey) -> Result<()>;

    /// Signs a `PUT` of a whole object.
    ///
    /// # Behavior
    /// - Uploading to the URL with its headers unchanged stores the object.
    /// - The store refuses the upload if the URL was altered, a header differs or is missing, the
    ///   body is not exactly `policy.size` bytes, or the URL has expired; a refused upload stores
    ///   nothing.
    /// - Once an object exists under the key, every further upload is refused (HTTP 412) and the
    ///   object keeps its bytes.
    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<PresignedUpload>;

    /// Signs a GET of the object.
    ///
    /// # Behavior
    /// - The response carries the object's bytes, `Content-Type: request.headers.content_type` and
    ///   `Content-Disposition` from [`content_disposition`](crate::content_disposition)`(request.headers.filename)`.
    /// - The store refuses the URL after its `expires_at`, or if any part of it was altered.
    /// - The returned `expires_at` is never later than requested.
    /// - A store that serves its own URLs binds `request.viewer` into the URL (see [`DownloadRequest::viewer`]).
    async fn presign_download(&self, request: &DownloadRequest) -> Result<PresignedUrl>;

    /// Starts a multipart upload and returns its upload id.
    ///
    /// # Behavior
    /// - Nothing is visible under `key` until [`FileStore::complete_multipart`] succeeds.
    async fn create_multipart(&self, key: &ObjectKey, headers: &ObjectHeaders) -> Result<String>;

    /// Signs a `PUT` of one part; the response's `ETag` header identifies the part for completion.
    ///
    /// # Behavior
    /// - The store refuses the part after expiry, if the URL was altered, or (where the store can
    ///   enforce it) if the body is not exactly `request.size` bytes.
    /// - The store refuses the part once its upload was completed or aborted, and stores nothing.
    async fn presign_part(&self, request: &PartRequest) -> Result<PresignedUrl>;

    /// Assembles the uploaded parts, in part-number order, into the object.
    ///
    /// # Behavior
    /// - The object's bytes are the parts' bytes concatenated in order (`head` tells its size).
    /// - A missing part or a wrong ETag is refused ([`Error::Conflict`](crate::Error::Conflict)) and
    ///   stores nothing; an unknown (or already completed) upload id is
    ///   [`Error::NotFound`](crate::Error::NotFound).
    /// - An existing object under `key` is never replaced.
    async fn complete_multipart(&self, key: &ObjectKey, upload_id: &str, parts: &[CompletedPart]) -> Result<()>;

    /// Abandons a multipart upload and frees its parts.
    ///
    /// # Behavior
    /// - Aborting an unknown or already finished upload succeeds (idempotent).
    async fn abort_multipart(&self, key: &ObjectKey, upload_id: &str) -> Result<()>;
}

macro_rules! forward_file_store {
    ($ptr:ty) => {
        #[async_trait]
        impl<T: FileStore + ?Sized> FileStore for $ptr {
            async fn put(&self, key: &ObjectKey, headers: &ObjectHeaders, data: Bytes) -> Result<ObjectMeta> {
                (**self).put(key, headers, data).await
            }
            async fn get(&self, key: &ObjectKey) -> Result<Bytes> {
                (**self).get(key).await
            }
            async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>> {
                (**self).head(key).await
            }
            async fn delete(&self, key: &ObjectKey) -> Result<()> {
                (**self).delete(key).await
            }
            async fn presign_upload(&self, policy: &UploadPolicy) -> Result<PresignedUpload> {
                (**self).presign_upload(policy).await
            }
            async fn presign_download(&self, request: &DownloadRequest) -> Result<PresignedUrl> {
                (**self).presign_download(request).await
            }
            async fn create_multipart(&self, key: &ObjectKey, headers: &ObjectHeaders) -> Result<String> {
                (**self).create_multipart(key, headers).await
            }
            async fn presign_part(&self, request: &PartRequest) -> Result<PresignedUrl> {
                (**self).presign_part(request).await
            }
            async fn complete_multipart(
                &self,
                key: &ObjectKey,
                upload_id: &str,
                parts: &[CompletedPart],
            ) -> Result<()> {
                (**self).complete_multipart(key, upload_id, parts).await
            }
            async fn abort_multipart(&self, key: &ObjectKey, upload_id: &str) -> Result<()> {
                (**self).abort_multipart(key, upload_id).await
            }
        }
    };
}

// So that `FileShare<Arc<dyn FileStore>, _>` works (bindings pick the backend at run time).
forward_file_store!(Arc<T>);
forward_file_store!(Box<T>);
