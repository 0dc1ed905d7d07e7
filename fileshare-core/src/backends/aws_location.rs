//! [`AwsLocation`]: where a deployment on S3 + DynamoDB keeps bytes and metadata. Every adapter (the
//! service, the Python bindings, the examples) reads it from its configuration and opens it the
//! same way. The location itself is plain data, there without the `aws` feature too, so that a
//! configuration naming AWS can be read (and refused clearly) by a build that has no AWS backends.

#[cfg(feature = "aws")]
use super::{DynamoMetadataStore, S3FileStore};
#[cfg(feature = "aws")]
use crate::Result;

/// The bucket, the table, and optionally the region and S3/DynamoDB-compatible endpoints.
///
/// ```no_run
/// # async fn run() -> fileshare_core::Result<()> {
/// use fileshare_core::backends::AwsLocation;
/// let location = AwsLocation { s3_endpoint: Some("http://127.0.0.1:9000".into()), ..AwsLocation::new("files", "metadata") };
/// let (files, metadata) = location.open().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsLocation {
    /// The bucket.
    pub bucket: String,
    /// The table.
    pub table: String,
    /// The region; unset, the AWS configuration's (environment, profile), else `us-east-1`.
    pub region: Option<String>,
    /// An S3-compatible server instead of AWS's, addressed path-style.
    pub s3_endpoint: Option<String>,
    /// A DynamoDB-compatible server instead of AWS's.
    pub dynamodb_endpoint: Option<String>,
}

impl AwsLocation {
    /// `bucket` and `table` on AWS, in the configured region.
    pub fn new(bucket: impl Into<String>, table: impl Into<String>) -> Self {
        Self { bucket: bucket.into(), table: table.into(), region: None, s3_endpoint: None, dynamodb_endpoint: None }
    }

    /// Opens both stores (credentials from the AWS chain).
    #[cfg(feature = "aws")]
    pub async fn open(&self) -> Result<(S3FileStore, DynamoMetadataStore)> {
        let mut files = S3FileStore::builder().bucket(&self.bucket);
        let mut metadata = DynamoMetadataStore::builder().table(&self.table);
        if let Some(region) = &self.region {
            files = files.region(region);
            metadata = metadata.region(region);
        }
        if let Some(url) = &self.s3_endpoint {
            files = files.endpoint_url(url).force_path_style(true);
        }
        if let Some(url) = &self.dynamodb_endpoint {
            metadata = metadata.endpoint_url(url);
        }
        Ok((files.build().await?, metadata.build().await?))
    }

    /// Opens both stores, creating the bucket and the table unless they exist (local servers and
    /// first runs; on AWS the infrastructure template creates both).
    #[cfg(feature = "aws")]
    pub async fn open_creating_missing(&self) -> Result<(S3FileStore, DynamoMetadataStore)> {
        let (files, metadata) = self.open().await?;
        files.create_bucket_if_missing().await?;
        metadata.create_table_if_missing().await?;
        Ok((files, metadata))
    }
}
