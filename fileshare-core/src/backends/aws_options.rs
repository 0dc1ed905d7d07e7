//! Settings every AWS-backed store takes, and how they become an SDK configuration.

use crate::{Error, Result};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;

/// Region, endpoint, configuration, credentials and interceptors, as set on a store's builder.
#[derive(Default)]
pub(crate) struct AwsOptions {
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub sdk_config: Option<aws_config::SdkConfig>,
    pub credentials: Option<aws_credential_types::Credentials>,
    pub interceptors: Vec<SharedInterceptor>,
}

/// [`AwsOptions`] resolved against the environment.
pub(crate) struct ResolvedAws {
    pub sdk: aws_config::SdkConfig,
    pub region: String,
    pub endpoint_url: Option<String>,
    /// Explicit credentials, else the configuration's provider chain.
    pub credentials: SharedCredentialsProvider,
    pub interceptors: Vec<SharedInterceptor>,
}

impl AwsOptions {
    /// Loads the AWS configuration from the environment unless one was given, and settles the
    /// region (default `us-east-1`) and the credentials provider.
    pub async fn resolve(self, backend: &'static str) -> Result<ResolvedAws> {
        let sdk = match self.sdk_config {
            Some(config) => config,
            None => aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await,
        };
        let region =
            self.region.or_else(|| sdk.region().map(ToString::to_string)).unwrap_or_else(|| "us-east-1".into());
        let credentials = match self.credentials {
            Some(credentials) => SharedCredentialsProvider::new(credentials),
            None => sdk
                .credentials_provider()
                .ok_or_else(|| Error::storage(backend, "no AWS credentials provider is configured"))?,
        };
        let endpoint_url = self.endpoint_url.or_else(|| sdk.endpoint_url().map(str::to_owned));
        Ok(ResolvedAws { sdk, region, endpoint_url, credentials, interceptors: self.interceptors })
    }
}

/// The builder methods for [`AwsOptions`], shared by every AWS store builder (field `aws`).
macro_rules! aws_option_setters {
    () => {
        /// The region (default: from the AWS config chain, else `us-east-1`).
        pub fn region(mut self, region: impl Into<String>) -> Self {
            self.aws.region = Some(region.into());
            self
        }

        /// A custom endpoint, for AWS-compatible servers (e.g. `http://127.0.0.1:8014`).
        pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
            self.aws.endpoint_url = Some(url.into());
            self
        }

        /// Use this AWS configuration instead of loading it from the environment.
        pub fn sdk_config(mut self, config: aws_config::SdkConfig) -> Self {
            self.aws.sdk_config = Some(config);
            self
        }

        /// Use these static credentials (tests, local servers) instead of the AWS provider chain.
        pub fn credentials(mut self, credentials: aws_credential_types::Credentials) -> Self {
            self.aws.credentials = Some(credentials);
            self
        }

        /// Adds an SDK interceptor to the client (e.g. to count requests).
        pub fn interceptor(
            mut self,
            interceptor: impl aws_smithy_runtime_api::client::interceptors::Intercept + 'static,
        ) -> Self {
            self.aws
                .interceptors
                .push(aws_smithy_runtime_api::client::interceptors::SharedInterceptor::new(interceptor));
            self
        }
    };
}
pub(crate) use aws_option_setters;
