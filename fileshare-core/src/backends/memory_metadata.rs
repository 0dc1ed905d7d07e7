//! [`MemoryMetadataStore`]: records in a mutex-guarded map, for tests and examples.

use crate::domain::{
    FileAccess, FileId, FileRecord, FileStatus, LinkAccess, LinkId, LinkUpdate, Position, Quota, Share, ShareLink,
    SharedFile, StoredUsage, UserId,
};
use crate::metadata::{MetadataStore, Slice};
use crate::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct State {
    files: HashMap<FileId, FileRecord>,
    shares: BTreeMap<(FileId, UserId), Share>,
    links: BTreeMap<LinkId, ShareLink>,
    usage: HashMap<UserId, StoredUsage>,
}

impl State {
    /// The put condition of shares and links: the file exists, is `owner`'s and is available.
    fn check_shareable(&self, id: &FileId, owner: &UserId) -> Result<()> {
        match self.files.get(id) {
            Some(stored) if &stored.owner == owner => {
                if stored.status != FileStatus::Available {
                    return Err(Error::conflict("a file can be shared once its upload is complete"));
                }
                Ok(())
            }
            _ => Err(Error::not_found("file", id)),
        }
    }
}

/// An in-memory [`MetadataStore`]. Listings sort the caller's records on every call (linear in the
/// caller's records, not the store's): fine for tests, not for a million files.
#[derive(Debug, Default)]
pub struct MemoryMetadataStore {
    state: Mutex<State>,
}

impl MemoryMetadataStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied change: every change below
        // comes after all its checks, and nothing between its map operations can panic. So a
        // poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The first `limit` items of a newest-first run strictly after `after`.
fn page<T>(mut items: Vec<(Position, T)>, after: Option<&Position>, limit: usize) -> Slice<T> {
    items.retain(|(p, _)| after.is_none_or(|a| p < a));
    items.sort_by_key(|(p, _)| std::cmp::Reverse(*p));
    let has_more = items.len() > limit;
    Slice { items: items.into_iter().take(limit).map(|(_, t)| t).collect(), has_more }
}

#[async_trait]
impl MetadataStore for MemoryMetadataStore {
    async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()> {
        let mut state = self.lock();
        if state.files.contains_key(&file.id) {
            return Err(Error::conflict(format!("file {} already exists", file.id)));
        }
        let stored = state.usage.entry(file.owner.clone()).or_default();
        let quota = stored.quota_or(quota);
        if !quota.admits(&stored.usage, file.size) {
            return Err(Error::QuotaExceeded { usage: stored.usage, quota, size: file.size });
        }
        stored.usage.bytes += file.size;
        stored.usage.files += 1;
        state.files.insert(file.id, file.clone());
        Ok(())
    }

    async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>> {
        let state = self.lock();
        Ok(state
            .files
            .get(id)
            .map(|file| FileAccess { file: file.clone(), share: state.shares.get(&(*id, viewer.clone())).cloned() }))
    }

    async fn mark_available(&self, file: &FileRecord, etag: Option<String>, at: DateTime<Utc>) -> Result<FileRecord> {
        let (id, mut state) = (file.id, self.lock());
        let file = state.files.get_mut(&id).ok_or_else(|| Error::not_found("file", id))?;
        if file.status == FileStatus::Pending {
            file.status = FileStatus::Available;
            file.etag = etag;
            file.updated_at = at;
            file.pending_expires_at = None;
            file.multipart = None;
        }
        Ok(file.clone())
    }

    async fn delete_file(&self, id: &FileId) -> Result<FileRecord> {
        let mut state = self.lock();
        let file = state.files.remove(id).ok_or_else(|| Error::not_found("file", id))?;
        if let Some(stored) = state.usage.get_mut(&file.owner) {
            stored.usage.bytes = stored.usage.bytes.saturating_sub(file.size);
            stored.usage.files = stored.usage.files.saturating_sub(1);
        }
        state.shares.retain(|(file_id, _), _| file_id != id);
        state.links.retain(|link, _| &link.file_id() != id);
        Ok(file)
    }

    async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share> {
        let mut state = self.lock();
        state.check_shareable(&share.file_id, &file.owner)?;
        let stored = state
            .shares
            .entry((share.file_id, share.grantee.clone()))
            .and_modify(|s| {
                s.permission = share.permission;
                s.expires_at = share.expires_at;
            })
            .or_insert_with(|| share.clone());
        Ok(stored.clone())
    }

    async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()> {
        let removed = self.lock().shares.remove(&(*id, grantee.clone()));
        removed.map(|_| ()).ok_or_else(|| Error::not_found("share", format!("{id}/{grantee}")))
    }

    async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>> {
        let state = self.lock();
        let mut shares: Vec<Share> = state
            .shares
            .values()
            .filter(|s| &s.file_id == id && after.is_none_or(|after| &s.grantee > after))
            .cloned()
            .collect();
        shares.sort_by(|a, b| a.grantee.cmp(&b.grantee));
        let has_more = shares.len() > limit;
        shares.truncate(limit);
        Ok(Slice { items: shares, has_more })
    }

    async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
        let mut state = self.lock();
        state.check_shareable(&link.file_id(), &file.owner)?;
        if state.links.contains_key(&link.id) {
            return Err(Error::conflict(format!("link {} already exists", link.id)));
        }
        state.links.insert(link.id, link.clone());
        Ok(())
    }

    async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        let state = self.lock();
        let (Some(link), Some(file)) = (state.links.get(id), state.files.get(&id.file_id())) else {
            return Ok(None);
        };
        Ok(Some(LinkAccess { link: link.clone(), file: file.clone() }))
    }

    async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        let state = self.lock();
        let mut links: Vec<ShareLink> = state.links.values().filter(|l| &l.file_id() == file).cloned().collect();
        links.sort_by_key(|l| (l.created_at, l.id));
        Ok(links)
    }

    async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        let mut state = self.lock();
        let link = state.links.get_mut(id).ok_or_else(|| Error::not_found("link", id))?;
        Ok(update.apply(link).then(|| link.clone()))
    }

    async fn delete_link(&self, id: &LinkId) -> Result<()> {
        let removed = self.lock().links.remove(id);
        removed.map(|_| ()).ok_or_else(|| Error::not_found("link", id))
    }

    async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        Ok(self.lock().usage.get(owner).copied().unwrap_or_default())
    }

    async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        self.lock().usage.entry(owner.clone()).or_default().quota = quota;
        Ok(())
    }

    async fn list_owned(&self, owner: &UserId, after: Option<&Position>, limit: usize) -> Result<Slice<FileRecord>> {
        let state = self.lock();
        let mine = state
            .files
            .values()
            .filter(|f| &f.owner == owner && f.status == FileStatus::Available)
            .map(|f| (Position { at: f.created_at, id: f.id }, f.clone()))
            .collect();
        Ok(page(mine, after, limit))
    }

    async fn list_shared_with(
        &self,
        grantee: &UserId,
        now: DateTime<Utc>,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Slice<SharedFile>> {
        let state = self.lock();
        let shared = state
            .shares
            .values()
            .filter(|s| &s.grantee == grantee && s.is_active(now))
            .filter_map(|s| {
                let file = state.files.get(&s.file_id)?;
                let position = Position { at: s.created_at, id: s.file_id };
                Some((position, SharedFile { file: file.clone(), share: s.clone() }))
            })
            .collect();
        Ok(page(shared, after, limit))
    }
}
