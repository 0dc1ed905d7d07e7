//! Share links from Python: the owner's `create_link` / `list_links` / `revoke_link`, and the
//! holder's `link_info` / `redeem_link` (no user: the token is the permission), on both classes.
//! A second `#[pymethods]` block per class (PyO3's `multiple-pymethods`) keeps `classes.rs` to
//! the file operations.

use crate::bridge::{run, spawn};
use crate::classes::{aware, AsyncFileShare, FileShare};
use crate::core::Core;
use crate::errors::invalid;
use crate::types::properties;
use chrono::{DateTime, Utc};
use fileshare_api::{CreatedLinkResponse, LinkInfoResponse, LinkView};
use fileshare_core::{LinkId, LinkOptions, LinkToken, Result, UserId};
use pyo3::prelude::*;

/// A share link as its owner sees it (never its token).
#[pyclass(frozen, module = "fileshare")]
#[derive(Clone)]
pub struct Link(pub LinkView);

properties!(Link {
    /// The link's id: ``{file_id}-{16 hex digits}``.
    link_id: &str = |v| &v.link_id;
    /// The file it hands out.
    file_id: &str = |v| &v.file_id;
    /// When it was made.
    created_at: DateTime<Utc> = |v| v.created_at;
    /// When it stops working, if ever.
    expires_at: Option<DateTime<Utc>> = |v| v.expires_at;
    /// How many downloads it hands out, if limited.
    max_downloads: Option<u32> = |v| v.max_downloads;
    /// Downloads handed out so far; ``None`` for an unlimited link, whose downloads are not counted.
    downloads: Option<u32> = |v| v.downloads;
    /// Whether redeeming needs a password.
    password_required: bool = |v| v.password_required;
});

#[pymethods]
impl Link {
    fn __repr__(&self) -> String {
        let l = &self.0;
        format!("Link(link_id={:?}, downloads={:?}, max_downloads={:?})", l.link_id, l.downloads, l.max_downloads)
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
    /// The link to hand out (from a :class:`Client`; the in-process service has no address).
    pub url: Option<String>,
}

#[pymethods]
impl CreatedLink {
    fn __repr__(&self) -> String {
        format!("CreatedLink(link_id={:?}, token=<secret>)", self.link.0.link_id)
    }
}

impl From<CreatedLinkResponse> for CreatedLink {
    fn from(created: CreatedLinkResponse) -> Self {
        Self { link: Link(created.link), token: created.token, url: Some(created.url) }
    }
}

/// What anyone holding a link may see before redeeming it.
#[pyclass(frozen, module = "fileshare")]
#[derive(Clone)]
pub struct LinkDetails(pub LinkInfoResponse);

properties!(LinkDetails {
    /// The link's id.
    link_id: &str = |v| &v.link_id;
    /// The file's name.
    name: &str = |v| &v.name;
    /// The file's size in bytes.
    size: u64 = |v| v.size;
    /// The file's content type.
    content_type: &str = |v| &v.content_type;
    /// When the link stops working, if ever.
    expires_at: Option<DateTime<Utc>> = |v| v.expires_at;
    /// Whether redeeming needs a password.
    password_required: bool = |v| v.password_required;
    /// Downloads left, if limited.
    downloads_left: Option<u32> = |v| v.downloads_left;
});

#[pymethods]
impl LinkDetails {
    fn __repr__(&self) -> String {
        let i = &self.0;
        format!("LinkDetails(name={:?}, size={}, password_required={})", i.name, i.size, i.password_required)
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
        Ok(CreatedLink { link: Link(created.link.into()), token: created.token.reveal(), url: None })
    }

    async fn list_links(&self, owner: String, file_id: String) -> Result<Vec<Link>> {
        let links = self.service.list_links(&UserId::new(owner)?, &file_id.parse()?).await?;
        Ok(links.into_iter().map(|link| Link(link.into())).collect())
    }

    async fn revoke_link(&self, owner: String, link_id: String) -> Result<()> {
        self.service.revoke_link(&UserId::new(owner)?, &link_id.parse::<LinkId>()?).await
    }

    async fn link_info(&self, token: String) -> Result<LinkDetails> {
        Ok(LinkDetails(self.service.link_info(&token.parse::<LinkToken>()?).await?.into()))
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
