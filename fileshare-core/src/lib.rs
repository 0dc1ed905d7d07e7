//! # fileshare-core
//!
//! The file-sharing library: upload, keep metadata, share, list, download by short-lived link and
//! delete — with every ownership and sharing rule in one place, [`FileShare`], over two small
//! storage traits:
//!
//! - [`FileStore`] keeps bytes and signs direct transfers (presigned PUTs of whole objects and of
//!   multipart parts, GETs), so bytes never pass through the service; an object is written once;
//! - [`MetadataStore`] keeps file and share records, with conditional writes and indexed listings.
//!
//! Backends: the embedded default ([`backends::LocalFileStore`] + [`backends::SqliteMetadataStore`]),
//! in-memory ones for tests, and S3 + DynamoDB (feature `aws`). The rules never know which runs.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use fileshare_core::{FileShare, ListRequest, Scope, UploadRequest, UserId};
//! use fileshare_core::backends::{MemoryFileStore, MemoryMetadataStore};
//!
//! let service = FileShare::new(MemoryFileStore::new(), MemoryMetadataStore::new());
//! let alice = UserId::new("alice")?;
//! let ticket = service.create_upload(&alice, UploadRequest::new("photo.png", 1024, "image/png")).await?;
//! // …the client PUTs the bytes to ticket.target, then:
//! # use fileshare_core::FileStore;
//! # service.file_store().put(&ticket.file.key(), &(&ticket.file).into(), vec![0u8; 1024].into()).await?;
//! let file = service.complete_upload(&alice, &ticket.file.id, &[]).await?;
//! let page = service.list_files(&alice, ListRequest::scope(Scope::Owned)).await?;
//! assert_eq!(page.items[0].file.id, file.id);
//! # Ok::<_, fileshare_core::Error>(())
//! # }).unwrap();
//! ```

pub mod backends;
pub mod clock;
pub mod directory;
mod domain;
mod encoding;
mod error;
pub mod metadata;
mod service;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use directory::UserDirectory;
pub use domain::{
    content_disposition, ContentType, ContentTypePolicy, Cursor, FileAccess, FileId, FileName, FileRecord, FileStatus,
    LinkAccess, LinkId, LinkToken, LinkUpdate, MultipartUpload, ObjectKey, Page, Permission, Position, Quota, Scope,
    Share, ShareCursor, ShareLink, SharedFile, StoredUsage, Usage, UserId, LINK_SECRET_BYTES, MAX_CONTENT_TYPE_LEN,
    MAX_NAME_LEN, MAX_USER_ID_LEN,
};
pub use error::{BoxError, Error, Result};
pub use metadata::{MetadataStore, Slice};
pub use service::{
    Access, Config, CreatedLink, FileDetails, FileEntry, FileShare, FileShareBuilder, LinkInfo, LinkOptions,
    ListRequest, PartUpload, SharePage, UploadRequest, UploadTarget, UploadTicket, UsageReport, LINK_PASSWORD_CHARS,
    MAX_FILE_SIZE, MAX_LINK_DOWNLOADS, SHARES_PER_PAGE,
};
pub use store::FileStore;
