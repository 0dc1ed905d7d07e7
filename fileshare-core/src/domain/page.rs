//! Listing scopes, keyset positions and opaque cursors.
//!
//! Every listing is ordered newest first by a [`Position`] (a timestamp and the file id as a
//! tie-break), and a page is "the next `limit` items strictly after a position". Because the cursor
//! names a position rather than a backend token, every backend can serve a page with one indexed
//! range query, and a tampered cursor can at worst move the caller within their own listing.

use super::{FileId, UserId};
use crate::{Error, Result};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Which files a listing returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Files the caller owns (available ones).
    Owned,
    /// Files shared with the caller (unexpired shares).
    Shared,
    /// Both, merged newest first.
    #[default]
    All,
}

impl FromStr for Scope {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "owned" => Ok(Scope::Owned),
            "shared" => Ok(Scope::Shared),
            "all" => Ok(Scope::All),
            _ => Err(Error::invalid("scope", "must be owned, shared or all")),
        }
    }
}

/// A place in a newest-first listing: items sort by `(at, id)` descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The sort timestamp (file creation for owned files, share creation for shared ones).
    pub at: DateTime<Utc>,
    /// Tie-break between items with the same timestamp.
    pub id: FileId,
}

/// A page of results and the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass this back to get the next page; `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

/// Where one source of a listing stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Nothing read yet.
    Start,
    /// Continue strictly after this position.
    After(Position),
    /// Nothing more to read.
    Done,
}

impl Progress {
    /// Where to continue reading: `None` when the source is done, `Some(None)` from the start.
    pub(crate) fn resume(self) -> Option<Option<Position>> {
        match self {
            Progress::Start => Some(None),
            Progress::After(p) => Some(Some(p)),
            Progress::Done => None,
        }
    }
}

/// An opaque pagination cursor. Its string form is URL-safe; clients pass it back unchanged.
///
/// ```
/// use fileshare_core::Cursor;
/// assert!("not-a-cursor".parse::<Cursor>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub(crate) scope: Scope,
    pub(crate) owned: Progress,
    pub(crate) shared: Progress,
}

const VERSION: u8 = 1;
const POSITION_LEN: usize = 8 + 16;

impl Cursor {
    /// The scope this cursor belongs to.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    fn encode_progress(out: &mut Vec<u8>, p: Progress) {
        match p {
            Progress::Start => out.push(0),
            Progress::Done => out.push(2),
            Progress::After(pos) => {
                out.push(1);
                out.extend_from_slice(&pos.at.timestamp_millis().to_be_bytes());
                out.extend_from_slice(&pos.id.to_bytes());
            }
        }
    }

    fn decode_progress(bytes: &mut &[u8]) -> Option<Progress> {
        let (&tag, rest) = bytes.split_first()?;
        *bytes = rest;
        match tag {
            0 => Some(Progress::Start),
            2 => Some(Progress::Done),
            1 if rest.len() >= POSITION_LEN => {
                let (pos, rest) = rest.split_at(POSITION_LEN);
                *bytes = rest;
                let millis = i64::from_be_bytes(pos[..8].try_into().ok()?);
                let id = FileId::from_bytes(pos[8..].try_into().ok()?);
                let at = DateTime::from_timestamp_millis(millis)?;
                Some(Progress::After(Position { at, id }))
            }
            _ => None,
        }
    }
}

/// Whatever is wrong with a cursor, its sender only needs to know that it is not one of ours.
fn bad_cursor() -> Error {
    Error::invalid("cursor", "is not a cursor returned by this service")
}

/// A cursor's bytes as the wire carries them: unpadded base64url, safe in a query string.
fn encode_cursor(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes of a cursor of at most `max_len` characters (checked first: decoding is not free).
fn decode_cursor(s: &str, max_len: usize) -> Result<Vec<u8>> {
    if s.len() > max_len {
        return Err(bad_cursor());
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| bad_cursor())
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = vec![VERSION];
        out.push(match self.scope {
            Scope::Owned => b'o',
            Scope::Shared => b's',
            Scope::All => b'a',
        });
        Self::encode_progress(&mut out, self.owned);
        Self::encode_progress(&mut out, self.shared);
        f.write_str(&encode_cursor(&out))
    }
}

impl FromStr for Cursor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let raw = decode_cursor(s, 128)?;
        let mut bytes = raw.as_slice();
        let [VERSION, scope, rest @ ..] = bytes else {
            return Err(bad_cursor());
        };
        let scope = match scope {
            b'o' => Scope::Owned,
            b's' => Scope::Shared,
            b'a' => Scope::All,
            _ => return Err(bad_cursor()),
        };
        bytes = rest;
        let owned = Self::decode_progress(&mut bytes).ok_or_else(bad_cursor)?;
        let shared = Self::decode_progress(&mut bytes).ok_or_else(bad_cursor)?;
        if !bytes.is_empty() {
            return Err(bad_cursor());
        }
        Ok(Cursor { scope, owned, shared })
    }
}

impl Serialize for Cursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An opaque cursor into a file's shares (which are listed in grantee order): the grantee the
/// previous page ended at.
///
/// ```
/// use fileshare_core::{ShareCursor, UserId};
/// let cursor = ShareCursor::after(UserId::new("bob").unwrap());
/// assert_eq!(cursor.to_string().parse::<ShareCursor>().unwrap(), cursor);
/// assert!("not-a-cursor".parse::<ShareCursor>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareCursor(UserId);

impl ShareCursor {
    /// The cursor of the page after `grantee`.
    pub fn after(grantee: UserId) -> Self {
        Self(grantee)
    }

    /// The grantee the next page starts after.
    pub fn grantee(&self) -> &UserId {
        &self.0
    }
}

impl Serialize for ShareCursor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Tells a share cursor from a listing's.
const SHARES_TAG: u8 = b'g';

impl fmt::Display for ShareCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = vec![VERSION, SHARES_TAG];
        out.extend_from_slice(self.0.as_str().as_bytes());
        f.write_str(&encode_cursor(&out))
    }
}

impl FromStr for ShareCursor {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let raw = decode_cursor(s, 256)?;
        let [VERSION, SHARES_TAG, grantee @ ..] = raw.as_slice() else { return Err(bad_cursor()) };
        let grantee = std::str::from_utf8(grantee).map_err(|_| bad_cursor())?;
        Ok(Self(UserId::new(grantee).map_err(|_| bad_cursor())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let pos = Position { at: crate::clock::to_millis(Utc::now()), id: FileId::generate(Utc::now()) };
        let c = Cursor { scope: Scope::All, owned: Progress::After(pos), shared: Progress::Done };
        assert_eq!(c.to_string().parse::<Cursor>().ok(), Some(c));
    }

    #[test]
    fn garbage_cursors_are_invalid_input() {
        let valid = Cursor { scope: Scope::Owned, owned: Progress::Start, shared: Progress::Done }.to_string();
        let truncated = &valid[..valid.len() - 1];
        for bad in ["", "!!!", "AAAA", "eyJ0IjoxfQ", truncated, &"A".repeat(200), &format!("{valid}AA")] {
            assert!(matches!(bad.parse::<Cursor>(), Err(Error::InvalidInput { field: "cursor", .. })), "{bad:?}");
        }
    }
}
