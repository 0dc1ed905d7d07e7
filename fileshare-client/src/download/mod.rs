//! [`Client::download`]: fetches a short-lived URL from the API and streams the bytes into a
//! temporary file beside the destination, then renames it into place — an interrupted download
//! never leaves a partial file under the real name, and an existing file is only replaced when
//! asked. Fewer or more bytes than the file has are an error, never a short or a long file.
//!
//! How the bytes are fetched (in ranges, retried) is [`ranges`]; the URL they come from, renewed
//! as it lapses, [`signed`].

mod ranges;
mod signed;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transfer::{Meter, Progress};
use bytes::Bytes;
use fileshare_api::DownloadResponse;
use futures_util::{StreamExt, TryStreamExt};
use ranges::Target;
use signed::SignedUrl;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Where a download goes.
pub enum Destination {
    /// This file — or, if it is an existing directory, a file in it with the file's name.
    Path(PathBuf),
    /// A writer (standard output, a socket, …), as the bytes arrive: if the download fails
    /// midway, what was written stays written.
    Writer(Box<dyn AsyncWrite + Send + Unpin>),
}

impl Destination {
    /// The file or directory `path`.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Destination::Path(path.into())
    }
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Destination::Writer(_) => f.write_str("Writer(..)"),
        }
    }
}

/// How to download.
#[derive(Clone, Debug, Default)]
pub struct DownloadOptions {
    /// Replace an existing file (default: refuse, with [`Error::OutputExists`]).
    pub overwrite: bool,
    /// Told as the bytes arrive.
    pub progress: Option<Progress>,
}

/// What is known of a file before its bytes are fetched.
pub(crate) struct Incoming<'a> {
    pub name: &'a str,
    pub size: u64,
}

/// A name from the service, if it is one plain path component (nothing that could leave the
/// destination directory).
fn safe_file_name(name: &str) -> Result<&str> {
    if Path::new(name).file_name().is_some_and(|base| base == name) {
        Ok(name)
    } else {
        Err(Error::UnexpectedResponse(format!("refusing the file name {name:?}; give a destination file")))
    }
}

/// `destination` for a file named `name`: a directory's file of that name; a file that exists only
/// if `overwrite`. Resolved before any URL is asked for: a destination in the way costs nothing
/// (and, for a share link, no download).
pub(crate) fn resolve(destination: Destination, name: &str, overwrite: bool) -> Result<Destination> {
    let Destination::Path(path) = destination else { return Ok(destination) };
    let path = if path.is_dir() { path.join(safe_file_name(name)?) } else { path };
    if !overwrite && path.exists() {
        return Err(Error::OutputExists(path));
    }
    Ok(Destination::Path(path))
}

impl Client {
    /// Downloads file `file_id` into `destination`; returns the file written (`None` for a writer).
    pub async fn download(
        &self,
        file_id: &str,
        destination: Destination,
        options: &DownloadOptions,
    ) -> Result<Option<PathBuf>> {
        let file = self.get_file(file_id).await?;
        let destination = resolve(destination, &file.name, options.overwrite)?;
        let url = SignedUrl::renewable(self, file_id, self.download_url(file_id, None).await?);
        self.save(&url, &Incoming { name: &file.name, size: file.size }, destination, options).await
    }

    /// The bytes of file `file_id`, in memory (for small files; large ones go to a
    /// [`Destination`]).
    pub async fn download_bytes(&self, file_id: &str) -> Result<Bytes> {
        let size = self.get_file(file_id).await?.size;
        let url = self.download_url(file_id, None).await?.url;
        let response = self.fetch(&url).await?;
        // Never more than the file's size is held.
        let limit = usize::try_from(size).unwrap_or(usize::MAX);
        let bytes = crate::http::bounded(response, limit).await.map_err(|e| Error::network(&url, &e))?;
        match bytes {
            Some(bytes) if bytes.len() as u64 == size => Ok(Bytes::from(bytes)),
            Some(bytes) => Err(Error::Incomplete { received: bytes.len() as u64, expected: size }),
            None => Err(more_than(size)),
        }
    }

    /// A presigned GET, refused unless storage answers with the bytes.
    async fn fetch(&self, url: &str) -> Result<reqwest::Response> {
        let response = self.http().get(url).send().await.map_err(|e| Error::network(url, &e))?;
        if !response.status().is_success() {
            return Err(crate::http::storage_refusal(response).await);
        }
        Ok(response)
    }

    /// Downloads what the presigned URL a share link was redeemed for holds into a [`resolve`]d
    /// `destination`.
    pub(crate) async fn save_redeemed(
        &self,
        answer: DownloadResponse,
        incoming: &Incoming<'_>,
        destination: Destination,
        options: &DownloadOptions,
    ) -> Result<Option<PathBuf>> {
        self.save(&SignedUrl::once(self, answer), incoming, destination, options).await
    }

    /// Streams the file at `url` into a [`resolve`]d `destination`.
    async fn save(
        &self,
        url: &SignedUrl<'_>,
        incoming: &Incoming<'_>,
        destination: Destination,
        options: &DownloadOptions,
    ) -> Result<Option<PathBuf>> {
        let meter = Meter::new(options.progress.clone(), incoming.name, incoming.size);
        match destination {
            Destination::Writer(mut writer) => {
                let url = url.get().await?;
                let response = self.fetch(&url).await?;
                let bytes = response.bytes_stream().map_err(|e| Error::network(&url, &e));
                let mut received = 0u64;
                let mut bytes = std::pin::pin!(bytes);
                while let Some(chunk) = bytes.next().await {
                    let chunk = chunk?;
                    received += chunk.len() as u64;
                    if received > incoming.size {
                        return Err(more_than(incoming.size));
                    }
                    writer.write_all(&chunk).await.map_err(Error::io("<writer>"))?;
                    meter.add(chunk.len() as u64);
                }
                writer.flush().await.map_err(Error::io("<writer>"))?;
                if received != incoming.size {
                    return Err(Error::Incomplete { received, expected: incoming.size });
                }
                Ok(None)
            }
            Destination::Path(path) => {
                self.write_file(url, &path, incoming.size, options.overwrite, &meter).await?;
                Ok(Some(path))
            }
        }
    }

    async fn write_file(
        &self,
        url: &SignedUrl<'_>,
        path: &Path,
        size: u64,
        overwrite: bool,
        meter: &Arc<Meter>,
    ) -> Result<()> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new().prefix(".fileshare-download-").tempfile_in(dir).map_err(Error::io(dir))?;
        let file = Arc::new(temp.as_file().try_clone().map_err(Error::io(temp.path()))?);
        self.fill(url, &Target { file: file.clone(), path: temp.path(), size }, meter).await?;
        let synced = tokio::task::spawn_blocking(move || file.sync_all()).await;
        synced.unwrap_or_else(|stopped| Err(std::io::Error::other(stopped))).map_err(Error::io(temp.path()))?;
        let persisted = if overwrite { temp.persist(path) } else { temp.persist_noclobber(path) };
        persisted.map(drop).map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => Error::OutputExists(path.to_owned()),
            _ => Error::io(path)(e.error),
        })
    }
}

/// Storage sent more than the file's `size`: the object is not the file the service describes.
fn more_than(size: u64) -> Error {
    Error::UnexpectedResponse(format!("storage sent more than the file's {size} bytes"))
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn service_names_cannot_escape_the_directory() {
        for good in ["report.pdf", "résumé 2026.txt", ".env"] {
            assert_eq!(safe_file_name(good).expect(good), good);
        }
        for bad in ["../../.bashrc", "/etc/passwd", "a/b", "..", ".", ""] {
            assert!(safe_file_name(bad).is_err(), "{bad:?} accepted");
        }
    }
}
