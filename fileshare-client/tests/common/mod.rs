//! What every test of the client needs: the service, and people logged in to it.
#![allow(dead_code)] // each test file uses a different part of this

use fileshare_client::{Client, Progress, SignUp};
use std::sync::{Arc, Mutex};

pub const PASSWORD: &str = "correct-Horse-battery-9";
pub const MIB: usize = 1024 * 1024;

/// A name no other test run uses.
pub fn unique(name: &str) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or_default();
    format!("{name}-{:x}", nanos ^ std::process::id())
}

/// `len` bytes that differ from offset to offset (a misplaced part shows).
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3] ^ seed).collect()
}

/// A new account on the built-in provider of `base`, logged in, with an in-memory session.
pub async fn signed_in(base: &str, name: &str) -> (Client, String) {
    let client = Client::new(base).expect("client");
    let name = unique(name);
    let SignUp::Created { user_id } = client.sign_up(&name, PASSWORD).await.expect("sign up") else {
        panic!("the built-in provider confirms no sign-up")
    };
    let session = client.log_in(&name, PASSWORD).await.expect("log in");
    assert_eq!(session.user_id, user_id);
    (client, name)
}

/// Every report of a transfer's progress: (done, total).
pub type Reports = Arc<Mutex<Vec<(u64, u64)>>>;

/// A progress callback that keeps every report.
pub fn recorder() -> (Progress, Reports) {
    let seen = Reports::default();
    let kept = seen.clone();
    (Progress::new(move |p| kept.lock().expect("lock").push((p.done, p.total))), seen)
}
