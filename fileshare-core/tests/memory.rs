//! The conformance suites on the in-memory backends.

use fileshare_core::backends::{MemoryFileStore, MemoryMetadataStore};
use fileshare_core::clock::ManualClock;
use fileshare_core::testing::{FileStoreHarness, MetadataHarness, RulesHarness, StoreCapabilities};
use std::sync::Arc;

fn file_store(clock: &Arc<ManualClock>) -> Arc<MemoryFileStore> {
    Arc::new(MemoryFileStore::new().with_clock(clock.clone()))
}

async fn file_store_harness() -> Option<FileStoreHarness> {
    let clock = Arc::new(ManualClock::starting_now());
    let store = file_store(&clock);
    Some(FileStoreHarness {
        store: store.clone(),
        transport: store,
        clock,
        capabilities: StoreCapabilities::FULL,
        guard: Box::new(()),
    })
}

async fn metadata_harness() -> Option<MetadataHarness> {
    Some(MetadataHarness { store: Arc::new(MemoryMetadataStore::new()), guard: Box::new(()) })
}

async fn rules_harness() -> Option<RulesHarness> {
    let clock = Arc::new(ManualClock::starting_now());
    let files = file_store(&clock);
    Some(RulesHarness {
        files: files.clone(),
        metadata: Arc::new(MemoryMetadataStore::new()),
        transport: files,
        clock,
        capabilities: StoreCapabilities::FULL,
        guard: Box::new(()),
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
