//! The client's one error type, and [`ErrorKind`]: what a caller can act on, whichever part of the
//! way (the API, storage, the identity provider, the network, the local disk) failed.

use fileshare_api::{Problem, ProblemType, QuotaFigures};
use std::path::PathBuf;
use std::time::Duration;

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API refused the request; its problem document says why.
    #[error("{}", api_message(.problem))]
    Api {
        /// The problem document (boxed: errors stay small on the happy path).
        problem: Box<Problem>,
        /// `Retry-After`, where the API sent one (429).
        retry_after: Option<Duration>,
    },
    /// Storage refused a transfer to or from a presigned URL.
    #[error("storage refused the transfer ({status}): {detail}")]
    Storage {
        /// The HTTP status.
        status: u16,
        /// What storage said (S3's `<Message>`, the embedded store's problem detail).
        detail: String,
    },
    /// The identity provider refused: wrong credentials, a name that is taken, an unconfirmed
    /// account, an expired or revoked session.
    #[error("{message}")]
    IdentityProvider {
        /// What it refused, e.g. Cognito's `NotAuthorizedException` or `unauthorized`.
        code: String,
        /// Its words.
        message: String,
    },
    /// No session for this endpoint: log in first.
    #[error("not logged in to {endpoint}")]
    NotLoggedIn {
        /// The API's base URL.
        endpoint: String,
    },
    /// The session can no longer be refreshed (its refresh token expired or was revoked).
    #[error("the session of {username} expired: {reason}")]
    SessionExpired {
        /// Who was logged in.
        username: String,
        /// The provider's words.
        reason: String,
    },
    /// The endpoint or storage could not be reached, or the connection broke.
    #[error("cannot reach {url}: {reason}")]
    Network {
        /// What was being called, without any presigned query.
        url: String,
        /// Why (connection refused, timed out, …).
        reason: String,
    },
    /// A download ended early: the connection broke, or storage sent fewer bytes than the file has.
    #[error("the download ended after {received} of {expected} bytes; try again")]
    Incomplete {
        /// Bytes received.
        received: u64,
        /// The file's size.
        expected: u64,
    },
    /// Unsharing by a name that none of the file's grantees has.
    #[error("{file_id} is not shared with {user}")]
    NotShared {
        /// The file.
        file_id: String,
        /// The name given.
        user: String,
    },
    /// An argument is not acceptable before anything is sent (not a file, not a share link, …).
    #[error("{0}")]
    InvalidInput(String),
    /// A download's destination exists, and overwriting was not asked for.
    #[error("{} exists; not replacing it", .0.display())]
    OutputExists(PathBuf),
    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The service answered something this client cannot read.
    #[error("unexpected answer from the service: {0}")]
    UnexpectedResponse(String),
}

fn api_message(problem: &Problem) -> String {
    if problem.detail.is_empty() {
        format!("{} ({})", problem.title, problem.status)
    } else {
        problem.detail.clone()
    }
}

/// What kind of failure an [`Error`] is: what the caller can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Not logged in, wrong credentials, or a session that has ended: log in.
    Unauthenticated,
    /// No such file, share, link or user — or one the caller may not know exists.
    NotFound,
    /// Not allowed for this caller.
    Forbidden,
    /// In the way of the current state (a name taken, a destination that exists, …).
    Conflict,
    /// Malformed or out of range; nothing was changed.
    InvalidInput,
    /// Larger than the service allows.
    TooLarge,
    /// A content type the service does not accept.
    UnsupportedContentType,
    /// Over the caller's quota; [`Error::quota_figures`] has the figures.
    QuotaExceeded,
    /// A share link's password is missing or wrong.
    WrongPassword,
    /// Too many wrong passwords for a share link; it takes none for a while.
    TooManyAttempts,
    /// Rationed: retry after [`Error::retry_after`].
    RateLimited,
    /// A failure that may pass: the network, a storage or service outage, a cut download.
    Transient,
    /// The local disk.
    Io,
    /// Anything else.
    Other,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { problem, .. } => problem_kind(problem),
            Error::Storage { status, .. } => status_kind(*status),
            Error::IdentityProvider { code, .. } => identity_kind(code),
            Error::NotLoggedIn { .. } | Error::SessionExpired { .. } => ErrorKind::Unauthenticated,
            Error::Network { .. } | Error::Incomplete { .. } => ErrorKind::Transient,
            Error::NotShared { .. } => ErrorKind::NotFound,
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::OutputExists(_) => ErrorKind::Conflict,
            Error::Io { .. } => ErrorKind::Io,
            Error::UnexpectedResponse(_) => ErrorKind::Other,
        }
    }

    /// The API's problem document, if the API refused.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Api { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The figures of an upload refused over quota.
    pub fn quota_figures(&self) -> Option<&QuotaFigures> {
        self.problem().and_then(|p| p.figures.as_ref())
    }

    /// How long to wait before trying again, where the service said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A local I/O failure on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }

    /// A transport failure talking to `url`. Neither the URL nor the reason ever carries a
    /// presigned URL's query (signature, credential, security token).
    pub(crate) fn network(url: &str, error: &reqwest::Error) -> Error {
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
        Error::Network { url: redact(url), reason: redact(&reason) }
    }
}

fn problem_kind(problem: &Problem) -> ErrorKind {
    match problem.problem_type() {
        ProblemType::NotFound | ProblemType::UnknownUser => ErrorKind::NotFound,
        ProblemType::Forbidden => ErrorKind::Forbidden,
        ProblemType::InvalidInput | ProblemType::MethodNotAllowed => ErrorKind::InvalidInput,
        ProblemType::Conflict | ProblemType::AlreadyExists => ErrorKind::Conflict,
        ProblemType::TooLarge => ErrorKind::TooLarge,
        ProblemType::UnsupportedContentType => ErrorKind::UnsupportedContentType,
        ProblemType::LinkPassword => ErrorKind::WrongPassword,
        ProblemType::TooManyAttempts => ErrorKind::TooManyAttempts,
        ProblemType::QuotaExceeded => ErrorKind::QuotaExceeded,
        ProblemType::Unauthorized => ErrorKind::Unauthenticated,
        ProblemType::TooManyRequests => ErrorKind::RateLimited,
        ProblemType::StorageUnavailable | ProblemType::ServerError | ProblemType::RequestTimeout => {
            ErrorKind::Transient
        }
        ProblemType::RequestRefused | ProblemType::Other(_) => status_kind(problem.status),
    }
}

/// The kind of a refusal known only by its status (storage's, or a problem type this build does
/// not know).
fn status_kind(status: u16) -> ErrorKind {
    match status {
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 | 412 => ErrorKind::Conflict,
        400 | 422 => ErrorKind::InvalidInput,
        413 => ErrorKind::TooLarge,
        429 => ErrorKind::RateLimited,
        408 | 500..=599 => ErrorKind::Transient,
        _ => ErrorKind::Other,
    }
}

/// The kind of an identity provider's refusal: Cognito's exception names, or the built-in
/// provider's problem types.
fn identity_kind(code: &str) -> ErrorKind {
    match code {
        "NotAuthorizedException"
        | "UserNotConfirmedException"
        | "PasswordResetRequiredException"
        | "UserNotFoundException"
        | "unauthorized" => ErrorKind::Unauthenticated,
        "UsernameExistsException" | "AliasExistsException" | "conflict" => ErrorKind::Conflict,
        "InvalidPasswordException"
        | "InvalidParameterException"
        | "CodeMismatchException"
        | "ExpiredCodeException"
        | "invalid-input" => ErrorKind::InvalidInput,
        // ForbiddenException: the pool's web ACL refusing an address that sent too much.
        "TooManyRequestsException"
        | "LimitExceededException"
        | "TooManyFailedAttemptsException"
        | "ForbiddenException"
        | "too-many-requests" => ErrorKind::RateLimited,
        "InternalErrorException" | "ServiceUnavailable" => ErrorKind::Transient,
        _ => ErrorKind::Other,
    }
}

/// `text` with what every URL in it carries as a secret cut: the query (a presigned URL's
/// signature, credential and security token) and a share link's token. What is left says where.
pub(crate) fn redact(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if !word.contains("://") {
                return word.to_owned();
            }
            match word.split_once('?') {
                Some((base, _)) => format!("{}?<signed query redacted>", hide_link_token(base)),
                None => hide_link_token(word),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `url` without the token of a share link (`…/links/{token}…`, `…/l/{token}`): whoever reads an
/// error message or a log must not be able to download the file. The token follows the *last*
/// marker, as [`LinkRef`](crate::LinkRef) reads it (a base URL may have either in its path).
fn hide_link_token(url: &str) -> String {
    let last = ["/links/", "/l/"].iter().filter_map(|marker| url.rfind(marker).map(|at| at + marker.len())).max();
    let Some(start) = last else { return url.to_owned() };
    let end = url[start..].find(['/', ')', '"', '\'', ',', '>']).map_or(url.len(), |i| start + i);
    format!("{}<link token>{}", &url[..start], &url[end..])
}

/// The client's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_urls_and_link_tokens_are_redacted() {
        let url = "http://127.0.0.1:9000/b/files/u/f?X-Amz-Credential=AKID%2F20260101&X-Amz-Security-Token=SECRET&X-Amz-Signature=abc";
        let message = redact(&format!("error sending request for url ({url})"));
        assert!(!message.contains("SECRET") && !message.contains("abc") && !message.contains("AKID"), "{message}");
        assert!(message.contains("http://127.0.0.1:9000/b/files/u/f"), "{message}");
        assert_eq!(redact("connection refused"), "connection refused");
        let link = redact("error sending request for url (https://x.example/api/links/ID.SECRET/redeem)");
        assert_eq!(link, "error sending request for url (https://x.example/api/links/<link token>/redeem)");
        assert_eq!(redact("404 from http://h/l/ID.SECRET"), "404 from http://h/l/<link token>");
        assert_eq!(redact("(http://h/l/base/l/ID.SECRET)"), "(http://h/l/base/l/<link token>)");
    }

    #[test]
    fn kinds_follow_the_problem_type_then_the_status() {
        let api = |problem_type: ProblemType, status| Error::Api {
            problem: Box::new(Problem::new(problem_type, status, "x")),
            retry_after: None,
        };
        assert_eq!(api(ProblemType::UnknownUser, 404).kind(), ErrorKind::NotFound);
        assert_eq!(api(ProblemType::QuotaExceeded, 403).kind(), ErrorKind::QuotaExceeded);
        assert_eq!(api(ProblemType::LinkPassword, 403).kind(), ErrorKind::WrongPassword);
        assert_eq!(api(ProblemType::Other("https://x/teapot".into()), 503).kind(), ErrorKind::Transient);
        assert_eq!(Error::Storage { status: 403, detail: String::new() }.kind(), ErrorKind::Forbidden);
        let cognito = |code: &str| Error::IdentityProvider { code: code.into(), message: String::new() };
        assert_eq!(cognito("UsernameExistsException").kind(), ErrorKind::Conflict);
        assert_eq!(cognito("NotAuthorizedException").kind(), ErrorKind::Unauthenticated);
    }
}
