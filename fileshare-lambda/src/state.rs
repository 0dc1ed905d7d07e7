//! [`AppState`]: what every handler shares, built once from a [`ServiceConfig`].

use crate::auth::{KeySource, TokenVerifier};
use crate::config::{Identity, ServiceConfig, Storage, Timeouts, UserPool, USER_BURST_SECONDS};
use crate::idp::{LocalIdentityProvider, LOCAL_CLIENT_ID};
use crate::listing_cache::{Epoch, ListingCache, WriteEpoch};
use crate::names::NamesCache;
use crate::throttle::{Limiter, Rate};
use fileshare_core::backends::{AwsLocation, LocalFileStore, SqliteMetadataStore};
use fileshare_core::{FileShare, FileStore, MetadataStore, UserDirectory};
use std::sync::Arc;

/// The service over whichever backends are configured.
pub type Service = FileShare<Arc<dyn FileStore>, Arc<dyn MetadataStore>>;

/// Shared state of the HTTP API.
#[derive(Clone)]
pub struct AppState {
    /// The rules.
    pub service: Arc<Service>,
    /// Verifies bearer tokens (absent on Lambda, where API Gateway verifies them).
    pub verifier: Option<Arc<TokenVerifier>>,
    /// The built-in identity provider (local mode only).
    pub identity: Option<Arc<LocalIdentityProvider>>,
    /// Who is who by name (sharing with "bob"), with display names kept a while: the built-in
    /// provider, or the configured Cognito pool. `None`: sharing by user id only.
    pub directory: Option<Arc<NamesCache>>,
    /// The embedded store, whose presigned URLs the blob endpoints serve (embedded storage only).
    pub blobs: Option<Arc<LocalFileStore>>,
    /// The embedded metadata, which the local server sweeps for abandoned uploads (embedded only).
    pub embedded_metadata: Option<SqliteMetadataStore>,
    /// Recent listing answers (embedded only: one process writes).
    pub listings: Option<Arc<ListingCache>>,
    /// The DynamoDB table (AWS storage only), whose TTL removals the events function accounts for.
    #[cfg(feature = "aws")]
    pub table: Option<Arc<fileshare_core::backends::DynamoMetadataStore>>,
    /// Requests per user.
    pub user_limiter: Arc<Limiter>,
    /// Login attempts per username.
    pub login_limiter: Arc<Limiter>,
    /// Login and sign-up attempts per client address.
    pub address_limiter: Arc<Limiter>,
    /// Share-link requests (no account: info, redeem) per client address.
    pub link_limiter: Arc<Limiter>,
    /// The service's public base URL, which share links point under. `None` behind API Gateway:
    /// there it is `https://` and the request's `Host` (the API's domain, or a custom one).
    pub public_url: Option<Arc<str>>,
    /// Allowed browser origins.
    pub cors_origins: Arc<Vec<String>>,
    /// The web page's Content-Security-Policy; the page is served only with the built-in identity
    /// provider, which it logs in with.
    pub web_csp: Option<Arc<str>>,
    /// Proxies trusted to name the client in `X-Forwarded-For`.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// How long the server waits for clients.
    pub timeouts: Timeouts,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl AppState {
    /// Builds the state: opens the backends, the identity provider or the token verifier.
    /// `behind_api_gateway`: on Lambda, tokens were verified by API Gateway's JWT authorizer.
    pub async fn new(config: &ServiceConfig, behind_api_gateway: bool) -> Result<Self, BoxError> {
        #[cfg(feature = "aws")]
        let mut table = None;
        let (files, metadata, blobs, embedded_metadata, listings): (
            Arc<dyn FileStore>,
            Arc<dyn MetadataStore>,
            _,
            _,
            _,
        ) = match &config.storage {
            Storage::Embedded => {
                let blobs = Arc::new(
                    LocalFileStore::open(&config.data_dir)
                        .await?
                        .with_public_url(&format!("{}/blobs", config.public_url))?,
                );
                let metadata = SqliteMetadataStore::open(config.data_dir.join("fileshare.db")).await?;
                // Every write of the service goes through this wrapper, which is what lets
                // the listing cache know that nothing changed.
                let epoch = Epoch::default();
                let counted = Arc::new(WriteEpoch::new(metadata.clone(), epoch.clone()));
                let listings = Some(Arc::new(ListingCache::new(epoch)));
                (blobs.clone(), counted, Some(blobs), Some(metadata), listings)
            }
            #[cfg(feature = "aws")]
            Storage::Aws(location) => {
                let (files, metadata) = location.open().await?;
                let metadata = Arc::new(metadata);
                table = Some(metadata.clone());
                (Arc::new(files), metadata, None, None, None)
            }
            #[cfg(not(feature = "aws"))]
            Storage::Aws(_) => {
                return Err("FILESHARE_BUCKET/FILESHARE_TABLE: this build has no AWS backends; build with \
                                `--features aws` (./scripts/run does when FILESHARE_BUCKET is set)"
                    .into())
            }
        };
        let (identity, verifier) = match &config.identity {
            _ if behind_api_gateway => (None, None),
            Identity::BuiltIn => {
                let idp = Arc::new(LocalIdentityProvider::open(
                    &config.data_dir.join("identity"),
                    config.public_url.clone(),
                )?);
                let verifier = TokenVerifier::new(idp.issuer(), LOCAL_CLIENT_ID, KeySource::Static(idp.jwks().clone()));
                (Some(idp), Some(Arc::new(verifier)))
            }
            Identity::External { jwks_url, issuer, client_id } => {
                let source = KeySource::remote(jwks_url.clone())?;
                (None, Some(Arc::new(TokenVerifier::new(issuer.clone(), client_id.clone(), source))))
            }
        };
        let directory: Option<Arc<dyn UserDirectory>> = match (&identity, &config.user_pool) {
            (Some(idp), _) => Some(idp.clone()),
            (None, Some(pool)) => Some(open_cognito_directory(pool).await?),
            (None, None) => None,
        };
        let login = f64::from(config.login_rate);
        Ok(Self {
            service: Arc::new(FileShare::builder(files, metadata).config(config.limits.clone()).build()),
            verifier,
            directory: directory.map(|d| Arc::new(NamesCache::new(d))),
            blobs,
            embedded_metadata,
            listings,
            #[cfg(feature = "aws")]
            table,
            user_limiter: Arc::new(Limiter::new(Rate {
                burst: (config.user_rate * USER_BURST_SECONDS) as u32,
                per_second: config.user_rate,
            })),
            login_limiter: Arc::new(Limiter::new(Rate { burst: config.login_rate, per_second: login / 900.0 })),
            address_limiter: Arc::new(Limiter::new(Rate {
                burst: config.login_rate.saturating_mul(4),
                per_second: 4.0 * login / 900.0,
            })),
            link_limiter: Arc::new(Limiter::new(Rate {
                burst: (config.user_rate * USER_BURST_SECONDS) as u32,
                per_second: config.user_rate,
            })),
            public_url: (!behind_api_gateway).then(|| config.public_url.trim_end_matches('/').into()),
            cors_origins: Arc::new(config.cors_origins.clone()),
            web_csp: identity
                .is_some()
                .then(|| crate::routes::content_security_policy(storage_origin(config).as_deref()).into()),
            identity,
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
            timeouts: config.timeouts,
        })
    }
}

#[cfg(feature = "aws")]
pub(crate) async fn open_cognito_directory(pool: &UserPool) -> Result<Arc<dyn UserDirectory>, BoxError> {
    let mut builder = fileshare_core::backends::CognitoUserDirectory::builder().user_pool_id(&pool.id);
    if let Some(url) = &pool.endpoint {
        builder = builder.endpoint_url(url);
    }
    Ok(Arc::new(builder.build().await?))
}

#[cfg(not(feature = "aws"))]
pub(crate) async fn open_cognito_directory(_: &UserPool) -> Result<Arc<dyn UserDirectory>, BoxError> {
    Err("FILESHARE_USER_POOL_ID: this build has no AWS backends; build with `--features aws`".into())
}

/// Where browsers send uploads and fetch downloads when storage is not this server.
fn storage_origin(config: &ServiceConfig) -> Option<String> {
    match &config.storage {
        Storage::Embedded => None,
        Storage::Aws(AwsLocation { s3_endpoint: Some(url), .. }) => {
            let url = reqwest::Url::parse(url).ok()?;
            Some(url.origin().ascii_serialization())
        }
        Storage::Aws(AwsLocation { s3_endpoint: None, .. }) => Some("https://*.amazonaws.com".to_owned()),
    }
}
