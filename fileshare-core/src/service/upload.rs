//! Upload: request (pending record + presigned target), confirm (size check → available).

use super::access::Need;
use super::types::{PartUpload, UploadRequest, UploadTarget, UploadTicket};
use super::{delta, FileShare};
use crate::domain::{ContentType, FileId, FileName, FileRecord, FileStatus, MultipartUpload, ObjectKey, UserId};
use crate::metadata::MetadataStore;
use crate::store::{CompletedPart, FileStore, ObjectHeaders, PartRequest, UploadPolicy, MAX_PARTS};
use crate::{Error, Result};
use bytes::Bytes;

const MIB: u64 = 1024 * 1024;

/// The largest file any configuration admits: S3's largest object, 5 TiB.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024 * MIB;

/// Part size for a multipart upload of `size` bytes: at least `min`, whole MiB, few enough parts for
/// S3's 10 000-part limit.
fn part_size(size: u64, min: u64) -> u64 {
    let needed = size.div_ceil(u64::from(MAX_PARTS));
    needed.max(min).div_ceil(MIB) * MIB
}

/// An upload is confirmed only with exactly the declared bytes (by `complete_upload` or a storage event).
fn check_stored_size(file: &FileRecord, stored: u64) -> Result<()> {
    if stored == file.size {
        Ok(())
    } else {
        Err(Error::conflict(format!("stored {stored} bytes but the upload declared {}", file.size)))
    }
}

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// Validates an upload request, records the pending file — reserving its size in the caller's
    /// quota, in the same atomic write — and signs where to send its bytes.
    ///
    /// Errors: [`Error::InvalidInput`] (name, size 0, content type syntax), [`Error::TooLarge`],
    /// [`Error::UnsupportedContentType`], [`Error::QuotaExceeded`] (with the caller's usage and
    /// quota). Nothing is stored, and no URL handed out, when any of these is the answer.
    pub async fn create_upload(&self, caller: &UserId, request: UploadRequest) -> Result<UploadTicket> {
        let name = FileName::new(&request.name)?;
        let content_type = ContentType::new(&request.content_type)?;
        self.config.content_types.check(&content_type)?;
        let max = if request.multipart { self.config.max_multipart_size } else { self.config.max_upload_size };
        if request.size == 0 {
            return Err(Error::invalid("size", "must be at least 1 byte"));
        }
        if request.size > MAX_FILE_SIZE {
            // Beyond any configurable limit: no object store holds it, so the request is malformed.
            return Err(Error::invalid("size", "must be at most 5 TiB"));
        }
        if request.size > max {
            return Err(Error::TooLarge { size: request.size, max });
        }

        let now = self.clock.now();
        let id = FileId::generate(now);
        let key = ObjectKey::for_file(caller, &id);
        let mut file = FileRecord {
            id,
            owner: caller.clone(),
            name,
            size: request.size,
            content_type,
            status: FileStatus::Pending,
            created_at: now,
            updated_at: now,
            etag: None,
            pending_expires_at: Some(now + delta(self.config.pending_ttl)),
            multipart: None,
        };

        let (target, expires_at) = if request.multipart {
            let upload_id = self.files.create_multipart(&key, &ObjectHeaders::from(&file)).await?;
            let part_size = part_size(file.size, self.config.min_part_size);
            file.multipart = Some(MultipartUpload { upload_id: upload_id.clone(), part_size });
            let expires_at = now + delta(self.config.part_url_ttl);
            let mut parts = Vec::new();
            let mut offset = 0;
            for part_number in 1.. {
                if offset >= file.size {
                    break;
                }
                let size = part_size.min(file.size - offset);
                let request =
                    PartRequest { key: key.clone(), upload_id: upload_id.clone(), part_number, size, expires_at };
                let url = self.files.presign_part(&request).await?.url;
                parts.push(PartUpload { part_number, size, url });
                offset += size;
            }
            (UploadTarget::Multipart { upload_id, part_size, parts }, expires_at)
        } else {
            let policy = UploadPolicy {
                key,
                headers: ObjectHeaders::from(&file),
                size: file.size,
                expires_at: now + delta(self.config.upload_url_ttl),
            };
            let upload = self.files.presign_upload(&policy).await?;
            let expires_at = upload.expires_at;
            (UploadTarget::Single(upload), expires_at)
        };

        if let Err(e) = self.metadata.insert_file(&file, &self.config.quota).await {
            // Refused (over quota) or failed: no one will ever use the multipart upload begun above.
            if let Some(plan) = &file.multipart {
                if let Err(abort) = self.files.abort_multipart(&file.key(), &plan.upload_id).await {
                    tracing::warn!(file_id = %file.id, error = %abort, "could not abort a refused multipart upload");
                }
            }
            return Err(e);
        }
        Ok(UploadTicket { file, target, expires_at })
    }

    /// Confirms an upload: the object must exist with exactly the declared size. Owner only.
    ///
    /// Multipart uploads pass every planned part (1..=n, in order) with its ETag; single uploads pass
    /// none. Idempotent: completing an available file returns it unchanged.
    ///
    /// Errors: [`Error::Conflict`] if the bytes are missing or of the wrong size (the file stays
    /// pending, so the client can retry), `NotFound`/`Forbidden` by the access rules.
    pub async fn complete_upload(&self, caller: &UserId, id: &FileId, parts: &[CompletedPart]) -> Result<FileRecord> {
        let (file, _) = self.authorize(caller, id, Need::Own).await?;
        if file.status == FileStatus::Available {
            return Ok(file);
        }
        let key = file.key();
        let mut refused = None;
        if let Some(plan) = &file.multipart {
            // The store would assemble whatever subset it is given (S3 semantics), so insist on the
            // whole plan: parts 1..=n, each once, in order.
            let expected = plan.part_count(file.size);
            let numbers = parts.iter().map(|p| u64::from(p.part_number));
            if parts.len() as u64 != expected || !numbers.eq(1..=expected) {
                return Err(Error::invalid(
                    "parts",
                    format!("must list parts 1 to {expected}, in order, with their ETags"),
                ));
            }
            // A refusal may mean "assembled already" — by an earlier attempt whose record update
            // failed, or by a completion racing this one; stores then answer not found or, some,
            // access denied — so the object decides. Without one, the refusal stands, except "no
            // such upload": nothing was staged, which is the missing bytes' conflict below.
            refused = match self.files.complete_multipart(&key, &plan.upload_id, parts).await {
                Ok(()) | Err(Error::NotFound { .. }) => None,
                Err(e) => Some(e),
            };
        }
        let Some(object) = self.files.head(&key).await? else {
            return Err(refused.unwrap_or_else(|| Error::conflict("the file's bytes have not been uploaded yet")));
        };
        check_stored_size(&file, object.size)?;
        self.metadata.mark_available(&file, object.etag, self.clock.now()).await
    }

    /// Confirms an upload from storage's own notification (S3 `ObjectCreated`): no caller, since the
    /// storage event is authoritative about the bytes. Idempotent and order-tolerant, as events are
    /// delivered at least once and out of order:
    ///
    /// - `Ok(Some(file))` once the file is available (now or already);
    /// - `Ok(None)` if no pending upload owns the key (deleted or expired since): nothing to
    ///   confirm. Bytes that arrived for a deleted upload (an upload URL used after the delete) are
    ///   removed: ids are never reused, so no record will ever own them;
    /// - [`Error::Conflict`] if the stored size differs from the declared one (the file stays pending).
    pub async fn confirm_uploaded_object(
        &self,
        key: &ObjectKey,
        size: u64,
        etag: Option<String>,
    ) -> Result<Option<FileRecord>> {
        let (owner, id) = key.owner_and_file();
        let Some(found) = self.metadata.get_file(&id, &owner).await? else {
            self.files.delete(key).await?;
            return Ok(None);
        };
        let file = found.file;
        if file.owner != owner || file.is_expired_upload(self.clock.now()) {
            return Ok(None);
        }
        if file.status == FileStatus::Available {
            return Ok(Some(file));
        }
        check_stored_size(&file, size)?;
        self.metadata.mark_available(&file, etag, self.clock.now()).await.map(Some)
    }

    /// Uploads `data` server-side and completes it in one call: for scripts, tests and small files.
    /// Applies exactly the same validation as [`FileShare::create_upload`].
    pub async fn put_bytes(&self, caller: &UserId, name: &str, content_type: &str, data: Bytes) -> Result<FileRecord> {
        let request = UploadRequest::new(name, data.len() as u64, content_type);
        let ticket = self.create_upload(caller, request).await?;
        let file = &ticket.file;
        self.files.put(&file.key(), &ObjectHeaders::from(file), data).await?;
        self.complete_upload(caller, &file.id, &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sizes_respect_minimum_and_part_limit() {
        assert_eq!(part_size(1, 8 * MIB), 8 * MIB);
        assert_eq!(part_size(100 * MIB, 8 * MIB), 8 * MIB);
        let five_tib = 5 * 1024 * 1024 * MIB;
        let size = part_size(five_tib, 8 * MIB);
        assert!(five_tib.div_ceil(size) <= u64::from(MAX_PARTS));
        assert_eq!(size % MIB, 0);
    }
}
