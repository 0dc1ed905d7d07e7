//! Usage and quotas: in `GET /me`, and in the problem an upload over quota gets.

use serde::{Deserialize, Serialize};

/// What a user stores: every file they own, pending uploads by their declared size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageBody {
    /// Bytes.
    pub bytes: u64,
    /// Files.
    pub files: u64,
}

/// What a user may store; `null` is no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaBody {
    /// Most bytes.
    pub bytes: Option<u64>,
    /// Most files.
    pub files: Option<u64>,
}

/// The figures of a `quota-exceeded` problem, beside its `type`, `title`, `status` and `detail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaFigures {
    /// What the caller stores already.
    pub usage: UsageBody,
    /// Their quota.
    pub quota: QuotaBody,
    /// The refused upload's size.
    pub size: u64,
}
