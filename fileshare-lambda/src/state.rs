//! [`AppState`]: what every handler shares, built once from a [`ServiceConfig`].

use crate::auth::{KeySource, TokenVerifier};
use crate::config::{Identity, ServiceConfig, Storage, Timeouts, USER_BURST_SECONDS};
use crate::idp::cognito::CognitoTokens;
use crate::idp::{LocalIdentityProvider, LOCAL_CLIENT_ID, PASSWORD_POLICY};
use crate::listing_cache::{Epoch, ListingCache, WriteEpoch};
use crate::names::NamesCache;
use crate::routes::{PageIdentity, WebPage};
use crate::throttle::{Limiter, Rate};
use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
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
    /// provider, or the table's directory that the Cognito pool's triggers keep. `None`: sharing by
    /// user id only.
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
    /// Requests without an account — share links (info, redeem) and the web page's session
    /// (start, refresh, logout) — per client address.
    pub public_limiter: Arc<Limiter>,
    /// The service's public base URL, which share links point under. `None` behind API Gateway:
    /// there it is `https://` and the request's `Host` (the API's domain, or a custom one).
    pub public_url: Option<Arc<str>>,
    /// Allowed browser origins.
    pub cors_origins: Arc<Vec<String>>,
    /// The web page, where it can sign people in: with the built-in identity provider, or with the
    /// Cognito pool and app client the configuration names.
    pub web: Option<Arc<WebPage>>,
    /// Cognito's token operations on the page's behalf (refresh, revoke), with a Cognito page.
    pub cognito: Option<Arc<CognitoTokens>>,
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
        // `storage_origin`: where browsers send uploads, when not to this server.
        let (files, metadata, blobs, embedded_metadata, listings, storage_origin): (
            Arc<dyn FileStore>,
            Arc<dyn MetadataStore>,
            _,
            _,
            _,
            Option<String>,
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
                (blobs.clone(), counted, Some(blobs), Some(metadata), listings, None)
            }
            #[cfg(feature = "aws")]
            Storage::Aws(location) => {
                // Against S3- and DynamoDB-compatible servers (a local rig, a first run), the bucket
                // and the table are made if missing; on AWS itself the infrastructure template makes them.
                let (files, metadata) = if location.s3_endpoint.is_some() || location.dynamodb_endpoint.is_some() {
                    location.open_creating_missing().await?
                } else {
                    location.open().await?
                };
                let origin = files.url_origin().to_owned();
                let metadata = Arc::new(metadata);
                table = Some(metadata.clone());
                (Arc::new(files), metadata, None, None, None, Some(origin))
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
        #[cfg(feature = "aws")]
        let directory = user_directory(identity.clone(), table.as_deref());
        #[cfg(not(feature = "aws"))]
        let directory = identity.clone().map(|idp| idp as Arc<dyn UserDirectory>);
        let page_identity = page_identity(config, behind_api_gateway);
        let cognito = match &page_identity {
            Some(PageIdentity::Cognito { endpoint, client_id, .. }) => {
                Some(Arc::new(CognitoTokens::new(endpoint.clone(), client_id.clone())?))
            }
            _ => None,
        };
        let plain_http = !behind_api_gateway && config.public_url.starts_with("http://");
        let web =
            page_identity.map(|identity| Arc::new(WebPage::new(&identity, storage_origin.as_deref(), plain_http)));
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
            public_limiter: Arc::new(Limiter::new(Rate {
                burst: (config.user_rate * USER_BURST_SECONDS) as u32,
                per_second: config.user_rate,
            })),
            public_url: (!behind_api_gateway).then(|| config.public_url.trim_end_matches('/').into()),
            cors_origins: Arc::new(config.cors_origins.clone()),
            web,
            cognito,
            identity,
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
            timeouts: config.timeouts,
        })
    }
}

/// Where people are found by name: the built-in identity provider's own users where it runs;
/// with Cognito, the directory its triggers keep in the table (never Cognito itself: request paths
/// must not spend its quotas). `None`: sharing by user id only.
#[cfg(feature = "aws")]
pub(crate) fn user_directory(
    identity: Option<Arc<LocalIdentityProvider>>,
    table: Option<&fileshare_core::backends::DynamoMetadataStore>,
) -> Option<Arc<dyn UserDirectory>> {
    match (identity, table) {
        (Some(idp), _) => Some(idp),
        (None, Some(table)) => Some(Arc::new(fileshare_core::backends::DynamoUserDirectory::new(table))),
        (None, None) => None,
    }
}

/// How the page signs people in: with the built-in identity provider where it runs, or with the
/// Cognito pool and app client of an external issuer (`FILESHARE_USER_POOL_ID`, and
/// `FILESHARE_CLIENT_ID` among the issuer's settings). `None`: the page could not sign anyone in.
fn page_identity(config: &ServiceConfig, behind_api_gateway: bool) -> Option<PageIdentity> {
    match (&config.identity, &config.user_pool) {
        (Identity::BuiltIn, _) if !behind_api_gateway => Some(PageIdentity::Local { password_policy: PASSWORD_POLICY }),
        (Identity::External { client_id, .. }, Some(pool)) => {
            // A pool id is `{region}_{id}`.
            let region = pool.id.split_once('_').map(|(region, _)| region.to_owned())?;
            let endpoint =
                pool.endpoint.clone().unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com/"));
            Some(PageIdentity::Cognito {
                region,
                user_pool_id: pool.id.clone(),
                client_id: client_id.clone(),
                endpoint,
            })
        }
        _ => None,
    }
}
