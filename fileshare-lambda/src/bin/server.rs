//! `fileshare-server`: the API. On Lambda it serves API Gateway events; anywhere else it is a complete local
//! service (see `fileshare-lambda`'s crate docs and the README). With a command, it is the
//! operator's tool instead (`fileshare-server quota …`, see [`fileshare_lambda::admin`]).
//!
//! Whatever stops it from starting — a bad setting, a data directory in use, a port taken — is one
//! line on stderr and a non-zero exit: 2 for configuration and usage, 1 for the rest.

use clap::Parser;
use fileshare_lambda::config::{Identity, Storage};
use fileshare_lambda::ServiceConfig;
use fileshare_lambda::{admin, server};
use std::process::ExitCode;

/// The fileshare service: with no command, serves the API (configured by `FILESHARE_*` variables).
#[derive(Parser)]
#[command(name = "fileshare-server", version)]
struct Args {
    /// An operator command instead of serving.
    #[command(subcommand)]
    command: Option<admin::Command>,
}

/// Memory freed under load goes back to the system instead of piling up in per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let configured = server::init_logging().and_then(|()| ServiceConfig::from_env().map_err(|e| e.to_string()));
    let config = match configured {
        Ok(config) => config,
        Err(e) => {
            eprintln!("fileshare-server: {e}");
            return ExitCode::from(2);
        }
    };
    let done = match args.command {
        Some(command) => admin::run(&config, command).await.map(|said| println!("{said}")),
        None => run(config).await,
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fileshare-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: ServiceConfig) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        return server::run_lambda(&config).await;
    }
    fileshare_lambda::metrics::enable_emf(config.emf);
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
