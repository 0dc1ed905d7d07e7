//! `fileshare shares FILE_ID`: whom a file is shared with, printed page by page as the pages come —
//! a file shared with tens of thousands of people never sits in memory whole.

use fileshare_client::{Client, ShareView, SharesParams};
use std::io::Write;

/// Prints every share of `file_id`: a table, or (`json`) one JSON array.
pub async fn print_all(client: &Client, file_id: &str, json: bool) -> fileshare_client::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut params = SharesParams::default();
    let mut first = true;
    if json {
        let _ = write!(out, "[");
    } else {
        let _ = writeln!(out, "{:<32}  {:<40}  {:<16}  UNTIL", "USER", "USER ID", "SINCE");
    }
    loop {
        let page = client.list_shares(file_id, &params).await?;
        for share in &page.shares {
            let line = if json { json_line(share, first) } else { row(share) };
            let _ = write!(out, "{line}");
            first = false;
        }
        match page.next_cursor {
            Some(next) => params.cursor = Some(next),
            None => break,
        }
    }
    if json {
        let _ = writeln!(out, "{}]", if first { "" } else { "\n" });
    }
    Ok(())
}

fn json_line(share: &ShareView, first: bool) -> String {
    let separator = if first { "\n  " } else { ",\n  " };
    format!("{separator}{}", serde_json::to_string(share).unwrap_or_default())
}

fn row(share: &ShareView) -> String {
    let name = share.username.as_deref().unwrap_or("-");
    let since = share.created_at.format("%Y-%m-%d %H:%M");
    let until = share.expires_at.map_or("-".to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string());
    format!("{name:<32}  {:<40}  {since:<16}  {until}\n", share.user_id)
}
