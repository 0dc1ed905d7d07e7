//! The views of `fileshare-core`'s records (feature `core`): what the server answers, and what the
//! Python bindings' in-process classes return, made in this one place.

use crate::*;
use fileshare_core as core;
use fileshare_core::store::PresignedUrl;

impl From<core::FileStatus> for FileStatus {
    fn from(status: core::FileStatus) -> Self {
        match status {
            core::FileStatus::Pending => FileStatus::Pending,
            core::FileStatus::Available => FileStatus::Available,
        }
    }
}

impl From<core::Permission> for Permission {
    fn from(permission: core::Permission) -> Self {
        match permission {
            core::Permission::Read => Permission::Read,
        }
    }
}

impl From<Scope> for core::Scope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Owned => core::Scope::Owned,
            Scope::Shared => core::Scope::Shared,
            Scope::All => core::Scope::All,
        }
    }
}

impl FileView {
    /// `file` as a viewer holding it by `access` sees it; `shared_with` in its owner's view of it.
    /// Names (`owner_name`, each share's `username`) are the server's to fill in.
    pub fn new(file: core::FileRecord, access: &core::Access, shared_with: Option<core::SharePage>) -> Self {
        let (access, share_expires_at) = match access {
            core::Access::Owner => (Access::Owner, None),
            core::Access::Grantee { share } => (Access::Grantee, share.expires_at),
        };
        Self {
            file_id: file.id.to_string(),
            owner: file.owner.to_string(),
            owner_name: None,
            name: file.name.to_string(),
            size: file.size,
            content_type: file.content_type.to_string(),
            status: file.status.into(),
            created_at: file.created_at,
            updated_at: file.updated_at,
            access,
            shares_next_cursor: shared_with
                .as_ref()
                .and_then(|page| page.next_cursor.as_ref())
                .map(ToString::to_string),
            shared_with: shared_with.map(|page| page.shares.into_iter().map(ShareView::from).collect()),
            share_expires_at,
        }
    }

    /// The owner's view of a file they just uploaded.
    pub fn owned(file: core::FileRecord) -> Self {
        Self::new(file, &core::Access::Owner, None)
    }
}

impl From<core::FileDetails> for FileView {
    fn from(d: core::FileDetails) -> Self {
        Self::new(d.file, &d.access, d.shared_with)
    }
}

impl From<core::SharePage> for SharesResponse {
    fn from(page: core::SharePage) -> Self {
        Self {
            next_cursor: page.next_cursor.map(|c| c.to_string()),
            shares: page.shares.into_iter().map(ShareView::from).collect(),
        }
    }
}

impl From<core::FileEntry> for FileView {
    fn from(e: core::FileEntry) -> Self {
        Self::new(e.file, &e.access, None)
    }
}

impl From<core::Share> for ShareView {
    fn from(s: core::Share) -> Self {
        Self {
            user_id: s.grantee.to_string(),
            username: None,
            permission: s.permission.into(),
            created_at: s.created_at,
            expires_at: s.expires_at,
        }
    }
}

impl From<core::Page<core::FileEntry>> for ListResponse {
    fn from(page: core::Page<core::FileEntry>) -> Self {
        Self {
            files: page.items.into_iter().map(FileView::from).collect(),
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        }
    }
}

impl From<PresignedUrl> for DownloadResponse {
    fn from(url: PresignedUrl) -> Self {
        Self { url: url.url, expires_at: url.expires_at }
    }
}

impl From<UploadBody> for core::UploadRequest {
    fn from(body: UploadBody) -> Self {
        Self { name: body.name, size: body.size, content_type: body.content_type, multipart: body.multipart }
    }
}

impl From<core::UploadTicket> for UploadResponse {
    fn from(ticket: core::UploadTicket) -> Self {
        let (upload, multipart) = match ticket.target {
            core::UploadTarget::Single(upload) => {
                (Some(UploadView { method: UploadMethod::Put, url: upload.url, headers: upload.headers }), None)
            }
            core::UploadTarget::Multipart { upload_id, part_size, parts } => {
                let parts = parts
                    .into_iter()
                    .map(|p| PartView { part_number: p.part_number, size: p.size, url: p.url })
                    .collect();
                (None, Some(MultipartView { upload_id, part_size, parts }))
            }
        };
        Self { file_id: ticket.file.id.to_string(), upload, multipart, expires_at: ticket.expires_at }
    }
}

impl From<core::ShareLink> for LinkView {
    fn from(l: core::ShareLink) -> Self {
        Self {
            link_id: l.id.to_string(),
            file_id: l.file_id().to_string(),
            created_at: l.created_at,
            expires_at: l.expires_at,
            max_downloads: l.max_downloads,
            downloads: l.max_downloads.map(|_| l.downloads),
            password_required: l.password_hash.is_some(),
        }
    }
}

impl From<core::LinkInfo> for LinkInfoResponse {
    fn from(i: core::LinkInfo) -> Self {
        Self {
            link_id: i.link_id.to_string(),
            name: i.name.to_string(),
            size: i.size,
            content_type: i.content_type.to_string(),
            expires_at: i.expires_at,
            password_required: i.password_required,
            downloads_left: i.downloads_left,
        }
    }
}

impl From<LinkBody> for core::LinkOptions {
    fn from(body: LinkBody) -> Self {
        Self { expires_at: body.expires_at, password: body.password, max_downloads: body.max_downloads }
    }
}

impl From<core::Usage> for UsageBody {
    fn from(usage: core::Usage) -> Self {
        Self { bytes: usage.bytes, files: usage.files }
    }
}

impl From<core::Quota> for QuotaBody {
    fn from(quota: core::Quota) -> Self {
        Self { bytes: quota.bytes, files: quota.files }
    }
}

impl From<QuotaBody> for core::Quota {
    fn from(quota: QuotaBody) -> Self {
        Self { bytes: quota.bytes, files: quota.files }
    }
}

impl QuotaFigures {
    /// The figures of a `QuotaExceeded` error, if `error` is one.
    pub fn of(error: &core::Error) -> Option<Self> {
        match error {
            core::Error::QuotaExceeded { usage, quota, size } => {
                Some(Self { usage: (*usage).into(), quota: (*quota).into(), size: *size })
            }
            _ => None,
        }
    }
}
