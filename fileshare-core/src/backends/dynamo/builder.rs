//! [`DynamoMetadataStoreBuilder`]: configuring a [`DynamoMetadataStore`].

use super::{DynamoMetadataStore, DEFAULT_DELETE_PASS};
use crate::backends::aws_options::{aws_option_setters, AwsOptions};
use crate::{Error, Result};
use std::time::Duration;

/// Builds a [`DynamoMetadataStore`]; see [`DynamoMetadataStore::builder`].
#[derive(Default)]
pub struct DynamoMetadataStoreBuilder {
    table: Option<String>,
    delete_pass: Option<Duration>,
    aws: AwsOptions,
}

impl DynamoMetadataStoreBuilder {
    /// The table (required).
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// How long one pass of a large delete runs before the events function takes over (default
    /// [`DEFAULT_DELETE_PASS`]); every pass deletes at least one batch of shares.
    pub fn delete_pass(mut self, pass: Duration) -> Self {
        self.delete_pass = Some(pass);
        self
    }

    aws_option_setters!();

    /// Builds the store; loads the AWS configuration from the environment if none was given.
    pub async fn build(self) -> Result<DynamoMetadataStore> {
        let table = self.table.ok_or_else(|| Error::invalid("table", "is required"))?;
        let aws = self.aws.resolve("dynamodb").await?;
        let mut config = aws_sdk_dynamodb::config::Builder::from(&aws.sdk)
            .region(aws_sdk_dynamodb::config::Region::new(aws.region))
            .credentials_provider(aws.credentials);
        if let Some(url) = aws.endpoint_url {
            config = config.endpoint_url(url);
        }
        for interceptor in aws.interceptors {
            config = config.interceptor(interceptor);
        }
        Ok(DynamoMetadataStore {
            client: aws_sdk_dynamodb::Client::from_conf(config.build()),
            table,
            delete_pass: self.delete_pass.unwrap_or(DEFAULT_DELETE_PASS),
        })
    }
}

impl DynamoMetadataStore {
    /// A builder; `table` is required.
    pub fn builder() -> DynamoMetadataStoreBuilder {
        DynamoMetadataStoreBuilder::default()
    }

    /// The store configured from the environment: `FILESHARE_TABLE` (required),
    /// `FILESHARE_DYNAMODB_ENDPOINT` (for local servers), region and credentials from the AWS chain.
    pub async fn from_env() -> Result<Self> {
        let table = std::env::var("FILESHARE_TABLE").map_err(|_| Error::invalid("FILESHARE_TABLE", "is not set"))?;
        let mut builder = Self::builder().table(table);
        if let Ok(url) = std::env::var("FILESHARE_DYNAMODB_ENDPOINT") {
            builder = builder.endpoint_url(url);
        }
        builder.build().await
    }
}
