//! Stage 4 — sharing and revocation: only the owner shares; a grantee reads but may not delete;
//! anyone else is told the file does not exist; revocation is immediate; shares can expire.
//! Run: `cargo run -p fileshare-examples --example 04_sharing`.

#[path = "common/mod.rs"]
mod common;

use chrono::{TimeDelta, Utc};
use fileshare_core::{ListRequest, Scope};

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let (alice, bob, mallory) = (common::new_user("alice")?, common::new_user("bob")?, common::new_user("mallory")?);
    let file = ex.service.put_bytes(&alice, "plan.txt", "text/plain", "the plan".into()).await?;

    let share = ex.service.share(&alice, &file.id, &bob, Some(Utc::now() + TimeDelta::days(7))).await?;
    println!("shared with bob until {:?}", share.expires_at);
    let shared = ex.service.list_files(&bob, ListRequest::scope(Scope::Shared)).await?;
    println!("bob sees {:?}", shared.items.iter().map(|e| e.file.name.as_str()).collect::<Vec<_>>());
    println!(
        "bob deletes: {}",
        ex.service.delete(&bob, &file.id).await.err().map(|e| e.to_string()).unwrap_or_default()
    );
    println!(
        "mallory reads: {}",
        ex.service.get_file(&mallory, &file.id).await.err().map(|e| e.to_string()).unwrap_or_default()
    );

    ex.service.unshare(&alice, &file.id, &bob).await?;
    let after = ex.service.download_url(&bob, &file.id, None).await;
    println!("after unshare, bob: {}", after.as_ref().err().map(|e| e.to_string()).unwrap_or_default());
    assert!(after.is_err());
    Ok(())
}
