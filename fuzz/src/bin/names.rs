//! File names and content types: refused, or accepted and stable under re-parsing.
use fileshare_core::{content_disposition, ContentType, FileName};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        if let Ok(name) = FileName::new(text) {
            assert_eq!(FileName::new(name.as_str()).ok().as_ref(), Some(&name));
            assert!(content_disposition(&name).bytes().all(|b| (0x20..0x7f).contains(&b)));
        }
        if let Ok(ct) = ContentType::new(text) {
            assert_eq!(ContentType::new(ct.as_str()).ok().map(|c| c.as_str().to_owned()).as_deref(), Some(ct.as_str()));
        }
    });
}
