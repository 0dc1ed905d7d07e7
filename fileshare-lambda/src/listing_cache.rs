//! Listings answered from memory while nothing has changed (embedded default only).
//!
//! A listing is the API's most frequent and most expensive read: a SQLite range scan on the blocking
//! pool, every row decoded and checked, a page of JSON and its hash. Between two writes, the same
//! caller asking the same page gets the same bytes, so the local server keeps recent answers. What
//! keeps that correct:
//!
//! - **Any write invalidates everything.** [`WriteEpoch`] wraps the metadata store that `FileShare`
//!   writes through and counts writes (after each write returns, so a client told "done" never
//!   reads an older answer); an answer is kept with the count read *before* its query, and used only
//!   while the count is unchanged. Coarse on purpose: a share changes two users' listings, a delete
//!   many, and a global count cannot miss any of them.
//! - **Nothing is kept past a share's expiry**: the one change that happens without a write (a
//!   grantee's view ends at the share's `expires_at`), so an answer is used only until the earliest
//!   expiry among its entries.
//! - **One process writes.** Only the embedded default has that property (its data directory is
//!   locked to one server); on AWS many functions write the same table, so there is no cache there.
//! - The caller is verified and rationed as for any request first: the cache only skips the query.
//!
//! Bounded: [`ENTRIES`] answers of at most [`MAX_BODY`] bytes each, least recently used out first.

use async_trait::async_trait;
use axum::body::Bytes;
use axum::http::HeaderValue;
use chrono::{DateTime, Utc};
use fileshare_core::{
    FileAccess, FileId, FileRecord, LinkAccess, LinkId, LinkUpdate, MetadataStore, Position, Quota, Result, Share,
    ShareLink, SharedFile, Slice, StoredUsage, UserId,
};
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Answers kept.
pub const ENTRIES: usize = 1024;
/// The largest answer kept (a page of about 200 files): at most 64 MiB in all.
pub const MAX_BODY: usize = 64 * 1024;

/// A count of metadata writes, shared by a [`WriteEpoch`] store and the [`ListingCache`].
#[derive(Clone, Debug, Default)]
pub struct Epoch(Arc<AtomicU64>);

impl Epoch {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A [`MetadataStore`] that counts the writes made through it.
#[derive(Debug)]
pub struct WriteEpoch<M> {
    inner: M,
    epoch: Epoch,
}

impl<M: MetadataStore> WriteEpoch<M> {
    /// `inner`, its writes counted in `epoch`.
    pub fn new(inner: M, epoch: Epoch) -> Self {
        Self { inner, epoch }
    }

    /// Counts a write once it returned, failed or not (a failed write may have changed something).
    fn counted<T>(&self, result: Result<T>) -> Result<T> {
        self.epoch.0.fetch_add(1, Ordering::SeqCst);
        result
    }
}

#[async_trait]
impl<M: MetadataStore> MetadataStore for WriteEpoch<M> {
    async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()> {
        self.counted(self.inner.insert_file(file, quota).await)
    }
    async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>> {
        self.inner.get_file(id, viewer).await
    }
    async fn mark_available(&self, file: &FileRecord, etag: Option<String>, at: DateTime<Utc>) -> Result<FileRecord> {
        self.counted(self.inner.mark_available(file, etag, at).await)
    }
    async fn delete_file(&self, id: &FileId) -> Result<FileRecord> {
        self.counted(self.inner.delete_file(id).await)
    }
    async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share> {
        self.counted(self.inner.put_share(share, file).await)
    }
    async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()> {
        self.counted(self.inner.delete_share(id, grantee).await)
    }
    async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>> {
        self.inner.list_shares(id, after, limit).await
    }
    // Links are in no listing: their writes leave the kept answers valid.
    async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
        self.inner.put_link(link, file).await
    }
    async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        self.inner.get_link(id).await
    }
    async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        self.inner.list_links(file).await
    }
    async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        self.inner.update_link(id, update).await
    }
    async fn delete_link(&self, id: &LinkId) -> Result<()> {
        self.inner.delete_link(id).await
    }
    // Usage is in no listing either.
    async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        self.inner.get_usage(owner).await
    }
    async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        self.inner.set_quota(owner, quota).await
    }
    async fn list_owned(&self, owner: &UserId, after: Option<&Position>, limit: usize) -> Result<Slice<FileRecord>> {
        self.inner.list_owned(owner, after, limit).await
    }
    async fn list_shared_with(
        &self,
        grantee: &UserId,
        now: DateTime<Utc>,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Slice<SharedFile>> {
        self.inner.list_shared_with(grantee, now, after, limit).await
    }
}

/// A kept listing answer.
#[derive(Clone)]
pub struct Cached {
    /// The JSON body.
    pub body: Bytes,
    /// Its entity tag.
    pub etag: HeaderValue,
    epoch: u64,
    valid_until: Option<DateTime<Utc>>,
}

/// Recent listing answers by caller and query.
pub struct ListingCache {
    epoch: Epoch,
    answers: Mutex<LruCache<(UserId, String), Cached>>,
}

/// Where an answer may be kept: the write count read before its query began.
pub struct Ticket {
    key: (UserId, String),
    epoch: u64,
}

impl ListingCache {
    /// A cache whose answers hold while `epoch` does not move.
    pub fn new(epoch: Epoch) -> Self {
        let capacity = NonZeroUsize::new(ENTRIES).unwrap_or(NonZeroUsize::MIN);
        Self { epoch, answers: Mutex::new(LruCache::new(capacity)) }
    }

    /// The kept answer to `caller`'s `query`, if nothing was written since and no entry expired;
    /// otherwise a [`Ticket`] to [`keep`](Self::keep) the fresh answer with.
    pub fn get(&self, caller: &UserId, query: &str) -> Result<Cached, Ticket> {
        let epoch = self.epoch.now();
        let key = (caller.clone(), query.to_owned());
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        match answers.get(&key) {
            Some(hit) if hit.epoch == epoch && hit.valid_until.is_none_or(|until| Utc::now() < until) => {
                Ok(hit.clone())
            }
            _ => Err(Ticket { key, epoch }),
        }
    }

    /// Keeps `body` (tagged `etag`) for its ticket's caller and query, until a write or `valid_until`.
    pub fn keep(&self, ticket: Ticket, body: Bytes, etag: HeaderValue, valid_until: Option<DateTime<Utc>>) {
        if body.len() > MAX_BODY {
            return;
        }
        let cached = Cached { body, etag, epoch: ticket.epoch, valid_until };
        self.answers.lock().unwrap_or_else(|e| e.into_inner()).put(ticket.key, cached);
    }
}
