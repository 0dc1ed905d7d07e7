//! `fileshare` against the service as deployed on AWS: S3 (s3s-fs), DynamoDB and a Cognito user pool
//! (moto). The CLI signs up and logs in with Cognito's own API (USER_PASSWORD_AUTH), refreshes with
//! REFRESH_TOKEN_AUTH, and moves bytes straight to and from S3 through presigned URLs.

mod common;

use common::{ids, pattern, User, MIB};
use fileshare_core::testing::aws_rig::moto_cognito;
use fileshare_lambda::testing::start_on_aws_rig;
use serde_json::{json, Value};

const NAME: &str = "fileshare-cli-e2e";
const PASSWORD: &str = "Cognito-Password-1!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_login_refresh_and_transfers_through_s3() {
    let Some(aws) = start_on_aws_rig(NAME).await else { return };
    let (service, moto, pool, client) = (aws.service, aws.rig.moto, aws.pool, aws.client_id);

    let mut alice = User::at(&service.base, "alice");
    alice.env = vec![
        ("FILESHARE_COGNITO_CLIENT_ID".into(), client.clone()),
        ("FILESHARE_COGNITO_ENDPOINT".into(), format!("{moto}/")),
    ];
    let name = alice.name.clone();
    let password = format!("{PASSWORD}\n");
    let signed_up = alice.run(&["signup", &name, "--password-stdin"], Some(&password)).await;
    assert!(signed_up.status.success(), "{}", String::from_utf8_lossy(&signed_up.stderr));
    assert!(String::from_utf8_lossy(&signed_up.stdout).contains("fileshare confirm"));
    moto_cognito(&moto, "AdminConfirmSignUp", json!({"UserPoolId": pool, "Username": name})).await;
    let wrong = alice.run(&["login", &name, "--password-stdin"], Some("Wrong-Password-1!\n")).await;
    assert_eq!(wrong.status.code(), Some(3), "{}", String::from_utf8_lossy(&wrong.stderr));
    let login = alice.run(&["login", &name, "--password-stdin"], Some(&password)).await;
    assert!(login.status.success(), "{}", String::from_utf8_lossy(&login.stderr));
    alice.id = alice.credentials()["user_id"].as_str().expect("sub").to_owned();
    assert!(alice.ok(&["whoami"]).await.contains(&alice.id));

    // Bytes go straight to S3: a multipart upload (parts of 8 MiB) and a single upload.
    let big = pattern(17 * MIB + 5, 3);
    std::fs::write(alice.path("big.bin"), &big).expect("write");
    std::fs::write(alice.path("small.txt"), b"via a presigned PUT").expect("write");
    let out = alice.ok(&["upload", "big.bin", "small.txt", "--multipart-threshold", "10485760"]).await;
    let uploaded = ids(&out);
    let listed: Vec<Value> = serde_json::from_str(&alice.ok(&["ls", "--json"]).await).expect("json");
    assert_eq!(listed.len(), 2);

    // The access token expires: the CLI refreshes it with Cognito's REFRESH_TOKEN_AUTH.
    let before = alice.credentials()["access_token"].clone();
    alice.edit_credentials(|s| s["expires_at"] = 0.into());
    alice.ok(&["download", &uploaded[0], "-o", "copy.bin"]).await;
    assert!(std::fs::read(alice.path("copy.bin")).expect("copy") == big, "download differs");
    assert_ne!(alice.credentials()["access_token"], before, "refreshed");
    assert_eq!(alice.credentials()["refresh_token"].as_str().map(str::is_empty), Some(false));
    alice.ok(&["rm", &uploaded[0], &uploaded[1]]).await;

    // Logout revokes the refresh token with Cognito's RevokeToken. moto 5.2.5 does not implement it
    // (it answers 500), so the session's Cognito endpoint is pointed at a peer that answers as
    // Cognito documents it and records what it got.
    let (revoke_endpoint, revoked) = revoke_token_peer().await;
    let refresh_token = alice.credentials()["refresh_token"].as_str().expect("refresh token").to_owned();
    alice.edit_credentials(|s| s["provider"]["endpoint"] = revoke_endpoint.into());
    assert!(alice.ok(&["logout"]).await.contains("revoked"));
    let got = revoked.lock().expect("lock").clone();
    assert_eq!(got, vec![json!({"Token": refresh_token, "ClientId": client})]);
}

/// Answers `AWSCognitoIdentityProviderService.RevokeToken` with `{}` and records each request body.
async fn revoke_token_peer() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorded = seen.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let recorded = recorded.clone();
            async move {
                let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
                assert_eq!(target, "AWSCognitoIdentityProviderService.RevokeToken");
                recorded.lock().expect("lock").push(serde_json::from_str::<Value>(&body).unwrap_or(Value::Null));
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}
