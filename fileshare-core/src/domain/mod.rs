//! The domain: identifiers, validated names, records, share links, listing positions.

mod disposition;
mod ids;
mod links;
mod names;
mod page;
mod quota;
mod records;

pub use disposition::content_disposition;
pub use ids::{FileId, ObjectKey, UserId, MAX_USER_ID_LEN};
pub use links::{LinkAccess, LinkId, LinkToken, LinkUpdate, ShareLink, LINK_SECRET_BYTES};
pub use names::{ContentType, ContentTypePolicy, FileName, MAX_CONTENT_TYPE_LEN, MAX_NAME_LEN};
pub(crate) use page::Progress;
pub use page::{Cursor, Page, Position, Scope, ShareCursor};
pub use quota::{Quota, StoredUsage, Usage};
pub use records::{FileAccess, FileRecord, FileStatus, MultipartUpload, Permission, Share, SharedFile};
