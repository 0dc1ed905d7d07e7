//! The [`MetadataStore`] trait: records of files, shares and share links, and each user's usage.

use crate::domain::{
    FileAccess, FileId, FileRecord, LinkAccess, LinkId, LinkUpdate, Position, Quota, Share, ShareLink, SharedFile,
    StoredUsage, UserId,
};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt::Debug;
use std::sync::Arc;

/// One slice of a listing: up to `limit` items and whether more exist after the last one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slice<T> {
    /// Items, newest first.
    pub items: Vec<T>,
    /// `true` if items exist after the last one returned.
    pub has_more: bool,
}

/// Durable records of files, shares and share links, and what each user stores.
///
/// A metadata store keeps data consistent (conditional writes, atomic deletes) but never decides
/// access: [`FileShare`](crate::FileShare) reads what it needs and decides. Every read used for an
/// authorization decision is strongly consistent. Every listing is one indexed range query: its cost
/// does not grow with the number of records. A user's [usage](StoredUsage) always equals the sum
/// over the records they own, pending ones included: it changes only in the same atomic write as a
/// record is inserted or deleted. The conformance suite in `testing::metadata` has a test for
/// every bullet below.
#[async_trait]
pub trait MetadataStore: Send + Sync + Debug + 'static {
    /// Inserts a new file record and adds its size and one file to its owner's usage, atomically,
    /// if the result stays within the owner's quota: their own if an operator set one (see
    /// [`set_quota`](MetadataStore::set_quota)), else `quota`.
    ///
    /// # Behavior
    /// - An existing id is [`Error::Conflict`](crate::Error::Conflict); the stored record and the
    ///   usage are unchanged.
    /// - A record that does not fit is [`Error::QuotaExceeded`](crate::Error::QuotaExceeded), with
    ///   the usage and the quota it was refused by; nothing is stored.
    /// - Concurrent inserts never overshoot: of `n` concurrent inserts of which only `k` fit, at
    ///   most `k` succeed, and the usage is exactly the sum of those that did.
    async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()>;

    /// Reads a file together with `viewer`'s share of it, in one consistent read.
    ///
    /// # Behavior
    /// - A missing file is `Ok(None)`.
    /// - `share` is the viewer's share whether or not it has expired; `None` if there is none.
    async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>>;

    /// Marks the pending `file` (as read by the caller) available.
    ///
    /// # Behavior
    /// - Sets status `available`, `etag`, `updated_at = at`; clears `pending_expires_at` and `multipart`.
    /// - Idempotent: an already-available file is returned unchanged.
    /// - A missing file is [`Error::NotFound`](crate::Error::NotFound).
    async fn mark_available(&self, file: &FileRecord, etag: Option<String>, at: DateTime<Utc>) -> Result<FileRecord>;

    /// Deletes a file record and all its shares and links, gives its size back to its owner's
    /// usage, and returns the deleted record.
    ///
    /// # Behavior
    /// - Afterwards no share or link of the file is readable or listed.
    /// - The owner's usage drops by the record's size and one file in the same atomic write that
    ///   makes the record unreadable: once, however often the delete is repeated.
    /// - A missing file is [`Error::NotFound`](crate::Error::NotFound).
    /// - Any number of shares. A store that cannot delete them all atomically makes the file
    ///   unreadable first (`get_file` answers `None`, `put_share` refuses), so an interrupted delete
    ///   never leaves a readable file, share or link; calling `delete_file` again finishes it.
    async fn delete_file(&self, id: &FileId) -> Result<FileRecord>;

    /// Creates or updates a share of `file` (as read by the caller), on the condition that the stored
    /// file still exists, is owned by `file.owner` and is available — checked atomically with the
    /// write, so a share never outlives its file.
    ///
    /// # Behavior
    /// - A missing file, or one not owned by `file.owner`, is [`Error::NotFound`](crate::Error::NotFound).
    /// - A pending file is [`Error::Conflict`](crate::Error::Conflict).
    /// - Sharing again with the same grantee updates `permission` and `expires_at`, keeps the first
    ///   `created_at`, and never duplicates. Returns the stored share.
    async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share>;

    /// Deletes one share.
    ///
    /// # Behavior
    /// - A missing share is [`Error::NotFound`](crate::Error::NotFound).
    async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()>;

    /// A page of a file's shares: up to `limit` of them, in grantee order, after the grantee
    /// `after` (`None`: from the first).
    ///
    /// # Behavior
    /// - Ordered by grantee id; pages visit every share exactly once.
    /// - Includes expired shares (the owner sees them); a missing file has none.
    /// - Bounded: one page reads at most `limit + 1` shares, whatever the file's total, so a file
    ///   shared with tens of thousands of people costs a page what any other does.
    async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>>;

    /// Stores a new link of `file` (as read by the caller), on the same condition as
    /// [`put_share`](MetadataStore::put_share): the stored file still exists, is owned by
    /// `file.owner` and is available — checked atomically with the write.
    ///
    /// # Behavior
    /// - A missing file, or one not owned by `file.owner`, is [`Error::NotFound`](crate::Error::NotFound).
    /// - A pending file is [`Error::Conflict`](crate::Error::Conflict).
    /// - An existing link id is [`Error::Conflict`](crate::Error::Conflict); the stored link is unchanged.
    async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()>;

    /// Reads a link together with its file, in one consistent read.
    ///
    /// # Behavior
    /// - A missing link, or a link whose file is gone (or being deleted), is `Ok(None)`.
    /// - Expired and exhausted links are returned: deciding is the rules' job.
    async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>>;

    /// All links of a file, oldest first.
    ///
    /// # Behavior
    /// - Includes expired and exhausted links (the owner sees them); a missing file has none.
    async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>>;

    /// Applies one atomic [`LinkUpdate`] to a stored link and returns the link as updated, or
    /// `Ok(None)` if the update's condition refused it (no downloads or attempts left); a refused
    /// update changes nothing.
    ///
    /// # Behavior
    /// - Concurrent updates never overshoot: `n` concurrent `CountDownload`s of a link with `k`
    ///   downloads left succeed exactly `min(n, k)` times.
    /// - A missing link is [`Error::NotFound`](crate::Error::NotFound).
    async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>>;

    /// Deletes one link; effective for every later read.
    ///
    /// # Behavior
    /// - A missing link is [`Error::NotFound`](crate::Error::NotFound).
    async fn delete_link(&self, id: &LinkId) -> Result<()>;

    /// What `owner` stores, and their own quota if an operator set one.
    ///
    /// # Behavior
    /// - A user who never stored anything has zero usage and no quota of their own.
    /// - Strongly consistent: reflects every insert and delete that returned before the call.
    async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage>;

    /// Sets `owner`'s own quota (`Some`), which replaces the default passed to
    /// [`insert_file`](MetadataStore::insert_file), or removes it (`None`). An operator's act.
    ///
    /// # Behavior
    /// - Usage is unchanged; a quota below it refuses new records and keeps the stored ones.
    /// - Takes effect for every later insert.
    async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()>;

    /// Available files owned by `owner`, newest first by `(created_at, id)`, strictly after `after`.
    ///
    /// # Behavior
    /// - Pending files are not listed.
    /// - Paging through with the last item's position visits every file exactly once.
    async fn list_owned(&self, owner: &UserId, after: Option<&Position>, limit: usize) -> Result<Slice<FileRecord>>;

    /// Files shared with `grantee`, newest share first by `(share.created_at, file id)`, strictly after
    /// `after`.
    ///
    /// # Behavior
    /// - Shares that expired at or before `now` are not listed.
    /// - Paging through with the last item's position visits every share exactly once.
    async fn list_shared_with(
        &self,
        grantee: &UserId,
        now: DateTime<Utc>,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Slice<SharedFile>>;
}

macro_rules! forward_metadata_store {
    ($ptr:ty) => {
        #[async_trait]
        impl<T: MetadataStore + ?Sized> MetadataStore for $ptr {
            async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()> {
                (**self).insert_file(file, quota).await
            }
            async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>> {
                (**self).get_file(id, viewer).await
            }
            async fn mark_available(
                &self,
                file: &FileRecord,
                etag: Option<String>,
                at: DateTime<Utc>,
            ) -> Result<FileRecord> {
                (**self).mark_available(file, etag, at).await
            }
            async fn delete_file(&self, id: &FileId) -> Result<FileRecord> {
                (**self).delete_file(id).await
            }
            async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share> {
                (**self).put_share(share, file).await
            }
            async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()> {
                (**self).delete_share(id, grantee).await
            }
            async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>> {
                (**self).list_shares(id, after, limit).await
            }
            async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
                (**self).put_link(link, file).await
            }
            async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
                (**self).get_link(id).await
            }
            async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
                (**self).list_links(file).await
            }
            async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
                (**self).update_link(id, update).await
            }
            async fn delete_link(&self, id: &LinkId) -> Result<()> {
                (**self).delete_link(id).await
            }
            async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage> {
                (**self).get_usage(owner).await
            }
            async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
                (**self).set_quota(owner, quota).await
            }
            async fn list_owned(
                &self,
                owner: &UserId,
                after: Option<&Position>,
                limit: usize,
            ) -> Result<Slice<FileRecord>> {
                (**self).list_owned(owner, after, limit).await
            }
            async fn list_shared_with(
                &self,
                grantee: &UserId,
                now: DateTime<Utc>,
                after: Option<&Position>,
                limit: usize,
            ) -> Result<Slice<SharedFile>> {
                (**self).list_shared_with(grantee, now, after, limit).await
            }
        }
    };
}

forward_metadata_store!(Arc<T>);
forward_metadata_store!(Box<T>);
