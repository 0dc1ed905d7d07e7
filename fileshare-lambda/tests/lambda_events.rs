//! The Lambda entry points, fed committed API Gateway v2, S3, DynamoDB stream and Cognito trigger
//! event JSON (`tests/fixtures/`), and stream records of real removals from the table on the AWS
//! test rig.
//! API Gateway and S3 events run on the embedded default (what is tested is the adapter); the
//! table's stream on DynamoDB (moto) and S3 (s3s-fs), whose TTL only it has.
#![cfg(feature = "aws")]

use axum::body::Body;
use fileshare_core::{FileStore, MetadataStore, UploadRequest, UserId};
use fileshare_lambda::events::{self, EventError, Outcome};
use fileshare_lambda::{routes, AppState, ServiceConfig};
use tower::ServiceExt;

const SUB: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

async fn lambda_state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = ServiceConfig::embedded(dir.path(), "127.0.0.1:0".parse().expect("addr"));
    (AppState::new(&config, true).await.expect("state"), dir)
}

/// The events function's state on the AWS test rig (`None`: the rig is not running; see
/// `skip_unless_configured`), and a fresh owner.
async fn rig_state() -> Option<(AppState, UserId, tempfile::TempDir)> {
    let rig = fileshare_core::testing::aws_rig::endpoints()?;
    let location = fileshare_core::testing::aws_rig::prepared_location(TABLE, &rig).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = ServiceConfig::embedded(dir.path(), "127.0.0.1:0".parse().expect("addr"));
    config.storage = fileshare_lambda::config::Storage::Aws(location);
    let state = AppState::new(&config, true).await.expect("state");
    Some((state, fileshare_core::testing::random_user("sub"), dir))
}

/// The bucket and table of the stream tests.
const TABLE: &str = "fileshare-events";

/// Runs a table stream event through the events function.
async fn stream(state: &AppState, event: serde_json::Value) -> Vec<Outcome> {
    events::handle(&state.service, state.table.as_deref(), event, None).await.expect("handled")
}

/// A committed event with its `__PLACEHOLDERS__` filled in.
fn fixture(name: &str, replacements: &[(&str, &str)]) -> String {
    let mut json =
        std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
    for (from, to) in replacements {
        json = json.replace(from, to);
    }
    json
}

/// Runs an API Gateway event through the router, as `lambda_http::run` does.
async fn invoke(state: &AppState, name: &str, replacements: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let json = fixture(name, replacements);
    let request = lambda_http::request::from_str(&json).expect("a valid API Gateway v2 event");
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, Body::from(body.to_vec()));
    let response = routes::router(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn api_gateway_jwt_claims_identify_the_caller() {
    let (state, _dir) = lambda_state().await;
    let sub = [("__SUB__", SUB)];
    let (status, ticket) = invoke(&state, "apigw-v2-upload-url.json", &sub).await;
    assert_eq!(status, 201, "{ticket}");
    let id = ticket["file_id"].as_str().expect("id").to_owned();

    let (status, file) = invoke(&state, "apigw-v2-get-file.json", &[("__SUB__", SUB), ("__FILE_ID__", &id)]).await;
    assert_eq!((status, file["owner"].as_str()), (200, Some(SUB)), "the claims' sub is the caller: {file}");
    let (status, _) =
        invoke(&state, "apigw-v2-get-file.json", &[("__SUB__", "someone-else"), ("__FILE_ID__", &id)]).await;
    assert_eq!(status, 404, "another sub is a stranger");

    let (status, page) = invoke(&state, "apigw-v2-list-owned.json", &sub).await;
    assert_eq!(status, 200, "{page}");
    assert!(page["files"].as_array().is_some_and(|f| f.is_empty()), "pending uploads are not listed");
}

#[tokio::test]
async fn api_gateway_refusals() {
    let (state, _dir) = lambda_state().await;
    let (status, problem) = invoke(&state, "apigw-v2-id-token.json", &[("__SUB__", SUB)]).await;
    assert_eq!(status, 401, "API Gateway accepts id tokens; the API does not: {problem}");
    let (status, _) = invoke(&state, "apigw-v2-files-no-authorizer.json", &[("__SUB__", SUB)]).await;
    assert_eq!(status, 401, "no claims and no token");
    let (status, health) = invoke(&state, "apigw-v2-health-no-authorizer.json", &[]).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
}

/// On Lambda, the page comes from the function on routes without the authorizer, configured for
/// the deployment's Cognito pool at run time, with a policy naming that pool's endpoint.
#[tokio::test]
async fn the_page_is_served_behind_api_gateway_with_cognito_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = ServiceConfig::embedded(dir.path(), "127.0.0.1:0".parse().expect("addr"));
    config.identity = fileshare_lambda::config::Identity::External {
        jwks_url: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool/.well-known/jwks.json".into(),
        issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool".into(),
        client_id: "webclient".into(),
    };
    config.user_pool = Some(fileshare_lambda::config::UserPool { id: "eu-west-1_Pool".into(), endpoint: None });
    let state = AppState::new(&config, true).await.expect("state");
    for (path, kind) in [("/", "text/html"), ("/assets/app.js", "text/javascript")] {
        let json = fixture("apigw-v2-health-no-authorizer.json", &[("/health", path)]);
        let request = lambda_http::request::from_str(&json).expect("a valid API Gateway v2 event");
        let (parts, body) = request.into_parts();
        let request = http::Request::from_parts(parts, Body::from(body.to_vec()));
        let response = routes::router(state.clone()).oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert!(headers["content-type"].to_str().expect("type").starts_with(kind), "{path}");
        let csp = headers["content-security-policy"].to_str().expect("csp");
        assert!(csp.contains("connect-src 'self' https://cognito-idp.eu-west-1.amazonaws.com;"), "{csp}");
        if path == "/" {
            let html =
                String::from_utf8(axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec())
                    .expect("utf-8");
            for field in [
                "&quot;identity&quot;:&quot;cognito&quot;",
                "&quot;client_id&quot;:&quot;webclient&quot;",
                "&quot;region&quot;:&quot;eu-west-1&quot;",
            ] {
                assert!(html.contains(field), "{field} in the page");
            }
        }
    }
}

fn event(name: &str, replacements: &[(&str, &str)]) -> serde_json::Value {
    serde_json::from_str(&fixture(name, replacements)).expect("valid JSON")
}

fn s3_event(key: &str, size: u64) -> serde_json::Value {
    event("s3-object-created.json", &[("__KEY__", key), ("__SIZE__", &size.to_string())])
}

#[tokio::test]
async fn s3_events_complete_uploads_idempotently_and_in_any_order() {
    let (state, _dir) = lambda_state().await;
    let service = &state.service;
    let owner = UserId::new(SUB).expect("user");
    let ticket = service.create_upload(&owner, UploadRequest::new("a.txt", 5, "text/plain")).await.expect("upload");
    let key = ticket.file.key();
    service.file_store().put(&key, &(&ticket.file).into(), bytes::Bytes::from_static(b"hello")).await.expect("bytes");

    // Created (twice: at-least-once delivery), an unrelated key, and a later delete event.
    let outcomes = events::handle(service, None, s3_event(key.as_str(), 5), None).await.expect("handled");
    assert_eq!(
        outcomes,
        vec![
            Outcome::Available(key.to_string()),
            Outcome::Available(key.to_string()),
            Outcome::Skipped("uploads/Happy Face.jpg".into()),
            Outcome::Skipped(key.to_string()),
        ]
    );
    let file = service.get_file(&owner, &ticket.file.id).await.expect("file").file;
    assert_eq!(file.status, fileshare_core::FileStatus::Available);

    // Out of order: the created event arrives after the file was deleted — nothing to do.
    service.delete(&owner, &ticket.file.id).await.expect("delete");
    let outcomes = events::handle(service, None, s3_event(key.as_str(), 5), None).await.expect("handled");
    assert_eq!(outcomes[0], Outcome::Ignored(key.to_string()));

    // A size that does not match the declared one is refused, and the upload stays pending.
    let ticket = service.create_upload(&owner, UploadRequest::new("b.txt", 10, "text/plain")).await.expect("upload");
    let outcomes = events::handle(service, None, s3_event(ticket.file.key().as_str(), 3), None).await.expect("handled");
    assert_eq!(outcomes[0], Outcome::Refused(ticket.file.key().to_string()));
    let file = service.get_file(&owner, &ticket.file.id).await.expect("file").file;
    assert_eq!(file.status, fileshare_core::FileStatus::Pending);
}

/// DynamoDB's TTL removes an abandoned upload's record by itself: its removal on the stream gives
/// back the usage it held — once, however often it is delivered — and discards its bytes.
#[tokio::test]
async fn ttl_removals_give_back_the_usage_and_discard_the_abandoned_bytes() {
    let Some((state, owner, _dir)) = rig_state().await else { return };
    let service = &state.service;
    let ticket = service.create_upload(&owner, UploadRequest::new("draft.txt", 5, "text/plain")).await.expect("upload");
    let (key, id) = (ticket.file.key(), ticket.file.id.to_string());
    service.file_store().put(&key, &(&ticket.file).into(), bytes::Bytes::from_static(b"hello")).await.expect("bytes");
    let usage = async || service.usage(&owner).await.expect("usage").usage;

    // Delivered while the record still exists and is in time (a forged or misrouted event): no effect.
    let forged = event("dynamodb-ttl-remove.json", &[("__FILE_ID__", &id), ("__SUB__", owner.as_str())]);
    let outcomes = stream(&state, forged).await;
    assert_eq!(outcomes, vec![Outcome::Ignored(key.to_string()), Outcome::Skipped("user-remove-share".into())]);
    assert!(service.file_store().head(&key).await.expect("head").is_some(), "a live upload keeps its bytes");
    assert_eq!(usage().await.files, 1, "a live upload keeps its usage");

    // As on AWS: TTL removes the record, then the stream delivers the removal (at least once).
    let removal = fileshare_core::testing::aws_rig::remove_by_ttl(&rig_dynamodb(), TABLE, &ticket.file.id).await;
    for _ in 0..2 {
        let outcomes = stream(&state, serde_json::json!({"Records": [removal.clone()]})).await;
        assert_eq!(outcomes, vec![Outcome::Discarded(key.to_string())]);
        assert_eq!(usage().await, fileshare_core::Usage::default());
    }
    assert_eq!(service.file_store().head(&key).await.expect("head"), None);
}

/// The rig's DynamoDB endpoint.
fn rig_dynamodb() -> String {
    std::env::var("FILESHARE_TEST_DYNAMODB_ENDPOINT").expect("the rig is running")
}

/// A delete removes the record, then the bytes; if that last step fails (or the function times out
/// between the two), the record's removal on the stream removes them — and gives back no usage:
/// the delete did.
#[tokio::test]
async fn a_deleted_records_removal_on_the_stream_removes_bytes_the_delete_left() {
    let Some((state, owner, _dir)) = rig_state().await else { return };
    let service = &state.service;
    let file = service.put_bytes(&owner, "report.pdf", "application/pdf", "hello".into()).await.expect("file");
    let key = file.key();
    // The service's own delete: no TTL identity on the record.
    let subs = [("__FILE_ID__", file.id.to_string()), ("__SUB__", owner.to_string())];
    let subs: Vec<(&str, &str)> = subs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut removal = event("dynamodb-ttl-remove.json", &subs);
    let record = &mut removal["Records"][0];
    record.as_object_mut().expect("record").remove("userIdentity");
    record["dynamodb"]["OldImage"]["status"] = serde_json::json!({"S": "available"});

    // Misrouted while the file is live: no effect.
    let outcomes = stream(&state, removal.clone()).await;
    assert_eq!(outcomes[0], Outcome::Ignored(key.to_string()));
    assert_eq!(service.get_bytes(&owner, &file.id).await.expect("intact").1, bytes::Bytes::from_static(b"hello"));

    service.metadata_store().delete_file(&file.id).await.expect("the record goes; the bytes' removal fails");
    let outcomes = stream(&state, removal).await;
    assert_eq!(outcomes[0], Outcome::Discarded(key.to_string()));
    assert_eq!(service.file_store().head(&key).await.expect("head"), None, "bytes removed");
    assert_eq!(service.usage(&owner).await.expect("usage").usage, fileshare_core::Usage::default());
}

#[tokio::test]
async fn a_tombstone_on_the_stream_finishes_its_delete_and_never_touches_a_live_file() {
    let Some((state, owner, _dir)) = rig_state().await else { return };
    let service = &state.service;
    let file = service.put_bytes(&owner, "popular.pdf", "application/pdf", "hello".into()).await.expect("file");
    let id = file.id.to_string();
    let modify = event("dynamodb-tombstone-modify.json", &[("__FILE_ID__", &id), ("__SUB__", owner.as_str())]);

    // A forged or misrouted event for a file that is readable: no effect.
    let outcomes = stream(&state, modify.clone()).await;
    assert_eq!(outcomes, vec![Outcome::Ignored(file.key().to_string())]);
    assert_eq!(service.get_bytes(&owner, &file.id).await.expect("intact").1, bytes::Bytes::from_static(b"hello"));

    // The record is gone (its delete got past the first step), the bytes are not: finished.
    service.metadata_store().delete_file(&file.id).await.expect("record deleted");
    let outcomes = stream(&state, modify.clone()).await;
    assert_eq!(outcomes, vec![Outcome::Ignored(file.key().to_string())], "nothing left of the record");
    assert_eq!(service.file_store().head(&file.key()).await.expect("head"), None, "bytes removed");
}

#[tokio::test]
async fn unknown_and_malformed_events_fail_the_invocation() {
    let (state, _dir) = lambda_state().await;
    let unknown = serde_json::json!({"Records": [{"eventSource": "aws:sqs"}]});
    assert!(
        matches!(events::handle(&state.service, None, unknown, None).await, Err(EventError::Unrecognised(s)) if s == "aws:sqs")
    );
    let malformed = serde_json::json!({"Records": [{"eventSource": "aws:s3", "s3": "not an object"}]});
    assert!(matches!(events::handle(&state.service, None, malformed, None).await, Err(EventError::Malformed { .. })));
    let empty = serde_json::json!({"Records": []});
    assert_eq!(events::handle(&state.service, None, empty, None).await.expect("nothing to do"), vec![]);
}

/// The user pool's triggers record accounts in the table's directory, where the API finds them by
/// name; Cognito gets its event back unchanged.
#[tokio::test]
async fn the_pools_triggers_record_accounts_that_the_api_finds_by_name() {
    let Some((state, sub, _dir)) = rig_state().await else { return };
    let directory = state.directory.as_ref().expect("the table's directory");
    let (old, new) = (format!("{sub}@example.com"), format!("new-{sub}@example.com"));
    let confirmed = event("cognito-post-confirmation.json", &[("__SUB__", sub.as_str()), ("__EMAIL__", &old)]);
    let answer =
        events::respond(&state.service, state.table.as_deref(), confirmed.clone(), None).await.expect("handled");
    assert_eq!(answer, confirmed, "Cognito gets its event back");
    assert_eq!(directory.resolve(&old).await.expect("resolve"), Some(sub.clone()));

    // Signing in with a verified new address moves the name; an unverified one names no one.
    let signed_in = |email: &str, verified: &str| {
        event(
            "cognito-post-authentication.json",
            &[("__SUB__", sub.as_str()), ("__EMAIL__", email), ("__VERIFIED__", verified)],
        )
    };
    events::respond(&state.service, state.table.as_deref(), signed_in(&new, "true"), None).await.expect("handled");
    assert_eq!(directory.resolve(&old).await.expect("resolve"), None);
    assert_eq!(directory.resolve(&new).await.expect("resolve"), Some(sub.clone()));
    let names = directory.names([sub.clone()]).await.expect("names");
    assert_eq!(names.get(&sub), Some(&new), "the address is the name shown in an email pool");
    events::respond(&state.service, state.table.as_deref(), signed_in("typed@example.com", "false"), None)
        .await
        .expect("ok");
    assert_eq!(directory.resolve("typed@example.com").await.expect("resolve"), None, "an unverified address");
}

/// A directory that cannot be written never blocks a sign-in: the failure is logged and counted,
/// and Cognito gets its event back.
#[tokio::test]
async fn a_failed_directory_write_never_blocks_a_sign_in() {
    let (state, _dir) = lambda_state().await;
    let confirmed = event("cognito-post-confirmation.json", &[("__SUB__", SUB), ("__EMAIL__", "x@example.com")]);
    let answer = events::respond(&state.service, None, confirmed.clone(), None).await.expect("never fails");
    assert_eq!(answer, confirmed);
    let unknown = serde_json::json!({"triggerSource": "PreSignUp_SignUp", "request": {}, "response": {}});
    assert_eq!(events::respond(&state.service, None, unknown.clone(), None).await.expect("returned"), unknown);
}

/// A user directory that is throttled (or down) never fails a request: names are what people read
/// next to ids, so `/me` answers without the caller's name rather than with a 5xx.
#[tokio::test]
async fn a_failing_directory_leaves_names_out_and_fails_nothing() {
    #[derive(Debug)]
    struct Throttled;
    #[async_trait::async_trait]
    impl fileshare_core::UserDirectory for Throttled {
        async fn resolve(&self, _: &str) -> fileshare_core::Result<Option<UserId>> {
            Err(fileshare_core::Error::storage("dynamodb", "ProvisionedThroughputExceededException"))
        }
        async fn display_name(&self, _: &UserId) -> fileshare_core::Result<Option<String>> {
            Err(fileshare_core::Error::storage("dynamodb", "ProvisionedThroughputExceededException"))
        }
    }
    let (mut state, _dir) = lambda_state().await;
    let throttled = fileshare_lambda::names::NamesCache::new(std::sync::Arc::new(Throttled));
    state.directory = Some(std::sync::Arc::new(throttled));
    let (status, me) = invoke(&state, "apigw-v2-list-owned.json", &[("__SUB__", SUB), ("\"/files\"", "\"/me\"")]).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user_id"].as_str(), Some(SUB));
    assert!(me.get("username").is_none(), "no name, and no error: {me}");
}

/// A batch the invocation has no time left for goes back to the stream from the first record it
/// cannot finish (`batchItemFailures`), instead of timing the whole batch out; of two `MODIFY`s of
/// one tombstone in a batch, one pass is run (it hands off to the next by itself).
#[tokio::test]
async fn a_batch_short_of_time_hands_its_rest_back_and_runs_one_pass_per_tombstone() {
    let Some((state, owner, _dir)) = rig_state().await else { return };
    let service = &state.service;
    let file = service.put_bytes(&owner, "popular.pdf", "application/pdf", "hello".into()).await.expect("file");
    let id = file.id.to_string();
    let modify = event("dynamodb-tombstone-modify.json", &[("__FILE_ID__", &id), ("__SUB__", owner.as_str())]);
    let mut twice = modify.clone();
    let record = modify["Records"][0].clone();
    twice["Records"].as_array_mut().expect("records").push(record);

    // One second left: a pass needs five, so nothing is done and the batch comes back whole.
    let short = Some(std::time::Duration::from_secs(1));
    let answer = events::respond(service, state.table.as_deref(), twice.clone(), short).await.expect("answered");
    let sequence = modify["Records"][0]["dynamodb"]["SequenceNumber"].clone();
    assert_eq!(answer, serde_json::json!({"batchItemFailures": [{"itemIdentifier": sequence}]}));

    // With time, the first is a pass and the second, the same tombstone, is skipped.
    let outcomes = events::handle(service, state.table.as_deref(), twice, Some(std::time::Duration::from_secs(60)))
        .await
        .expect("handled");
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0], Outcome::Ignored(file.key().to_string()), "a live file is never touched");
    assert!(matches!(&outcomes[1], Outcome::Skipped(_)), "{outcomes:?}");
}
