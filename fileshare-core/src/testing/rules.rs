//! The [`FileShare`](crate::FileShare) rules suite: the authorization matrix and every defined edge
//! case of the sharing rules, run on real backends (an upload's own life in `rules_uploads.rs`).

use super::{random_user, RulesHarness};
use crate::domain::{FileStatus, Progress, Scope, UserId};
use crate::metadata::MetadataStore;
use crate::service::{Config, ListRequest, UploadRequest};
use crate::store::FileStore;
use crate::{assert_error, ok, ContentTypePolicy, FileShare, SHARES_PER_PAGE};
use bytes::Bytes;
use chrono::TimeDelta;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

pub use super::rules_matrix::authorization_matrix;
pub use super::rules_uploads::{
    abandoned_uploads_are_discarded_and_live_files_never, bytes_sent_after_a_delete_are_removed,
    completed_files_are_immutable, completing_before_the_bytes_arrive_conflicts,
    completing_concurrently_or_again_finishes_once, completing_twice_is_idempotent,
    completing_with_the_wrong_size_conflicts, deleting_a_pending_multipart_upload_aborts_it,
    multipart_upload_flow_end_to_end, single_upload_flow_end_to_end,
};

/// Generates the suite's tests for a harness factory: `rules_conformance!(make_harness);`.
#[macro_export]
macro_rules! rules_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            rules,
            [
                authorization_matrix,
                pending_uploads_are_visible_to_their_owner_only,
                expired_pending_uploads_vanish,
                sharing_with_yourself_is_invalid,
                sharing_a_pending_file_conflicts,
                sharing_twice_is_idempotent,
                shares_page_in_user_id_order,
                share_expiry_must_be_in_the_future,
                unsharing_a_user_without_a_share_is_not_found,
                revocation_takes_effect_immediately,
                completing_before_the_bytes_arrive_conflicts,
                completing_with_the_wrong_size_conflicts,
                completing_twice_is_idempotent,
                deleting_removes_bytes_and_shares_and_twice_is_not_found,
                bad_upload_input_is_refused_and_changes_nothing,
                content_type_allowlist_is_enforced,
                listing_rejects_bad_limits_and_cursors,
                listing_all_merges_newest_first_across_pages,
                download_url_lifetime_is_bounded,
                grantee_links_never_outlive_their_share,
                single_upload_flow_end_to_end,
                completed_files_are_immutable,
                bytes_sent_after_a_delete_are_removed,
                multipart_upload_flow_end_to_end,
                deleting_a_pending_multipart_upload_aborts_it,
                completing_concurrently_or_again_finishes_once,
                abandoned_uploads_are_discarded_and_live_files_never,
            ]
        );
    };
}

/// The service type every rules test runs.
pub type Service = FileShare<Arc<dyn FileStore>, Arc<dyn MetadataStore>>;

/// A service over the harness's stores, with `config`.
pub fn service_with(h: &RulesHarness, config: Config) -> Service {
    FileShare::builder(h.files.clone(), h.metadata.clone()).config(config).clock(h.clock.clone()).build()
}

/// A service over the harness's stores with the default config.
pub fn service(h: &RulesHarness) -> Service {
    service_with(h, Config::default())
}

/// An available file of `owner`'s, uploaded in one step.
pub(super) async fn uploaded(s: &Service, owner: &UserId, name: &str) -> crate::FileRecord {
    ok!(s.put_bytes(owner, name, "text/plain", Bytes::from(format!("contents of {name}"))).await)
}

/// - Pending uploads: the owner can read their metadata; they are not listed, not downloadable,
///   and invisible to everyone else.
pub async fn pending_uploads_are_visible_to_their_owner_only(h: &RulesHarness) {
    let s = service(h);
    let (alice, mallory) = (random_user("alice"), random_user("mallory"));
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("draft.txt", 10, "text/plain")).await);
    let id = ticket.file.id;
    assert_eq!(ok!(s.get_file(&alice, &id).await).file.status, FileStatus::Pending);
    assert!(ok!(s.list_files(&alice, ListRequest::default()).await).items.is_empty());
    assert_error!(s.download_url(&alice, &id, None).await, Conflict);
    assert_error!(s.get_file(&mallory, &id).await, NotFound);
    assert_error!(s.complete_upload(&mallory, &id, &[]).await, NotFound);
    assert_error!(s.delete(&mallory, &id).await, NotFound);
}

/// - An upload not completed within `pending_ttl` no longer exists, even for its owner.
pub async fn expired_pending_uploads_vanish(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("late.txt", 10, "text/plain")).await);
    h.clock.advance(s.config().pending_ttl + Duration::from_secs(1));
    assert_error!(s.get_file(&alice, &ticket.file.id).await, NotFound);
    assert_error!(s.complete_upload(&alice, &ticket.file.id, &[]).await, NotFound);
}

/// - Sharing with yourself → `InvalidInput`.
pub async fn sharing_with_yourself_is_invalid(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = uploaded(&s, &alice, "a.txt").await;
    assert_error!(s.share(&alice, &file.id, &alice, None).await, InvalidInput);
}

/// - Sharing a pending file → `Conflict`.
pub async fn sharing_a_pending_file_conflicts(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let ticket = ok!(s.create_upload(&alice, UploadRequest::new("p.txt", 10, "text/plain")).await);
    assert_error!(s.share(&alice, &ticket.file.id, &random_user("bob"), None).await, Conflict);
}

/// - Sharing twice updates the share and never duplicates it.
pub async fn sharing_twice_is_idempotent(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let file = uploaded(&s, &alice, "a.txt").await;
    let first = ok!(s.share(&alice, &file.id, &bob, None).await);
    let until = h.clock.now_plus(TimeDelta::days(1));
    let second = ok!(s.share(&alice, &file.id, &bob, Some(until)).await);
    assert_eq!((second.created_at, second.expires_at), (first.created_at, Some(until)));
    let shared_with = ok!(s.get_file(&alice, &file.id).await).shared_with.expect("the owner sees shares");
    assert_eq!((shared_with.shares, shared_with.next_cursor), (vec![second], None));
    let shared = ok!(s.list_files(&bob, ListRequest::scope(Scope::Shared)).await);
    assert_eq!(shared.items.len(), 1);
}

/// - The owner pages through who a file is shared with; a page's size and cursor are checked.
pub async fn shares_page_in_user_id_order(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = uploaded(&s, &alice, "a.txt").await;
    let mut grantees: Vec<UserId> = (0..5).map(|_| random_user("g")).collect();
    for grantee in &grantees {
        ok!(s.share(&alice, &file.id, grantee, None).await);
    }
    grantees.sort();
    let first = ok!(s.list_shares(&alice, &file.id, None, Some(3)).await);
    let cursor = first.next_cursor.as_ref().map(ToString::to_string).expect("more");
    let second = ok!(s.list_shares(&alice, &file.id, Some(&cursor), Some(3)).await);
    assert_eq!(second.next_cursor, None);
    let seen: Vec<UserId> = first.shares.iter().chain(&second.shares).map(|s| s.grantee.clone()).collect();
    assert_eq!(seen, grantees);
    for limit in [0, SHARES_PER_PAGE + 1] {
        assert_error!(s.list_shares(&alice, &file.id, None, Some(limit)).await, InvalidInput);
    }
    assert_error!(s.list_shares(&alice, &file.id, Some("forged"), None).await, InvalidInput);
}

/// - A share expiry at or before now → `InvalidInput`.
pub async fn share_expiry_must_be_in_the_future(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = uploaded(&s, &alice, "a.txt").await;
    for past in [h.clock.now_plus(TimeDelta::zero()), h.clock.now_plus(TimeDelta::hours(-1))] {
        assert_error!(s.share(&alice, &file.id, &random_user("bob"), Some(past)).await, InvalidInput);
    }
}

/// - Unsharing a user who has no share → `NotFound`.
pub async fn unsharing_a_user_without_a_share_is_not_found(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = uploaded(&s, &alice, "a.txt").await;
    assert_error!(s.unshare(&alice, &file.id, &random_user("bob")).await, NotFound);
}

/// - After unsharing, the former grantee gets `NotFound` and no longer sees the file listed.
pub async fn revocation_takes_effect_immediately(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let file = uploaded(&s, &alice, "a.txt").await;
    ok!(s.share(&alice, &file.id, &bob, None).await);
    ok!(s.download_url(&bob, &file.id, None).await);
    ok!(s.unshare(&alice, &file.id, &bob).await);
    assert_error!(s.get_file(&bob, &file.id).await, NotFound);
    assert_error!(s.download_url(&bob, &file.id, None).await, NotFound);
    assert!(ok!(s.list_files(&bob, ListRequest::default()).await).items.is_empty());
}

/// - Delete removes the record, the shares and the bytes; deleting twice → `NotFound`.
pub async fn deleting_removes_bytes_and_shares_and_twice_is_not_found(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let file = uploaded(&s, &alice, "a.txt").await;
    ok!(s.share(&alice, &file.id, &bob, None).await);
    ok!(s.delete(&alice, &file.id).await);
    assert_eq!(ok!(h.files.head(&file.key()).await), None);
    assert_error!(s.get_file(&bob, &file.id).await, NotFound);
    assert!(ok!(s.list_files(&bob, ListRequest::default()).await).items.is_empty());
    assert_error!(s.delete(&alice, &file.id).await, NotFound);
}

/// - Bad names, sizes and content types get typed errors and create nothing.
pub async fn bad_upload_input_is_refused_and_changes_nothing(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let huge = "x".repeat(256);
    for name in ["", "   ", "a/b", "..\\evil", "bell\u{7}", "line\nbreak", huge.as_str()] {
        assert_error!(s.create_upload(&alice, UploadRequest::new(name, 10, "text/plain")).await, InvalidInput);
    }
    assert_error!(s.create_upload(&alice, UploadRequest::new("a", 0, "text/plain")).await, InvalidInput);
    let over = s.config().max_upload_size + 1;
    assert_error!(s.create_upload(&alice, UploadRequest::new("a", over, "text/plain")).await, TooLarge);
    // Beyond any limit a configuration may set (S3's largest object): malformed, not merely too large.
    for size in [crate::MAX_FILE_SIZE + 1, u64::MAX] {
        let multipart = UploadRequest { multipart: true, ..UploadRequest::new("a", size, "text/plain") };
        assert_error!(s.create_upload(&alice, multipart).await, InvalidInput);
    }
    for ct in ["", "text", "text/", "text/plain; =", "text/plain\r\nX-Injected: 1", "../../x"] {
        assert_error!(s.create_upload(&alice, UploadRequest::new("a", 10, ct)).await, InvalidInput);
    }
    assert!(ok!(s.list_files(&alice, ListRequest::default()).await).items.is_empty());
}

/// - A content type outside the allowlist → `UnsupportedContentType`.
pub async fn content_type_allowlist_is_enforced(h: &RulesHarness) {
    let config = Config { content_types: ContentTypePolicy::Allow(vec!["image/*".into()]), ..Config::default() };
    let s = service_with(h, config);
    let alice = random_user("alice");
    assert_error!(
        s.create_upload(&alice, UploadRequest::new("a.exe", 10, "application/x-msdownload")).await,
        UnsupportedContentType
    );
    ok!(s.create_upload(&alice, UploadRequest::new("a.png", 10, "image/png")).await);
}

/// - Limits outside `1..=max_page_size`, garbage cursors and cursors of another scope → `InvalidInput`.
pub async fn listing_rejects_bad_limits_and_cursors(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    for _ in 0..3 {
        uploaded(&s, &alice, "a.txt").await;
    }
    let list = |scope, limit, cursor: Option<&str>| ListRequest { scope, limit, cursor: cursor.map(str::to_owned) };
    for limit in [0, s.config().max_page_size + 1] {
        assert_error!(s.list_files(&alice, list(Scope::All, Some(limit), None)).await, InvalidInput);
    }
    for garbage in ["", "x", "AAAAAAAA", "../../etc/passwd", "%00", &"A".repeat(10_000)] {
        assert_error!(s.list_files(&alice, list(Scope::Owned, Some(1), Some(garbage))).await, InvalidInput);
    }
    let page = ok!(s.list_files(&alice, list(Scope::Owned, Some(1), None)).await);
    let cursor = page.next_cursor.map(|c| c.to_string()).unwrap_or_else(|| panic!("3 files, page of 1"));
    assert_error!(s.list_files(&alice, list(Scope::Shared, Some(1), Some(&cursor))).await, InvalidInput);
    // Well-formed, but reopening a source its scope does not read.
    let forged = crate::Cursor { scope: Scope::Owned, owned: Progress::Start, shared: Progress::Start }.to_string();
    assert_error!(s.list_files(&alice, list(Scope::Owned, Some(1), Some(&forged))).await, InvalidInput);
    ok!(s.list_files(&alice, list(Scope::Owned, Some(1), Some(&cursor))).await);
}

/// - `all` merges owned and shared newest first; paging visits every file once, ending with no cursor.
pub async fn listing_all_merges_newest_first_across_pages(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob) = (random_user("alice"), random_user("bob"));
    let mut expected = HashSet::new();
    for i in 0..5 {
        h.clock.advance(Duration::from_millis(10));
        expected.insert(uploaded(&s, &alice, &format!("mine-{i}")).await.id);
        h.clock.advance(Duration::from_millis(10));
        let theirs = uploaded(&s, &bob, &format!("theirs-{i}")).await;
        ok!(s.share(&bob, &theirs.id, &alice, None).await);
        expected.insert(theirs.id);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = ok!(s.list_files(&alice, ListRequest { scope: Scope::All, limit: Some(3), cursor }).await);
        assert!(page.items.len() <= 3 && !page.items.is_empty());
        seen.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let ids: Vec<_> = seen.iter().map(|e| e.file.id).collect();
    assert_eq!(ids.len(), 10);
    assert_eq!(ids.iter().copied().collect::<HashSet<_>>(), expected);
    let names: Vec<_> = seen.iter().map(|e| e.file.name.to_string()).collect();
    let newest_first: Vec<_> = (0..5).rev().flat_map(|i| [format!("theirs-{i}"), format!("mine-{i}")]).collect();
    assert_eq!(names, newest_first);
}

/// - Download URL lifetimes must be within 1 s ..= `max_download_url_ttl`.
pub async fn download_url_lifetime_is_bounded(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = uploaded(&s, &alice, "a.txt").await;
    let too_long = s.config().max_download_url_ttl + Duration::from_secs(1);
    for ttl in [Duration::ZERO, too_long] {
        assert_error!(s.download_url(&alice, &file.id, Some(ttl)).await, InvalidInput);
    }
    let url = ok!(s.download_url(&alice, &file.id, Some(Duration::from_secs(60))).await);
    assert!(url.expires_at <= h.clock.now_plus(TimeDelta::seconds(60)));
}

/// - A grantee's link lasts at most `grantee_download_url_ttl` and never past their share's
///   expiry, whatever they ask for; the owner gets what they ask for.
pub async fn grantee_links_never_outlive_their_share(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob, carol) = (random_user("alice"), random_user("bob"), random_user("carol"));
    let file = uploaded(&s, &alice, "a.txt").await;
    let share_ends = h.clock.now_plus(TimeDelta::minutes(2));
    ok!(s.share(&alice, &file.id, &bob, Some(share_ends)).await);
    ok!(s.share(&alice, &file.id, &carol, None).await);
    let hour = Some(Duration::from_secs(3600));
    let bobs = ok!(s.download_url(&bob, &file.id, hour).await);
    assert!(bobs.expires_at <= share_ends, "{} outlives the share ending {share_ends}", bobs.expires_at);
    let carols = ok!(s.download_url(&carol, &file.id, hour).await);
    let cap = h.clock.now_plus(TimeDelta::from_std(s.config().grantee_download_url_ttl).unwrap_or(TimeDelta::MAX));
    assert!(carols.expires_at <= cap, "{} is longer than the grantee maximum", carols.expires_at);
    let alices = ok!(s.download_url(&alice, &file.id, hour).await);
    assert!(alices.expires_at > h.clock.now_plus(TimeDelta::minutes(59)), "the owner's link lasts as asked");
}
