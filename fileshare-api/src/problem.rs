//! Errors: every refusal is an `application/problem+json` document (RFC 9457) whose `type` names
//! one of a closed set of problems, so that clients act on the type, not on words.

use crate::usage::QuotaFigures;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The media type of every error body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// What every problem type URI starts with.
pub const PROBLEM_TYPE_BASE: &str = "https://fileshare.dev/problems/";

/// A problem document.
///
/// ```
/// use fileshare_api::{Problem, ProblemType};
///
/// let problem = Problem::new(ProblemType::NotFound, 404, "file 01… not found");
/// assert_eq!(problem.kind, "https://fileshare.dev/problems/not-found");
/// let read: Problem = serde_json::from_str(&serde_json::to_string(&problem)?)?;
/// assert_eq!(read.problem_type(), ProblemType::NotFound);
/// # Ok::<_, serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type", default = "about_blank")]
    pub kind: String,
    /// A short, human-readable summary of the type.
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    #[serde(default)]
    pub detail: String,
    /// `quota-exceeded` only: the usage, the quota and the refused size (documented as
    /// `QuotaFigures` on the routes that can answer it).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub figures: Option<QuotaFigures>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl Problem {
    /// A problem of `problem_type` with HTTP `status`.
    pub fn new(problem_type: ProblemType, status: u16, detail: impl Into<String>) -> Self {
        Self {
            kind: problem_type.uri(),
            title: problem_type.as_str().to_owned(),
            status,
            detail: detail.into(),
            figures: None,
        }
    }

    /// The type this problem names ([`ProblemType::Other`] for one this build does not know).
    pub fn problem_type(&self) -> ProblemType {
        self.kind
            .strip_prefix(PROBLEM_TYPE_BASE)
            .map_or_else(|| ProblemType::Other(self.kind.clone()), ProblemType::from)
    }
}

/// The problems the API answers with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProblemType {
    /// No such file, share, link or route — or one the caller may not know exists.
    NotFound,
    /// The caller sees the file but may not do this (a grantee deleting it, a non-owner sharing it).
    Forbidden,
    /// Malformed input; nothing changed.
    InvalidInput,
    /// The request conflicts with the file's state (completing before the bytes are there).
    Conflict,
    /// Written once already (a file's bytes).
    AlreadyExists,
    /// Larger than the service allows.
    TooLarge,
    /// A content type the service does not accept (or a body that is not JSON).
    UnsupportedContentType,
    /// A share link needs its password, and none or a wrong one was given.
    LinkPassword,
    /// Too many password attempts on a share link for now.
    TooManyAttempts,
    /// An upload would take its owner past their quota; the problem carries the figures.
    QuotaExceeded,
    /// Storage failed; trying again later may succeed.
    StorageUnavailable,
    /// No valid access token, or wrong credentials.
    Unauthorized,
    /// Sharing by a name that names no user.
    UnknownUser,
    /// Rationed: too many requests; retry after `Retry-After`.
    TooManyRequests,
    /// A method the route does not have.
    MethodNotAllowed,
    /// The request took longer than the service allows.
    RequestTimeout,
    /// The service failed.
    ServerError,
    /// Any other refusal of the HTTP stack.
    RequestRefused,
    /// A type this build does not know, as its URI.
    Other(String),
}

impl ProblemType {
    /// The short name: the last segment of the type's URI, and the problem's `title`.
    pub fn as_str(&self) -> &str {
        match self {
            ProblemType::NotFound => "not-found",
            ProblemType::Forbidden => "forbidden",
            ProblemType::InvalidInput => "invalid-input",
            ProblemType::Conflict => "conflict",
            ProblemType::AlreadyExists => "already-exists",
            ProblemType::TooLarge => "too-large",
            ProblemType::UnsupportedContentType => "unsupported-content-type",
            ProblemType::LinkPassword => "link-password",
            ProblemType::TooManyAttempts => "too-many-attempts",
            ProblemType::QuotaExceeded => "quota-exceeded",
            ProblemType::StorageUnavailable => "storage-unavailable",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::UnknownUser => "unknown-user",
            ProblemType::TooManyRequests => "too-many-requests",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::RequestTimeout => "request-timeout",
            ProblemType::ServerError => "server-error",
            ProblemType::RequestRefused => "request-refused",
            ProblemType::Other(uri) => uri,
        }
    }

    /// The type's URI, the problem's `type`.
    pub fn uri(&self) -> String {
        match self {
            ProblemType::Other(uri) => uri.clone(),
            known => format!("{PROBLEM_TYPE_BASE}{}", known.as_str()),
        }
    }

    const KNOWN: [ProblemType; 18] = [
        ProblemType::NotFound,
        ProblemType::Forbidden,
        ProblemType::InvalidInput,
        ProblemType::Conflict,
        ProblemType::AlreadyExists,
        ProblemType::TooLarge,
        ProblemType::UnsupportedContentType,
        ProblemType::LinkPassword,
        ProblemType::TooManyAttempts,
        ProblemType::QuotaExceeded,
        ProblemType::StorageUnavailable,
        ProblemType::Unauthorized,
        ProblemType::UnknownUser,
        ProblemType::TooManyRequests,
        ProblemType::MethodNotAllowed,
        ProblemType::RequestTimeout,
        ProblemType::ServerError,
        ProblemType::RequestRefused,
    ];
}

impl From<&str> for ProblemType {
    /// The type named `name` (a short name, not a URI).
    fn from(name: &str) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|known| known.as_str() == name)
            .unwrap_or_else(|| ProblemType::Other(format!("{PROBLEM_TYPE_BASE}{name}")))
    }
}

impl fmt::Display for ProblemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_known_type_reads_back_from_its_uri() {
        for known in ProblemType::KNOWN {
            let problem = Problem::new(known.clone(), 400, "x");
            assert_eq!(problem.problem_type(), known);
        }
        let foreign =
            Problem { kind: "https://example.com/teapot".into(), ..Problem::new(ProblemType::Conflict, 418, "") };
        assert_eq!(foreign.problem_type(), ProblemType::Other("https://example.com/teapot".into()));
    }

    #[test]
    fn quota_figures_sit_beside_the_problem_and_are_absent_elsewhere() {
        let over = json!({"type": "https://fileshare.dev/problems/quota-exceeded", "title": "quota-exceeded",
            "status": 403, "detail": "over quota", "size": 3, "usage": {"bytes": 9, "files": 1},
            "quota": {"bytes": 10, "files": null}});
        let problem: Problem = serde_json::from_value(over.clone()).expect("problem");
        let figures = problem.figures.expect("figures");
        assert_eq!((figures.size, figures.usage.bytes, figures.quota.bytes), (3, 9, Some(10)));
        assert_eq!(serde_json::to_value(&problem).expect("json"), over);

        let plain: Problem = serde_json::from_value(json!({"type": "https://fileshare.dev/problems/not-found",
            "title": "not-found", "status": 404, "detail": "gone"}))
        .expect("problem");
        assert_eq!(plain.figures, None);
        assert!(serde_json::to_value(&plain).expect("json").get("usage").is_none());
    }
}
