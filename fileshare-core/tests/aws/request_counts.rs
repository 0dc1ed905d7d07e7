use super::probe::{call, Probe};
use super::*;
use bytes::Bytes;
use fileshare_core::backends::{CognitoUserPool, DirectoryEntry, DynamoUserDirectory};
use fileshare_core::store::CompletedPart;
use fileshare_core::testing::{random_user, Transport};
use fileshare_core::{Config, FileShare, LinkOptions, ListRequest, Scope, UploadRequest, UploadTarget};
use fileshare_core::{MetadataStore, UserDirectory};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// What docs/aws.md documents of an operation: who runs it on AWS, and the most requests it sends.
struct Documented {
    /// The template's principals whose permissions it runs with (none: only a library user's).
    principals: Vec<&'static str>,
    dynamo: usize,
    s3: usize,
    cognito: usize,
}

/// The template's principal for each "run by" of docs/aws.md's table.
fn principal(run_by: &str) -> Option<&'static str> {
    match run_by.trim() {
        "API" => Some("ApiFunction"),
        "events" => Some("EventsFunction"),
        "quota operator" => Some("QuotaOperatorPolicy"),
        "directory operator" => Some("DirectoryOperatorPolicy"),
        "library" => None,
        other => panic!("docs/aws.md: unknown \"run by\" {other:?}"),
    }
}

/// The documented operations, parsed from docs/aws.md.
fn documented() -> HashMap<String, Documented> {
    let doc = include_str!("../../../docs/aws.md");
    let table = doc
        .split("<!-- BEGIN request counts -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- END request counts -->").next())
        .expect("docs/aws.md has the request count table");
    let first_number = |cell: &str| -> usize {
        cell.trim().split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).expect("a count")
    };
    table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').collect();
            let principals = cells[2].split(',').filter_map(principal).collect();
            let (dynamo, s3, cognito) = (first_number(cells[3]), first_number(cells[4]), first_number(cells[5]));
            let documented = Documented { principals, dynamo, s3, cognito };
            (cells[1].trim().replace('`', ""), documented)
        })
        .collect()
}

struct Counted {
    dynamo: Probe,
    s3: Probe,
    cognito: Probe,
    limits: HashMap<String, Documented>,
    failures: Vec<String>,
    seen: Vec<String>,
    /// Requests made with URLs the operation presigned (they run with its principal's rights).
    presigned: Vec<Value>,
    /// The call log for the IAM proof: each operation, its principals and its requests.
    log: Vec<Value>,
}

impl Counted {
    /// Notes a request made with a URL the next checked operation presigned.
    fn presigned(&mut self, operation: &str, method: &str, url: &str, headers: &BTreeMap<String, String>) {
        let headers = headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), Value::from(v.as_str()))).collect();
        let mut request = call("s3", operation, method, url, headers);
        request["presigned"] = Value::Bool(true);
        self.presigned.push(request);
    }

    fn check(&mut self, operation: &str) {
        let (dynamo_calls, s3_calls, cognito_calls) =
            (self.dynamo.take_calls(), self.s3.take_calls(), self.cognito.take_calls());
        let name = |call: &Value| call["operation"].as_str().unwrap_or("unknown").to_owned();
        let (dynamo, s3): (Vec<String>, Vec<String>) =
            (dynamo_calls.iter().map(name).collect(), s3_calls.iter().map(name).collect());
        let Some(documented) = self.limits.get(operation) else {
            panic!("operation {operation:?} is not in docs/aws.md");
        };
        let (max_dynamo, max_s3, max_cognito) = (documented.dynamo, documented.s3, documented.cognito);
        let cognito: Vec<String> = cognito_calls.iter().map(name).collect();
        let calls =
            dynamo_calls.into_iter().chain(s3_calls).chain(cognito_calls).chain(std::mem::take(&mut self.presigned));
        let calls: Vec<Value> = calls.collect();
        for principal in &documented.principals {
            self.log.push(json!({"operation": operation, "principal": principal, "calls": calls}));
        }
        if dynamo.iter().any(|op| op == "Scan") {
            self.failures.push(format!("{operation}: sent a Scan: {dynamo:?}"));
        }
        // Exact on this happy path: more is a regression, fewer means the table is out of date
        // (and a counter that never fired would fail here too).
        if dynamo.len() != max_dynamo || s3.len() != max_s3 || cognito.len() != max_cognito {
            self.failures.push(format!(
                "{operation}: documented {max_dynamo} DynamoDB + {max_s3} S3 + {max_cognito} Cognito, \
                 sent {dynamo:?} + {s3:?} + {cognito:?}"
            ));
        }
        self.seen.push(operation.to_owned());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_stays_within_its_documented_request_count() {
    let (Some(s3_endpoint), Some(dynamo_endpoint)) = (
        skip_unless_configured("FILESHARE_TEST_S3_ENDPOINT"),
        skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT"),
    ) else {
        return;
    };
    let clock = Arc::new(ManualClock::starting_now());
    s3_store(&clock).await.expect("bucket");
    dynamo_store().await.expect("table");
    let (dynamo_log, s3_log, cognito_log) = (Probe::default(), Probe::default(), Probe::default());
    let files = S3FileStore::builder()
        .bucket(BUCKET)
        .region("us-east-1")
        .endpoint_url(s3_endpoint)
        .force_path_style(true)
        .credentials(credentials())
        .interceptor(s3_log.clone())
        .build()
        .await
        .expect("S3 store");
    let metadata = dynamo_builder(dynamo_endpoint, "us-east-1")
        .table(TABLE)
        .interceptor(dynamo_log.clone())
        .build()
        .await
        .expect("DynamoDB store");
    let metadata = Arc::new(metadata);
    let config = Config { min_part_size: 5 * 1024 * 1024, ..Config::default() };
    let service = FileShare::builder(files, metadata.clone()).config(config).build();
    let http = HttpTransport::new();
    let mut counted = Counted {
        dynamo: dynamo_log,
        s3: s3_log,
        cognito: cognito_log.clone(),
        limits: documented(),
        failures: Vec::new(),
        seen: Vec::new(),
        presigned: Vec::new(),
        log: Vec::new(),
    };
    let (alice, bob) = (random_user("alice"), random_user("bob"));

    let data = Bytes::from(vec![7u8; 1000]);
    let ticket = service
        .create_upload(&alice, UploadRequest::new("a.bin", 1000, "application/octet-stream"))
        .await
        .expect("create");
    let UploadTarget::Single(upload) = &ticket.target else { panic!("single upload expected") };
    counted.presigned("PutObject", "PUT", &upload.url, &upload.headers);
    counted.check("create_upload (single)");
    http.put(&upload.url, &upload.headers, data.clone()).await.expect("upload");
    let file = service.complete_upload(&alice, &ticket.file.id, &[]).await.expect("complete");
    counted.check("complete_upload (single)");

    let big =
        UploadRequest { multipart: true, ..UploadRequest::new("big.bin", 5 * 1024 * 1024 + 10, "application/zip") };
    let ticket = service.create_upload(&alice, big).await.expect("create multipart");
    let UploadTarget::Multipart { parts, .. } = &ticket.target else { panic!("multipart expected") };
    for part in parts {
        counted.presigned("UploadPart", "PUT", &part.url, &BTreeMap::new());
    }
    counted.check("create_upload (multipart)");
    let mut completed = Vec::new();
    for part in parts {
        let body = Bytes::from(vec![1u8; usize::try_from(part.size).expect("part size")]);
        let etag = http.put(&part.url, &Default::default(), body).await.expect("part upload");
        completed.push(CompletedPart { part_number: part.part_number, etag });
    }
    let big = service.complete_upload(&alice, &ticket.file.id, &completed).await.expect("complete multipart");
    counted.check("complete_upload (multipart)");

    service.share(&alice, &file.id, &bob, None).await.expect("share");
    counted.check("share");
    service.get_file(&alice, &file.id).await.expect("get (owner)");
    counted.check("get_file (owner)");
    service.get_file(&bob, &file.id).await.expect("get (grantee)");
    counted.check("get_file (grantee)");
    for (scope, name) in
        [(Scope::Owned, "list_files owned"), (Scope::Shared, "list_files shared"), (Scope::All, "list_files all")]
    {
        service.list_files(&bob, ListRequest::scope(scope)).await.expect("list");
        counted.check(name);
    }
    let url = service.download_url(&bob, &file.id, None).await.expect("download url");
    counted.presigned("GetObject", "GET", &url.url, &BTreeMap::new());
    counted.check("download_url");
    service.unshare(&alice, &file.id, &bob).await.expect("unshare");
    counted.check("unshare");
    let link = service.create_link(&alice, &file.id, LinkOptions::default()).await.expect("create link");
    counted.check("create_link");
    service.list_links(&alice, &file.id).await.expect("list links");
    counted.check("list_links");
    service.link_info(&link.token).await.expect("link info");
    counted.check("link_info");
    let url = service.redeem_link(&link.token, None).await.expect("redeem");
    counted.presigned("GetObject", "GET", &url.url, &BTreeMap::new());
    counted.check("redeem_link (no download limit)");
    let limited = LinkOptions { max_downloads: Some(3), ..LinkOptions::default() };
    let limited = service.create_link(&alice, &file.id, limited).await.expect("create limited link");
    counted.dynamo.take();
    let url = service.redeem_link(&limited.token, None).await.expect("redeem a limited link");
    counted.presigned("GetObject", "GET", &url.url, &BTreeMap::new());
    counted.check("redeem_link (a download limit)");
    let guarded = LinkOptions { password: Some("open sesame".into()), ..LinkOptions::default() };
    let guarded = service.create_link(&alice, &file.id, guarded).await.expect("create password link");
    counted.dynamo.take();
    let url = service.redeem_link(&guarded.token, Some("open sesame")).await.expect("redeem with password");
    counted.presigned("GetObject", "GET", &url.url, &BTreeMap::new());
    counted.check("redeem_link (password)");
    service.revoke_link(&alice, &link.link.id).await.expect("revoke");
    counted.check("revoke_link");
    let small = service.put_bytes(&alice, "s.txt", "text/plain", Bytes::from_static(b"hi")).await.expect("put");
    counted.check("put_bytes");
    service.get_bytes(&alice, &small.id).await.expect("get bytes");
    counted.check("get_bytes");
    service.delete(&alice, &file.id).await.expect("delete");
    counted.check("delete (available file)");
    let pending = UploadRequest { multipart: true, ..UploadRequest::new("p.bin", 10, "application/zip") };
    let pending = service.create_upload(&alice, pending).await.expect("create pending");
    counted.dynamo.take();
    counted.s3.take();
    service.delete(&alice, &pending.file.id).await.expect("delete pending");
    counted.check("delete (pending multipart upload)");
    let _ = big;
    // One share more than a transaction holds: the delete goes in steps.
    for _ in 0..100 {
        service.share(&alice, &small.id, &random_user("grantee"), None).await.expect("share");
    }
    counted.dynamo.take();
    counted.s3.take();
    service.delete(&alice, &small.id).await.expect("delete with 100 shares");
    counted.check("delete (available file, 100 shares)");
    // A delete in steps whose pass was cut short: the tombstone's MODIFY reaches the events function.
    let popular = service.put_bytes(&alice, "p.txt", "text/plain", Bytes::from_static(b"hi")).await.expect("put");
    for _ in 0..130 {
        service.share(&alice, &popular.id, &random_user("grantee"), None).await.expect("share");
    }
    counted.dynamo.fail_next("BatchWriteItem");
    service.delete(&alice, &popular.id).await.expect("deleted for everyone at the first step");
    counted.dynamo.take();
    counted.s3.take();
    assert!(service.finish_deletion(&popular.key()).await.expect("finish"));
    counted.check("finish_deletion (a large delete's pass: the stream's tombstone)");

    // The events function: an upload confirmed from its S3 event, and one abandoned and expired.
    let (service, alice, http, data) = (&service, &alice, &http, &data);
    let sent = |name: &'static str| async move {
        let request = UploadRequest::new(name, 1000, "application/octet-stream");
        let ticket = service.create_upload(alice, request).await.expect("create");
        let UploadTarget::Single(upload) = &ticket.target else { panic!("single upload expected") };
        http.put(&upload.url, &upload.headers, data.clone()).await.expect("upload");
        ticket.file
    };
    let (confirmed, abandoned) = (sent("event.bin").await, sent("abandoned.bin").await);
    service.metadata_store().delete_file(&abandoned.id).await.expect("TTL deletes the record");
    counted.dynamo.take();
    counted.s3.take();
    service.confirm_uploaded_object(&confirmed.key(), 1000, None).await.expect("confirm").expect("confirmed");
    counted.check("confirm_uploaded_object (S3 event)");
    assert!(service.discard_abandoned_upload(&abandoned.key(), None).await.expect("discard"));
    counted.check("discard_abandoned_upload (a file record's removal on the stream: TTL's, or a delete's)");
    let multipart = UploadRequest { multipart: true, ..UploadRequest::new("m.bin", 10, "application/zip") };
    let multipart = service.create_upload(alice, multipart).await.expect("create multipart").file;
    service.metadata_store().delete_file(&multipart.id).await.expect("TTL deletes the record");
    counted.dynamo.take();
    counted.s3.take();
    let upload_id = multipart.multipart.as_ref().map(|plan| plan.upload_id.as_str());
    assert!(service.discard_abandoned_upload(&multipart.key(), upload_id).await.expect("discard"));
    counted.check("discard_abandoned_upload (an abandoned multipart upload)");
    let ttl =
        fileshare_core::backends::RemovedFile { expired: true, size: 1000, upload_id: None, key: abandoned.key() };
    assert!(metadata.release_expired_upload(&ttl).await.expect("release"));
    counted.check("release_expired_upload (a TTL removal on the stream)");

    // Usage and quotas.
    service.usage(alice).await.expect("usage");
    counted.check("usage");
    let carol = random_user("carol");
    let full = fileshare_core::Quota { bytes: Some(0), files: None };
    service.set_quota(&carol, Some(full)).await.expect("set quota");
    counted.check("set_quota");
    let refused = service.create_upload(&carol, UploadRequest::new("c.bin", 1, "text/plain")).await;
    assert!(matches!(refused, Err(fileshare_core::Error::QuotaExceeded { .. })), "{refused:?}");
    counted.check("create_upload (over quota)");
    let refused = UploadRequest { multipart: true, ..UploadRequest::new("c.bin", 1, "text/plain") };
    let refused = service.create_upload(&carol, refused).await;
    assert!(matches!(refused, Err(fileshare_core::Error::QuotaExceeded { .. })), "{refused:?}");
    counted.check("create_upload (multipart, over quota)");

    // The user directory in the table: looked up by the API, kept by the pool's triggers (the
    // events function) and by an operator's import from the pool.
    let directory = DynamoUserDirectory::new(&metadata);
    let moto = skip_unless_configured("FILESHARE_TEST_MOTO_ENDPOINT").expect("moto");
    let (pool_id, _) = fileshare_core::testing::aws_rig::moto_user_pool(&moto, "request-counts").await;
    let dave = random_user("dave").to_string();
    let attributes =
        json!([{"Name": "email", "Value": format!("{dave}@example.com")}, {"Name": "email_verified", "Value": "true"}]);
    let dave = super::pool_account(&moto, &pool_id, &dave, attributes).await;
    let pool = CognitoUserPool::builder()
        .user_pool_id(&pool_id)
        .region("us-east-1")
        .endpoint_url(moto)
        .credentials(credentials())
        .interceptor(cognito_log)
        .build()
        .await
        .expect("pool");
    counted.dynamo.take();
    directory.import(&pool).await.expect("import");
    counted.check("import (a pool of one account)");
    let erin = random_user("erin");
    let entry = DirectoryEntry {
        id: erin.clone(),
        username: format!("{erin}-name"),
        email: Some(format!("{erin}@example.com")),
    };
    directory.record(&entry).await.expect("record");
    counted.check("record (a new account: the pool's trigger)");
    directory.record(&entry).await.expect("record again");
    counted.check("record (a sign-in, nothing changed)");
    let moved = DirectoryEntry { email: Some(format!("moved-{erin}@example.com")), ..entry.clone() };
    directory.record(&moved).await.expect("record a new address");
    counted.check("record (a sign-in with a new verified address)");
    directory.record(&entry).await.expect("and back");
    counted.dynamo.take();
    // In a pool that signs people in by email (the username is the id), the pool keeps an address
    // on one account: a newer claim takes it over. Elsewhere two claims make it ambiguous.
    let frank = random_user("frank");
    let claims = DirectoryEntry { id: frank.clone(), username: frank.to_string(), email: entry.email.clone() };
    directory.record(&claims).await.expect("record a second claim to an address");
    counted.check("record (an address another account holds, in a pool that signs in by email)");
    let gina = random_user("gina");
    let claims = DirectoryEntry { id: gina.clone(), username: format!("{gina}-name"), email: entry.email.clone() };
    directory.record(&claims).await.expect("record a third claim to an address");
    counted.check("record (an address another account holds, in a pool that signs in by username)");
    directory.resolve(&entry.username).await.expect("resolve");
    counted.check("resolve (a username)");
    directory.resolve(entry.email.as_deref().expect("email")).await.expect("resolve");
    counted.check("resolve (an email address)");
    directory.display_names(&[erin.clone(), dave]).await.expect("names");
    counted.check("display_names");
    directory.display_name(&erin).await.expect("name");
    counted.check("display_name (one user: an operator's --id)");
    directory.forget(&erin).await.expect("forget");
    counted.check("forget");

    // The IAM proof (scripts/test-iam) checks these calls against the template's policies.
    if let Some(path) = std::env::var("FILESHARE_AWS_CALLS_OUT").ok().filter(|p| !p.is_empty()) {
        let rig = json!({"bucket": BUCKET, "table": TABLE, "region": "us-east-1", "user_pool": pool_id});
        let log = json!({"rig": rig, "operations": counted.log});
        std::fs::write(&path, serde_json::to_vec_pretty(&log).expect("json")).expect("write the call log");
    }
    let undocumented: Vec<_> = counted.limits.keys().filter(|op| !counted.seen.contains(op)).collect();
    assert!(undocumented.is_empty(), "documented but not measured: {undocumented:?}");
    assert!(counted.failures.is_empty(), "request counts exceeded:\n{}", counted.failures.join("\n"));
}
