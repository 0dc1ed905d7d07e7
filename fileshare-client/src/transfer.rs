//! Moving bytes to and from presigned storage URLs: streamed in fixed-size chunks, counted for a
//! progress callback, and sent again when storage fails transiently (network errors, 5xx, 408,
//! 429: what S3 asks clients to retry). Refusals (403, 400, …) are final.

use crate::error::{Error, ErrorKind, Result};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
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
/// parallel). Reports come one at a time, in the order the bytes were counted, so parts wait for
/// it: keep it quick.
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
    /// Locked while the callback runs, not only while the count changes: otherwise a part that
    /// counted first could report after one that counted later, and the total would seem to shrink.
    done: Mutex<u64>,
}

impl Meter {
    pub fn new(progress: Option<Progress>, name: &str, total: u64) -> Arc<Self> {
        let meter = Arc::new(Self { progress, name: name.to_owned(), total, done: Mutex::new(0) });
        meter.change(|_| 0);
        meter
    }

    /// Changes the count and reports it, one change at a time.
    fn change(&self, count: impl FnOnce(u64) -> u64) {
        // A callback that panicked poisons the lock but leaves the count whole.
        let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        *done = count(*done);
        if let Some(progress) = &self.progress {
            (progress.0)(&TransferProgress { name: &self.name, done: *done, total: self.total });
        }
    }

    pub fn add(&self, bytes: u64) {
        self.change(|done| done + bytes);
    }

    fn take_back(&self, bytes: u64) {
        self.change(|done| done.saturating_sub(bytes));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts report from several threads at once; a progress bar must never see an older total
    /// after a newer one while no try has failed.
    #[test]
    fn concurrent_parts_report_a_total_that_only_grows() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let kept = seen.clone();
        let progress = Progress::new(move |p| kept.lock().expect("lock").push(p.done));
        let (threads, adds) = (8, 20_000);
        let meter = Meter::new(Some(progress), "parts.bin", threads * adds);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| (0..adds).for_each(|_| meter.add(1)));
            }
        });
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.last(), Some(&(threads * adds)));
        let back = seen.windows(2).filter(|w| w[1] < w[0]).count();
        assert_eq!(back, 0, "{back} reports went back");
    }
}
