//! The web page's session over real HTTP (built-in identity provider): the refresh token goes into a
//! cookie no script can read, refreshes and logouts work from it, and the cookie cannot be set,
//! read or spent from another site — tried from an attacker's side.

mod common;

use common::{start_embedded, Api, PASSWORD};
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A fresh user's tokens from `/auth/login`.
async fn login(api: &Api) -> Value {
    let user = api.new_user("pat").await;
    let (status, me) = api.call(Method::GET, "/me", Some(&user.token), None).await;
    assert_eq!(status, StatusCode::OK);
    let body = json!({"username": me["username"], "password": PASSWORD});
    let (status, tokens) = api.call(Method::POST, "/auth/login", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

/// POSTs JSON `body` to `path` with the session cookie `cookie` (if any); the answer's status,
/// JSON and `Set-Cookie`.
async fn post(api: &Api, path: &str, cookie: Option<&str>, body: Value) -> (StatusCode, Value, Option<String>) {
    let mut request = api.http.post(format!("{}{path}", api.base)).json(&body);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, format!("fileshare_session={cookie}"));
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let set = response.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, response.json().await.unwrap_or(Value::Null), set)
}

/// The value a `Set-Cookie` sets.
fn value(set_cookie: &str) -> &str {
    set_cookie.split(';').next().and_then(|pair| pair.split_once('=')).map(|(_, v)| v).unwrap_or_default()
}

#[tokio::test]
async fn the_refresh_token_lives_in_an_http_only_cookie_that_refreshes_and_logs_out() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let tokens = login(&api).await;
    let refresh = tokens["refresh_token"].as_str().expect("refresh token");

    let (status, _, set) = post(&api, "/auth/session", None, json!({"refresh_token": refresh})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let set = set.expect("Set-Cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/auth", "Max-Age=2592000"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP here: a Secure cookie would never come back");

    // A refresh from the cookie: short-lived tokens only in the answer, the next refresh token in
    // the cookie (the built-in provider spends each one).
    let (status, fresh, set) = post(&api, "/auth/refresh", Some(refresh), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{fresh}");
    assert!(fresh["access_token"].is_string() && fresh.get("refresh_token").is_none(), "{fresh}");
    let next = set.expect("the next refresh token");
    let next = value(&next).to_owned();
    assert_ne!(next, refresh);
    let (status, me) = api.call(Method::GET, "/me", fresh["access_token"].as_str(), None).await;
    assert_eq!(status, StatusCode::OK, "{me}");

    // Logging out revokes it and clears the cookie; the cookie no longer refreshes.
    let (status, _, set) = post(&api, "/auth/logout", Some(&next), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(set.is_some_and(|s| s.contains("Max-Age=0")), "the cookie is cleared");
    let (status, _, _) = post(&api, "/auth/refresh", Some(&next), json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A page refreshes every few minutes in every tab: that must never eat into the allowance of
/// login attempts from the client's address (20 at once by default here).
#[tokio::test]
async fn refreshes_do_not_use_up_the_login_attempts() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let mut token = login(&api).await["refresh_token"].as_str().expect("refresh token").to_owned();
    for n in 0..30 {
        let (status, body, set) = post(&api, "/auth/refresh", Some(&token), json!({})).await;
        assert_eq!(status, StatusCode::OK, "refresh {n}: {body}");
        token = value(&set.expect("the next token")).to_owned();
    }
    login(&api).await; // and a login still gets in
}

/// Two tabs refreshing at once: one spends the token, the other is refused — and the refusal
/// leaves the cookie alone, so the first one's answer (the next token) is what the browser keeps.
#[tokio::test]
async fn a_refresh_racing_another_keeps_the_session() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let tokens = login(&api).await;
    let refresh = tokens["refresh_token"].as_str().expect("refresh token");
    let (first, second) = tokio::join!(
        post(&api, "/auth/refresh", Some(refresh), json!({})),
        post(&api, "/auth/refresh", Some(refresh), json!({}))
    );
    let statuses = [first.0, second.0];
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    for (status, _, set) in [first, second] {
        if status != StatusCode::OK {
            assert!(set.is_none(), "a refused refresh must not touch the cookie");
        }
    }
}

#[tokio::test]
async fn the_session_cannot_be_planted_read_or_spent_from_another_site() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let tokens = login(&api).await;
    let refresh = tokens["refresh_token"].as_str().expect("refresh token");

    // Header injection and junk never reach a cookie.
    for bad in ["a;b", "a\r\nSet-Cookie: x=1", "", &"x".repeat(4000)] {
        let (status, problem, set) = post(&api, "/auth/session", None, json!({"refresh_token": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {problem}");
        assert!(set.is_none());
    }
    // A form another site could post (no preflight) is not JSON: refused before the cookie is used.
    for path in ["/auth/refresh", "/auth/logout", "/auth/session"] {
        let response = api
            .http
            .post(format!("{}{path}", api.base))
            .header(CONTENT_TYPE, "text/plain")
            .header(COOKIE, format!("fileshare_session={refresh}"))
            .body("{}")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
        assert!(response.headers().get(SET_COOKIE).is_none(), "{path}");
    }
    // A body must be an object: an array is no `{}` with every field left out.
    for path in ["/auth/logout", "/auth/refresh"] {
        let (status, _, set) = post(&api, path, Some(refresh), json!([])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(set.is_none(), "{path}");
    }
    // A second session cookie planted beside the real one voids both: no session.
    let twins = api
        .http
        .post(format!("{}/auth/refresh", api.base))
        .header(COOKIE, format!("fileshare_session={refresh}; fileshare_session=planted"))
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(twins.status(), StatusCode::UNAUTHORIZED);
    // No cookie, no token: nothing to refresh.
    let (status, problem, _) = post(&api, "/auth/refresh", None, json!({})).await;
    assert_eq!(
        (status, &problem["type"]),
        (StatusCode::UNAUTHORIZED, &json!("https://fileshare.dev/problems/unauthorized"))
    );
    // The refresh token was not spent by any of the refused requests.
    let (status, _, _) = post(&api, "/auth/refresh", Some(refresh), json!({})).await;
    assert_eq!(status, StatusCode::OK);
}
