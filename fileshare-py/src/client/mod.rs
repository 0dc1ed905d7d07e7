//! `fileshare.Client` (blocking, GIL released, Ctrl-C stops a transfer) and `fileshare.AsyncClient`
//! (asyncio): clients of a running service — local or on AWS — over the Rust client library,
//! which logs in, refreshes tokens, and moves bytes straight to and from storage.
//!
//! Both classes are made from one list of operations ([`client_methods!`]): each is written once
//! in [`ops`], and the list says how Python calls it.

mod args;
mod ops;

use crate::bridge::{run, spawn};
use crate::errors::ToPyErr;
use crate::links::{CreatedLink, Link, LinkDetails};
use crate::quota::Quota;
use crate::types::{properties, FileInfo, Page, ShareInfo, SharePage};
use args::{Aware, ScopeArg, Source};
use chrono::{DateTime, Utc};
use fileshare_client::{Client as RustClient, MeResponse, Provider, SessionInfo, SessionStore};
use ops::Ops;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// Why an operation failed: the client library, or Python (a progress callback that raised, an
/// argument refused).
pub enum Failure {
    /// The client library's error.
    Client(fileshare_client::Error),
    /// A Python exception, raised as it is.
    Python(PyErr),
}

impl From<fileshare_client::Error> for Failure {
    fn from(error: fileshare_client::Error) -> Self {
        Failure::Client(error)
    }
}

impl From<PyErr> for Failure {
    fn from(error: PyErr) -> Self {
        Failure::Python(error)
    }
}

impl ToPyErr for Failure {
    fn to_py(self) -> PyErr {
        match self {
            Failure::Client(error) => error.to_py(),
            Failure::Python(error) => error,
        }
    }
}

/// Who is logged in (no tokens).
#[pyclass(frozen, module = "fileshare")]
pub struct Session(SessionInfo);

properties!(Session {
    /// The name logged in with.
    username: &str = |v| &v.username;
    /// The user id: what the service knows them by.
    user_id: &str = |v| &v.user_id;
    /// When the current access token expires (it is refreshed automatically).
    expires_at: Option<DateTime<Utc>> = |v| v.expires_at;
});

#[pymethods]
impl Session {
    fn __repr__(&self) -> String {
        format!("Session(username={:?}, user_id={:?})", self.0.username, self.0.user_id)
    }
}

/// Who the caller is, what they store and what they may store (``Client.me()``).
#[pyclass(frozen, module = "fileshare")]
pub struct Account(MeResponse);

properties!(Account {
    /// The caller's user id.
    user_id: &str = |v| &v.user_id;
    /// The caller's username, where the service knows it: what others share files with.
    username: Option<&str> = |v| v.username.as_deref();
    /// Bytes stored (pending uploads by their declared size).
    used_bytes: u64 = |v| v.usage.bytes;
    /// Files stored.
    used_files: u64 = |v| v.usage.files;
    /// The quota in force: uploads beyond it raise :class:`QuotaExceeded`.
    quota: Quota = |v| fileshare_core::Quota::from(v.quota).into();
});

#[pymethods]
impl Account {
    fn __repr__(&self) -> String {
        let (me, quota) = (&self.0, Quota::from(fileshare_core::Quota::from(self.0.quota)));
        let (bytes, files) = (me.usage.bytes, me.usage.files);
        format!("Account(user_id={:?}, used_bytes={bytes}, used_files={files}, quota={})", me.user_id, quota.__repr__())
    }
}

fn finish(builder: fileshare_client::ClientBuilder) -> PyResult<Arc<Ops>> {
    let builder = builder.user_agent(concat!("fileshare-python/", env!("CARGO_PKG_VERSION")));
    let client = builder.build().map_err(ToPyErr::to_py)?;
    Ok(Arc::new(Ops { client }))
}

/// A client of a running fileshare service — the local one (``fileshare-server``) or a deployment
/// on AWS. It logs in (the service's own accounts, or Cognito's with ``cognito_client_id``),
/// refreshes its token as needed, and moves bytes straight to and from storage: in parts, in
/// parallel, retried, for large files.
///
/// Methods block with the GIL released; Ctrl-C stops a transfer. See :class:`AsyncClient` for
/// coroutines. The session lives in memory, or with ``config_dir`` in that directory's
/// ``credentials.json`` — :meth:`from_env` uses the ``fileshare`` CLI's, so a ``fileshare login``
/// logs programs in too.
///
/// >>> client = Client("http://127.0.0.1:8080")
/// >>> client.session is None
/// True
#[pyclass(frozen, module = "fileshare")]
pub struct Client {
    ops: Arc<Ops>,
}

/// :class:`Client` as coroutines, for ``asyncio``. Cancelling a call (``asyncio.wait_for``, a
/// cancelled task) stops its transfer.
#[pyclass(frozen, module = "fileshare")]
pub struct AsyncClient {
    ops: Arc<Ops>,
}

/// The constructors, the same on both classes.
macro_rules! constructors {
    ($class:ident) => {
        #[pymethods]
        impl $class {
            #[new]
            // Literal defaults, so that Python shows them (tests check they are the library's).
            #[pyo3(signature = (endpoint = "http://127.0.0.1:8080", *, config_dir = None, cognito_client_id = None, cognito_region = "us-east-1", cognito_endpoint = None, parallel_parts = 4, attempts = 3))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                endpoint: &str,
                config_dir: Option<PathBuf>,
                cognito_client_id: Option<String>,
                cognito_region: &str,
                cognito_endpoint: Option<String>,
                parallel_parts: usize,
                attempts: u32,
            ) -> PyResult<Self> {
                let provider = match cognito_client_id {
                    Some(client_id) => Provider::cognito(client_id, cognito_region, cognito_endpoint),
                    None => Provider::Local,
                };
                let mut builder = RustClient::builder(endpoint)
                    .provider(provider)
                    .parallel_parts(parallel_parts)
                    .transfer_attempts(attempts);
                if let Some(dir) = config_dir {
                    builder = builder.session_store(SessionStore::new(Some(dir)).map_err(ToPyErr::to_py)?);
                }
                Ok(Self { ops: finish(builder)? })
            }

            /// The client the environment describes, as the ``fileshare`` CLI reads it:
            /// ``FILESHARE_ENDPOINT``, ``FILESHARE_CONFIG_DIR`` (the session store, shared with
            /// the CLI), ``FILESHARE_COGNITO_CLIENT_ID``, ``FILESHARE_COGNITO_REGION`` and
            /// ``FILESHARE_COGNITO_ENDPOINT``.
            #[staticmethod]
            fn from_env() -> PyResult<Self> {
                let builder = RustClient::builder_from_env().map_err(ToPyErr::to_py)?;
                Ok(Self { ops: finish(builder)? })
            }

            /// The service's base URL.
            #[getter]
            fn endpoint(&self) -> &str {
                self.ops.client.endpoint()
            }

            /// Who is logged in, or ``None``.
            #[getter]
            fn session(&self) -> Option<Session> {
                self.ops.client.session().map(Session)
            }

            fn __repr__(&self) -> String {
                let who = self.ops.client.session().map_or_else(|| "nobody".to_owned(), |s| s.username);
                format!("{}({:?}, logged in as {who})", stringify!($class), self.ops.client.endpoint())
            }
        }
    };
}

constructors!(Client);
constructors!(AsyncClient);

#[pymethods]
impl Client {
    /// The same client (and session) as coroutines.
    fn as_async(&self) -> AsyncClient {
        AsyncClient { ops: self.ops.clone() }
    }
}

/// Every operation, as a blocking method of [`Client`] and a coroutine of [`AsyncClient`]: the
/// same name, arguments and documentation; each calls the [`Ops`] method of its name.
macro_rules! client_methods {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = ($($sig:tt)*);
    )*) => {
        #[pymethods]
        impl Client {
            $(
                $(#[doc = $doc])*
                #[pyo3(signature = ($($sig)*))]
                #[allow(clippy::too_many_arguments)] // Python's keyword arguments
                fn $name(&self, py: Python<'_>, $($arg: $ty),*) -> PyResult<$ret> {
                    let ops = self.ops.clone();
                    run(py, async move { ops.$name($($arg),*).await })
                }
            )*
        }

        #[pymethods]
        impl AsyncClient {
            $(
                $(#[doc = $doc])*
                #[pyo3(signature = ($($sig)*))]
                #[allow(clippy::too_many_arguments)] // Python's keyword arguments
                fn $name<'py>(&self, py: Python<'py>, $($arg: $ty),*) -> PyResult<Bound<'py, PyAny>> {
                    let ops = self.ops.clone();
                    spawn(py, async move { ops.$name($($arg),*).await })
                }
            )*
        }
    };
}

client_methods! {
    /// Creates an account. Returns its user id — or ``None`` for a Cognito account, which must
    /// be confirmed (:meth:`confirm`) with the code its owner was sent.
    fn signup(username: String, password: String) -> Option<String> = (username, password);

    /// Confirms a Cognito account with the code its owner was sent.
    fn confirm(username: String, code: String) -> () = (username, code);

    /// Logs in (replacing any session) and returns the :class:`Session`.
    fn login(username: String, password: String) -> Session = (username, password);

    /// Logs out: forgets the session, then revokes its refresh token. Returns whether there was one.
    fn logout() -> bool = ();

    /// Who the caller is, what they store and what they may store.
    fn me() -> Account = ();

    /// Uploads ``source`` — a path, ``bytes``, or a binary file object — and returns the file,
    /// available. A file object is read in order from where it stands: ``size`` bytes of it (if
    /// not given, the rest of it, which only a stream that can seek tells); what follows stays
    /// unread, and an exception its ``read`` raises is raised here. Bytes go straight to storage:
    /// in one PUT, or above ``multipart_threshold`` bytes in parts sent in parallel, each tried
    /// again after a transient failure. ``name`` is required for bytes and nameless streams;
    /// ``content_type`` is guessed from the name if not given. ``progress(done, total)`` is
    /// called as bytes go (``done`` can step back when a failed part is sent again); if it
    /// raises, the upload stops and the exception is raised here.
    fn upload(
        source: Source,
        name: Option<String>,
        content_type: Option<String>,
        size: Option<u64>,
        multipart_threshold: u64,
        progress: Option<Py<PyAny>>
    ) -> FileInfo = (
        source, *, name = None, content_type = None, size = None, multipart_threshold = 67108864, progress = None
    );

    /// Downloads a file into ``destination`` (a file, or a directory to put it in under its name;
    /// by default the current directory) and returns its path. The bytes go to a temporary file
    /// that is renamed into place when complete: an interrupted download leaves nothing under
    /// the name. An existing file raises :class:`DestinationExists` unless ``overwrite``.
    fn download(
        file_id: String,
        destination: Option<PathBuf>,
        overwrite: bool,
        progress: Option<Py<PyAny>>
    ) -> PathBuf = (file_id, destination = None, *, overwrite = false, progress = None);

    /// A file's bytes, in memory (for small files; large ones go to :meth:`download`).
    fn get_bytes(file_id: String) -> crate::classes::Blob = (file_id);

    /// One page of files, newest first: ``scope`` is ``"owned"``, ``"shared"`` or (by default)
    /// ``"all"``; ``limit`` files (the service's default 50, at most 1000).
    fn list_files(scope: Option<ScopeArg>, limit: Option<usize>, cursor: Option<String>) -> Page =
        (scope = None, limit = None, cursor = None);

    /// Every file of ``scope`` (by default ``"all"``), newest first, fetched page by page.
    fn list_all(scope: Option<ScopeArg>) -> Vec<FileInfo> = (scope = None);

    /// A file's metadata (its owner also sees ``shared_with``, the first 100 by user id).
    fn get_file(file_id: String) -> FileInfo = (file_id);

    /// One page of whom a file is shared with, by user id (owner only): ``limit`` shares (at most
    /// and by default 100), after ``cursor`` (a page's ``next_cursor``, or a file's
    /// ``shares_next_cursor``).
    fn list_shares(file_id: String, limit: Option<usize>, cursor: Option<String>) -> SharePage =
        (file_id, *, limit = None, cursor = None);

    /// Shares a file for reading with ``user`` — a username (or an email address, on Cognito), or
    /// with ``by_id`` a user id — until ``expires_at`` (aware datetime) if given.
    fn share(file_id: String, user: String, expires_at: Option<Aware>, by_id: bool) -> ShareInfo =
        (file_id, user, *, expires_at = None, by_id = false);

    /// Stops sharing a file with ``user`` (a name among its grantees, or with ``by_id`` an id), at once.
    fn unshare(file_id: String, user: String, by_id: bool) -> () = (file_id, user, *, by_id = false);

    /// Deletes a file, its shares, its links and its bytes.
    fn delete(file_id: String) -> () = (file_id);

    /// A short-lived URL of a file's bytes, for ``expires_in`` seconds (the service's default and
    /// limits apply).
    fn download_url(file_id: String, expires_in: Option<u64>) -> String = (file_id, expires_in = None);

    /// Makes a share link: anyone holding it may download the file, until ``expires_at``, for
    /// ``max_downloads`` downloads, behind ``password`` — each optional. Its ``url`` and
    /// ``token`` are shown only here.
    fn create_link(file_id: String, expires_at: Option<Aware>, password: Option<String>, max_downloads: Option<u32>)
        -> CreatedLink = (file_id, *, expires_at = None, password = None, max_downloads = None);

    /// A file's links, oldest first, with their downloads so far.
    fn list_links(file_id: String) -> Vec<Link> = (file_id);

    /// Revokes a link: it stops working at once.
    fn revoke_link(link_id: String) -> () = (link_id);

    /// What a link (its URL, or its token) hands out; no account needed, no download counted.
    fn link_info(link: String) -> LinkDetails = (link);

    /// Downloads what a link hands out (no account needed), as :meth:`download` does; a link with
    /// a password raises :class:`WrongPassword` without the right one.
    fn download_link(
        link: String,
        destination: Option<PathBuf>,
        password: Option<String>,
        overwrite: bool,
        progress: Option<Py<PyAny>>
    ) -> PathBuf = (link, destination = None, *, password = None, overwrite = false, progress = None);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_literal_defaults_python_shows_are_the_librarys() {
        assert_eq!(fileshare_client::DEFAULT_ENDPOINT, "http://127.0.0.1:8080");
        assert_eq!(fileshare_client::DEFAULT_COGNITO_REGION, "us-east-1");
        assert_eq!(fileshare_client::DEFAULT_MULTIPART_THRESHOLD, 67_108_864);
    }
}
