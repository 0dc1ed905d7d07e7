//! Stage 7 — share links: hand a file to anyone, no account needed, until an expiry or a number of
//! downloads runs out, optionally behind a password. The token is shown once; the store keeps only
//! its hash. Every dead link looks the same.
//! Run: `cargo run -p fileshare-examples --example 07_share_links`.

#[path = "common/mod.rs"]
mod common;

use chrono::{TimeDelta, Utc};
use fileshare_core::{LinkOptions, LinkToken};

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let alice = common::new_user("alice")?;
    let file = ex.service.put_bytes(&alice, "slides.pdf", "application/pdf", "the slides".into()).await?;

    // Two downloads, for a week.
    let options = LinkOptions {
        expires_at: Some(Utc::now() + TimeDelta::days(7)),
        max_downloads: Some(2),
        ..LinkOptions::default()
    };
    let created = ex.service.create_link(&alice, &file.id, options).await?;
    let revealed = created.token.reveal();
    println!("link token (shown once): {}…", &revealed[..40]);

    // Whoever holds the token — no account — sees what it hands out, and redeems it.
    let token: LinkToken = revealed.parse()?;
    let info = ex.service.link_info(&token).await?;
    println!("{} ({} bytes), {:?} downloads left", info.name, info.size, info.downloads_left);
    for n in 1..=3 {
        match ex.service.redeem_link(&token, None).await {
            Ok(url) => println!("download {n}: a URL valid until {}", url.expires_at.format("%H:%M:%S")),
            Err(e) => println!("download {n}: {e}"),
        }
    }

    // Behind a password: a wrong one gets nothing, and guesses are rationed.
    let guarded = LinkOptions { password: Some("open sesame".into()), ..LinkOptions::default() };
    let guarded = ex.service.create_link(&alice, &file.id, guarded).await?;
    let wrong = ex.service.redeem_link(&guarded.token, Some("open says me")).await;
    println!("wrong password: {}", wrong.as_ref().err().map(|e| e.to_string()).unwrap_or_default());
    assert!(wrong.is_err());
    ex.service.redeem_link(&guarded.token, Some("open sesame")).await?;
    println!("right password: a URL");

    // Revoked, or its file deleted: dead at once, with the same answer as a link that never was.
    ex.service.revoke_link(&alice, &guarded.link.id).await?;
    let revoked = ex.service.redeem_link(&guarded.token, Some("open sesame")).await;
    println!("revoked: {}", revoked.as_ref().err().map(|e| e.to_string()).unwrap_or_default());
    assert!(revoked.is_err());
    let links = ex.service.list_links(&alice, &file.id).await?;
    println!("alice's links: {:?}", links.iter().map(|l| (l.downloads, l.max_downloads)).collect::<Vec<_>>());
    Ok(())
}
