//! HTTP caching over real HTTP: `ETag` and `304 Not Modified` for file views and listings, and the
//! `Cache-Control` of every kind of answer. The rule under test: a revalidation decides access again,
//! so a revoked grantee or a deleted file is never answered "not modified".

mod common;

use common::{start_embedded, Api, User};
use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// GETs `path` as `user`, sending `etag` in `If-None-Match` if given; returns the status, the answer's
/// `ETag` and `Cache-Control`, and its body.
async fn get(api: &Api, user: &User, path: &str, etag: Option<&str>) -> (StatusCode, String, String, String) {
    let mut request = api.http.get(format!("{}{path}", api.base)).bearer_auth(&user.token);
    if let Some(etag) = etag {
        request = request.header(IF_NONE_MATCH, etag);
    }
    let response = request.send().await.expect("request");
    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (status, etag, cache_control) = (response.status(), header(ETAG), header(CACHE_CONTROL));
    (status, etag, cache_control, response.text().await.expect("body"))
}

#[tokio::test]
async fn unchanged_views_and_listings_revalidate_to_304_and_changes_show_at_once() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let id = api.upload(&alice, "notes.txt", "text/plain", b"hello").await;
    let listing = "/files?scope=owned&limit=50";

    let (status, etag, cache_control, body) = get(&api, &alice, listing, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control, "private, no-cache", "kept only by the client, and always revalidated");
    assert!(etag.starts_with('"') && etag.len() > 2, "a strong ETag: {etag}");
    let (status, again, _, empty) = get(&api, &alice, listing, Some(&etag)).await;
    assert_eq!((status, again.as_str(), empty.as_str()), (StatusCode::NOT_MODIFIED, etag.as_str(), ""));

    // A second file changes the listing: a full answer with a new tag.
    api.upload(&alice, "more.txt", "text/plain", b"more").await;
    let (status, changed, _, newer) = get(&api, &alice, listing, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(changed, etag);
    assert_ne!(newer, body);

    // The same for a file's view; the tag follows its content, shares included.
    let view = format!("/files/{id}");
    let (_, view_etag, _, _) = get(&api, &alice, &view, None).await;
    assert_eq!(get(&api, &alice, &view, Some(&view_etag)).await.0, StatusCode::NOT_MODIFIED);
    let bob = api.new_user("bob").await;
    let (status, _) =
        api.call(Method::POST, &format!("{view}/share"), Some(&alice.token), Some(json!({"user_id": bob.id}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&api, &alice, &view, Some(&view_etag)).await.0, StatusCode::OK, "the view now lists bob");
}

#[tokio::test]
async fn a_revoked_grantee_revalidating_is_refused_not_told_not_modified() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let (alice, bob) = (api.new_user("alice").await, api.new_user("bob").await);
    let id = api.upload(&alice, "plan.txt", "text/plain", b"secret plan").await;
    let share = format!("/files/{id}/share");
    let (status, _) = api.call(Method::POST, &share, Some(&alice.token), Some(json!({"user_id": bob.id}))).await;
    assert_eq!(status, StatusCode::OK);

    let view = format!("/files/{id}");
    let shared = "/files?scope=shared";
    let (_, view_etag, _, _) = get(&api, &bob, &view, None).await;
    let (_, list_etag, _, listed) = get(&api, &bob, shared, None).await;
    assert!(listed.contains("plan.txt"));
    assert_eq!(get(&api, &bob, &view, Some(&view_etag)).await.0, StatusCode::NOT_MODIFIED);

    let (status, _) = api.call(Method::DELETE, &format!("{share}/{}", bob.id), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, cache_control, _) = get(&api, &bob, &view, Some(&view_etag)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old tag must not keep the file visible");
    assert_eq!(cache_control, "no-store");
    let (status, _, _, listed) = get(&api, &bob, shared, Some(&list_etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!listed.contains("plan.txt"), "{listed}");

    // Another user sending alice's tag for the same URL gets their own answer.
    let (_, alice_etag, _, _) = get(&api, &alice, "/files?scope=owned", None).await;
    let (status, _, _, bobs) = get(&api, &bob, "/files?scope=owned", Some(&alice_etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!bobs.contains("plan.txt"));
}

#[tokio::test]
async fn credentials_and_errors_are_never_stored_and_public_documents_are_briefly() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let id = api.upload(&alice, "a.txt", "text/plain", b"a").await;
    let (status, etag, cache_control, _) = get(&api, &alice, &format!("/files/{id}/download-url"), None).await;
    assert_eq!((status, etag.as_str(), cache_control.as_str()), (StatusCode::OK, "", "no-store"));
    let (status, _, cache_control, _) = get(&api, &alice, "/files/not-an-id", None).await;
    assert_eq!((status, cache_control.as_str()), (StatusCode::BAD_REQUEST, "no-store"));
    let login = api
        .http
        .post(format!("{}/auth/login", api.base))
        .json(&json!({"username": "nobody-here", "password": "wrong-Password-1"}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.headers()[CACHE_CONTROL], "no-store");
    for public in ["/openapi.json", "/.well-known/jwks.json"] {
        let response = api.http.get(format!("{}{public}", api.base)).send().await.expect("get");
        assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=300", "{public}");
    }
}

/// The local server answers a repeated listing from memory: every kind of write, by anyone, and a
/// share reaching its expiry must show in the very next listing.
#[tokio::test]
async fn listings_kept_in_memory_follow_every_write_and_every_share_expiry() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let (alice, bob) = (api.new_user("alice").await, api.new_user("bob").await);
    let shared = "/files?scope=shared";
    let names = |body: &str| -> Vec<String> {
        let page: serde_json::Value = serde_json::from_str(body).expect("json");
        page["files"].as_array().expect("files").iter().map(|f| f["name"].as_str().expect("name").to_owned()).collect()
    };
    let listed = |user: &User, path: &'static str| {
        let (api, user) = (api.clone(), user.clone());
        async move { names(&get(&api, &user, path, None).await.3) }
    };
    assert!(listed(&bob, shared).await.is_empty());

    // Another user's write (a share) reaches bob's kept answer.
    let kept = api.upload(&alice, "kept.txt", "text/plain", b"k").await;
    let share = |id: &str, expires_at: Option<String>| {
        let body = json!({"user_id": bob.id, "expires_at": expires_at});
        let (api, token, path) = (api.clone(), alice.token.clone(), format!("/files/{id}/share"));
        async move { api.call(Method::POST, &path, Some(&token), Some(body)).await.0 }
    };
    assert_eq!(share(&kept, None).await, StatusCode::OK);
    assert_eq!(listed(&bob, shared).await, ["kept.txt"]);

    // A share that ends in two seconds: listed now, gone at its expiry with no write in between.
    let brief = api.upload(&alice, "brief.txt", "text/plain", b"b").await;
    let ends = chrono::Utc::now() + chrono::Duration::seconds(2);
    assert_eq!(share(&brief, Some(ends.to_rfc3339())).await, StatusCode::OK);
    assert_eq!(listed(&bob, shared).await, ["brief.txt", "kept.txt"]);
    assert_eq!(listed(&bob, shared).await, ["brief.txt", "kept.txt"], "the same answer, kept");
    tokio::time::sleep(
        (ends - chrono::Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(200),
    )
    .await;
    assert_eq!(listed(&bob, shared).await, ["kept.txt"], "the expired share is gone");

    // Deleting the file ends it for the grantee, and for the owner.
    assert_eq!(listed(&alice, "/files?scope=owned").await, ["brief.txt", "kept.txt"]);
    let (status, _) = api.call(Method::DELETE, &format!("/files/{kept}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(listed(&bob, shared).await.is_empty());
    assert_eq!(listed(&alice, "/files?scope=owned").await, ["brief.txt"]);
}
