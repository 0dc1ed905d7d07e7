//! Fault injection: [`FaultyFileStore`] and [`FaultyMetadataStore`] wrap real stores and make the
//! k-th storage call of an operation fail, in one of the three ways a network or a disk fails.
//!
//! Both wrappers share one [`FaultPlan`], so "the k-th call" counts every call the service makes to
//! either store, in order. The plan also remembers every object key a call named, so that an
//! [`audit`](super::audit) afterwards can look at everything the service touched — including what
//! an operation created before it failed, which its caller never heard of.

use crate::domain::{
    FileAccess, FileId, FileRecord, LinkAccess, LinkId, LinkUpdate, ObjectKey, Position, Quota, Share, ShareLink,
    SharedFile, StoredUsage, UserId,
};
use crate::metadata::{MetadataStore, Slice};
use crate::store::{
    CompletedPart, DownloadRequest, FileStore, ObjectHeaders, ObjectMeta, PartRequest, PresignedUpload, PresignedUrl,
    UploadPolicy,
};
use crate::{Error, Result};
use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use std::collections::BTreeSet;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// How a faulted call fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The call is refused before it reaches the store: nothing happened.
    Error,
    /// The caller stops waiting: the call is started (polled once) and then abandoned, so it may
    /// have happened, in part or whole, or not at all — and a store that works on another thread
    /// may finish it later. What a client-side timeout leaves behind.
    Timeout,
    /// The call happens in full, but its reply is lost: the caller sees an error for a write that
    /// took effect.
    LostReply,
}

impl Fault {
    /// Every kind, for drivers that try them all.
    pub const ALL: [Fault; 3] = [Fault::Error, Fault::Timeout, Fault::LostReply];
}

/// Which call fails and how, shared by a [`FaultyFileStore`] and a [`FaultyMetadataStore`].
#[derive(Debug, Default)]
pub struct FaultPlan {
    calls: AtomicUsize,
    armed: Mutex<Option<(usize, Fault)>>,
    fired: Mutex<Option<(&'static str, Fault)>>,
    touched: Mutex<BTreeSet<ObjectKey>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FaultPlan {
    /// A plan that injects nothing until [`FaultPlan::arm`]ed.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Makes the `k`-th call from now (1-based, over both stores) fail with `fault`.
    pub fn arm(&self, k: usize, fault: Fault) {
        self.calls.store(0, Ordering::SeqCst);
        *locked(&self.fired) = None;
        *locked(&self.armed) = Some((k, fault));
    }

    /// Injects nothing from now on.
    pub fn disarm(&self) {
        *locked(&self.armed) = None;
    }

    /// The call that failed since the last [`FaultPlan::arm`], if one did (its method name).
    pub fn fired(&self) -> Option<(&'static str, Fault)> {
        *locked(&self.fired)
    }

    /// Every object key a call has named so far.
    pub fn touched(&self) -> Vec<ObjectKey> {
        locked(&self.touched).iter().cloned().collect()
    }

    fn touch(&self, key: &ObjectKey) {
        locked(&self.touched).insert(key.clone());
    }

    /// Counts a call and says whether (and how) it fails.
    fn next(&self, method: &'static str) -> Option<Fault> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let mut armed = locked(&self.armed);
        match *armed {
            Some((k, fault)) if k == n => {
                *armed = None;
                *locked(&self.fired) = Some((method, fault));
                Some(fault)
            }
            _ => None,
        }
    }

    /// Runs `call` as the plan says.
    async fn run<T>(&self, method: &'static str, call: impl Future<Output = Result<T>>) -> Result<T> {
        match self.next(method) {
            None => call.await,
            Some(Fault::Error) => Err(injected(method, "refused")),
            Some(Fault::Timeout) => {
                // Started, then abandoned: whatever it got done in its first step stays done.
                drop(call.now_or_never());
                Err(injected(method, "timed out"))
            }
            Some(Fault::LostReply) => {
                drop(call.await);
                Err(injected(method, "reply lost"))
            }
        }
    }
}

/// The error a faulted call returns: a storage failure, as a real outage would be.
fn injected(method: &'static str, what: &str) -> Error {
    Error::storage("fault-injection", format!("injected fault: {method} {what}"))
}

/// A [`FileStore`] whose calls fail as its [`FaultPlan`] says.
#[derive(Debug)]
pub struct FaultyFileStore<S> {
    inner: S,
    plan: Arc<FaultPlan>,
}

impl<S> FaultyFileStore<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, plan: Arc<FaultPlan>) -> Self {
        Self { inner, plan }
    }
}

#[async_trait]
impl<S: FileStore> FileStore for FaultyFileStore<S> {
    async fn put(&self, key: &ObjectKey, headers: &ObjectHeaders, data: Bytes) -> Result<ObjectMeta> {
        self.plan.touch(key);
        self.plan.run("put", self.inner.put(key, headers, data)).await
    }
    async fn get(&self, key: &ObjectKey) -> Result<Bytes> {
        self.plan.touch(key);
        self.plan.run("get", self.inner.get(key)).await
    }
    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>> {
        self.plan.touch(key);
        self.plan.run("head", self.inner.head(key)).await
    }
    async fn delete(&self, key: &ObjectKey) -> Result<()> {
        self.plan.touch(key);
        self.plan.run("delete", self.inner.delete(key)).await
    }
    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<PresignedUpload> {
        self.plan.touch(&policy.key);
        self.plan.run("presign_upload", self.inner.presign_upload(policy)).await
    }
    async fn presign_download(&self, request: &DownloadRequest) -> Result<PresignedUrl> {
        self.plan.touch(&request.key);
        self.plan.run("presign_download", self.inner.presign_download(request)).await
    }
    async fn create_multipart(&self, key: &ObjectKey, headers: &ObjectHeaders) -> Result<String> {
        self.plan.touch(key);
        self.plan.run("create_multipart", self.inner.create_multipart(key, headers)).await
    }
    async fn presign_part(&self, request: &PartRequest) -> Result<PresignedUrl> {
        self.plan.touch(&request.key);
        self.plan.run("presign_part", self.inner.presign_part(request)).await
    }
    async fn complete_multipart(&self, key: &ObjectKey, upload_id: &str, parts: &[CompletedPart]) -> Result<()> {
        self.plan.touch(key);
        self.plan.run("complete_multipart", self.inner.complete_multipart(key, upload_id, parts)).await
    }
    async fn abort_multipart(&self, key: &ObjectKey, upload_id: &str) -> Result<()> {
        self.plan.touch(key);
        self.plan.run("abort_multipart", self.inner.abort_multipart(key, upload_id)).await
    }
}

/// A [`MetadataStore`] whose calls fail as its [`FaultPlan`] says.
#[derive(Debug)]
pub struct FaultyMetadataStore<M> {
    inner: M,
    plan: Arc<FaultPlan>,
}

impl<M> FaultyMetadataStore<M> {
    /// Wraps `inner`.
    pub fn new(inner: M, plan: Arc<FaultPlan>) -> Self {
        Self { inner, plan }
    }
}

#[async_trait]
impl<M: MetadataStore> MetadataStore for FaultyMetadataStore<M> {
    async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()> {
        self.plan.touch(&file.key());
        self.plan.run("insert_file", self.inner.insert_file(file, quota)).await
    }
    async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>> {
        self.plan.run("get_file", self.inner.get_file(id, viewer)).await
    }
    async fn mark_available(&self, file: &FileRecord, etag: Option<String>, at: DateTime<Utc>) -> Result<FileRecord> {
        self.plan.run("mark_available", self.inner.mark_available(file, etag, at)).await
    }
    async fn delete_file(&self, id: &FileId) -> Result<FileRecord> {
        self.plan.run("delete_file", self.inner.delete_file(id)).await
    }
    async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share> {
        self.plan.run("put_share", self.inner.put_share(share, file)).await
    }
    async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()> {
        self.plan.run("delete_share", self.inner.delete_share(id, grantee)).await
    }
    async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>> {
        self.plan.run("list_shares", self.inner.list_shares(id, after, limit)).await
    }
    async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
        self.plan.run("put_link", self.inner.put_link(link, file)).await
    }
    async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        self.plan.run("get_link", self.inner.get_link(id)).await
    }
    async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        self.plan.run("list_links", self.inner.list_links(file)).await
    }
    async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        self.plan.run("update_link", self.inner.update_link(id, update)).await
    }
    async fn delete_link(&self, id: &LinkId) -> Result<()> {
        self.plan.run("delete_link", self.inner.delete_link(id)).await
    }
    async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        self.plan.run("get_usage", self.inner.get_usage(owner)).await
    }
    async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        self.plan.run("set_quota", self.inner.set_quota(owner, quota)).await
    }
    async fn list_owned(&self, owner: &UserId, after: Option<&Position>, limit: usize) -> Result<Slice<FileRecord>> {
        self.plan.run("list_owned", self.inner.list_owned(owner, after, limit)).await
    }
    async fn list_shared_with(
        &self,
        grantee: &UserId,
        now: DateTime<Utc>,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Slice<SharedFile>> {
        self.plan.run("list_shared_with", self.inner.list_shared_with(grantee, now, after, limit)).await
    }
}
