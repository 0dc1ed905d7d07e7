//! The conformance suites on the AWS backends, against wire-compatible local servers:
//! S3 on s3s-fs (`FILESHARE_TEST_S3_ENDPOINT`), DynamoDB on moto (`FILESHARE_TEST_DYNAMODB_ENDPOINT`).
//! `./scripts/test` installs and starts both; run alone without them, each test prints SKIP.
#![cfg(feature = "aws")]

use aws_credential_types::Credentials;
use fileshare_core::backends::{DynamoMetadataStore, S3FileStore};
use fileshare_core::clock::ManualClock;
use fileshare_core::testing::{
    skip_unless_configured, FileStoreHarness, HttpTransport, MetadataHarness, RulesHarness, StoreCapabilities,
};
use std::sync::Arc;
use tokio::sync::OnceCell;

const BUCKET: &str = "fileshare-test";
const TABLE: &str = "fileshare-test";

/// s3s-fs 0.14 checks signatures, policies and expiry like S3, but not multipart completion.
const S3S_FS: StoreCapabilities =
    StoreCapabilities { verifies_multipart_completion: false, unknown_upload_is_not_found: false };

fn credentials() -> Credentials {
    Credentials::from_keys("test", "test", None)
}

/// The bucket and the table are created once per test binary.
static BUCKET_READY: OnceCell<()> = OnceCell::const_new();
static TABLE_READY: OnceCell<()> = OnceCell::const_new();

async fn s3_store(clock: &Arc<ManualClock>) -> Option<Arc<S3FileStore>> {
    let endpoint = skip_unless_configured("FILESHARE_TEST_S3_ENDPOINT")?;
    let store = S3FileStore::builder()
        .bucket(BUCKET)
        .region("us-east-1")
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials(credentials())
        .clock(clock.clone())
        .build()
        .await
        .expect("build S3 store");
    BUCKET_READY
        .get_or_init(|| async {
            // Already existing (from an earlier run) is fine.
            let _ = store.client().create_bucket().bucket(BUCKET).send().await;
        })
        .await;
    Some(Arc::new(store))
}

async fn file_store_harness() -> Option<FileStoreHarness> {
    let clock = Arc::new(ManualClock::starting_now());
    let store = s3_store(&clock).await?;
    Some(FileStoreHarness {
        store,
        transport: Arc::new(HttpTransport::new()),
        clock,
        capabilities: S3S_FS,
        guard: Box::new(()),
    })
}

async fn dynamo_store() -> Option<Arc<DynamoMetadataStore>> {
    let endpoint = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT")?;
    let store = DynamoMetadataStore::builder()
        .table(TABLE)
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(credentials())
        .build()
        .await
        .expect("build DynamoDB store");
    TABLE_READY.get_or_init(|| async { store.create_table_if_missing().await.expect("create table") }).await;
    Some(Arc::new(store))
}

async fn metadata_harness() -> Option<MetadataHarness> {
    Some(MetadataHarness { store: dynamo_store().await?, guard: Box::new(()) })
}

async fn rules_harness() -> Option<RulesHarness> {
    let clock = Arc::new(ManualClock::starting_now());
    Some(RulesHarness {
        files: s3_store(&clock).await?,
        metadata: dynamo_store().await?,
        transport: Arc::new(HttpTransport::new()),
        clock,
        capabilities: S3S_FS,
        guard: Box::new(()),
    })
}

mod metadata {
    use super::metadata_harness;
    fileshare_core::metadata_conformance!(metadata_harness);
}

mod rules {
    use super::rules_harness;
    fileshare_core::rules_conformance!(rules_harness);
}

mod file_store {
    use super::file_store_harness;
    fileshare_core::file_store_conformance!(file_store_harness);
}
