//! [`Client::download`]: fetches a short-lived URL from the API and streams the bytes into a
//! temporary file beside the destination, then renames it into place — an interrupted download
//! never leaves a partial file under the real name, and an existing file is only replaced when
//! asked. Fewer bytes than the file has are an error, never a short file.
//!
//! A large file is fetched in ranges of [`RANGE`] bytes, several at once, each written at its
//! offset and fetched again after a transient failure — what S3 recommends for throughput, and
//! what boto3's `download_file` does. Storage that does not honour ranges (the embedded store's
//! URLs) gets one streamed GET instead.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transfer::{accepted, unreachable, with_retries, Attempt, Failure, Meter, Progress};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use reqwest::StatusCode;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncSeekExt, AsyncWrite, AsyncWriteExt};

/// Bytes gathered before each write to disk.
const WRITE_BUFFER: usize = 1024 * 1024;

/// The size of each range of a large download. Files up to twice this come in one GET.
pub const RANGE: u64 = 8 * 1024 * 1024;

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
        let url = self.download_url(file_id, None).await?.url;
        self.save(&url, &Incoming { name: &file.name, size: file.size }, destination, options).await
    }

    /// The bytes of file `file_id`, in memory (for small files; large ones go to a
    /// [`Destination`]).
    pub async fn download_bytes(&self, file_id: &str) -> Result<Bytes> {
        let size = self.get_file(file_id).await?.size;
        let url = self.download_url(file_id, None).await?.url;
        let response = self.fetch(&url).await?;
        let bytes = response.bytes().await.map_err(|e| Error::network(&url, &e))?;
        if bytes.len() as u64 != size {
            return Err(Error::Incomplete { received: bytes.len() as u64, expected: size });
        }
        Ok(bytes)
    }

    /// A presigned GET, refused unless storage answers with the bytes.
    async fn fetch(&self, url: &str) -> Result<reqwest::Response> {
        let response = self.http().get(url).send().await.map_err(|e| Error::network(url, &e))?;
        if !response.status().is_success() {
            return Err(crate::http::storage_refusal(response).await);
        }
        Ok(response)
    }

    /// Streams the presigned `url` into a [`resolve`]d `destination`.
    pub(crate) async fn save(
        &self,
        url: &str,
        incoming: &Incoming<'_>,
        destination: Destination,
        options: &DownloadOptions,
    ) -> Result<Option<PathBuf>> {
        let meter = Meter::new(options.progress.clone(), incoming.name, incoming.size);
        match destination {
            Destination::Writer(mut writer) => {
                let response = self.fetch(url).await?;
                let bytes = response.bytes_stream().map_err(|e| Error::network(url, &e));
                let mut received = 0u64;
                let mut bytes = std::pin::pin!(bytes);
                while let Some(chunk) = bytes.next().await {
                    let chunk = chunk?;
                    writer.write_all(&chunk).await.map_err(Error::io("<writer>"))?;
                    received += chunk.len() as u64;
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

    async fn write_file(&self, url: &str, path: &Path, size: u64, overwrite: bool, meter: &Arc<Meter>) -> Result<()> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new().prefix(".fileshare-download-").tempfile_in(dir).map_err(Error::io(dir))?;
        self.fill(url, temp.path(), size, meter).await?;
        let file = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(Error::io(temp.path()))?);
        file.sync_all().await.map_err(Error::io(temp.path()))?;
        let persisted = if overwrite { temp.persist(path) } else { temp.persist_noclobber(path) };
        persisted.map(drop).map_err(|e| match e.error.kind() {
            std::io::ErrorKind::AlreadyExists => Error::OutputExists(path.to_owned()),
            _ => Error::io(path)(e.error),
        })
    }

    /// Writes the `size` bytes at `url` into the file at `path`: in ranges, several at once, if the
    /// file is large and storage honours ranges (asked with a one-byte range first); else in one
    /// GET. Each GET is tried again after a transient failure.
    async fn fill(&self, url: &str, path: &Path, size: u64, meter: &Arc<Meter>) -> Result<()> {
        let attempts = self.transfers().attempts;
        let ranged = size > 2 * RANGE && with_retries(meter, attempts, |_| self.honours_ranges(url)).await?;
        if !ranged {
            let whole = Span { start: 0, len: size, ranged: false };
            return with_retries(meter, attempts, |attempt| self.fetch_into(url, path, whole, attempt)).await;
        }
        let spans = (0..size).step_by(RANGE as usize).map(|start| Span { start, len: RANGE.min(size - start), ranged });
        futures_util::stream::iter(spans)
            .map(|span| with_retries(meter, attempts, move |attempt| self.fetch_into(url, path, span, attempt)))
            .buffer_unordered(self.transfers().parallel_parts)
            .try_collect()
            .await
    }

    /// Whether storage answers a ranged GET of `url` with just the range.
    async fn honours_ranges(&self, url: &str) -> Result<bool, Failure> {
        let request = self.http().get(url).header(reqwest::header::RANGE, "bytes=0-0");
        let response = accepted(request.send().await.map_err(unreachable(url))?).await?;
        // A 200 is the whole object on its way: dropping the answer closes the connection.
        Ok(response.status() == StatusCode::PARTIAL_CONTENT)
    }

    /// One GET of `span` of `url`, written at its offset into the file at `path`.
    async fn fetch_into(&self, url: &str, path: &Path, span: Span, attempt: Attempt) -> Result<(), Failure> {
        let mut request = self.http().get(url);
        if span.ranged {
            request =
                request.header(reqwest::header::RANGE, format!("bytes={}-{}", span.start, span.start + span.len - 1));
        }
        let response = accepted(request.send().await.map_err(unreachable(url))?).await?;
        let expected = if span.ranged { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
        if response.status() != expected {
            let status = response.status();
            return Err(Error::UnexpectedResponse(format!("storage answered {status} where {expected} belongs")).into());
        }
        let mut file = tokio::fs::OpenOptions::new().write(true).open(path).await.map_err(Error::io(path))?;
        file.seek(SeekFrom::Start(span.start)).await.map_err(Error::io(path))?;
        let mut file = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut received = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(unreachable(url))?;
            received += chunk.len() as u64;
            if received > span.len {
                return Err(Error::UnexpectedResponse("storage sent more bytes than asked for".into()).into());
            }
            file.write_all(&chunk).await.map_err(Error::io(path))?;
            attempt.count(chunk.len() as u64);
        }
        file.flush().await.map_err(Error::io(path))?;
        if received != span.len {
            return Err(Failure::Transient(Error::Incomplete { received, expected: span.len }));
        }
        Ok(())
    }
}

/// A part of a download: `len` bytes from `start`, asked for as a range or as the whole object.
#[derive(Clone, Copy)]
struct Span {
    start: u64,
    len: u64,
    ranged: bool,
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
