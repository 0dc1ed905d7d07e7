//! [`S3FileStoreBuilder`]: configuring an [`S3FileStore`], and where its URLs point.

use super::credentials::CredentialCache;
use super::sigv4::{Endpoint, Signer};
use super::S3FileStore;
use crate::backends::aws_options::{aws_option_setters, AwsOptions};
use crate::clock::{Clock, SystemClock};
use crate::{Error, Result};
use std::sync::Arc;

/// Builds an [`S3FileStore`]; see [`S3FileStore::builder`].
#[derive(Default)]
pub struct S3FileStoreBuilder {
    bucket: Option<String>,
    force_path_style: bool,
    clock: Option<Arc<dyn Clock>>,
    aws: AwsOptions,
}

impl S3FileStoreBuilder {
    /// The bucket (required).
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`.
    pub fn force_path_style(mut self, yes: bool) -> Self {
        self.force_path_style = yes;
        self
    }

    /// The clock that timestamps signatures.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    aws_option_setters!();

    /// Builds the store; loads the AWS configuration from the environment if none was given.
    pub async fn build(self) -> Result<S3FileStore> {
        let bucket = self.bucket.ok_or_else(|| Error::invalid("bucket", "is required"))?;
        let aws = self.aws.resolve("s3").await?;
        let mut config = aws_sdk_s3::config::Builder::from(&aws.sdk)
            .region(aws_sdk_s3::config::Region::new(aws.region.clone()))
            .force_path_style(self.force_path_style)
            // Presigning uses the same provider; the built client config does not hand it back.
            .credentials_provider(aws.credentials.clone());
        if let Some(url) = &aws.endpoint_url {
            config = config.endpoint_url(url);
        }
        for interceptor in aws.interceptors {
            config = config.interceptor(interceptor);
        }
        let (endpoint, bucket_path) =
            presign_endpoint(&bucket, &aws.region, aws.endpoint_url.as_deref(), self.force_path_style)?;
        Ok(S3FileStore {
            client: aws_sdk_s3::Client::from_conf(config.build()),
            bucket,
            region: aws.region,
            endpoint,
            bucket_path,
            credentials: CredentialCache::new(aws.credentials),
            signer: Signer::default(),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        })
    }
}

/// Where presigned URLs point, and the path prefix of objects: `/{bucket}` in path style, empty in
/// virtual-hosted style (the bucket is then part of the host).
fn presign_endpoint(bucket: &str, region: &str, url: Option<&str>, path_style: bool) -> Result<(Endpoint, String)> {
    let (scheme, host) = match url {
        Some(url) => {
            let parsed = url::Url::parse(url).map_err(|e| Error::invalid("endpoint_url", e.to_string()))?;
            let host = parsed.host_str().ok_or_else(|| Error::invalid("endpoint_url", "has no host"))?;
            let host = match parsed.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            (parsed.scheme().to_owned(), host)
        }
        None => ("https".to_owned(), format!("s3.{region}.amazonaws.com")),
    };
    let (host, prefix) =
        if path_style { (host, format!("/{bucket}")) } else { (format!("{bucket}.{host}"), String::new()) };
    Ok((Endpoint { base: format!("{scheme}://{host}"), host }, prefix))
}

impl S3FileStore {
    /// A builder; `bucket` is required.
    pub fn builder() -> S3FileStoreBuilder {
        S3FileStoreBuilder::default()
    }

    /// The store configured from the environment: `FILESHARE_BUCKET` (required),
    /// `FILESHARE_S3_ENDPOINT` and `FILESHARE_S3_PATH_STYLE=true` (for S3-compatible servers), region
    /// and credentials from the AWS chain (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, profiles, roles…).
    pub async fn from_env() -> Result<Self> {
        let bucket = std::env::var("FILESHARE_BUCKET").map_err(|_| Error::invalid("FILESHARE_BUCKET", "is not set"))?;
        let mut builder = Self::builder().bucket(bucket);
        if let Ok(url) = std::env::var("FILESHARE_S3_ENDPOINT") {
            builder = builder.endpoint_url(url);
        }
        let path_style = std::env::var("FILESHARE_S3_PATH_STYLE").is_ok_and(|v| v == "true" || v == "1");
        builder.force_path_style(path_style).build().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_urls_point_where_s3_expects() {
        let at = |url, path_style| {
            let (e, prefix) = presign_endpoint("b", "eu-west-1", url, path_style).expect("endpoint");
            (e.base, e.host, prefix)
        };
        assert_eq!(
            at(None, false),
            ("https://b.s3.eu-west-1.amazonaws.com".into(), "b.s3.eu-west-1.amazonaws.com".into(), String::new())
        );
        assert_eq!(
            at(None, true),
            ("https://s3.eu-west-1.amazonaws.com".into(), "s3.eu-west-1.amazonaws.com".into(), "/b".into())
        );
        assert_eq!(
            at(Some("http://127.0.0.1:8014"), true),
            ("http://127.0.0.1:8014".into(), "127.0.0.1:8014".into(), "/b".into())
        );
        assert!(presign_endpoint("b", "r", Some("not a url"), true).is_err());
    }
}
