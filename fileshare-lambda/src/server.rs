//! Running the API: a local server, or the Lambda runtime.
//!
//! The local server is hyper's HTTP/1 connection loop, not `axum::serve`, because it needs what
//! `axum::serve` cannot be told: a deadline for a request's headers (a client that never finishes
//! them would hold its connection forever, and with enough of them, every connection), and a
//! deadline for each write (a client that stops reading a download). Deadlines on request bodies
//! and whole requests are tower layers on the router (`routes`).

use crate::config::{ServiceConfig, Timeouts};
use crate::routes::router;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_io_timeout::TimeoutStream;
use tower::ServiceExt;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long a shutdown waits for requests in flight before it drops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Installs JSON logs (`RUST_LOG` filters, default `info`); a `RUST_LOG` that does not parse is an
/// error, not silently ignored.
pub fn init_logging() -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) => tracing_subscriber::EnvFilter::try_new(&directives)
            .map_err(|e| format!("RUST_LOG: {e}; expected filter directives such as info or fileshare=debug"))?,
        Err(_) => "info".into(),
    };
    let _ = tracing_subscriber::fmt().json().with_env_filter(filter).with_current_span(false).try_init();
    Ok(())
}

/// A local server bound to `config.bind` and ready: its address, and the future that serves until
/// `shutdown` resolves.
pub async fn bind(
    config: &ServiceConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(SocketAddr, impl std::future::Future<Output = std::io::Result<()>>), BoxError> {
    let listener =
        TcpListener::bind(config.bind).await.map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    serve_on(listener, config, shutdown).await
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
    let sweep = crate::sweeper::start(&state).await?;
    let app = router(state);
    let timeouts = config.timeouts;
    Ok((addr, async move {
        // The sweep runs as long as the server does.
        let sweeper = sweep.map(tokio::spawn);
        let served = accept_loop(listener, app, timeouts, shutdown).await;
        if let Some(sweeper) = sweeper {
            sweeper.abort();
        }
        served
    }))
}

async fn accept_loop(
    listener: TcpListener,
    app: axum::Router,
    timeouts: Timeouts,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(timeouts.header_read);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or the like: wait, and keep serving the others.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |mut request: http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.map(axum::body::Body::new)
        });
        let connection = http.serve_connection(guarded(stream, timeouts), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection closed with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after the shutdown grace period were dropped");
    }
    Ok(())
}

/// The connection's socket, whose every write must make progress within the idle timeout: a
/// client that stops reading cannot hold a connection (and the file it downloads) forever.
fn guarded(stream: TcpStream, timeouts: Timeouts) -> TokioIo<std::pin::Pin<Box<TimeoutStream<TcpStream>>>> {
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(timeouts.idle));
    TokioIo::new(Box::pin(stream))
}

/// Serves the API on Lambda (tokens already verified by API Gateway).
pub async fn run_lambda(config: &ServiceConfig) -> Result<(), BoxError> {
    crate::metrics::enable_emf(true);
    let state = AppState::new(config, true).await?;
    lambda_http::run(router(state)).await
}
