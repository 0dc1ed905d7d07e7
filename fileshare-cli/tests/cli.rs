//! `fileshare` end to end against the local service (embedded storage, built-in identity provider).

mod common;

use common::{ids, pattern, start_service, start_service_with, User, MIB, PASSWORD};
use serde_json::Value;
use std::path::Path;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_users_upload_list_share_download_unshare_delete() {
    let service = start_service().await;
    let (mut alice, mut bob) = (User::at(&service.base, "alice"), User::at(&service.base, "bob"));
    alice.sign_up_and_log_in().await;
    bob.sign_up_and_log_in().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(alice.credentials_path()).expect("credentials").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "tokens must be private");
    }
    let whoami = alice.ok(&["whoami"]).await;
    let mut whoami = whoami.lines();
    assert_eq!(whoami.next(), Some(format!("{} ({}) at {}", alice.name, alice.id, service.base).as_str()));
    assert_eq!(whoami.next(), Some("using 0 B of 10.00 GiB (0%) in 0 of 10000 files"));

    // A 20 MiB file goes in parts (threshold 10 MiB, parts of 8 MiB), a small one in one PUT.
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
    // By name, as people share; the answer names both.
    let shared = alice.ok(&["share", &big_id, &bob.name]).await;
    assert_eq!(shared.trim(), format!("shared {big_id} with {} ({})", bob.name, bob.id));
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
    assert!(bob.fails(&["share", &big_id, "--id", &bob.id], 5).await.contains("only the owner"));
    assert!(alice.fails(&["share", &big_id, "nobody-by-this-name"], 4).await.contains("nobody-by-this-name"));
    bob.fails(&["rm", &big_id], 5).await;
    alice.ok(&["unshare", &big_id, &bob.name]).await;
    bob.fails(&["download", &big_id, "-o", "again.bin"], 4).await;
    alice.ok(&["rm", &notes_id]).await;
    alice.fails(&["rm", &notes_id], 4).await;
    let left: Vec<Value> = serde_json::from_str(&alice.ok(&["ls", "--json"]).await).expect("json");
    assert_eq!(left.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refreshed_transparently() {
    let service = start_service().await;
    let mut alice = User::at(&service.base, "alice");
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
    let mut alice = User::at(&service.base, "alice");
    alice.sign_up_and_log_in().await;
    let name = alice.name.clone();

    let wrong = alice.run(&["login", &name, "--password-stdin"], Some("Wrong-password-123\n")).await;
    assert_eq!(wrong.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("fileshare: "));
    let refresh_token = alice.credentials()["refresh_token"].clone();
    assert!(alice.ok(&["logout"]).await.contains("refresh token is revoked"));
    assert!(alice.fails(&["ls"], 3).await.contains("not logged in"));
    let refreshed = reqwest::Client::new()
        .post(format!("{}/auth/refresh", service.base))
        .json(&serde_json::json!({"refresh_token": refresh_token}))
        .send()
        .await
        .expect("refresh");
    assert_eq!(refreshed.status(), reqwest::StatusCode::UNAUTHORIZED, "a copy of the logged-out session is worthless");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_storage_errors_never_show_signed_urls() {
    // Presigned URLs point at a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let service = start_service_with(|c| c.public_url = format!("http://127.0.0.1:{port}")).await;
    let mut alice = User::at(&service.base, "alice");
    alice.sign_up_and_log_in().await;
    std::fs::write(alice.path("a.txt"), b"hello").expect("write");
    let stderr = alice.fails(&["upload", "a.txt"], 6).await;
    assert!(stderr.contains("cannot reach") && stderr.contains("/blobs/files/"), "{stderr}");
    assert!(!stderr.contains("Signature") && !stderr.contains("X-Fileshare-Expires"), "{stderr}");
}

/// An upload that does not fit the quota is refused in words, before any byte is sent; `whoami`
/// shows the usage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_quota_are_refused_in_words() {
    let service =
        start_service_with(|c| c.limits.quota = fileshare_core::Quota { bytes: Some(MIB as u64), files: Some(2) })
            .await;
    let mut alice = User::at(&service.base, "alice");
    alice.sign_up_and_log_in().await;
    std::fs::write(alice.path("half.bin"), pattern(MIB / 2, 1)).expect("write");
    std::fs::write(alice.path("big.bin"), pattern(MIB, 2)).expect("write");
    alice.ok(&["upload", "half.bin"]).await;
    let stderr = alice.fails(&["upload", "big.bin"], 1).await;
    assert!(
        stderr.contains("over quota: this 1.00 MiB file does not fit in the 512.00 KiB left of your 1.00 MiB"),
        "{stderr}"
    );
    assert!(alice.ok(&["whoami"]).await.contains("using 512.00 KiB of 1.00 MiB (50%) in 1 of 2 files"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_links_from_the_command_line() {
    let service = start_service().await;
    let mut alice = User::at(&service.base, "alice");
    alice.sign_up_and_log_in().await;
    // Someone with no account at all: no session, a different machine.
    let stranger = User::at(&service.base, "stranger");
    std::fs::write(alice.path("report.txt"), b"the quarterly report").expect("write");
    let id = ids(&alice.ok(&["upload", "report.txt"]).await)[0].clone();

    let url = alice.ok(&["link", "create", &id, "--max-downloads", "2", "--expires", "7d"]).await;
    let url = url.trim();
    assert!(url.starts_with(&format!("{}/l/", service.base)), "{url}");
    stranger.ok(&["get", url]).await;
    assert_eq!(std::fs::read(stranger.path("report.txt")).expect("got"), b"the quarterly report");
    assert_eq!(stranger.ok(&["get", url, "-o", "-"]).await, "the quarterly report");
    assert!(stranger.fails(&["get", url, "-o", "third.txt"], 4).await.contains("link not found"));
    let table = alice.ok(&["link", "ls", &id]).await;
    assert!(table.contains("2/2") && table.contains("no"), "{table}");

    // A password link: a wrong password is refused (exit 5), the right one downloads.
    let guarded = alice.run(&["link", "create", &id, "--password-stdin"], Some("open sesame\n")).await;
    assert!(guarded.status.success(), "{}", String::from_utf8_lossy(&guarded.stderr));
    let guarded = String::from_utf8(guarded.stdout).expect("utf-8");
    let guarded = guarded.trim();
    let wrong = stranger.run(&["get", guarded, "-o", "x.txt", "--password-stdin"], Some("open says me\n")).await;
    assert_eq!(wrong.status.code(), Some(5), "{}", String::from_utf8_lossy(&wrong.stderr));
    assert!(!stranger.path("x.txt").exists());
    let right = stranger.run(&["get", guarded, "-o", "x.txt", "--password-stdin"], Some("open sesame\n")).await;
    assert!(right.status.success(), "{}", String::from_utf8_lossy(&right.stderr));
    assert_eq!(std::fs::read(stranger.path("x.txt")).expect("got"), b"the quarterly report");

    // Revoked: dead at once.
    let links: Vec<Value> = serde_json::from_str(&alice.ok(&["link", "ls", &id, "--json"]).await).expect("json");
    let guarded_id = links[1]["link_id"].as_str().expect("id");
    assert!(links[1]["password_required"] == true);
    alice.ok(&["link", "rm", guarded_id]).await;
    let after = stranger.run(&["get", guarded, "-o", "y.txt", "--password-stdin"], Some("open sesame\n")).await;
    assert_eq!(after.status.code(), Some(4));
    assert!(stranger.fails(&["get", "http://127.0.0.1:1/files/nope"], 2).await.contains("not a share link"));
}
