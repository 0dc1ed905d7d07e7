//! Sending bytes to presigned storage URLs: streamed from the file in fixed-size chunks, counted on
//! a shared progress bar, and sent again when storage fails transiently (network error, 5xx, 408,
//! 429: what S3 asks clients to retry). Refusals (403, 400, …) are final.

use crate::client::storage_error;
use crate::error::{CliError, Result};
use futures_util::TryStreamExt;
use indicatif::ProgressBar;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

/// Read size of every chunk sent.
const CHUNK: usize = 256 * 1024;
/// Tries per transfer (form or part) before giving up.
const ATTEMPTS: u32 = 3;

/// Bytes sent so far, shared by concurrent parts; a failed attempt takes its bytes back.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    sent: Arc<AtomicU64>,
}

/// One try of one transfer: counts what it sent, so that a retry can take it back.
#[derive(Clone)]
pub struct Attempt {
    progress: Progress,
    sent: Arc<AtomicU64>,
}

impl Progress {
    /// Counts onto `bar`.
    pub fn new(bar: ProgressBar) -> Self {
        Self { bar, sent: Arc::default() }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Attempt {
    fn count(&self, bytes: u64) {
        self.sent.fetch_add(bytes, Ordering::Relaxed);
        let total = self.progress.sent.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.progress.bar.set_position(total);
    }

    fn take_back(&self) {
        let bytes = self.sent.swap(0, Ordering::Relaxed);
        let total = self.progress.sent.fetch_sub(bytes, Ordering::Relaxed).saturating_sub(bytes);
        self.progress.bar.set_position(total);
    }
}

/// Why a try failed: worth another try, or not.
pub enum Failure {
    /// Worth another try.
    Transient(CliError),
    /// Final.
    Fatal(CliError),
}

impl From<CliError> for Failure {
    fn from(error: CliError) -> Self {
        Failure::Fatal(error)
    }
}

/// The storage response if it succeeded; otherwise whether trying again could help.
pub async fn accepted(response: reqwest::Response) -> Result<reqwest::Response, Failure> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let transient = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
    let error = storage_error(response).await;
    Err(if transient { Failure::Transient(error) } else { Failure::Fatal(error) })
}

/// A transport failure reaching `url`: worth another try.
pub fn unreachable_storage(url: &str) -> impl FnOnce(reqwest::Error) -> Failure + '_ {
    move |e| Failure::Transient(CliError::network(url, &e))
}

/// Runs `send` until it succeeds, fails for good, or has been tried [`ATTEMPTS`] times; waits 0.5 s,
/// then 1 s, between tries.
pub async fn with_retries<T, Fut>(progress: &Progress, mut send: impl FnMut(Attempt) -> Fut) -> Result<T>
where
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut tries = 1;
    loop {
        let attempt = Attempt { progress: progress.clone(), sent: Arc::default() };
        match send(attempt.clone()).await {
            Ok(value) => return Ok(value),
            Err(Failure::Transient(_)) if tries < ATTEMPTS => {
                attempt.take_back();
                tokio::time::sleep(Duration::from_millis(250 << tries)).await;
                tries += 1;
            }
            Err(Failure::Transient(error) | Failure::Fatal(error)) => return Err(error),
        }
    }
}

/// `len` bytes of `file` from its current position, counted by `attempt` as they are sent.
pub fn body(file: tokio::fs::File, len: u64, attempt: Attempt) -> reqwest::Body {
    let stream =
        ReaderStream::with_capacity(file.take(len), CHUNK).inspect_ok(move |chunk| attempt.count(chunk.len() as u64));
    reqwest::Body::wrap_stream(stream)
}
