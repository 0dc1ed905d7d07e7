//! The link half of the [`MetadataStore`](crate::MetadataStore) conformance suite: one test per
//! `# Behavior` bullet of `put_link`, `get_link`, `list_links`, `update_link`, `delete_link`.

use super::{random_user, sample_record, MetadataHarness};
use crate::clock::to_millis;
use crate::domain::{FileRecord, FileStatus, LinkToken, LinkUpdate, Quota, ShareLink};
use crate::{assert_error, ok};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;

fn now() -> DateTime<Utc> {
    to_millis(Utc::now())
}

/// A stored-shape link of `file` with every optional field set (or none).
pub(super) fn link_of(file: &FileRecord, full: bool) -> ShareLink {
    let token = LinkToken::generate(file.id);
    let at = now();
    ShareLink {
        id: token.id(),
        secret_hash: token.secret_hash(),
        created_at: at,
        expires_at: full.then(|| at + TimeDelta::days(7)),
        max_downloads: full.then_some(5),
        downloads: 0,
        password_hash: full.then(|| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        attempts: 0,
        attempts_since: None,
    }
}

async fn file_with_status(h: &MetadataHarness, status: FileStatus) -> FileRecord {
    let file = sample_record(&random_user("owner"), now(), status);
    ok!(h.store.insert_file(&file, &Quota::UNLIMITED).await);
    file
}

/// - `put_link` then `get_link` round-trips every field, with the file; `list_links` is oldest first.
pub async fn links_round_trip_and_list_oldest_first(h: &MetadataHarness) {
    let file = file_with_status(h, FileStatus::Available).await;
    let mut first = link_of(&file, true);
    first.created_at -= TimeDelta::seconds(5);
    let second = link_of(&file, false);
    ok!(h.store.put_link(&second, &file).await);
    ok!(h.store.put_link(&first, &file).await);
    let got = ok!(h.store.get_link(&first.id).await).unwrap_or_else(|| panic!("stored link"));
    assert_eq!(got.link, first);
    assert_eq!(got.file, file);
    assert_eq!(ok!(h.store.list_links(&file.id).await), vec![first, second]);
    let other = file_with_status(h, FileStatus::Available).await;
    assert!(ok!(h.store.list_links(&other.id).await).is_empty(), "another file has no links");
}

/// - `put_link` needs an existing, owned, available file; an existing link id conflicts.
pub async fn put_link_requires_an_owned_available_file(h: &MetadataHarness) {
    let pending = file_with_status(h, FileStatus::Pending).await;
    assert_error!(h.store.put_link(&link_of(&pending, false), &pending).await, Conflict);
    let missing = sample_record(&random_user("owner"), now(), FileStatus::Available);
    assert_error!(h.store.put_link(&link_of(&missing, false), &missing).await, NotFound);
    let file = file_with_status(h, FileStatus::Available).await;
    let mut not_owner = file.clone();
    not_owner.owner = random_user("imposter");
    assert_error!(h.store.put_link(&link_of(&file, false), &not_owner).await, NotFound);
    let link = link_of(&file, false);
    ok!(h.store.put_link(&link, &file).await);
    let mut again = link.clone();
    again.max_downloads = Some(1);
    assert_error!(h.store.put_link(&again, &file).await, Conflict);
    assert_eq!(ok!(h.store.get_link(&link.id).await).map(|a| a.link), Some(link));
}

/// - `get_link` of a missing link, or of a link whose file is gone, is `None`; `delete_file`
///   takes the file's links with it.
pub async fn links_go_with_their_file(h: &MetadataHarness) {
    let file = file_with_status(h, FileStatus::Available).await;
    let link = link_of(&file, true);
    assert_eq!(ok!(h.store.get_link(&link.id).await), None);
    ok!(h.store.put_link(&link, &file).await);
    ok!(h.store.delete_file(&file.id).await);
    assert_eq!(ok!(h.store.get_link(&link.id).await), None);
    assert!(ok!(h.store.list_links(&file.id).await).is_empty());
    assert_error!(h.store.update_link(&link.id, LinkUpdate::CountDownload).await, NotFound);
}

/// - `CountDownload` counts up to `max_downloads` and then refuses, changing nothing; concurrent
///   counts never overshoot.
pub async fn count_download_stops_at_the_limit_under_concurrency(h: &MetadataHarness) {
    let file = file_with_status(h, FileStatus::Available).await;
    let link = link_of(&file, true); // 5 downloads
    ok!(h.store.put_link(&link, &file).await);
    let store = Arc::clone(&h.store);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.update_link(&link.id, LinkUpdate::CountDownload).await })
        })
        .collect();
    let mut counted = Vec::new();
    for task in tasks {
        if let Some(link) = ok!(ok!(task.await)) {
            counted.push(link.downloads);
        }
    }
    counted.sort_unstable();
    assert_eq!(counted, vec![1, 2, 3, 4, 5], "exactly five downloads, each counted once");
    let stored = ok!(h.store.get_link(&link.id).await).map(|a| a.link);
    assert_eq!(stored.map(|l| l.downloads), Some(5));
    let unlimited = link_of(&file, false);
    ok!(h.store.put_link(&unlimited, &file).await);
    for expected in 1..=3 {
        let counted = ok!(h.store.update_link(&unlimited.id, LinkUpdate::CountDownload).await);
        assert_eq!(counted.map(|l| l.downloads), Some(expected));
    }
}

/// - `TakeAttempt` takes up to `limit` attempts per window, a new window starts afresh;
///   `RefundAttempt` gives one back and never goes below zero.
pub async fn attempts_are_rationed_per_window(h: &MetadataHarness) {
    let file = file_with_status(h, FileStatus::Available).await;
    let link = link_of(&file, true);
    ok!(h.store.put_link(&link, &file).await);
    let t0 = now();
    let take =
        |at: DateTime<Utc>| LinkUpdate::TakeAttempt { now: at, window_start: at - TimeDelta::minutes(15), limit: 3 };
    for expected in 1..=3 {
        let taken = ok!(h.store.update_link(&link.id, take(t0 + TimeDelta::seconds(expected))).await);
        assert_eq!(
            taken.map(|l| (l.attempts, l.attempts_since)),
            Some((expected as u32, Some(t0 + TimeDelta::seconds(1))))
        );
    }
    assert_eq!(ok!(h.store.update_link(&link.id, take(t0 + TimeDelta::minutes(1))).await), None, "ration used up");
    let refunded = ok!(h.store.update_link(&link.id, LinkUpdate::RefundAttempt).await);
    assert_eq!(refunded.map(|l| l.attempts), Some(2));
    assert!(ok!(h.store.update_link(&link.id, take(t0 + TimeDelta::minutes(2))).await).is_some(), "refunded one");
    let later = t0 + TimeDelta::minutes(16);
    let fresh = ok!(h.store.update_link(&link.id, take(later)).await);
    assert_eq!(fresh.map(|l| (l.attempts, l.attempts_since)), Some((1, Some(later))), "a new window");
    let unused = link_of(&file, false);
    ok!(h.store.put_link(&unused, &file).await);
    let refund = ok!(h.store.update_link(&unused.id, LinkUpdate::RefundAttempt).await);
    assert!(refund.is_none_or(|l| l.attempts == 0), "never below zero");
}

/// - `delete_link` removes one link at once; a missing one is `NotFound`.
pub async fn delete_link_removes_it_and_a_missing_one_is_not_found(h: &MetadataHarness) {
    let file = file_with_status(h, FileStatus::Available).await;
    let (gone, kept) = (link_of(&file, false), link_of(&file, true));
    ok!(h.store.put_link(&gone, &file).await);
    ok!(h.store.put_link(&kept, &file).await);
    ok!(h.store.delete_link(&gone.id).await);
    assert_eq!(ok!(h.store.get_link(&gone.id).await), None);
    assert_error!(h.store.delete_link(&gone.id).await, NotFound);
    assert_eq!(ok!(h.store.list_links(&file.id).await), vec![kept]);
}
