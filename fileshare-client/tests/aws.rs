//! The client against the service as deployed on AWS, on the test rig: S3 (s3s-fs), DynamoDB and
//! a Cognito user pool (moto, behind the stand-in that revokes tokens as Cognito does). Login
//! with Cognito's own API, refresh with `REFRESH_TOKEN_AUTH`, bytes straight to and from S3 in
//! parts, share links, logout with `RevokeToken`.

mod common;

use common::{pattern, unique, MIB};
use fileshare_client::{
    Client, Destination, DownloadOptions, Error, ErrorKind, LinkBody, LinkRef, Provider, SessionStore, SignUp,
    UploadOptions, UploadSource,
};
use fileshare_core::testing::aws_rig::{endpoints, moto_cognito, moto_user_pool, prepared_location};
use fileshare_lambda::config::{Identity, Storage};
use fileshare_lambda::testing::start_embedded_with;
use serde_json::json;

const NAME: &str = "fileshare-client-e2e";
const PASSWORD: &str = "Cognito-Password-1!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cognito_login_refresh_multipart_to_s3_links_and_logout() {
    let Some(rig) = endpoints() else { return };
    let location = prepared_location(NAME, &rig).await;
    let (pool, client_id) = moto_user_pool(&rig.moto, NAME).await;
    let service = start_embedded_with(|config| {
        config.storage = Storage::Aws(location);
        config.identity = Identity::External {
            jwks_url: format!("{}/{pool}/.well-known/jwks.json", rig.moto),
            issuer: format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}"),
            client_id: client_id.clone(),
        };
    })
    .await;
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
