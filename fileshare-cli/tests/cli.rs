//! `fileshare` end to end: the real binary against a real local service (embedded storage, built-in
//! identity provider) over HTTP. Output is piped, as in scripts and CI: no progress bar may leak
//! into it.

use fileshare_lambda::ServiceConfig;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

const PASSWORD: &str = "correct-Horse-battery-9";
const MIB: usize = 1024 * 1024;

struct Service {
    endpoint: String,
    _data: TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_service() -> Service {
    let data = tempfile::tempdir().expect("tempdir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut config = ServiceConfig::embedded(data.path(), addr);
    config.user_rate = 1000.0;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (_, serve) = fileshare_lambda::server::serve_on(listener, &config, async {
        let _ = stopped.await;
    })
    .await
    .expect("service starts");
    tokio::spawn(serve);
    Service { endpoint: format!("http://{addr}"), _data: data, _stop: stop }
}

/// One person at a terminal-less shell: their own config directory and working directory.
struct User {
    endpoint: String,
    home: TempDir,
    name: String,
    id: String,
}

impl User {
    fn at(endpoint: &str, name: &str) -> Self {
        let home = tempfile::tempdir().expect("home");
        let name = format!("{name}-{}", std::process::id() ^ rand_suffix());
        Self { endpoint: endpoint.to_owned(), home, name, id: String::new() }
    }

    async fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fileshare"))
            .args(args)
            .env("FILESHARE_ENDPOINT", &self.endpoint)
            .env("FILESHARE_CONFIG_DIR", self.home.path().join("config"))
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
    async fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args, None).await;
        assert!(output.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// Runs a command that must fail with `code`; returns its stderr.
    async fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.run(args, None).await;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed to stdout on failure");
        stderr
    }

    async fn sign_up_and_log_in(&mut self) {
        let name = self.name.clone();
        for command in ["signup", "login"] {
            let output = self.run(&[command, &name, "--password-stdin"], Some(&format!("{PASSWORD}\n"))).await;
            assert!(output.status.success(), "{command}: {}", String::from_utf8_lossy(&output.stderr));
        }
        self.id = self.credentials()["user_id"].as_str().expect("stored user id").to_owned();
    }

    fn credentials_path(&self) -> PathBuf {
        self.home.path().join("config/credentials.json")
    }

    fn credentials(&self) -> Value {
        let all: Value =
            serde_json::from_slice(&std::fs::read(self.credentials_path()).expect("credentials")).expect("json");
        all[&self.endpoint].clone()
    }

    fn edit_credentials(&self, edit: impl FnOnce(&mut Value)) {
        let mut all: Value =
            serde_json::from_slice(&std::fs::read(self.credentials_path()).expect("read")).expect("json");
        edit(&mut all[&self.endpoint]);
        std::fs::write(self.credentials_path(), serde_json::to_vec(&all).expect("json")).expect("write");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or_default()
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed).collect()
}

fn ids(upload_stdout: &str) -> Vec<String> {
    upload_stdout.lines().map(|line| line.split("  ").next().expect("id").to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_upload_list_share_download_unshare_delete() {
    let service = start_service().await;
    let (mut alice, mut bob) = (User::at(&service.endpoint, "alice"), User::at(&service.endpoint, "bob"));
    alice.sign_up_and_log_in().await;
    bob.sign_up_and_log_in().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(alice.credentials_path()).expect("credentials").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "tokens must be private");
    }
    assert_eq!(alice.ok(&["whoami"]).await.trim(), format!("{} ({}) at {}", alice.name, alice.id, service.endpoint));

    // A 20 MiB file goes in parts (threshold 10 MiB, parts of 8 MiB), a small one as a form.
    let big = pattern(20 * MIB + 123, 7);
    std::fs::write(alice.path("big.bin"), &big).expect("write");
    std::fs::write(alice.path("notes.txt"), b"small and plain").expect("write");
    let out = alice.ok(&["upload", "big.bin", "notes.txt", "--multipart-threshold", "10485760"]).await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "one line per file and nothing else: {out:?}");
    assert!(lines[0].ends_with("  big.bin") && lines[1].ends_with("  notes.txt"), "{out}");
    let (big_id, notes_id) = (ids(&out)[0].clone(), ids(&out)[1].clone());

    let table = alice.ok(&["ls"]).await;
    assert!(table.starts_with("ID") && table.contains("20.00 MiB") && table.contains("notes.txt"), "{table}");
    let listed: Vec<Value> = serde_json::from_str(&alice.ok(&["ls", "--owned", "--json"]).await).expect("json");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed.iter().filter(|f| f["status"] == "available").count(), 2);
    assert_eq!(bob.ok(&["ls", "--shared"]).await.lines().count(), 1, "only the header");

    // Sharing: bob sees and downloads big.bin byte for byte; notes.txt stays invisible to him.
    alice.ok(&["share", &big_id, &bob.id]).await;
    assert!(bob.ok(&["ls", "--shared"]).await.contains("big.bin"));
    bob.ok(&["download", &big_id]).await;
    assert!(std::fs::read(bob.path("big.bin")).expect("downloaded") == big, "download differs");
    assert!(bob.fails(&["download", &big_id], 7).await.contains("--force"));
    bob.ok(&["download", &big_id, "--force", "-o", "copy.bin"]).await;
    assert!(std::fs::read(bob.path("copy.bin")).expect("downloaded") == big);
    bob.fails(&["download", &notes_id, "-o", "stolen.txt"], 4).await;
    assert!(!bob.path("stolen.txt").exists());
    let leftovers: Vec<_> = std::fs::read_dir(bob.home.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with(".fileshare-download"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
    assert_eq!(alice.ok(&["download", &notes_id, "-o", "-"]).await, "small and plain");

    // Only the owner shares and deletes; unsharing ends access at once.
    assert!(bob.fails(&["share", &big_id, &bob.id], 5).await.contains("only the owner"));
    bob.fails(&["rm", &big_id], 5).await;
    alice.ok(&["unshare", &big_id, &bob.id]).await;
    bob.fails(&["download", &big_id, "-o", "again.bin"], 4).await;
    alice.ok(&["rm", &notes_id]).await;
    alice.fails(&["rm", &notes_id], 4).await;
    let left: Vec<Value> = serde_json::from_str(&alice.ok(&["ls", "--json"]).await).expect("json");
    assert_eq!(left.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refreshed_transparently() {
    let service = start_service().await;
    let mut alice = User::at(&service.endpoint, "alice");
    alice.sign_up_and_log_in().await;
    let first = alice.credentials()["access_token"].clone();

    // Expired by the clock: refreshed before the call.
    alice.edit_credentials(|s| s["expires_at"] = 0.into());
    assert!(alice.ok(&["whoami"]).await.contains(&alice.id));
    let refreshed = alice.credentials();
    assert_ne!(refreshed["access_token"], first);
    assert!(refreshed["expires_at"].as_i64().expect("expiry") > chrono::Utc::now().timestamp());

    // Refused by the API (revoked, or the clocks disagree): refreshed once and retried.
    alice.edit_credentials(|s| s["access_token"] = "not.a-valid.token".into());
    assert_eq!(alice.ok(&["ls", "--json"]).await.trim(), "[]");

    // A refresh token that no longer works: a clear message to log in again.
    alice.edit_credentials(|s| {
        s["expires_at"] = 0.into();
        s["refresh_token"] = "revoked".into();
    });
    assert!(alice.fails(&["ls"], 3).await.contains("fileshare login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_logged_out_and_network_down_fail_clearly() {
    let service = start_service().await;
    let mut alice = User::at(&service.endpoint, "alice");
    alice.sign_up_and_log_in().await;
    let name = alice.name.clone();

    let wrong = alice.run(&["login", &name, "--password-stdin"], Some("Wrong-password-123\n")).await;
    assert_eq!(wrong.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("fileshare: "));
    assert!(alice.ok(&["logout"]).await.contains("logged out"));
    assert!(alice.fails(&["ls"], 3).await.contains("not logged in"));
    alice.fails(&["login", &name], 2).await; // no terminal to ask for the password

    // Nothing listens on a port we bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let down = User::at(&format!("http://127.0.0.1:{port}"), "carol");
    let output = down.run(&["signup", "carol", "--password-stdin"], Some("Some-password-123\n")).await;
    assert_eq!(output.status.code(), Some(6), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot reach"));

    alice.fails(&["upload", "missing.bin"], 3).await; // logged out comes first
    alice.run(&["login", &name, "--password-stdin"], Some(&format!("{PASSWORD}\n"))).await;
    assert!(alice.fails(&["upload", "missing.bin"], 1).await.contains("missing.bin"));
    assert!(Path::new(&alice.path("missing.bin")).symlink_metadata().is_err());
}
