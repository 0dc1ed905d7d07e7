//! [`Client::upload`]: asks the API for presigned targets, sends the bytes straight to storage (one
//! PUT, or parts in parallel for large files), then completes the upload. Files are read in
//! fixed-size chunks, so memory stays flat whatever their size; each transfer (the whole file, or
//! one part) is retried after a transient failure; an upload that fails is deleted, so that no
//! pending record or stray bytes are left behind.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transfer::{
    accepted, api_failure, bytes_body, file_body, unreachable, with_retries, Attempt, Failure, Meter, Progress,
};
use bytes::{Bytes, BytesMut};
use fileshare_api::{CompleteBody, FileView, PartEtag, PartView, UploadBody, UploadView};
use futures_util::stream::{iter, unfold, BoxStream};
use futures_util::{StreamExt, TryStreamExt};
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

/// The default [`UploadOptions::multipart_threshold`]: 64 MiB.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;

/// The most a reader's bytes are held in memory for a single upload (so that a retry can send
/// them again); a larger reader goes in parts, each held while it is sent.
const READER_SINGLE_MAX: u64 = 8 * 1024 * 1024;

/// The largest part storage takes (S3's limit): a plan asking for more is not followed.
const MAX_PART: u64 = 5 * 1024 * 1024 * 1024;

/// What to upload.
pub enum UploadSource {
    /// A file on disk; named after its file name unless [`UploadOptions::name`] says otherwise.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes {
        /// The file's name.
        name: String,
        /// Its bytes.
        data: Bytes,
    },
    /// `size` bytes from a reader that cannot seek (a pipe, a socket, a decompressor). It is
    /// read once, in order; at most the parts in flight are held in memory.
    Reader {
        /// The file's name.
        name: String,
        /// Exactly how many bytes it gives.
        size: u64,
        /// The bytes.
        reader: Box<dyn AsyncRead + Send + Unpin>,
    },
}

impl UploadSource {
    /// The file at `path`.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        UploadSource::Path(path.into())
    }

    /// `data`, named `name`.
    pub fn bytes(name: impl Into<String>, data: impl Into<Bytes>) -> Self {
        UploadSource::Bytes { name: name.into(), data: data.into() }
    }

    /// `size` bytes of `reader`, named `name`.
    pub fn reader(name: impl Into<String>, size: u64, reader: impl AsyncRead + Send + Unpin + 'static) -> Self {
        UploadSource::Reader { name: name.into(), size, reader: Box::new(reader) }
    }
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadSource::Path(path) => f.debug_tuple("Path").field(path).finish(),
            UploadSource::Bytes { name, data } => {
                f.debug_struct("Bytes").field("name", name).field("len", &data.len()).finish()
            }
            UploadSource::Reader { name, size, .. } => {
                f.debug_struct("Reader").field("name", name).field("size", size).finish_non_exhaustive()
            }
        }
    }
}

/// How to upload.
#[derive(Clone, Debug)]
pub struct UploadOptions {
    /// The file's name in the service (default: the source's).
    pub name: Option<String>,
    /// Its content type (default: guessed from the name's extension).
    pub content_type: Option<String>,
    /// Files larger than this go in parts (default [`DEFAULT_MULTIPART_THRESHOLD`]).
    pub multipart_threshold: u64,
    /// Told as the bytes go.
    pub progress: Option<Progress>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self { name: None, content_type: None, multipart_threshold: DEFAULT_MULTIPART_THRESHOLD, progress: None }
    }
}

/// An upload between its request and its end: dropped unfinished (the caller cancelled it —
/// dropped the future, pressed Ctrl-C in Python), it deletes the pending file in the background,
/// as a failed upload does in the foreground.
struct Pending<'a> {
    client: Option<Client>,
    file_id: &'a str,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        let (Some(client), Ok(runtime)) = (self.client.take(), tokio::runtime::Handle::try_current()) else { return };
        let file_id = self.file_id.to_owned();
        runtime.spawn(async move { client.delete_file(&file_id).await });
    }
}

/// Where the bytes come from, once the source is checked.
enum Payload {
    File(Arc<Path>),
    Memory(Bytes),
    Stream(Box<dyn AsyncRead + Send + Unpin>),
}

/// Where one PUT's bytes come from: a file from an offset, or memory (each try sends them again).
enum Chunk {
    File { path: Arc<Path>, offset: u64 },
    Memory(Bytes),
}

impl Chunk {
    async fn body(&self, len: u64, attempt: Attempt) -> Result<reqwest::Body> {
        Ok(match self {
            Chunk::File { path, offset } => {
                let mut file = open(path).await?;
                file.seek(SeekFrom::Start(*offset)).await.map_err(Error::io(&**path))?;
                file_body(file, len, attempt)
            }
            Chunk::Memory(bytes) => bytes_body(bytes.clone(), attempt),
        })
    }
}

async fn open(path: &Path) -> Result<tokio::fs::File> {
    tokio::fs::File::open(path).await.map_err(Error::io(path))
}

/// The name, size and payload of `source`.
async fn prepare(source: UploadSource) -> Result<(Option<String>, u64, Payload)> {
    Ok(match source {
        UploadSource::Path(path) => {
            let metadata = tokio::fs::metadata(&path).await.map_err(Error::io(&path))?;
            if !metadata.is_file() {
                return Err(Error::InvalidInput(format!("{} is not a file", path.display())));
            }
            let name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
            (name, metadata.len(), Payload::File(path.into()))
        }
        UploadSource::Bytes { name, data } => (Some(name), data.len() as u64, Payload::Memory(data)),
        UploadSource::Reader { name, size, reader } => (Some(name), size, Payload::Stream(reader)),
    })
}

/// Refuses a multipart plan that does not cover `size` bytes in parts 1, 2, … of sizes storage
/// takes: the client would send the wrong bytes, or, reading a stream, hold a part of any size the
/// service names in memory.
fn check_plan(plan: &[PartView], size: u64) -> Result<()> {
    let numbered = plan.iter().zip(1..).all(|(part, number)| part.part_number == number);
    let sized = plan.iter().all(|part| part.size > 0 && part.size <= MAX_PART);
    let total = plan.iter().try_fold(0u64, |total, part| total.checked_add(part.size));
    if numbered && sized && total == Some(size) {
        Ok(())
    } else {
        Err(Error::UnexpectedResponse(format!(
            "the upload plan's {} parts do not make a file of {size} bytes",
            plan.len()
        )))
    }
}

/// Reads exactly `len` bytes of `reader`.
async fn read_exactly(reader: &mut (dyn AsyncRead + Send + Unpin), len: u64) -> Result<Bytes> {
    let capacity = usize::try_from(len).map_err(|_| Error::InvalidInput("a part larger than memory".into()))?;
    let mut buffer = BytesMut::zeroed(capacity);
    reader.read_exact(&mut buffer).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => Error::InvalidInput("the reader ended before its declared size".into()),
        _ => Error::io("<reader>")(e),
    })?;
    Ok(buffer.freeze())
}

impl Client {
    /// Uploads `source` and returns the file, available.
    ///
    /// Bytes go straight to storage: in one PUT, or above `multipart_threshold` in parts sent
    /// in parallel. Each PUT is tried again after a transient failure. If the upload fails for
    /// good, the pending file is deleted.
    pub async fn upload(&self, source: UploadSource, options: &UploadOptions) -> Result<FileView> {
        // "Not logged in" comes first, before any file is read.
        self.access_token().await?;
        let (source_name, size, payload) = prepare(source).await?;
        let name =
            options.name.clone().or(source_name).ok_or_else(|| {
                Error::InvalidInput("the file name is not valid UTF-8; give the upload a name".into())
            })?;
        let content_type = match &options.content_type {
            Some(content_type) => content_type.clone(),
            None => mime_guess::from_path(&name).first_or_octet_stream().essence_str().to_owned(),
        };
        let streamed = matches!(payload, Payload::Stream(_));
        let multipart = size > options.multipart_threshold || (streamed && size > READER_SINGLE_MAX);
        let body = UploadBody { name: name.clone(), size, content_type, multipart };
        let ticket = self.create_upload(&body).await?;
        let mut pending = Pending { client: Some(self.clone()), file_id: &ticket.file_id };
        let meter = Meter::new(options.progress.clone(), &name, size);
        let sent = match (ticket.upload, ticket.multipart) {
            (Some(single), _) => {
                self.send_single(&single, payload, size, &meter).await.map(|()| CompleteBody::default())
            }
            (None, Some(plan)) => {
                self.send_parts(plan.parts, payload, size, &meter).await.map(|parts| CompleteBody { parts })
            }
            (None, None) => Err(Error::UnexpectedResponse("the upload ticket has neither a URL nor parts".into())),
        };
        let completion = match sent {
            Ok(body) => self.complete(&ticket.file_id, &body, &meter).await,
            Err(e) => Err(e),
        };
        pending.client = None;
        if completion.is_err() {
            // Leave nothing half-done behind: the pending record, its bytes or parts. The
            // service would expire them; this frees the quota they hold at once.
            let _ = self.delete_file(&ticket.file_id).await;
        }
        completion
    }

    /// Completes the upload, again after a transient failure: completing is idempotent, and an
    /// answer lost on the way back must not get a file that is whole deleted as a failure.
    async fn complete(&self, file_id: &str, body: &CompleteBody, meter: &Arc<Meter>) -> Result<FileView> {
        with_retries(meter, self.transfers().attempts, |_| async {
            self.complete_upload(file_id, body).await.map_err(api_failure)
        })
        .await
    }

    async fn send_single(&self, single: &UploadView, payload: Payload, size: u64, meter: &Arc<Meter>) -> Result<()> {
        let chunk = match payload {
            Payload::File(path) => Chunk::File { path, offset: 0 },
            Payload::Memory(data) => Chunk::Memory(data),
            // Held in memory, so that a retry can send it again (it is small: READER_SINGLE_MAX).
            Payload::Stream(mut reader) => Chunk::Memory(read_exactly(&mut *reader, size).await?),
        };
        let chunk = &chunk;
        with_retries(meter, self.transfers().attempts, |attempt| async move {
            let retry = attempt.is_retry();
            let mut request = self.http().put(&single.url).header(reqwest::header::CONTENT_LENGTH, size);
            for (name, value) in &single.headers {
                request = request.header(name, value);
            }
            let body = chunk.body(size, attempt).await?;
            let response = request.body(body).send().await.map_err(unreachable(&single.url))?;
            // 412 on a retry: the bytes are there already — an earlier try landed but its answer
            // was lost. An upload URL stores once, so they are ours; completing checks their size.
            if response.status() == reqwest::StatusCode::PRECONDITION_FAILED && retry {
                return Ok(());
            }
            accepted(response).await.map(drop)
        })
        .await
    }

    async fn send_parts(
        &self,
        plan: Vec<PartView>,
        payload: Payload,
        size: u64,
        meter: &Arc<Meter>,
    ) -> Result<Vec<PartEtag>> {
        check_plan(&plan, size)?;
        let mut offset = 0;
        let placed: Vec<(PartView, u64)> = plan
            .into_iter()
            .map(|part| {
                let at = offset;
                offset += part.size;
                (part, at)
            })
            .collect();
        let chunks: BoxStream<'_, Result<(PartView, Chunk)>> = match payload {
            Payload::File(path) => iter(
                placed.into_iter().map(move |(part, offset)| Ok((part, Chunk::File { path: path.clone(), offset }))),
            )
            .boxed(),
            Payload::Memory(data) => iter(placed.into_iter().map(move |(part, offset)| {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
                let end = start.saturating_add(usize::try_from(part.size).unwrap_or(usize::MAX)).min(data.len());
                Ok((part, Chunk::Memory(data.slice(start..end))))
            }))
            .boxed(),
            // Read in order, one part at a time, as the parts in flight make room.
            Payload::Stream(reader) => unfold((reader, placed.into_iter()), |(mut reader, mut plan)| async move {
                let (part, _) = plan.next()?;
                let chunk = read_exactly(&mut *reader, part.size).await.map(|bytes| (part, Chunk::Memory(bytes)));
                Some((chunk, (reader, plan)))
            })
            .boxed(),
        };
        let attempts = self.transfers().attempts;
        let mut parts: Vec<PartEtag> = chunks
            .map_ok(|(part, chunk)| async move {
                with_retries(meter, attempts, |attempt| self.send_part(&part, &chunk, attempt)).await
            })
            .try_buffer_unordered(self.transfers().parallel_parts)
            .try_collect()
            .await?;
        parts.sort_unstable_by_key(|part| part.part_number);
        Ok(parts)
    }

    async fn send_part(&self, part: &PartView, chunk: &Chunk, attempt: Attempt) -> Result<PartEtag, Failure> {
        let body = chunk.body(part.size, attempt).await?;
        // Presigned part URLs sign the exact length: send it, not a chunked body.
        let response = self
            .http()
            .put(&part.url)
            .header(reqwest::header::CONTENT_LENGTH, part.size)
            .body(body)
            .send()
            .await
            .map_err(unreachable(&part.url))?;
        let response = accepted(response).await?;
        let etag = response.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let etag = etag.ok_or_else(|| {
            Error::UnexpectedResponse(format!("storage returned no ETag for part {}", part.part_number))
        })?;
        Ok(PartEtag { part_number: part.part_number, etag })
    }
}
