//! [`MemoryBlobs`]: blobs in a map, for tests.

use super::blobs::{check_path, copy_bounded, AsyncSink, BlobMeta, BlobReader, BlobStorage};
use crate::{Error, Result};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use tokio::io::AsyncRead;

/// Blobs held in memory. Each write gets a new etag from a counter.
#[derive(Debug, Default)]
pub struct MemoryBlobs {
    blobs: Mutex<BTreeMap<String, (Bytes, BlobMeta)>>,
    version: AtomicU64,
}

impl MemoryBlobs {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, (Bytes, BlobMeta)>> {
        // Every mutation is a single map operation, so a poisoned map is still consistent.
        self.blobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, path: &str, data: Bytes) -> BlobMeta {
        let version = self.version.fetch_add(1, Ordering::Relaxed);
        let meta = BlobMeta { size: data.len() as u64, etag: format!("\"m{version:x}\"") };
        self.lock().insert(path.to_owned(), (data, meta.clone()));
        meta
    }
}

struct VecSink<'a>(&'a mut Vec<u8>);

#[async_trait]
impl AsyncSink for VecSink<'_> {
    async fn put(&mut self, chunk: &[u8]) -> Result<()> {
        self.0.extend_from_slice(chunk);
        Ok(())
    }
}

#[async_trait]
impl BlobStorage for MemoryBlobs {
    async fn write(
        &self,
        path: &str,
        body: &mut (dyn AsyncRead + Send + Unpin),
        size: RangeInclusive<u64>,
    ) -> Result<BlobMeta> {
        check_path(path)?;
        let mut data = Vec::new();
        copy_bounded(body, &size, VecSink(&mut data)).await?;
        Ok(self.insert(path, data.into()))
    }

    async fn read(&self, path: &str) -> Result<Option<(BlobMeta, BlobReader)>> {
        check_path(path)?;
        Ok(self.lock().get(path).map(|(data, meta)| {
            let reader: BlobReader = Box::pin(std::io::Cursor::new(data.clone()));
            (meta.clone(), reader)
        }))
    }

    async fn stat(&self, path: &str) -> Result<Option<BlobMeta>> {
        check_path(path)?;
        Ok(self.lock().get(path).map(|(_, meta)| meta.clone()))
    }

    async fn remove(&self, path: &str) -> Result<()> {
        check_path(path)?;
        self.lock().remove(path);
        Ok(())
    }

    async fn remove_prefix(&self, prefix: &str) -> Result<()> {
        check_path(prefix)?;
        let dir = format!("{prefix}/");
        self.lock().retain(|path, _| !path.starts_with(&dir));
        Ok(())
    }

    async fn concat(&self, parts: &[String], dest: &str) -> Result<BlobMeta> {
        check_path(dest)?;
        let mut data = Vec::new();
        {
            let blobs = self.lock();
            for part in parts {
                let (bytes, _) = blobs.get(part).ok_or_else(|| Error::not_found("blob", part))?;
                data.extend_from_slice(bytes);
            }
        }
        Ok(self.insert(dest, data.into()))
    }
}
