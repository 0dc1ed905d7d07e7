//! The client against the real local service (embedded default, built-in identity provider) on
//! 127.0.0.1: every operation, typed errors, sessions and their refresh.

mod common;

use axum::http::{Method, StatusCode};
use common::{pattern, recorder, signed_in, unique, MIB, PASSWORD};
use fileshare_client::{
    Access, Client, Destination, DownloadOptions, Error, ErrorKind, FileStatus, LinkBody, LinkRef, ListParams, Scope,
    SessionStore, UploadOptions, UploadSource, UserRef,
};
use fileshare_lambda::testing::{start_embedded, start_embedded_with, Fault, FlakyProxy};
use std::time::Duration;

fn kind<T: std::fmt::Debug>(result: Result<T, Error>) -> ErrorKind {
    result.expect_err("refused").kind()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_list_share_download_and_delete() {
    let service = start_embedded_with(|c| c.user_rate = 1000.0).await;
    let (alice, _) = signed_in(&service.base, "alice").await;
    let (bob, bob_name) = signed_in(&service.base, "bob").await;
    let dir = tempfile::tempdir().expect("tempdir");

    // From memory, from a file (in parts, with progress), from a reader that cannot seek.
    let notes = alice.upload(UploadSource::bytes("notes.txt", &b"hello bob"[..]), &UploadOptions::default()).await;
    let notes = notes.expect("notes");
    assert_eq!((notes.status, notes.access, notes.size), (FileStatus::Available, Access::Owner, 9));
    assert_eq!(notes.content_type, "text/plain");
    let big = pattern(20 * MIB + 9, 1);
    std::fs::write(dir.path().join("big.bin"), &big).expect("write");
    let (progress, reports) = recorder();
    let options =
        UploadOptions { multipart_threshold: 10 * MIB as u64, progress: Some(progress), ..UploadOptions::default() };
    let uploaded = alice.upload(UploadSource::path(dir.path().join("big.bin")), &options).await.expect("big");
    let reports = reports.lock().expect("lock").clone();
    assert_eq!(reports.last(), Some(&(big.len() as u64, big.len() as u64)), "progress ends at the size");
    assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0), "no try failed, so progress only grows");
    let streamed = pattern(12 * MIB + 3, 2);
    let reader = std::io::Cursor::new(streamed.clone());
    let from_reader = UploadSource::reader("stream.bin", streamed.len() as u64, reader);
    let piped = alice.upload(from_reader, &UploadOptions::default()).await.expect("from a reader");

    // Listings, page by page.
    let owned = alice.list_all(Scope::Owned).await.expect("list");
    assert_eq!(owned.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["stream.bin", "big.bin", "notes.txt"]);
    let first = alice.list_files(&ListParams { limit: Some(2), ..ListParams::default() }).await.expect("page");
    assert_eq!(first.files.len(), 2);
    let cursor = first.next_cursor.expect("a second page");
    let second = alice.list_files(&ListParams { cursor: Some(cursor), ..ListParams::default() }).await.expect("page");
    assert_eq!(second.files.len(), 1);

    // Shared by name; the grantee sees who shared it and reads it, and may do nothing else.
    let share = alice.share(&notes.file_id, &UserRef::Name(bob_name.clone()), None).await.expect("share");
    assert_eq!(share.username.as_deref(), Some(bob_name.as_str()));
    let shared = bob.list_all(Scope::Shared).await.expect("shared");
    assert_eq!((shared.len(), shared[0].access), (1, Access::Grantee));
    assert!(shared[0].owner_name.is_some());
    assert_eq!(bob.download_bytes(&notes.file_id).await.expect("read"), &b"hello bob"[..]);
    assert_eq!(
        kind(bob.share(&notes.file_id, &UserRef::Id(bob.session().expect("bob").user_id), None).await),
        ErrorKind::Forbidden
    );
    assert_eq!(kind(bob.delete_file(&notes.file_id).await), ErrorKind::Forbidden);
    assert_eq!(kind(alice.share(&notes.file_id, &"nobody-at-all".into(), None).await), ErrorKind::NotFound);
    alice.unshare(&notes.file_id, &UserRef::Name(bob_name.to_uppercase())).await.expect("unshare by name");
    assert_eq!(kind(bob.get_file(&notes.file_id).await), ErrorKind::NotFound);
    let again = alice.unshare(&notes.file_id, &UserRef::Name(bob_name)).await;
    assert!(matches!(again, Err(Error::NotShared { .. })), "{again:?}");

    // Downloads land whole, under the file's name in a directory, never over a file unasked.
    let out = dir.path().join("out");
    std::fs::create_dir(&out).expect("mkdir");
    let options = DownloadOptions::default();
    let path = alice.download(&uploaded.file_id, Destination::path(&out), &options).await.expect("download");
    assert_eq!(path, Some(out.join("big.bin")));
    assert!(std::fs::read(out.join("big.bin")).expect("read") == big, "the parts, in order");
    let copy = dir.path().join("copy.bin");
    std::fs::write(&copy, b"precious").expect("write");
    let refused = alice.download(&piped.file_id, Destination::path(&copy), &options).await;
    assert!(matches!(refused, Err(Error::OutputExists(_))), "{refused:?}");
    assert_eq!(std::fs::read(&copy).expect("read"), b"precious", "untouched");
    let overwrite = DownloadOptions { overwrite: true, ..DownloadOptions::default() };
    alice.download(&piped.file_id, Destination::path(&copy), &overwrite).await.expect("overwrite");
    assert!(std::fs::read(&copy).expect("read") == streamed, "the reader's bytes, in order");
    let writer = tokio::fs::File::create(dir.path().join("written.bin")).await.expect("create");
    let to_writer = Destination::Writer(Box::new(writer));
    assert_eq!(alice.download(&notes.file_id, to_writer, &options).await.expect("to a writer"), None);
    assert_eq!(std::fs::read(dir.path().join("written.bin")).expect("read"), b"hello bob");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .chain(std::fs::read_dir(&out).expect("dir"))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(".fileshare-download-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // Deleted: gone for its owner too.
    alice.delete_file(&uploaded.file_id).await.expect("delete");
    assert_eq!(kind(alice.get_file(&uploaded.file_id).await), ErrorKind::NotFound);
    assert_eq!(alice.me().await.expect("me").usage.files, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_links_work_without_an_account() {
    let service = start_embedded().await;
    let (alice, _) = signed_in(&service.base, "alice").await;
    let file = alice.upload(UploadSource::bytes("a.txt", &b"for anyone"[..]), &UploadOptions::default()).await;
    let file = file.expect("upload");
    let body = LinkBody { password: Some("open-sesame".into()), max_downloads: Some(1), ..LinkBody::default() };
    let created = alice.create_link(&file.file_id, &body).await.expect("link");
    let plain = alice.create_link(&file.file_id, &LinkBody::default()).await.expect("link");

    // A stranger, with no session, holds the URL.
    let stranger = Client::new(&service.base).expect("client");
    let link: LinkRef = created.url.parse().expect("a link URL");
    let info = stranger.link_info(&link).await.expect("info");
    assert!(info.password_required && info.name == "a.txt" && info.downloads_left == Some(1));
    let dir = tempfile::tempdir().expect("tempdir");
    let options = DownloadOptions::default();
    let wrong =
        stranger.download_link(&link, &info, Some("guess-guess"), Destination::path(dir.path()), &options).await;
    assert_eq!(kind(wrong), ErrorKind::WrongPassword);
    let got = stranger.download_link(&link, &info, Some("open-sesame"), Destination::path(dir.path()), &options).await;
    assert_eq!(std::fs::read(got.expect("download").expect("path")).expect("read"), b"for anyone");
    assert_eq!(kind(stranger.link_info(&link).await), ErrorKind::NotFound, "used up");

    let links = alice.list_links(&file.file_id).await.expect("links");
    assert_eq!(
        links.iter().map(|l| (l.downloads, l.max_downloads)).collect::<Vec<_>>(),
        [(Some(1), Some(1)), (None, None)]
    );
    alice.revoke_link(&plain.link.link_id).await.expect("revoke");
    let bare: LinkRef = plain.token.parse().expect("a bare token");
    assert_eq!(kind(stranger.redeem_link(&bare, None).await), ErrorKind::NotFound, "revoked");
    assert!(matches!(alice.revoke_link("not-a-link").await, Err(Error::Api { .. })));
    assert!(matches!(alice.revoke_link("nonsense").await, Err(Error::InvalidInput(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quota_refusals_carry_their_figures_and_keep_nothing() {
    let quota = fileshare_core::Quota { bytes: Some(MIB as u64), files: Some(2) };
    let service = start_embedded_with(|c| c.limits.quota = quota).await;
    let (alice, _) = signed_in(&service.base, "alice").await;
    alice.upload(UploadSource::bytes("half.bin", vec![7u8; MIB / 2]), &UploadOptions::default()).await.expect("fits");
    let over = alice.upload(UploadSource::bytes("big.bin", vec![7u8; MIB]), &UploadOptions::default()).await;
    let error = over.expect_err("over quota");
    assert_eq!(error.kind(), ErrorKind::QuotaExceeded);
    let figures = error.quota_figures().expect("figures");
    assert_eq!(
        (figures.size, figures.usage.bytes, figures.quota.bytes),
        (MIB as u64, MIB as u64 / 2, Some(MIB as u64))
    );
    let me = alice.me().await.expect("me");
    assert_eq!((me.usage.bytes, me.usage.files), (MIB as u64 / 2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_refresh_once_for_many_calls_and_follow_the_store() {
    let service = start_embedded_with(|c| c.user_rate = 1000.0).await;
    let config = tempfile::tempdir().expect("config");
    let store = SessionStore::new(Some(config.path().to_owned())).expect("store");
    let name = unique("alice");
    let client = Client::builder(&service.base).session_store(store.clone()).build().expect("client");
    client.sign_up(&name, PASSWORD).await.expect("sign up");
    client.log_in(&name, PASSWORD).await.expect("log in");
    let expire = |edit: &dyn Fn(&mut fileshare_client::Session)| {
        let mut session = store.load(&service.base).expect("load").expect("a session");
        edit(&mut session);
        store.save(&service.base, &session).expect("save");
    };

    // Expired: eight calls at once refresh once (the provider refuses a spent refresh token, and
    // would revoke the login on seeing one again).
    expire(&|s| s.expires_at = 0);
    let client = Client::builder(&service.base).session_store(store.clone()).build().expect("client");
    let calls: Vec<_> = (0..8).map(|_| client.me()).collect();
    for result in futures_util::future::join_all(calls).await {
        result.expect("every call succeeds");
    }
    let refreshed = store.load(&service.base).expect("load").expect("session");
    assert!(refreshed.expires_at > chrono::Utc::now().timestamp(), "the new session is stored");

    // A token the API refuses (revoked, or clocks that disagree): refreshed once, and the call repeated.
    expire(&|s| s.access_token = "not.a-valid.token".into());
    let client = Client::builder(&service.base).session_store(store.clone()).build().expect("client");
    client.list_all(Scope::All).await.expect("after a 401");

    // Another process (here, another client on the same store) refreshed first: this one takes
    // its session rather than spend a spent refresh token.
    expire(&|s| s.expires_at = 0);
    let first = Client::builder(&service.base).session_store(store.clone()).build().expect("client");
    let second = Client::builder(&service.base).session_store(store.clone()).build().expect("client");
    first.me().await.expect("first refreshes");
    second.me().await.expect("second follows the store");
    expire(&|s| s.expires_at = 0);
    let second = Client::builder(&service.base).session_store(store.clone()).build().expect("client");
    second.me().await.expect("the login survived: its refresh token still refreshes");

    // Logged out: the refresh token is revoked, and a copy of it is worthless.
    let copy = store.load(&service.base).expect("load").expect("session");
    assert!(second.log_out().await.expect("log out"));
    assert!(!second.log_out().await.expect("again"), "was not logged in");
    assert!(store.load(&service.base).expect("load").is_none());
    store.save(&service.base, &fileshare_client::Session { expires_at: 0, ..copy }).expect("save");
    let revived = Client::builder(&service.base).session_store(store).build().expect("client");
    let expired = revived.me().await;
    assert!(matches!(expired, Err(Error::SessionExpired { .. })), "{expired:?}");

    // Nobody logged in: refused before anything is read or sent.
    let nobody = Client::new(&service.base).expect("client");
    let missing = nobody.upload(UploadSource::path("/no/such/file"), &UploadOptions::default()).await;
    assert!(matches!(missing, Err(Error::NotLoggedIn { .. })), "{missing:?}");
    assert_eq!(kind(nobody.me().await), ErrorKind::Unauthenticated);
}

/// A refresh spends the refresh token it presents: the session it brings must be kept whatever
/// happens to the call that asked for it, a spent one must never be taken up again, and a logout
/// must not be undone by a refresh that finishes after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshed_sessions_survive_callers_that_give_up_and_stale_stores() {
    let (_service, proxy) = FlakyProxy::start(|c| c.user_rate = 1000.0).await;
    let config = tempfile::tempdir().expect("config");
    let store = SessionStore::new(Some(config.path().to_owned())).expect("store");
    let build = || Client::builder(&proxy.base).session_store(store.clone()).build().expect("client");
    let name = unique("alice");
    build().sign_up(&name, PASSWORD).await.expect("sign up");
    build().log_in(&name, PASSWORD).await.expect("log in");
    let first = store.load(&proxy.base).expect("load").expect("session");
    store.save(&proxy.base, &fileshare_client::Session { expires_at: 0, ..first.clone() }).expect("save");
    let client = build();

    // The refresh's answer is held up, and the call that started it gives up first (a timeout;
    // Ctrl-C and cancelled tasks drop it the same way). Its session is kept all the same.
    proxy.plan(Method::POST, "/auth/refresh", StatusCode::OK, Fault::Slow(Duration::from_secs(1)), 1);
    let gave_up = tokio::time::timeout(Duration::from_millis(200), client.me()).await;
    assert!(gave_up.is_err(), "the call gave up before the refresh answered");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    client.me().await.expect("the refreshed session was kept");
    assert_eq!(proxy.transfers_matching("POST", "/auth/refresh"), 1, "refreshed once");

    // Another process writes the spent session back (its write lost a race), and the API then
    // refuses the token: the refresh uses this client's own session, not the older stored one.
    store.save(&proxy.base, &fileshare_client::Session { expires_at: 0, ..first }).expect("save");
    proxy.fail(Method::GET, "/me", StatusCode::UNAUTHORIZED, 1);
    client.me().await.expect("refreshed with its own session");
    assert_eq!(proxy.transfers_matching("POST", "/auth/refresh"), 2);

    // Logging out while a refresh is under way waits for it, then forgets its session too: nobody
    // is logged in afterwards, here or in the store.
    proxy.fail(Method::GET, "/me", StatusCode::UNAUTHORIZED, 1);
    proxy.plan(Method::POST, "/auth/refresh", StatusCode::OK, Fault::Slow(Duration::from_secs(1)), 1);
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.me().await }
    });
    while proxy.transfers_matching("POST", "/auth/refresh") < 3 {
        tokio::time::sleep(Duration::from_millis(20)).await; // until the refresh is under way
    }
    assert!(client.log_out().await.expect("log out"));
    let _ = call.await.expect("the call ends");
    assert!(client.session().is_none(), "logged out");
    assert!(store.load(&proxy.base).expect("load").is_none(), "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_dropped_midway_leaves_nothing_behind() {
    let service = start_embedded().await;
    let (alice, _) = signed_in(&service.base, "alice").await;
    let (started, bytes_moving) = tokio::sync::oneshot::channel();
    let started = std::sync::Mutex::new(Some(started));
    let progress = fileshare_client::Progress::new(move |p| {
        if p.done > 0 {
            if let Some(started) = started.lock().expect("lock").take() {
                let _ = started.send(());
            }
        }
    });
    let options =
        UploadOptions { multipart_threshold: 8 * MIB as u64, progress: Some(progress), ..UploadOptions::default() };
    let upload = alice.upload(UploadSource::bytes("big.bin", pattern(64 * MIB, 3)), &options);
    tokio::select! {
        done = upload => panic!("finished before it could be dropped: {done:?}"),
        _ = bytes_moving => {} // dropped here, mid-transfer
    }
    for _ in 0..50 {
        let me = alice.me().await.expect("me");
        if me.usage.files == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the dropped upload's pending file is still there");
}
