//! Quotas over real HTTP, from a user's side and from an attacker's: `/me` reports usage and limits,
//! an upload that does not fit is a `quota-exceeded` problem with no URL in it, racing requests
//! cannot overshoot, a signed URL stores no more than was reserved, deletes give the space back, and
//! the operator's `fileshare-server quota` command changes a user's quota while the server runs.

mod common;

use common::{put_upload, start_embedded_with, Api, User};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const QUOTA_BYTES: u64 = 1000;
const QUOTA_FILES: u64 = 10;

async fn request_upload(api: &Api, user: &User, size: u64, multipart: bool) -> (StatusCode, Value) {
    let body =
        json!({"name": "data.bin", "size": size, "content_type": "application/octet-stream", "multipart": multipart});
    api.call(Method::POST, "/files/upload-url", Some(&user.token), Some(body)).await
}

async fn me(api: &Api, user: &User) -> Value {
    let (status, me) = api.call(Method::GET, "/me", Some(&user.token), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    me
}

fn usage(me: &Value) -> (u64, u64) {
    (me["usage"]["bytes"].as_u64().expect("bytes"), me["usage"]["files"].as_u64().expect("files"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_stay_within_the_quota_and_say_why_they_do_not_fit() {
    let server = start_embedded_with(|c| {
        c.user_rate = 10_000.0;
        c.limits.quota = fileshare_core::Quota { bytes: Some(QUOTA_BYTES), files: Some(QUOTA_FILES) };
    })
    .await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let fresh = me(&api, &alice).await;
    assert_eq!(usage(&fresh), (0, 0));
    assert_eq!(fresh["quota"], json!({"bytes": QUOTA_BYTES, "files": QUOTA_FILES}));

    let kept = api.upload(&alice, "kept.bin", "application/octet-stream", &[b'k'; 600]).await;
    assert_eq!(usage(&me(&api, &alice).await), (600, 1));

    // Too big for what is left, single or multipart: a problem with the figures, and no URL.
    for multipart in [false, true] {
        let (status, problem) = request_upload(&api, &alice, 401, multipart).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert_eq!(problem["type"], "https://fileshare.dev/problems/quota-exceeded");
        assert_eq!(problem["usage"], json!({"bytes": 600, "files": 1}));
        assert_eq!(problem["quota"], json!({"bytes": QUOTA_BYTES, "files": QUOTA_FILES}));
        assert_eq!(problem["size"], 401);
        assert!(problem.get("upload").is_none() && !problem.to_string().contains("/blobs/"), "{problem}");
    }
    assert_eq!(usage(&me(&api, &alice).await), (600, 1), "refusals reserve nothing");

    // 16 requests at once for 100 bytes each, with 400 left: exactly 4 get a URL.
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let (api, alice) = (api.clone(), alice.clone());
            tokio::spawn(async move { request_upload(&api, &alice, 100, false).await })
        })
        .collect();
    let mut tickets = Vec::new();
    for racer in racers {
        let (status, body) = racer.await.expect("request");
        match status {
            StatusCode::CREATED => tickets.push(body),
            StatusCode::FORBIDDEN => assert_eq!(body["type"], "https://fileshare.dev/problems/quota-exceeded"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(tickets.len(), 4);
    assert_eq!(usage(&me(&api, &alice).await), (1000, 5), "pending uploads hold their space");

    // A URL signed for 100 bytes stores 100 bytes, never more: the quota cannot be stretched.
    let too_much = put_upload(&api.http, &tickets[0]["upload"], vec![b'x'; 5000]).await;
    assert!(too_much.is_err(), "storage took more bytes than were reserved");

    // Deleting (a finished file, or a pending upload) gives the space back at once.
    let (status, _) = api.call(Method::DELETE, &format!("/files/{kept}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let pending = tickets[1]["file_id"].as_str().expect("id");
    let (status, _) = api.call(Method::DELETE, &format!("/files/{pending}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(usage(&me(&api, &alice).await), (300, 3));
    let (status, ticket) = request_upload(&api, &alice, 700, false).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");

    // Another user's quota is their own.
    let bob = api.new_user("bob").await;
    assert_eq!(usage(&me(&api, &bob).await), (0, 0));
    let (status, _) = request_upload(&api, &bob, QUOTA_BYTES, false).await;
    assert_eq!(status, StatusCode::CREATED);
}

/// The operator's command, run as its own process beside the running server.
fn operator(server: &common::Server, args: &[&str]) -> String {
    let env = [
        ("FILESHARE_DATA_DIR", server.data.path().display().to_string()),
        ("FILESHARE_QUOTA_BYTES", QUOTA_BYTES.to_string()),
        ("FILESHARE_QUOTA_FILES", QUOTA_FILES.to_string()),
    ];
    common::operator(&env, args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_changes_a_users_quota_while_the_server_runs() {
    let server = start_embedded_with(|c| {
        c.limits.quota = fileshare_core::Quota { bytes: Some(QUOTA_BYTES), files: Some(QUOTA_FILES) };
    })
    .await;
    let api = Api::new(&server);
    let carol = api.new_user("carol").await;
    let name = me(&api, &carol).await["username"].as_str().expect("username").to_owned();
    let (status, _) = request_upload(&api, &carol, 5000, false).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let said = operator(&server, &["quota", "set", &name, "--bytes", "10KiB"]);
    assert!(said.contains("their own quota") && said.contains("10.0 KiB"), "{said}");
    let (status, ticket) = request_upload(&api, &carol, 5000, false).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    assert_eq!(me(&api, &carol).await["quota"], json!({"bytes": 10240, "files": QUOTA_FILES}));

    let said = operator(&server, &["quota", "show", "--id", &carol.id]);
    assert!(said.contains("4.9 KiB of 10.0 KiB in 1 of 10 files"), "{said}");
    operator(&server, &["quota", "set", &name, "--files", "unlimited", "--bytes", "unlimited"]);
    assert_eq!(me(&api, &carol).await["quota"], json!({"bytes": null, "files": null}));
    let said = operator(&server, &["quota", "reset", &name]);
    assert!(said.contains("the default quota"), "{said}");
    let (status, problem) = request_upload(&api, &carol, 1, false).await;
    assert_eq!((status, &problem["usage"]["bytes"]), (StatusCode::FORBIDDEN, &json!(5000)), "{problem}");

    // Unknown users and bad limits are refused, and change nothing.
    for args in [&["quota", "show", "nobody-here"][..], &["quota", "set", &name, "--bytes", "lots"]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_fileshare-server"))
            .args(args)
            .env("FILESHARE_DATA_DIR", server.data.path())
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{args:?} must fail");
    }
}
