//! The quota suite: usage and quotas through [`FileShare`](crate::FileShare) on real backends —
//! concurrent uploads racing a quota, space given back by deletes and by the abandoned-upload
//! sweep, refusals that say why, and an operator's quota.

use super::rules::{service_with, Service};
use super::{random_user, RulesHarness};
use crate::domain::{Quota, Usage, UserId};
use crate::service::{Config, UploadRequest};
use crate::{assert_error, ok, Error};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;

/// Generates the suite's tests for a harness factory: `quota_conformance!(make_harness);`.
#[macro_export]
macro_rules! quota_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            quota,
            [
                concurrent_uploads_never_exceed_the_bytes_quota,
                concurrent_uploads_never_exceed_the_files_quota,
                usage_counts_pending_uploads_and_completing_keeps_it,
                deleting_and_discarding_give_the_space_back,
                an_upload_over_quota_is_refused_with_the_figures,
                an_operators_quota_replaces_the_default,
            ]
        );
    };
}

/// A service whose default quota is `quota`.
fn with_quota(h: &RulesHarness, quota: Quota) -> Service {
    service_with(h, Config { quota, ..Config::default() })
}

fn request(size: u64) -> UploadRequest {
    UploadRequest::new("report.bin", size, "application/octet-stream")
}

async fn usage(s: &Service, user: &UserId) -> Usage {
    ok!(s.usage(user).await).usage
}

/// 32 uploads of `size` bytes started at once; returns how many were accepted. Every refusal
/// must be the quota's.
async fn race(s: Arc<Service>, user: &UserId, size: u64) -> u64 {
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (s, user) = (s.clone(), user.clone());
            tokio::spawn(async move { s.create_upload(&user, request(size)).await })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match ok!(task.await) {
            Ok(_) => accepted += 1,
            Err(Error::QuotaExceeded { .. }) => {}
            Err(e) => panic!("an upload failed otherwise: {e:?}"),
        }
    }
    accepted
}

/// - 32 concurrent uploads racing a quota that admits 10 by bytes: exactly 10 are accepted, and
///   the usage is exactly theirs.
pub async fn concurrent_uploads_never_exceed_the_bytes_quota(h: &RulesHarness) {
    let s = Arc::new(with_quota(h, Quota { bytes: Some(10_000), files: None }));
    let alice = random_user("alice");
    assert_eq!(race(s.clone(), &alice, 1000).await, 10);
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 10_000, files: 10 });
}

/// - 32 concurrent uploads racing a quota that admits 10 by count: exactly 10 are accepted.
pub async fn concurrent_uploads_never_exceed_the_files_quota(h: &RulesHarness) {
    let s = Arc::new(with_quota(h, Quota { bytes: None, files: Some(10) }));
    let alice = random_user("alice");
    assert_eq!(race(s.clone(), &alice, 7).await, 10);
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 70, files: 10 });
}

/// - A pending upload holds its declared size from the start; completing keeps it; a grantee's
///   usage does not change when a file is shared with them.
pub async fn usage_counts_pending_uploads_and_completing_keeps_it(h: &RulesHarness) {
    let s = with_quota(h, Quota::default());
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let ticket = ok!(s.create_upload(&alice, request(5)).await);
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 5, files: 1 });
    ok!(s.file_store().put(&ticket.file.key(), &(&ticket.file).into(), Bytes::from_static(b"12345")).await);
    ok!(s.complete_upload(&alice, &ticket.file.id, &[]).await);
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 5, files: 1 });
    ok!(s.share(&alice, &ticket.file.id, &bob, None).await);
    assert_eq!(usage(&s, &bob).await, Usage::default());
}

/// - Deleting a file, pending or available, and the sweep's discard of an abandoned upload give
///   their space back at once: the next upload fits again.
pub async fn deleting_and_discarding_give_the_space_back(h: &RulesHarness) {
    let s = with_quota(h, Quota { bytes: Some(100), files: Some(2) });
    let alice = random_user("alice");
    let kept = ok!(s.put_bytes(&alice, "kept.txt", "text/plain", Bytes::from(vec![b'k'; 60])).await);
    let abandoned = ok!(s.create_upload(&alice, request(40)).await);
    assert_error!(s.create_upload(&alice, request(1)).await, QuotaExceeded);

    ok!(s.delete(&alice, &kept.id).await);
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 40, files: 1 });
    let pending = ok!(s.create_upload(&alice, request(60)).await);
    ok!(s.delete(&alice, &pending.file.id).await);
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 40, files: 1 });

    h.clock.advance(Config::default().pending_ttl + Duration::from_secs(6 * 60));
    assert!(ok!(s.discard_abandoned_upload(&abandoned.file.key(), None).await));
    assert_eq!(usage(&s, &alice).await, Usage::default());
    ok!(s.discard_abandoned_upload(&abandoned.file.key(), None).await);
    assert_eq!(usage(&s, &alice).await, Usage::default(), "discarding again gives nothing back");
    ok!(s.create_upload(&alice, request(100)).await);
}

/// - An upload that does not fit is refused before any URL is issued, with the usage, the quota
///   and its size; single and multipart alike; nothing is recorded.
pub async fn an_upload_over_quota_is_refused_with_the_figures(h: &RulesHarness) {
    let quota = Quota { bytes: Some(100), files: Some(5) };
    let s = with_quota(h, quota);
    let alice = random_user("alice");
    ok!(s.put_bytes(&alice, "sixty.txt", "text/plain", Bytes::from(vec![b's'; 60])).await);
    for multipart in [false, true] {
        let refused = s.create_upload(&alice, UploadRequest { multipart, ..request(41) }).await;
        match refused {
            Err(Error::QuotaExceeded { usage, quota: by, size }) => {
                assert_eq!((usage, by, size), (Usage { bytes: 60, files: 1 }, quota, 41), "multipart: {multipart}");
            }
            other => panic!("expected QuotaExceeded (multipart: {multipart}), got {other:?}"),
        }
    }
    assert_eq!(usage(&s, &alice).await, Usage { bytes: 60, files: 1 });
    let listed = ok!(s.list_files(&alice, crate::ListRequest::scope(crate::Scope::Owned)).await);
    assert_eq!(listed.items.len(), 1);
}

/// - An operator's quota replaces the default for that user only, reports as `custom`, keeps files
///   stored beyond a lowered quota, and can be removed again.
pub async fn an_operators_quota_replaces_the_default(h: &RulesHarness) {
    let default = Quota { bytes: Some(100), files: None };
    let s = with_quota(h, default);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let own = Quota { bytes: Some(1000), files: Some(3) };
    let report = ok!(s.set_quota(&alice, Some(own)).await);
    assert_eq!((report.quota, report.custom), (own, true));
    let big = ok!(s.put_bytes(&alice, "big.bin", "application/octet-stream", Bytes::from(vec![7; 500])).await);
    assert_error!(s.create_upload(&bob, request(500)).await, QuotaExceeded);

    ok!(s.set_quota(&alice, Some(Quota { bytes: Some(10), files: None })).await);
    assert_error!(s.create_upload(&alice, request(1)).await, QuotaExceeded);
    let (_, bytes) = ok!(s.get_bytes(&alice, &big.id).await);
    assert_eq!(bytes.len(), 500, "files beyond a lowered quota stay");

    let report = ok!(s.set_quota(&alice, None).await);
    assert_eq!((report.quota, report.custom, report.usage), (default, false, Usage { bytes: 500, files: 1 }));
    ok!(s.delete(&alice, &big.id).await);
    ok!(s.create_upload(&alice, request(100)).await);
}
