//! Quotas: how much one user may store, and how much they do.
//!
//! Usage counts every record a user owns — pending uploads by their declared size, so that many
//! uploads started at once cannot together overshoot — and changes only in the same atomic write
//! as the record: reserved when an upload is created, kept when it completes, given back when the
//! record is deleted (by its owner, or as an abandoned upload).

use serde::{Deserialize, Serialize};

const GIB: u64 = 1024 * 1024 * 1024;

/// Limits on what one user may store, pending uploads included. `None` is no limit.
///
/// ```
/// use fileshare_core::{Quota, Usage};
/// let quota = Quota { bytes: Some(100), files: Some(2) };
/// let usage = Usage { bytes: 60, files: 1 };
/// assert!(quota.admits(&usage, 40));
/// assert!(!quota.admits(&usage, 41));
/// assert!(!quota.admits(&Usage { bytes: 0, files: 2 }, 1));
/// assert!(Quota::UNLIMITED.admits(&usage, u64::MAX));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quota {
    /// Most bytes, summed over the user's files.
    pub bytes: Option<u64>,
    /// Most files.
    pub files: Option<u64>,
}

impl Quota {
    /// No limit at all.
    pub const UNLIMITED: Quota = Quota { bytes: None, files: None };

    /// Whether a user at `usage` may add one file of `size` bytes.
    pub fn admits(&self, usage: &Usage, size: u64) -> bool {
        let fits = |used: u64, more: u64, limit: Option<u64>| limit.is_none_or(|l| used.saturating_add(more) <= l);
        fits(usage.bytes, size, self.bytes) && fits(usage.files, 1, self.files)
    }
}

impl Default for Quota {
    /// 10 GiB in at most 10 000 files: generous for a person, and a bound on what one account costs.
    fn default() -> Self {
        Quota { bytes: Some(10 * GIB), files: Some(10_000) }
    }
}

/// What one user stores: their files' sizes and count, pending uploads included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Usage {
    /// Bytes, summed over the user's files (declared sizes of pending uploads).
    pub bytes: u64,
    /// Files, pending uploads included.
    pub files: u64,
}

/// A user's usage and, if an operator set one, their own quota — as a metadata store keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoredUsage {
    /// What they store.
    pub usage: Usage,
    /// Their own quota, in place of the deployment's default. `None`: the default applies.
    pub quota: Option<Quota>,
}

impl StoredUsage {
    /// The quota in force: the user's own, or `default`.
    pub fn quota_or(&self, default: &Quota) -> Quota {
        self.quota.unwrap_or(*default)
    }
}
