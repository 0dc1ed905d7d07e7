//! Stage 8 — a client of the running service: `fileshare-client` logs in (the service's own
//! accounts, or Cognito's), refreshes its token when it expires, and sends bytes straight to
//! storage — large files in parts, in parallel, each retried if it fails.
//! Run `./scripts/run` in one terminal, then `cargo run -p fileshare-examples --example 08_client`.
//! Against a deployment, set what the CLI reads: `FILESHARE_ENDPOINT`, `FILESHARE_COGNITO_CLIENT_ID`,
//! `FILESHARE_COGNITO_REGION` (a Cognito sign-up is confirmed with `FILESHARE_CONFIRMATION_CODE`).

use fileshare_client::{
    Client, Destination, DownloadOptions, LinkBody, LinkRef, Progress, Scope, SignUp, UploadOptions, UploadSource,
    UserRef,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const PASSWORD: &str = "correct-Horse-battery-9!";
const MIB: usize = 1024 * 1024;

/// A client of the service (as the environment says), signed up and logged in as a new person.
async fn new_account(name: &str) -> Result<Client> {
    // An in-memory session: the CLI's stored login stays the CLI's.
    let client = Client::builder_from_env()?.build()?;
    let cognito = std::env::var("FILESHARE_COGNITO_CLIENT_ID").is_ok();
    let nonce = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos();
    let username = format!("{name}-{nonce:08x}{}", if cognito { "@example.com" } else { "" });
    if client.sign_up(&username, PASSWORD).await? == SignUp::ConfirmationNeeded {
        let code = std::env::var("FILESHARE_CONFIRMATION_CODE").map_err(|_| "set FILESHARE_CONFIRMATION_CODE")?;
        client.confirm_sign_up(&username, &code).await?;
    }
    client.log_in(&username, PASSWORD).await?;
    Ok(client)
}

#[tokio::main]
async fn main() -> Result<()> {
    let alice = new_account("alice").await?;
    let bob = new_account("bob").await?;
    let me = alice.session().ok_or("logged in")?;
    println!("alice is {} ({}) at {}", me.username, me.user_id, alice.endpoint());

    // 20 MiB: above 16 MiB it goes in parts, straight to storage, with progress.
    let video: Vec<u8> = (0..20 * MIB).map(|i| (i % 251) as u8).collect();
    let progress = Progress::new(|p| {
        if p.done == p.total {
            println!("  uploaded {} MiB", p.total / MIB as u64);
        }
    });
    let options =
        UploadOptions { multipart_threshold: 16 * MIB as u64, progress: Some(progress), ..Default::default() };
    let file = alice.upload(UploadSource::bytes("holiday.mp4", video.clone()), &options).await?;
    println!("uploaded {}: {} bytes, {}, {}", file.name, file.size, file.content_type, file.status.as_str());

    // Shared with bob by name; he lists it and downloads it whole.
    alice.share(&file.file_id, &UserRef::Name(bob.session().ok_or("logged in")?.username), None).await?;
    let shared = bob.list_all(Scope::Shared).await?;
    println!("bob sees {} from {}", shared[0].name, shared[0].owner_name.as_deref().unwrap_or("?"));
    let dir = tempfile::tempdir()?;
    let copy = bob.download(&file.file_id, Destination::path(dir.path()), &DownloadOptions::default()).await?;
    assert!(std::fs::read(copy.ok_or("a path")?)? == video);
    println!("bob downloaded it: the same bytes");
    if let Err(e) = bob.delete_file(&file.file_id).await {
        println!("bob deleting it: {:?} ({e})", e.kind());
    }

    // A link for anyone, no account needed.
    let created = alice.create_link(&file.file_id, &LinkBody { max_downloads: Some(2), ..Default::default() }).await?;
    let stranger = Client::new(alice.endpoint())?;
    let link: LinkRef = created.url.parse()?;
    let info = stranger.link_info(&link).await?;
    println!("the link hands out {}, {:?} downloads left", info.name, info.downloads_left);

    alice.delete_file(&file.file_id).await?;
    alice.log_out().await?;
    bob.log_out().await?;
    println!("deleted, and both logged out");
    Ok(())
}
