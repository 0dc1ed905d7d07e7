//! Where the embedded store keeps bytes: the [`BlobStorage`] trait, on disk or in memory.

use crate::{Error, Result};
use async_trait::async_trait;
use std::fmt::Debug;
use std::ops::RangeInclusive;
use std::pin::Pin;
use tokio::io::{AsyncRead, AsyncReadExt};

/// A readable blob body.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// Size and entity tag of a stored blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    /// Size in bytes.
    pub size: u64,
    /// Changes whenever the blob is rewritten.
    pub etag: String,
}

/// Byte storage under relative `/`-separated paths. The [`EmbeddedFileStore`](super::EmbeddedFileStore)
/// builds every path itself from validated keys; implementations still refuse unsafe paths.
#[async_trait]
pub trait BlobStorage: Send + Sync + Debug + 'static {
    /// Copies `body` to `path`, replacing any blob there, **only if** its length is within `size`.
    ///
    /// The blob appears whole or not at all. A body longer than `size` is
    /// [`Error::TooLarge`], a shorter one [`Error::InvalidInput`]; either way nothing is stored.
    async fn write(
        &self,
        path: &str,
        body: &mut (dyn AsyncRead + Send + Unpin),
        size: RangeInclusive<u64>,
    ) -> Result<BlobMeta>;

    /// Opens a blob for reading; `None` if missing.
    async fn read(&self, path: &str) -> Result<Option<(BlobMeta, BlobReader)>>;

    /// Size and etag of a blob; `None` if missing.
    async fn stat(&self, path: &str) -> Result<Option<BlobMeta>>;

    /// Removes a blob; a missing blob is not an error.
    async fn remove(&self, path: &str) -> Result<()>;

    /// Removes every blob under `prefix/`; a missing prefix is not an error.
    async fn remove_prefix(&self, prefix: &str) -> Result<()>;

    /// Writes the concatenation of `parts`, in order, to `dest`, atomically.
    async fn concat(&self, parts: &[String], dest: &str) -> Result<BlobMeta>;
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
