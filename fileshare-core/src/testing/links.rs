//! The share-links suite: the link rules of [`FileShare`](crate::FileShare), end to end through
//! real backends — redemption fetches real bytes, limits hold under concurrency, every dead link
//! looks the same, passwords are rationed.

use super::rules::{service, service_with, Service};
use super::{random_user, RulesHarness};
use crate::domain::{FileRecord, LinkToken, UserId};
use crate::service::{Config, LinkOptions};
use crate::{assert_error, ok, Error};
use bytes::Bytes;
use chrono::TimeDelta;
use std::sync::Arc;
use std::time::Duration;

/// Generates the suite's tests for a harness factory: `links_conformance!(make_harness);`.
#[macro_export]
macro_rules! links_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            links,
            [
                a_link_hands_out_the_file_to_anyone_until_its_limit,
                concurrent_redemptions_never_exceed_the_limit,
                every_dead_link_answers_the_same,
                passwords_are_checked_and_rationed,
                concurrent_wrong_passwords_stay_within_the_ration,
                link_options_are_validated,
                only_the_owner_manages_links,
                the_store_keeps_no_usable_token,
            ]
        );
    };
}

const CONTENTS: &[u8] = b"the quarterly figures";

async fn shared_file(s: &Service, owner: &UserId) -> FileRecord {
    ok!(s.put_bytes(owner, "figures.csv", "text/csv", Bytes::from_static(CONTENTS)).await)
}

fn limited(n: u32) -> LinkOptions {
    LinkOptions { max_downloads: Some(n), ..LinkOptions::default() }
}

fn with_password(password: &str) -> LinkOptions {
    LinkOptions { password: Some(password.to_owned()), ..LinkOptions::default() }
}

/// Redeems `token` and fetches the URL: the bytes a link's holder gets.
async fn download(h: &RulesHarness, s: &Service, token: &LinkToken, password: Option<&str>) -> crate::Result<Bytes> {
    let url = s.redeem_link(token, password).await?;
    let fetched = h.transport.get(&url.url).await.map_err(|e| Error::storage("transport", e.0))?;
    Ok(fetched.body)
}

/// - A link's token, parsed from its revealed form, downloads the file's exact bytes with no
///   account; the info shows name, size, downloads left; after `max_downloads` it is `NotFound`.
pub async fn a_link_hands_out_the_file_to_anyone_until_its_limit(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let created = ok!(s.create_link(&alice, &file.id, limited(2)).await);
    let token: LinkToken = ok!(created.token.reveal().parse());
    let info = ok!(s.link_info(&token).await);
    assert_eq!((info.name.as_str(), info.size, info.downloads_left), ("figures.csv", CONTENTS.len() as u64, Some(2)));
    assert!(!info.password_required);
    for _ in 0..2 {
        assert_eq!(&ok!(download(h, &s, &token, None).await)[..], CONTENTS);
    }
    assert_error!(s.redeem_link(&token, None).await, NotFound);
    assert_error!(s.link_info(&token).await, NotFound);
    let listed = ok!(s.list_links(&alice, &file.id).await);
    assert_eq!(listed.iter().map(|l| (l.id, l.downloads)).collect::<Vec<_>>(), vec![(created.link.id, 2)]);
}

/// - 20 concurrent redemptions of a 5-download link yield exactly 5 URLs.
pub async fn concurrent_redemptions_never_exceed_the_limit(h: &RulesHarness) {
    let s = Arc::new(service(h));
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let token = ok!(s.create_link(&alice, &file.id, limited(5)).await).token;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (s, token) = (Arc::clone(&s), token.clone());
            tokio::spawn(async move { s.redeem_link(&token, None).await })
        })
        .collect();
    let (mut urls, mut refused) = (0, 0);
    for task in tasks {
        match ok!(task.await) {
            Ok(_) => urls += 1,
            Err(Error::NotFound { .. }) => refused += 1,
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!((urls, refused), (5, 15));
    assert_eq!(ok!(s.list_links(&alice, &file.id).await)[0].downloads, 5);
}

/// - Unknown, wrong-secret, revoked, expired, exhausted links and links of a deleted file all
///   answer `NotFound` with the same message shape, for info and redemption alike.
pub async fn every_dead_link_answers_the_same(h: &RulesHarness) {
    h.clock.set(chrono::Utc::now());
    let s = service(h);
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let unknown = LinkToken::generate(file.id);
    let live = ok!(s.create_link(&alice, &file.id, LinkOptions::default()).await).token;
    let wrong_secret: LinkToken = {
        let other = LinkToken::generate(file.id).reveal();
        let secret = other.split_once('.').map(|(_, s)| s).unwrap_or_default();
        ok!(format!("{}.{secret}", live.id()).parse())
    };
    let revoked = ok!(s.create_link(&alice, &file.id, LinkOptions::default()).await).token;
    ok!(s.revoke_link(&alice, &revoked.id()).await);
    assert_error!(s.revoke_link(&alice, &revoked.id()).await, NotFound);
    let expiring = LinkOptions { expires_at: Some(h.clock.now_plus(TimeDelta::minutes(1))), ..LinkOptions::default() };
    let expired = ok!(s.create_link(&alice, &file.id, expiring).await).token;
    let exhausted = ok!(s.create_link(&alice, &file.id, limited(1)).await).token;
    ok!(s.redeem_link(&exhausted, None).await);
    let doomed = shared_file(&s, &alice).await;
    let of_deleted = ok!(s.create_link(&alice, &doomed.id, LinkOptions::default()).await).token;
    ok!(s.delete(&alice, &doomed.id).await);
    h.clock.advance(Duration::from_secs(120));
    assert!(s.redeem_link(&live, None).await.is_ok(), "the control link still works");
    for (what, token) in [
        ("unknown", &unknown),
        ("wrong secret", &wrong_secret),
        ("revoked", &revoked),
        ("expired", &expired),
        ("exhausted", &exhausted),
        ("of a deleted file", &of_deleted),
    ] {
        let expected = format!("link not found: {}", token.id());
        for result in [s.link_info(token).await.map(drop), s.redeem_link(token, None).await.map(drop)] {
            match result {
                Err(e @ Error::NotFound { .. }) => assert_eq!(e.to_string(), expected, "{what}"),
                other => panic!("{what} link: expected NotFound, got {other:?}"),
            }
        }
    }
}

/// - A password link needs its password: none or a wrong one is `WrongPassword` and yields no URL;
///   after the ration of wrong ones even the right one is `TooManyAttempts` until the window ends;
///   right passwords do not use up the ration.
pub async fn passwords_are_checked_and_rationed(h: &RulesHarness) {
    h.clock.set(chrono::Utc::now());
    let config = Config { link_password_attempts: 3, ..Config::default() };
    let s = service_with(h, config.clone());
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let token = ok!(s.create_link(&alice, &file.id, with_password("correct horse")).await).token;
    assert!(ok!(s.link_info(&token).await).password_required);
    assert_error!(s.redeem_link(&token, None).await, WrongPassword);
    for _ in 0..5 {
        assert_eq!(&ok!(download(h, &s, &token, Some("correct horse")).await)[..], CONTENTS, "right ones are free");
    }
    for _ in 0..3 {
        assert_error!(s.redeem_link(&token, Some("Correct horse")).await, WrongPassword);
    }
    match s.redeem_link(&token, Some("correct horse")).await {
        Err(Error::TooManyAttempts { retry_after }) => {
            assert!(retry_after <= config.link_password_window && retry_after >= Duration::from_secs(1));
        }
        other => panic!("expected TooManyAttempts, got {other:?}"),
    }
    h.clock.advance(config.link_password_window + Duration::from_secs(1));
    assert!(s.redeem_link(&token, Some("correct horse")).await.is_ok(), "a new window takes attempts again");
    let listed = ok!(s.list_links(&alice, &file.id).await);
    assert!(listed[0].password_hash.as_deref().is_some_and(|h| h.starts_with("$argon2id$")), "stored as argon2id");
}

/// - Concurrent wrong guesses never get more checks than the ration: of 12 at once against a
///   ration of 3, at most 3 are checked (`WrongPassword`), the rest refused unchecked.
pub async fn concurrent_wrong_passwords_stay_within_the_ration(h: &RulesHarness) {
    h.clock.set(chrono::Utc::now());
    let s = Arc::new(service_with(h, Config { link_password_attempts: 3, ..Config::default() }));
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let token = ok!(s.create_link(&alice, &file.id, with_password("open sesame")).await).token;
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let (s, token) = (Arc::clone(&s), token.clone());
            tokio::spawn(async move { s.redeem_link(&token, Some(&format!("guess {i}"))).await })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for task in tasks {
        match ok!(task.await) {
            Err(Error::WrongPassword) => checked += 1,
            Err(Error::TooManyAttempts { .. }) => refused += 1,
            other => panic!("a wrong guess must never succeed: {other:?}"),
        }
    }
    assert_eq!((checked, refused), (3, 9));
}

/// - Bad options are `InvalidInput` and create nothing; a pending file's link is `Conflict`.
pub async fn link_options_are_validated(h: &RulesHarness) {
    h.clock.set(chrono::Utc::now());
    let s = service(h);
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let past = LinkOptions { expires_at: Some(h.clock.now_plus(TimeDelta::seconds(-1))), ..LinkOptions::default() };
    assert_error!(s.create_link(&alice, &file.id, past).await, InvalidInput);
    assert_error!(s.create_link(&alice, &file.id, limited(0)).await, InvalidInput);
    assert_error!(s.create_link(&alice, &file.id, limited(1_000_001)).await, InvalidInput);
    assert_error!(s.create_link(&alice, &file.id, with_password("short")).await, InvalidInput);
    assert_error!(s.create_link(&alice, &file.id, with_password(&"x".repeat(257))).await, InvalidInput);
    assert!(ok!(s.list_links(&alice, &file.id).await).is_empty(), "nothing was created");
    let pending =
        ok!(s.create_upload(&alice, crate::UploadRequest::new("later.bin", 10, "application/octet-stream")).await);
    assert_error!(s.create_link(&alice, &pending.file.id, LinkOptions::default()).await, Conflict);
}

/// - Creating, listing and revoking links is owner-only: a grantee is `Forbidden`, a stranger
///   `NotFound`, and neither changes anything.
pub async fn only_the_owner_manages_links(h: &RulesHarness) {
    let s = service(h);
    let (alice, bob, mallory) = (random_user("alice"), random_user("bob"), random_user("mallory"));
    let file = shared_file(&s, &alice).await;
    ok!(s.share(&alice, &file.id, &bob, None).await);
    let link = ok!(s.create_link(&alice, &file.id, LinkOptions::default()).await).link;
    assert_error!(s.create_link(&bob, &file.id, LinkOptions::default()).await, Forbidden);
    assert_error!(s.list_links(&bob, &file.id).await, Forbidden);
    assert_error!(s.revoke_link(&bob, &link.id).await, Forbidden);
    assert_error!(s.create_link(&mallory, &file.id, LinkOptions::default()).await, NotFound);
    assert_error!(s.list_links(&mallory, &file.id).await, NotFound);
    assert_error!(s.revoke_link(&mallory, &link.id).await, NotFound);
    assert_eq!(ok!(s.list_links(&alice, &file.id).await), vec![link]);
}

/// - What the store keeps of a link cannot be redeemed: it holds the secret's hash, never the token.
pub async fn the_store_keeps_no_usable_token(h: &RulesHarness) {
    let s = service(h);
    let alice = random_user("alice");
    let file = shared_file(&s, &alice).await;
    let created = ok!(s.create_link(&alice, &file.id, with_password("hunter2hunter2")).await);
    let stored = ok!(h.metadata.get_link(&created.link.id).await).map(|a| a.link).unwrap_or_else(|| panic!("stored"));
    let revealed = created.token.reveal();
    let secret = revealed.split_once('.').map(|(_, s)| s).unwrap_or_default();
    let dump = format!("{} {:?} {:?}", stored.secret_hash, stored.password_hash, stored);
    assert!(!dump.contains(secret) && !dump.contains("hunter2"), "no secret or password in what is stored");
    // A token built from the stored hash, as a thief of the table might try, opens nothing.
    let forged = format!("{}.{}", stored.id, &stored.secret_hash[..22]);
    if let Ok(forged) = forged.parse::<LinkToken>() {
        assert_error!(s.redeem_link(&forged, None).await, NotFound);
    }
}
