//! Usage and quotas: what a user stores, what they may store, and the operator's override.

use super::FileShare;
use crate::domain::{Quota, StoredUsage, Usage, UserId};
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use crate::Result;
use serde::Serialize;

/// What a user stores and the quota in force for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UsageReport {
    /// What they store: every file they own, pending uploads by their declared size.
    pub usage: Usage,
    /// What they may store: their own quota, or the deployment's default.
    pub quota: Quota,
    /// Whether `quota` is their own, set by an operator.
    pub custom: bool,
}

impl UsageReport {
    /// The report on `stored` where `default` is the deployment's quota.
    pub fn new(stored: StoredUsage, default: &Quota) -> Self {
        UsageReport { usage: stored.usage, quota: stored.quota_or(default), custom: stored.quota.is_some() }
    }
}

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// What `caller` stores and may store. Uploads are refused with
    /// [`Error::QuotaExceeded`](crate::Error::QuotaExceeded) once they would go past the quota.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use fileshare_core::{FileShare, Quota, UserId, backends::{MemoryFileStore, MemoryMetadataStore}};
    /// let service = FileShare::new(MemoryFileStore::new(), MemoryMetadataStore::new());
    /// let alice = UserId::new("alice")?;
    /// service.put_bytes(&alice, "notes.txt", "text/plain", "hello".into()).await?;
    /// let report = service.usage(&alice).await?;
    /// assert_eq!((report.usage.bytes, report.usage.files), (5, 1));
    /// assert_eq!(report.quota, Quota::default());
    /// # Ok::<_, fileshare_core::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn usage(&self, caller: &UserId) -> Result<UsageReport> {
        Ok(UsageReport::new(self.metadata.get_usage(caller).await?, &self.config.quota))
    }

    /// Gives `user` a quota of their own (`Some`), in place of [`Config::quota`](super::Config::quota),
    /// or returns them to the default (`None`). Files they store stay, even beyond a lower quota;
    /// only new uploads are refused.
    ///
    /// An operator's act, with no caller and no access rule: expose it to operators only (as the
    /// `fileshare-server quota` command does), never to users.
    pub async fn set_quota(&self, user: &UserId, quota: Option<Quota>) -> Result<UsageReport> {
        self.metadata.set_quota(user, quota).await?;
        self.usage(user).await
    }
}
