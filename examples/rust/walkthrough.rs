//! The whole flow on the embedded default (local disk + SQLite), printing each step:
//! create upload → upload bytes through the presigned URL → complete → list → share →
//! the grantee downloads through the presigned URL → a stranger is refused → unshare → delete.
//!
//! Run it with `cargo run -p fileshare-examples --example walkthrough` (the test command does).
//! Data goes to `$FILESHARE_DATA_DIR` (default `./data`). The "client" steps call what the local
//! server's blob endpoints call with a request: `FileShare::receive_embedded_upload` and
//! `open_embedded_download`, which check the signature and, every time, the rules.

use bytes::Bytes;
use fileshare_core::backends::{collect_body, LocalFileStore, SqliteMetadataStore};
use fileshare_core::{Error, FileShare, ListRequest, Scope, UploadRequest, UploadTarget, UserId};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn step(n: u32, what: &str) {
    println!("\n[{n}] {what}");
}

#[tokio::main]
async fn main() -> Result<()> {
    let data_dir = std::env::var("FILESHARE_DATA_DIR").unwrap_or_else(|_| "data".into());
    let files = LocalFileStore::open(&data_dir).await?;
    let metadata = SqliteMetadataStore::open(format!("{data_dir}/fileshare.db")).await?;
    let service = FileShare::new(files, metadata);
    println!("fileshare walkthrough — embedded default in {data_dir}/");

    // User ids are the identity provider's stable subjects (Cognito `sub`); fixed ones here.
    let alice = UserId::new("alice")?;
    let bob = UserId::new("bob")?;
    let mallory = UserId::new("mallory")?;
    let content = Bytes::from_static("Quarterly numbers: all up and to the right.\n".as_bytes());

    step(1, "alice asks to upload 'résumé 2026 — 東京.txt'");
    let request = UploadRequest::new("résumé 2026 — 東京.txt", content.len() as u64, "text/plain; charset=utf-8");
    let ticket = service.create_upload(&alice, request).await?;
    let UploadTarget::Single(upload) = &ticket.target else { return Err("small files use a single upload".into()) };
    println!("    file id {} is pending; PUT to {}", ticket.file.id, upload.url);
    println!("    with headers {:?} (valid until {})", upload.headers, upload.expires_at);

    step(2, "alice's client PUTs the bytes to the presigned URL");
    let store = service.file_store();
    let mut tampered = upload.headers.clone();
    tampered.insert("content-type".into(), "text/html".into());
    let refused = service.receive_embedded_upload(store, &upload.url, &tampered, &mut &b"<script>"[..]).await;
    println!("    another content type is refused: {}", refused.err().map(|e| e.to_string()).unwrap_or_default());
    let stored = service.receive_embedded_upload(store, &upload.url, &upload.headers, &mut content.as_ref()).await?;
    println!("    stored {} bytes (ETag {}); the file is available at once", content.len(), stored.etag);
    let again = service.receive_embedded_upload(store, &upload.url, &upload.headers, &mut &b"evil"[..]).await;
    println!("    the same URL again is refused: {}", again.err().map(|e| e.to_string()).unwrap_or_default());

    step(3, "alice completes the upload");
    let file = service.complete_upload(&alice, &ticket.file.id, &[]).await?;
    println!("    status: {:?}, size {} bytes", file.status, file.size);

    step(4, "alice lists her files");
    let page = service.list_files(&alice, ListRequest::scope(Scope::Owned)).await?;
    for entry in &page.items {
        println!("    {}  {:>6} B  {}", entry.file.id, entry.file.size, entry.file.name);
    }

    step(5, "alice shares it with bob");
    let share = service.share(&alice, &file.id, &bob, None).await?;
    println!("    shared with {} ({:?})", share.grantee, share.permission);
    let shared = service.list_files(&bob, ListRequest::scope(Scope::Shared)).await?;
    println!("    bob's 'shared with me': {:?}", shared.items.iter().map(|e| e.file.name.as_str()).collect::<Vec<_>>());

    step(6, "bob gets a short-lived download URL and downloads");
    let url = service.download_url(&bob, &file.id, None).await?;
    println!("    GET {}…  (expires {})", &url.url[..url.url.len().min(90)], url.expires_at);
    let download = service.open_embedded_download(service.file_store(), &url.url).await?;
    let body = collect_body(download.body, download.meta.size).await?;
    println!("    Content-Disposition: {}", download.content_disposition);
    println!("    {} bytes, identical to the upload: {}", body.len(), body == content);

    step(7, "mallory, a stranger, tries the same");
    match service.download_url(&mallory, &file.id, None).await {
        Err(Error::NotFound { .. }) => println!("    refused with NotFound: the file's existence is not revealed"),
        other => return Err(format!("mallory should get NotFound, got {other:?}").into()),
    }
    match service.delete(&bob, &file.id).await {
        Err(Error::Forbidden { .. }) => println!("    bob may read but not delete: Forbidden"),
        other => return Err(format!("bob's delete should be Forbidden, got {other:?}").into()),
    }

    step(8, "alice revokes bob's access");
    service.unshare(&alice, &file.id, &bob).await?;
    let after = service.get_file(&bob, &file.id).await;
    println!("    bob now gets: {}", after.err().map(|e| e.to_string()).unwrap_or_default());
    let held = service.open_embedded_download(service.file_store(), &url.url).await;
    println!("    and the link he still holds: {}", held.err().map(|e| e.to_string()).unwrap_or_default());

    step(9, "alice deletes the file");
    service.delete(&alice, &file.id).await?;
    let left = service.list_files(&alice, ListRequest::scope(Scope::Owned)).await?;
    let still_there = left.items.iter().any(|e| e.file.id == file.id);
    println!("    deleted; still listed: {still_there}");
    if still_there || body != content {
        return Err("walkthrough ended in an unexpected state".into());
    }
    println!("\nDone: every step behaved as the rules say.");
    Ok(())
}
