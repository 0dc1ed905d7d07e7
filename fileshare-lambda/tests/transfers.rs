//! Presigned transfers tried from the outside, over real HTTP against the local server: what a
//! link or an upload URL allows must never outlive the rules it was issued under.

mod common;

use common::{put_upload, start_embedded, start_embedded_with, Api, User};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn upload_ticket(api: &Api, user: &User, name: &str, size: u64, multipart: bool) -> Value {
    let body = json!({"name": name, "size": size, "content_type": "application/octet-stream", "multipart": multipart});
    let (status, ticket) = api.call(Method::POST, "/files/upload-url", Some(&user.token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    ticket
}

async fn share(api: &Api, owner: &User, id: &str, grantee: &User, until: Option<&str>) {
    let body = json!({"user_id": grantee.id, "expires_at": until});
    let (status, share) = api.call(Method::POST, &format!("/files/{id}/share"), Some(&owner.token), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{share}");
}

async fn link(api: &Api, user: &User, id: &str, query: &str) -> (String, chrono::DateTime<chrono::Utc>) {
    let (status, link) =
        api.call(Method::GET, &format!("/files/{id}/download-url{query}"), Some(&user.token), None).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let expires = link["expires_at"].as_str().and_then(|t| t.parse().ok()).expect("expires_at");
    (link["url"].as_str().expect("url").to_owned(), expires)
}

async fn fetch(api: &Api, url: &str) -> (StatusCode, Vec<u8>) {
    let response = api.http.get(url).send().await.expect("download");
    (response.status(), response.bytes().await.expect("body").to_vec())
}

/// A grantee's link lasts minutes however long they ask, never past their share, and stops
/// working the moment the share is revoked or the file deleted (the embedded store re-checks).
#[tokio::test]
async fn a_grantee_link_ends_with_the_share() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let (alice, bob, carol) = (api.new_user("alice").await, api.new_user("bob").await, api.new_user("carol").await);
    let id = api.upload(&alice, "a.txt", "text/plain", b"hello").await;
    share(&api, &alice, &id, &bob, None).await;
    let until = (chrono::Utc::now() + chrono::TimeDelta::minutes(2)).to_rfc3339();
    share(&api, &alice, &id, &carol, Some(&until)).await;

    let now = chrono::Utc::now();
    let (bobs, bob_expires) = link(&api, &bob, &id, "?expires_in=86400").await;
    assert!(bob_expires <= now + chrono::TimeDelta::seconds(301), "a grantee link for a day: {bob_expires}");
    let (_, carol_expires) = link(&api, &carol, &id, "?expires_in=3600").await;
    assert!(
        carol_expires <= until.parse::<chrono::DateTime<chrono::Utc>>().expect("time"),
        "outlives the share: {carol_expires}"
    );
    let (alices, alice_expires) = link(&api, &alice, &id, "?expires_in=86400").await;
    assert!(alice_expires > now + chrono::TimeDelta::hours(23), "the owner gets what they ask");

    assert_eq!(fetch(&api, &bobs).await, (StatusCode::OK, b"hello".to_vec()));
    let (status, _) =
        api.call(Method::DELETE, &format!("/files/{id}/share/{}", bob.id), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&api, &bobs).await.0, StatusCode::NOT_FOUND, "revoked: the link the grantee holds is dead");
    assert_eq!(fetch(&api, &alices).await.0, StatusCode::OK);

    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(fetch(&api, &alices).await.0, StatusCode::NOT_FOUND, "deleted: every link is dead");
}

/// Replaying an upload URL after completion is refused (412), before or after the file is shared,
/// and the grantee downloads exactly the completed bytes.
#[tokio::test]
async fn a_completed_file_cannot_be_overwritten() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let (alice, bob) = (api.new_user("alice").await, api.new_user("bob").await);
    let ticket = upload_ticket(&api, &alice, "a.bin", 5, false).await;
    put_upload(&api.http, &ticket["upload"], b"hello".to_vec()).await.expect("upload");
    let id = ticket["file_id"].as_str().expect("id");
    let (status, _) = api.call(Method::POST, &format!("/files/{id}/complete"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::OK);
    share(&api, &alice, id, &bob, None).await;

    let replay = put_upload(&api.http, &ticket["upload"], b"EVIL!".to_vec()).await;
    assert!(replay.as_ref().is_err_and(|e| e.starts_with("412")), "{replay:?}");
    let (url, _) = link(&api, &bob, id, "").await;
    assert_eq!(fetch(&api, &url).await, (StatusCode::OK, b"hello".to_vec()));
}

/// A part URL is refused once its upload was completed, deleted or abandoned-and-discarded, and
/// nothing is stored for it: `.multipart/` cannot grow after the fact.
#[tokio::test]
async fn part_urls_die_with_their_upload() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let multipart = server.data.path().join("objects/.multipart");
    let count = || std::fs::read_dir(&multipart).map(|d| d.count()).unwrap_or(0);

    let ticket = upload_ticket(&api, &alice, "a.bin", 1000, true).await;
    let part_url = ticket["multipart"]["parts"][0]["url"].as_str().expect("url").to_owned();
    assert_eq!(count(), 1, "an open upload has its folder");
    let id = ticket["file_id"].as_str().expect("id");
    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let status = api.http.put(&part_url).body(vec![1u8; 1000]).send().await.expect("put").status();
    assert_eq!(status, StatusCode::NOT_FOUND, "a part for a deleted upload");
    assert_eq!(count(), 0, "nothing was stored for it");

    let ticket = upload_ticket(&api, &alice, "b.bin", 1000, true).await;
    let part_url = ticket["multipart"]["parts"][0]["url"].as_str().expect("url").to_owned();
    let response = api.http.put(&part_url).body(vec![2u8; 1000]).send().await.expect("put");
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().expect("etag").to_owned();
    let id = ticket["file_id"].as_str().expect("id");
    let parts = json!({"parts": [{"part_number": 1, "etag": etag}]});
    let (status, _) = api.call(Method::POST, &format!("/files/{id}/complete"), Some(&alice.token), Some(parts)).await;
    assert_eq!(status, StatusCode::OK);
    let status = api.http.put(&part_url).body(vec![3u8; 1000]).send().await.expect("put").status();
    assert_eq!(status, StatusCode::NOT_FOUND, "a part for a completed upload");
    assert_eq!(count(), 0);
    let (url, _) = link(&api, &alice, id, "").await;
    assert_eq!(fetch(&api, &url).await, (StatusCode::OK, vec![2u8; 1000]), "the completed bytes");
}

/// An upload URL used after its file was deleted stores nothing.
#[tokio::test]
async fn an_upload_url_dies_with_its_file() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let ticket = upload_ticket(&api, &alice, "a.bin", 5, false).await;
    let id = ticket["file_id"].as_str().expect("id");
    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let late = put_upload(&api.http, &ticket["upload"], b"hello".to_vec()).await;
    assert!(late.as_ref().is_err_and(|e| e.starts_with("404")), "{late:?}");
    let owner_dir = server.data.path().join("objects/files").join(&alice.id);
    assert_eq!(std::fs::read_dir(owner_dir).map(|d| d.count()).unwrap_or(0), 0, "no bytes without a file");
}

/// Downloads carry the uploader's content type, so a browser must never sniff or run them.
#[tokio::test]
async fn downloads_are_never_run_as_pages() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let id = api.upload(&alice, "page.html", "text/html", b"<script>alert(document.domain)</script>").await;
    let (url, _) = link(&api, &alice, &id, "").await;
    let response = api.http.get(&url).send().await.expect("download");
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(
        header("content-security-policy").is_some_and(|csp| csp.starts_with("sandbox")),
        "{:?}",
        response.headers()
    );
    assert!(header("content-disposition").is_some_and(|d| d.starts_with("attachment")));
}

/// The largest plan the service issues (10 000 parts, a 78 GiB file) can be completed: the body is
/// accepted, and the rules answer (409: the parts never arrived). Refusals by the HTTP stack itself
/// are problem documents too.
#[tokio::test]
async fn a_10000_part_completion_reaches_the_rules_and_every_error_is_a_problem() {
    // 80 GB declared: beyond the default quota, which is not what this test is about.
    let server = start_embedded_with(|c| c.limits.quota = fileshare_core::Quota::UNLIMITED).await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let ticket = upload_ticket(&api, &alice, "huge.bin", 10_000 * 8 * 1024 * 1024, true).await;
    assert_eq!(ticket["multipart"]["parts"].as_array().map(Vec::len), Some(10_000));
    let id = ticket["file_id"].as_str().expect("id");
    let etag = "\"0123456789abcdef0123456789abcdef-10000\"";
    let parts: Vec<Value> = (1..=10_000).map(|n| json!({"part_number": n, "etag": etag})).collect();
    let problem = |response: reqwest::Response| async move {
        let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{status}: {body}");
        assert_eq!(body["status"], status.as_u16(), "{body}");
        status
    };
    let complete = format!("{}/files/{id}/complete", api.base);
    let sent = api.http.post(&complete).bearer_auth(&alice.token).json(&json!({"parts": parts})).send().await;
    assert_eq!(problem(sent.expect("complete")).await, StatusCode::CONFLICT);

    let huge = vec![b' '; 3 * 1024 * 1024];
    let sent = api.http.post(&complete).bearer_auth(&alice.token).body(huge).send().await;
    assert_eq!(problem(sent.expect("complete")).await, StatusCode::PAYLOAD_TOO_LARGE);
    let sent = api.http.post(format!("{}/files/upload-url", api.base)).bearer_auth(&alice.token);
    let sent = sent.header("content-type", "application/json").body(vec![b' '; 100 * 1024]).send().await;
    assert_eq!(problem(sent.expect("upload-url")).await, StatusCode::PAYLOAD_TOO_LARGE);
    let sent = api.http.patch(format!("{}/files/{id}", api.base)).bearer_auth(&alice.token).send().await;
    assert_eq!(problem(sent.expect("patch")).await, StatusCode::METHOD_NOT_ALLOWED);
}
