//! The built-in identity provider as a [`UserDirectory`]: its users table, by username (as at
//! login: case-insensitive) and by id. It keeps no email addresses; a username may itself look like
//! one (`bob@example.com` is a valid username), and resolves like any other.

use super::{is_valid_username, LocalIdentityProvider};
use async_trait::async_trait;
use fileshare_core::{Error, Result, UserDirectory, UserId};

fn storage(e: rusqlite::Error) -> Error {
    Error::storage("identity", e)
}

#[async_trait]
impl UserDirectory for LocalIdentityProvider {
    async fn resolve(&self, name: &str) -> Result<Option<UserId>> {
        if !is_valid_username(name) {
            return Ok(None); // no account can have this name: nothing to look up
        }
        let account = self.accounts.by_username(name.to_owned()).await.map_err(storage)?;
        account.map(|a| UserId::new(a.id)).transpose()
    }

    async fn display_name(&self, id: &UserId) -> Result<Option<String>> {
        self.accounts.username_of(id.to_string()).await.map_err(storage)
    }
}
