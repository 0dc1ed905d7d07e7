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
        Error::Storage { source, .. } if source.downcast_ref::<Transient>().is_some() => "TransientError",
        _ => "StorageError",
    }
}

/// Converts a core error into the matching `fileshare` exception.
pub fn to_py(e: Error) -> PyErr {
    Python::attach(|py| {
        let class = py.import("fileshare._errors").and_then(|m| m.getattr(class_name(&e)));
        match class {
            Ok(class) => PyErr::from_value(
                class.call1((e.to_string(),)).unwrap_or_else(|err| err.into_value(py).into_bound(py).into_any()),
            ),
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
