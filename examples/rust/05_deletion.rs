//! Stage 5 — deletion: owner only; the record and its shares go first, atomically, then the bytes;
//! deleting twice is NotFound. Run: `cargo run -p fileshare-examples --example 05_deletion`.

#[path = "common/mod.rs"]
mod common;

use fileshare_core::{Error, FileStore};

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let (alice, bob) = (common::new_user("alice")?, common::new_user("bob")?);
    let file = ex.service.put_bytes(&alice, "old.txt", "text/plain", "to be deleted".into()).await?;
    ex.service.share(&alice, &file.id, &bob, None).await?;

    ex.service.delete(&alice, &file.id).await?;
    println!("deleted {}", file.id);
    for who in [&alice, &bob] {
        let gone = matches!(ex.service.get_file(who, &file.id).await, Err(Error::NotFound { .. }));
        println!("{who}: NotFound = {gone}");
        assert!(gone);
    }
    println!("bytes still stored: {}", ex.service.file_store().head(&file.key()).await?.is_some());
    let again = ex.service.delete(&alice, &file.id).await;
    println!("deleting again: {}", again.err().map(|e| e.to_string()).unwrap_or_default());
    Ok(())
}
