//! The local server's sweep of abandoned uploads, on the embedded default (disk + SQLite), with a
//! manual clock so that upload windows close without waiting.

use bytes::Bytes;
use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
use fileshare_core::clock::ManualClock;
use fileshare_core::{FileShare, FileStore, MetadataStore, UploadRequest, UserId};
use fileshare_lambda::state::Service;
use fileshare_lambda::sweeper::{Sweep, SWEEP_EVERY};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn abandoned_uploads_are_swept_with_their_bytes_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = Arc::new(LocalFileStore::open(dir.path()).await.expect("files"));
    let files: Arc<dyn FileStore> = blobs.clone();
    let sqlite = SqliteMetadataStore::open(dir.path().join("fileshare.db")).await.expect("sqlite");
    let clock = Arc::new(ManualClock::starting_now());
    let metadata: Arc<dyn MetadataStore> = Arc::new(sqlite.clone());
    let service: Service = FileShare::builder(files.clone(), metadata.clone()).clock(clock.clone()).build();
    let service = Arc::new(service);
    let sweep = Sweep { service: service.clone(), metadata: sqlite, blobs, identity: None };
    let sweep_once = || async { sweep.once(SWEEP_EVERY).await.expect("sweep").uploads };
    let alice = UserId::new("alice").expect("user");

    let kept = service.put_bytes(&alice, "kept.txt", "text/plain", Bytes::from_static(b"kept")).await.expect("file");
    let abandoned = service.create_upload(&alice, UploadRequest::new("a.txt", 4, "text/plain")).await.expect("upload");
    let abandoned = abandoned.file;
    files.put(&abandoned.key(), &(&abandoned).into(), Bytes::from_static(b"late")).await.expect("bytes");

    // Within the window and its grace period nothing is swept.
    assert_eq!(sweep_once().await, 0);
    clock.advance(service.config().pending_ttl + Duration::from_secs(4 * 60));
    assert_eq!(sweep_once().await, 0, "still in the grace period");

    clock.advance(Duration::from_secs(2 * 60));
    let fresh = service.create_upload(&alice, UploadRequest::new("b.txt", 4, "text/plain")).await.expect("upload");
    assert_eq!(sweep_once().await, 1);
    assert_eq!(files.head(&abandoned.key()).await.expect("head"), None, "bytes removed");
    assert!(metadata.get_file(&abandoned.id, &alice).await.expect("get").is_none(), "record removed");
    assert!(metadata.get_file(&fresh.file.id, &alice).await.expect("get").is_some(), "a new upload stays");
    assert_eq!(service.get_bytes(&alice, &kept.id).await.expect("kept").1, Bytes::from_static(b"kept"));
    assert_eq!(sweep_once().await, 0, "nothing left");
}

#[tokio::test]
async fn temporary_files_of_interrupted_writes_are_swept_once_no_write_can_be_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = Arc::new(LocalFileStore::open(dir.path()).await.expect("files"));
    let sqlite = SqliteMetadataStore::open(dir.path().join("fileshare.db")).await.expect("sqlite");
    let service = Arc::new(FileShare::new(blobs.clone() as Arc<dyn FileStore>, Arc::new(sqlite.clone()) as _));
    let sweep = Sweep { service, metadata: sqlite, blobs, identity: None };
    let tmp = dir.path().join("objects/.tmp");
    std::fs::write(tmp.join("w-left-by-a-crash"), b"half a file").expect("debris");
    assert_eq!(sweep.once(SWEEP_EVERY).await.expect("sweep").debris, 0, "a write may still be touching it");
    assert_eq!(sweep.once(Duration::ZERO).await.expect("sweep").debris, 1, "at start-up none can be");
    assert_eq!(std::fs::read_dir(&tmp).expect("tmp").count(), 0);
}

/// A delete removes the record first and the bytes last: bytes whose removal failed, or whose
/// process died in between, belong to no record and nobody will ask for them again. The sweep
/// walks the stored objects and removes those, and nothing that a record owns.
#[tokio::test]
async fn bytes_that_no_record_owns_are_swept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blobs = Arc::new(LocalFileStore::open(dir.path()).await.expect("files"));
    let files: Arc<dyn FileStore> = blobs.clone();
    let sqlite = SqliteMetadataStore::open(dir.path().join("fileshare.db")).await.expect("sqlite");
    let metadata: Arc<dyn MetadataStore> = Arc::new(sqlite.clone());
    let service = Arc::new(FileShare::new(files.clone(), metadata.clone()));
    let sweep = Sweep { service: service.clone(), metadata: sqlite, blobs, identity: None };
    let alice = UserId::new("alice").expect("user");
    let kept = service.put_bytes(&alice, "kept.txt", "text/plain", Bytes::from_static(b"kept")).await.expect("file");
    let pending = service.create_upload(&alice, UploadRequest::new("p.txt", 4, "text/plain")).await.expect("upload");
    files.put(&pending.file.key(), &(&pending.file).into(), Bytes::from_static(b"late")).await.expect("bytes");
    let orphan = service.put_bytes(&alice, "gone.txt", "text/plain", Bytes::from_static(b"gone")).await.expect("file");
    metadata.delete_file(&orphan.id).await.expect("the record goes; the process dies before the bytes do");

    assert_eq!(sweep.once(SWEEP_EVERY).await.expect("sweep").orphans, 1);
    assert_eq!(files.head(&orphan.key()).await.expect("head"), None, "orphan bytes removed");
    assert!(files.head(&pending.file.key()).await.expect("head").is_some(), "a pending upload's bytes stay");
    assert_eq!(service.get_bytes(&alice, &kept.id).await.expect("kept").1, Bytes::from_static(b"kept"));
    assert_eq!(sweep.once(SWEEP_EVERY).await.expect("sweep").orphans, 0, "nothing left");
}
