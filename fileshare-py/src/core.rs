//! [`Core`]: every operation once, as async Rust over `FileShare`; the sync and async Python classes
//! are thin wrappers around it. It also plays the client for presigned transfers, so that Python
//! users can follow an upload form or a download URL without a web server: in-process for the
//! embedded stores (exactly what the local server's blob endpoints do), over HTTP for S3.

use crate::types::{FileInfo, Page, ShareInfo, UploadTicket};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use fileshare_core::backends::{BlobStorage, EmbeddedFileStore, LocalFileStore, MemoryFileStore};
use fileshare_core::{
    Error, FileId, FileShare, FileStore, ListRequest, MetadataStore, Result, UploadRequest, UploadTarget, UserId,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// The service over whichever backends were chosen.
pub type Service = FileShare<Arc<dyn FileStore>, Arc<dyn MetadataStore>>;

/// How presigned URLs are followed.
pub enum Transfer {
    /// The embedded store on local disk, in-process.
    Local(Arc<LocalFileStore>),
    /// The in-memory store, in-process.
    Memory(Arc<MemoryFileStore>),
    /// Real HTTP (S3).
    Http(reqwest::Client),
}

fn http_error(e: impl std::fmt::Display) -> Error {
    Error::storage("http", e.to_string())
}

async fn embedded_post<B: BlobStorage>(
    store: &EmbeddedFileStore<B>,
    fields: &BTreeMap<String, String>,
    data: Bytes,
) -> Result<()> {
    store.receive_form_upload(fields, &mut data.as_ref()).await.map(drop)
}

async fn embedded_get<B: BlobStorage>(store: &EmbeddedFileStore<B>, url: &str) -> Result<Bytes> {
    let mut download = store.open_download(url).await?;
    let mut body = Vec::with_capacity(usize::try_from(download.meta.size).unwrap_or(0));
    download.body.read_to_end(&mut body).await.map_err(|e| Error::storage("embedded", e))?;
    Ok(body.into())
}

/// A content type for `name` when the caller gives none.
fn guess_content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "txt" | "md" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The operations, once.
pub struct Core {
    pub service: Service,
    pub transfer: Transfer,
}

fn user(raw: &str) -> Result<UserId> {
    UserId::new(raw)
}

fn file(raw: &str) -> Result<FileId> {
    raw.parse()
}

impl Core {
    pub async fn create_upload(
        &self,
        owner: String,
        name: String,
        size: u64,
        content_type: String,
    ) -> Result<UploadTicket> {
        let ticket = self.service.create_upload(&user(&owner)?, UploadRequest::new(name, size, content_type)).await?;
        let UploadTarget::Form(form) = ticket.target else {
            return Err(Error::storage("fileshare", "a single upload did not return a form"));
        };
        Ok(UploadTicket {
            file_id: ticket.file.id.to_string(),
            url: form.url,
            fields: form.fields,
            expires_at: ticket.expires_at,
        })
    }

    pub async fn send_upload(&self, url: String, fields: BTreeMap<String, String>, data: Bytes) -> Result<()> {
        match &self.transfer {
            Transfer::Local(store) => embedded_post(store, &fields, data).await,
            Transfer::Memory(store) => embedded_post(store, &fields, data).await,
            Transfer::Http(client) => {
                let mut form = reqwest::multipart::Form::new();
                for (name, value) in fields {
                    form = form.text(name, value);
                }
                form = form.part("file", reqwest::multipart::Part::stream(data).file_name("upload"));
                let response = client.post(&url).multipart(form).send().await.map_err(http_error)?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    let status = response.status();
                    let body = response.text().await.unwrap_or_default();
                    Err(Error::forbidden(format!(
                        "storage refused the upload ({status}): {}",
                        body.chars().take(300).collect::<String>()
                    )))
                }
            }
        }
    }

    pub async fn fetch(&self, url: String) -> Result<Bytes> {
        match &self.transfer {
            Transfer::Local(store) => embedded_get(store, &url).await,
            Transfer::Memory(store) => embedded_get(store, &url).await,
            Transfer::Http(client) => {
                let response = client.get(&url).send().await.map_err(http_error)?;
                if !response.status().is_success() {
                    return Err(Error::forbidden(format!("storage refused the download ({})", response.status())));
                }
                response.bytes().await.map_err(http_error)
            }
        }
    }

    pub async fn complete_upload(&self, owner: String, file_id: String) -> Result<FileInfo> {
        Ok(FileInfo::owned(self.service.complete_upload(&user(&owner)?, &file(&file_id)?, &[]).await?))
    }

    pub async fn put_bytes(
        &self,
        owner: String,
        name: String,
        data: Bytes,
        content_type: Option<String>,
    ) -> Result<FileInfo> {
        let content_type = content_type.unwrap_or_else(|| guess_content_type(&name).to_owned());
        Ok(FileInfo::owned(self.service.put_bytes(&user(&owner)?, &name, &content_type, data).await?))
    }

    pub async fn get_file(&self, viewer: String, file_id: String) -> Result<FileInfo> {
        Ok(self.service.get_file(&user(&viewer)?, &file(&file_id)?).await?.into())
    }

    pub async fn list_files(
        &self,
        viewer: String,
        scope: String,
        limit: usize,
        cursor: Option<String>,
    ) -> Result<Page> {
        let request = ListRequest { scope: scope.parse()?, limit: Some(limit), cursor };
        let page = self.service.list_files(&user(&viewer)?, request).await?;
        Ok(Page {
            files: page.items.into_iter().map(FileInfo::from).collect(),
            next_cursor: page.next_cursor.map(|c| c.to_string()),
        })
    }

    pub async fn download_url(&self, viewer: String, file_id: String, expires_in: u64) -> Result<String> {
        let url =
            self.service.download_url(&user(&viewer)?, &file(&file_id)?, Some(Duration::from_secs(expires_in))).await?;
        Ok(url.url)
    }

    pub async fn get_bytes(&self, viewer: String, file_id: String) -> Result<Bytes> {
        Ok(self.service.get_bytes(&user(&viewer)?, &file(&file_id)?).await?.1)
    }

    pub async fn share(
        &self,
        owner: String,
        file_id: String,
        with_user: String,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ShareInfo> {
        Ok(self.service.share(&user(&owner)?, &file(&file_id)?, &user(&with_user)?, expires_at).await?.into())
    }

    pub async fn unshare(&self, owner: String, file_id: String, with_user: String) -> Result<()> {
        self.service.unshare(&user(&owner)?, &file(&file_id)?, &user(&with_user)?).await
    }

    pub async fn delete(&self, owner: String, file_id: String) -> Result<()> {
        self.service.delete(&user(&owner)?, &file(&file_id)?).await
    }
}
