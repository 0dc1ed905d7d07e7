//! The [`UserDirectory`] trait: people by name. Files are shared with user ids (the identity
//! provider's stable subjects); people share with *people* — "bob", "bob@example.com" — so the
//! adapters resolve names through the identity provider's directory, and show names back.

use crate::{Result, UserId};
use async_trait::async_trait;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

/// Who is who, as the identity provider knows it: usernames (and email addresses, where it keeps
/// them) to user ids, and user ids back to display names.
///
/// Implementations: the built-in identity provider's users table (`fileshare-lambda`) and, for
/// Cognito, the service's DynamoDB table
/// ([`DynamoUserDirectory`](crate::backends::DynamoUserDirectory), feature `aws`), which the pool's
/// triggers keep. Every one passes the conformance suite in `testing::directory`.
#[async_trait]
pub trait UserDirectory: Send + Sync + Debug + 'static {
    /// The user a username — or an email address, where the provider keeps one — names.
    ///
    /// # Behavior
    /// - A username is matched exactly as the provider matches it at login.
    /// - An email address (anything with an `@` that is not a username) matches a user whose
    ///   address it is; a provider without addresses answers `None`.
    /// - No such user is `Ok(None)`, never an error.
    async fn resolve(&self, name: &str) -> Result<Option<UserId>>;

    /// The name to show for a user id: their username.
    ///
    /// # Behavior
    /// - An unknown id (a deleted account, another provider's) is `Ok(None)`.
    async fn display_name(&self, id: &UserId) -> Result<Option<String>>;

    /// Display names of several users; unknown ones are left out. The default asks
    /// [`display_name`](UserDirectory::display_name) once per distinct id.
    async fn display_names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>> {
        let mut names = HashMap::new();
        for id in ids {
            if names.contains_key(id) {
                continue;
            }
            if let Some(name) = self.display_name(id).await? {
                names.insert(id.clone(), name);
            }
        }
        Ok(names)
    }
}

#[async_trait]
impl<T: UserDirectory + ?Sized> UserDirectory for Arc<T> {
    async fn resolve(&self, name: &str) -> Result<Option<UserId>> {
        (**self).resolve(name).await
    }
    async fn display_name(&self, id: &UserId) -> Result<Option<String>> {
        (**self).display_name(id).await
    }
    async fn display_names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>> {
        (**self).display_names(ids).await
    }
}
