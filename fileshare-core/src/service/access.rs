//! Who may do what to a file: the authorization decision, made once for every operation.

use super::types::Access;
use super::FileShare;
use crate::domain::{FileId, FileRecord, FileStatus, UserId};
use crate::metadata::MetadataStore;
use crate::store::FileStore;
use crate::{Error, Result};

/// What an operation needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    /// Read metadata or download: owner, or grantee with an active share of an available file.
    Read,
    /// Complete, share, unshare, delete: owner only.
    Own,
}

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// Loads `id` and decides whether `caller` may perform an operation that needs `need`.
    ///
    /// Strangers, expired grantees and everyone for an expired pending upload get `NotFound`, so
    /// the answer never reveals that a file exists; a current grantee asking for an owner-only action
    /// gets `Forbidden`, since they already know the file exists.
    pub(super) async fn authorize(&self, caller: &UserId, id: &FileId, need: Need) -> Result<(FileRecord, Access)> {
        let not_found = || Error::not_found("file", id);
        let found = self.metadata.get_file(id, caller).await?.ok_or_else(not_found)?;
        let now = self.clock.now();
        let file = found.file;
        if file.is_expired_upload(now) {
            return Err(not_found());
        }
        if &file.owner == caller {
            return Ok((file, Access::Owner));
        }
        match found.share {
            Some(share) if share.is_active(now) && file.status == FileStatus::Available => match need {
                Need::Read => Ok((file, Access::Grantee { share })),
                Need::Own => Err(Error::forbidden("only the owner may do this")),
            },
            _ => Err(not_found()),
        }
    }
}
