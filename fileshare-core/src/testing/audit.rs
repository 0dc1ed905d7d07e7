//! The invariant audit: reads a [`FileStore`] + [`MetadataStore`] pair and reports every broken
//! invariant among the files it is pointed at. Every fault-injection and crash test ends with it.
//!
//! Neither trait enumerates everything it holds (a listing is per user, a bucket is shared by many
//! tests), so an audit looks at a [`AuditScope`]: the object keys and users a test touched.
//! [`FaultPlan::touched`](super::FaultPlan::touched) collects the keys of every call the service
//! made, including those of operations that failed half-way.

use crate::domain::{FileId, FileStatus, LinkId, ObjectKey, Position, Usage, UserId};
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use crate::Result;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What an audit looks at.
#[derive(Clone, Debug, Default)]
pub struct AuditScope {
    /// Object keys of files: each is checked record against bytes.
    pub keys: BTreeSet<ObjectKey>,
    /// Users whose listings (owned, shared with them) and usage are checked against the records.
    /// A user's usage is compared with their available files and their pending uploads among
    /// `keys`: every key a user's pending uploads have must be in scope.
    pub users: BTreeSet<UserId>,
}

impl AuditScope {
    /// The keys, and their owners as users.
    pub fn of_keys(keys: impl IntoIterator<Item = ObjectKey>) -> Self {
        let mut scope = Self::default();
        for key in keys {
            scope.users.insert(key.owner_and_file().0);
            scope.keys.insert(key);
        }
        scope
    }

    /// Adds users (grantees, whose shared-with listings are checked too).
    pub fn with_users(mut self, users: impl IntoIterator<Item = UserId>) -> Self {
        self.users.extend(users);
        self
    }
}

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// An available record whose bytes are missing.
    MissingBytes {
        /// The file's object.
        key: ObjectKey,
    },
    /// An available record whose bytes are not of its size.
    WrongSize {
        /// The file's object.
        key: ObjectKey,
        /// The record's size.
        recorded: u64,
        /// The stored object's size.
        stored: u64,
    },
    /// Bytes that no record owns (after a sweep): storage nobody can reach, or delete.
    OrphanBytes {
        /// The object.
        key: ObjectKey,
        /// Its size.
        size: u64,
    },
    /// A pending record past its expiry and the sweep's grace that the sweep left behind.
    StalePending {
        /// The upload's object.
        key: ObjectKey,
        /// When its upload window closed.
        expired_at: DateTime<Utc>,
    },
    /// A share whose file is gone.
    ShareOfMissingFile {
        /// The missing file.
        file: FileId,
        /// Whom the share is for.
        grantee: UserId,
    },
    /// A share link whose file is gone (or was never available): it must have gone with its file.
    LinkOfMissingFile {
        /// The link.
        link: LinkId,
    },
    /// A listing entry whose file is gone or not available.
    ListedButUnavailable {
        /// Whose listing.
        user: UserId,
        /// The listed file.
        file: FileId,
    },
    /// An available file missing from its owner's listing.
    AvailableButUnlisted {
        /// The owner.
        owner: UserId,
        /// The unlisted file.
        file: FileId,
    },
    /// A user's recorded usage is not the sum over the records they own.
    UsageMismatch {
        /// The user.
        owner: UserId,
        /// What the store says they use.
        recorded: Usage,
        /// The sum over their records (available ones, and pending ones in scope).
        actual: Usage,
    },
}

fn add(usage: &mut Usage, size: u64) {
    usage.bytes += size;
    usage.files += 1;
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Listing page size the audit reads with.
const PAGE: usize = 100;

/// Reports every broken invariant among `scope`'s files. `now` is the time listings are read at;
/// `swept_before`: pending records that expired before it should have been swept.
///
/// Errors only if a store read fails; violations are the answer, not an error.
pub async fn audit(
    files: &dyn FileStore,
    metadata: &dyn MetadataStore,
    scope: &AuditScope,
    now: DateTime<Utc>,
    swept_before: DateTime<Utc>,
) -> Result<Vec<Violation>> {
    let mut found = Vec::new();
    let mut available = BTreeSet::new();
    let mut pending: BTreeMap<UserId, Usage> = BTreeMap::new();
    for key in &scope.keys {
        let (owner, id) = key.owner_and_file();
        let record = metadata.get_file(&id, &owner).await?.map(|access| access.file);
        let object = files.head(key).await?;
        match (&record, &object) {
            (Some(file), _) if file.owner != owner => {} // another user's file: not this key's
            (Some(file), object) if file.status == FileStatus::Available => {
                available.insert((owner.clone(), id));
                match object {
                    None => found.push(Violation::MissingBytes { key: key.clone() }),
                    Some(meta) if meta.size != file.size => {
                        found.push(Violation::WrongSize { key: key.clone(), recorded: file.size, stored: meta.size })
                    }
                    Some(_) => {}
                }
            }
            (Some(file), _) => {
                add(pending.entry(owner.clone()).or_default(), file.size);
                if let Some(expired_at) = file.pending_expires_at.filter(|t| *t < swept_before) {
                    found.push(Violation::StalePending { key: key.clone(), expired_at });
                }
            }
            (None, Some(meta)) => found.push(Violation::OrphanBytes { key: key.clone(), size: meta.size }),
            (None, None) => {}
        }
        if record.is_none() {
            let mut after = None;
            loop {
                let page = metadata.list_shares(&id, after.as_ref(), PAGE).await?;
                for share in &page.items {
                    found.push(Violation::ShareOfMissingFile { file: id, grantee: share.grantee.clone() });
                }
                match page.items.last() {
                    Some(last) if page.has_more => after = Some(last.grantee.clone()),
                    _ => break,
                }
            }
        }
        let shareable = record.as_ref().is_some_and(|f| f.owner == owner && f.status == FileStatus::Available);
        if !shareable && record.as_ref().is_none_or(|f| f.owner == owner) {
            for link in metadata.list_links(&id).await? {
                found.push(Violation::LinkOfMissingFile { link: link.id });
            }
        }
    }
    for user in &scope.users {
        let mut listed = BTreeSet::new();
        let mut actual = pending.get(user).copied().unwrap_or_default();
        let mut after: Option<Position> = None;
        loop {
            let slice = metadata.list_owned(user, after.as_ref(), PAGE).await?;
            for file in &slice.items {
                listed.insert(file.id);
                add(&mut actual, file.size);
                check_listed(metadata, user, &file.id, &file.owner, &mut found).await?;
            }
            after = slice.items.last().map(|f| Position { at: f.created_at, id: f.id });
            if !slice.has_more {
                break;
            }
        }
        let recorded = metadata.get_usage(user).await?.usage;
        if recorded != actual {
            found.push(Violation::UsageMismatch { owner: user.clone(), recorded, actual });
        }
        for (owner, id) in available.iter().filter(|(owner, _)| owner == user) {
            if !listed.contains(id) {
                found.push(Violation::AvailableButUnlisted { owner: owner.clone(), file: *id });
            }
        }
        let mut after: Option<Position> = None;
        loop {
            let slice = metadata.list_shared_with(user, now, after.as_ref(), PAGE).await?;
            for shared in &slice.items {
                check_listed(metadata, user, &shared.file.id, &shared.file.owner, &mut found).await?;
            }
            after = slice.items.last().map(|s| Position { at: s.share.created_at, id: s.file.id });
            if !slice.has_more {
                break;
            }
        }
    }
    Ok(found)
}

/// A listed file must exist and be available.
async fn check_listed(
    metadata: &dyn MetadataStore,
    user: &UserId,
    id: &FileId,
    owner: &UserId,
    found: &mut Vec<Violation>,
) -> Result<()> {
    let live = metadata.get_file(id, owner).await?.is_some_and(|a| a.file.status == FileStatus::Available);
    if !live {
        found.push(Violation::ListedButUnavailable { user: user.clone(), file: *id });
    }
    Ok(())
}
