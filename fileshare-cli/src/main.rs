//! `fileshare`: the command-line client of the fileshare HTTP API. It speaks only the public API
//! (and presigned storage URLs), so it works the same against the local service and AWS.

mod cli;
mod client;
mod download;
mod error;
mod identity;
mod links;
mod listing;
mod progress;
mod session;
mod transfer;
mod upload;
mod usage;

use clap::Parser;
use cli::{Cli, Cognito, Command, Credentials, LinkCommand};
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
    if credentials.password_stdin {
        read_password_line()
    } else {
        prompt_password("Password: ")
    }
}

/// A password from the first line of stdin.
fn read_password_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(CliError::io("stdin"))?;
    non_empty(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A password asked at the terminal.
fn prompt_password(prompt: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage("no terminal to ask for the password; pass --password-stdin".into()));
    }
    non_empty(rpassword::prompt_password(prompt).map_err(CliError::io("terminal"))?)
}

fn non_empty(password: String) -> Result<String> {
    if password.is_empty() {
        return Err(CliError::Usage("empty password".into()));
    }
    Ok(password)
}

/// The body that names the user of `share`: by id, or by name for the service to resolve.
fn user_body(user: &str, by_id: bool) -> serde_json::Value {
    if by_id {
        json!({"user_id": user})
    } else {
        json!({"user": user})
    }
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
            let username = me["username"].as_str().unwrap_or(&api.session().username).to_owned();
            println!("{username} ({user_id}) at {endpoint}");
            if let Some(usage) = usage::describe(&me) {
                println!("using {usage}");
            }
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
        Command::Share { file_id, user, id, until } => {
            let mut body = user_body(&user, id);
            body["expires_at"] = json!(until);
            let share = api()?.call(Method::POST, &api_path(&["files", &file_id, "share"]), Some(&body)).await?;
            let name = share["username"].as_str().unwrap_or(&user);
            println!("shared {file_id} with {name} ({})", share["user_id"].as_str().unwrap_or_default());
        }
        Command::Unshare { file_id, user, id } => {
            let mut api = api()?;
            let user_id = if id {
                user.clone()
            } else {
                // The owner's view of the file names its grantees: find this one's id there.
                let file = api.call(Method::GET, &api_path(&["files", &file_id]), None).await?;
                let shares = file["shared_with"].as_array().cloned().unwrap_or_default();
                let found =
                    shares.iter().find(|s| s["username"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&user)));
                let found = found.and_then(|s| s["user_id"].as_str()).map(str::to_owned);
                found.ok_or_else(|| CliError::NotFound(format!("{file_id} is not shared with {user}")))?
            };
            api.call(Method::DELETE, &api_path(&["files", &file_id, "share", &user_id]), None).await?;
            println!("stopped sharing {file_id} with {user}");
        }
        Command::Link(LinkCommand::Create { file_id, expires, max_downloads, password_stdin }) => {
            let password = if password_stdin { Some(read_password_line()?) } else { None };
            let options = links::NewLink { expires, max_downloads, password };
            let created = links::create(&mut api()?, &file_id, options).await?;
            println!("{}", created["url"].as_str().unwrap_or_default());
            eprintln!("link {} — anyone with the link above can download the file", links::describe(&created));
        }
        Command::Link(LinkCommand::Ls { file_id, json }) => {
            let found = links::list(&mut api()?, &file_id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&found).unwrap_or_default());
            } else {
                print!("{}", links::table(&found));
            }
        }
        Command::Link(LinkCommand::Rm { link_id }) => {
            links::revoke(&mut api()?, &link_id).await?;
            println!("revoked {link_id}");
        }
        Command::Get { link_url, output, force, password_stdin } => {
            let source = if password_stdin { links::PasswordSource::Stdin } else { links::PasswordSource::Prompt };
            match links::get(&http, &link_url, output, force, cli.quiet, source).await? {
                download::Output::File(path) => eprintln!("saved {}", path.display()),
                download::Output::Stdout => {}
            }
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
