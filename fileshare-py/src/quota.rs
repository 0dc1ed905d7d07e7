//! Usage and quotas from Python: `usage` (what a user stores and may store) and the operator's
//! `set_quota`, on both classes; the `Quota` and `Usage` values.

use crate::bridge::{run, spawn};
use crate::classes::{AsyncFileShare, FileShare};
use crate::core::Core;
use crate::errors::invalid;
use fileshare_core::{Result, UsageReport, UserId};
use pyo3::prelude::*;

/// What one user may store, pending uploads included: ``bytes`` and ``files``, ``None`` for no limit.
///
/// >>> Quota(bytes=10 * 2**30, files=None)
/// Quota(bytes=10737418240, files=None)
#[pyclass(frozen, get_all, eq, from_py_object, module = "fileshare")]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Most bytes, or ``None``.
    pub bytes: Option<u64>,
    /// Most files, or ``None``.
    pub files: Option<u64>,
}

#[pymethods]
impl Quota {
    #[new]
    #[pyo3(signature = (*, bytes = None, files = None))]
    fn new(bytes: Option<i128>, files: Option<i128>) -> PyResult<Self> {
        let limit = |field, value: Option<i128>| {
            value.map(|v| u64::try_from(v).map_err(|_| invalid(field, "must be 0 or more, or None"))).transpose()
        };
        Ok(Self { bytes: limit("bytes", bytes)?, files: limit("files", files)? })
    }

    pub(crate) fn __repr__(&self) -> String {
        let show = |v: Option<u64>| v.map_or_else(|| "None".to_owned(), |v| v.to_string());
        format!("Quota(bytes={}, files={})", show(self.bytes), show(self.files))
    }
}

impl From<fileshare_core::Quota> for Quota {
    fn from(q: fileshare_core::Quota) -> Self {
        Self { bytes: q.bytes, files: q.files }
    }
}

impl From<Quota> for fileshare_core::Quota {
    fn from(q: Quota) -> Self {
        Self { bytes: q.bytes, files: q.files }
    }
}

/// What a user stores (``bytes``, ``files``; pending uploads by their declared size) and the
/// ``quota`` in force for them — their own if an operator set one (``custom``), else the default.
#[pyclass(frozen, get_all, module = "fileshare")]
#[derive(Clone)]
pub struct Usage {
    /// Bytes stored.
    pub bytes: u64,
    /// Files stored.
    pub files: u64,
    /// The quota in force.
    pub quota: Quota,
    /// Whether ``quota`` is the user's own.
    pub custom: bool,
}

#[pymethods]
impl Usage {
    fn __repr__(&self) -> String {
        let custom = if self.custom { "True" } else { "False" };
        format!("Usage(bytes={}, files={}, quota={}, custom={custom})", self.bytes, self.files, self.quota.__repr__())
    }
}

impl From<UsageReport> for Usage {
    fn from(r: UsageReport) -> Self {
        Self { bytes: r.usage.bytes, files: r.usage.files, quota: r.quota.into(), custom: r.custom }
    }
}

impl Core {
    async fn usage(&self, user: String) -> Result<Usage> {
        Ok(self.service.usage(&UserId::new(user)?).await?.into())
    }

    async fn set_quota(&self, user: String, quota: Option<Quota>) -> Result<Usage> {
        Ok(self.service.set_quota(&UserId::new(user)?, quota.map(Into::into)).await?.into())
    }
}

#[pymethods]
impl FileShare {
    /// What ``user`` stores and may store. An upload beyond the quota raises
    /// :class:`QuotaExceeded`; deleting files gives their space back.
    ///
    /// >>> fs = FileShare.memory(quota=Quota(bytes=100, files=None))
    /// >>> _ = fs.put_bytes("alice", "a.txt", b"x" * 60)
    /// >>> fs.usage("alice")
    /// Usage(bytes=60, files=1, quota=Quota(bytes=100, files=None), custom=False)
    fn usage(&self, py: Python<'_>, user: String) -> PyResult<Usage> {
        run(py, self.core().usage(user))
    }

    /// Gives ``user`` a quota of their own, or (``None``) returns them to the default. Files they
    /// store stay, even beyond a lower quota; only new uploads are refused. An operator's act:
    /// expose it to operators only.
    fn set_quota(&self, py: Python<'_>, user: String, quota: Option<Quota>) -> PyResult<Usage> {
        run(py, self.core().set_quota(user, quota))
    }
}

#[pymethods]
impl AsyncFileShare {
    /// See :meth:`FileShare.usage`.
    fn usage<'py>(&self, py: Python<'py>, user: String) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core();
        spawn(py, async move { core.usage(user).await })
    }

    /// See :meth:`FileShare.set_quota`.
    fn set_quota<'py>(&self, py: Python<'py>, user: String, quota: Option<Quota>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.core();
        spawn(py, async move { core.set_quota(user, quota).await })
    }
}
