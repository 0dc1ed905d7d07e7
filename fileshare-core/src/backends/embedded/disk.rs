//! [`DiskBlobs`]: blobs as files under a root directory, written to a temp file and renamed.

use super::blobs::{
    check_path, copy_bounded, exists, no_folder, AsyncSink, BlobBody, BlobMeta, BlobStorage, Placement,
};
use crate::{Error, Result};
use async_trait::async_trait;
use std::io::ErrorKind;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tempfile::TempPath;
use tokio::fs;
use tokio::io::{AsyncRead, AsyncWriteExt};

const BACKEND: &str = "local-disk";
/// Where partial writes live until renamed; its name is not a valid path segment for keys.
const TMP_DIR: &str = ".tmp";

fn io(e: std::io::Error) -> Error {
    Error::storage(BACKEND, e)
}

fn joined(e: tokio::task::JoinError) -> Error {
    Error::storage(BACKEND, e)
}

/// Blobs stored as files under `root`. A blob becomes visible by `rename(2)` of a fully written and
/// synced temp file in the same file system, so no reader ever sees a partial blob; the directory
/// is synced after the rename, so a blob that was acknowledged survives a power cut. Temp files
/// are deleted when their write ends for any reason (error, cancelled request), and
/// [`BlobStorage::sweep_debris`] removes those a killed process left.
///
/// One process at a time: opening takes an exclusive lock on `root/.lock` (released when the last
/// clone is dropped, or by the kernel when the process dies), so that no other process can be
/// writing temp files a sweep would take for debris.
#[derive(Debug, Clone)]
pub struct DiskBlobs {
    root: PathBuf,
    _lock: Arc<std::fs::File>,
    /// Multipart assemblies copy whole files: at most this many at once, so that repeated
    /// completions cannot pile up copies of a huge file.
    assembling: Arc<tokio::sync::Semaphore>,
}

/// Assemblies (multipart completions) running at once.
const ASSEMBLIES: usize = 2;

/// `fsync` of a directory: makes the entries created or renamed in it durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// `create_dir_all` whose new directories are durable too (each parent synced after its child
/// appears).
fn create_dirs_durably(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs_durably(parent)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => dir.parent().map_or(Ok(()), sync_dir),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl DiskBlobs {
    /// Blobs under `root` (created if missing).
    pub async fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        let dir = root.clone();
        let lock = tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
            create_dirs_durably(&dir.join(TMP_DIR)).map_err(io)?;
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join(".lock"))
                .map_err(io)?;
            match lock.try_lock() {
                Ok(()) => Ok(lock),
                Err(std::fs::TryLockError::WouldBlock) => {
                    Err(Error::storage(BACKEND, format!("{} is in use by another fileshare process", dir.display())))
                }
                Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
            }
        })
        .await
        .map_err(joined)??;
        Ok(Self { root, _lock: Arc::new(lock), assembling: Arc::new(tokio::sync::Semaphore::new(ASSEMBLIES)) })
    }

    fn resolve(&self, path: &str) -> Result<PathBuf> {
        check_path(path)?;
        Ok(self.root.join(path))
    }

    /// A new temp file: deleted when the returned path is dropped, unless published.
    async fn temp_file(&self) -> Result<(fs::File, TempPath)> {
        let dir = self.root.join(TMP_DIR);
        let named = tokio::task::spawn_blocking(move || tempfile::Builder::new().prefix("w-").tempfile_in(dir))
            .await
            .map_err(joined)?
            .map_err(io)?;
        let (file, path) = named.into_parts();
        Ok((fs::File::from_std(file), path))
    }

    fn meta_of(m: &std::fs::Metadata) -> BlobMeta {
        let mtime =
            m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        BlobMeta { size: m.len(), etag: format!("\"{mtime:x}-{:x}\"", m.len()) }
    }

    async fn meta(path: &Path) -> Result<Option<BlobMeta>> {
        match fs::metadata(path).await {
            Ok(m) if m.is_file() => Ok(Some(Self::meta_of(&m))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Syncs `file` and moves `temp` to `dest` as `placement` allows, then syncs the directory.
    /// `temp` is removed if anything fails.
    async fn publish(&self, file: fs::File, temp: TempPath, dest: PathBuf, placement: Placement) -> Result<BlobMeta> {
        file.sync_data().await.map_err(io)?;
        drop(file);
        let shown = dest.strip_prefix(&self.root).unwrap_or(&dest).display().to_string();
        tokio::task::spawn_blocking(move || -> Result<BlobMeta> {
            let folder = dest.parent().ok_or_else(|| Error::storage(BACKEND, "a blob path has no folder"))?;
            let persisted = match placement {
                Placement::New => {
                    create_dirs_durably(folder).map_err(io)?;
                    temp.persist_noclobber(&dest)
                }
                Placement::InFolder => temp.persist(&dest),
            };
            // A refused persist hands the temp path back; dropping it deletes the file.
            match persisted.map_err(|e| e.error) {
                Ok(()) => {}
                Err(e) if placement == Placement::New && e.kind() == ErrorKind::AlreadyExists => {
                    return Err(exists(&shown))
                }
                Err(e) if placement == Placement::InFolder && e.kind() == ErrorKind::NotFound => {
                    return Err(no_folder(&shown))
                }
                Err(e) => return Err(io(e)),
            }
            sync_dir(folder).map_err(io)?;
            Ok(Self::meta_of(&std::fs::metadata(&dest).map_err(io)?))
        })
        .await
        .map_err(joined)?
    }
}

struct FileSink<'a>(&'a mut fs::File);

#[async_trait]
impl AsyncSink for FileSink<'_> {
    async fn put(&mut self, chunk: &[u8]) -> Result<()> {
        self.0.write_all(chunk).await.map_err(io)
    }
}

/// Bytes per read of a download. One read is one hop to the blocking pool, one system call and one
/// frame through the HTTP stack; at 1 MiB those costs vanish next to copying the bytes, while a
/// download still holds at most a chunk or two of memory.
const READ_CHUNK: usize = 1 << 20;

/// `file` as a stream of [`READ_CHUNK`] reads, each on the blocking pool. The next read starts only
/// when the stream is polled again, so a slow client holds no thread and no more than one chunk;
/// each chunk is read straight into the buffer that is sent (no second copy).
fn read_in_chunks(file: std::fs::File) -> BlobBody {
    Box::pin(futures::stream::try_unfold(file, |mut file| async move {
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(READ_CHUNK);
            let read = std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, READ_CHUNK as u64), &mut chunk);
            (file, read.map(|_| chunk))
        })
        .await
        .map_err(std::io::Error::other)?;
        let chunk = chunk?;
        Ok((!chunk.is_empty()).then(|| (bytes::Bytes::from(chunk), file)))
    }))
}

#[async_trait]
impl BlobStorage for DiskBlobs {
    async fn write(
        &self,
        path: &str,
        body: &mut (dyn AsyncRead + Send + Unpin),
        size: RangeInclusive<u64>,
        placement: Placement,
    ) -> Result<BlobMeta> {
        let dest = self.resolve(path)?;
        // Refuse before reading the body; the publishing rename checks again, atomically.
        match placement {
            Placement::New if Self::meta(&dest).await?.is_some() => return Err(exists(path)),
            Placement::InFolder if !dest.parent().is_some_and(Path::is_dir) => return Err(no_folder(path)),
            _ => {}
        }
        let (mut file, temp) = self.temp_file().await?;
        copy_bounded(body, &size, FileSink(&mut file)).await?;
        file.flush().await.map_err(io)?;
        self.publish(file, temp, dest, placement).await
    }

    async fn read(&self, path: &str) -> Result<Option<(BlobMeta, BlobBody)>> {
        let path = self.resolve(path)?;
        let file = match fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let meta = file.metadata().await.map_err(io)?;
        if !meta.is_file() {
            return Ok(None);
        }
        Ok(Some((Self::meta_of(&meta), read_in_chunks(file.into_std().await))))
    }

    async fn stat(&self, path: &str) -> Result<Option<BlobMeta>> {
        Self::meta(&self.resolve(path)?).await
    }

    async fn remove(&self, path: &str) -> Result<()> {
        match fs::remove_file(self.resolve(path)?).await {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }

    async fn entries(&self, folder: &str) -> Result<Vec<String>> {
        let dir = self.resolve(folder)?;
        let names = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<String>> {
            let listing = match std::fs::read_dir(&dir) {
                Ok(listing) => listing,
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            let mut names = Vec::new();
            for entry in listing {
                // A name that is not UTF-8 is no key of ours.
                if let Ok(name) = entry?.file_name().into_string() {
                    names.push(name);
                }
            }
            names.sort();
            Ok(names)
        });
        names.await.map_err(joined)?.map_err(io)
    }

    async fn create_folder(&self, path: &str) -> Result<()> {
        let dir = self.resolve(path)?;
        tokio::task::spawn_blocking(move || create_dirs_durably(&dir)).await.map_err(joined)?.map_err(io)
    }

    async fn remove_folder(&self, path: &str) -> Result<()> {
        let dir = self.resolve(path)?;
        let trash = self.root.join(TMP_DIR).join(format!("gone-{}", hex::encode(rand::random::<[u8; 8]>())));
        // Renaming the folder away first is atomic: a part finishing meanwhile either landed before
        // (and goes with the folder) or finds no folder to land in.
        match fs::rename(&dir, &trash).await {
            Ok(()) => fs::remove_dir_all(&trash).await.map_err(io),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }

    async fn concat(&self, parts: &[String], dest: &str) -> Result<BlobMeta> {
        let target = self.resolve(dest)?;
        let sources = parts.iter().map(|part| self.resolve(part)).collect::<Result<Vec<_>>>()?;
        let permit = self.assembling.clone().acquire_owned().await.map_err(|e| Error::storage(BACKEND, e))?;
        // Checked once the permit is ours: a completion that waited for another of the same upload
        // finds its object there.
        if Self::meta(&target).await?.is_some() {
            return Err(exists(dest));
        }
        let (file, temp) = self.temp_file().await?;
        let mut file = file.into_std().await;
        // The copy runs to its end even if the request that asked for it goes away (a blocking
        // task cannot be cancelled anyway): it then publishes the object, so a retry finds it done
        // instead of starting another copy. One blocking task with std::io::copy, which Linux turns
        // into copy_file_range: the kernel moves the bytes.
        let this = self.clone();
        let assembly = tokio::spawn(async move {
            let _permit = permit;
            let copied = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
                for source in sources {
                    std::io::copy(&mut std::fs::File::open(source)?, &mut file)?;
                }
                Ok(file)
            })
            .await
            .map_err(joined)?
            .map_err(io)?;
            this.publish(fs::File::from_std(copied), temp, target, Placement::New).await
        });
        assembly.await.map_err(joined)?
    }

    async fn sweep_debris(&self, idle: Duration) -> Result<usize> {
        let tmp = self.root.join(TMP_DIR);
        tokio::task::spawn_blocking(move || -> std::io::Result<usize> {
            let now = SystemTime::now();
            let mut removed = 0;
            for entry in std::fs::read_dir(&tmp)? {
                let entry = entry?;
                let meta = entry.metadata()?;
                let quiet = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).unwrap_or_default();
                if quiet < idle {
                    continue; // a write may still be running
                }
                let gone = if meta.is_dir() {
                    std::fs::remove_dir_all(entry.path())
                } else {
                    std::fs::remove_file(entry.path())
                };
                match gone {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(removed)
        })
        .await
        .map_err(joined)?
        .map_err(io)
    }
}
