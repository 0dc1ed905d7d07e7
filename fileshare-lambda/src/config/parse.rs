//! Reading one variable: each parser says what it accepts, so a bad value becomes one line naming
//! the variable, what is wrong and what would do.

use ipnet::IpNet;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A setting the service cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable (or pair of them).
    pub variable: String,
    /// What is wrong, and what it accepts.
    pub problem: String,
}

impl ConfigError {
    /// `variable` is wrong: `problem`.
    pub fn new(variable: impl Into<String>, problem: impl fmt::Display) -> Self {
        Self { variable: variable.into(), problem: problem.to_string() }
    }
}

/// Parses `value` of `name` with `parse`, which explains a refusal.
pub fn with<T>(name: &str, value: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, ConfigError> {
    parse(value.trim()).map_err(|problem| ConfigError::new(name, format!("{problem}, not {value:?}")))
}

pub fn socket_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse().map_err(|_| "expected an address and port such as 127.0.0.1:8080".to_owned())
}

/// An `http(s)://` URL, for a base that paths are appended to: no query or fragment.
pub fn http_url(v: &str) -> Result<String, String> {
    let url = url::Url::parse(v).map_err(|e| format!("expected an http(s) URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http(s) URL with a host".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("expected a URL without a query or fragment".into());
    }
    Ok(v.trim_end_matches('/').to_owned())
}

/// Browser origins, comma separated: `scheme://host[:port]` each, exactly as browsers send them.
pub fn origins(v: &str) -> Result<Vec<String>, String> {
    const ACCEPTS: &str = "expected comma-separated origins such as https://app.example.com (no '*', no path)";
    let mut origins = Vec::new();
    for raw in v.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let url = url::Url::parse(raw).map_err(|_| ACCEPTS.to_owned())?;
        let origin = url.origin().ascii_serialization();
        // The origin must be the whole value: a path, query or trailing slash would never match.
        if !matches!(url.scheme(), "http" | "https") || origin != raw {
            return Err(ACCEPTS.into());
        }
        origins.push(origin);
    }
    Ok(origins)
}

/// A positive number.
pub fn positive(v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n),
        _ => Err("expected a positive number".into()),
    }
}

/// A whole number of at least `min`.
pub fn whole(min: u64) -> impl Fn(&str) -> Result<u64, String> {
    move |v| match v.parse::<u64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(format!("expected a whole number of at least {min}")),
    }
}

/// A limit: a whole number, or `unlimited` (`None`).
pub fn limit(v: &str) -> Result<Option<u64>, String> {
    if v.trim().eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    v.trim().parse::<u64>().map(Some).map_err(|_| "expected a whole number, or unlimited".to_owned())
}

/// A duration in seconds, between `min` and `max`.
pub fn seconds(min: u64, max: u64) -> impl Fn(&str) -> Result<Duration, String> {
    move |v| match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= min as f64 && s <= max as f64 => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("expected a number of seconds from {min} to {max}")),
    }
}

/// `0`/`1` (or `false`/`true`).
pub fn flag(v: &str) -> Result<bool, String> {
    match v {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err("expected 1 or 0".into()),
    }
}

/// IP addresses or networks, comma separated (`10.0.0.0/8, ::1`).
pub fn networks(v: &str) -> Result<Vec<IpNet>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.parse::<IpNet>().or_else(|_| n.parse::<std::net::IpAddr>().map(IpNet::from)))
        .collect::<Result<_, _>>()
        .map_err(|_| "expected comma-separated IP addresses or networks such as 10.0.0.0/8".to_owned())
}

/// Content-type patterns, comma separated: `type/subtype` or `type/*`.
pub fn content_types(v: &str) -> Result<fileshare_core::ContentTypePolicy, String> {
    let patterns: Vec<String> = v.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
    fileshare_core::ContentTypePolicy::allow(patterns)
        .map_err(|e| format!("{e}; expected e.g. image/*,application/pdf"))
}

/// An S3 bucket name: 3–63 of lower-case letters, digits, `.` and `-`, starting and ending with a
/// letter or digit.
pub fn bucket(v: &str) -> Result<String, String> {
    let ok = (3..=63).contains(&v.len())
        && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.ends_with(|c: char| c.is_ascii_alphanumeric());
    ok.then(|| v.to_owned()).ok_or_else(|| "expected an S3 bucket name (3-63 of a-z 0-9 . -)".to_owned())
}

/// A DynamoDB table name: 3–255 of letters, digits, `_`, `-` and `.`.
pub fn table(v: &str) -> Result<String, String> {
    let ok = (3..=255).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    ok.then(|| v.to_owned()).ok_or_else(|| "expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)".to_owned())
}
