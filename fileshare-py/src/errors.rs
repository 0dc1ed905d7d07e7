//! The one place core errors become Python exceptions (defined in `fileshare/_errors.py`, so that
//! `InvalidInput` can be both a `FileShareError` and a `ValueError`).

use crate::core::Transient;
use fileshare_core::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// The Python class name for a core error.
fn class_name(e: &Error) -> &'static str {
    match e {
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
    }
}

/// Converts a core error into the matching `fileshare` exception. `QuotaExceeded` carries its
/// figures as attributes: `size`, `used_bytes`, `used_files` and `quota`.
pub fn to_py(e: Error) -> PyErr {
    Python::attach(|py| {
        let class = py.import("fileshare._errors").and_then(|m| m.getattr(class_name(&e)));
        match class {
            Ok(class) => {
                let made = class.call1((e.to_string(),)).and_then(|exception| {
                    if let Error::QuotaExceeded { usage, quota, size } = &e {
                        exception.setattr("size", size)?;
                        exception.setattr("used_bytes", usage.bytes)?;
                        exception.setattr("used_files", usage.files)?;
                        exception.setattr("quota", crate::quota::Quota::from(*quota))?;
                    }
                    Ok(exception)
                });
                PyErr::from_value(made.unwrap_or_else(|err| err.into_value(py).into_bound(py).into_any()))
            }
            Err(import_error) => {
                PyRuntimeError::new_err(format!("{e} (and fileshare._errors is missing: {import_error})"))
            }
        }
    })
}

/// `InvalidInput` for arguments checked on the Python side of the boundary.
pub fn invalid(field: &'static str, reason: impl Into<String>) -> PyErr {
    to_py(Error::invalid(field, reason))
}
