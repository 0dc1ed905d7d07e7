//! Credentials for presigning, cached until shortly before they expire.

use crate::{Error, Result};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::RwLock;

/// Refresh this long before the credentials expire, so a fresh URL never dies within minutes.
const REFRESH_BEFORE: TimeDelta = TimeDelta::minutes(5);

/// The provider (env, profile, container, IMDS…) and the credentials it gave last.
pub(super) struct CredentialCache {
    provider: SharedCredentialsProvider,
    current: RwLock<Option<Credentials>>,
}

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials' own Debug redacts the secret; the provider is shown by type only.
        f.debug_struct("CredentialCache").field("provider", &self.provider).finish_non_exhaustive()
    }
}

/// When credentials stop working, if they ever do.
pub(super) fn expiry(credentials: &Credentials) -> Option<DateTime<Utc>> {
    credentials.expiry().map(DateTime::<Utc>::from)
}

impl CredentialCache {
    pub(super) fn new(provider: SharedCredentialsProvider) -> Self {
        Self { provider, current: RwLock::new(None) }
    }

    /// Credentials valid for at least a few more minutes at `now`.
    pub(super) async fn get(&self, now: DateTime<Utc>) -> Result<Credentials> {
        let fresh_enough = |c: &Credentials| expiry(c).is_none_or(|e| e > now + REFRESH_BEFORE);
        if let Some(c) = self.current.read().unwrap_or_else(|e| e.into_inner()).as_ref().filter(|c| fresh_enough(c)) {
            return Ok(c.clone());
        }
        let fresh = self.provider.provide_credentials().await.map_err(|e| Error::storage("s3", e))?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }
}
