//! Small, allocation-lean encoders for the hot paths (presigning, download headers).
//!
//! `Display`-based encoders (`percent_encoding`, `hex`, chrono's `strftime`) go character by
//! character through `fmt::Write`; on a presign that is most of the cost. These append bytes
//! directly.

// Only the S3 backend (feature `aws`) signs; without it, its encoders are unused.
#![cfg_attr(not(feature = "aws"), allow(dead_code))]

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Appends `input`, percent-encoding (upper-case hex) every byte for which `keep` is false.
/// `keep` must only accept ASCII bytes (multi-byte characters are always encoded).
pub(crate) fn percent_encode_into(out: &mut String, input: &str, keep: impl Fn(u8) -> bool) {
    out.reserve(input.len() * 3);
    for b in input.bytes() {
        if b.is_ascii() && keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 15)]));
        }
    }
}

/// RFC 3986 unreserved characters, the only ones SigV4 leaves unencoded.
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends lower-case hex of `bytes`.
pub(crate) fn hex_into(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_LOWER[usize::from(b >> 4)]));
        out.push(char::from(HEX_LOWER[usize::from(b & 15)]));
    }
}

fn push_digits(out: &mut String, value: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut v = value;
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.extend(digits[..width].iter().map(|&d| char::from(d)));
}

/// `YYYYMMDD` (years 0–9999).
pub(crate) fn push_yyyymmdd(out: &mut String, t: DateTime<Utc>) {
    push_date(out, &t.naive_utc());
}

// `DateTime<Utc>`'s accessors each re-apply the offset; read the naive value once.
fn push_date(out: &mut String, t: &NaiveDateTime) {
    push_digits(out, t.year().clamp(0, 9999) as u32, 4);
    push_digits(out, t.month(), 2);
    push_digits(out, t.day(), 2);
}

/// `YYYYMMDDTHHMMSSZ`, SigV4's timestamp.
pub(crate) fn push_amz_date(out: &mut String, t: DateTime<Utc>) {
    let t = t.naive_utc();
    push_date(out, &t);
    out.push('T');
    push_digits(out, t.hour(), 2);
    push_digits(out, t.minute(), 2);
    push_digits(out, t.second(), 2);
    out.push('Z');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoders_match_the_reference_crates() {
        let input = "résumé 2026 — 東京.pdf/~a-b_c.d%";
        let mut ours = String::new();
        percent_encode_into(&mut ours, input, is_unreserved);
        const SET: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
        assert_eq!(ours, percent_encoding::utf8_percent_encode(input, SET).to_string());

        let mut h = String::new();
        hex_into(&mut h, &[0, 15, 16, 255]);
        assert_eq!(h, hex::encode([0u8, 15, 16, 255]));

        let t = DateTime::from_timestamp(1_795_000_000, 7_000_000).expect("time");
        let mut d = String::new();
        push_amz_date(&mut d, t);
        assert_eq!(d, t.format("%Y%m%dT%H%M%SZ").to_string());
    }
}
