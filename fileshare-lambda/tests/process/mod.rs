//! The server binary as its own process, as an operator runs it (tests that kill it or read its exit).

#![allow(dead_code)] // each test file uses a different part of this

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
    // Log lines (a start-up sweep, say) may come first: the banner is the line that says where.
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next_line().await.expect("stdout").expect("the server exited before listening");
        if line.starts_with("fileshare listening on ") {
            break line.split_whitespace().find(|w| w.starts_with("http://")).expect("address").to_owned();
        }
    };
    // Keep reading, so that the server's later output never meets a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

/// Logs `username` in on the server at `base` (signing up first if `sign_up`), with a fixed password;
/// returns the access token.
pub async fn log_in(http: &reqwest::Client, base: &str, username: &str, sign_up: bool) -> String {
    let credentials = serde_json::json!({"username": username, "password": "correct-Horse-battery-9"});
    if sign_up {
        let response = http.post(format!("{base}/auth/signup")).json(&credentials).send().await.expect("signup");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    }
    let response = http.post(format!("{base}/auth/login")).json(&credentials).send().await.expect("login");
    let tokens: serde_json::Value = response.json().await.expect("json");
    tokens["access_token"].as_str().expect("token").to_owned()
}

/// A presigned URL aimed at `base`: URLs name the configured address, while a test server took a
/// free port. Never panics: a URL that does not parse is an error the caller reports.
pub fn at(base: &str, url: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    Ok(format!("{base}{}?{}", url.path(), url.query().unwrap_or("")))
}
