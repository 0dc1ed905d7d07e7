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
use fileshare_lambda::testing::{start_embedded_with, start_on_aws_rig, Fault, FlakyProxy, TestService};
use fileshare_lambda::ServiceConfig;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

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
    let Some((service, proxy)) = on_s3_behind_proxy("fileshare-client-ranges", |_| {}).await else { return };
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

/// A download that outlives its URL (storage checks a URL's expiry when each request starts) asks
/// the API for a fresh one: before a range starts once the URL is about to lapse, and after storage
/// refused a range that arrived too late. A share link's URL cannot be renewed without counting a
/// download: its file comes in one GET, which storage lets run past the expiry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_outlive_their_urls() {
    let ttl = Duration::from_secs(3);
    let adjust = |config: &mut ServiceConfig| {
        config.limits.download_url_ttl = ttl;
        config.limits.link_download_url_ttl = ttl;
    };
    let Some((service, proxy)) = on_s3_behind_proxy("fileshare-client-expiry", adjust).await else { return };
    let (alice, _) = common::signed_in(&service.base, "alice").await;
    let data = pattern(3 * 8 * MIB + 5, 4); // four ranges
    let file = alice.upload(UploadSource::bytes("big.bin", data.clone()), &UploadOptions::default()).await;
    let file = file.expect("upload");
    let late = ttl + Duration::from_secs(1);

    // The probe's answer arrives after the URL lapsed: the ranges start with a fresh one. The
    // second range reaches storage after that one lapsed too: refused, and fetched with another.
    proxy.plan(Method::GET, "range=bytes=0-0", StatusCode::OK, Fault::Slow(late), 1);
    let second = format!("range=bytes={}-", 8 * MIB);
    proxy.plan(Method::GET, &second, StatusCode::OK, Fault::Late(late), 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = alice.download(&file.file_id, Destination::path(dir.path()), &DownloadOptions::default()).await;
    assert!(std::fs::read(path.expect("download").expect("path")).expect("read") == data, "whole");
    // (More than twice if a busy machine delays a retry past its URL's life too.)
    assert!(proxy.transfers_matching("GET", &second) >= 2, "refused as expired, then fetched with a new URL");

    // Through a share link: one GET, whose answer arrives after its URL lapsed.
    let ranges_before = proxy.transfers_matching("GET", "range=");
    let created = alice.create_link(&file.file_id, &LinkBody::default()).await.expect("link");
    let link: LinkRef = created.url.parse().expect("link URL");
    let stranger = Client::new(&service.base).expect("client");
    let info = stranger.link_info(&link).await.expect("info");
    proxy.plan(Method::GET, "X-Amz-Signature=", StatusCode::OK, Fault::Slow(late), 1);
    let copy = dir.path().join("via-link.bin");
    let options = DownloadOptions::default();
    stranger.download_link(&link, &info, None, Destination::path(&copy), &options).await.expect("via the link");
    assert!(std::fs::read(&copy).expect("read") == data, "whole");
    assert_eq!(proxy.transfers_matching("GET", "range="), ranges_before, "no ranges");
}

/// The service on the rig's S3 behind a proxy that fails on purpose (the service presigns URLs to
/// it), its configuration adjusted; `None` when the rig is not configured.
async fn on_s3_behind_proxy(
    bucket: &str,
    adjust: impl FnOnce(&mut ServiceConfig),
) -> Option<(TestService, Arc<FlakyProxy>)> {
    let rig = fileshare_core::testing::aws_rig::endpoints()?;
    let location = fileshare_core::testing::aws_rig::prepared_location(bucket, &rig).await;
    let proxy = FlakyProxy::in_front_of(&rig.s3).await;
    let location = AwsLocation { s3_endpoint: Some(proxy.base.clone()), ..location };
    let service = start_embedded_with(|config| {
        config.storage = Storage::Aws(location);
        adjust(config);
    })
    .await;
    Some((service, proxy))
}
