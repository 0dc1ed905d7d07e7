//! The whole flow over real HTTP with S3 (s3s-fs), DynamoDB and Cognito (moto): the configuration
//! the service runs with on AWS, tokens from a Cognito user pool verified against its JWKS.
#![cfg(feature = "aws")]

mod common;

use common::{operator, put_upload, Api, User};
use fileshare_core::testing::aws_rig::{endpoints, moto_cognito, moto_user_pool, prepared_location};
use fileshare_lambda::config::{Identity, Storage, UserPool};
use fileshare_lambda::ServiceConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The bucket's and the table's name.
const NAME: &str = "fileshare-e2e";

/// A user signed up (with an email address), confirmed and logged in with USER_PASSWORD_AUTH, as
/// the CLI does; and their username.
async fn cognito_user(moto: &str, pool: &str, client: &str, name: &str) -> (User, String) {
    let username = format!("{name}-{}", uuid::Uuid::new_v4().simple());
    let password = "Cognito-Password-1!";
    let email = json!([{"Name": "email", "Value": format!("{username}@example.com")}]);
    let body = json!({"ClientId": client, "Username": username, "Password": password, "UserAttributes": email});
    let signed_up = moto_cognito(moto, "SignUp", body).await;
    moto_cognito(moto, "AdminConfirmSignUp", json!({"UserPoolId": pool, "Username": username})).await;
    // As confirming the emailed code does: the address is verified (only verified ones are found).
    let verified = json!([{"Name": "email_verified", "Value": "true"}]);
    moto_cognito(
        moto,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool, "Username": username, "UserAttributes": verified}),
    )
    .await;
    let auth = moto_cognito(
        moto,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
    )
    .await;
    let user = User {
        id: signed_up["UserSub"].as_str().expect("sub").to_owned(),
        token: auth["AuthenticationResult"]["AccessToken"].as_str().expect("access token").to_owned(),
    };
    (user, username)
}

#[tokio::test]
async fn the_flow_on_s3_dynamodb_and_cognito() {
    let Some(rig) = endpoints() else { return };
    let location = prepared_location(NAME, &rig).await;
    let moto = rig.moto;
    let (pool, client) = moto_user_pool(&moto, "fileshare").await;

    let data = tempfile::tempdir().expect("tempdir");
    let mut config = ServiceConfig::embedded(data.path(), "127.0.0.1:0".parse().expect("addr"));
    config.storage = Storage::Aws(location);
    // moto's tokens name AWS's issuer URL; its JWKS is served locally.
    config.identity = Identity::External {
        jwks_url: format!("{moto}/{pool}/.well-known/jwks.json"),
        issuer: format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}"),
        client_id: client.clone(),
    };
    config.user_pool = Some(UserPool { id: pool.clone(), endpoint: Some(rig.cognito.clone()) });
    // The operator's environment: the deployment's storage and user pool (credentials from the
    // rig's environment, as an operator's role would give them).
    let operator_env = [
        ("FILESHARE_BUCKET", NAME.to_owned()),
        ("FILESHARE_TABLE", NAME.to_owned()),
        ("FILESHARE_S3_ENDPOINT", rig.s3.clone()),
        ("FILESHARE_DYNAMODB_ENDPOINT", rig.dynamodb.clone()),
        ("FILESHARE_USER_POOL_ID", pool.clone()),
        ("FILESHARE_COGNITO_ENDPOINT", moto.clone()),
    ];
    let server = common::start(config, data).await;
    let api = Api::new(&server);
    let (alice, alice_name) = cognito_user(&moto, &pool, &client, "alice").await;
    let (bob, bob_name) = cognito_user(&moto, &pool, &client, "bob").await;
    // Accounts that signed up before the pool's triggers recorded them: the operator imports them.
    let said = operator(&operator_env, &["directory", "import"]);
    assert!(said.contains("recorded"), "{said}");

    let bytes: Vec<u8> = (0..150_000u32).map(|i| (i % 241) as u8).collect();
    let (status, ticket) = api
        .call(
            Method::POST,
            "/files/upload-url",
            Some(&alice.token),
            Some(json!({"name": "résumé 2026 — 東京.pdf", "size": bytes.len(), "content_type": "application/pdf"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    assert!(
        ticket["upload"]["url"].as_str().is_some_and(|u| u.contains(NAME)),
        "the upload goes straight to S3: {ticket}"
    );
    put_upload(&api.http, &ticket["upload"], bytes.clone()).await.expect("upload to S3");
    let id = ticket["file_id"].as_str().expect("id").to_owned();
    let (status, file) = api.call(Method::POST, &format!("/files/{id}/complete"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::OK, "{file}");

    let (_, owned) = api.call(Method::GET, "/files?scope=owned", Some(&alice.token), None).await;
    assert_eq!(owned["files"][0]["file_id"], id.as_str());
    // Shared with Bob by name, found in the Cognito pool (by username, and by email).
    for user in [bob_name.clone(), format!("{bob_name}@example.com")] {
        let (status, share) = api
            .call(Method::POST, &format!("/files/{id}/share"), Some(&alice.token), Some(json!({"user": user})))
            .await;
        assert_eq!(status, StatusCode::OK, "{share}");
        assert_eq!(
            (share["user_id"].as_str(), share["username"].as_str()),
            (Some(bob.id.as_str()), Some(bob_name.as_str()))
        );
    }
    let (status, problem) = api
        .call(Method::POST, &format!("/files/{id}/share"), Some(&alice.token), Some(json!({"user": "nobody"})))
        .await;
    assert_eq!(
        (status, &problem["type"]),
        (StatusCode::NOT_FOUND, &json!("https://fileshare.dev/problems/unknown-user"))
    );
    let (_, shared) = api.call(Method::GET, "/files?scope=shared", Some(&bob.token), None).await;
    assert_eq!(shared["files"][0]["file_id"], id.as_str());
    assert_eq!(shared["files"][0]["owner_name"], alice_name.as_str());

    // A share link, redeemed with no account for an S3 URL; revoked, it is dead at once.
    let (status, created) = api
        .call(Method::POST, &format!("/files/{id}/links"), Some(&alice.token), Some(json!({"max_downloads": 2})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().expect("token");
    let (status, url) = api.call(Method::POST, &format!("/links/{token}/redeem"), None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    assert!(url["url"].as_str().is_some_and(|u| u.contains(NAME)), "the link's URL is S3's: {url}");
    let fetched = api.http.get(url["url"].as_str().expect("url")).send().await.expect("download from S3");
    assert!(fetched.bytes().await.expect("body")[..] == bytes[..]);
    let opened = api.http.get(created["url"].as_str().expect("url")).send().await.expect("curl -L");
    assert!(opened.bytes().await.expect("body")[..] == bytes[..], "the link redirects to the bytes");
    let (status, _) = api.call(Method::POST, &format!("/links/{token}/redeem"), None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "two downloads were handed out");
    let (status, second) =
        api.call(Method::POST, &format!("/files/{id}/links"), Some(&alice.token), Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let link_id = second["link"]["link_id"].as_str().expect("link id");
    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}/links/{link_id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let second_token = second["token"].as_str().expect("token");
    let (status, _) = api.call(Method::GET, &format!("/links/{second_token}"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a revoked link is dead at once");
    // The upload URL is good for 15 minutes, but S3 stores an object once: a replay is refused.
    let replay = put_upload(&api.http, &ticket["upload"], vec![0u8; bytes.len()]).await;
    assert!(replay.as_ref().is_err_and(|e| e.starts_with("412")), "{replay:?}");
    // S3 links are stateless: a grantee's lasts minutes however long they ask.
    let (status, link) =
        api.call(Method::GET, &format!("/files/{id}/download-url?expires_in=86400"), Some(&bob.token), None).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let expires: chrono::DateTime<chrono::Utc> = link["expires_at"].as_str().and_then(|t| t.parse().ok()).expect("t");
    assert!(expires <= chrono::Utc::now() + chrono::TimeDelta::seconds(301), "{expires}");
    let response = api.http.get(link["url"].as_str().expect("url")).send().await.expect("download from S3");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap_or_default()
        .contains("filename*=UTF-8''r%C3%A9sum%C3%A9"));
    assert!(response.bytes().await.expect("body")[..] == bytes[..], "the grantee gets the completed bytes");

    let (status, _) =
        api.call(Method::DELETE, &format!("/files/{id}/share/{}", bob.id), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.call(Method::GET, &format!("/files/{id}"), Some(&bob.token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.call(Method::GET, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Quotas on AWS: /me reports them; the operator's command finds Bob in the pool by his email
    // and writes his usage item; an upload beyond it is refused with the figures.
    let (_, me) = api.call(Method::GET, "/me", Some(&alice.token), None).await;
    assert_eq!((me["usage"]["bytes"].as_u64(), me["quota"]["files"].as_u64()), (Some(0), Some(10_000)), "{me}");
    let bob_email = format!("{bob_name}@example.com");
    let said = operator(&operator_env, &["quota", "set", &bob_email, "--bytes", "1KiB"]);
    assert!(said.contains("0 B of 1.0 KiB") && said.contains("their own quota"), "{said}");
    let body = json!({"name": "big.bin", "size": 2048, "content_type": "application/octet-stream"});
    let (status, problem) = api.call(Method::POST, "/files/upload-url", Some(&bob.token), Some(body)).await;
    assert_eq!((status, &problem["quota"]["bytes"]), (StatusCode::FORBIDDEN, &json!(1024)), "{problem}");
    operator(&operator_env, &["quota", "reset", "--id", &bob.id]);
    let (_, me) = api.call(Method::GET, "/me", Some(&bob.token), None).await;
    assert_eq!(me["quota"]["bytes"].as_u64(), Some(10 << 30), "{me}");

    // The page, as the stack serves it: Cognito's settings written in at run time, and a policy
    // that lets it talk to the API, the pool's endpoint and the bucket, nothing else.
    let page = api.http.get(format!("{}/", api.base)).send().await.expect("page");
    let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    let html = page.text().await.expect("html");
    assert!(html.contains("&quot;identity&quot;:&quot;cognito&quot;") && html.contains(&pool), "{html}");
    let connect = csp.split("connect-src ").nth(1).and_then(|c| c.split(';').next()).expect("connect-src");
    assert_eq!(connect, format!("'self' {} {}", rig.cognito, rig.s3), "{csp}");
    // Its session: the refresh token from a Cognito login kept in the cookie, refreshed by the API
    // on the page's behalf, and revoked at logout.
    let (_, carol) = cognito_user(&moto, &pool, &client, "carol").await;
    let login = moto_cognito(
        &rig.cognito,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
               "AuthParameters": {"USERNAME": carol, "PASSWORD": "Cognito-Password-1!"}}),
    )
    .await;
    let refresh = login["AuthenticationResult"]["RefreshToken"].as_str().expect("refresh token").to_owned();
    let session = |path: &'static str, body: serde_json::Value| {
        let request = api.http.post(format!("{}{path}", api.base)).json(&body);
        request.header("cookie", format!("fileshare_session={refresh}")).send()
    };
    let set = session("/auth/session", json!({"refresh_token": refresh})).await.expect("session");
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let cookie = set.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/auth"),
        "{cookie}"
    );
    let fresh: serde_json::Value =
        session("/auth/refresh", json!({})).await.expect("refresh").json().await.expect("json");
    let access = fresh["access_token"].as_str().expect("a fresh access token from Cognito");
    let (status, _) = api.call(Method::GET, "/me", Some(access), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session("/auth/logout", json!({})).await.expect("logout").status(), StatusCode::NO_CONTENT);
    let after = session("/auth/refresh", json!({})).await.expect("refresh");
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "the revoked refresh token no longer works");

    // A token from another pool's client, or an id token, is refused.
    let (status, _) = api.call(Method::GET, "/files", Some("not-a-token"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
