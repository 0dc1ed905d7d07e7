//! Running the API: a local server, or the Lambda runtime.

use crate::config::ServiceConfig;
use crate::routes::router;
use crate::state::AppState;
use std::net::SocketAddr;
use tokio::net::TcpListener;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Installs JSON logs (`RUST_LOG` filters, default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).with_current_span(false).try_init();
}

/// A local server bound to `config.bind` and ready: its address, and the future that serves until
/// `shutdown` resolves.
pub async fn bind(
    config: &ServiceConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, impl std::future::Future<Output = std::io::Result<()>>), BoxError> {
    serve_on(TcpListener::bind(config.bind).await?, config, shutdown).await
}

/// Like [`bind`], on a listener the caller already bound (tests bind port 0 and keep it: no window in
/// which another server could take the port).
pub async fn serve_on(
    listener: TcpListener,
    config: &ServiceConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, impl std::future::Future<Output = std::io::Result<()>>), BoxError> {
    let state = AppState::new(config, false).await?;
    let addr = listener.local_addr()?;
    let sweep = state.embedded_metadata.clone().map(|metadata| crate::sweeper::run(state.service.clone(), metadata));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    Ok((addr, async move {
        // The sweep runs as long as the server does.
        let sweeper = sweep.map(tokio::spawn);
        let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
        if let Some(sweeper) = sweeper {
            sweeper.abort();
        }
        served
    }))
}

/// Serves the API on Lambda (tokens already verified by API Gateway).
pub async fn run_lambda(config: &ServiceConfig) -> Result<(), BoxError> {
    crate::metrics::enable_emf(true);
    let state = AppState::new(config, true).await?;
    lambda_http::run(router(state)).await
}
