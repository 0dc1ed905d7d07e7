//! The real `fileshare` binary against a real service on 127.0.0.1, as a shell user runs it: their own
//! config and working directories, output piped (no terminal), so no progress bar may leak into it.
#![allow(dead_code)] // each test file uses a different part of this

use fileshare_lambda::ServiceConfig;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Output, Stdio};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

pub const PASSWORD: &str = "correct-Horse-battery-9";
pub const MIB: usize = 1024 * 1024;

pub use fileshare_lambda::testing::TestService as Service;

/// The local service on the embedded default.
pub async fn start_service() -> Service {
    start_service_with(|_| {}).await
}

/// The service with its configuration adjusted first (storage, identity provider).
pub async fn start_service_with(adjust: impl FnOnce(&mut ServiceConfig)) -> Service {
    fileshare_lambda::testing::start_embedded_with(|config| {
        config.user_rate = 1000.0;
        adjust(config);
    })
    .await
}

/// One person at a terminal-less shell: their own config directory and working directory.
pub struct User {
    pub endpoint: String,
    pub home: TempDir,
    pub name: String,
    pub id: String,
    /// More environment for every command (e.g. `FILESHARE_COGNITO_CLIENT_ID`).
    pub env: Vec<(String, String)>,
}

impl User {
    pub fn at(endpoint: &str, name: &str) -> Self {
        let home = tempfile::tempdir().expect("home");
        let name = format!("{name}-{}", std::process::id() ^ rand_suffix());
        Self { endpoint: endpoint.to_owned(), home, name, id: String::new(), env: Vec::new() }
    }

    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fileshare"))
            .args(args)
            .env("FILESHARE_ENDPOINT", &self.endpoint)
            .env("FILESHARE_CONFIG_DIR", self.home.path().join("config"))
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(self.home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn fileshare");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.expect("write stdin");
        }
        drop(input);
        let output = child.wait_with_output().await.expect("fileshare runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains('\r') && !stderr.contains('\x1b'),
            "terminal control codes in piped stderr: {stderr:?}"
        );
        output
    }

    /// Runs a command that must succeed; returns its stdout.
    pub async fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args, None).await;
        assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    pub async fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.run(args, None).await;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout on failure");
        stderr
    }

    pub async fn sign_up_and_log_in(&mut self) {
        let name = self.name.clone();
        for command in ["signup", "login"] {
            let output = self.run(&[command, &name, "--password-stdin"], Some(&format!("{PASSWORD}\n"))).await;
            assert!(output.status.success(), "{command}: {}", String::from_utf8_lossy(&output.stderr));
        }
        self.id = self.credentials()["user_id"].as_str().expect("stored user id").to_owned();
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.home.path().join("config/credentials.json")
    }

    pub fn credentials(&self) -> Value {
        let all: Value =
            serde_json::from_slice(&std::fs::read(self.credentials_path()).expect("credentials")).expect("json");
        all[&self.endpoint].clone()
    }

    pub fn edit_credentials(&self, edit: impl FnOnce(&mut Value)) {
        let mut all: Value =
            serde_json::from_slice(&std::fs::read(self.credentials_path()).expect("read")).expect("json");
        edit(&mut all[&self.endpoint]);
        std::fs::write(self.credentials_path(), serde_json::to_vec(&all).expect("json")).expect("write");
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }
}

pub fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or_default()
}

pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed).collect()
}

pub fn ids(upload_stdout: &str) -> Vec<String> {
    upload_stdout.lines().map(|line| line.split("  ").next().expect("id").to_owned()).collect()
}
