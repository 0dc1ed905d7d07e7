//! Stage 6 — the whole flow, concurrently: upload three files at once, share them, download them as
//! the grantee, revoke one, delete all. Run: `cargo run -p fileshare-examples --example 06_end_to_end`.

#[path = "common/mod.rs"]
mod common;

use fileshare_core::{ListRequest, Scope, UploadRequest, UploadTarget};
use futures::future::try_join_all;

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let (alice, bob) = (common::new_user("alice")?, common::new_user("bob")?);
    let (service, client, owner) = (&ex.service, &ex.client, &alice);

    let uploads = (0..3).map(|i| async move {
        let body = bytes::Bytes::from(format!("chapter {i}"));
        let request = UploadRequest::new(format!("chapter-{i}.txt"), body.len() as u64, "text/plain");
        let ticket = service.create_upload(owner, request).await?;
        let UploadTarget::Single(upload) = &ticket.target else { return Err("expected a single upload".into()) };
        client.put(&upload.url, &upload.headers, body).await.map_err(|e| e.0)?;
        common::Result::Ok(service.complete_upload(owner, &ticket.file.id, &[]).await?)
    });
    let files = try_join_all(uploads).await?;
    println!("uploaded {:?}", files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>());

    try_join_all(files.iter().map(|f| service.share(&alice, &f.id, &bob, None))).await?;
    let shared = service.list_files(&bob, ListRequest::scope(Scope::Shared)).await?;
    println!("bob sees {} shared files", shared.items.len());
    let urls = try_join_all(files.iter().map(|f| service.download_url(&bob, &f.id, None))).await?;
    let mut contents = Vec::new();
    for url in &urls {
        contents.push(String::from_utf8_lossy(&client.get(&url.url).await.map_err(|e| e.0)?.body).into_owned());
    }
    contents.sort();
    println!("bob downloaded {contents:?}");

    service.unshare(&alice, &files[0].id, &bob).await?;
    println!(
        "revoked chapter-0: bob gets {}",
        service.get_file(&bob, &files[0].id).await.err().map(|e| e.to_string()).unwrap_or_default()
    );
    try_join_all(files.iter().map(|f| service.delete(&alice, &f.id))).await?;
    let left = service.list_files(&alice, ListRequest::scope(Scope::Owned)).await?.items.len();
    println!("deleted; alice owns {left} files");
    assert_eq!((shared.items.len(), left), (3, 0));
    Ok(())
}
