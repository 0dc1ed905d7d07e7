//! The embedded store's presigned URLs, as its blob endpoints receive them: anything but a URL the
//! store signed is refused, and nothing panics.
use fileshare_core::backends::MemoryFileStore;
use std::collections::BTreeMap;

fn main() {
    // A panic aborts the run (AFL records it as a crash): unwind safety is moot. (Used through
    // `Deref`, so the closure captures the wrapper, not the store inside.)
    let store = std::panic::AssertUnwindSafe(MemoryFileStore::new());
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        // Split the input into a URL and headers, so both are explored.
        let mut lines = text.split('\n');
        let url = lines.next().unwrap_or_default();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        assert!(store.verify_download(url).is_err(), "an unsigned download URL verified: {url}");
        assert!(store.verify_upload(url, &headers).is_err(), "an unsigned upload URL verified: {url}");
    });
}
