//! The embedded [`FileStore`]: bytes on local disk (or in memory), reached through presigned URLs
//! that this store signs with HMAC-SHA256 and verifies itself — the same semantics as S3's POST
//! policy and presigned GET/PUT, so one client works against local and AWS.
//!
//! The store signs; the HTTP layer (the local server's blob endpoints) hands incoming requests to
//! the verifying methods in [`gateway`]: [`EmbeddedFileStore::verify_upload`] then
//! [`EmbeddedFileStore::store_upload`], and [`EmbeddedFileStore::verify_download`] then
//! [`EmbeddedFileStore::open_download`] — in two steps, so that between them
//! [`FileShare`](crate::FileShare) can re-check that the upload is still open, or that the viewer
//! may still read the file.

mod blobs;
mod disk;
mod gateway;
mod memory_blobs;
mod secret;
mod signer;

pub use blobs::{collect_body, BlobBody, BlobMeta, BlobStorage, Placement};
pub use disk::DiskBlobs;
pub use gateway::{Download, Stored, VerifiedDownload, VerifiedUpload};
pub use memory_blobs::MemoryBlobs;

use crate::clock::{Clock, SystemClock};
use crate::domain::{content_disposition, ObjectKey, UserId};
use crate::store::{
    upload_headers, CompletedPart, DownloadRequest, FileStore, ObjectHeaders, ObjectMeta, PartRequest, PresignedUpload,
    PresignedUrl, UploadPolicy, MAX_PARTS,
};
use crate::{Error, Result};
use async_trait::async_trait;
use bytes::Bytes;
use signer::Signer;
use std::path::Path;
use std::sync::Arc;
use url::Url;

/// The local server's blob endpoint, where presigned URLs point unless configured otherwise.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080/blobs";

/// Query parameter names. `uploadId`, `partNumber` and `response-*` follow S3's names, so that a
/// client that speaks S3 presigned URLs speaks these too.
pub(crate) mod names {
    pub const EXPIRES: &str = "X-Fileshare-Expires";
    pub const SIGNATURE: &str = "X-Fileshare-Signature";
    pub const SIZE: &str = "X-Fileshare-Size";
    pub const VIEWER: &str = "X-Fileshare-Viewer";
    pub const RESPONSE_CONTENT_TYPE: &str = "response-content-type";
    pub const RESPONSE_DISPOSITION: &str = "response-content-disposition";
    pub const UPLOAD_ID: &str = "uploadId";
    pub const PART_NUMBER: &str = "partNumber";
}

/// Signature purposes: a signature made for one can never verify as another.
pub(crate) mod purpose {
    pub const OBJECT: &str = "put-object";
    pub const GET: &str = "get";
    pub const PART: &str = "put-part";
    pub const UPLOAD_ID: &str = "upload-id";
}

/// The embedded file store over a [`BlobStorage`].
pub struct EmbeddedFileStore<B> {
    blobs: B,
    signer: Signer,
    public_url: Url,
    clock: Arc<dyn Clock>,
}

/// The embedded default: files on local disk.
pub type LocalFileStore = EmbeddedFileStore<DiskBlobs>;
/// For tests: files in memory.
pub type MemoryFileStore = EmbeddedFileStore<MemoryBlobs>;

impl<B: std::fmt::Debug> std::fmt::Debug for EmbeddedFileStore<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedFileStore")
            .field("blobs", &self.blobs)
            .field("public_url", &self.public_url.as_str())
            .field("signer", &self.signer)
            .finish()
    }
}

fn default_url() -> Url {
    // A constant that parses; covered by every test that builds a store.
    Url::parse(DEFAULT_PUBLIC_URL).unwrap_or_else(|_| unreachable!())
}

impl MemoryFileStore {
    /// An empty in-memory store with a random signing key.
    pub fn new() -> Self {
        Self::with_blobs(MemoryBlobs::new(), Signer::random())
    }
}

impl Default for MemoryFileStore {
    fn default() -> Self {
        Self::new()
    }
}

impl LocalFileStore {
    /// Files under `data_dir/objects`, signed with the key in `data_dir/blob-signing.key` (created
    /// with mode 0600 on first use, so presigned URLs survive restarts).
    pub async fn open(data_dir: impl AsRef<Path>) -> Result<Self> {
        let dir = data_dir.as_ref();
        let key = secret::load_or_create(&dir.join("blob-signing.key")).await?;
        let blobs = DiskBlobs::open(dir.join("objects")).await?;
        Ok(Self::with_blobs(blobs, Signer::new(key)))
    }
}

impl<B: BlobStorage> EmbeddedFileStore<B> {
    fn with_blobs(blobs: B, signer: Signer) -> Self {
        Self { blobs, signer, public_url: default_url(), clock: Arc::new(SystemClock) }
    }

    /// Sets the base URL presigned URLs point at (the local server's blob endpoint as clients see it).
    pub fn with_public_url(mut self, url: &str) -> Result<Self> {
        let mut url = Url::parse(url).map_err(|e| Error::invalid("public_url", e.to_string()))?;
        if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid("public_url", "must be an http(s) URL"));
        }
        url.set_query(None);
        url.set_fragment(None);
        // No trailing slash: object URLs are `{public_url}/{key}`.
        let path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&path);
        self.public_url = url;
        Ok(self)
    }

    /// Replaces the clock used for signing and checking expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The base URL presigned URLs point at.
    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// Removes what interrupted writes left behind (see [`BlobStorage::sweep_debris`]); returns how
    /// many leftovers were removed.
    pub async fn sweep_debris(&self, idle: std::time::Duration) -> Result<usize> {
        self.blobs.sweep_debris(idle).await
    }

    /// The users with stored objects (in name order): with [`EmbeddedFileStore::object_keys`], how a
    /// sweep walks every stored object without holding all their keys at once.
    pub async fn object_owners(&self) -> Result<Vec<UserId>> {
        let names = self.blobs.entries(ObjectKey::PREFIX).await?;
        Ok(names.into_iter().filter_map(|name| UserId::new(name).ok()).collect())
    }

    /// The keys of `owner`'s stored objects (whole objects; not the parts of open multipart uploads).
    pub async fn object_keys(&self, owner: &UserId) -> Result<Vec<ObjectKey>> {
        let folder = format!("{}/{owner}", ObjectKey::PREFIX);
        let names = self.blobs.entries(&folder).await?;
        Ok(names.into_iter().filter_map(|name| ObjectKey::parse(&format!("{folder}/{name}")).ok()).collect())
    }

    fn object_url(&self, key: &ObjectKey) -> Url {
        let mut url = self.public_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.extend(key.as_str().split('/'));
        }
        url
    }

    /// Upload ids carry their own proof of which key they belong to: `{nonce}.{mac(key, nonce)}`.
    fn check_upload_id(&self, key: &ObjectKey, upload_id: &str) -> bool {
        upload_id.split_once('.').is_some_and(|(nonce, mac)| {
            nonce.len() == 32
                && nonce.bytes().all(|b| b.is_ascii_hexdigit())
                && self.signer.verify(purpose::UPLOAD_ID, &[key.as_str(), nonce], mac)
        })
    }

    /// The folder that holds an upload's parts while it is open.
    fn upload_folder(upload_id: &str) -> String {
        format!(".multipart/{upload_id}")
    }

    fn part_path(upload_id: &str, part_number: u32) -> String {
        format!("{}/{part_number:05}", Self::upload_folder(upload_id))
    }

    fn object_meta(key: &ObjectKey, meta: BlobMeta) -> ObjectMeta {
        ObjectMeta { key: key.clone(), size: meta.size, etag: Some(meta.etag) }
    }
}

#[async_trait]
impl<B: BlobStorage> FileStore for EmbeddedFileStore<B> {
    async fn put(&self, key: &ObjectKey, _headers: &ObjectHeaders, data: Bytes) -> Result<ObjectMeta> {
        let meta = self.blobs.write(key.as_str(), &mut data.as_ref(), 0..=u64::MAX, Placement::New).await?;
        Ok(Self::object_meta(key, meta))
    }

    async fn get(&self, key: &ObjectKey) -> Result<Bytes> {
        let (meta, body) = self.blobs.read(key.as_str()).await?.ok_or_else(|| Error::not_found("object", key))?;
        collect_body(body, meta.size).await.map_err(|e| Error::storage("embedded", e))
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>> {
        Ok(self.blobs.stat(key.as_str()).await?.map(|m| Self::object_meta(key, m)))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<()> {
        self.blobs.remove(key.as_str()).await
    }

    async fn presign_upload(&self, policy: &UploadPolicy) -> Result<PresignedUpload> {
        let headers = upload_headers(&policy.headers);
        let (size, expires) = (policy.size.to_string(), policy.expires_at.timestamp().to_string());
        let signed = gateway::object_fields(&policy.key, &size, &expires, &headers);
        let signature = self.signer.sign(purpose::OBJECT, &signed);
        let mut url = self.object_url(&policy.key);
        url.query_pairs_mut()
            .append_pair(names::SIZE, &size)
            .append_pair(names::EXPIRES, &expires)
            .append_pair(names::SIGNATURE, &signature);
        Ok(PresignedUpload { url: url.into(), headers, expires_at: gateway::whole_seconds(policy.expires_at) })
    }

    async fn presign_download(&self, request: &DownloadRequest) -> Result<PresignedUrl> {
        let expires = request.expires_at.timestamp().to_string();
        let disposition = content_disposition(&request.headers.filename);
        let content_type = request.headers.content_type.as_str();
        let viewer = request.viewer.as_ref().map_or("", |v| v.as_str());
        let fields = [request.key.as_str(), &expires, content_type, &disposition, viewer];
        let signature = self.signer.sign(purpose::GET, &fields);
        let mut url = self.object_url(&request.key);
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair(names::EXPIRES, &expires)
                .append_pair(names::RESPONSE_CONTENT_TYPE, content_type)
                .append_pair(names::RESPONSE_DISPOSITION, &disposition);
            if !viewer.is_empty() {
                query.append_pair(names::VIEWER, viewer);
            }
            query.append_pair(names::SIGNATURE, &signature);
        }
        Ok(PresignedUrl {
            url: url.into(),
            method: "GET".into(),
            expires_at: gateway::whole_seconds(request.expires_at),
        })
    }

    async fn create_multipart(&self, key: &ObjectKey, _headers: &ObjectHeaders) -> Result<String> {
        let nonce = hex::encode(rand::random::<[u8; 16]>());
        let mac = self.signer.sign(purpose::UPLOAD_ID, &[key.as_str(), &nonce]);
        let upload_id = format!("{nonce}.{mac}");
        // Parts land only in this folder; completing or aborting removes it, which ends every part URL.
        self.blobs.create_folder(&Self::upload_folder(&upload_id)).await?;
        Ok(upload_id)
    }

    async fn presign_part(&self, request: &PartRequest) -> Result<PresignedUrl> {
        if !self.check_upload_id(&request.key, &request.upload_id) {
            return Err(Error::not_found("upload", &request.upload_id));
        }
        if request.part_number == 0 || request.part_number > MAX_PARTS {
            return Err(Error::invalid("part_number", "must be between 1 and 10000"));
        }
        let (part, size, expires) =
            (request.part_number.to_string(), request.size.to_string(), request.expires_at.timestamp().to_string());
        let signature =
            self.signer.sign(purpose::PART, &[request.key.as_str(), &request.upload_id, &part, &size, &expires]);
        let mut url = self.object_url(&request.key);
        url.query_pairs_mut()
            .append_pair(names::UPLOAD_ID, &request.upload_id)
            .append_pair(names::PART_NUMBER, &part)
            .append_pair(names::SIZE, &size)
            .append_pair(names::EXPIRES, &expires)
            .append_pair(names::SIGNATURE, &signature);
        Ok(PresignedUrl {
            url: url.into(),
            method: "PUT".into(),
            expires_at: gateway::whole_seconds(request.expires_at),
        })
    }

    async fn complete_multipart(&self, key: &ObjectKey, upload_id: &str, parts: &[CompletedPart]) -> Result<()> {
        if !self.check_upload_id(key, upload_id) {
            return Err(Error::not_found("upload", upload_id));
        }
        if parts.is_empty() || parts.windows(2).any(|w| w[0].part_number >= w[1].part_number) {
            return Err(Error::invalid("parts", "must be non-empty and in ascending part-number order"));
        }
        let mut paths = Vec::with_capacity(parts.len());
        let mut missing = 0;
        for part in parts {
            let path = Self::part_path(upload_id, part.part_number);
            match self.blobs.stat(&path).await? {
                Some(meta) if meta.etag == part.etag => {}
                Some(_) => return Err(Error::conflict(format!("part {} has a different ETag", part.part_number))),
                None => missing += 1,
            }
            paths.push(path);
        }
        if missing == parts.len() {
            // Nothing staged: the upload was completed or aborted already (S3: NoSuchUpload).
            return Err(Error::not_found("upload", upload_id));
        }
        if missing > 0 {
            return Err(Error::conflict("some parts have not been uploaded"));
        }
        let folder = Self::upload_folder(upload_id);
        match self.blobs.concat(&paths, key.as_str()).await {
            Ok(_) => self.blobs.remove_folder(&folder).await,
            // Assembled already, by an attempt that did not get to remove the parts (a crash, a
            // failure, a request gone meanwhile): finish that, and answer as S3 does for a finished
            // upload — the caller checks the object.
            Err(Error::AlreadyExists { .. }) => {
                self.blobs.remove_folder(&folder).await?;
                Err(Error::not_found("upload", upload_id))
            }
            Err(e) => Err(e),
        }
    }

    async fn abort_multipart(&self, key: &ObjectKey, upload_id: &str) -> Result<()> {
        if self.check_upload_id(key, upload_id) {
            self.blobs.remove_folder(&Self::upload_folder(upload_id)).await?;
        }
        Ok(())
    }
}
