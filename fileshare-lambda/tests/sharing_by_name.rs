//! Sharing with people by name over real HTTP (built-in identity provider), and names in views.

mod common;

use common::{start_embedded_with, Api};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn files_are_shared_by_username_and_views_name_people() {
    let server = start_embedded_with(|c| c.user_rate = 10_000.0).await;
    let api = Api::new(&server);
    let (alice, bob) = (api.new_user("alice").await, api.new_user("bob").await);
    let (_, alice_me) = api.call(Method::GET, "/me", Some(&alice.token), None).await;
    let bob_name = {
        let (_, file) = api.call(Method::GET, "/me", Some(&bob.token), None).await;
        file["username"].as_str().expect("username in /me").to_owned()
    };
    let id = api.upload(&alice, "notes.txt", "text/plain", b"for bob").await;
    let path = format!("/files/{id}/share");
    // Usernames match as at login: case-insensitively.
    let (status, share) =
        api.call(Method::POST, &path, Some(&alice.token), Some(json!({"user": bob_name.to_uppercase()}))).await;
    assert_eq!(status, StatusCode::OK, "{share}");
    assert_eq!(
        (share["user_id"].as_str(), share["username"].as_str()),
        (Some(bob.id.as_str()), Some(bob_name.as_str()))
    );
    // The owner's view names the grantee; the grantee's views name the owner.
    let (_, file) = api.call(Method::GET, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(file["shared_with"][0]["username"], bob_name.as_str());
    let (_, listed) = api.call(Method::GET, "/files?scope=shared", Some(&bob.token), None).await;
    assert_eq!(listed["files"][0]["owner_name"], alice_me["username"]);
    let (_, seen) = api.call(Method::GET, &format!("/files/{id}"), Some(&bob.token), None).await;
    assert_eq!(seen["owner_name"], alice_me["username"]);
    // An unknown name is its own 404; a name and an id at once, or neither, is a 400.
    for name in ["nobody-at-all", "\" or 1=1 --", "bob@example.com"] {
        let (status, problem) = api.call(Method::POST, &path, Some(&alice.token), Some(json!({"user": name}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!(problem["type"], "https://fileshare.dev/problems/unknown-user", "{problem}");
    }
    for body in [json!({"user": bob_name, "user_id": bob.id}), json!({})] {
        let (status, problem) = api.call(Method::POST, &path, Some(&alice.token), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    }
    // Only the owner learns whether a name exists: anyone else hears about the file first.
    let mallory = api.new_user("mallory").await;
    for name in [bob_name.as_str(), "nobody-at-all"] {
        let (status, problem) = api.call(Method::POST, &path, Some(&mallory.token), Some(json!({"user": name}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        assert_eq!(problem["type"], "https://fileshare.dev/problems/not-found", "{problem}");
    }
    let (status, _) = api.call(Method::POST, &path, Some(&bob.token), Some(json!({"user": "nobody-at-all"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a grantee is told it is not theirs to share");
    // Sharing with yourself by name is refused like sharing with yourself by id.
    let own = alice_me["username"].as_str().expect("name");
    let (status, _) = api.call(Method::POST, &path, Some(&alice.token), Some(json!({"user": own}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
