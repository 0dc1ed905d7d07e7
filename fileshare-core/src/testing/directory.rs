//! The [`UserDirectory`](crate::UserDirectory) conformance suite: one test per `# Behavior` bullet,
//! run against every identity provider's directory.

use super::{random_user, Guard};
use crate::directory::UserDirectory;
use crate::{ok, UserId};
use std::sync::Arc;

/// A user the harness made in the provider.
#[derive(Clone, Debug)]
pub struct DirectoryUser {
    /// Their user id (the provider's subject).
    pub id: UserId,
    /// Their username.
    pub username: String,
    /// Their email address, if the provider keeps addresses.
    pub email: Option<String>,
}

/// What the suite needs: a directory and two distinct users made in it.
pub struct DirectoryHarness {
    /// The directory under test.
    pub directory: Arc<dyn UserDirectory>,
    /// Two users of the provider.
    pub users: [DirectoryUser; 2],
    /// Kept alive for the test's duration.
    pub guard: Guard,
}

/// Generates the suite's tests for a harness factory: `directory_conformance!(make_harness);`.
#[macro_export]
macro_rules! directory_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            directory,
            [
                usernames_resolve_to_their_users,
                emails_resolve_where_the_provider_keeps_them,
                ids_show_as_usernames,
                unknown_or_hostile_names_and_ids_are_none,
            ]
        );
    };
}

/// - A username is matched exactly as at login.
pub async fn usernames_resolve_to_their_users(h: &DirectoryHarness) {
    for user in &h.users {
        assert_eq!(ok!(h.directory.resolve(&user.username).await), Some(user.id.clone()), "{user:?}");
    }
    let prefix = &h.users[0].username[..h.users[0].username.len() - 1];
    assert_eq!(ok!(h.directory.resolve(prefix).await), None, "a prefix names no one");
}

/// - An email address matches the user whose address it is; a provider without addresses answers `None`.
pub async fn emails_resolve_where_the_provider_keeps_them(h: &DirectoryHarness) {
    for user in &h.users {
        match &user.email {
            Some(email) => assert_eq!(ok!(h.directory.resolve(email).await), Some(user.id.clone()), "{user:?}"),
            None => {
                let address = format!("{}@example.invalid", user.username);
                assert_eq!(ok!(h.directory.resolve(&address).await), None);
            }
        }
    }
}

/// - A user id shows as its username; several at once leave unknown ones out.
pub async fn ids_show_as_usernames(h: &DirectoryHarness) {
    let [a, b] = &h.users;
    assert_eq!(ok!(h.directory.display_name(&a.id).await).as_deref(), Some(a.username.as_str()));
    let unknown = random_user("nobody");
    let names = ok!(h.directory.display_names(&[a.id.clone(), b.id.clone(), a.id.clone(), unknown.clone()]).await);
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names.get(&b.id).map(String::as_str), Some(b.username.as_str()));
    assert!(!names.contains_key(&unknown));
}

/// - No such user is `Ok(None)`, never an error — including names crafted to break a query.
pub async fn unknown_or_hostile_names_and_ids_are_none(h: &DirectoryHarness) {
    let hostile = [
        String::new(),
        "no-such-user-4b1e9e55".to_owned(),
        format!("{}\" or username ^= \"", h.users[0].username),
        "\" OR 1=1 --".to_owned(),
        "'; DROP TABLE users; --".to_owned(),
        "%".to_owned(),
        "*".to_owned(),
        "a\\b".to_owned(),
        "x".repeat(10_000),
        "nobody@example.invalid".to_owned(),
    ];
    for name in hostile {
        assert_eq!(ok!(h.directory.resolve(&name).await), None, "{name:?}");
    }
    assert_eq!(ok!(h.directory.display_name(&random_user("nobody")).await), None);
}
