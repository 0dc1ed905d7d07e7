//! Conformance suites, run by every backend's tests (feature `testing`).
//!
//! One suite per trait — [`file_store`], [`metadata`] — and for the rules, [`rules`] (an
//! authorization matrix and the defined edge cases), [`links`] (share links) and [`quota`]
//! (usage and quotas), run through
//! [`FileShare`](crate::FileShare) on real backends; and one for each identity provider's
//! [`UserDirectory`](crate::UserDirectory), [`directory`]. [`reliability`] runs every state-changing operation with a storage fault at each
//! of its calls ([`FaultyFileStore`], [`FaultyMetadataStore`]), retries it and ends with the
//! invariant [`audit()`]. A backend's test file provides an async factory for the harness and invokes the
//! suite's macro, which expands to one `#[tokio::test]` per behavior:
//!
//! ```text
//! async fn harness() -> fileshare_core::testing::FileStoreHarness { /* build the store */ }
//! fileshare_core::file_store_conformance!(harness);
//! ```
//!
//! Suites isolate themselves with fresh random user ids, so they can share one database or bucket.

pub mod audit;
#[cfg(feature = "aws")]
pub mod aws_rig;
pub mod directory;
mod faults;
pub mod file_store;
mod http;
pub mod links;
pub mod metadata;
mod metadata_links;
mod metadata_usage;
pub mod quota;
pub mod reliability;
pub mod rules;
mod rules_matrix;
mod rules_uploads;
mod support;
mod transport;

pub use audit::{audit, AuditScope, Violation};
pub use directory::{DirectoryHarness, DirectoryUser};
pub use faults::{Fault, FaultPlan, FaultyFileStore, FaultyMetadataStore};
pub use http::HttpTransport;
pub use support::{random_user, sample_record};
pub use transport::{Fetched, Refused, Transport};

use crate::clock::ManualClock;
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use std::any::Any;
use std::sync::Arc;

/// Reads a test server endpoint from the environment variable `var`.
///
/// Unset: prints a loud SKIP line and returns `None` — unless `FILESHARE_TEST_REQUIRE_AWS=1` (set
/// by `./scripts/test` and CI), where a missing endpoint is a failure, so nothing is skipped silently.
pub fn skip_unless_configured(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Some(value),
        _ if std::env::var("FILESHARE_TEST_REQUIRE_AWS").is_ok_and(|v| v == "1") => {
            panic!("{var} is not set but FILESHARE_TEST_REQUIRE_AWS=1: start the test servers (scripts/test-servers)")
        }
        _ => {
            eprintln!("SKIP: {var} is not set; run ./scripts/test to start the test servers");
            None
        }
    }
}

/// Anything a harness must keep alive (temp dirs, servers) until the test ends.
pub type Guard = Box<dyn Any + Send + Sync>;

/// What a store's server does where S3-compatible servers differ from S3. The suites assert S3's
/// behaviour where the flag is set, and print a loud SKIP line for that assertion where it is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreCapabilities {
    /// Completing a multipart upload checks the parts' ETags and refuses missing parts without
    /// side effects (S3: `InvalidPart`). s3s-fs 0.14 checks neither and consumes the upload.
    pub verifies_multipart_completion: bool,
    /// An unknown or finished upload id is "no such upload", so aborting twice succeeds.
    /// s3s-fs 0.14 answers `AccessDenied` instead.
    pub unknown_upload_is_not_found: bool,
}

impl StoreCapabilities {
    /// S3's behaviour (and the embedded stores').
    pub const FULL: Self = Self { verifies_multipart_completion: true, unknown_upload_is_not_found: true };

    /// Prints why an assertion is not made on this server.
    pub fn skip(what: &str) {
        eprintln!("SKIP (server limitation): {what}");
    }
}

/// What the [`file_store`] suite needs.
pub struct FileStoreHarness {
    /// The store under test, built with `clock`.
    pub store: Arc<dyn FileStore>,
    /// How a client reaches the store's presigned URLs.
    pub transport: Arc<dyn Transport>,
    /// The clock the store signs (and, for embedded stores, verifies) with.
    pub clock: Arc<ManualClock>,
    /// Where the server differs from S3.
    pub capabilities: StoreCapabilities,
    /// Kept alive for the test's duration.
    pub guard: Guard,
}

/// What the [`metadata`] suite needs.
pub struct MetadataHarness {
    /// The store under test.
    pub store: Arc<dyn MetadataStore>,
    /// Kept alive for the test's duration.
    pub guard: Guard,
}

/// What the [`rules`] suite needs: a file store and a metadata store to build services over.
pub struct RulesHarness {
    /// Bytes.
    pub files: Arc<dyn FileStore>,
    /// Records.
    pub metadata: Arc<dyn MetadataStore>,
    /// How a client reaches the file store's presigned URLs.
    pub transport: Arc<dyn Transport>,
    /// The clock both the file store and the services use.
    pub clock: Arc<ManualClock>,
    /// Where the file store's server differs from S3.
    pub capabilities: StoreCapabilities,
    /// Kept alive for the test's duration.
    pub guard: Guard,
}

/// Expands to one `#[tokio::test]` per listed behavior of a suite.
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($make:path, $suite:ident, [$($test:ident),* $(,)?]) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                if let Some(harness) = $make().await {
                    $crate::testing::$suite::$test(&harness).await;
                }
            }
        )*
    };
}
