//! Where the embedded store keeps bytes: the [`BlobStorage`] trait, on disk or in memory.

use crate::{Error, Result};
use async_trait::async_trait;
use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use std::fmt::Debug;
use std::ops::RangeInclusive;
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// A blob's bytes, as a stream of chunks: what a server hands its HTTP stack as it is, without
/// copying each chunk again into a buffer of its own.
pub type BlobBody = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// Reads a whole [`BlobBody`] into memory (`size`: the expected length, to allocate once).
pub async fn collect_body(body: BlobBody, size: u64) -> std::io::Result<Bytes> {
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    body.try_for_each(|chunk| {
        data.extend_from_slice(&chunk);
        futures::future::ok(())
    })
    .await?;
    Ok(data.into())
}

/// Size and entity tag of a stored blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    /// Size in bytes.
    pub size: u64,
    /// Changes whenever the blob is rewritten.
    pub etag: String,
}

/// Where a write may land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A new blob: refused with [`Error::AlreadyExists`] if one exists at the path, so an object is
    /// written once and never replaced. Missing parent folders are created.
    New,
    /// A blob inside a folder made by [`BlobStorage::create_folder`], replacing any blob at the
    /// path: refused with [`Error::NotFound`] once the folder is gone (the multipart upload it
    /// belongs to was completed or aborted).
    InFolder,
}

/// Byte storage under relative `/`-separated paths. The [`EmbeddedFileStore`](super::EmbeddedFileStore)
/// builds every path itself from validated keys; implementations still refuse unsafe paths.
#[async_trait]
pub trait BlobStorage: Send + Sync + Debug + 'static {
    /// Copies `body` to `path` as `placement` allows, **only if** its length is within `size`.
    ///
    /// The blob appears whole or not at all, even if the write is interrupted (dropped, or the
    /// process killed): the bytes go to a temporary place first. A body longer than `size` is
    /// [`Error::TooLarge`], a shorter one [`Error::InvalidInput`]; either way nothing is stored.
    async fn write(
        &self,
        path: &str,
        body: &mut (dyn AsyncRead + Send + Unpin),
        size: RangeInclusive<u64>,
        placement: Placement,
    ) -> Result<BlobMeta>;

    /// Opens a blob for reading; `None` if missing.
    async fn read(&self, path: &str) -> Result<Option<(BlobMeta, BlobBody)>>;

    /// Size and etag of a blob; `None` if missing.
    async fn stat(&self, path: &str) -> Result<Option<BlobMeta>>;

    /// Removes a blob; a missing blob is not an error.
    async fn remove(&self, path: &str) -> Result<()>;

    /// Creates an empty folder for [`Placement::InFolder`] writes; an existing one is kept.
    async fn create_folder(&self, path: &str) -> Result<()>;

    /// Removes a folder and every blob in it; a missing folder is not an error. No write into the
    /// folder lands once this has begun.
    async fn remove_folder(&self, path: &str) -> Result<()>;

    /// The names of a folder's entries (blobs and folders), sorted; a missing folder has none.
    async fn entries(&self, folder: &str) -> Result<Vec<String>>;

    /// Writes the concatenation of `parts`, in order, to `dest` as a [`Placement::New`] blob.
    async fn concat(&self, parts: &[String], dest: &str) -> Result<BlobMeta>;

    /// Removes what interrupted writes left behind (temporary files of writes that stopped at
    /// least `idle` ago: `Duration::ZERO` when no write can be running, e.g. at start-up) and
    /// returns how many were removed.
    async fn sweep_debris(&self, idle: Duration) -> Result<usize>;
}

/// Refuses paths that could leave the storage root.
pub(super) fn check_path(path: &str) -> Result<()> {
    let ok = !path.is_empty()
        && path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains('\\'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("key", format!("unsafe blob path {path:?}")))
    }
}

/// The folder a path is in (`""` at the top).
pub(super) fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Why a write was refused: the object exists already (objects are never replaced).
pub(super) fn exists(path: &str) -> Error {
    Error::already_exists("object", path)
}

/// Why a write was refused: its folder (multipart upload) is gone.
pub(super) fn no_folder(path: &str) -> Error {
    Error::not_found("upload", folder_of(path))
}

/// Reads `body` in chunks, passing each to `sink`, enforcing the upper bound of `size` as it goes
/// (so an oversized body is cut off early) and the lower bound at the end.
pub(super) async fn copy_bounded<S>(
    body: &mut (dyn AsyncRead + Send + Unpin),
    size: &RangeInclusive<u64>,
    mut sink: S,
) -> Result<u64>
where
    S: AsyncSink,
{
    let mut buf = vec![0u8; 256 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = body.read(&mut buf).await.map_err(|e| Error::storage("embedded", e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > *size.end() {
            return Err(Error::TooLarge { size: total, max: *size.end() });
        }
        sink.put(&buf[..n]).await?;
    }
    if total < *size.start() {
        return Err(Error::invalid(
            "body",
            format!("{total} bytes is smaller than the {} bytes required", size.start()),
        ));
    }
    Ok(total)
}

/// Where [`copy_bounded`] writes.
#[async_trait]
pub(super) trait AsyncSink: Send {
    async fn put(&mut self, chunk: &[u8]) -> Result<()>;
}
