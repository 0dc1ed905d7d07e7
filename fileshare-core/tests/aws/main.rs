//! The conformance suites on the AWS backends, against wire-compatible local servers:
//! S3 on s3s-fs (`FILESHARE_TEST_S3_ENDPOINT`), DynamoDB on moto (`FILESHARE_TEST_DYNAMODB_ENDPOINT`).
//! `./scripts/test` installs and starts both; run alone without them, each test prints SKIP.
#![cfg(feature = "aws")]

use aws_credential_types::Credentials;
use fileshare_core::backends::{
    CognitoUserPool, DynamoMetadataStore, DynamoMetadataStoreBuilder, DynamoUserDirectory, S3FileStore,
};
use fileshare_core::clock::ManualClock;
use fileshare_core::testing::{
    skip_unless_configured, DirectoryHarness, FileStoreHarness, HttpTransport, MetadataHarness, RulesHarness,
    StoreCapabilities,
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
    BUCKET_READY.get_or_init(|| async { store.create_bucket_if_missing().await.expect("create bucket") }).await;
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

/// A DynamoDB store on the test server at `endpoint`, in `region`: on the emulators a region is a
/// set of tables of its own.
fn dynamo_builder(endpoint: String, region: &str) -> DynamoMetadataStoreBuilder {
    DynamoMetadataStore::builder().region(region).endpoint_url(endpoint).credentials(credentials())
}

async fn dynamo_store() -> Option<Arc<DynamoMetadataStore>> {
    let endpoint = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT")?;
    let store = dynamo_builder(endpoint, "us-east-1").table(TABLE).build().await.expect("build DynamoDB store");
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

/// The user directory in the table: fed by an import from a pool on moto, and by the pool's triggers.
mod directory;
pub(crate) use directory::pool_account;

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

mod file_store {
    use super::file_store_harness;
    fileshare_core::file_store_conformance!(file_store_harness);
}

/// An SDK interceptor on every request: records its operation name (retries included: they are
/// requests too), and, when armed, fails the next request of one operation — there the process
/// "dies".
mod probe;

/// Every `FileShare` operation sends exactly the requests `docs/aws.md` documents (on the happy path,
/// the most it sends), and never a Scan.
mod request_counts;

/// Presigned URLs never outlive the credentials that signed them (temporary credentials on Lambda).
mod presign_expiry {
    use super::*;
    use chrono::{TimeDelta, Utc};
    use fileshare_core::store::{DownloadRequest, ObjectHeaders, PartRequest, UploadPolicy};
    use fileshare_core::{ContentType, FileId, FileName, FileStore, ObjectKey, UserId};

    #[tokio::test]
    async fn expiry_is_clamped_to_the_credentials_lifetime() {
        let clock = Arc::new(ManualClock::starting_now());
        let dies_at = clock.now_plus(TimeDelta::seconds(90));
        let temporary = Credentials::new("ASIATEMP", "secret", Some("session".into()), Some(dies_at.into()), "test");
        let store = S3FileStore::builder()
            .bucket("b")
            .region("us-east-1")
            .credentials(temporary)
            .clock(clock.clone())
            .build()
            .await
            .expect("store");
        let key = ObjectKey::for_file(&UserId::new("u").expect("user"), &FileId::generate(Utc::now()));
        let headers = ObjectHeaders {
            content_type: ContentType::new("text/plain").expect("type"),
            filename: FileName::new("a.txt").expect("name"),
        };
        let asked = clock.now_plus(TimeDelta::minutes(10));

        let get = store
            .presign_download(&DownloadRequest {
                key: key.clone(),
                headers: headers.clone(),
                expires_at: asked,
                viewer: None,
            })
            .await
            .expect("presign GET");
        assert!(get.expires_at <= dies_at, "GET outlives its credentials: {} > {dies_at}", get.expires_at);
        assert!(
            get.url.contains("X-Amz-Expires=90") && get.url.contains("X-Amz-Security-Token=session"),
            "{}",
            get.url
        );

        let part = PartRequest { key: key.clone(), upload_id: "u1".into(), part_number: 1, size: 5, expires_at: asked };
        assert!(store.presign_part(&part).await.expect("presign PUT").expires_at <= dies_at);

        let policy = UploadPolicy { key, headers, size: 10, expires_at: asked };
        let upload = store.presign_upload(&policy).await.expect("presign PUT");
        assert!(upload.expires_at <= dies_at);
        assert!(upload.url.contains("X-Amz-Expires=90") && upload.url.contains("X-Amz-Security-Token=session"));

        // Once the credentials are gone, nothing can be signed with them.
        clock.advance(std::time::Duration::from_secs(120));
        let late = DownloadRequest {
            key: ObjectKey::for_file(&UserId::new("u").expect("user"), &FileId::generate(Utc::now())),
            headers: policy.headers.clone(),
            expires_at: clock.now_plus(TimeDelta::minutes(5)),
            viewer: None,
        };
        assert!(store.presign_download(&late).await.is_err());
    }
}

/// DynamoDB's TTL removes an abandoned upload's record outside every transaction of the service:
/// the events function gives its usage back from the stream — once, however often the stream
/// delivers the removal, and never for a removal the service made itself.
mod ttl_release {
    use super::*;
    use fileshare_core::backends::RemovedFile;
    use fileshare_core::testing::{aws_rig, random_user};
    use fileshare_core::{FileShare, UploadRequest, Usage};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_ttl_removal_gives_the_usage_back_once() {
        let Some(endpoint) = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT") else { return };
        let clock = Arc::new(ManualClock::starting_now());
        let (Some(files), Some(metadata)) = (s3_store(&clock).await, dynamo_store().await) else { return };
        let service = FileShare::new(files, metadata.clone());
        let alice = random_user("alice");
        let usage = async || service.usage(&alice).await.expect("usage").usage;
        let abandoned = service.create_upload(&alice, UploadRequest::new("a.bin", 700, "text/plain")).await;
        let abandoned = abandoned.expect("upload").file;
        let kept = service.put_bytes(&alice, "k.txt", "text/plain", vec![b'k'; 300].into()).await.expect("kept");

        let early = RemovedFile { key: abandoned.key(), upload_id: None, size: 700, expired: true };
        assert!(!metadata.release_expired_upload(&early).await.expect("forged"), "the record is still there");
        let record = aws_rig::remove_by_ttl(&endpoint, TABLE, &abandoned.id).await;
        assert_eq!(usage().await, Usage { bytes: 1000, files: 2 }, "TTL's delete releases nothing");
        let removed = RemovedFile::from_stream_record(&record).expect("a file's removal");
        assert!(removed.expired && removed.size == 700);
        assert!(metadata.release_expired_upload(&removed).await.expect("release"));
        assert_eq!(usage().await, Usage { bytes: 300, files: 1 });
        assert!(!metadata.release_expired_upload(&removed).await.expect("again"), "a redelivery");
        assert_eq!(usage().await, Usage { bytes: 300, files: 1 });

        service.delete(&alice, &kept.id).await.expect("delete");
        let own = RemovedFile { key: kept.key(), upload_id: None, size: 300, expired: false };
        assert!(!metadata.release_expired_upload(&own).await.expect("not TTL's"));
        assert_eq!(usage().await, Usage::default());
    }
}

/// Deletes of files with many shares: interrupted, in passes, and (ignored here: scripts/many-shares)
/// at 50,000 shares.
mod deletes;

mod reliability {
    use super::rules_harness;
    fileshare_core::fault_injection_conformance!(rules_harness);
}
