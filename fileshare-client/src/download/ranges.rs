//! Writing a download into its temporary file: a large file in ranges of [`RANGE`] bytes, several
//! at once, each written at its offset and fetched again after a transient failure — what S3
//! recommends for throughput, and what boto3's `download_file` does; otherwise in one GET.
//! Storage that does not honour ranges (the embedded store's URLs) gets one GET too.

use super::signed::SignedUrl;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::storage_refusal;
use crate::transfer::{accepted, api_failure, unreachable, with_retries, Attempt, Failure, Meter};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, TryStreamExt};
use reqwest::header::{CONTENT_RANGE, RANGE as RANGE_HEADER};
use reqwest::{Response, StatusCode};
use std::path::Path;
use std::sync::Arc;

/// Bytes gathered before each write to disk.
const WRITE_BUFFER: usize = 1024 * 1024;

/// The size of each range of a large download. Files up to twice this come in one GET.
pub const RANGE: u64 = 8 * 1024 * 1024;

/// The file a download is written into: the open temporary file (written at offsets, never
/// reopened by name), its path for messages, and the size it must end up with.
pub(super) struct Target<'a> {
    pub file: Arc<std::fs::File>,
    pub path: &'a Path,
    pub size: u64,
}

/// A part of a download: `len` bytes from `start`, asked for as a range or as the whole object.
#[derive(Clone, Copy)]
struct Span {
    start: u64,
    len: u64,
    ranged: bool,
}

impl Client {
    /// Writes the file at `url` into `target`: in ranges, several at once, if the file is large,
    /// its URL can be renewed, and storage honours ranges (asked with a one-byte range first);
    /// else in one GET. Each GET is tried again after a transient failure.
    pub(super) async fn fill(&self, url: &SignedUrl<'_>, target: &Target<'_>, meter: &Arc<Meter>) -> Result<()> {
        let attempts = self.transfers().attempts;
        let size = target.size;
        let ranged = url.can_renew()
            && size > 2 * RANGE
            && with_retries(meter, attempts, |_| self.honours_ranges(url, size)).await?;
        if !ranged {
            let whole = Span { start: 0, len: size, ranged: false };
            return with_retries(meter, attempts, |attempt| self.fetch_into(url, target, whole, attempt)).await;
        }
        let spans = (0..size).step_by(RANGE as usize).map(|start| Span { start, len: RANGE.min(size - start), ranged });
        futures_util::stream::iter(spans)
            .map(|span| with_retries(meter, attempts, move |attempt| self.fetch_into(url, target, span, attempt)))
            .buffer_unordered(self.transfers().parallel_parts)
            .try_collect()
            .await
    }

    /// Whether storage answers a ranged GET with just the range — of an object of `size` bytes.
    async fn honours_ranges(&self, url: &SignedUrl<'_>, size: u64) -> Result<bool, Failure> {
        let (_, response) = self.get_range(url, Some((0, 1))).await?;
        if response.status() != StatusCode::PARTIAL_CONTENT {
            // A 200 is the whole object on its way: dropping the answer closes the connection.
            return Ok(false);
        }
        match content_range(&response) {
            Some((0, 0, total)) if total == size => Ok(true),
            Some((_, _, total)) if total != size => {
                Err(Error::UnexpectedResponse(format!("storage holds {total} bytes of a file of {size} bytes")).into())
            }
            _ => Err(Error::UnexpectedResponse("storage sent another range than the first byte".into()).into()),
        }
    }

    /// A GET of `url`, of `len` bytes from `start` if given. A refusal that a fresh URL can cure
    /// (an expiry) renews the URL and is worth another try, and so is a renewal the API could not
    /// answer for the moment.
    async fn get_range(&self, url: &SignedUrl<'_>, range: Option<(u64, u64)>) -> Result<(String, Response), Failure> {
        let used = url.get().await.map_err(api_failure)?;
        let mut request = self.http().get(&used);
        if let Some((start, len)) = range {
            request = request.header(RANGE_HEADER, format!("bytes={start}-{}", start + len - 1));
        }
        let response = request.send().await.map_err(unreachable(&used))?;
        if response.status() == StatusCode::FORBIDDEN && url.refused(&used).await.map_err(api_failure)? {
            return Err(Failure::Transient(storage_refusal(response).await));
        }
        Ok((used, accepted(response).await?))
    }

    /// One GET of `span`, written at its offset into `target`.
    async fn fetch_into(
        &self,
        url: &SignedUrl<'_>,
        target: &Target<'_>,
        span: Span,
        attempt: Attempt,
    ) -> Result<(), Failure> {
        let (used, response) = self.get_range(url, span.ranged.then_some((span.start, span.len))).await?;
        let expected = if span.ranged { StatusCode::PARTIAL_CONTENT } else { StatusCode::OK };
        if response.status() != expected {
            let status = response.status();
            return Err(Error::UnexpectedResponse(format!("storage answered {status} where {expected} belongs")).into());
        }
        if span.ranged {
            let asked = (span.start, span.start + span.len - 1, target.size);
            if content_range(&response) != Some(asked) {
                return Err(Error::UnexpectedResponse(format!("storage sent other bytes than {asked:?}")).into());
            }
        }
        let mut buffer = BytesMut::with_capacity(WRITE_BUFFER);
        let mut written = span.start;
        let mut received = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(unreachable(&used))?;
            received += chunk.len() as u64;
            if received > span.len {
                return Err(Error::UnexpectedResponse("storage sent more bytes than asked for".into()).into());
            }
            buffer.extend_from_slice(&chunk);
            attempt.count(chunk.len() as u64);
            if buffer.len() >= WRITE_BUFFER {
                written = write_at(target, buffer.split().freeze(), written).await?;
            }
        }
        write_at(target, buffer.freeze(), written).await?;
        if received != span.len {
            return Err(Failure::Transient(Error::Incomplete { received, expected: span.len }));
        }
        Ok(())
    }
}

/// `(first, last, total)` of the answer's `Content-Range: bytes first-last/total`.
fn content_range(response: &Response) -> Option<(u64, u64, u64)> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = value.strip_prefix("bytes ")?.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    Some((first.parse().ok()?, last.parse().ok()?, total.parse().ok()?))
}

/// Writes `data` at `offset` of the target file (positioned, so that ranges written at once never
/// move each other's offset); returns where it ends.
async fn write_at(target: &Target<'_>, data: Bytes, offset: u64) -> Result<u64> {
    let end = offset + data.len() as u64;
    if data.is_empty() {
        return Ok(end);
    }
    let file = target.file.clone();
    let written = tokio::task::spawn_blocking(move || positioned_write(&file, &data, offset)).await;
    written.unwrap_or_else(|stopped| Err(std::io::Error::other(stopped))).map_err(Error::io(target.path))?;
    Ok(end)
}

#[cfg(unix)]
fn positioned_write(file: &std::fs::File, data: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, data, offset)
}

#[cfg(windows)]
fn positioned_write(file: &std::fs::File, mut data: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !data.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, data, offset)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                data = &data[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}
