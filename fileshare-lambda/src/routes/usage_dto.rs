//! JSON bodies of usage and quotas: in `GET /me`, and in the problem an upload over quota gets.

use fileshare_core::{Quota, Usage};
use serde::Serialize;
use utoipa::ToSchema;

/// What a user stores: every file they own, pending uploads by their declared size.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct UsageBody {
    /// Bytes.
    pub bytes: u64,
    /// Files.
    pub files: u64,
}

impl From<Usage> for UsageBody {
    fn from(usage: Usage) -> Self {
        Self { bytes: usage.bytes, files: usage.files }
    }
}

/// What a user may store; `null` is no limit.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct QuotaBody {
    /// Most bytes.
    pub bytes: Option<u64>,
    /// Most files.
    pub files: Option<u64>,
}

impl From<Quota> for QuotaBody {
    fn from(quota: Quota) -> Self {
        Self { bytes: quota.bytes, files: quota.files }
    }
}

/// The figures of a `quota-exceeded` problem, beside its `type`, `title`, `status` and `detail`.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct QuotaFigures {
    /// What the caller stores already.
    pub usage: UsageBody,
    /// Their quota.
    pub quota: QuotaBody,
    /// The refused upload's size.
    pub size: u64,
}
