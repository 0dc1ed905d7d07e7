//! [`HttpTransport`]: presigned transfers over real HTTP, as any client would make them.

use super::transport::{Fetched, Refused, Transport};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;

/// A plain HTTP client for presigned URLs (S3, or the local server's blob endpoints).
#[derive(Clone, Debug, Default)]
pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    /// A client with default settings.
    pub fn new() -> Self {
        Self::default()
    }
}

async fn refused(response: reqwest::Response) -> Refused {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    Refused(format!("HTTP {status}: {}", body.chars().take(500).collect::<String>()))
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

fn network(e: reqwest::Error) -> Refused {
    Refused(format!("network error: {e}"))
}

#[async_trait]
impl Transport for HttpTransport {
    async fn put(&self, url: &str, headers: &BTreeMap<String, String>, body: Bytes) -> Result<String, Refused> {
        let mut request = self.client.put(url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.map_err(network)?;
        if response.status().is_success() {
            Ok(header(&response, "etag"))
        } else {
            Err(refused(response).await)
        }
    }

    async fn get(&self, url: &str) -> Result<Fetched, Refused> {
        let response = self.client.get(url).send().await.map_err(network)?;
        if !response.status().is_success() {
            return Err(refused(response).await);
        }
        let content_type = header(&response, "content-type");
        let content_disposition = header(&response, "content-disposition");
        let body = response.bytes().await.map_err(network)?;
        Ok(Fetched { body, content_type, content_disposition })
    }
}
