//! Validated user input: display names and content types.

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Longest accepted file name, in UTF-8 bytes after NFC normalisation.
pub const MAX_NAME_LEN: usize = 255;
/// Longest accepted content type, in bytes.
pub const MAX_CONTENT_TYPE_LEN: usize = 255;

/// A file's display name: 1–255 bytes of NFC-normalised UTF-8, without control characters, bidi
/// overrides or path separators. It lives in metadata only and is never part of a storage key.
///
/// ```
/// use fileshare_core::FileName;
/// assert_eq!(FileName::new("résumé 2026 — 東京.pdf").unwrap().as_str(), "résumé 2026 — 東京.pdf");
/// assert!(FileName::new("../secret").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileName(String);

/// Characters that render text in a misleading order (`invoice\u{202E}fdp.exe`): refused in names.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl FileName {
    /// Normalises (NFC) and validates a display name.
    pub fn new(raw: &str) -> Result<Self> {
        let name: String = raw.nfc().collect();
        if name.is_empty() || name.len() > MAX_NAME_LEN {
            return Err(Error::invalid("name", "must be 1 to 255 bytes of UTF-8"));
        }
        if name.trim().is_empty() {
            return Err(Error::invalid("name", "must not be only whitespace"));
        }
        if name == "." || name == ".." {
            return Err(Error::invalid("name", "must not be '.' or '..'"));
        }
        if let Some(c) = name.chars().find(|&c| c.is_control() || is_bidi_control(c) || c == '/' || c == '\\') {
            return Err(Error::invalid(
                "name",
                format!("must not contain control characters or path separators (found {c:?})"),
            ));
        }
        Ok(Self(name))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FileName {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self> {
        Self::new(&raw)
    }
}

impl From<FileName> for String {
    fn from(name: FileName) -> String {
        name.0
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// A well-formed media type `type/subtype` (RFC 6838 names, lower-cased), with optional
/// `; name=value` parameters kept as given.
///
/// ```
/// use fileshare_core::ContentType;
/// let ct = ContentType::new("Text/Plain; charset=utf-8").unwrap();
/// assert_eq!(ct.as_str(), "text/plain; charset=utf-8");
/// assert_eq!(ct.essence(), "text/plain");
/// assert!(ContentType::new("text").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentType {
    value: String,
    essence_len: usize,
}

fn is_restricted_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && s.len() <= 127
        && chars.all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn is_param_value(s: &str) -> bool {
    if let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        // No `;` either: parameters are split on it before values are read.
        inner.chars().all(|c| (c == ' ' || c.is_ascii_graphic()) && !"\";\\".contains(c))
    } else {
        is_token(s)
    }
}

impl ContentType {
    /// Parses and normalises a content type.
    pub fn new(raw: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid("content_type", format!("{why} (got {raw:?})"));
        if raw.is_empty() || raw.len() > MAX_CONTENT_TYPE_LEN {
            return Err(bad("must be 1 to 255 bytes"));
        }
        let mut pieces = raw.split(';');
        let essence = pieces.next().unwrap_or_default();
        let Some((ty, sub)) = essence.split_once('/') else {
            return Err(bad("must look like type/subtype"));
        };
        if !is_restricted_name(ty) || !is_restricted_name(sub) {
            return Err(bad("must look like type/subtype"));
        }
        let mut value = essence.to_ascii_lowercase();
        let essence_len = value.len();
        for param in pieces {
            let param = param.trim_start_matches(' ');
            match param.split_once('=') {
                Some((name, val)) if is_token(name) && is_param_value(val) => {
                    value.push_str("; ");
                    value.push_str(&name.to_ascii_lowercase());
                    value.push('=');
                    value.push_str(val);
                }
                _ => return Err(bad("has a malformed parameter")),
            }
        }
        Ok(Self { value, essence_len })
    }

    /// The full normalised value, parameters included.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// `type/subtype` without parameters.
    pub fn essence(&self) -> &str {
        &self.value[..self.essence_len]
    }
}

impl TryFrom<String> for ContentType {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self> {
        Self::new(&raw)
    }
}

impl From<ContentType> for String {
    fn from(ct: ContentType) -> String {
        ct.value
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl fmt::Debug for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.value)
    }
}

/// Which content types may be uploaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ContentTypePolicy {
    /// Every well-formed content type (the default).
    #[default]
    AllowAll,
    /// Only these patterns: an exact `type/subtype` or a `type/*` wildcard, matched on the essence.
    Allow(Vec<String>),
}

impl ContentTypePolicy {
    /// An allowlist of `patterns`, each checked: an exact `type/subtype` (no parameters) or a
    /// `type/*` wildcard. An empty list is refused: it would allow nothing.
    ///
    /// ```
    /// use fileshare_core::ContentTypePolicy;
    /// assert!(ContentTypePolicy::allow(["image/*", "application/pdf"]).is_ok());
    /// assert!(ContentTypePolicy::allow(["image"]).is_err());
    /// ```
    pub fn allow<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> Result<Self> {
        let patterns: Vec<String> = patterns.into_iter().map(Into::into).collect();
        if patterns.is_empty() {
            return Err(Error::invalid("content_types", "the allowlist is empty"));
        }
        for pattern in &patterns {
            // A wildcard must be a valid type: check it as that type with some subtype.
            let exact = pattern.strip_suffix("/*").map_or_else(|| pattern.clone(), |ty| format!("{ty}/x"));
            let ok = ContentType::new(&exact).is_ok_and(|t| t.essence() == exact.to_ascii_lowercase());
            if !ok {
                return Err(Error::invalid("content_types", format!("{pattern:?} is not type/subtype or type/*")));
            }
        }
        Ok(ContentTypePolicy::Allow(patterns))
    }

    /// Checks `ct` against the policy.
    pub fn check(&self, ct: &ContentType) -> Result<()> {
        let allowed = match self {
            ContentTypePolicy::AllowAll => true,
            ContentTypePolicy::Allow(patterns) => patterns.iter().any(|p| {
                let p = p.to_ascii_lowercase();
                match p.strip_suffix("/*") {
                    Some(ty) => ct.essence().split('/').next() == Some(ty),
                    None => ct.essence() == p,
                }
            }),
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::UnsupportedContentType { content_type: ct.as_str().to_owned() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_nfc_normalised() {
        let decomposed = "re\u{0301}sume\u{0301}.pdf";
        assert_eq!(FileName::new(decomposed).map(|n| n.0).ok().as_deref(), Some("résumé.pdf"));
    }

    #[test]
    fn names_refuse_what_the_rules_refuse() {
        let long = "é".repeat(128); // 256 bytes
        for bad in ["", " ", "\t", ".", "..", "a/b", "a\\b", "a\nb", "a\u{7}b", "x\u{202E}fdp.exe", &long] {
            assert!(matches!(FileName::new(bad), Err(Error::InvalidInput { field: "name", .. })), "{bad:?}");
        }
        assert!(FileName::new(&"é".repeat(127)).is_ok());
    }

    #[test]
    fn content_types_parse_strictly() {
        for good in ["application/pdf", "image/svg+xml", "text/plain;charset=UTF-8", "a/b; q=\"x y\""] {
            assert!(ContentType::new(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "text",
            "/plain",
            "text/",
            "text/plain/x",
            " text/plain",
            "text/pl ain",
            "text/plain; =x",
            "text/plain; a",
            "text/plain\r\nX: y",
            "текст/plain",
        ] {
            assert!(matches!(ContentType::new(bad), Err(Error::InvalidInput { field: "content_type", .. })), "{bad:?}");
        }
    }

    #[test]
    fn allowlist_matches_exact_and_wildcard() {
        let policy = ContentTypePolicy::Allow(vec!["image/*".into(), "application/pdf".into()]);
        let ok = |s: &str| policy.check(&ContentType::new(s).expect("valid")).is_ok();
        assert!(ok("image/png") && ok("application/pdf; x=y"));
        assert!(!ok("application/zip") && !ok("imagex/png"));
    }
}
