//! [`HttpTransport`]: presigned transfers over real HTTP, as any client would make them.

use super::transport::{Fetched, Refused, Transport};
use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;

/// A plain HTTP client for presigned URLs and forms (S3, or the local server's blob endpoints).
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
    async fn post_form(&self, url: &str, fields: &BTreeMap<String, String>, body: Bytes) -> Result<(), Refused> {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.clone(), value.clone());
        }
        // The file must be the last part of the form (S3's rule).
        form = form.part("file", reqwest::multipart::Part::stream(body).file_name("upload"));
        let response = self.client.post(url).multipart(form).send().await.map_err(network)?;
        if response.status().is_success() {
            Ok(())
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

    async fn put(&self, url: &str, body: Bytes) -> Result<String, Refused> {
        let response = self.client.put(url).body(body).send().await.map_err(network)?;
        if response.status().is_success() {
            Ok(header(&response, "etag"))
        } else {
            Err(refused(response).await)
        }
    }
}
