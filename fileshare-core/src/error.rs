//! The one public error type of the library.
//!
//! Every backend converts its own failures into [`Error`] at its boundary, and every adapter (HTTP,
//! Python) maps [`Error`] once: the variants are chosen so that a caller can act on them.

/// A boxed error from a backend, kept as the `source` of [`Error::Storage`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a fileshare operation.
///
/// ```
/// use fileshare_core::Error;
/// let err = Error::invalid("name", "must not be empty");
/// assert_eq!(err.to_string(), "invalid name: must not be empty");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The thing does not exist, or the caller may not know that it exists.
    #[error("{resource} not found: {id}")]
    NotFound {
        /// What kind of thing was looked up (`"file"`, `"share"`, `"object"`, …).
        resource: &'static str,
        /// Its identifier, as the caller gave it.
        id: String,
    },
    /// The caller can see the thing but may not perform this action on it.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// Why the action was refused.
        reason: String,
    },
    /// An argument was malformed or out of range; nothing was changed.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The offending argument.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The request is well-formed but conflicts with the current state (e.g. completing an upload whose
    /// bytes have not arrived, sharing a file that is still pending).
    #[error("conflict: {reason}")]
    Conflict {
        /// What the conflict is.
        reason: String,
    },
    /// The thing exists already and is never replaced (an object is written once: S3 answers such a
    /// write with `412 Precondition Failed`).
    #[error("{resource} already exists: {id}")]
    AlreadyExists {
        /// What kind of thing (`"object"`, …).
        resource: &'static str,
        /// Its identifier.
        id: String,
    },
    /// A size exceeds the configured maximum.
    #[error("too large: {size} bytes exceeds the maximum of {max} bytes")]
    TooLarge {
        /// The size that was asked for or sent.
        size: u64,
        /// The largest size allowed.
        max: u64,
    },
    /// The content type is well-formed but not in the configured allowlist.
    #[error("content type not allowed: {content_type}")]
    UnsupportedContentType {
        /// The refused content type.
        content_type: String,
    },
    /// A share link needs a password and none, or a wrong one, was given. Each wrong password uses
    /// up one of the link's rationed attempts.
    #[error("this link needs its password; the password given is missing or wrong")]
    WrongPassword,
    /// Too many password attempts for this link: no more are taken until `retry_after` has passed.
    #[error("too many password attempts for this link; try again in {} seconds", retry_after.as_secs())]
    TooManyAttempts {
        /// How long until the link takes attempts again.
        retry_after: std::time::Duration,
    },
    /// An upload would take its owner past their quota (bytes or files, pending uploads included).
    /// Nothing was stored and no upload URL issued.
    #[error("{}", over_quota(usage, quota, *size))]
    QuotaExceeded {
        /// What the owner stores already.
        usage: crate::Usage,
        /// The quota in force for them.
        quota: crate::Quota,
        /// The size of the refused upload.
        size: u64,
    },
    /// A storage backend failed (I/O, database, network). Usually transient; nothing was decided.
    #[error("{backend} storage error: {source}")]
    Storage {
        /// Which backend failed (`"sqlite"`, `"local-disk"`, `"s3"`, …).
        backend: &'static str,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
}

/// Why an upload does not fit, in the quota's own terms.
fn over_quota(usage: &crate::Usage, quota: &crate::Quota, size: u64) -> String {
    match quota.files {
        Some(limit) if usage.files >= limit => {
            format!("quota exceeded: {} of {limit} files stored already", usage.files)
        }
        _ => format!(
            "quota exceeded: {size} more bytes do not fit; {} of {} bytes stored already",
            usage.bytes,
            quota.bytes.map_or_else(|| "unlimited".to_owned(), |b| b.to_string())
        ),
    }
}

impl Error {
    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field, reason: reason.into() }
    }

    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(resource: &'static str, id: impl ToString) -> Self {
        Error::NotFound { resource, id: id.to_string() }
    }

    /// Shorthand for [`Error::Forbidden`].
    pub fn forbidden(reason: impl Into<String>) -> Self {
        Error::Forbidden { reason: reason.into() }
    }

    /// Shorthand for [`Error::Conflict`].
    pub fn conflict(reason: impl Into<String>) -> Self {
        Error::Conflict { reason: reason.into() }
    }

    /// Shorthand for [`Error::AlreadyExists`].
    pub fn already_exists(resource: &'static str, id: impl ToString) -> Self {
        Error::AlreadyExists { resource, id: id.to_string() }
    }

    /// Shorthand for [`Error::Storage`].
    pub fn storage(backend: &'static str, source: impl Into<BoxError>) -> Self {
        Error::Storage { backend, source: source.into() }
    }
}
