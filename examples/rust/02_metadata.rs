//! Stage 2 — metadata: get a file, list files page by page (newest first, opaque cursor, one indexed
//! query per page). Run: `cargo run -p fileshare-examples --example 02_metadata`.

#[path = "common/mod.rs"]
mod common;

use fileshare_core::{ListRequest, Scope};

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let alice = common::new_user("alice")?;
    for i in 0..5u8 {
        ex.service
            .put_bytes(&alice, &format!("photo-{i}.png"), "image/png", vec![0x89, b'P', b'N', b'G', i].into())
            .await?;
    }
    let mut cursor = None;
    let mut names = Vec::new();
    loop {
        let page = ex.service.list_files(&alice, ListRequest { scope: Scope::Owned, limit: Some(2), cursor }).await?;
        println!("page: {:?}", page.items.iter().map(|e| e.file.name.as_str()).collect::<Vec<_>>());
        names.extend(page.items.iter().map(|e| e.file.name.to_string()));
        match page.next_cursor {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let first = ex.service.list_files(&alice, ListRequest::scope(Scope::Owned)).await?.items.remove(0).file;
    let details = ex.service.get_file(&alice, &first.id).await?;
    println!(
        "get_file: {} ({}, {} bytes), created {}",
        details.file.name, details.file.content_type, details.file.size, details.file.created_at
    );
    assert_eq!(names.len(), 5);
    Ok(())
}
