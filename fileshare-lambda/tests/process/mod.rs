//! The server binary as its own process, as an operator runs it (tests that kill it or read its exit).

use std::path::Path;
use std::process::Stdio;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

/// The `fileshare-server` binary of this build.
pub const SERVER: &str = env!("CARGO_BIN_EXE_fileshare-server");

/// Starts the server on `data` with only `vars` in its environment (it binds a free port), and
/// waits until it listens; returns it and its base URL, read from the line it prints then.
pub async fn start(data: &Path, vars: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(SERVER)
        .env_clear()
        .env("FILESHARE_DATA_DIR", data)
        .env("FILESHARE_BIND", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let mut banner = String::new();
    let stdout = child.stdout.take().expect("stdout");
    tokio::io::BufReader::new(stdout).read_line(&mut banner).await.expect("banner");
    let base = banner.split_whitespace().find(|w| w.starts_with("http://")).expect("address").to_owned();
    (child, base)
}
