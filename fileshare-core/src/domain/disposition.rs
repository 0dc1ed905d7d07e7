//! `Content-Disposition: attachment` for download URLs (RFC 6266 with RFC 5987 `filename*`).

use super::FileName;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// RFC 5987 `attr-char`s stay literal; everything else is percent-encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The header value that makes a browser save the download under `name`, Unicode included.
///
/// Old clients read the ASCII `filename=` fallback (non-ASCII, quotes and backslashes become `_`);
/// current ones read `filename*`, the exact UTF-8 name.
///
/// ```
/// use fileshare_core::{content_disposition, FileName};
/// let name = FileName::new("résumé \"2026\".pdf").unwrap();
/// assert_eq!(
///     content_disposition(&name),
///     "attachment; filename=\"r_sum_ _2026_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%222026%22.pdf"
/// );
/// ```
pub fn content_disposition(name: &FileName) -> String {
    let fallback: String = name
        .as_str()
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let encoded = utf8_percent_encode(name.as_str(), ATTR_CHAR);
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}
