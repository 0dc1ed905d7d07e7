//! Share links over real HTTP, from the side of whoever holds (or guesses) a link: no account,
//! the same interface an attacker has.

mod common;

use common::{start_embedded_with, Api, User};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

async fn server_and_owner() -> (common::Server, Api, User) {
    let server = start_embedded_with(|c| c.user_rate = 10_000.0).await;
    let api = Api::new(&server);
    let owner = api.new_user("owner").await;
    (server, api, owner)
}

async fn create_link(api: &Api, owner: &User, id: &str, body: Value) -> Value {
    let (status, created) = api.call(Method::POST, &format!("/files/{id}/links"), Some(&owner.token), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

fn token(created: &Value) -> &str {
    created["token"].as_str().expect("token")
}

async fn redeem(api: &Api, token: &str, body: Value) -> (StatusCode, Value) {
    api.call(Method::POST, &format!("/links/{token}/redeem"), None, Some(body)).await
}

async fn fetch(api: &Api, url: &str) -> (StatusCode, Vec<u8>) {
    let response = api.http.get(url).send().await.expect("download");
    (response.status(), response.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn anyone_with_the_link_downloads_without_an_account() {
    let (server, api, owner) = server_and_owner().await;
    let data = b"figures for everyone".to_vec();
    let id = api.upload(&owner, "figures.csv", "text/csv", &data).await;
    let created = create_link(&api, &owner, &id, json!({"max_downloads": 3})).await;
    assert_eq!(created["url"], format!("{}/l/{}", server.base, token(&created)));
    let (status, info) = api.call(Method::GET, &format!("/links/{}", token(&created)), None, None).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!((info["name"].as_str(), info["size"].as_u64()), (Some("figures.csv"), Some(data.len() as u64)));
    assert_eq!((&info["password_required"], &info["downloads_left"]), (&json!(false), &json!(3)));
    let (status, url) = redeem(&api, token(&created), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert_eq!(fetch(&api, url["url"].as_str().expect("url")).await, (StatusCode::OK, data.clone()));
    // A HEAD (link checkers, previewers) says the link is live and counts nothing.
    let head = api.http.head(created["url"].as_str().expect("url")).send().await.expect("head");
    assert_eq!(head.status(), StatusCode::OK);
    let (_, info) = api.call(Method::GET, &format!("/links/{}", token(&created)), None, None).await;
    assert_eq!(info["downloads_left"], 2, "a HEAD counts no download");
    // `curl -L`: the link itself redirects to the bytes (reqwest follows redirects like curl -L).
    let response = api.http.get(created["url"].as_str().expect("url")).send().await.expect("open");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.expect("bytes").to_vec(), data);
    // A redeem with no body at all works too.
    let response =
        api.http.post(format!("{}/links/{}/redeem", server.base, token(&created))).send().await.expect("redeem");
    assert_eq!(response.status(), StatusCode::OK);
    let (status, _) = redeem(&api, token(&created), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "three downloads were handed out");
    // The owner's listing counts them and never shows the token.
    let (_, links) = api.call(Method::GET, &format!("/files/{id}/links"), Some(&owner.token), None).await;
    assert_eq!(links["links"][0]["downloads"], 3);
    assert!(!links.to_string().contains(token(&created).split('.').nth(1).expect("secret")));
}

#[tokio::test]
async fn twenty_concurrent_redemptions_of_a_five_download_link_give_five_urls() {
    let (_server, api, owner) = server_and_owner().await;
    let id = api.upload(&owner, "hot.bin", "application/octet-stream", b"in demand").await;
    let created = create_link(&api, &owner, &id, json!({"max_downloads": 5})).await;
    let token = token(&created).to_owned();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (api, token) = (api.clone(), token.clone());
            tokio::spawn(async move { redeem(&api, &token, json!({})).await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let gone = statuses.iter().filter(|s| **s == StatusCode::NOT_FOUND).count();
    assert_eq!((ok, gone), (5, 15), "{statuses:?}");
}

#[tokio::test]
async fn dead_and_guessed_links_all_answer_the_same_404() {
    let (_server, api, owner) = server_and_owner().await;
    let id = api.upload(&owner, "a.txt", "text/plain", b"a").await;
    let live = create_link(&api, &owner, &id, json!({})).await;
    let revoked = create_link(&api, &owner, &id, json!({})).await;
    let link_id = revoked["link"]["link_id"].as_str().expect("link id");
    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}/links/{link_id}"), Some(&owner.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let used = create_link(&api, &owner, &id, json!({"max_downloads": 1})).await;
    assert_eq!(redeem(&api, token(&used), json!({})).await.0, StatusCode::OK);
    let doomed = api.upload(&owner, "b.txt", "text/plain", b"b").await;
    let of_deleted = create_link(&api, &owner, &doomed, json!({})).await;
    let (status, url) = redeem(&api, token(&of_deleted), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.call(Method::DELETE, &format!("/files/{doomed}"), Some(&owner.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // On the embedded default the URL a link was redeemed for dies with the file at once.
    assert_eq!(fetch(&api, url["url"].as_str().expect("url")).await.0, StatusCode::NOT_FOUND);
    let live_id = live["link"]["link_id"].as_str().expect("id");
    let guesses = [
        token(&revoked).to_owned(),
        token(&used).to_owned(),
        token(&of_deleted).to_owned(),
        format!("{live_id}.AAAAAAAAAAAAAAAAAAAAAA"), // the right id, a guessed secret
        format!("{live_id}.{}", "A".repeat(40)),     // a secret of the wrong length
        "not-a-token".to_owned(),                    // garbage
        format!("{}.x", live_id.to_lowercase()),     // a non-canonical id
    ];
    for guess in guesses {
        for (method, path) in
            [(Method::GET, format!("/links/{guess}")), (Method::POST, format!("/links/{guess}/redeem"))]
        {
            let (status, problem) = api.call(method.clone(), &path, None, Some(json!({}))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
            assert_eq!(problem["type"], "https://fileshare.dev/problems/not-found", "{problem}");
            assert!(problem["detail"].as_str().is_some_and(|d| d.starts_with("link not found: ")), "{problem}");
        }
    }
    assert_eq!(redeem(&api, token(&live), json!({})).await.0, StatusCode::OK, "the control still works");
}

#[tokio::test]
async fn a_wrong_password_never_yields_a_url_and_guessing_is_rationed() {
    let (_server, api, owner) = server_and_owner().await;
    let id = api.upload(&owner, "secret.txt", "text/plain", b"behind a password").await;
    let created = create_link(&api, &owner, &id, json!({"password": "swordfish!"})).await;
    let token = token(&created);
    let (_, info) = api.call(Method::GET, &format!("/links/{token}"), None, None).await;
    assert_eq!(info["password_required"], true);
    // Without the password, even the curl -L link refuses (no redirect, no URL).
    let response = api.http.get(created["url"].as_str().expect("url")).send().await.expect("open");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (status, problem) = redeem(&api, token, json!({})).await;
    assert_eq!(
        (status, &problem["type"]),
        (StatusCode::FORBIDDEN, &json!("https://fileshare.dev/problems/link-password"))
    );
    assert_eq!(redeem(&api, token, json!({"password": "swordfish!"})).await.0, StatusCode::OK);
    // A password in the query string is not how passwords are sent: it counts for nothing.
    let response = api
        .http
        .post(format!("{}/links/{token}/redeem?password=swordfish!", api.base))
        .json(&json!({}))
        .send()
        .await
        .expect("redeem");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Five wrong guesses per window; asking without a password guesses nothing, so it is free.
    for guess in ["password", "123456", "swordfish", "Swordfish!", "letmein"] {
        let (status, body) = redeem(&api, token, json!({"password": guess})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.get("url").is_none());
    }
    // The ration is used up: even the right password waits.
    let response = api
        .http
        .post(format!("{}/links/{token}/redeem", api.base))
        .json(&json!({"password": "swordfish!"}))
        .send()
        .await
        .expect("redeem");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()[header::RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
}

#[tokio::test]
async fn only_the_owner_manages_links_and_a_browser_gets_the_page() {
    let (server, api, owner) = server_and_owner().await;
    let (grantee, stranger) = (api.new_user("grantee").await, api.new_user("stranger").await);
    let id = api.upload(&owner, "plan.txt", "text/plain", b"plan").await;
    let (status, _) = api
        .call(Method::POST, &format!("/files/{id}/share"), Some(&owner.token), Some(json!({"user_id": grantee.id})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let created = create_link(&api, &owner, &id, json!({"max_downloads": 3})).await;
    let link_id = created["link"]["link_id"].as_str().expect("id").to_owned();
    for (user, want) in [(&grantee, StatusCode::FORBIDDEN), (&stranger, StatusCode::NOT_FOUND)] {
        let token = Some(user.token.as_str());
        assert_eq!(api.call(Method::POST, &format!("/files/{id}/links"), token, Some(json!({}))).await.0, want);
        assert_eq!(api.call(Method::GET, &format!("/files/{id}/links"), token, None).await.0, want);
        assert_eq!(api.call(Method::DELETE, &format!("/files/{id}/links/{link_id}"), token, None).await.0, want);
    }
    // A link id under another file's path is not that file's link.
    let other = api.upload(&owner, "other.txt", "text/plain", b"other").await;
    let (status, _) =
        api.call(Method::DELETE, &format!("/files/{other}/links/{link_id}"), Some(&owner.token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bad options are 400 problems.
    for body in [
        json!({"max_downloads": 0}),
        json!({"password": "short"}),
        json!({"expires_at": "2001-01-01T00:00:00Z"}),
        json!({"nonsense": 1}),
    ] {
        let (status, problem) =
            api.call(Method::POST, &format!("/files/{id}/links"), Some(&owner.token), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    }
    // A browser opening the link gets its page, under the strict policy, with no referrer.
    let response = api
        .http
        .get(format!("{}/l/{}", server.base, token(&created)))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::REFERRER_POLICY], "no-referrer");
    assert!(response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .is_ok_and(|p| p.contains("script-src 'self'")));
    assert!(response.text().await.expect("html").contains("/link.js"));
    let (_, links) = api.call(Method::GET, &format!("/files/{id}/links"), Some(&owner.token), None).await;
    assert_eq!(links["links"][0]["downloads"], 0, "opening the page downloads nothing");
    // An unlimited link's downloads are not counted: it is only read, so a crowd can use it.
    let unlimited = create_link(&api, &owner, &id, json!({})).await;
    let (status, _) = redeem(&api, token(&unlimited), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, links) = api.call(Method::GET, &format!("/files/{id}/links"), Some(&owner.token), None).await;
    let listed =
        links["links"].as_array().expect("links").iter().find(|l| l["link_id"] == unlimited["link"]["link_id"]);
    assert_eq!(listed.map(|l| &l["downloads"]), Some(&serde_json::Value::Null));
}
