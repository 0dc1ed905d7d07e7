//! The built-in identity provider as a user directory: the core's conformance suite.

use fileshare_core::testing::{DirectoryHarness, DirectoryUser};
use fileshare_core::UserId;
use fileshare_lambda::idp::LocalIdentityProvider;
use std::sync::Arc;

async fn harness() -> Option<DirectoryHarness> {
    let dir = tempfile::tempdir().expect("tempdir");
    let idp = LocalIdentityProvider::open(dir.path(), "http://127.0.0.1").expect("provider");
    let mut users = Vec::new();
    for name in ["alice", "bob"] {
        let username = format!("{name}-{}", uuid::Uuid::new_v4().simple());
        let id = idp.sign_up(&username, "correct-Horse-battery-9").await.expect("sign up");
        users.push(DirectoryUser { id: UserId::new(id).expect("id"), username, email: None });
    }
    let [a, b]: [DirectoryUser; 2] = users.try_into().expect("two users");
    Some(DirectoryHarness { directory: Arc::new(idp), users: [a, b], guard: Box::new(dir) })
}

fileshare_core::directory_conformance!(harness);
