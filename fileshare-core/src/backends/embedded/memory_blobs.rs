//! [`MemoryBlobs`]: blobs in a map, for tests.

use super::blobs::{
    check_path, copy_bounded, exists, folder_of, no_folder, AsyncSink, BlobBody, BlobMeta, BlobStorage, Placement,
};
use crate::{Error, Result};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::AsyncRead;

#[derive(Debug, Default)]
struct State {
    blobs: BTreeMap<String, (Bytes, BlobMeta)>,
    folders: BTreeSet<String>,
}

/// Blobs held in memory. Each write gets a new etag from a counter.
#[derive(Debug, Default)]
pub struct MemoryBlobs {
    state: Mutex<State>,
    version: AtomicU64,
}

impl MemoryBlobs {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every mutation is a single map operation after its checks, so a poisoned map is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `data` at `path` if `placement` allows it now: check and insert under one lock.
    fn insert(&self, path: &str, data: Bytes, placement: Placement) -> Result<BlobMeta> {
        let mut state = self.lock();
        match placement {
            Placement::New if state.blobs.contains_key(path) => return Err(exists(path)),
            Placement::InFolder if !state.folders.contains(folder_of(path)) => return Err(no_folder(path)),
            _ => {}
        }
        let version = self.version.fetch_add(1, Ordering::Relaxed);
        let meta = BlobMeta { size: data.len() as u64, etag: format!("\"m{version:x}\"") };
        state.blobs.insert(path.to_owned(), (data, meta.clone()));
        Ok(meta)
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
        placement: Placement,
    ) -> Result<BlobMeta> {
        check_path(path)?;
        let mut data = Vec::new();
        copy_bounded(body, &size, VecSink(&mut data)).await?;
        self.insert(path, data.into(), placement)
    }

    async fn read(&self, path: &str) -> Result<Option<(BlobMeta, BlobBody)>> {
        check_path(path)?;
        Ok(self.lock().blobs.get(path).map(|(data, meta)| {
            let body: BlobBody = Box::pin(futures::stream::iter([Ok(data.clone())]));
            (meta.clone(), body)
        }))
    }

    async fn stat(&self, path: &str) -> Result<Option<BlobMeta>> {
        check_path(path)?;
        Ok(self.lock().blobs.get(path).map(|(_, meta)| meta.clone()))
    }

    async fn remove(&self, path: &str) -> Result<()> {
        check_path(path)?;
        self.lock().blobs.remove(path);
        Ok(())
    }

    async fn create_folder(&self, path: &str) -> Result<()> {
        check_path(path)?;
        self.lock().folders.insert(path.to_owned());
        Ok(())
    }

    async fn remove_folder(&self, path: &str) -> Result<()> {
        check_path(path)?;
        let dir = format!("{path}/");
        let mut state = self.lock();
        state.folders.remove(path);
        state.blobs.retain(|blob, _| !blob.starts_with(&dir));
        Ok(())
    }

    async fn entries(&self, folder: &str) -> Result<Vec<String>> {
        check_path(folder)?;
        let dir = format!("{folder}/");
        let state = self.lock();
        let inside = state.blobs.keys().chain(state.folders.iter()).filter_map(|path| path.strip_prefix(&dir));
        let names: BTreeSet<String> = inside.filter_map(|rest| rest.split('/').next()).map(str::to_owned).collect();
        Ok(names.into_iter().collect())
    }

    async fn concat(&self, parts: &[String], dest: &str) -> Result<BlobMeta> {
        check_path(dest)?;
        let mut data = Vec::new();
        {
            let state = self.lock();
            for part in parts {
                let (bytes, _) = state.blobs.get(part).ok_or_else(|| Error::not_found("blob", part))?;
                data.extend_from_slice(bytes);
            }
        }
        self.insert(dest, data.into(), Placement::New)
    }

    async fn sweep_debris(&self, _idle: Duration) -> Result<usize> {
        Ok(0) // nothing is half-written in memory
    }
}
