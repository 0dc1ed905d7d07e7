//! Link passwords: argon2id (the crate's defaults, OWASP's recommended parameters: 19 MiB, two
//! passes), on the blocking pool, one per core at a time — each takes tens of milliseconds and
//! 19 MiB, so a burst of guesses must queue, not allocate without bound — and the queue itself is
//! bounded: past [`QUEUED_PER_CORE`] waiting per core, a check is refused at once (`TooManyAttempts`,
//! retry in a second) instead of holding a request and its memory for as long as the burst lasts.

use crate::{Error, Result};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Checks that may wait for a core, per core.
const QUEUED_PER_CORE: usize = 16;

fn failed(e: impl std::fmt::Display) -> Error {
    Error::storage("password-hash", e.to_string())
}

/// Hashing capacity: a permit per core and a bounded queue for them.
pub(super) struct Hashing {
    permits: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Counts one waiter for as long as it lives (also when its request is dropped mid-wait).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hashing {
    /// One permit per core.
    pub(super) fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self { permits: Semaphore::new(cores), waiting: AtomicUsize::new(0), max_waiting: cores * QUEUED_PER_CORE }
    }

    async fn permit(&self) -> Result<SemaphorePermit<'_>> {
        let waiting = Waiting(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            return Err(Error::TooManyAttempts { retry_after: Duration::from_secs(1) });
        }
        let permit = self.permits.acquire().await.map_err(failed);
        drop(waiting);
        permit
    }

    /// The argon2id PHC string of `password`, with a fresh salt.
    pub(super) async fn hash(&self, password: String) -> Result<String> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()))
            .await
            .map_err(failed)?
            .map_err(failed)
    }

    /// Whether `password` is the one `hash` (a PHC string) was made from.
    pub(super) async fn verify(&self, password: String, hash: String) -> Result<bool> {
        let _permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok()
        })
        .await
        .map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let hashing = Hashing { permits: Semaphore::new(0), waiting: AtomicUsize::new(0), max_waiting: 2 };
        let hashing = std::sync::Arc::new(hashing);
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let hashing = hashing.clone();
                tokio::spawn(async move { hashing.verify("p".into(), "h".into()).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(matches!(hashing.verify("p".into(), "h".into()).await, Err(Error::TooManyAttempts { .. })));
        for waiter in waiters {
            waiter.abort();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(hashing.waiting.load(Ordering::SeqCst), 0, "aborted waiters leave the queue");
    }
}
