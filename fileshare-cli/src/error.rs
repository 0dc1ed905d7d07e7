//! The CLI's one error type, and the exit code each kind maps to (documented in `--help`).

use std::path::PathBuf;

/// Everything a command can fail with. Messages say what to do next.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line or a local file is wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// No stored session for this endpoint (exit 3).
    #[error("not logged in to {0}; run `fileshare login`")]
    NotLoggedIn(String),
    /// Wrong credentials, or the session can no longer be refreshed (exit 3).
    #[error("{0}")]
    Auth(String),
    /// The file (or share) does not exist, or is not visible to you (exit 4).
    #[error("{0}")]
    NotFound(String),
    /// The server refused the operation for this user (exit 5).
    #[error("{0}")]
    Forbidden(String),
    /// The endpoint or storage could not be reached (exit 6).
    #[error("cannot reach {url}: {reason}")]
    Network {
        /// What was being called.
        url: String,
        /// Why it failed (connection refused, timeout, …).
        reason: String,
    },
    /// The operation conflicts with the current state, e.g. the output file exists (exit 7).
    #[error("{0}")]
    Conflict(String),
    /// Any other refusal from the server or storage, with its explanation (exit 1).
    #[error("{0}")]
    Rejected(String),
    /// A local file could not be read or written (exit 1).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Rejected(_) | CliError::Io { .. } => 1,
            CliError::Usage(_) => 2,
            CliError::NotLoggedIn(_) | CliError::Auth(_) => 3,
            CliError::NotFound(_) => 4,
            CliError::Forbidden(_) => 5,
            CliError::Network { .. } => 6,
            CliError::Conflict(_) => 7,
        }
    }

    /// A local I/O failure on `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.into();
        move |source| CliError::Io { path, source }
    }

    /// A transport failure talking to `url`. Neither the URL nor the error ever carries a
    /// presigned URL's query (signature, credential, security token) into the message.
    pub fn network(url: &str, error: &reqwest::Error) -> CliError {
        let reason = if error.is_connect() {
            "connection refused or host unreachable".to_owned()
        } else if error.is_timeout() {
            "timed out".to_owned()
        } else {
            // The innermost cause is the one a user can act on.
            let mut source: &dyn std::error::Error = error;
            while let Some(next) = source.source() {
                source = next;
            }
            source.to_string()
        };
        CliError::Network { url: redact(url), reason: redact(&reason) }
    }
}

/// `text` with the query of every URL in it cut: what is left says where, not with which signature.
pub fn redact(text: &str) -> String {
    text.split(' ')
        .map(|word| match word.split_once('?') {
            Some((base, _)) if base.contains("://") => format!("{base}?<signed query redacted>"),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CLI's result type.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn signed_urls_are_redacted() {
        let url = "http://127.0.0.1:9000/b/files/u/f?X-Amz-Credential=AKID%2F20260101&X-Amz-Security-Token=SECRET&X-Amz-Signature=abc";
        let message = super::redact(&format!("error sending request for url ({url})"));
        assert!(!message.contains("SECRET") && !message.contains("abc") && !message.contains("AKID"), "{message}");
        assert!(message.contains("http://127.0.0.1:9000/b/files/u/f"), "{message}");
        assert_eq!(super::redact("connection refused"), "connection refused");
    }
}
