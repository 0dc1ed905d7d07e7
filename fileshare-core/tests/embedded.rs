//! The conformance suites on the embedded default: files on local disk, metadata in SQLite.

use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
use fileshare_core::clock::ManualClock;
use fileshare_core::testing::{FileStoreHarness, MetadataHarness, RulesHarness, StoreCapabilities};
use std::sync::Arc;
use tempfile::TempDir;

async fn local_store(dir: &TempDir, clock: &Arc<ManualClock>) -> Arc<LocalFileStore> {
    let store = LocalFileStore::open(dir.path()).await.expect("open local store");
    Arc::new(store.with_clock(clock.clone()))
}

async fn sqlite(dir: &TempDir) -> Arc<SqliteMetadataStore> {
    Arc::new(SqliteMetadataStore::open(dir.path().join("fileshare.db")).await.expect("open sqlite"))
}

async fn file_store_harness() -> Option<FileStoreHarness> {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::starting_now());
    let store = local_store(&dir, &clock).await;
    Some(FileStoreHarness {
        store: store.clone(),
        transport: store,
        clock,
        capabilities: StoreCapabilities::FULL,
        guard: Box::new(dir),
    })
}

async fn metadata_harness() -> Option<MetadataHarness> {
    let dir = tempfile::tempdir().expect("tempdir");
    Some(MetadataHarness { store: sqlite(&dir).await, guard: Box::new(dir) })
}

async fn rules_harness() -> Option<RulesHarness> {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(ManualClock::starting_now());
    let files = local_store(&dir, &clock).await;
    Some(RulesHarness {
        files: files.clone(),
        metadata: sqlite(&dir).await,
        transport: files,
        clock,
        capabilities: StoreCapabilities::FULL,
        guard: Box::new(dir),
    })
}

mod file_store {
    use super::file_store_harness;
    fileshare_core::file_store_conformance!(file_store_harness);
}

mod metadata {
    use super::metadata_harness;
    fileshare_core::metadata_conformance!(metadata_harness);
}

mod rules {
    use super::rules_harness;
    fileshare_core::rules_conformance!(rules_harness);
}

mod links {
    use super::rules_harness;
    fileshare_core::links_conformance!(rules_harness);
}

mod quota {
    use super::rules_harness;
    fileshare_core::quota_conformance!(rules_harness);
}

mod reliability {
    use super::rules_harness;
    fileshare_core::fault_injection_conformance!(rules_harness);
}
