//! Share links: a file handed to whoever holds a secret token, no account needed.
//!
//! A link has a public [`LinkId`] (its file and a random tag: the owner lists and revokes links by
//! it) and a secret of [`LINK_SECRET_BYTES`] random bytes. The [`LinkToken`] a holder presents is
//! both together; the store keeps only the SHA-256 of the secret. A fast hash is right here, unlike
//! for passwords: the secret is 128 random bits, so there is nothing to guess from its hash, and a
//! leaked table holds no usable link.

use super::{FileId, FileRecord};
use crate::{Error, Result};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// Random bytes in a link's secret: 128 bits.
pub const LINK_SECRET_BYTES: usize = 16;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A share link's public identifier: `{file_id}-{tag}`, the tag 16 lower-case hex digits.
///
/// It names the link to its owner (to list and revoke it) and tells a store where the link lives
/// (with its file, so that deleting the file deletes its links). It grants nothing by itself.
///
/// ```
/// use fileshare_core::{FileId, LinkId};
/// let id = LinkId::generate(FileId::generate(chrono::Utc::now()));
/// assert_eq!(id.to_string().parse::<LinkId>().ok(), Some(id));
/// assert!("not-a-link".parse::<LinkId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LinkId {
    file: FileId,
    tag: u64,
}

impl LinkId {
    /// A fresh link id for `file`.
    pub fn generate(file: FileId) -> Self {
        Self { file, tag: rand::random() }
    }

    /// The file the link hands out.
    pub fn file_id(&self) -> FileId {
        self.file
    }

    /// The tag that tells the file's links apart, as stored (`{tag}` in the id).
    pub fn tag(&self) -> String {
        format!("{:016x}", self.tag)
    }
}

impl FromStr for LinkId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid("link_id", "must be {file_id}-{16 hex digits}");
        let (file, tag) = s.split_once('-').ok_or_else(bad)?;
        let hex_digit = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if tag.len() != 16 || !tag.chars().all(hex_digit) {
            return Err(bad());
        }
        let file: FileId = file.parse().map_err(|_| bad())?;
        let tag = u64::from_str_radix(tag, 16).map_err(|_| bad())?;
        let id = Self { file, tag };
        // One spelling per link (the file id in capitals), so a link has one key in every store.
        if id.to_string() != s {
            return Err(bad());
        }
        Ok(id)
    }
}

impl TryFrom<String> for LinkId {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self> {
        raw.parse()
    }
}

impl From<LinkId> for String {
    fn from(id: LinkId) -> String {
        id.to_string()
    }
}

impl fmt::Display for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:016x}", self.file, self.tag)
    }
}

impl fmt::Debug for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkId({self})")
    }
}

/// What the holder of a link presents: `{link_id}.{secret}`, the secret in URL-safe base64.
/// Shown once, when the link is created; [`fmt::Debug`] never prints the secret.
///
/// ```
/// use fileshare_core::{FileId, LinkToken};
/// let token = LinkToken::generate(FileId::generate(chrono::Utc::now()));
/// let parsed: LinkToken = token.reveal().parse()?;
/// assert!(parsed.matches(&token.secret_hash()));
/// # Ok::<_, fileshare_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken {
    id: LinkId,
    secret: [u8; LINK_SECRET_BYTES],
}

impl LinkToken {
    /// A fresh link of `file`, with a new id and secret.
    pub fn generate(file: FileId) -> Self {
        Self { id: LinkId::generate(file), secret: rand::random() }
    }

    /// The link this token opens.
    pub fn id(&self) -> LinkId {
        self.id
    }

    /// The token as the holder writes it: `{link_id}.{secret}`.
    pub fn reveal(&self) -> String {
        format!("{}.{}", self.id, B64.encode(self.secret))
    }

    /// What the store keeps: the SHA-256 of the secret, in hex.
    pub fn secret_hash(&self) -> String {
        hex::encode(Sha256::digest(self.secret))
    }

    /// Whether this token's secret is the one whose hash is `stored`, compared in constant time
    /// (no early exit a caller could time).
    pub fn matches(&self, stored: &str) -> bool {
        let ours = self.secret_hash();
        ours.len() == stored.len() && ours.bytes().zip(stored.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl FromStr for LinkToken {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid("token", "is not a share link token");
        let (id, secret) = s.split_once('.').ok_or_else(bad)?;
        let id: LinkId = id.parse().map_err(|_| bad())?;
        let secret =
            B64.decode(secret).ok().and_then(|b| <[u8; LINK_SECRET_BYTES]>::try_from(b).ok()).ok_or_else(bad)?;
        Ok(Self { id, secret })
    }
}

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkToken({}.<secret>)", self.id)
    }
}

/// A share link as the metadata store keeps it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    /// The link's public id (it names its file).
    pub id: LinkId,
    /// SHA-256 of the token's secret, hex ([`LinkToken::secret_hash`]).
    pub secret_hash: String,
    /// When the owner created it.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// How many downloads it hands out, if limited.
    pub max_downloads: Option<u32>,
    /// Downloads handed out so far (redemptions).
    pub downloads: u32,
    /// argon2id PHC string of the link's password, if it has one.
    pub password_hash: Option<String>,
    /// Password attempts counted in the current window (see [`LinkUpdate::TakeAttempt`]).
    pub attempts: u32,
    /// When the current window of password attempts began.
    pub attempts_since: Option<DateTime<Utc>>,
}

impl ShareLink {
    /// The file the link hands out.
    pub fn file_id(&self) -> FileId {
        self.id.file_id()
    }

    /// Whether the link still hands out downloads at `now`: not expired, not exhausted.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|t| t > now) && self.downloads_left().is_none_or(|left| left > 0)
    }

    /// Downloads left, if the link is limited.
    pub fn downloads_left(&self) -> Option<u32> {
        self.max_downloads.map(|max| max.saturating_sub(self.downloads))
    }
}

impl fmt::Debug for ShareLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShareLink")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("max_downloads", &self.max_downloads)
            .field("downloads", &self.downloads)
            .field("password", &self.password_hash.as_ref().map(|_| "<redacted>"))
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// An atomic change to a stored link's counters: each is one conditional write, so concurrent
/// callers never overshoot a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkUpdate {
    /// Count one download, if `downloads < max_downloads` (or the link is unlimited).
    CountDownload,
    /// Take one password attempt: a window that began at or before `window_start` (or none) starts
    /// afresh at `now` with one attempt; otherwise one more, if fewer than `limit` were taken.
    TakeAttempt {
        /// Now: the start of a new window.
        now: DateTime<Utc>,
        /// Windows that began at or before this have ended.
        window_start: DateTime<Utc>,
        /// Attempts one window admits.
        limit: u32,
    },
    /// Give back an attempt that turned out to be right: only wrong passwords use up the ration.
    RefundAttempt,
}

impl LinkUpdate {
    /// Applies the update to `link` if its condition holds; `false` (and `link` unchanged) if not.
    /// What a store that serializes its writes (memory, SQLite) does inside one write; DynamoDB
    /// expresses the same conditions in its update expressions.
    pub fn apply(self, link: &mut ShareLink) -> bool {
        match self {
            LinkUpdate::CountDownload => {
                if link.downloads_left() == Some(0) {
                    return false;
                }
                link.downloads = link.downloads.saturating_add(1);
            }
            LinkUpdate::TakeAttempt { now, window_start, limit } => {
                if link.attempts_since.is_none_or(|since| since <= window_start) {
                    link.attempts = 1;
                    link.attempts_since = Some(now);
                } else if link.attempts < limit {
                    link.attempts += 1;
                } else {
                    return false;
                }
            }
            LinkUpdate::RefundAttempt => link.attempts = link.attempts.saturating_sub(1),
        }
        true
    }
}

/// A link together with its file, read in one consistent step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkAccess {
    /// The link.
    pub link: ShareLink,
    /// Its file.
    pub file: FileRecord,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_garbage() {
        let token = LinkToken::generate(FileId::generate(Utc::now()));
        let parsed: LinkToken = token.reveal().parse().expect("round trip");
        assert_eq!(parsed, token);
        assert!(parsed.matches(&token.secret_hash()));
        let other = LinkToken::generate(token.id().file_id());
        assert!(!other.matches(&token.secret_hash()));
        let id = token.id().to_string();
        for bad in [
            String::new(),
            id.clone(),
            format!("{id}."),
            format!("{id}.AAAA"),
            format!("{}.{}", id.to_lowercase(), B64.encode([0u8; 16])),
            format!("{id}.{}", B64.encode([0u8; 17])),
            format!("{id}x.{}", B64.encode([0u8; 16])),
        ] {
            assert!(bad.parse::<LinkToken>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let token = LinkToken::generate(FileId::generate(Utc::now()));
        assert!(!format!("{token:?}").contains(&token.reveal()));
    }
}
