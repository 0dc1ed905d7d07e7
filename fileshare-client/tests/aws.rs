//! The client against the service as deployed on AWS, on the test rig: S3 (s3s-fs), DynamoDB and
//! a Cognito user pool (moto, behind the stand-in that revokes tokens as Cognito does). Login
//! with Cognito's own API, refresh with `REFRESH_TOKEN_AUTH`, bytes straight to and from S3 in
//! parts, share links, logout with `RevokeToken`.

mod common;

use axum::http::{Method, StatusCode};
use common::{pattern, unique, MIB};
use fileshare_client::{
    Client, Destination, DownloadOptions, Error, ErrorKind, LinkBody, LinkRef, Provider, SessionStore, SignUp,
    UploadOptions, UploadSource,
};
use fileshare_core::backends::AwsLocation;
use fileshare_core::testing::aws_rig::moto_cognito;
use fileshare_lambda::config::Storage;
use fileshare_lambda::testing::{start_embedded_with, start_on_aws_rig, Fault, FlakyProxy};
use serde_json::json;

const NAME: &str = "fileshare-client-e2e";
const PASSWORD: &str = "Cognito-Password-1!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_login_refresh_multipart_to_s3_links_and_logout() {
    let Some(aws) = start_on_aws_rig(NAME).await else { return };
    let (service, rig, pool, client_id) = (aws.service, aws.rig, aws.pool, aws.client_id);
    let config = tempfile::tempdir().expect("config");
    let store = SessionStore::new(Some(config.path().to_owned())).expect("store");
    let provider = Provider::cognito(&client_id, "us-east-1", Some(format!("{}/", rig.cognito)));
    let build = || {
        let builder = Client::builder(&service.base).provider(provider.clone());
        builder.session_store(store.clone()).build().expect("client")
    };
    let alice = build();

    // Sign-up awaits confirmation; until then, and with a wrong password, no login.
    let name = unique("alice");
    assert_eq!(alice.sign_up(&name, PASSWORD).await.expect("sign up"), SignUp::ConfirmationNeeded);
    let unconfirmed = alice.log_in(&name, PASSWORD).await.expect_err("unconfirmed");
    assert_eq!(unconfirmed.kind(), ErrorKind::Unauthenticated, "{unconfirmed:?}");
    moto_cognito(&rig.moto, "AdminConfirmSignUp", json!({"UserPoolId": pool, "Username": name})).await;
    let wrong = alice.log_in(&name, "Wrong-Password-1!").await.expect_err("wrong password");
    assert_eq!(wrong.kind(), ErrorKind::Unauthenticated);
    let session = alice.log_in(&name, PASSWORD).await.expect("log in");
    assert_eq!(alice.me().await.expect("me").user_id, session.user_id);

    // Straight to S3: in parts (8 MiB each, four at a time) and in one PUT.
    let big = pattern(17 * MIB + 5, 3);
    let options = UploadOptions { multipart_threshold: 10 * MIB as u64, ..UploadOptions::default() };
    let file = alice.upload(UploadSource::bytes("big.bin", big.clone()), &options).await.expect("multipart to S3");
    let small = alice.upload(UploadSource::bytes("small.txt", &b"one PUT"[..]), &UploadOptions::default()).await;
    let small = small.expect("single to S3");

    // The access token expires: refreshed with REFRESH_TOKEN_AUTH; Cognito keeps the refresh token.
    let mut stored = store.load(&service.base).expect("load").expect("session");
    let refresh_token = stored.refresh_token.clone();
    stored.expires_at = 0;
    store.save(&service.base, &stored).expect("save");
    let alice = build();
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("copy.bin");
    alice.download(&file.file_id, Destination::path(&copy), &DownloadOptions::default()).await.expect("download");
    assert!(std::fs::read(&copy).expect("read") == big, "S3's bytes differ");
    let refreshed = store.load(&service.base).expect("load").expect("session");
    assert!(refreshed.expires_at > chrono::Utc::now().timestamp());
    assert_eq!(refreshed.refresh_token, refresh_token);

    // A share link, redeemed by someone with no account, hands out S3's bytes.
    let created = alice.create_link(&small.file_id, &LinkBody::default()).await.expect("link");
    let stranger = Client::new(&service.base).expect("client");
    let link: LinkRef = created.url.parse().expect("link URL");
    let info = stranger.link_info(&link).await.expect("info");
    let writer = tokio::fs::File::create(dir.path().join("linked.txt")).await.expect("create");
    let options = DownloadOptions::default();
    stranger
        .download_link(&link, &info, None, Destination::Writer(Box::new(writer)), &options)
        .await
        .expect("via the link");
    assert_eq!(std::fs::read(dir.path().join("linked.txt")).expect("read"), b"one PUT");

    // Logout revokes the refresh token with Cognito: a copy of the session is worthless.
    alice.delete_file(&file.file_id).await.expect("delete");
    alice.delete_file(&small.file_id).await.expect("delete");
    assert!(alice.log_out().await.expect("log out"));
    store.save(&service.base, &fileshare_client::Session { expires_at: 0, ..refreshed }).expect("save");
    let revived = build().me().await;
    assert!(matches!(revived, Err(Error::SessionExpired { .. })), "{revived:?}");
}

/// A large download from S3 comes in ranges, several at once: a range that fails, or whose
/// connection breaks midway, is fetched again, and the file arrives whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranged_downloads_from_s3_fetch_a_failed_range_again() {
    let Some(rig) = fileshare_core::testing::aws_rig::endpoints() else { return };
    let location = fileshare_core::testing::aws_rig::prepared_location("fileshare-client-ranges", &rig).await;
    // Storage behind a proxy that fails on purpose: the service presigns URLs to it.
    let proxy = FlakyProxy::in_front_of(&rig.s3).await;
    let location = AwsLocation { s3_endpoint: Some(proxy.base.clone()), ..location };
    let service = start_embedded_with(|config| config.storage = Storage::Aws(location)).await;
    let (alice, _) = common::signed_in(&service.base, "alice").await;

    let data = pattern(5 * 8 * MIB + 3, 9); // six ranges: five of 8 MiB, one of 3 bytes
    let file = alice.upload(UploadSource::bytes("big.bin", data.clone()), &UploadOptions::default()).await;
    let file = file.expect("upload");
    let second = format!("range=bytes={}-", 8 * MIB);
    let fourth = format!("range=bytes={}-", 3 * 8 * MIB);
    proxy.fail(Method::GET, &second, StatusCode::SERVICE_UNAVAILABLE, 1);
    proxy.plan(Method::GET, &fourth, StatusCode::OK, Fault::Truncate, 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let (progress, reports) = common::recorder();
    let options = DownloadOptions { progress: Some(progress), ..DownloadOptions::default() };
    let path = alice.download(&file.file_id, Destination::path(dir.path()), &options).await.expect("download");
    assert!(std::fs::read(path.expect("path")).expect("read") == data, "the ranges, in place");
    assert_eq!(proxy.transfers_matching("GET", "range=bytes=0-0"), 1, "one probe");
    assert_eq!(proxy.transfers_matching("GET", &second), 2, "a failed range, fetched again");
    assert_eq!(proxy.transfers_matching("GET", &fourth), 2, "a cut range, fetched again");
    assert_eq!(proxy.transfers_matching("GET", "range=bytes="), 1 + 6 + 2);
    let reports = reports.lock().expect("lock").clone();
    assert_eq!(reports.last(), Some(&(data.len() as u64, data.len() as u64)), "counted once");
}
