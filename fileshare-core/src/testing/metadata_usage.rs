//! The usage half of the [`MetadataStore`](crate::MetadataStore) conformance suite: one test per
//! `# Behavior` bullet of `insert_file` and `delete_file` on usage, `get_usage` and `set_quota`.

use super::{random_user, sample_record, MetadataHarness};
use crate::clock::to_millis;
use crate::domain::{FileRecord, FileStatus, Quota, StoredUsage, Usage, UserId};
use crate::{assert_error, ok, Error};
use chrono::Utc;
use std::sync::Arc;

/// A record of `owner`'s of `size` bytes.
fn record(owner: &UserId, size: u64, status: FileStatus) -> FileRecord {
    FileRecord { size, ..sample_record(owner, to_millis(Utc::now()), status) }
}

async fn usage(h: &MetadataHarness, owner: &UserId) -> Usage {
    ok!(h.store.get_usage(owner).await).usage
}

/// - A user who never stored anything has zero usage and no quota of their own.
pub async fn usage_of_a_new_user_is_zero(h: &MetadataHarness) {
    assert_eq!(ok!(h.store.get_usage(&random_user("nobody")).await), StoredUsage::default());
}

/// - Inserting adds the record's size and one file, pending or available; deleting gives them
///   back, once: a repeated delete is `NotFound` and changes nothing. Other users are untouched.
pub async fn insert_adds_to_usage_and_delete_gives_it_back_once(h: &MetadataHarness) {
    let (owner, other) = (random_user("owner"), random_user("other"));
    let pending = record(&owner, 700, FileStatus::Pending);
    let available = record(&owner, 300, FileStatus::Available);
    ok!(h.store.insert_file(&pending, &Quota::UNLIMITED).await);
    ok!(h.store.insert_file(&available, &Quota::UNLIMITED).await);
    ok!(h.store.insert_file(&record(&other, 5, FileStatus::Available), &Quota::UNLIMITED).await);
    assert_eq!(usage(h, &owner).await, Usage { bytes: 1000, files: 2 });
    ok!(h.store.mark_available(&pending, None, Utc::now()).await);
    assert_eq!(usage(h, &owner).await, Usage { bytes: 1000, files: 2 }, "completing keeps the reservation");
    ok!(h.store.delete_file(&pending.id).await);
    assert_error!(h.store.delete_file(&pending.id).await, NotFound);
    assert_eq!(usage(h, &owner).await, Usage { bytes: 300, files: 1 });
    assert_eq!(usage(h, &other).await, Usage { bytes: 5, files: 1 });
}

/// - A record that does not fit is `QuotaExceeded` with the usage and quota; nothing is stored.
///   An existing id is `Conflict` and leaves the usage as it was.
pub async fn insert_beyond_the_quota_is_refused_and_stores_nothing(h: &MetadataHarness) {
    let owner = random_user("owner");
    let quota = Quota { bytes: Some(1000), files: Some(2) };
    let first = record(&owner, 600, FileStatus::Available);
    ok!(h.store.insert_file(&first, &quota).await);
    let too_big = record(&owner, 401, FileStatus::Pending);
    match h.store.insert_file(&too_big, &quota).await {
        Err(Error::QuotaExceeded { usage, quota: refused_by, size }) => {
            assert_eq!((usage, refused_by, size), (Usage { bytes: 600, files: 1 }, quota, 401));
        }
        other => panic!("expected QuotaExceeded, got {other:?}"),
    }
    assert!(ok!(h.store.get_file(&too_big.id, &owner).await).is_none(), "a refused record is not stored");
    assert_error!(h.store.insert_file(&first, &quota).await, Conflict);
    ok!(h.store.insert_file(&record(&owner, 400, FileStatus::Pending), &quota).await);
    assert_eq!(usage(h, &owner).await, Usage { bytes: 1000, files: 2 }, "exactly full is allowed");
    let third = record(&owner, 1, FileStatus::Pending);
    assert_error!(h.store.insert_file(&third, &Quota { bytes: None, files: Some(2) }).await, QuotaExceeded);
    assert_eq!(usage(h, &owner).await, Usage { bytes: 1000, files: 2 });
}

/// - Concurrent inserts never overshoot: of 16 that race for room for 5, exactly 5 succeed and
///   the usage is their sum.
pub async fn concurrent_inserts_never_overshoot_the_quota(h: &MetadataHarness) {
    let owner = random_user("owner");
    let quota = Quota { bytes: Some(500), files: None };
    let store = Arc::clone(&h.store);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, file) = (store.clone(), record(&owner, 100, FileStatus::Pending));
            tokio::spawn(async move { store.insert_file(&file, &quota).await })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match ok!(task.await) {
            Ok(()) => accepted += 1,
            Err(Error::QuotaExceeded { .. }) => {}
            Err(e) => panic!("an insert failed otherwise: {e:?}"),
        }
    }
    assert_eq!(accepted, 5);
    assert_eq!(usage(h, &owner).await, Usage { bytes: 500, files: 5 });
}

/// - Concurrent deletes of one record give its size back once: one succeeds, the rest find nothing
///   — for a record alone and for one with more links than one transaction holds (a delete in
///   steps) — and the usage then admits exactly what the quota allows.
pub async fn concurrent_deletes_give_back_once(h: &MetadataHarness) {
    for links in [0, 99] {
        let owner = random_user("owner");
        // Another file keeps usage above the deleted one's size: a second release would show.
        ok!(h.store.insert_file(&record(&owner, 100, FileStatus::Available), &Quota::UNLIMITED).await);
        let file = record(&owner, 100, FileStatus::Available);
        ok!(h.store.insert_file(&file, &Quota::UNLIMITED).await);
        for _ in 0..links {
            ok!(h.store.put_link(&super::metadata_links::link_of(&file, false), &file).await);
        }
        let deletes: Vec<_> = (0..8)
            .map(|_| {
                let (store, id) = (Arc::clone(&h.store), file.id);
                tokio::spawn(async move { store.delete_file(&id).await })
            })
            .collect();
        let mut deleted = 0;
        for delete in deletes {
            match ok!(delete.await) {
                Ok(_) => deleted += 1,
                Err(Error::NotFound { .. }) => {}
                Err(e) => panic!("a delete failed otherwise ({links} links): {e:?}"),
            }
        }
        assert!(deleted >= 1, "the file was deleted ({links} links)");
        assert_eq!(usage(h, &owner).await, Usage { bytes: 100, files: 1 }, "given back once ({links} links)");
        let quota = Quota { bytes: Some(200), files: Some(2) };
        ok!(h.store.insert_file(&record(&owner, 100, FileStatus::Pending), &quota).await);
        assert_error!(h.store.insert_file(&record(&owner, 1, FileStatus::Pending), &quota).await, QuotaExceeded);
    }
}

/// - An operator's quota replaces the default for later inserts and leaves the usage as it is,
///   even above it; removing it restores the default.
pub async fn an_own_quota_replaces_the_default(h: &MetadataHarness) {
    let owner = random_user("owner");
    let default = Quota { bytes: Some(100), files: Some(10) };
    ok!(h.store.insert_file(&record(&owner, 80, FileStatus::Available), &default).await);
    let own = Quota { bytes: Some(1000), files: None };
    ok!(h.store.set_quota(&owner, Some(own)).await);
    assert_eq!(
        ok!(h.store.get_usage(&owner).await),
        StoredUsage { usage: Usage { bytes: 80, files: 1 }, quota: Some(own) }
    );
    ok!(h.store.insert_file(&record(&owner, 900, FileStatus::Pending), &default).await);
    assert_error!(h.store.insert_file(&record(&owner, 21, FileStatus::Pending), &default).await, QuotaExceeded);
    let lower = Quota { bytes: Some(50), files: Some(1) };
    ok!(h.store.set_quota(&owner, Some(lower)).await);
    assert_eq!(ok!(h.store.get_usage(&owner).await).usage, Usage { bytes: 980, files: 2 }, "usage stays");
    assert_error!(h.store.insert_file(&record(&owner, 1, FileStatus::Pending), &default).await, QuotaExceeded);
    ok!(h.store.set_quota(&owner, Some(Quota::UNLIMITED)).await);
    ok!(h.store.insert_file(&record(&owner, 1 << 40, FileStatus::Pending), &default).await);
    ok!(h.store.set_quota(&owner, None).await);
    assert_eq!(ok!(h.store.get_usage(&owner).await).quota, None);
    assert_error!(h.store.insert_file(&record(&owner, 1, FileStatus::Pending), &default).await, QuotaExceeded);
}
