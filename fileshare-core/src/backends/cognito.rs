//! [`CognitoUserPool`]: the accounts of a Cognito user pool, read page by page — what
//! `fileshare-server directory import` copies into the table's directory
//! ([`DynamoUserDirectory`](crate::backends::DynamoUserDirectory)).
//!
//! Request paths never call Cognito: `ListUsers` allows 30 requests a second per account. The
//! directory is fed by the pool's triggers (the events function) and, for accounts made before
//! the triggers existed, by this import — one `ListUsers` per 60 accounts, run by an operator
//! (`cognito-idp:ListUsers` on the pool: the template's `DirectoryOperatorPolicy`).
//!
//! Only confirmed, enabled accounts are active, and their addresses count only where verified:
//! anyone may *type* someone else's address into their own profile, and a file shared "with
//! ceo@corp.com" must never reach them.

use crate::backends::aws_options::{aws_option_setters, AwsOptions};
use crate::backends::{DirectoryEntry, DynamoUserDirectory};
use crate::{Error, Result, UserId};
use aws_sdk_cognitoidentityprovider::types::{UserStatusType, UserType};
use std::collections::HashMap;

const BACKEND: &str = "cognito";

fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::storage(BACKEND, e)
}

/// A Cognito user pool's accounts, as the directory records them.
///
/// ```no_run
/// # async fn demo() -> fileshare_core::Result<()> {
/// use fileshare_core::backends::CognitoUserPool;
/// // Pool from FILESHARE_USER_POOL_ID, region and credentials from the usual AWS chain.
/// let pool = CognitoUserPool::from_env().await?;
/// let (accounts, next) = pool.accounts(None).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CognitoUserPool {
    client: aws_sdk_cognitoidentityprovider::Client,
    pool: String,
}

impl std::fmt::Debug for CognitoUserPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoUserPool").field("pool", &self.pool).finish_non_exhaustive()
    }
}

/// Builds a [`CognitoUserPool`]; see [`CognitoUserPool::builder`].
#[derive(Default)]
pub struct CognitoUserPoolBuilder {
    pool: Option<String>,
    aws: AwsOptions,
}

impl CognitoUserPoolBuilder {
    /// The user pool's id (required), e.g. `us-east-1_AbCdEf123`.
    pub fn user_pool_id(mut self, pool: impl Into<String>) -> Self {
        self.pool = Some(pool.into());
        self
    }

    aws_option_setters!();

    /// Builds the client; loads the AWS configuration from the environment if none was given.
    pub async fn build(self) -> Result<CognitoUserPool> {
        let pool = self.pool.ok_or_else(|| Error::invalid("user_pool_id", "is required"))?;
        let aws = self.aws.resolve(BACKEND).await?;
        let mut config = aws_sdk_cognitoidentityprovider::config::Builder::from(&aws.sdk)
            .region(aws_sdk_cognitoidentityprovider::config::Region::new(aws.region))
            .credentials_provider(aws.credentials);
        if let Some(url) = aws.endpoint_url {
            config = config.endpoint_url(url);
        }
        for interceptor in aws.interceptors {
            config = config.interceptor(interceptor);
        }
        Ok(CognitoUserPool { client: aws_sdk_cognitoidentityprovider::Client::from_conf(config.build()), pool })
    }
}

impl CognitoUserPool {
    /// A builder; `user_pool_id` is required.
    pub fn builder() -> CognitoUserPoolBuilder {
        CognitoUserPoolBuilder::default()
    }

    /// The pool configured from the environment: `FILESHARE_USER_POOL_ID` (required),
    /// `FILESHARE_COGNITO_ENDPOINT` (for local servers), region and credentials from the AWS chain.
    pub async fn from_env() -> Result<Self> {
        let pool = std::env::var("FILESHARE_USER_POOL_ID")
            .map_err(|_| Error::invalid("FILESHARE_USER_POOL_ID", "is not set"))?;
        let mut builder = Self::builder().user_pool_id(pool);
        if let Ok(url) = std::env::var("FILESHARE_COGNITO_ENDPOINT") {
            builder = builder.endpoint_url(url);
        }
        builder.build().await
    }

    /// One page of the pool's accounts (up to 60, Cognito's page size) from `page` (`None`: the
    /// first), and the token of the next page, if any. One `ListUsers`.
    pub async fn accounts(&self, page: Option<String>) -> Result<(Vec<PoolAccount>, Option<String>)> {
        let output = self
            .client
            .list_users()
            .user_pool_id(&self.pool)
            .set_pagination_token(page)
            .limit(60)
            .send()
            .await
            .map_err(storage)?;
        let accounts = output.users().iter().filter_map(PoolAccount::from_user).collect();
        Ok((accounts, output.pagination_token))
    }
}

/// An account of the pool, as the directory sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolAccount {
    /// Confirmed and enabled: people may find it by name.
    Active(DirectoryEntry),
    /// Unconfirmed or disabled: no one finds it.
    Inactive(UserId),
}

impl PoolAccount {
    /// The account a `ListUsers` entry describes; `None` for one without a usable `sub`.
    fn from_user(user: &UserType) -> Option<Self> {
        let attributes = user.attributes().iter().filter_map(|a| Some((a.name(), a.value()?))).collect();
        let entry = DirectoryEntry::from_cognito(user.username()?, &attributes)?;
        let active = user.enabled && user.user_status == Some(UserStatusType::Confirmed);
        Some(if active { Self::Active(entry) } else { Self::Inactive(entry.id) })
    }
}

impl DirectoryEntry {
    /// A Cognito account's entry, from its username and attributes (as `ListUsers` and the pool's
    /// triggers give them): its `sub` as the id, its address only if verified. `None` without a
    /// valid `sub`.
    pub fn from_cognito(username: &str, attributes: &HashMap<&str, &str>) -> Option<Self> {
        let id = UserId::new(*attributes.get("sub")?).ok()?;
        let verified = attributes.get("email_verified").is_some_and(|v| *v == "true");
        let email = attributes.get("email").filter(|_| verified).map(|e| (*e).to_owned());
        Some(Self { id, username: username.to_owned(), email })
    }
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Active accounts recorded.
    pub recorded: usize,
    /// Unconfirmed or disabled accounts that were in the directory and no longer are.
    pub forgotten: usize,
}

impl DynamoUserDirectory {
    /// Records every account of `pool`: confirmed, enabled ones are recorded, the rest forgotten.
    /// Pages are read at most ten a second, a third of `ListUsers`' quota for the whole account,
    /// so that an import never starves anything else that lists the pool.
    pub async fn import(&self, pool: &CognitoUserPool) -> Result<Imported> {
        let mut imported = Imported::default();
        let mut page = None;
        loop {
            let paced = tokio::time::Instant::now() + std::time::Duration::from_millis(100);
            let (accounts, next) = pool.accounts(page).await?;
            for account in accounts {
                match account {
                    PoolAccount::Active(entry) => {
                        self.record(&entry).await?;
                        imported.recorded += 1;
                    }
                    PoolAccount::Inactive(id) => imported.forgotten += usize::from(self.forget(&id).await?),
                }
            }
            let Some(next) = next else { return Ok(imported) };
            page = Some(next);
            tokio::time::sleep_until(paced).await;
        }
    }
}
