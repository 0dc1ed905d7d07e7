//! Shared by the Rust examples: which service to use, a client for presigned URLs, fresh user ids.
//!
//! No setup needed: the embedded default in a temporary directory (or `$FILESHARE_DATA_DIR`). With
//! `FILESHARE_BUCKET` and `FILESHARE_TABLE` set, S3 + DynamoDB instead (`FILESHARE_S3_ENDPOINT`,
//! `FILESHARE_DYNAMODB_ENDPOINT` point at compatible servers, e.g. `./scripts/test-servers`).
#![allow(dead_code)] // each example uses part of this

use fileshare_core::backends::{AwsLocation, LocalFileStore, SqliteMetadataStore};
use fileshare_core::testing::{HttpTransport, Transport};
use fileshare_core::{FileShare, FileStore, MetadataStore, UserId};
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
pub type Service = FileShare<Arc<dyn FileStore>, Arc<dyn MetadataStore>>;

/// The service, and the client that follows its presigned URLs: in-process for the embedded store
/// (what the local server's `/blobs` endpoints do), HTTP for S3.
pub struct Example {
    pub service: Service,
    pub client: Arc<dyn Transport>,
    _data: Option<tempfile::TempDir>,
}

pub async fn open() -> Result<Example> {
    if let (Ok(bucket), Ok(table)) = (std::env::var("FILESHARE_BUCKET"), std::env::var("FILESHARE_TABLE")) {
        println!("backend: S3 bucket {bucket} + DynamoDB table {table}");
        let location = AwsLocation {
            s3_endpoint: std::env::var("FILESHARE_S3_ENDPOINT").ok(),
            dynamodb_endpoint: std::env::var("FILESHARE_DYNAMODB_ENDPOINT").ok(),
            ..AwsLocation::new(bucket, table)
        };
        let (s3, dynamo) = location.open_creating_missing().await?; // the first run against a local server
        let service = FileShare::new(Arc::new(s3) as Arc<dyn FileStore>, Arc::new(dynamo) as Arc<dyn MetadataStore>);
        return Ok(Example { service, client: Arc::new(HttpTransport::new()), _data: None });
    }
    let (dir, guard) = match std::env::var("FILESHARE_DATA_DIR") {
        Ok(dir) => (dir.into(), None),
        Err(_) => {
            let temp = tempfile::tempdir()?;
            (temp.path().to_owned(), Some(temp))
        }
    };
    println!("backend: embedded default in {}", std::path::Path::display(&dir));
    let files = Arc::new(LocalFileStore::open(&dir).await?);
    let metadata = Arc::new(SqliteMetadataStore::open(dir.join("fileshare.db")).await?);
    Ok(Example { service: FileShare::new(files.clone(), metadata), client: files, _data: guard })
}

/// A user id. Real ones come from the identity provider (Cognito's `sub`); see example 03.
pub fn new_user(name: &str) -> Result<UserId> {
    Ok(UserId::new(format!("{name}-{:08x}", rand_suffix()))?)
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}
