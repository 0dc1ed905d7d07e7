//! How a test client reaches presigned URLs: over HTTP for servers, in-process for embedded stores.

use crate::backends::{collect_body, BlobStorage, EmbeddedFileStore};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;

/// The store refused a transfer; the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// A downloaded object and the response headers that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The body.
    pub body: Bytes,
    /// `Content-Type` header.
    pub content_type: String,
    /// `Content-Disposition` header.
    pub content_disposition: String,
}

/// A client for presigned transfers.
#[async_trait]
pub trait Transport: Send + Sync {
    /// PUTs `body` to `url` with `headers` (a whole object's upload headers, or none for a part);
    /// returns the `ETag` response header.
    async fn put(&self, url: &str, headers: &BTreeMap<String, String>, body: Bytes) -> Result<String, Refused>;
    /// GETs `url`.
    async fn get(&self, url: &str) -> Result<Fetched, Refused>;
}

/// The embedded store's verifying methods, called directly: exactly what its HTTP blob endpoints do
/// (without the access re-checks a server adds between verifying and storing).
#[async_trait]
impl<B: BlobStorage> Transport for EmbeddedFileStore<B> {
    async fn put(&self, url: &str, headers: &BTreeMap<String, String>, body: Bytes) -> Result<String, Refused> {
        let refused = |e: crate::Error| Refused(e.to_string());
        let upload = self.verify_upload(url, headers).map_err(refused)?;
        Ok(self.store_upload(&upload, &mut body.as_ref()).await.map_err(refused)?.etag)
    }

    async fn get(&self, url: &str) -> Result<Fetched, Refused> {
        let refused = |e: crate::Error| Refused(e.to_string());
        let download = self.open_download(self.verify_download(url).map_err(refused)?).await.map_err(refused)?;
        let body = collect_body(download.body, download.meta.size).await.map_err(|e| Refused(e.to_string()))?;
        Ok(Fetched { body, content_type: download.content_type, content_disposition: download.content_disposition })
    }
}
