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
