//! `fileshare-server`: the API. On Lambda it serves API Gateway events; anywhere else it is a complete local
//! service (see `fileshare-lambda`'s crate docs and the README).

use fileshare_lambda::config::{Identity, Storage};
use fileshare_lambda::server;
use fileshare_lambda::ServiceConfig;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    server::init_logging();
    let config = ServiceConfig::from_env()?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return server::run_lambda(&config).await;
    }
    fileshare_lambda::metrics::enable_emf(std::env::var("FILESHARE_EMF").is_ok_and(|v| v == "1"));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let (addr, serve) = server::bind(&config, shutdown).await?;
    let storage = match &config.storage {
        Storage::Embedded => format!("embedded default in {}", config.data_dir.display()),
        Storage::Aws(location) => format!("S3 bucket {} + DynamoDB table {}", location.bucket, location.table),
    };
    let identity = match &config.identity {
        Identity::BuiltIn => "built-in identity provider (/auth/signup, /auth/login)".to_owned(),
        Identity::External { issuer, .. } => format!("tokens from {issuer}"),
    };
    println!("fileshare listening on http://{addr} — {storage}; {identity}");
    println!("  API reference: http://{addr}/openapi.json   health: http://{addr}/health   (Ctrl-C stops)");
    serve.await?;
    Ok(())
}
