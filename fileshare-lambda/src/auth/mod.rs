//! Who is calling: token verification and the [`Caller`] extractor.

mod caller;
mod verifier;

pub use caller::Caller;
pub use verifier::{Claims, KeySource, TokenVerifier, JWKS_TIMEOUT, LEEWAY_SECS, REFRESH_INTERVAL};
