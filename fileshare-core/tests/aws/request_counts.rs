use super::probe::Probe;
use super::*;
use bytes::Bytes;
use fileshare_core::store::CompletedPart;
use fileshare_core::testing::{random_user, Transport};
use fileshare_core::MetadataStore;
use fileshare_core::{Config, FileShare, LinkOptions, ListRequest, Scope, UploadRequest, UploadTarget};
use std::collections::HashMap;

/// The documented maxima: operation → (DynamoDB, S3), parsed from docs/aws.md.
fn documented() -> HashMap<String, (usize, usize)> {
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
            (cells[1].trim().replace('`', ""), (first_number(cells[2]), first_number(cells[3])))
        })
        .collect()
}

struct Counted {
    dynamo: Probe,
    s3: Probe,
    limits: HashMap<String, (usize, usize)>,
    failures: Vec<String>,
    seen: Vec<String>,
}

impl Counted {
    fn check(&mut self, operation: &str) {
        let (dynamo, s3) = (self.dynamo.take(), self.s3.take());
        let Some(&(max_dynamo, max_s3)) = self.limits.get(operation) else {
            panic!("operation {operation:?} is not in docs/aws.md");
        };
        if dynamo.iter().any(|op| op == "Scan") {
            self.failures.push(format!("{operation}: sent a Scan: {dynamo:?}"));
        }
        // Exact on this happy path: more is a regression, fewer means the table is out of date
        // (and a counter that never fired would fail here too).
        if dynamo.len() != max_dynamo || s3.len() != max_s3 {
            self.failures
                .push(format!("{operation}: documented {max_dynamo} DynamoDB + {max_s3} S3, sent {dynamo:?} + {s3:?}"));
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
    let (dynamo_log, s3_log) = (Probe::default(), Probe::default());
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
    let metadata = DynamoMetadataStore::builder()
        .table(TABLE)
        .region("us-east-1")
        .endpoint_url(dynamo_endpoint)
        .credentials(credentials())
        .interceptor(dynamo_log.clone())
        .build()
        .await
        .expect("DynamoDB store");
    let metadata = Arc::new(metadata);
    let config = Config { min_part_size: 5 * 1024 * 1024, ..Config::default() };
    let service = FileShare::builder(files, metadata.clone()).config(config).build();
    let http = HttpTransport::new();
    let mut counted =
        Counted { dynamo: dynamo_log, s3: s3_log, limits: documented(), failures: Vec::new(), seen: Vec::new() };
    let (alice, bob) = (random_user("alice"), random_user("bob"));

    let data = Bytes::from(vec![7u8; 1000]);
    let ticket = service
        .create_upload(&alice, UploadRequest::new("a.bin", 1000, "application/octet-stream"))
        .await
        .expect("create");
    counted.check("create_upload (single)");
    let UploadTarget::Single(upload) = &ticket.target else { panic!("single upload expected") };
    http.put(&upload.url, &upload.headers, data.clone()).await.expect("upload");
    let file = service.complete_upload(&alice, &ticket.file.id, &[]).await.expect("complete");
    counted.check("complete_upload (single)");

    let big =
        UploadRequest { multipart: true, ..UploadRequest::new("big.bin", 5 * 1024 * 1024 + 10, "application/zip") };
    let ticket = service.create_upload(&alice, big).await.expect("create multipart");
    counted.check("create_upload (multipart)");
    let UploadTarget::Multipart { parts, .. } = &ticket.target else { panic!("multipart expected") };
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
    service.download_url(&bob, &file.id, None).await.expect("download url");
    counted.check("download_url");
    service.unshare(&alice, &file.id, &bob).await.expect("unshare");
    counted.check("unshare");
    let link = service.create_link(&alice, &file.id, LinkOptions::default()).await.expect("create link");
    counted.check("create_link");
    service.list_links(&alice, &file.id).await.expect("list links");
    counted.check("list_links");
    service.link_info(&link.token).await.expect("link info");
    counted.check("link_info");
    service.redeem_link(&link.token, None).await.expect("redeem");
    counted.check("redeem_link");
    let guarded = LinkOptions { password: Some("open sesame".into()), ..LinkOptions::default() };
    let guarded = service.create_link(&alice, &file.id, guarded).await.expect("create password link");
    counted.dynamo.take();
    service.redeem_link(&guarded.token, Some("open sesame")).await.expect("redeem with password");
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

    let undocumented: Vec<_> = counted.limits.keys().filter(|op| !counted.seen.contains(op)).collect();
    assert!(undocumented.is_empty(), "documented but not measured: {undocumented:?}");
    assert!(counted.failures.is_empty(), "request counts exceeded:\n{}", counted.failures.join("\n"));
}
