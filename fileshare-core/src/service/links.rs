//! Share links: the owner hands a file to anyone holding a token, optionally behind a password,
//! until an expiry or a number of downloads runs out.
//!
//! The rules:
//! - Only the owner creates, lists and revokes a file's links (grantees get `Forbidden`, everyone
//!   else `NotFound`, as for every owner-only action).
//! - Anyone holding the token may read the link's file name, size and expiry and redeem it for a
//!   short-lived download URL. An unknown, revoked, expired or exhausted link, and a link whose file
//!   is gone, all answer the same `NotFound`: a link cannot be probed.
//! - A password is checked with argon2id; each wrong one uses up an attempt of a ration per link
//!   ([`Config::link_password_attempts`](super::Config::link_password_attempts) per
//!   [`Config::link_password_window`](super::Config::link_password_window)), taken *before* the
//!   hash is checked, so concurrent guesses cannot exceed it. A right password gives its attempt back.
//! - A download is counted by one conditional write, so `n` concurrent redemptions of a link with
//!   `k` downloads left yield exactly `min(n, k)` URLs.

use super::access::Need;
use super::{delta, FileShare};
use crate::domain::{
    ContentType, FileId, FileName, FileStatus, LinkAccess, LinkId, LinkToken, LinkUpdate, ShareLink, UserId,
};
use crate::metadata::MetadataStore;
use crate::store::{DownloadRequest, FileStore, ObjectHeaders, PresignedUrl};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Largest number of downloads one link may hand out.
pub const MAX_LINK_DOWNLOADS: u32 = 1_000_000;
/// Accepted link password lengths, in characters.
pub const LINK_PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 6..=256;

/// What the owner chooses for a new link; every limit is optional.
///
/// ```
/// use fileshare_core::LinkOptions;
/// let options = LinkOptions { max_downloads: Some(5), ..LinkOptions::default() };
/// assert!(options.password.is_none());
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct LinkOptions {
    /// When the link stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// A password the holder must give (6–256 characters); stored as an argon2id hash only.
    pub password: Option<String>,
    /// How many downloads it hands out (1 to 1,000,000).
    pub max_downloads: Option<u32>,
}

impl std::fmt::Debug for LinkOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkOptions")
            .field("expires_at", &self.expires_at)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("max_downloads", &self.max_downloads)
            .finish()
    }
}

/// A link just created: the stored link and its token, which is shown this once and never again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedLink {
    /// The link as stored.
    pub link: ShareLink,
    /// The token to hand out ([`LinkToken::reveal`]).
    pub token: LinkToken,
}

/// What anyone holding a link may learn about it before redeeming it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkInfo {
    /// The link.
    pub link_id: LinkId,
    /// The file's name.
    pub name: FileName,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's content type.
    pub content_type: ContentType,
    /// When the link stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether redeeming needs a password.
    pub password_required: bool,
    /// Downloads left, if the link is limited.
    pub downloads_left: Option<u32>,
}

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// Creates a share link of an available file. Owner only. Returns the link and its token.
    ///
    /// Errors: [`Error::InvalidInput`] for an expiry in the past, a password of the wrong length or
    /// a download limit out of range; [`Error::Conflict`] for a pending file.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use fileshare_core::{FileShare, LinkOptions, UserId, backends::{MemoryFileStore, MemoryMetadataStore}};
    /// let service = FileShare::new(MemoryFileStore::new(), MemoryMetadataStore::new());
    /// let alice = UserId::new("alice")?;
    /// let file = service.put_bytes(&alice, "notes.txt", "text/plain", "hello".into()).await?;
    /// let options = LinkOptions { max_downloads: Some(1), ..LinkOptions::default() };
    /// let created = service.create_link(&alice, &file.id, options).await?;
    /// // Anyone with the token (no account) may redeem it once:
    /// let token = created.token.reveal().parse()?;
    /// service.redeem_link(&token, None).await?;
    /// assert!(service.redeem_link(&token, None).await.is_err());
    /// # Ok::<_, fileshare_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn create_link(&self, caller: &UserId, id: &FileId, options: LinkOptions) -> Result<CreatedLink> {
        let (file, _) = self.authorize(caller, id, Need::Own).await?;
        let now = self.clock.now();
        if options.expires_at.is_some_and(|t| t <= now) {
            return Err(Error::invalid("expires_at", "must be in the future"));
        }
        if options.max_downloads.is_some_and(|n| !(1..=MAX_LINK_DOWNLOADS).contains(&n)) {
            return Err(Error::invalid("max_downloads", format!("must be between 1 and {MAX_LINK_DOWNLOADS}")));
        }
        if let Some(password) = &options.password {
            if !LINK_PASSWORD_CHARS.contains(&password.chars().count()) {
                return Err(Error::invalid("password", "must be 6 to 256 characters"));
            }
        }
        if file.status != FileStatus::Available {
            return Err(Error::conflict("a file can be shared once its upload is complete"));
        }
        let password_hash = match options.password {
            Some(password) => Some(self.hashing.hash(password).await?),
            None => None,
        };
        let token = LinkToken::generate(file.id);
        let link = ShareLink {
            id: token.id(),
            secret_hash: token.secret_hash(),
            created_at: now,
            expires_at: options.expires_at.map(crate::clock::to_millis),
            max_downloads: options.max_downloads,
            downloads: 0,
            password_hash,
            attempts: 0,
            attempts_since: None,
        };
        // Conditional on the file still existing and being ours, as a share is.
        self.metadata.put_link(&link, &file).await?;
        Ok(CreatedLink { link, token })
    }

    /// A file's links, oldest first, including expired and exhausted ones. Owner only.
    pub async fn list_links(&self, caller: &UserId, id: &FileId) -> Result<Vec<ShareLink>> {
        self.authorize(caller, id, Need::Own).await?;
        self.metadata.list_links(id).await
    }

    /// Revokes a link; no redemption succeeds after this returns. Owner only.
    ///
    /// Errors: `NotFound` (resource `"link"`) for a link that does not exist.
    pub async fn revoke_link(&self, caller: &UserId, link: &LinkId) -> Result<()> {
        self.authorize(caller, &link.file_id(), Need::Own).await?;
        self.metadata.delete_link(link).await
    }

    /// What the holder of `token` may see: the file's name, size and type, the link's expiry, whether
    /// it needs a password. No account and no password needed.
    ///
    /// Errors: `NotFound` (resource `"link"`) for every link that does not hand out downloads now.
    pub async fn link_info(&self, token: &LinkToken) -> Result<LinkInfo> {
        let LinkAccess { link, file } = self.live_link(token).await?;
        Ok(LinkInfo {
            link_id: link.id,
            name: file.name,
            size: file.size,
            content_type: file.content_type,
            expires_at: link.expires_at,
            password_required: link.password_hash.is_some(),
            downloads_left: link.downloads_left(),
        })
    }

    /// Redeems a link for a short-lived download URL, counting one download where the link has a
    /// download limit (an unlimited link is only read: a link handed to a crowd costs its file's
    /// partition reads, which DynamoDB serves thousands a second, not writes). The URL lasts
    /// [`Config::link_download_url_ttl`](super::Config::link_download_url_ttl), never past the link's
    /// expiry.
    ///
    /// Errors: `NotFound` (resource `"link"`) for every link that does not hand out downloads now;
    /// [`Error::WrongPassword`] for a missing or wrong password; [`Error::TooManyAttempts`] once the
    /// link's ration of password attempts is used up.
    pub async fn redeem_link(&self, token: &LinkToken, password: Option<&str>) -> Result<PresignedUrl> {
        let LinkAccess { link, file } = self.live_link(token).await?;
        if let Some(hash) = &link.password_hash {
            self.check_link_password(&link, hash, password).await?;
        }
        let dead = || Error::not_found("link", link.id);
        // The one write that decides: at most `max_downloads` succeed, whatever the concurrency;
        // a link revoked (or a file deleted) since the read above is gone here. An unlimited
        // link has nothing to decide: the consistent read above is the redemption.
        if link.max_downloads.is_some() {
            match self.metadata.update_link(&link.id, LinkUpdate::CountDownload).await {
                Ok(Some(_)) => {}
                Ok(None) | Err(Error::NotFound { .. }) => return Err(dead()),
                Err(e) => return Err(e),
            }
        }
        let now = self.clock.now();
        let mut expires_at = now + delta(self.config.link_download_url_ttl);
        if let Some(end) = link.expires_at {
            expires_at = expires_at.min(end);
        }
        // The URL names no viewer: it is good while the file is available (on the embedded store,
        // checked on every request), for the few minutes of its life.
        let request =
            DownloadRequest { key: file.key(), headers: ObjectHeaders::from(&file), expires_at, viewer: None };
        self.files.presign_download(&request).await
    }

    /// The link `token` opens, if it hands out downloads now; `NotFound` in every other case.
    async fn live_link(&self, token: &LinkToken) -> Result<LinkAccess> {
        let dead = || Error::not_found("link", token.id());
        let found = self.metadata.get_link(&token.id()).await?.ok_or_else(dead)?;
        let now = self.clock.now();
        if !token.matches(&found.link.secret_hash)
            || !found.link.is_live(now)
            || found.file.status != FileStatus::Available
        {
            return Err(dead());
        }
        Ok(found)
    }

    /// Takes an attempt from the link's ration, then checks the password; a right one gives the
    /// attempt back.
    async fn check_link_password(&self, link: &ShareLink, hash: &str, password: Option<&str>) -> Result<()> {
        let Some(password) = password else { return Err(Error::WrongPassword) };
        let now = self.clock.now();
        let window = delta(self.config.link_password_window);
        let take =
            LinkUpdate::TakeAttempt { now, window_start: now - window, limit: self.config.link_password_attempts };
        let taken = match self.metadata.update_link(&link.id, take).await {
            Ok(taken) => taken,
            Err(Error::NotFound { .. }) => return Err(Error::not_found("link", link.id)),
            Err(e) => return Err(e),
        };
        if taken.is_none() {
            let since = link.attempts_since.unwrap_or(now);
            let retry_after =
                (since + window - now).to_std().unwrap_or_default().max(std::time::Duration::from_secs(1));
            return Err(Error::TooManyAttempts { retry_after });
        }
        match self.hashing.verify(password.to_owned(), hash.to_owned()).await {
            Ok(false) => Err(Error::WrongPassword),
            // Right, or never checked (the hashing queue was full): the attempt is given back.
            verified => {
                self.metadata.update_link(&link.id, LinkUpdate::RefundAttempt).await?;
                verified.map(drop)
            }
        }
    }
}
