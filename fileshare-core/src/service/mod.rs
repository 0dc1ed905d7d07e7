//! [`FileShare`]: the one place where ownership and sharing rules live.

mod access;
mod config;
mod embedded;
mod expiry;
mod links;
mod listing;
mod manage;
mod passwords;
mod quota;
mod reads;
mod types;
mod upload;

pub use config::Config;
pub use links::{CreatedLink, LinkInfo, LinkOptions, LINK_PASSWORD_CHARS, MAX_LINK_DOWNLOADS};
pub use quota::UsageReport;
pub use reads::SHARES_PER_PAGE;
pub use types::{
    Access, FileDetails, FileEntry, ListRequest, PartUpload, SharePage, UploadRequest, UploadTarget, UploadTicket,
};
pub use upload::MAX_FILE_SIZE;

use crate::clock::{Clock, SystemClock};
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use std::fmt;
use std::sync::Arc;

/// The file-sharing service: upload, list, share, download, delete — with every access rule.
///
/// Storage-agnostic: `F` keeps bytes, `M` keeps records; neither decides access. Adapters (HTTP,
/// Lambda, Python) call these methods with an authenticated caller and translate the result.
///
/// The rules, in one place:
/// - Only the owner may complete, share, unshare or delete a file.
/// - A grantee with an unexpired share may read the file's metadata and get a download URL; the same
///   grantee attempting an owner-only action gets [`Error::Forbidden`](crate::Error::Forbidden).
/// - Anyone else gets [`Error::NotFound`](crate::Error::NotFound): existence is not leaked.
/// - Pending uploads are visible to their owner only, never listed, and vanish once expired.
/// - Share links (owner-made) hand a file to anyone holding their token; every link that does not
///   hand out downloads now answers `NotFound` (see [`FileShare::redeem_link`]).
/// - Each user stores at most their quota, pending uploads included: an upload that would go past
///   it is refused before any URL is issued (see [`FileShare::usage`]).
///
/// ```
/// # #[cfg(feature = "embedded")]
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use fileshare_core::{FileShare, UserId, backends::{MemoryFileStore, MemoryMetadataStore}};
/// let service = FileShare::new(MemoryFileStore::new(), MemoryMetadataStore::new());
/// let alice = UserId::new("alice")?;
/// let bob = UserId::new("bob")?;
/// let file = service.put_bytes(&alice, "notes.txt", "text/plain", "hello".into()).await?;
/// service.share(&alice, &file.id, &bob, None).await?;
/// let (_, bytes) = service.get_bytes(&bob, &file.id).await?;
/// assert_eq!(&bytes[..], b"hello");
/// # Ok::<_, fileshare_core::Error>(())
/// # }).unwrap();
/// ```
pub struct FileShare<F, M> {
    files: F,
    metadata: M,
    config: Config,
    clock: Arc<dyn Clock>,
    /// Link password hashing capacity (see `passwords`).
    hashing: passwords::Hashing,
}

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// A service with the default [`Config`] and the system clock.
    pub fn new(files: F, metadata: M) -> Self {
        Self::builder(files, metadata).build()
    }

    /// A builder for a service with custom limits or clock.
    pub fn builder(files: F, metadata: M) -> FileShareBuilder<F, M> {
        FileShareBuilder { files, metadata, config: Config::default(), clock: Arc::new(SystemClock) }
    }

    /// The limits in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The file store (for adapters that serve it, e.g. the embedded blob endpoints).
    pub fn file_store(&self) -> &F {
        &self.files
    }

    /// The metadata store.
    pub fn metadata_store(&self) -> &M {
        &self.metadata
    }
}

impl<F: fmt::Debug, M: fmt::Debug> fmt::Debug for FileShare<F, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileShare")
            .field("files", &self.files)
            .field("metadata", &self.metadata)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Builds a [`FileShare`].
pub struct FileShareBuilder<F, M> {
    files: F,
    metadata: M,
    config: Config,
    clock: Arc<dyn Clock>,
}

impl<F: FileStore, M: MetadataStore> FileShareBuilder<F, M> {
    /// Replaces the limits.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Replaces the clock (tests of expiry use a [`ManualClock`](crate::clock::ManualClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Finishes the service.
    pub fn build(self) -> FileShare<F, M> {
        FileShare {
            files: self.files,
            metadata: self.metadata,
            config: self.config,
            clock: self.clock,
            hashing: passwords::Hashing::new(),
        }
    }
}

/// Converts a configured duration into a timestamp offset, saturating instead of overflowing.
fn delta(d: std::time::Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::MAX)
}
