//! Test support (feature `testing`), for this crate's tests and its clients': the real service on a
//! free 127.0.0.1 port, and a proxy in front of it that fails on purpose ([`FlakyProxy`]).

mod flaky;

pub use flaky::{Fault, FlakyProxy};

use crate::ServiceConfig;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// A running service; it stops when dropped.
pub struct TestService {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its data directory (embedded files and SQLite).
    pub data: TempDir,
    _stop: oneshot::Sender<()>,
}

/// The service on the embedded default (built-in identity provider), on a free port.
pub async fn start_embedded() -> TestService {
    start_embedded_with(|_| {}).await
}

/// Like [`start_embedded`], with the configuration adjusted first (storage, identity, limits).
pub async fn start_embedded_with(adjust: impl FnOnce(&mut ServiceConfig)) -> TestService {
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = ServiceConfig::embedded(data.path(), "127.0.0.1:0".parse().expect("addr"));
    adjust(&mut config);
    start(config, data).await
}

/// The service with `config` (its `bind` port 0 replaced by a free port).
pub async fn start(mut config: ServiceConfig, data: TempDir) -> TestService {
    // Presigned URLs must name the real port: bind first (and keep the listener), then build the
    // service for that address.
    let listener = tokio::net::TcpListener::bind(config.bind).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    config.bind = addr;
    if config.public_url.ends_with(":0") {
        config.public_url = format!("http://{addr}");
    }
    let (stop, stopped) = oneshot::channel::<()>();
    let (_, serve) = crate::server::serve_on(listener, &config, async {
        let _ = stopped.await;
    })
    .await
    .expect("service starts");
    tokio::spawn(serve);
    TestService { base: format!("http://{addr}"), data, _stop: stop }
}

/// The service as deployed on AWS, on the test rig ([`start_on_aws_rig`]).
#[cfg(feature = "aws")]
pub struct AwsRigService {
    /// The service.
    pub service: TestService,
    /// The rig's endpoints (S3, DynamoDB, moto, the Cognito stand-in).
    pub rig: fileshare_core::testing::aws_rig::Endpoints,
    /// The user pool whose tokens the service accepts.
    pub pool: String,
    /// Its app client (no secret; password, SRP and refresh logins).
    pub client_id: String,
}

/// The service as deployed on AWS, on the test rig: S3 and DynamoDB (a bucket and a table named
/// `name`) and a new Cognito user pool on moto, whose tokens it verifies. `None` when the rig is
/// not configured (and the test should skip; `FILESHARE_TEST_REQUIRE_AWS=1` makes that a failure).
#[cfg(feature = "aws")]
pub async fn start_on_aws_rig(name: &str) -> Option<AwsRigService> {
    use crate::config::{Identity, Storage};
    use fileshare_core::testing::aws_rig::{endpoints, moto_user_pool, prepared_location};
    let rig = endpoints()?;
    let location = prepared_location(name, &rig).await;
    let (pool, client_id) = moto_user_pool(&rig.moto, name).await;
    let service = start_embedded_with(|config| {
        config.storage = Storage::Aws(location);
        config.identity = Identity::External {
            jwks_url: format!("{}/{pool}/.well-known/jwks.json", rig.moto),
            issuer: format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}"),
            client_id: client_id.clone(),
        };
    })
    .await;
    Some(AwsRigService { service, rig, pool, client_id })
}
