//! The server binary as an operator starts it: every bad setting is a one-line error naming the
//! variable, and a non-zero exit — never a panic, never a silent default. The settings that reach
//! the rules (here, the content-type allowlist) are honoured over HTTP.

mod process;

use process::SERVER;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs the server with `vars` (and a fresh data dir on a free port) and returns its exit code and
/// stderr, if it exits within a few seconds.
fn start_with(vars: &[(&str, &str)]) -> (Option<i32>, String) {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(SERVER)
        .env_clear()
        .env("FILESHARE_DATA_DIR", data.path())
        .env("FILESHARE_BIND", "127.0.0.1:0")
        .envs(vars.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    for _ in 0..100 {
        if child.try_wait().expect("wait").is_some() {
            let output = child.wait_with_output().expect("output");
            return (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("output");
    (None, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn every_bad_setting_is_one_line_and_a_non_zero_exit() {
    let bad: &[(&str, &str)] = &[
        ("FILESHARE_CORS_ORIGINS", "*"),
        ("FILESHARE_BIND", "localhost"),
        ("FILESHARE_PUBLIC_URL", "not a url"),
        ("FILESHARE_USER_RATE", "0.1"),
        ("FILESHARE_LOGIN_RATE", "0.5"),
        ("FILESHARE_MAX_UPLOAD_BYTES", "lots"),
        ("FILESHARE_ALLOWED_CONTENT_TYPES", "pictures"),
        ("FILESHARE_GRANTEE_LINK_TTL", "-5"),
        ("FILESHARE_HEADER_TIMEOUT", "0"),
        ("FILESHARE_REQUEST_TIMEOUT", "soon"),
        ("FILESHARE_IDLE_TIMEOUT", "99999"),
        ("FILESHARE_TRUSTED_PROXIES", "the usual ones"),
        ("FILESHARE_EMF", "maybe"),
        ("FILESHARE_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ("RUST_LOG", "fileshare=loudest"),
    ];
    for (name, value) in bad {
        let (code, stderr) = start_with(&[(name, value)]);
        assert_eq!(code, Some(2), "{name}={value}: exit {code:?}, stderr {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}={value}: {stderr}");
        assert!(lines[0].starts_with(&format!("fileshare-server: {name}")), "{name}={value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn a_data_directory_in_use_is_refused() {
    let data = tempfile::tempdir().expect("tempdir");
    let dir = data.path().to_str().expect("utf-8");
    let (_first, _) = process::start(data.path(), &[]).await; // it prints its address once it holds the directory
    let (code, stderr) = tokio::task::spawn_blocking({
        let dir = dir.to_owned();
        move || start_with(&[("FILESHARE_DATA_DIR", &dir)])
    })
    .await
    .expect("second server");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("in use by another fileshare process") && !stderr.contains("panicked"), "{stderr}");
}

/// `FILESHARE_ALLOWED_CONTENT_TYPES` reaches the rules: a type outside the allowlist is 415.
#[tokio::test]
async fn the_content_type_allowlist_is_read_from_the_environment() {
    let data = tempfile::tempdir().expect("tempdir");
    let (_server, base) =
        process::start(data.path(), &[("FILESHARE_ALLOWED_CONTENT_TYPES", "image/*, application/pdf")]).await;
    let http = reqwest::Client::new();
    let token = &process::log_in(&http, &base, "ivy", true).await;
    let ask = |content_type: &str| {
        let body = serde_json::json!({"name": "f", "size": 10, "content_type": content_type});
        http.post(format!("{base}/files/upload-url")).bearer_auth(token).json(&body).send()
    };
    let refused = ask("application/x-msdownload").await.expect("upload-url");
    assert_eq!(refused.status(), reqwest::StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    assert_eq!(ask("image/png").await.expect("upload-url").status(), reqwest::StatusCode::CREATED);
}
