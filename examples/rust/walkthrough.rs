//! The whole flow on the embedded default (local disk + SQLite), printing each step:
//! create upload → upload bytes through the presigned form → complete → list → share →
//! the grantee downloads through the presigned URL → a stranger is refused → unshare → delete.
//!
//! Run it with `cargo run -p fileshare-examples --example walkthrough` (the test command does).
//! Data goes to `$FILESHARE_DATA_DIR` (default `./data`). The "client" steps call the embedded
//! store's verifying methods directly: exactly what its HTTP blob endpoints do with a request.

use bytes::Bytes;
use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
use fileshare_core::{Error, FileShare, ListRequest, Scope, UploadRequest, UploadTarget, UserId};
use tokio::io::AsyncReadExt;

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
    let UploadTarget::Form(form) = &ticket.target else { return Err("small files use a form upload".into()) };
    println!("    file id {} is pending; POST to {}", ticket.file.id, form.url);
    println!("    with fields {:?} (valid until {})", form.fields.keys().collect::<Vec<_>>(), form.expires_at);

    step(2, "alice's client POSTs the bytes with the presigned form");
    let mut tampered = form.fields.clone();
    tampered.insert("key".into(), format!("files/{alice}/01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    let refused = service.file_store().receive_form_upload(&tampered, &mut &b"evil"[..]).await;
    println!("    a form with another key is refused: {}", refused.err().map(|e| e.to_string()).unwrap_or_default());
    let stored = service.file_store().receive_form_upload(&form.fields, &mut content.as_ref()).await?;
    println!("    stored {} bytes under {}", stored.size, stored.key);

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
    let mut download = service.file_store().open_download(&url.url).await?;
    let mut body = Vec::new();
    download.body.read_to_end(&mut body).await?;
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
