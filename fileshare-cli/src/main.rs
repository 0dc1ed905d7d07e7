//! `fileshare`: the command-line client of the fileshare HTTP API, a thin front over
//! `fileshare-client` (argument parsing, prompts, progress bars, tables, exit codes). It works the
//! same against the local service and AWS.

mod check;
mod cli;
mod error;
mod links;
mod listing;
mod progress;
mod shares;
mod usage;

use clap::Parser;
use cli::{Cli, Cognito, Command, Credentials, LinkCommand};
use error::{CliError, Result};
use fileshare_client::{
    Client, Destination, DownloadOptions, LinkBody, LinkRef, Provider, Scope, SessionStore, SignUp, UploadOptions,
    UploadSource, UserRef,
};
use progress::Bar;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
        Some(client_id) => Provider::cognito(client_id, &cognito.cognito_region, cognito.cognito_endpoint.clone()),
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
    std::io::stdin().read_line(&mut line).map_err(|e| CliError::Usage(format!("stdin: {e}")))?;
    non_empty(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A password asked at the terminal.
fn prompt_password(prompt: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage("no terminal to ask for the password; pass --password-stdin".into()));
    }
    non_empty(rpassword::prompt_password(prompt).map_err(|e| CliError::Usage(format!("terminal: {e}")))?)
}

fn non_empty(password: String) -> Result<String> {
    if password.is_empty() {
        return Err(CliError::Usage("empty password".into()));
    }
    Ok(password)
}

/// Where a download goes: `-o -` is stdout, `-o PATH` a file or directory, nothing the current
/// directory (under the file's own name).
fn destination(output: Option<PathBuf>) -> Destination {
    match output {
        Some(path) if path.as_os_str() == "-" => Destination::Writer(Box::new(tokio::io::stdout())),
        Some(path) => Destination::Path(path),
        None => Destination::path("."),
    }
}

fn download_options(force: bool, bar: &Bar) -> DownloadOptions {
    DownloadOptions { overwrite: force, progress: bar.progress() }
}

fn saved(path: Option<PathBuf>) {
    if let Some(path) = path {
        eprintln!("saved {}", path.strip_prefix(".").unwrap_or(&path).display());
    }
}

fn client(cli: &Cli, provider: Provider) -> Result<Client> {
    let store = SessionStore::new(cli.config_dir.clone())?;
    Ok(Client::builder(&cli.endpoint)
        .provider(provider)
        .session_store(store)
        .user_agent(concat!("fileshare-cli/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

async fn run(cli: Cli) -> Result<()> {
    let to_stdout = |output: &Option<PathBuf>| output.as_deref() == Some(Path::new("-"));
    match &cli.command {
        Command::Signup(credentials) => {
            let password = password(credentials)?;
            let client = client(&cli, provider(&credentials.cognito))?;
            match client.sign_up(&credentials.username, &password).await? {
                SignUp::Created { user_id } => {
                    println!("created {} ({user_id}); now run `fileshare login`", credentials.username)
                }
                SignUp::ConfirmationNeeded => {
                    println!("created {}; confirm it with the e-mailed code: `fileshare confirm`", credentials.username)
                }
            }
        }
        Command::Confirm { username, code, cognito } => {
            client(&cli, provider(cognito))?.confirm_sign_up(username, code).await?;
            println!("confirmed {username}; now run `fileshare login`");
        }
        Command::Login(credentials) => {
            let password = password(credentials)?;
            let client = client(&cli, provider(&credentials.cognito))?;
            let session = client.log_in(&credentials.username, &password).await?;
            println!("logged in to {} as {} ({})", client.endpoint(), session.username, session.user_id);
        }
        Command::Logout => match client(&cli, Provider::Local)?.log_out().await {
            Ok(false) => println!("was not logged in"),
            Ok(true) => println!("logged out; the session's refresh token is revoked"),
            Err(e) => return Err(CliError::NotRevoked(e)),
        },
        Command::Whoami => {
            let client = client(&cli, Provider::Local)?;
            let me = client.me().await?;
            let username = me.username.clone().or(client.session().map(|s| s.username)).unwrap_or_default();
            println!("{username} ({}) at {}", me.user_id, client.endpoint());
            println!("using {}", usage::describe(&me));
        }
        Command::Upload { files, content_type, multipart_threshold } => {
            let client = client(&cli, Provider::Local)?;
            for path in files {
                let bar = Bar::new(cli.quiet);
                let options = UploadOptions {
                    content_type: content_type.clone(),
                    multipart_threshold: *multipart_threshold,
                    progress: bar.progress(),
                    ..UploadOptions::default()
                };
                let uploaded = client.upload(UploadSource::path(path), &options).await;
                bar.finish();
                let file = uploaded?;
                println!("{}  {}", file.file_id, file.name);
            }
        }
        Command::Ls { shared, owned, json } => {
            let scope = match (shared, owned) {
                (true, _) => Scope::Shared,
                (_, true) => Scope::Owned,
                _ => Scope::All,
            };
            let files = client(&cli, Provider::Local)?.list_all(scope).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&files).unwrap_or_default());
            } else {
                print!("{}", listing::table(&files));
            }
        }
        Command::Share { file_id, user, id, until } => {
            let share = client(&cli, Provider::Local)?.share(file_id, &UserRef::new(user, *id), *until).await?;
            let name = share.username.as_deref().unwrap_or(user);
            println!("shared {file_id} with {name} ({})", share.user_id);
        }
        Command::Shares { file_id, json } => {
            shares::print_all(&client(&cli, Provider::Local)?, file_id, *json).await?;
        }
        Command::Unshare { file_id, user, id } => {
            client(&cli, Provider::Local)?.unshare(file_id, &UserRef::new(user, *id)).await?;
            println!("stopped sharing {file_id} with {user}");
        }
        Command::Link(LinkCommand::Create { file_id, expires, max_downloads, password_stdin }) => {
            let password = if *password_stdin { Some(read_password_line()?) } else { None };
            let expires_at = expires.map(|lifetime| chrono::Utc::now() + lifetime);
            let body = LinkBody { expires_at, password, max_downloads: *max_downloads };
            let created = client(&cli, Provider::Local)?.create_link(file_id, &body).await?;
            println!("{}", created.url);
            eprintln!("link {} — anyone with the link above can download the file", links::describe(&created.link));
        }
        Command::Link(LinkCommand::Ls { file_id, json }) => {
            let found = client(&cli, Provider::Local)?.list_links(file_id).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&found).unwrap_or_default());
            } else {
                print!("{}", links::table(&found));
            }
        }
        Command::Link(LinkCommand::Rm { link_id }) => {
            client(&cli, Provider::Local)?.revoke_link(link_id).await?;
            println!("revoked {link_id}");
        }
        Command::Get { link_url, output, force, password_stdin } => {
            let link: LinkRef = link_url.parse()?;
            let client = client(&cli, Provider::Local)?;
            let info = client.link_info(&link).await?;
            let password = match (info.password_required, password_stdin) {
                (false, _) => None,
                (true, true) => Some(read_password_line()?),
                (true, false) => Some(prompt_password("Link password: ")?),
            };
            let bar = Bar::new(cli.quiet || to_stdout(output));
            let options = download_options(*force, &bar);
            let got =
                client.download_link(&link, &info, password.as_deref(), destination(output.clone()), &options).await;
            bar.finish();
            saved(got?);
        }
        Command::Download { file_id, output, force } => {
            let bar = Bar::new(cli.quiet || to_stdout(output));
            let options = download_options(*force, &bar);
            let got = client(&cli, Provider::Local)?.download(file_id, destination(output.clone()), &options).await;
            bar.finish();
            saved(got?);
        }
        Command::CheckDeployment { users, confirmation_code, burst, cognito } => {
            let password = match std::env::var("FILESHARE_CHECK_PASSWORD") {
                Ok(password) => non_empty(password)?,
                Err(_) => prompt_password("The test accounts' password: ")?,
            };
            let users: [String; 2] = [users[0].clone(), users[1].clone()];
            let settings = check::Settings {
                endpoint: cli.endpoint.clone(),
                provider: provider(cognito),
                users,
                password,
                confirmation_code: confirmation_code.clone(),
                burst: *burst,
            };
            check::run(settings).await?;
        }
        Command::Rm { file_ids } => {
            let client = client(&cli, Provider::Local)?;
            for file_id in file_ids {
                client.delete_file(file_id).await?;
                println!("deleted {file_id}");
            }
        }
    }
    Ok(())
}
