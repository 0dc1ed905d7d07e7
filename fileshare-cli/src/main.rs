//! `fileshare`: the command-line client of the fileshare HTTP API. It speaks only the public API
//! (and presigned storage URLs), so it works the same against the local service and AWS.

mod cli;
mod client;
mod download;
mod error;
mod identity;
mod listing;
mod progress;
mod session;
mod transfer;
mod upload;

use clap::Parser;
use cli::{Cli, Cognito, Command, Credentials};
use client::{api_path, Api};
use error::{CliError, Result};
use identity::Identity;
use reqwest::Method;
use serde_json::json;
use session::{Provider, SessionStore};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fileshare: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn provider(cognito: &Cognito) -> Provider {
    match &cognito.cognito_client_id {
        None => Provider::Local,
        Some(client_id) => Provider::Cognito {
            client_id: client_id.clone(),
            endpoint: cognito
                .cognito_endpoint
                .clone()
                .unwrap_or_else(|| format!("https://cognito-idp.{}.amazonaws.com/", cognito.cognito_region)),
        },
    }
}

fn password(credentials: &Credentials) -> Result<String> {
    let password = if credentials.password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(CliError::io("stdin"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ").map_err(CliError::io("terminal"))?
    } else {
        return Err(CliError::Usage("no terminal to ask for the password; pass --password-stdin".into()));
    };
    if password.is_empty() {
        return Err(CliError::Usage("empty password".into()));
    }
    Ok(password)
}

async fn run(cli: Cli) -> Result<()> {
    let endpoint = cli.endpoint.trim_end_matches('/').to_owned();
    let store = SessionStore::new(cli.config_dir.clone())?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(120))
        .user_agent(concat!("fileshare-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| CliError::Usage(format!("HTTP client: {e}")))?;
    let identity = Identity::new(&http, &endpoint);
    let api = || Api::new(http.clone(), endpoint.clone(), store.clone());
    match cli.command {
        Command::Signup(credentials) => {
            let provider = provider(&credentials.cognito);
            let password = password(&credentials)?;
            match identity.sign_up(&provider, &credentials.username, &password).await? {
                Some(user_id) => println!("created {} ({user_id}); now run `fileshare login`", credentials.username),
                None => {
                    println!("created {}; confirm it with the e-mailed code: `fileshare confirm`", credentials.username)
                }
            }
        }
        Command::Confirm { username, code, cognito } => {
            identity.confirm(&provider(&cognito), &username, &code).await?;
            println!("confirmed {username}; now run `fileshare login`");
        }
        Command::Login(credentials) => {
            let password = password(&credentials)?;
            let session = identity.log_in(provider(&credentials.cognito), &credentials.username, &password).await?;
            store.save(&endpoint, &session)?;
            println!("logged in to {endpoint} as {} ({})", session.username, session.user_id);
        }
        Command::Logout => {
            let Some(session) = store.load(&endpoint)? else {
                println!("was not logged in");
                return Ok(());
            };
            // Forget the session here first: whatever the provider says, this machine is logged out.
            store.remove(&endpoint)?;
            identity.log_out(&session).await.map_err(|e| {
                CliError::Rejected(format!("logged out here, but the refresh token could not be revoked: {e}"))
            })?;
            println!("logged out; the session's refresh token is revoked");
        }
        Command::Whoami => {
            let mut api = api()?;
            let me = api.call(Method::GET, "/me", None).await?;
            let user_id = me["user_id"].as_str().unwrap_or_default();
            println!("{} ({user_id}) at {endpoint}", api.session().username);
        }
        Command::Upload { files, content_type, multipart_threshold } => {
            let mut api = api()?;
            let options = upload::UploadOptions { content_type, multipart_threshold, quiet: cli.quiet };
            for path in files {
                let file = upload::upload(&mut api, &path, &options).await?;
                println!(
                    "{}  {}",
                    file["file_id"].as_str().unwrap_or_default(),
                    file["name"].as_str().unwrap_or_default()
                );
            }
        }
        Command::Ls { shared, owned, json } => {
            let scope = if shared {
                "shared"
            } else if owned {
                "owned"
            } else {
                "all"
            };
            let files = listing::all_files(&mut api()?, scope).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&files).unwrap_or_default());
            } else {
                print!("{}", listing::table(&files));
            }
        }
        Command::Share { file_id, user_id, until } => {
            let body = json!({"user_id": user_id, "expires_at": until});
            api()?.call(Method::POST, &api_path(&["files", &file_id, "share"]), Some(&body)).await?;
            println!("shared {file_id} with {user_id}");
        }
        Command::Unshare { file_id, user_id } => {
            api()?.call(Method::DELETE, &api_path(&["files", &file_id, "share", &user_id]), None).await?;
            println!("stopped sharing {file_id} with {user_id}");
        }
        Command::Download { file_id, output, force } => {
            match download::download(&mut api()?, &file_id, output, force, cli.quiet).await? {
                download::Output::File(path) => eprintln!("saved {}", path.display()),
                download::Output::Stdout => {}
            }
        }
        Command::Rm { file_ids } => {
            let mut api = api()?;
            for file_id in file_ids {
                api.call(Method::DELETE, &api_path(&["files", &file_id]), None).await?;
                println!("deleted {file_id}");
            }
        }
    }
    Ok(())
}
