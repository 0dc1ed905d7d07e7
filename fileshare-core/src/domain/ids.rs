//! Identifiers: who ([`UserId`]), which file ([`FileId`]) and where its bytes live ([`ObjectKey`]).

use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest accepted user id, in bytes.
pub const MAX_USER_ID_LEN: usize = 128;

/// The identity provider's stable subject for a user (Cognito `sub`). Usernames are display only.
///
/// A user id becomes part of object keys (`files/{owner}/{file_id}`), so it is restricted to
/// `A–Z a–z 0–9 - _ . @ + :`, 1–128 bytes, not starting with `.`: no separators, no traversal.
///
/// ```
/// use fileshare_core::UserId;
/// assert!(UserId::new("3f1c2b7e-0d0a-4b1e-9e55-1a2b3c4d5e6f").is_ok());
/// assert!(UserId::new("../etc").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    /// Validates and wraps a user id.
    pub fn new(raw: impl Into<String>) -> Result<Self> {
        let raw = raw.into();
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.@+:".contains(c);
        if raw.is_empty() || raw.len() > MAX_USER_ID_LEN {
            return Err(Error::invalid("user_id", "must be 1 to 128 bytes"));
        }
        if raw.starts_with('.') || !raw.chars().all(allowed) {
            return Err(Error::invalid(
                "user_id",
                "may contain only letters, digits and - _ . @ + : and must not start with '.'",
            ));
        }
        Ok(Self(raw))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self> {
        Self::new(raw)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl FromStr for UserId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({})", self.0)
    }
}

/// A server-generated, time-ordered, URL-safe file identifier (a ULID: 26 Crockford base-32 chars).
///
/// Never chosen by a client, so it can safely be part of an object key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileId(ulid::Ulid);

impl FileId {
    /// A fresh id whose time component is `at`.
    pub fn generate(at: DateTime<Utc>) -> Self {
        Self(ulid::Ulid::from_datetime(at.into()))
    }

    /// The id as its 16 raw bytes (used by cursors).
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_bytes()
    }

    /// Rebuilds an id from [`FileId::to_bytes`].
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(ulid::Ulid::from_bytes(bytes))
    }
}

impl FromStr for FileId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        if s.len() != ulid::ULID_LEN {
            return Err(Error::invalid("file_id", "must be a 26-character ULID"));
        }
        let bad = || Error::invalid("file_id", "must be a 26-character ULID");
        let id = ulid::Ulid::from_string(s).map(Self).map_err(|_| bad())?;
        // Accept lowercase, but refuse spellings that decode by overflow (e.g. a leading 'Z').
        if !id.to_string().eq_ignore_ascii_case(s) {
            return Err(bad());
        }
        Ok(id)
    }
}

impl TryFrom<String> for FileId {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self> {
        raw.parse()
    }
}

impl From<FileId> for String {
    fn from(id: FileId) -> String {
        id.to_string()
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({})", self.0)
    }
}

/// Where a file's bytes live in a [`FileStore`](crate::FileStore): `files/{owner}/{file_id}`.
///
/// Never derived from the user's file name: no traversal, no Unicode key problems.
/// [`ObjectKey::parse`] accepts only keys of that shape, so a key taken from a URL cannot escape.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObjectKey(String);

impl ObjectKey {
    /// The prefix under which every file object lives.
    pub const PREFIX: &'static str = "files";

    /// The key of `file` owned by `owner`.
    pub fn for_file(owner: &UserId, file: &FileId) -> Self {
        Self(format!("{}/{owner}/{file}", Self::PREFIX))
    }

    /// Parses a key that must have exactly the shape of [`ObjectKey::for_file`].
    pub fn parse(raw: &str) -> Result<Self> {
        let bad = || Error::invalid("key", "must be files/{user_id}/{file_id}");
        let mut parts = raw.split('/');
        let (Some(prefix), Some(owner), Some(file), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if prefix != Self::PREFIX {
            return Err(bad());
        }
        let owner = UserId::new(owner).map_err(|_| bad())?;
        let file: FileId = file.parse().map_err(|_| bad())?;
        let key = Self::for_file(&owner, &file);
        // Reject non-canonical spellings (e.g. lowercase ULIDs) so one object has one key.
        if key.0 != raw {
            return Err(bad());
        }
        Ok(key)
    }

    /// The key as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owner and the file this key belongs to.
    pub fn owner_and_file(&self) -> (UserId, FileId) {
        // Every ObjectKey is built or parsed as files/{owner}/{file}: both parts are valid.
        let mut parts = self.0.splitn(3, '/').skip(1);
        let owner = parts.next().and_then(|o| UserId::new(o).ok());
        let file = parts.next().and_then(|f| f.parse().ok());
        match (owner, file) {
            (Some(owner), Some(file)) => (owner, file),
            _ => unreachable!("ObjectKey invariant: files/{{owner}}/{{file}}"),
        }
    }
}

impl TryFrom<String> for ObjectKey {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self> {
        Self::parse(&raw)
    }
}

impl From<ObjectKey> for String {
    fn from(key: ObjectKey) -> String {
        key.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_refuse_separators_traversal_and_oversize() {
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "a b", "é", "a\u{0}", &"x".repeat(129)] {
            assert!(matches!(UserId::new(bad), Err(Error::InvalidInput { field: "user_id", .. })), "{bad:?}");
        }
        assert!(UserId::new("alice@example.com").is_ok());
    }

    #[test]
    fn file_ids_round_trip_and_refuse_garbage() {
        let id = FileId::generate(Utc::now());
        assert_eq!(id.to_string().parse::<FileId>().ok(), Some(id));
        assert_eq!(FileId::from_bytes(id.to_bytes()), id);
        for bad in ["", "x", "../../etc/passwd", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", &"0".repeat(27)] {
            assert!(bad.parse::<FileId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn object_keys_accept_only_the_canonical_shape() {
        let owner = UserId::new("alice").expect("valid");
        let id = FileId::generate(Utc::now());
        let key = ObjectKey::for_file(&owner, &id);
        assert_eq!(ObjectKey::parse(key.as_str()).ok(), Some(key.clone()));
        let lower = format!("files/alice/{}", id.to_string().to_lowercase());
        for bad in [
            "files/alice".to_string(),
            format!("files/../{id}"),
            format!("other/alice/{id}"),
            format!("files/alice/{id}/x"),
            format!("/files/alice/{id}"),
            lower,
        ] {
            assert!(ObjectKey::parse(&bad).is_err(), "{bad:?}");
        }
    }
}
