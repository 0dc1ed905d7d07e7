//! The one place errors become Python exceptions (defined in `fileshare/_errors.py`, so that
//! `InvalidInput` can be both a `FileShareError` and a `ValueError`): the in-process service's
//! (`fileshare_core::Error`) and the client's (`fileshare_client::Error`), by what a caller can act
//! on. Local file errors of the client are the built-in `OSError`s that `open()` raises.

use crate::core::Transient;
use fileshare_client::ErrorKind;
use fileshare_core::Error;
use pyo3::exceptions::{PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyRuntimeError};
use pyo3::prelude::*;

/// An error that becomes a Python exception.
pub trait ToPyErr {
    /// The exception.
    fn to_py(self) -> PyErr;
}

impl ToPyErr for PyErr {
    fn to_py(self) -> PyErr {
        self
    }
}

/// `fileshare._errors.{class}(message)`, given its attributes by `dress`.
fn raise(class: &str, message: String, dress: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<()>) -> PyErr {
    Python::attach(|py| {
        let made = py
            .import("fileshare._errors")
            .and_then(|m| m.getattr(class))
            .and_then(|class| class.call1((message.as_str(),)))
            .and_then(|exception| dress(&exception).map(|()| exception));
        match made {
            Ok(exception) => PyErr::from_value(exception),
            Err(failure) => PyRuntimeError::new_err(format!("{message} (and fileshare._errors failed: {failure})")),
        }
    })
}

/// The figures of a refusal over quota, as attributes: `size`, `used_bytes`, `used_files`, `quota`.
fn quota_figures(
    exception: &Bound<'_, PyAny>,
    usage: (u64, u64),
    quota: fileshare_core::Quota,
    size: u64,
) -> PyResult<()> {
    exception.setattr("size", size)?;
    exception.setattr("used_bytes", usage.0)?;
    exception.setattr("used_files", usage.1)?;
    exception.setattr("quota", crate::quota::Quota::from(quota))
}

impl ToPyErr for Error {
    fn to_py(self) -> PyErr {
        let class = match &self {
            Error::NotFound { .. } => "NotFound",
            Error::Forbidden { .. } => "Forbidden",
            Error::InvalidInput { .. } => "InvalidInput",
            Error::Conflict { .. } | Error::AlreadyExists { .. } => "Conflict",
            Error::TooLarge { .. } => "TooLarge",
            Error::UnsupportedContentType { .. } => "UnsupportedContentType",
            Error::WrongPassword => "WrongPassword",
            Error::TooManyAttempts { .. } => "TooManyAttempts",
            Error::QuotaExceeded { .. } => "QuotaExceeded",
            Error::Storage { source, .. } if source.downcast_ref::<Transient>().is_some() => "TransientError",
            _ => "StorageError",
        };
        raise(class, self.to_string(), |exception| match &self {
            Error::QuotaExceeded { usage, quota, size } => {
                quota_figures(exception, (usage.bytes, usage.files), *quota, *size)
            }
            _ => Ok(()),
        })
    }
}

impl ToPyErr for fileshare_client::Error {
    fn to_py(self) -> PyErr {
        use fileshare_client::Error as E;
        if let E::Io { path, source } = &self {
            // A Python file object's own exception, carried through the upload: raised as it was.
            if let Some(raised) = source.get_ref().and_then(|e| e.downcast_ref::<PyErr>()) {
                return Python::attach(|py| raised.clone_ref(py));
            }
            let args = (source.raw_os_error().unwrap_or(0), source.to_string(), path.clone());
            return match source.kind() {
                std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(args),
                std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(args),
                std::io::ErrorKind::IsADirectory => PyIsADirectoryError::new_err(args),
                _ => PyOSError::new_err(args),
            };
        }
        let class = match (&self, self.kind()) {
            (E::OutputExists(_), _) => "DestinationExists",
            (_, ErrorKind::Unauthenticated) => "AuthenticationError",
            (_, ErrorKind::NotFound) => "NotFound",
            (_, ErrorKind::Forbidden) => "Forbidden",
            (_, ErrorKind::Conflict) => "Conflict",
            (_, ErrorKind::InvalidInput) => "InvalidInput",
            (_, ErrorKind::TooLarge) => "TooLarge",
            (_, ErrorKind::UnsupportedContentType) => "UnsupportedContentType",
            (_, ErrorKind::QuotaExceeded) => "QuotaExceeded",
            (_, ErrorKind::WrongPassword) => "WrongPassword",
            (_, ErrorKind::TooManyAttempts) => "TooManyAttempts",
            (_, ErrorKind::RateLimited) => "RateLimited",
            (_, ErrorKind::Transient) => "TransientError",
            _ => "FileShareError",
        };
        raise(class, self.to_string(), |exception| {
            if let Some(problem) = self.problem() {
                exception.setattr("status", problem.status)?;
                exception.setattr("problem_type", problem.problem_type().as_str())?;
            }
            if let Some(figures) = self.quota_figures() {
                let quota = fileshare_core::Quota::from(figures.quota);
                quota_figures(exception, (figures.usage.bytes, figures.usage.files), quota, figures.size)?;
            }
            if class == "RateLimited" {
                exception.setattr("retry_after", self.retry_after().map(|d| d.as_secs_f64()))?;
            }
            Ok(())
        })
    }
}

/// `InvalidInput` for arguments checked on the Python side of the boundary.
pub fn invalid(field: &'static str, reason: impl Into<String>) -> PyErr {
    Error::invalid(field, reason).to_py()
}
