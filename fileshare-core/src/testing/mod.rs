//! Conformance suites, run by every backend's tests (feature `testing`).
//!
//! One suite per trait — [`file_store`], [`metadata`] — and one for the rules, [`rules`]: an
//! authorization matrix and the defined edge cases, run through [`FileShare`](crate::FileShare) on
//! real backends. A backend's test file provides an async factory for the harness and invokes the
//! suite's macro, which expands to one `#[tokio::test]` per behavior:
//!
//! ```text
//! async fn harness() -> fileshare_core::testing::FileStoreHarness { /* build the store */ }
//! fileshare_core::file_store_conformance!(harness);
//! ```
//!
//! Suites isolate themselves with fresh random user ids, so they can share one database or bucket.

pub mod file_store;
pub mod metadata;
pub mod rules;
mod rules_matrix;
mod support;
mod transport;

pub use support::{random_user, sample_record};
pub use transport::{Fetched, Refused, Transport};

use crate::clock::ManualClock;
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use std::any::Any;
use std::sync::Arc;

/// Anything a harness must keep alive (temp dirs, servers) until the test ends.
pub type Guard = Box<dyn Any + Send + Sync>;

/// What the [`file_store`] suite needs.
pub struct FileStoreHarness {
    /// The store under test, built with `clock`.
    pub store: Arc<dyn FileStore>,
    /// How a client reaches the store's presigned URLs.
    pub transport: Arc<dyn Transport>,
    /// The clock the store signs (and, for embedded stores, verifies) with.
    pub clock: Arc<ManualClock>,
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
                let harness = $make().await;
                $crate::testing::$suite::$test(&harness).await;
            }
        )*
    };
}
