//! The [`MetadataStore`](crate::MetadataStore) conformance suite: one test per `# Behavior` bullet.

use super::{random_user, sample_record, MetadataHarness};
use crate::clock::to_millis;
use crate::domain::{FileId, FileRecord, FileStatus, Permission, Position, Quota, Share, UserId};
use crate::metadata::MetadataStore;
use crate::{assert_error, ok};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashSet;

pub use super::metadata_links::*;
pub use super::metadata_usage::*;

/// Generates the suite's tests for a harness factory: `metadata_conformance!(make_harness);`.
#[macro_export]
macro_rules! metadata_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            metadata,
            [
                insert_then_get_round_trips_every_field,
                insert_of_an_existing_id_conflicts_and_keeps_the_original,
                get_of_a_missing_file_is_none,
                get_returns_only_the_viewers_share,
                mark_available_sets_fields_and_is_idempotent,
                mark_available_of_a_missing_file_is_not_found,
                delete_file_removes_its_shares,
                delete_of_a_missing_file_is_not_found,
                put_share_requires_an_owned_available_file,
                put_share_twice_updates_without_duplicating,
                delete_share_removes_it_and_a_missing_one_is_not_found,
                list_shares_is_in_grantee_order_and_includes_expired,
                list_shares_pages_visit_every_share_once,
                list_owned_is_newest_first_without_pending_or_others,
                list_owned_pages_visit_every_file_once,
                list_shared_with_skips_expired_and_is_newest_first,
                list_shared_with_pages_visit_every_share_once,
                share_racing_delete_never_leaves_a_share_behind,
                concurrent_completes_agree,
                links_round_trip_and_list_oldest_first,
                put_link_requires_an_owned_available_file,
                links_go_with_their_file,
                count_download_stops_at_the_limit_under_concurrency,
                attempts_are_rationed_per_window,
                delete_link_removes_it_and_a_missing_one_is_not_found,
                usage_of_a_new_user_is_zero,
                insert_adds_to_usage_and_delete_gives_it_back_once,
                insert_beyond_the_quota_is_refused_and_stores_nothing,
                concurrent_inserts_never_overshoot_the_quota,
                concurrent_deletes_give_back_once,
                an_own_quota_replaces_the_default,
            ]
        );
    };
}

fn now() -> DateTime<Utc> {
    to_millis(Utc::now())
}

fn share(file: &FileRecord, grantee: &UserId, at: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> Share {
    Share { file_id: file.id, grantee: grantee.clone(), permission: Permission::Read, created_at: at, expires_at }
}

async fn available(store: &dyn MetadataStore, owner: &UserId, at: DateTime<Utc>) -> FileRecord {
    let file = sample_record(owner, at, FileStatus::Available);
    ok!(store.insert_file(&file, &Quota::UNLIMITED).await);
    file
}

/// - A record reads back exactly as written, optional fields included.
pub async fn insert_then_get_round_trips_every_field(h: &MetadataHarness) {
    let owner = random_user("owner");
    for status in [FileStatus::Pending, FileStatus::Available] {
        let mut file = sample_record(&owner, now(), status);
        file.multipart = Some(crate::MultipartUpload { upload_id: "upload-123".into(), part_size: 8 << 20 });
        ok!(h.store.insert_file(&file, &Quota::UNLIMITED).await);
        let got = ok!(h.store.get_file(&file.id, &owner).await).unwrap_or_else(|| panic!("inserted file"));
        assert_eq!(got.file, file);
        assert_eq!(got.share, None);
    }
}

/// - An existing id is `Conflict`; the stored record is unchanged.
pub async fn insert_of_an_existing_id_conflicts_and_keeps_the_original(h: &MetadataHarness) {
    let owner = random_user("owner");
    let file = available(&*h.store, &owner, now()).await;
    let mut imposter = file.clone();
    imposter.owner = random_user("imposter");
    imposter.size = 1;
    assert_error!(h.store.insert_file(&imposter, &Quota::UNLIMITED).await, Conflict);
    let got = ok!(h.store.get_file(&file.id, &owner).await).map(|a| a.file);
    assert_eq!(got, Some(file));
}

/// - A missing file is `None`.
pub async fn get_of_a_missing_file_is_none(h: &MetadataHarness) {
    let got = ok!(h.store.get_file(&FileId::generate(now()), &random_user("u")).await);
    assert_eq!(got, None);
}

/// - `share` is the viewer's own share (expired or not), never someone else's.
pub async fn get_returns_only_the_viewers_share(h: &MetadataHarness) {
    let (owner, bob, carol) = (random_user("owner"), random_user("bob"), random_user("carol"));
    let file = available(&*h.store, &owner, now()).await;
    let expired = share(&file, &bob, now(), Some(now() - TimeDelta::minutes(1)));
    ok!(h.store.put_share(&expired, &file).await);
    let for_bob = ok!(h.store.get_file(&file.id, &bob).await).and_then(|a| a.share);
    assert_eq!(for_bob, Some(expired));
    let for_carol = ok!(h.store.get_file(&file.id, &carol).await).unwrap_or_else(|| panic!("file exists"));
    assert_eq!(for_carol.share, None);
}

/// - Sets available, etag, updated_at; clears pending expiry and the multipart plan; idempotent.
pub async fn mark_available_sets_fields_and_is_idempotent(h: &MetadataHarness) {
    let owner = random_user("owner");
    let mut file = sample_record(&owner, now(), FileStatus::Pending);
    file.multipart = Some(crate::MultipartUpload { upload_id: "u-1".into(), part_size: 8 << 20 });
    ok!(h.store.insert_file(&file, &Quota::UNLIMITED).await);
    let at = now() + TimeDelta::seconds(5);
    let done = ok!(h.store.mark_available(&file, Some("\"e\"".into()), at).await);
    let expected = FileRecord {
        status: FileStatus::Available,
        etag: Some("\"e\"".into()),
        updated_at: at,
        pending_expires_at: None,
        multipart: None,
        ..file.clone()
    };
    assert_eq!(done, expected);
    let again = ok!(h.store.mark_available(&file, Some("\"other\"".into()), at + TimeDelta::seconds(1)).await);
    assert_eq!(again, expected, "completing twice changes nothing");
}

/// - A missing file is `NotFound`.
pub async fn mark_available_of_a_missing_file_is_not_found(h: &MetadataHarness) {
    let missing = sample_record(&random_user("owner"), now(), FileStatus::Pending);
    assert_error!(h.store.mark_available(&missing, None, now()).await, NotFound);
}

/// - Deleting a file deletes every share of it, atomically.
pub async fn delete_file_removes_its_shares(h: &MetadataHarness) {
    let (owner, bob) = (random_user("owner"), random_user("bob"));
    let file = available(&*h.store, &owner, now()).await;
    ok!(h.store.put_share(&share(&file, &bob, now(), None), &file).await);
    assert_eq!(ok!(h.store.delete_file(&file.id).await), file);
    assert_eq!(ok!(h.store.get_file(&file.id, &bob).await), None);
    assert!(ok!(h.store.list_shares(&file.id, None, 10).await).items.is_empty());
    assert!(ok!(h.store.list_shared_with(&bob, now(), None, 10).await).items.is_empty());
}

/// - A missing file is `NotFound` (deleting twice too).
pub async fn delete_of_a_missing_file_is_not_found(h: &MetadataHarness) {
    let file = available(&*h.store, &random_user("owner"), now()).await;
    ok!(h.store.delete_file(&file.id).await);
    assert_error!(h.store.delete_file(&file.id).await, NotFound);
}

/// - Missing or not-owned file → `NotFound`; pending file → `Conflict`; nothing stored.
pub async fn put_share_requires_an_owned_available_file(h: &MetadataHarness) {
    let (owner, bob, mallory) = (random_user("owner"), random_user("bob"), random_user("mallory"));
    let missing = sample_record(&owner, now(), FileStatus::Available);
    assert_error!(h.store.put_share(&share(&missing, &bob, now(), None), &missing).await, NotFound);
    let file = available(&*h.store, &owner, now()).await;
    let claimed = FileRecord { owner: mallory, ..file.clone() };
    assert_error!(h.store.put_share(&share(&file, &bob, now(), None), &claimed).await, NotFound);
    let pending = sample_record(&owner, now(), FileStatus::Pending);
    ok!(h.store.insert_file(&pending, &Quota::UNLIMITED).await);
    let as_if_available = FileRecord { status: FileStatus::Available, ..pending.clone() };
    assert_error!(h.store.put_share(&share(&pending, &bob, now(), None), &as_if_available).await, Conflict);
    assert!(ok!(h.store.list_shares(&file.id, None, 10).await).items.is_empty());
    assert!(ok!(h.store.list_shares(&pending.id, None, 10).await).items.is_empty());
}

/// - Sharing again updates expiry, keeps the first `created_at`, never duplicates.
pub async fn put_share_twice_updates_without_duplicating(h: &MetadataHarness) {
    let (owner, bob) = (random_user("owner"), random_user("bob"));
    let file = available(&*h.store, &owner, now()).await;
    let first = ok!(h.store.put_share(&share(&file, &bob, now(), None), &file).await);
    let later = now() + TimeDelta::seconds(30);
    let expiry = Some(later + TimeDelta::hours(1));
    let second = ok!(h.store.put_share(&share(&file, &bob, later, expiry), &file).await);
    assert_eq!(second, Share { expires_at: expiry, ..first });
    assert_eq!(ok!(h.store.list_shares(&file.id, None, 10).await).items, vec![second]);
}

/// - A deleted share is gone; a missing share is `NotFound`.
pub async fn delete_share_removes_it_and_a_missing_one_is_not_found(h: &MetadataHarness) {
    let (owner, bob) = (random_user("owner"), random_user("bob"));
    let file = available(&*h.store, &owner, now()).await;
    ok!(h.store.put_share(&share(&file, &bob, now(), None), &file).await);
    ok!(h.store.delete_share(&file.id, &bob).await);
    assert_eq!(ok!(h.store.get_file(&file.id, &bob).await).and_then(|a| a.share), None);
    assert_error!(h.store.delete_share(&file.id, &bob).await, NotFound);
    assert_error!(h.store.delete_share(&FileId::generate(now()), &bob).await, NotFound);
}

/// - In grantee order, expired ones included.
pub async fn list_shares_is_in_grantee_order_and_includes_expired(h: &MetadataHarness) {
    let owner = random_user("owner");
    let file = available(&*h.store, &owner, now()).await;
    let t = now();
    let mut expected = Vec::new();
    for i in 0..3 {
        let expires = (i == 1).then(|| t - TimeDelta::minutes(1));
        let s = share(&file, &random_user("g"), t + TimeDelta::seconds(i), expires);
        expected.push(ok!(h.store.put_share(&s, &file).await));
    }
    expected.sort_by(|a, b| a.grantee.cmp(&b.grantee));
    let listed = ok!(h.store.list_shares(&file.id, None, 10).await);
    assert_eq!((listed.items, listed.has_more), (expected, false));
}

/// - Pages visit every share exactly once, each read bounded by its limit.
pub async fn list_shares_pages_visit_every_share_once(h: &MetadataHarness) {
    let owner = random_user("owner");
    let file = available(&*h.store, &owner, now()).await;
    let mut grantees: Vec<UserId> = (0..11).map(|_| random_user("g")).collect();
    for grantee in &grantees {
        ok!(h.store.put_share(&share(&file, grantee, now(), None), &file).await);
    }
    let (mut seen, mut after) = (Vec::new(), None);
    loop {
        let page = ok!(h.store.list_shares(&file.id, after.as_ref(), 4).await);
        assert!(page.items.len() <= 4);
        seen.extend(page.items.iter().map(|s| s.grantee.clone()));
        match page.items.last() {
            Some(last) if page.has_more => after = Some(last.grantee.clone()),
            _ => break,
        }
    }
    grantees.sort();
    assert_eq!(seen, grantees);
}

/// - Newest first; pending files and other owners' files are not listed.
pub async fn list_owned_is_newest_first_without_pending_or_others(h: &MetadataHarness) {
    let (owner, other) = (random_user("owner"), random_user("other"));
    let t = now();
    let older = available(&*h.store, &owner, t).await;
    let newer = available(&*h.store, &owner, t + TimeDelta::seconds(1)).await;
    ok!(h
        .store
        .insert_file(&sample_record(&owner, t + TimeDelta::seconds(2), FileStatus::Pending), &Quota::UNLIMITED)
        .await);
    available(&*h.store, &other, t + TimeDelta::seconds(3)).await;
    let slice = ok!(h.store.list_owned(&owner, None, 10).await);
    assert_eq!(slice.items, vec![newer, older]);
    assert!(!slice.has_more);
}

/// - Paging with the last item's position visits every file exactly once, even with equal timestamps.
pub async fn list_owned_pages_visit_every_file_once(h: &MetadataHarness) {
    let owner = random_user("owner");
    let t = now();
    let mut expected = Vec::new();
    for i in 0..23 {
        // Groups of three share a timestamp: the id must break ties.
        expected.push(available(&*h.store, &owner, t + TimeDelta::milliseconds(i / 3)).await);
    }
    expected.sort_by_key(|f| std::cmp::Reverse((f.created_at, f.id)));
    let mut seen = Vec::new();
    let mut after: Option<Position> = None;
    loop {
        let slice = ok!(h.store.list_owned(&owner, after.as_ref(), 5).await);
        assert!(slice.items.len() <= 5);
        seen.extend(slice.items.iter().cloned());
        after = slice.items.last().map(|f| Position { at: f.created_at, id: f.id });
        if !slice.has_more {
            break;
        }
    }
    assert_eq!(seen, expected);
}

/// - Expired shares are not listed; newest share first.
pub async fn list_shared_with_skips_expired_and_is_newest_first(h: &MetadataHarness) {
    let (owner, bob) = (random_user("owner"), random_user("bob"));
    let t = now();
    let a = available(&*h.store, &owner, t).await;
    let b = available(&*h.store, &owner, t).await;
    let c = available(&*h.store, &owner, t).await;
    let sa = ok!(h.store.put_share(&share(&a, &bob, t, None), &a).await);
    let sb =
        ok!(h.store.put_share(&share(&b, &bob, t + TimeDelta::seconds(1), Some(t + TimeDelta::hours(1))), &b).await);
    ok!(h.store.put_share(&share(&c, &bob, t + TimeDelta::seconds(2), Some(t + TimeDelta::seconds(10))), &c).await);
    let slice = ok!(h.store.list_shared_with(&bob, t + TimeDelta::seconds(10), None, 10).await);
    let got: Vec<_> = slice.items.iter().map(|s| (s.file.clone(), s.share.clone())).collect();
    assert_eq!(got, vec![(b, sb), (a, sa)]);
}

/// - Paging with the last item's position visits every share exactly once.
pub async fn list_shared_with_pages_visit_every_share_once(h: &MetadataHarness) {
    let bob = random_user("bob");
    let t = now();
    let mut expected = HashSet::new();
    for i in 0..17 {
        let owner = random_user("owner");
        let file = available(&*h.store, &owner, t).await;
        ok!(h.store.put_share(&share(&file, &bob, t + TimeDelta::milliseconds(i / 4), None), &file).await);
        expected.insert(file.id);
    }
    let mut seen = Vec::new();
    let mut after: Option<Position> = None;
    loop {
        let slice = ok!(h.store.list_shared_with(&bob, t, after.as_ref(), 4).await);
        seen.extend(slice.items.iter().map(|s| (s.share.created_at, s.file.id)));
        after = slice.items.last().map(|s| Position { at: s.share.created_at, id: s.file.id });
        if !slice.has_more {
            break;
        }
    }
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "strictly newest first: {seen:?}");
    assert_eq!(seen.iter().map(|(_, id)| *id).collect::<HashSet<_>>(), expected);
    assert_eq!(seen.len(), expected.len());
}

/// - A share racing the file's deletion either loses (`NotFound`) or is deleted with the file:
///   no share ever outlives its file.
pub async fn share_racing_delete_never_leaves_a_share_behind(h: &MetadataHarness) {
    let (owner, bob) = (random_user("owner"), random_user("bob"));
    for _ in 0..20 {
        let file = available(&*h.store, &owner, now()).await;
        let (store_a, store_b) = (h.store.clone(), h.store.clone());
        let s = share(&file, &bob, now(), None);
        let file_a = file.clone();
        let sharing = tokio::spawn(async move { store_a.put_share(&s, &file_a).await });
        let deleting = tokio::spawn(async move { store_b.delete_file(&file.id).await });
        let shared = ok!(sharing.await);
        ok!(ok!(deleting.await));
        if let Err(e) = &shared {
            assert!(matches!(e, crate::Error::NotFound { .. }), "a losing share is NotFound, got {e:?}");
        }
        assert!(ok!(h.store.list_shares(&file.id, None, 10).await).items.is_empty(), "share outlived its file");
    }
    assert!(ok!(h.store.list_shared_with(&bob, now(), None, 100).await).items.is_empty());
}

/// - Concurrent completions of one upload all return the same available record.
pub async fn concurrent_completes_agree(h: &MetadataHarness) {
    let owner = random_user("owner");
    let file = sample_record(&owner, now(), FileStatus::Pending);
    ok!(h.store.insert_file(&file, &Quota::UNLIMITED).await);
    let at = now();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = h.store.clone();
            let (etag, file) = (format!("\"{i}\""), file.clone());
            tokio::spawn(async move { store.mark_available(&file, Some(etag), at + TimeDelta::milliseconds(i)).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(ok!(ok!(task.await)));
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "completions disagree: {results:?}");
    assert_eq!(results[0].status, FileStatus::Available);
}
