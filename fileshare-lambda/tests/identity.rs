//! The built-in identity provider and the local throttling, from the client's (and attacker's) side.

mod common;

use common::{start_embedded, start_embedded_with, Api, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn signup_login_refresh_and_their_refusals() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let creds = json!({"username": "carol", "password": PASSWORD});
    let (status, created) = api.call(Method::POST, "/auth/signup", None, Some(creds.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _) =
        api.call(Method::POST, "/auth/signup", None, Some(json!({"username": "CAROL", "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "usernames are unique, case-insensitively");
    for weak in ["short1!A", "alllowercaseletters", "Dave-is-number-1"] {
        let (status, problem) =
            api.call(Method::POST, "/auth/signup", None, Some(json!({"username": "dave", "password": weak}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{weak}: {problem}");
    }
    let (status, _) = api
        .call(Method::POST, "/auth/login", None, Some(json!({"username": "carol", "password": "Wrong-password-1"})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        api.call(Method::POST, "/auth/login", None, Some(json!({"username": "nobody", "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "unknown users look like wrong passwords");

    let (status, tokens) = api.call(Method::POST, "/auth/login", None, Some(creds)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tokens["token_type"], "Bearer");
    let claims =
        jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(tokens["access_token"].as_str().expect("token"))
            .expect("decodes")
            .claims;
    assert_eq!(claims["sub"], created["user_id"]);
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["iss"], server.base.as_str());
    let (status, refreshed) =
        api.call(Method::POST, "/auth/refresh", None, Some(json!({"refresh_token": tokens["refresh_token"]}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.call(Method::GET, "/files", refreshed["access_token"].as_str(), None).await;
    assert_eq!(status, StatusCode::OK, "a refreshed access token works");
    let (status, _) = api.call(Method::POST, "/auth/refresh", None, Some(json!({"refresh_token": "made-up"}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, jwks) = api.call(Method::GET, "/.well-known/jwks.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    assert!(jwks["keys"][0].get("d").is_none(), "the JWKS must not publish the private key");
}

#[tokio::test]
async fn password_guessing_is_throttled_per_username() {
    let server = start_embedded_with(|c| c.login_rate = 3).await;
    let api = Api::new(&server);
    api.call(Method::POST, "/auth/signup", None, Some(json!({"username": "erin", "password": PASSWORD}))).await;
    for _ in 0..3 {
        let (status, _) = api
            .call(Method::POST, "/auth/login", None, Some(json!({"username": "erin", "password": "Guess-number-1"})))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = api
        .http
        .post(format!("{}/auth/login", api.base))
        .json(&json!({"username": "erin", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits once the allowance is spent"
    );
    let retry_after: u64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!(retry_after >= 1);
}

#[tokio::test]
async fn credential_stuffing_from_one_address_is_throttled() {
    let server = start_embedded_with(|c| c.login_rate = 2).await; // per address: 8
    let api = Api::new(&server);
    let mut statuses = Vec::new();
    for i in 0..10 {
        // A different username every time: only the per-address limit can stop this.
        let (status, _) = api
            .call(
                Method::POST,
                "/auth/login",
                None,
                Some(json!({"username": format!("victim{i}"), "password": "Guess-number-1"})),
            )
            .await;
        statuses.push(status);
    }
    assert!(statuses[..8].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert!(statuses[8..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn one_user_flooding_the_api_gets_429_with_retry_after() {
    let server = start_embedded_with(|c| c.user_rate = 2.0).await; // burst 10
    let api = Api::new(&server);
    let user = api.new_user("flood").await;
    let mut statuses = Vec::new();
    for _ in 0..15 {
        let response = api.http.get(format!("{}/files", api.base)).bearer_auth(&user.token).send().await.expect("list");
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status());
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert!(statuses[10..].contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let other = api.new_user("calm").await;
    let (status, _) = api.call(Method::GET, "/files", Some(&other.token), None).await;
    assert_eq!(status, StatusCode::OK, "limits are per user");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let server = start_embedded_with(|c| c.cors_origins = vec!["https://app.example".into()]).await;
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        http.request(Method::OPTIONS, format!("{}/files", server.base))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight("https://app.example").await.expect("preflight");
    assert_eq!(
        allowed.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap_or_default()),
        Some("https://app.example")
    );
    let refused = preflight("https://evil.example").await.expect("preflight");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
}
