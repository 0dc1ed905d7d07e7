//! Link passwords: argon2id (the crate's defaults, OWASP's recommended parameters: 19 MiB, two
//! passes), on the blocking pool, a few at a time — each takes tens of milliseconds and 19 MiB, so
//! a burst of guesses must queue, not allocate without bound.

use crate::{Error, Result};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

fn failed(e: impl std::fmt::Display) -> Error {
    Error::storage("password-hash", e.to_string())
}

/// The permits: one per core.
pub(super) fn permits() -> Semaphore {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
}

/// The argon2id PHC string of `password`, with a fresh salt.
pub(super) async fn hash(hashing: &Semaphore, password: String) -> Result<String> {
    let _permit = hashing.acquire().await.map_err(failed)?;
    tokio::task::spawn_blocking(move || Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()))
        .await
        .map_err(failed)?
        .map_err(failed)
}

/// Whether `password` is the one `hash` (a PHC string) was made from.
pub(super) async fn verify(hashing: &Semaphore, password: String, hash: String) -> Result<bool> {
    let _permit = hashing.acquire().await.map_err(failed)?;
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
        .map_err(failed)
}
