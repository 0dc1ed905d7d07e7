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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_guesses_cannot_share_one_allowance() {
    let server = start_embedded_with(|c| c.login_rate = 3).await;
    let api = Api::new(&server);
    api.call(Method::POST, "/auth/signup", None, Some(json!({"username": "kate", "password": PASSWORD}))).await;
    let guesses = (0..10).map(|_| {
        let api = api.clone();
        tokio::spawn(async move {
            let body = json!({"username": "kate", "password": "Guess-number-1"});
            api.call(Method::POST, "/auth/login", None, Some(body)).await.0
        })
    });
    let guesses: Vec<_> = guesses.collect();
    let mut checked = 0;
    for guess in guesses {
        if guess.await.expect("task") == StatusCode::UNAUTHORIZED {
            checked += 1;
        }
    }
    assert_eq!(checked, 3, "only the allowance's worth of guesses reach the password check");
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

    // A page on the allowed origin may send what a presigned upload to the embedded store signs.
    let upload = http
        .request(Method::OPTIONS, format!("{}/blobs/files/u/f", server.base))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type,content-disposition,if-none-match")
        .send()
        .await
        .expect("preflight");
    let allowed = upload.headers().get("access-control-allow-headers").and_then(|v| v.to_str().ok()).unwrap_or("");
    for name in ["content-type", "content-disposition", "if-none-match"] {
        assert!(allowed.contains(name), "{name} not allowed: {allowed}");
    }
}

#[tokio::test]
async fn successful_logins_are_never_rationed() {
    // 5 failures per username; the address allows 20 attempts of any kind, which this stays under.
    let server = start_embedded_with(|c| c.login_rate = 5).await;
    let api = Api::new(&server);
    api.call(Method::POST, "/auth/signup", None, Some(json!({"username": "gina", "password": PASSWORD}))).await;
    for i in 0..8 {
        let (status, _) =
            api.call(Method::POST, "/auth/login", None, Some(json!({"username": "gina", "password": PASSWORD}))).await;
        assert_eq!(status, StatusCode::OK, "login {i} of a user who knows their password");
    }
    // Failures still run out: four wrong guesses leave one, which the right password does not spend.
    for _ in 0..4 {
        let (status, _) = api
            .call(Method::POST, "/auth/login", None, Some(json!({"username": "gina", "password": "Guess-number-1"})))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..3 {
        let (status, _) =
            api.call(Method::POST, "/auth/login", None, Some(json!({"username": "gina", "password": PASSWORD}))).await;
        assert_eq!(status, StatusCode::OK);
    }
}

async fn stuffing(api: &Api, forwarded_for: impl Fn(usize) -> String) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for i in 0..10 {
        let response = api
            .http
            .post(format!("{}/auth/login", api.base))
            .header("x-forwarded-for", forwarded_for(i))
            .json(&json!({"username": format!("victim{i}"), "password": "Guess-number-1"}))
            .send()
            .await
            .expect("login");
        statuses.push(response.status());
    }
    statuses
}

#[tokio::test]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
    // Not trusted: a client inventing X-Forwarded-For values is still one address (8 attempts).
    let server = start_embedded_with(|c| c.login_rate = 2).await;
    let statuses = stuffing(&Api::new(&server), |i| format!("203.0.113.{i}")).await;
    assert!(statuses[8..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");

    // Behind a trusted proxy (here: the test itself, on 127.0.0.1) each client has its own allowance.
    let server = start_embedded_with(|c| {
        c.login_rate = 2;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await;
    let statuses = stuffing(&Api::new(&server), |i| format!("6.6.6.6, 203.0.113.{i}")).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_login() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let creds = json!({"username": "hank", "password": PASSWORD});
    api.call(Method::POST, "/auth/signup", None, Some(creds.clone())).await;
    let (_, tokens) = api.call(Method::POST, "/auth/login", None, Some(creds.clone())).await;
    let first = tokens["refresh_token"].clone();
    let refresh = |token: serde_json::Value| {
        let api = api.clone();
        async move { api.call(Method::POST, "/auth/refresh", None, Some(json!({"refresh_token": token}))).await }
    };
    let (status, rotated) = refresh(first.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let second = rotated["refresh_token"].clone();
    assert_ne!(first, second, "each refresh issues a new refresh token");
    let (status, _) = refresh(first.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a spent refresh token is refused");
    let (status, rotated) = refresh(second).await;
    assert_eq!(status, StatusCode::OK, "a reuse within a moment is a client racing itself: the login stays");
    let third = rotated["refresh_token"].clone();
    // Later, a spent token presented again means a copy is in other hands: the whole login ends.
    tokio::time::sleep(std::time::Duration::from_secs(fileshare_lambda::idp::REUSE_GRACE_SECS as u64 + 1)).await;
    let (status, _) = refresh(first).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = refresh(third).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the reuse revoked the login it belonged to");

    // Logout revokes the token, and what it was refreshed into; a second login is untouched.
    let (_, one) = api.call(Method::POST, "/auth/login", None, Some(creds.clone())).await;
    let (_, other) = api.call(Method::POST, "/auth/login", None, Some(creds)).await;
    let (_, next) = refresh(one["refresh_token"].clone()).await;
    let (status, _) =
        api.call(Method::POST, "/auth/logout", None, Some(json!({"refresh_token": one["refresh_token"]}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(refresh(next["refresh_token"].clone()).await.0, StatusCode::UNAUTHORIZED, "logged out");
    assert_eq!(refresh(other["refresh_token"].clone()).await.0, StatusCode::OK, "another login stays");
    let (status, _) = api.call(Method::POST, "/auth/logout", None, Some(json!({"refresh_token": "made-up"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "logging out twice is fine");
}
