//! [`S3FileStore`]: file bytes in Amazon S3 (or any S3-compatible server).
//!
//! Transfers go straight between clients and S3 through presigned URLs: object PUTs (the length,
//! the headers and `If-None-Match: *` signed, so S3 stores an object once and refuses any replay),
//! GETs and part PUTs (each part's length signed). Presigning is local computation ([`sigv4`]);
//! only head/put/get/delete and the multipart calls reach S3 through the SDK client, and every
//! write there is conditional too: no path ever replaces an object.

mod builder;
mod credentials;
mod errors;
mod sigv4;

pub use builder::S3FileStoreBuilder;

use crate::clock::Clock;
use crate::domain::{content_disposition, ObjectKey};
use crate::store::{
    upload_headers, CompletedPart, DownloadRequest, FileStore, ObjectHeaders, ObjectMeta, PartRequest, PresignedUpload,
    PresignedUrl, UploadPolicy,
};
use crate::{Error, Result};
use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart as S3Part};
use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use credentials::CredentialCache;
use errors::s3_error;
use sigv4::{Endpoint, Scope, Signer, UrlRequest};
use std::sync::Arc;

/// A [`FileStore`] on S3.
///
/// ```no_run
/// # async fn demo() -> fileshare_core::Result<()> {
/// use fileshare_core::backends::S3FileStore;
/// // Bucket from FILESHARE_BUCKET, region and credentials from the usual AWS chain.
/// let store = S3FileStore::from_env().await?;
/// // Or explicitly, e.g. against a local S3-compatible server:
/// let store = S3FileStore::builder()
///     .bucket("fileshare-files")
///     .region("us-east-1")
///     .endpoint_url("http://127.0.0.1:8014")
///     .force_path_style(true)
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
pub struct S3FileStore {
    client: aws_sdk_s3::Client,
    bucket: String,
    region: String,
    endpoint: Endpoint,
    /// Path prefix of objects in URLs: `/{bucket}` (path style) or empty (virtual-hosted style).
    bucket_path: String,
    credentials: CredentialCache,
    signer: Signer,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for S3FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3FileStore")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint.base)
            .finish_non_exhaustive()
    }
}

impl S3FileStore {
    /// The SDK client, for operations the store does not wrap.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The origin presigned URLs point at (`https://{bucket}.s3.{region}.amazonaws.com` on AWS):
    /// where browsers send uploads, for a page's Content-Security-Policy and the bucket's CORS.
    pub fn url_origin(&self) -> &str {
        &self.endpoint.base
    }

    /// Creates the bucket unless it already exists and these credentials can use it (local servers
    /// and first runs; on AWS the infrastructure template creates it).
    pub async fn create_bucket_if_missing(&self) -> Result<()> {
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        if self.region != "us-east-1" {
            // Everywhere but us-east-1, S3 wants the region spelled out again.
            let location = aws_sdk_s3::types::BucketLocationConstraint::from(self.region.as_str());
            let configuration = aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(location);
            create = create.create_bucket_configuration(configuration.build());
        }
        match create.send().await {
            Ok(_) => Ok(()),
            // It exists, or a concurrent caller just created it: fine if it is ours to use.
            Err(e) => match self.client.head_bucket().bucket(&self.bucket).send().await {
                Ok(_) => Ok(()),
                Err(_) => Err(Error::storage("s3", e)),
            },
        }
    }

    fn object_path(&self, key: &ObjectKey) -> String {
        let mut path = self.bucket_path.clone();
        for segment in key.as_str().split('/') {
            path.push('/');
            sigv4::encode_into(&mut path, segment);
        }
        path
    }

    /// What every signature needs: credentials valid now, the signing time (whole seconds, as SigV4
    /// carries it), and `requested` clamped so that nothing outlives the credentials that signed it
    /// (nor SigV4's 7 days). Refused if less than a second would remain.
    async fn signing(&self, requested: DateTime<Utc>) -> Result<(Credentials, DateTime<Utc>, DateTime<Utc>)> {
        let now = self.clock.now();
        let credentials = self.credentials.get(now).await?;
        let signed_at = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        let expires_at = credentials::expiry(&credentials)
            .map_or(requested, |e| e.min(requested))
            .min(signed_at + TimeDelta::seconds(sigv4::MAX_EXPIRY_SECS));
        if expires_at < signed_at + TimeDelta::seconds(1) {
            return Err(Error::invalid(
                "expires_at",
                "must be at least a second ahead (and within the credentials' lifetime)",
            ));
        }
        Ok((credentials, signed_at, expires_at))
    }

    /// Signs a URL for `method` on `key`, requiring `headers` (sorted by name); returns it with its
    /// real expiry.
    async fn presign(
        &self,
        method: &str,
        key: &ObjectKey,
        params: &[(&str, &str)],
        expires_at: DateTime<Utc>,
        headers: &[(&str, &str)],
    ) -> Result<PresignedUrl> {
        let (credentials, signed_at, expires_at) = self.signing(expires_at).await?;
        let secs = (expires_at - signed_at).num_seconds();
        let scope = Scope::new(&credentials, &self.region, signed_at);
        let path = self.object_path(key);
        let request = UrlRequest { method, endpoint: &self.endpoint, path: &path, params, expires_secs: secs, headers };
        let url = self.signer.presign_url(&scope, &request)?;
        Ok(PresignedUrl { url, method: method.to_owned(), expires_at: signed_at + TimeDelta::seconds(secs) })
    }
}

#[async_trait]
impl FileStore for S3FileStore {
    async fn put(&self, key: &ObjectKey, headers: &ObjectHeaders, data: Bytes) -> Result<ObjectMeta> {
        let size = data.len() as u64;
        let output = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(headers.content_type.as_str())
            .content_disposition(content_disposition(&headers.filename))
            .if_none_match("*")
            .body(ByteStream::from(data))
            .send()
            .await
            .map_err(|e| s3_error(key, e))?;
        Ok(ObjectMeta { key: key.clone(), size, etag: output.e_tag })
    }

    async fn get(&self, key: &ObjectKey) -> Result<Bytes> {
        let output = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| s3_error(key, e))?;
        let body = output.body.collect().await.map_err(|e| Error::storage("s3", e))?;
        Ok(body.into_bytes())
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>> {
        match self.client.head_object().bucket(&self.bucket).key(key.as_str()).send().await {
            Ok(output) => {
                let size = output.content_length.and_then(|n| u64::try_from(n).ok()).unwrap_or(0);
                Ok(Some(ObjectMeta { key: key.clone(), size, etag: output.e_tag }))
            }
            Err(e) => match s3_error(key, e) {
                Error::NotFound { .. } => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn delete(&self, key: &ObjectKey) -> Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
            .map_err(|e| s3_error(key, e))?;
        Ok(())
    }

    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<PresignedUpload> {
        let headers = upload_headers(&policy.headers);
        let size = policy.size.to_string();
        // Every header the client must send, and the exact length, sorted by name.
        let mut signed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        signed.push(("content-length", &size));
        signed.sort_unstable();
        let url = self.presign("PUT", &policy.key, &[], policy.expires_at, &signed).await?;
        Ok(PresignedUpload { url: url.url, headers, expires_at: url.expires_at })
    }

    async fn presign_download(&self, request: &DownloadRequest) -> Result<PresignedUrl> {
        let disposition = content_disposition(&request.headers.filename);
        let params = [
            ("response-content-disposition", disposition.as_str()),
            ("response-content-type", request.headers.content_type.as_str()),
        ];
        self.presign("GET", &request.key, &params, request.expires_at, &[]).await
    }

    async fn create_multipart(&self, key: &ObjectKey, headers: &ObjectHeaders) -> Result<String> {
        let output = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(headers.content_type.as_str())
            .content_disposition(content_disposition(&headers.filename))
            .send()
            .await
            .map_err(|e| s3_error(key, e))?;
        output.upload_id.ok_or_else(|| Error::storage("s3", "CreateMultipartUpload returned no upload id"))
    }

    async fn presign_part(&self, request: &PartRequest) -> Result<PresignedUrl> {
        let part = request.part_number.to_string();
        let params = [("partNumber", part.as_str()), ("uploadId", request.upload_id.as_str())];
        let size = request.size.to_string();
        self.presign("PUT", &request.key, &params, request.expires_at, &[("content-length", &size)]).await
    }

    async fn complete_multipart(&self, key: &ObjectKey, upload_id: &str, parts: &[CompletedPart]) -> Result<()> {
        let parts = parts
            .iter()
            .map(|p| {
                S3Part::builder().part_number(i32::try_from(p.part_number).unwrap_or(i32::MAX)).e_tag(&p.etag).build()
            })
            .collect();
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key.as_str())
            .upload_id(upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .if_none_match("*")
            .send()
            .await
            .map_err(|e| match s3_error(key, e) {
                // An object is there already: completed before (a retry), or never to be replaced.
                Error::AlreadyExists { .. } => Error::not_found("upload", upload_id),
                other => other,
            })?;
        Ok(())
    }

    async fn abort_multipart(&self, key: &ObjectKey, upload_id: &str) -> Result<()> {
        let result = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key.as_str())
            .upload_id(upload_id)
            .send()
            .await;
        match result.map_err(|e| s3_error(key, e)) {
            Ok(_) | Err(Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
