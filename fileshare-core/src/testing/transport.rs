//! How a test client reaches presigned URLs: over HTTP for servers, in-process for embedded stores.

use crate::backends::{BlobStorage, EmbeddedFileStore};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;
use tokio::io::AsyncReadExt;

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
    /// POSTs `fields` and then `body` as the `file` part of a `multipart/form-data` form to `url`.
    async fn post_form(&self, url: &str, fields: &BTreeMap<String, String>, body: Bytes) -> Result<(), Refused>;
    /// GETs `url`.
    async fn get(&self, url: &str) -> Result<Fetched, Refused>;
    /// PUTs `body` to `url`; returns the `ETag` response header.
    async fn put(&self, url: &str, body: Bytes) -> Result<String, Refused>;
}

/// The embedded store's verifying methods, called directly: exactly what its HTTP blob endpoints do.
#[async_trait]
impl<B: BlobStorage> Transport for EmbeddedFileStore<B> {
    async fn post_form(&self, url: &str, fields: &BTreeMap<String, String>, body: Bytes) -> Result<(), Refused> {
        if url != self.public_url().as_str() {
            return Err(Refused(format!("no upload endpoint at {url}")));
        }
        self.receive_form_upload(fields, &mut body.as_ref()).await.map(|_| ()).map_err(|e| Refused(e.to_string()))
    }

    async fn get(&self, url: &str) -> Result<Fetched, Refused> {
        let mut download = self.open_download(url).await.map_err(|e| Refused(e.to_string()))?;
        let mut body = Vec::new();
        download.body.read_to_end(&mut body).await.map_err(|e| Refused(e.to_string()))?;
        Ok(Fetched {
            body: body.into(),
            content_type: download.content_type,
            content_disposition: download.content_disposition,
        })
    }

    async fn put(&self, url: &str, body: Bytes) -> Result<String, Refused> {
        self.receive_part(url, &mut body.as_ref()).await.map_err(|e| Refused(e.to_string()))
    }
}
