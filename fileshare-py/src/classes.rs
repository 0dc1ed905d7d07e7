//! `fileshare.FileShare` (blocking, GIL released) and `fileshare.AsyncFileShare` (coroutines), both
//! over one [`Core`] and one shared tokio runtime.

use crate::bridge::{run, spawn};
use crate::core::{Core, Transfer};
use crate::errors::{invalid, ToPyErr};
use crate::quota::Quota;
use crate::types::{FileInfo, Page, ShareInfo, SharePage, UploadTicket};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use fileshare_core::backends::{
    AwsLocation, LocalFileStore, MemoryFileStore, MemoryMetadataStore, SqliteMetadataStore,
};
use fileshare_core::{Config, ContentTypePolicy, FileShare as Service, FileStore, MetadataStore};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

/// Bytes handed back to Python as `bytes` (a `Vec<u8>` would become a list).
pub struct Blob(pub Bytes);

impl<'py> IntoPyObject<'py> for Blob {
    type Target = PyBytes;
    type Output = Bound<'py, PyBytes>;
    type Error = std::convert::Infallible;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        Ok(PyBytes::new(py, &self.0))
    }
}

fn size_arg(size: i128) -> PyResult<u64> {
    if size < 1 {
        return Err(invalid("size", "must be at least 1 byte"));
    }
    u64::try_from(size).map_err(|_| fileshare_core::Error::TooLarge { size: u64::MAX, max: u64::MAX }.to_py())
}

fn positive(field: &'static str, value: i64) -> PyResult<u64> {
    u64::try_from(value).ok().filter(|v| *v > 0).ok_or_else(|| invalid(field, "must be a positive integer"))
}

pub(crate) fn aware(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DateTime<Utc>>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| v.extract::<DateTime<Utc>>().map_err(|_| invalid("expires_at", "must be a timezone-aware datetime")))
        .transpose()
}

/// Limits from the constructors' keyword arguments (`quota`: the default one unless given).
fn config(allowed_content_types: Option<Vec<String>>, quota: Option<Quota>) -> Config {
    let content_types = allowed_content_types.map_or(ContentTypePolicy::AllowAll, ContentTypePolicy::Allow);
    let quota = quota.map_or_else(fileshare_core::Quota::default, Into::into);
    Config { content_types, quota, ..Config::default() }
}

fn service(files: Arc<dyn FileStore>, metadata: Arc<dyn MetadataStore>, config: Config) -> crate::core::Service {
    Service::builder(files, metadata).config(config).build()
}

async fn memory_core(config: Config) -> fileshare_core::Result<Core> {
    let files = Arc::new(MemoryFileStore::new());
    Ok(Core {
        service: service(files.clone(), Arc::new(MemoryMetadataStore::new()), config),
        transfer: Transfer::Memory(files),
    })
}

async fn local_core(dir: PathBuf, config: Config) -> fileshare_core::Result<Core> {
    let files = Arc::new(LocalFileStore::open(&dir).await?);
    let metadata = Arc::new(SqliteMetadataStore::open(dir.join("fileshare.db")).await?);
    Ok(Core { service: service(files.clone(), metadata, config), transfer: Transfer::Local(files) })
}

async fn aws_core(
    bucket: String,
    table: String,
    region: String,
    s3_endpoint: Option<String>,
    dynamodb_endpoint: Option<String>,
    create_missing: bool,
    config: Config,
) -> fileshare_core::Result<Core> {
    let location =
        AwsLocation { region: Some(region), s3_endpoint, dynamodb_endpoint, ..AwsLocation::new(bucket, table) };
    // Creating them is for local servers and first runs; on AWS the infrastructure template does it.
    let (s3, dynamo) = if create_missing { location.open_creating_missing().await? } else { location.open().await? };
    Ok(Core {
        service: service(Arc::new(s3), Arc::new(dynamo), config),
        transfer: Transfer::Http(reqwest::Client::new()),
    })
}

/// Shared constructors of both classes.
fn build(py: Python<'_>, fut: impl Future<Output = fileshare_core::Result<Core>> + Send) -> PyResult<Arc<Core>> {
    run(py, fut).map(Arc::new)
}

/// The constructors of both classes (the same keywords, the same service), and the operations
/// behind an object.
macro_rules! constructors {
    ($class:ident) => {
        impl $class {
            /// The operations behind this object.
            pub(crate) fn core(&self) -> Arc<Core> {
                self.core.clone()
            }
        }

        #[pymethods]
        impl $class {
            /// A service that keeps everything in memory (tests, experiments). ``allowed_content_types``
            /// (e.g. ``["image/*", "application/pdf"]``) limits uploads; by default every type is allowed.
            /// ``quota`` (a :class:`Quota`) is what each user may store unless given their own; by
            /// default 10 GiB in 10 000 files. The same keywords work on every constructor.
            #[staticmethod]
            #[pyo3(signature = (*, allowed_content_types = None, quota = None))]
            fn memory(py: Python<'_>, allowed_content_types: Option<Vec<String>>, quota: Option<Quota>) -> PyResult<Self> {
                Ok(Self { core: build(py, memory_core(config(allowed_content_types, quota)))? })
            }

            /// The embedded default: files and a SQLite database under ``data_dir``.
            #[staticmethod]
            #[pyo3(signature = (data_dir, *, allowed_content_types = None, quota = None))]
            fn local(
                py: Python<'_>,
                data_dir: PathBuf,
                allowed_content_types: Option<Vec<String>>,
                quota: Option<Quota>,
            ) -> PyResult<Self> {
                Ok(Self { core: build(py, local_core(data_dir, config(allowed_content_types, quota)))? })
            }

            /// S3 + DynamoDB. Credentials come from the usual AWS chain (environment, profile, role).
            /// Endpoint URLs point at S3/DynamoDB-compatible servers; ``create_missing`` creates the bucket
            /// and the table if they do not exist (local servers, first runs).
            #[staticmethod]
            #[pyo3(signature = (*, bucket, table, region = "us-east-1", s3_endpoint_url = None, dynamodb_endpoint_url = None, create_missing = false, allowed_content_types = None, quota = None))]
            #[allow(clippy::too_many_arguments)]
            fn aws(
                py: Python<'_>,
                bucket: String,
                table: String,
                region: &str,
                s3_endpoint_url: Option<String>,
                dynamodb_endpoint_url: Option<String>,
                create_missing: bool,
                allowed_content_types: Option<Vec<String>>,
                quota: Option<Quota>,
            ) -> PyResult<Self> {
                let fut = aws_core(
                    bucket,
                    table,
                    region.to_owned(),
                    s3_endpoint_url,
                    dynamodb_endpoint_url,
                    create_missing,
                    config(allowed_content_types, quota),
                );
                Ok(Self { core: build(py, fut)? })
            }
        }
    };
}

/// The file-sharing service: upload, list, share, download and delete, with every access rule.
///
/// Methods block (with the GIL released); see :class:`AsyncFileShare` for coroutines. The first
/// argument of every operation is the acting user's id.
#[pyclass(frozen, module = "fileshare")]
pub struct FileShare {
    core: Arc<Core>,
}

constructors!(FileShare);

#[pymethods]
impl FileShare {
    /// The same service, as coroutines.
    fn as_async(&self) -> AsyncFileShare {
        AsyncFileShare { core: self.core.clone() }
    }

    /// Requests an upload of ``size`` bytes; returns where to POST them (see :meth:`send_upload`).
    fn create_upload(
        &self,
        py: Python<'_>,
        user: String,
        name: String,
        size: i128,
        content_type: String,
    ) -> PyResult<UploadTicket> {
        let size = size_arg(size)?;
        run(py, self.core.create_upload(user, name, size, content_type))
    }

    /// PUTs ``data`` to an upload ticket's URL with its headers, as any client would (in-process
    /// for the embedded stores, HTTP for S3). Storage refuses anything the URL does not allow, and
    /// stores a file's bytes once.
    fn send_upload(&self, py: Python<'_>, ticket: &UploadTicket, data: &[u8]) -> PyResult<()> {
        let data = Bytes::copy_from_slice(data);
        run(py, self.core.send_upload(ticket.url.clone(), ticket.headers.clone(), data))
    }

    /// Confirms an upload once its bytes have arrived; returns the now available file.
    fn complete_upload(&self, py: Python<'_>, user: String, file_id: String) -> PyResult<FileInfo> {
        run(py, self.core.complete_upload(user, file_id))
    }

    /// Uploads ``data`` and completes it in one call. The content type is guessed from the name if absent.
    #[pyo3(signature = (user, name, data, content_type = None))]
    fn put_bytes(
        &self,
        py: Python<'_>,
        user: String,
        name: String,
        data: &[u8],
        content_type: Option<String>,
    ) -> PyResult<FileInfo> {
        let data = Bytes::copy_from_slice(data);
        run(py, self.core.put_bytes(user, name, data, content_type))
    }

    /// A file's metadata (the owner also sees ``shared_with``).
    fn get_file(&self, py: Python<'_>, user: String, file_id: String) -> PyResult<FileInfo> {
        run(py, self.core.get_file(user, file_id))
    }

    /// One page of whom a file is shared with, by user id (its owner only): ``limit`` shares (at
    /// most and by default 100), after ``cursor`` (a page's ``next_cursor``, or a file's
    /// ``shares_next_cursor``).
    #[pyo3(signature = (user, file_id, *, limit = None, cursor = None))]
    fn list_shares(
        &self,
        py: Python<'_>,
        user: String,
        file_id: String,
        limit: Option<usize>,
        cursor: Option<String>,
    ) -> PyResult<SharePage> {
        run(py, self.core.list_shares(user, file_id, limit, cursor))
    }

    /// One page of files: ``scope`` is ``"owned"``, ``"shared"`` or ``"all"``; newest first.
    #[pyo3(signature = (user, scope = "all", limit = 50, cursor = None))]
    fn list_files(
        &self,
        py: Python<'_>,
        user: String,
        scope: &str,
        limit: i64,
        cursor: Option<String>,
    ) -> PyResult<Page> {
        let limit = usize::try_from(positive("limit", limit)?).unwrap_or(usize::MAX);
        run(py, self.core.list_files(user, scope.to_owned(), limit, cursor))
    }

    /// Every file of ``scope``, fetching pages of ``page_size`` as the iteration goes.
    #[pyo3(signature = (user, scope = "all", page_size = 100))]
    fn iter_files(&self, user: String, scope: &str, page_size: i64) -> PyResult<FileIterator> {
        let page_size = usize::try_from(positive("page_size", page_size)?).unwrap_or(usize::MAX);
        Ok(FileIterator {
            core: self.core.clone(),
            user,
            scope: scope.to_owned(),
            page_size,
            cursor: None,
            buffer: VecDeque::new(),
            done: false,
        })
    }

    /// A short-lived download URL (default five minutes).
    #[pyo3(signature = (user, file_id, expires_in = 300))]
    fn download_url(&self, py: Python<'_>, user: String, file_id: String, expires_in: i64) -> PyResult<String> {
        let expires_in = positive("expires_in", expires_in)?;
        run(py, self.core.download_url(user, file_id, expires_in))
    }

    /// Downloads a presigned URL's bytes (in-process for the embedded stores, HTTP for S3).
    fn fetch(&self, py: Python<'_>, url: String) -> PyResult<Blob> {
        run(py, self.core.fetch(url)).map(Blob)
    }

    /// The file's bytes (for small files; large ones go through :meth:`download_url`).
    fn get_bytes(&self, py: Python<'_>, user: String, file_id: String) -> PyResult<Blob> {
        run(py, self.core.get_bytes(user, file_id)).map(Blob)
    }

    /// Shares a file with ``with_user`` for reading, optionally until ``expires_at`` (aware datetime).
    #[pyo3(signature = (user, file_id, with_user, expires_at = None))]
    fn share(
        &self,
        py: Python<'_>,
        user: String,
        file_id: String,
        with_user: String,
        expires_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ShareInfo> {
        let expires_at = aware(expires_at)?;
        run(py, self.core.share(user, file_id, with_user, expires_at))
    }

    /// Revokes ``with_user``'s access, immediately.
    fn unshare(&self, py: Python<'_>, user: String, file_id: String, with_user: String) -> PyResult<()> {
        run(py, self.core.unshare(user, file_id, with_user))
    }

    /// Deletes a file, its shares and its bytes.
    fn delete(&self, py: Python<'_>, user: String, file_id: String) -> PyResult<()> {
        run(py, self.core.delete(user, file_id))
    }
}

/// Iterates over every file of a listing, page by page.
#[pyclass(module = "fileshare")]
pub struct FileIterator {
    core: Arc<Core>,
    user: String,
    scope: String,
    page_size: usize,
    cursor: Option<String>,
    buffer: VecDeque<FileInfo>,
    done: bool,
}

#[pymethods]
impl FileIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<FileInfo>> {
        if self.buffer.is_empty() && !self.done {
            let fut = self.core.list_files(self.user.clone(), self.scope.clone(), self.page_size, self.cursor.take());
            let page = run(py, fut)?;
            self.done = page.next_cursor.is_none();
            self.cursor = page.next_cursor;
            self.buffer.extend(page.files);
        }
        Ok(self.buffer.pop_front())
    }
}

/// :class:`FileShare` as coroutines, for ``asyncio`` (e.g. many calls at once with ``asyncio.gather``).
/// Call its methods from a running event loop (inside ``async def``), as with any asyncio API.
#[pyclass(frozen, module = "fileshare")]
pub struct AsyncFileShare {
    core: Arc<Core>,
}

constructors!(AsyncFileShare);

#[pymethods]
impl AsyncFileShare {
    /// See :meth:`FileShare.create_upload`.
    fn create_upload<'py>(
        &self,
        py: Python<'py>,
        user: String,
        name: String,
        size: i128,
        content_type: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (core, size) = (self.core.clone(), size_arg(size)?);
        spawn(py, async move { core.create_upload(user, name, size, content_type).await })
    }

    /// See :meth:`FileShare.send_upload`.
    fn send_upload<'py>(&self, py: Python<'py>, ticket: &UploadTicket, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let (core, data) = (self.core.clone(), Bytes::copy_from_slice(data));
        let (url, headers): (String, BTreeMap<String, String>) = (ticket.url.clone(), ticket.headers.clone());
        spawn(py, async move { core.send_upload(url, headers, data).await })
    }

    /// See :meth:`FileShare.complete_upload`.
    fn complete_upload<'py>(&self, py: Python<'py>, user: String, file_id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.complete_upload(user, file_id).await })
    }

    /// See :meth:`FileShare.put_bytes`.
    #[pyo3(signature = (user, name, data, content_type = None))]
    fn put_bytes<'py>(
        &self,
        py: Python<'py>,
        user: String,
        name: String,
        data: &[u8],
        content_type: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (core, data) = (self.core.clone(), Bytes::copy_from_slice(data));
        spawn(py, async move { core.put_bytes(user, name, data, content_type).await })
    }

    /// See :meth:`FileShare.get_file`.
    fn get_file<'py>(&self, py: Python<'py>, user: String, file_id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.get_file(user, file_id).await })
    }

    /// See :meth:`FileShare.list_shares`.
    #[pyo3(signature = (user, file_id, *, limit = None, cursor = None))]
    fn list_shares<'py>(
        &self,
        py: Python<'py>,
        user: String,
        file_id: String,
        limit: Option<usize>,
        cursor: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.list_shares(user, file_id, limit, cursor).await })
    }

    /// See :meth:`FileShare.list_files`.
    #[pyo3(signature = (user, scope = "all", limit = 50, cursor = None))]
    fn list_files<'py>(
        &self,
        py: Python<'py>,
        user: String,
        scope: &str,
        limit: i64,
        cursor: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (core, limit) = (self.core.clone(), usize::try_from(positive("limit", limit)?).unwrap_or(usize::MAX));
        let scope = scope.to_owned();
        spawn(py, async move { core.list_files(user, scope, limit, cursor).await })
    }

    /// See :meth:`FileShare.download_url`.
    #[pyo3(signature = (user, file_id, expires_in = 300))]
    fn download_url<'py>(
        &self,
        py: Python<'py>,
        user: String,
        file_id: String,
        expires_in: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (core, expires_in) = (self.core.clone(), positive("expires_in", expires_in)?);
        spawn(py, async move { core.download_url(user, file_id, expires_in).await })
    }

    /// See :meth:`FileShare.fetch`.
    fn fetch<'py>(&self, py: Python<'py>, url: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.fetch(url).await.map(Blob) })
    }

    /// See :meth:`FileShare.get_bytes`.
    fn get_bytes<'py>(&self, py: Python<'py>, user: String, file_id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.get_bytes(user, file_id).await.map(Blob) })
    }

    /// See :meth:`FileShare.share`.
    #[pyo3(signature = (user, file_id, with_user, expires_at = None))]
    fn share<'py>(
        &self,
        py: Python<'py>,
        user: String,
        file_id: String,
        with_user: String,
        expires_at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (core, expires_at) = (self.core.clone(), aware(expires_at)?);
        spawn(py, async move { core.share(user, file_id, with_user, expires_at).await })
    }

    /// See :meth:`FileShare.unshare`.
    fn unshare<'py>(
        &self,
        py: Python<'py>,
        user: String,
        file_id: String,
        with_user: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.unshare(user, file_id, with_user).await })
    }

    /// See :meth:`FileShare.delete`.
    fn delete<'py>(&self, py: Python<'py>, user: String, file_id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core.clone();
        spawn(py, async move { core.delete(user, file_id).await })
    }
}
