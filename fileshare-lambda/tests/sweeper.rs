//! The local server's sweep of abandoned uploads, on the embedded default (disk + SQLite), with a
//! manual clock so that upload windows close without waiting.

use bytes::Bytes;
use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
use fileshare_core::clock::ManualClock;
use fileshare_core::{FileShare, FileStore, MetadataStore, UploadRequest, UserId};
use fileshare_lambda::state::Service;
use fileshare_lambda::sweeper::sweep_once;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn abandoned_uploads_are_swept_with_their_bytes_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Arc<dyn FileStore> = Arc::new(LocalFileStore::open(dir.path()).await.expect("files"));
    let sqlite = SqliteMetadataStore::open(dir.path().join("fileshare.db")).await.expect("sqlite");
    let clock = Arc::new(ManualClock::starting_now());
    let metadata: Arc<dyn MetadataStore> = Arc::new(sqlite.clone());
    let service: Service = FileShare::builder(files.clone(), metadata.clone()).clock(clock.clone()).build();
    let alice = UserId::new("alice").expect("user");

    let kept = service.put_bytes(&alice, "kept.txt", "text/plain", Bytes::from_static(b"kept")).await.expect("file");
    let abandoned = service.create_upload(&alice, UploadRequest::new("a.txt", 4, "text/plain")).await.expect("upload");
    let abandoned = abandoned.file;
    files.put(&abandoned.key(), &(&abandoned).into(), Bytes::from_static(b"late")).await.expect("bytes");

    // Within the window and its grace period nothing is swept.
    assert_eq!(sweep_once(&service, &sqlite).await.expect("sweep"), 0);
    clock.advance(service.config().pending_ttl + Duration::from_secs(4 * 60));
    assert_eq!(sweep_once(&service, &sqlite).await.expect("sweep"), 0, "still in the grace period");

    clock.advance(Duration::from_secs(2 * 60));
    let fresh = service.create_upload(&alice, UploadRequest::new("b.txt", 4, "text/plain")).await.expect("upload");
    assert_eq!(sweep_once(&service, &sqlite).await.expect("sweep"), 1);
    assert_eq!(files.head(&abandoned.key()).await.expect("head"), None, "bytes removed");
    assert!(metadata.get_file(&abandoned.id, &alice).await.expect("get").is_none(), "record removed");
    assert!(metadata.get_file(&fresh.file.id, &alice).await.expect("get").is_some(), "a new upload stays");
    assert_eq!(service.get_bytes(&alice, &kept.id).await.expect("kept").1, Bytes::from_static(b"kept"));
    assert_eq!(sweep_once(&service, &sqlite).await.expect("sweep"), 0, "nothing left");
}
