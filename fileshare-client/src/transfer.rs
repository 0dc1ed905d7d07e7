//! Moving bytes to and from presigned storage URLs: streamed in fixed-size chunks, counted for a
//! progress callback, and sent again when storage fails transiently (network errors, 5xx, 408,
//! 429: what S3 asks clients to retry). Refusals (403, 400, …) are final.

use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// Read size of every chunk sent.
pub(crate) const CHUNK: usize = 256 * 1024;

/// Where a transfer stands, as a [`Progress`] callback is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferProgress<'a> {
    /// The file's name.
    pub name: &'a str,
    /// Bytes moved so far. It can go back: a try that failed gives its bytes back before the
    /// next one sends them again.
    pub done: u64,
    /// The file's size.
    pub total: u64,
}

/// A callback told of a transfer's progress, from whichever task moved the bytes (parts move in
/// parallel): keep it quick.
///
/// ```
/// use fileshare_client::Progress;
///
/// let progress = Progress::new(|p| eprintln!("{}: {} of {} bytes", p.name, p.done, p.total));
/// ```
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(&TransferProgress<'_>) + Send + Sync>);

impl Progress {
    /// Calls `report` as bytes move.
    pub fn new(report: impl Fn(&TransferProgress<'_>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(report))
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// The bytes of one file's transfer, shared by its concurrent parts.
pub(crate) struct Meter {
    progress: Option<Progress>,
    name: String,
    total: u64,
    done: AtomicU64,
}

impl Meter {
    pub fn new(progress: Option<Progress>, name: &str, total: u64) -> Arc<Self> {
        let meter = Arc::new(Self { progress, name: name.to_owned(), total, done: AtomicU64::new(0) });
        meter.report(0);
        meter
    }

    fn report(&self, done: u64) {
        if let Some(progress) = &self.progress {
            (progress.0)(&TransferProgress { name: &self.name, done, total: self.total });
        }
    }

    pub fn add(&self, bytes: u64) {
        self.report(self.done.fetch_add(bytes, Ordering::Relaxed) + bytes);
    }

    fn take_back(&self, bytes: u64) {
        self.report(self.done.fetch_sub(bytes, Ordering::Relaxed).saturating_sub(bytes));
    }
}

/// One try of one transfer: counts what it sent, so that a retry can take it back.
#[derive(Clone)]
pub(crate) struct Attempt {
    meter: Arc<Meter>,
    sent: Arc<AtomicU64>,
    retry: bool,
}

impl Attempt {
    /// Counts `bytes` moved by this try.
    pub(crate) fn count(&self, bytes: u64) {
        self.sent.fetch_add(bytes, Ordering::Relaxed);
        self.meter.add(bytes);
    }

    /// Whether an earlier try of this transfer failed.
    pub(crate) fn is_retry(&self) -> bool {
        self.retry
    }

    fn take_back(&self) {
        self.meter.take_back(self.sent.swap(0, Ordering::Relaxed));
    }
}

/// Why a try failed: worth another try, or not.
pub(crate) enum Failure {
    /// Worth another try.
    Transient(Error),
    /// Final.
    Fatal(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Fatal(error)
    }
}

/// The storage response if it succeeded; otherwise whether trying again could help.
pub(crate) async fn accepted(response: reqwest::Response) -> Result<reqwest::Response, Failure> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let transient = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
    let error = crate::http::storage_refusal(response).await;
    Err(if transient { Failure::Transient(error) } else { Failure::Fatal(error) })
}

/// An API call's failure, as a transfer sees it: worth another try if the API was unavailable or
/// busy (the error's kind says), final otherwise.
pub(crate) fn api_failure(error: Error) -> Failure {
    match error.kind() {
        ErrorKind::Transient | ErrorKind::RateLimited => Failure::Transient(error),
        _ => Failure::Fatal(error),
    }
}

/// A transport failure reaching `url`: worth another try.
pub(crate) fn unreachable(url: &str) -> impl FnOnce(reqwest::Error) -> Failure + '_ {
    move |e| Failure::Transient(Error::network(url, &e))
}

/// Runs `send` until it succeeds, fails for good, or has been tried `attempts` times; waits
/// 0.5 s, then 1 s, 2 s…, between tries.
pub(crate) async fn with_retries<T, Fut>(
    meter: &Arc<Meter>,
    attempts: u32,
    mut send: impl FnMut(Attempt) -> Fut,
) -> Result<T>
where
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut tries = 1;
    loop {
        let attempt = Attempt { meter: meter.clone(), sent: Arc::default(), retry: tries > 1 };
        match send(attempt.clone()).await {
            Ok(value) => return Ok(value),
            Err(Failure::Transient(_)) if tries < attempts => {
                attempt.take_back();
                tokio::time::sleep(Duration::from_millis(250 << tries.min(6))).await;
                tries += 1;
            }
            Err(Failure::Transient(error) | Failure::Fatal(error)) => return Err(error),
        }
    }
}

/// `len` bytes of `file` from its current position, counted by `attempt` as they are sent.
pub(crate) fn file_body(file: tokio::fs::File, len: u64, attempt: Attempt) -> reqwest::Body {
    let stream =
        ReaderStream::with_capacity(file.take(len), CHUNK).inspect_ok(move |chunk| attempt.count(chunk.len() as u64));
    reqwest::Body::wrap_stream(stream)
}

/// `data`, in chunks counted by `attempt` as they are sent (no copy: each chunk is a slice).
pub(crate) fn bytes_body(data: Bytes, attempt: Attempt) -> reqwest::Body {
    let chunks = (0..data.len()).step_by(CHUNK).map(move |start| data.slice(start..(start + CHUNK).min(data.len())));
    let stream = futures_util::stream::iter(chunks).map(move |chunk| {
        attempt.count(chunk.len() as u64);
        Ok::<_, std::io::Error>(chunk)
    });
    reqwest::Body::wrap_stream(stream)
}
