//! The CLI's errors in words a shell user acts on, and the exit code of each (documented in
//! `--help`). The client library says what failed; this says what to type next.

use fileshare_client::{Error, ErrorKind, ProblemType};

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line is wrong, or something it needs is missing (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The client library failed (exit code by kind).
    #[error("{}", in_words(.0))]
    Client(#[from] Error),
    /// Logged out here, but the provider did not revoke the refresh token (exit 1).
    #[error("logged out here, but the refresh token could not be revoked: {0}")]
    NotRevoked(Error),
    /// `check-deployment` found the deployment wanting (exit 1).
    #[error("deployment check failed: {0}")]
    CheckFailed(String),
}

/// A client error as the next thing to do.
fn in_words(error: &Error) -> String {
    match error {
        Error::NotLoggedIn { endpoint } => format!("not logged in to {endpoint}; run `fileshare login`"),
        Error::SessionExpired { username, .. } => format!("session for {username} expired; run `fileshare login`"),
        Error::OutputExists(path) => format!("{} exists; pass --force to replace it", path.display()),
        _ => {
            if let Some(words) = error.quota_figures().map(crate::usage::over_quota) {
                return words;
            }
            match error.problem() {
                // A throttling gateway sends no Retry-After (and was tried again already): its words
                // say what to do.
                Some(problem) if problem.problem_type() == ProblemType::TooManyRequests => match error.retry_after() {
                    Some(after) => format!("rate limited, retry in {}s: {}", after.as_secs(), problem.detail),
                    None => format!("rate limited: {}", problem.detail),
                },
                _ => error.to_string(),
            }
        }
    }
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        let error = match self {
            CliError::Usage(_) => return 2,
            CliError::NotRevoked(_) | CliError::CheckFailed(_) => return 1,
            CliError::Client(error) => error,
        };
        match error {
            Error::Network { .. } => 6,
            // Refused before anything was sent: the command line's fault.
            Error::InvalidInput(_) => 2,
            _ => match error.kind() {
                ErrorKind::Unauthenticated => 3,
                ErrorKind::NotFound => 4,
                ErrorKind::Forbidden | ErrorKind::WrongPassword => 5,
                ErrorKind::Conflict => 7,
                _ => 1,
            },
        }
    }
}

/// The CLI's result type.
pub type Result<T, E = CliError> = std::result::Result<T, E>;
