//! [`Core`]: every operation once, as async Rust over `FileShare`; the sync and async Python classes
//! are thin wrappers around it. It also plays the client for presigned transfers, so that Python
//! users can follow an upload or a download URL without a web server: in-process for the embedded
//! stores (exactly what the local server's blob endpoints do, access re-checks included), over
//! HTTP for S3.

use crate::types::{FileInfo, Page, ShareInfo, SharePage, UploadTicket};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use fileshare_api::{FileView, ListResponse, SharesResponse};
use fileshare_core::backends::{collect_body, Download, LocalFileStore, MemoryFileStore};
use fileshare_core::{
    Error, FileId, FileShare, FileStore, ListRequest, MetadataStore, Result, UploadRequest, UploadTarget, UserId,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

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

/// Storage or the network failed in a way that may pass (HTTP 5xx, 408, 429, no connection):
/// raised in Python as `TransientError`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Transient(pub String);

fn network(e: reqwest::Error) -> Error {
    Error::storage("http", Transient(format!("storage could not be reached: {}", e.without_url())))
}

/// A storage refusal over HTTP, by status: what the caller can act on.
async fn refused(response: reqwest::Response, what: &str) -> Error {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let detail = format!("storage refused the {what} ({status}): {}", body.chars().take(300).collect::<String>());
    match status.as_u16() {
        400 => Error::invalid("request", detail),
        403 => Error::forbidden(detail),
        404 => Error::not_found("object", detail),
        409 => Error::conflict(detail),
        412 => Error::already_exists("object", detail),
        413 => Error::invalid("size", detail),
        408 | 429 | 500..=599 => Error::storage("http", Transient(detail)),
        _ => Error::storage("http", detail),
    }
}

async fn read_all(download: Download) -> Result<Bytes> {
    collect_body(download.body, download.meta.size).await.map_err(|e| Error::storage("embedded", e))
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
        let UploadTarget::Single(upload) = ticket.target else {
            return Err(Error::storage("fileshare", "a single upload did not return an upload URL"));
        };
        Ok(UploadTicket {
            file_id: ticket.file.id.to_string(),
            url: upload.url,
            headers: upload.headers,
            expires_at: ticket.expires_at,
        })
    }

    pub async fn send_upload(&self, url: String, headers: BTreeMap<String, String>, data: Bytes) -> Result<()> {
        let service = &self.service;
        match &self.transfer {
            Transfer::Local(store) => service.receive_embedded_upload(store, &url, &headers, &mut data.as_ref()).await,
            Transfer::Memory(store) => service.receive_embedded_upload(store, &url, &headers, &mut data.as_ref()).await,
            Transfer::Http(client) => {
                let mut request = client.put(&url);
                for (name, value) in &headers {
                    request = request.header(name, value);
                }
                let response = request.body(data).send().await.map_err(network)?;
                if !response.status().is_success() {
                    return Err(refused(response, "upload").await);
                }
                return Ok(());
            }
        }
        .map(drop)
    }

    pub async fn fetch(&self, url: String) -> Result<Bytes> {
        match &self.transfer {
            Transfer::Local(store) => read_all(self.service.open_embedded_download(store, &url).await?).await,
            Transfer::Memory(store) => read_all(self.service.open_embedded_download(store, &url).await?).await,
            Transfer::Http(client) => {
                let response = client.get(&url).send().await.map_err(network)?;
                if !response.status().is_success() {
                    return Err(refused(response, "download").await);
                }
                response.bytes().await.map_err(network)
            }
        }
    }

    pub async fn complete_upload(&self, owner: String, file_id: String) -> Result<FileInfo> {
        let file = self.service.complete_upload(&user(&owner)?, &file(&file_id)?, &[]).await?;
        Ok(FileInfo(FileView::owned(file)))
    }

    pub async fn put_bytes(
        &self,
        owner: String,
        name: String,
        data: Bytes,
        content_type: Option<String>,
    ) -> Result<FileInfo> {
        let content_type = content_type.unwrap_or_else(|| guess_content_type(&name).to_owned());
        let file = self.service.put_bytes(&user(&owner)?, &name, &content_type, data).await?;
        Ok(FileInfo(FileView::owned(file)))
    }

    pub async fn get_file(&self, viewer: String, file_id: String) -> Result<FileInfo> {
        Ok(FileInfo(self.service.get_file(&user(&viewer)?, &file(&file_id)?).await?.into()))
    }

    pub async fn list_shares(
        &self,
        owner: String,
        file_id: String,
        limit: Option<usize>,
        cursor: Option<String>,
    ) -> Result<SharePage> {
        let page = self.service.list_shares(&user(&owner)?, &file(&file_id)?, cursor.as_deref(), limit).await?;
        Ok(SharesResponse::from(page).into())
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
        Ok(ListResponse::from(page).into())
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
        let share = self.service.share(&user(&owner)?, &file(&file_id)?, &user(&with_user)?, expires_at).await?;
        Ok(ShareInfo(share.into()))
    }

    pub async fn unshare(&self, owner: String, file_id: String, with_user: String) -> Result<()> {
        self.service.unshare(&user(&owner)?, &file(&file_id)?, &user(&with_user)?).await
    }

    pub async fn delete(&self, owner: String, file_id: String) -> Result<()> {
        self.service.delete(&user(&owner)?, &file(&file_id)?).await
    }
}
