//! Share links from Python: the owner's `create_link` / `list_links` / `revoke_link`, and the
//! holder's `link_info` / `redeem_link` (no user: the token is the permission), on both classes.
//! A second `#[pymethods]` block per class (PyO3's `multiple-pymethods`) keeps `classes.rs` to
//! the file operations.

use crate::bridge::{run, spawn};
use crate::classes::{aware, AsyncFileShare, FileShare};
use crate::core::Core;
use crate::errors::invalid;
use chrono::{DateTime, Utc};
use fileshare_core::{LinkId, LinkInfo, LinkOptions, LinkToken, Result, ShareLink, UserId};
use pyo3::prelude::*;

/// A share link as its owner sees it (never its token).
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct Link {
    /// The link's id: ``{file_id}-{16 hex digits}``.
    pub link_id: String,
    /// The file it hands out.
    pub file_id: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// How many downloads it hands out, if limited.
    pub max_downloads: Option<u32>,
    /// Downloads handed out so far.
    pub downloads: u32,
    /// Whether redeeming needs a password.
    pub password_required: bool,
}

#[pymethods]
impl Link {
    fn __repr__(&self) -> String {
        format!(
            "Link(link_id={:?}, downloads={}, max_downloads={:?})",
            self.link_id, self.downloads, self.max_downloads
        )
    }
}

impl From<ShareLink> for Link {
    fn from(l: ShareLink) -> Self {
        Self {
            link_id: l.id.to_string(),
            file_id: l.file_id().to_string(),
            created_at: l.created_at,
            expires_at: l.expires_at,
            max_downloads: l.max_downloads,
            downloads: l.downloads,
            password_required: l.password_hash.is_some(),
        }
    }
}

/// A link just made: the link and its token, which is shown this once.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct CreatedLink {
    /// The link.
    pub link: Link,
    /// The secret token (``{link_id}.{secret}``): whoever holds it may download the file.
    pub token: String,
}

#[pymethods]
impl CreatedLink {
    fn __repr__(&self) -> String {
        format!("CreatedLink(link_id={:?}, token=<secret>)", self.link.link_id)
    }
}

/// What anyone holding a link may see before redeeming it.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct LinkDetails {
    /// The link's id.
    pub link_id: String,
    /// The file's name.
    pub name: String,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's content type.
    pub content_type: String,
    /// When the link stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether redeeming needs a password.
    pub password_required: bool,
    /// Downloads left, if limited.
    pub downloads_left: Option<u32>,
}

#[pymethods]
impl LinkDetails {
    fn __repr__(&self) -> String {
        format!("LinkDetails(name={:?}, size={}, password_required={})", self.name, self.size, self.password_required)
    }
}

impl From<LinkInfo> for LinkDetails {
    fn from(i: LinkInfo) -> Self {
        Self {
            link_id: i.link_id.to_string(),
            name: i.name.to_string(),
            size: i.size,
            content_type: i.content_type.to_string(),
            expires_at: i.expires_at,
            password_required: i.password_required,
            downloads_left: i.downloads_left,
        }
    }
}

fn max_downloads(value: Option<i64>) -> PyResult<Option<u32>> {
    value
        .map(|n| {
            u32::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| invalid("max_downloads", "must be 1 to 1000000"))
        })
        .transpose()
}

impl Core {
    async fn create_link(&self, owner: String, file_id: String, options: LinkOptions) -> Result<CreatedLink> {
        let created = self.service.create_link(&UserId::new(owner)?, &file_id.parse()?, options).await?;
        Ok(CreatedLink { link: created.link.into(), token: created.token.reveal() })
    }

    async fn list_links(&self, owner: String, file_id: String) -> Result<Vec<Link>> {
        let links = self.service.list_links(&UserId::new(owner)?, &file_id.parse()?).await?;
        Ok(links.into_iter().map(Link::from).collect())
    }

    async fn revoke_link(&self, owner: String, link_id: String) -> Result<()> {
        self.service.revoke_link(&UserId::new(owner)?, &link_id.parse::<LinkId>()?).await
    }

    async fn link_info(&self, token: String) -> Result<LinkDetails> {
        Ok(self.service.link_info(&token.parse::<LinkToken>()?).await?.into())
    }

    async fn redeem_link(&self, token: String, password: Option<String>) -> Result<String> {
        Ok(self.service.redeem_link(&token.parse::<LinkToken>()?, password.as_deref()).await?.url)
    }
}

#[pymethods]
impl FileShare {
    /// Makes a share link of an available file (owner only): anyone holding its token may
    /// download the file, until ``expires_at`` (aware datetime), after ``max_downloads`` downloads,
    /// behind ``password`` (6–256 characters) — each optional. The token is shown only here.
    ///
    /// >>> fs = FileShare.memory()
    /// >>> f = fs.put_bytes("alice", "a.txt", b"hi")
    /// >>> created = fs.create_link("alice", f.file_id, max_downloads=1)
    /// >>> fs.fetch(fs.redeem_link(created.token))
    /// b'hi'
    #[pyo3(signature = (user, file_id, *, expires_at = None, password = None, max_downloads = None))]
    fn create_link(
        &self,
        py: Python<'_>,
        user: String,
        file_id: String,
        expires_at: Option<&Bound<'_, PyAny>>,
        password: Option<String>,
        max_downloads: Option<i64>,
    ) -> PyResult<CreatedLink> {
        let options = LinkOptions {
            expires_at: aware(expires_at)?,
            password,
            max_downloads: self::max_downloads(max_downloads)?,
        };
        run(py, self.core().create_link(user, file_id, options))
    }

    /// A file's links, oldest first, with their downloads so far (owner only).
    fn list_links(&self, py: Python<'_>, user: String, file_id: String) -> PyResult<Vec<Link>> {
        run(py, self.core().list_links(user, file_id))
    }

    /// Revokes a link (owner only): no redemption succeeds after this returns.
    fn revoke_link(&self, py: Python<'_>, user: String, link_id: String) -> PyResult<()> {
        run(py, self.core().revoke_link(user, link_id))
    }

    /// What a link hands out (name, size, expiry, whether it needs a password). No user needed;
    /// every link that does not hand out downloads now raises the same :class:`NotFound`.
    fn link_info(&self, py: Python<'_>, token: String) -> PyResult<LinkDetails> {
        run(py, self.core().link_info(token))
    }

    /// Redeems a link for a short-lived download URL (follow it with :meth:`fetch`), counting one
    /// download. Raises :class:`WrongPassword` for a missing or wrong password and
    /// :class:`TooManyAttempts` once the link's ration of password attempts is used up.
    #[pyo3(signature = (token, password = None))]
    fn redeem_link(&self, py: Python<'_>, token: String, password: Option<String>) -> PyResult<String> {
        run(py, self.core().redeem_link(token, password))
    }
}

#[pymethods]
impl AsyncFileShare {
    /// See :meth:`FileShare.create_link`.
    #[pyo3(signature = (user, file_id, *, expires_at = None, password = None, max_downloads = None))]
    fn create_link<'py>(
        &self,
        py: Python<'py>,
        user: String,
        file_id: String,
        expires_at: Option<&Bound<'_, PyAny>>,
        password: Option<String>,
        max_downloads: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = LinkOptions {
            expires_at: aware(expires_at)?,
            password,
            max_downloads: self::max_downloads(max_downloads)?,
        };
        let core = self.core();
        spawn(py, async move { core.create_link(user, file_id, options).await })
    }

    /// See :meth:`FileShare.list_links`.
    fn list_links<'py>(&self, py: Python<'py>, user: String, file_id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core();
        spawn(py, async move { core.list_links(user, file_id).await })
    }

    /// See :meth:`FileShare.revoke_link`.
    fn revoke_link<'py>(&self, py: Python<'py>, user: String, link_id: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core();
        spawn(py, async move { core.revoke_link(user, link_id).await })
    }

    /// See :meth:`FileShare.link_info`.
    fn link_info<'py>(&self, py: Python<'py>, token: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core();
        spawn(py, async move { core.link_info(token).await })
    }

    /// See :meth:`FileShare.redeem_link`.
    #[pyo3(signature = (token, password = None))]
    fn redeem_link<'py>(
        &self,
        py: Python<'py>,
        token: String,
        password: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core();
        spawn(py, async move { core.redeem_link(token, password).await })
    }
}
