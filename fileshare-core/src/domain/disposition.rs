//! `Content-Disposition: attachment` for download URLs (RFC 6266 with RFC 5987 `filename*`).

use super::FileName;
use crate::encoding::percent_encode_into;

/// RFC 5987 `attr-char`s stay literal; everything else is percent-encoded.
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

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
    let name = name.as_str();
    let mut out = String::with_capacity(40 + name.len() * 4);
    out.push_str("attachment; filename=\"");
    out.extend(
        name.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' }),
    );
    out.push_str("\"; filename*=UTF-8''");
    percent_encode_into(&mut out, name, is_attr_char);
    out
}
