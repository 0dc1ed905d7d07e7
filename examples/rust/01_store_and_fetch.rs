//! Stage 1 — store and fetch a file through presigned URLs. The service never carries the bytes: it
//! signs a URL that lets the client PUT exactly this file straight to storage — once — and a
//! short-lived URL to GET it back. Run: `cargo run -p fileshare-examples --example 01_store_and_fetch`.

#[path = "common/mod.rs"]
mod common;

use fileshare_core::{UploadRequest, UploadTarget};

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let alice = common::new_user("alice")?;
    let data = bytes::Bytes::from_static(b"Quarterly numbers: all up and to the right.\n");

    let ticket =
        ex.service.create_upload(&alice, UploadRequest::new("report.txt", data.len() as u64, "text/plain")).await?;
    let UploadTarget::Single(upload) = &ticket.target else { return Err("expected a single upload".into()) };
    println!("upload {}: PUT {} with headers {:?}", ticket.file.id, upload.url, upload.headers);
    ex.client.put(&upload.url, &upload.headers, data.clone()).await.map_err(|e| e.0)?;
    let replay = ex.client.put(&upload.url, &upload.headers, data.clone()).await;
    println!("the same URL again is refused (files are written once): {}", replay.is_err());
    let file = ex.service.complete_upload(&alice, &ticket.file.id, &[]).await?;
    println!("completed: {}, {} bytes, {:?}", file.name, file.size, file.status);

    let url = ex.service.download_url(&alice, &file.id, Some(std::time::Duration::from_secs(60))).await?;
    let fetched = ex.client.get(&url.url).await.map_err(|e| e.0)?;
    println!("fetched {} bytes back; Content-Disposition: {}", fetched.body.len(), fetched.content_disposition);
    assert_eq!(fetched.body, data);
    Ok(())
}
