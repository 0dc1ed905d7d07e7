//! Limits and lifetimes that [`FileShare`](super::FileShare) enforces.

use crate::domain::{ContentTypePolicy, Quota};
use std::time::Duration;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// Tunable limits and lifetimes; `Config::default()` is what a deployment gets unless it says otherwise.
///
/// ```
/// use fileshare_core::{Config, ContentTypePolicy};
/// let config = Config {
///     max_upload_size: 100 * 1024 * 1024,
///     content_types: ContentTypePolicy::Allow(vec!["image/*".into(), "application/pdf".into()]),
///     ..Config::default()
/// };
/// assert_eq!(config.max_page_size, 1000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Largest single (form) upload. Default 5 GiB, S3's limit for one PUT/POST.
    pub max_upload_size: u64,
    /// Largest multipart upload. Default 5 TiB, S3's object size limit.
    pub max_multipart_size: u64,
    /// Smallest part of a multipart upload (S3 requires ≥ 5 MiB for all but the last). Default 8 MiB.
    pub min_part_size: u64,
    /// Which content types may be uploaded. Default: every well-formed one.
    pub content_types: ContentTypePolicy,
    /// Lifetime of an upload form. Default 15 minutes.
    pub upload_url_ttl: Duration,
    /// Lifetime of multipart part URLs: big uploads take long. Default 6 hours.
    pub part_url_ttl: Duration,
    /// How long an upload may stay pending before it is treated as abandoned. Default 24 hours.
    pub pending_ttl: Duration,
    /// Default lifetime of a download URL. Default 5 minutes.
    pub download_url_ttl: Duration,
    /// Longest lifetime a caller may ask for a download URL. Default 7 days (SigV4's maximum).
    pub max_download_url_ttl: Duration,
    /// Longest lifetime of a download URL handed to a grantee (never past their share's expiry
    /// either), whatever they ask for. Default 5 minutes. Where URLs are stateless (S3), it bounds
    /// how long a revoked grantee keeps the link they already hold; the embedded store re-checks
    /// access on every request instead.
    pub grantee_download_url_ttl: Duration,
    /// Largest page a listing returns. Default 1000.
    pub max_page_size: usize,
    /// Lifetime of the download URL a share link is redeemed for (never past the link's expiry).
    /// Default 5 minutes: where URLs are stateless (S3), it bounds how long a revoked link's last
    /// URL keeps working.
    pub link_download_url_ttl: Duration,
    /// Password attempts a link takes per [`Config::link_password_window`]. Default 5.
    pub link_password_attempts: u32,
    /// The window of [`Config::link_password_attempts`]. Default 15 minutes: at most 480 guesses a
    /// day per link.
    pub link_password_window: Duration,
    /// What each user may store unless an operator gave them a quota of their own
    /// ([`FileShare::set_quota`](super::FileShare::set_quota)). Default [`Quota::default`]: 10 GiB
    /// in 10 000 files.
    pub quota: Quota,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_upload_size: 5 * GIB,
            max_multipart_size: 5 * 1024 * GIB,
            min_part_size: 8 * MIB,
            content_types: ContentTypePolicy::AllowAll,
            upload_url_ttl: Duration::from_secs(15 * 60),
            part_url_ttl: Duration::from_secs(6 * 3600),
            pending_ttl: Duration::from_secs(24 * 3600),
            download_url_ttl: Duration::from_secs(5 * 60),
            max_download_url_ttl: Duration::from_secs(7 * 24 * 3600),
            grantee_download_url_ttl: Duration::from_secs(5 * 60),
            max_page_size: 1000,
            link_download_url_ttl: Duration::from_secs(5 * 60),
            link_password_attempts: 5,
            link_password_window: Duration::from_secs(15 * 60),
            quota: Quota::default(),
        }
    }
}

impl Config {
    /// Caps the size of any one file at `bytes`, however it is uploaded: the multipart limit becomes
    /// `bytes` and the single-upload limit never exceeds it. Deployments set this from
    /// `FILESHARE_MAX_UPLOAD_BYTES` (the SAM template's `MaxUploadBytes`).
    ///
    /// ```
    /// use fileshare_core::Config;
    /// let config = Config::default().with_max_file_size(100 * 1024 * 1024);
    /// assert_eq!(config.max_upload_size, 100 * 1024 * 1024);
    /// assert_eq!(config.max_multipart_size, 100 * 1024 * 1024);
    /// ```
    #[must_use]
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_multipart_size = bytes;
        self.max_upload_size = self.max_upload_size.min(bytes);
        self
    }
}
