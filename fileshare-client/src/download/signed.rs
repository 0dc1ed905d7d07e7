//! [`SignedUrl`]: the presigned URL a download reads from, which lapses. Storage checks a URL's
//! expiry when each request starts, so a download in ranges that outlasts its URL needs a fresh
//! one for the ranges still to come, and so does a retry after the URL lapsed.
//!
//! A file of the caller's gets a fresh URL from the API whenever needed (counting nothing). A share
//! link's cannot be renewed without counting another download, so its file comes in one GET, which
//! storage lets run past the expiry.

use crate::client::Client;
use crate::error::Result;
use fileshare_api::DownloadResponse;
use std::time::{Duration, Instant};

/// Renew a URL this long before it lapses at most (a quarter of its life if that is shorter),
/// so that a request started with it cannot arrive after its expiry.
const MARGIN: Duration = Duration::from_secs(30);

/// Use a URL this long at least before renewing it: a clock here far ahead of the service's makes
/// every URL look lapsed on arrival, and must not make every range ask for a new one.
const MIN_USE: Duration = Duration::from_secs(1);

/// A download's presigned URL, renewed when it is about to lapse, if it can be.
pub(crate) struct SignedUrl<'a> {
    client: &'a Client,
    /// The file whose URL this is, when the caller can ask for another (`None`: a share link's).
    file_id: Option<&'a str>,
    current: tokio::sync::Mutex<Current>,
}

struct Current {
    url: String,
    /// When to stop starting requests with `url`.
    renew_at: Instant,
}

impl Current {
    fn new(answer: DownloadResponse) -> Self {
        // The expiry is on the service's clock, "now" on this one's: a skew between them shifts
        // the renewal. A clock behind makes a range arrive late, which storage refuses and the
        // refusal renews (`refused`); one ahead renews early, never more than once per MIN_USE.
        let life = (answer.expires_at - chrono::Utc::now()).to_std().unwrap_or_default();
        Self { url: answer.url, renew_at: Instant::now() + (life - MARGIN.min(life / 4)).max(MIN_USE) }
    }
}

impl<'a> SignedUrl<'a> {
    /// The URL of file `file_id`, which the caller can ask for again.
    pub fn renewable(client: &'a Client, file_id: &'a str, answer: DownloadResponse) -> Self {
        Self { client, file_id: Some(file_id), current: tokio::sync::Mutex::new(Current::new(answer)) }
    }

    /// A URL that cannot be renewed (a share link's).
    pub fn once(client: &'a Client, answer: DownloadResponse) -> Self {
        Self { client, file_id: None, current: tokio::sync::Mutex::new(Current::new(answer)) }
    }

    /// Whether a fresh URL can be had: only then is a download split in ranges.
    pub fn can_renew(&self) -> bool {
        self.file_id.is_some()
    }

    /// The URL to start a request with: a fresh one if this one is about to lapse.
    pub async fn get(&self) -> Result<String> {
        let mut current = self.current.lock().await;
        if let Some(file_id) = self.file_id {
            if Instant::now() >= current.renew_at {
                *current = Current::new(self.client.download_url(file_id, None).await?);
            }
        }
        Ok(current.url.clone())
    }

    /// Storage refused `used` (403): it may have lapsed — early, if this machine's clock is behind.
    /// Renews it unless a request that saw the same refusal already did; returns whether another
    /// try can help.
    pub async fn refused(&self, used: &str) -> Result<bool> {
        let Some(file_id) = self.file_id else { return Ok(false) };
        let mut current = self.current.lock().await;
        if current.url == used {
            *current = Current::new(self.client.download_url(file_id, None).await?);
        }
        Ok(true)
    }
}
