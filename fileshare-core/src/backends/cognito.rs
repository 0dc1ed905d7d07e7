//! [`CognitoUserDirectory`]: people by name in a Cognito user pool.
//!
//! A username resolves with one `AdminGetUser` (which also accepts the pool's aliases, such as a
//! verified email when the pool allows it); an email address that is not a username with one
//! `ListUsers` filtered on `email`. Only confirmed, enabled accounts are found, and by email only
//! where the address is verified: anyone may *type* someone else's address into their own profile,
//! and a file shared "with ceo@corp.com" must never reach them. A user id (the `sub`) goes back to its username with one
//! `ListUsers` filtered on `sub`. The function needs exactly `cognito-idp:AdminGetUser` and
//! `cognito-idp:ListUsers` on its own pool (the template grants only those). In a pool that signs
//! people in by email, where an account's username is its `sub`, the name shown is the address.

use crate::backends::aws_options::{aws_option_setters, AwsOptions};
use crate::directory::UserDirectory;
use crate::{Error, Result, UserId};
use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::types::{UserStatusType, UserType};

const BACKEND: &str = "cognito";

fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::storage(BACKEND, e)
}

/// A [`UserDirectory`] over a Cognito user pool.
///
/// ```no_run
/// # async fn demo() -> fileshare_core::Result<()> {
/// use fileshare_core::{backends::CognitoUserDirectory, UserDirectory};
/// // Pool from FILESHARE_USER_POOL_ID, region and credentials from the usual AWS chain.
/// let directory = CognitoUserDirectory::from_env().await?;
/// let bob = directory.resolve("bob").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CognitoUserDirectory {
    client: aws_sdk_cognitoidentityprovider::Client,
    pool: String,
}

impl std::fmt::Debug for CognitoUserDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoUserDirectory").field("pool", &self.pool).finish_non_exhaustive()
    }
}

/// Builds a [`CognitoUserDirectory`]; see [`CognitoUserDirectory::builder`].
#[derive(Default)]
pub struct CognitoUserDirectoryBuilder {
    pool: Option<String>,
    aws: AwsOptions,
}

impl CognitoUserDirectoryBuilder {
    /// The user pool's id (required), e.g. `us-east-1_AbCdEf123`.
    pub fn user_pool_id(mut self, pool: impl Into<String>) -> Self {
        self.pool = Some(pool.into());
        self
    }

    aws_option_setters!();

    /// Builds the directory; loads the AWS configuration from the environment if none was given.
    pub async fn build(self) -> Result<CognitoUserDirectory> {
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
        Ok(CognitoUserDirectory { client: aws_sdk_cognitoidentityprovider::Client::from_conf(config.build()), pool })
    }
}

impl CognitoUserDirectory {
    /// A builder; `user_pool_id` is required.
    pub fn builder() -> CognitoUserDirectoryBuilder {
        CognitoUserDirectoryBuilder::default()
    }

    /// The directory configured from the environment: `FILESHARE_USER_POOL_ID` (required),
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

    /// The one active user whose `attribute` equals `value` (and who passes `keep`), by a filtered
    /// `ListUsers`.
    async fn find_by(&self, attribute: &str, value: &str, keep: fn(&UserType) -> bool) -> Result<Option<UserType>> {
        // The filter is a quoted string: a value that could close the quote names nobody.
        if value.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
            return Ok(None);
        }
        let output = self
            .client
            .list_users()
            .user_pool_id(&self.pool)
            .filter(format!("{attribute} = \"{value}\""))
            .limit(10)
            .send()
            .await
            .map_err(storage)?;
        let users = output.users.unwrap_or_default().into_iter();
        let mut users: Vec<UserType> = users.filter(|u| is_active(u) && keep(u)).collect();
        // Two users with one address name no one in particular.
        Ok(if users.len() == 1 { users.pop() } else { None })
    }
}

/// A confirmed, enabled account.
fn is_active(user: &UserType) -> bool {
    user.enabled && user.user_status == Some(UserStatusType::Confirmed)
}

/// Whether the account's email address was verified.
fn email_verified(user: &UserType) -> bool {
    user.attributes().iter().any(|a| a.name() == "email_verified" && a.value() == Some("true"))
}

fn sub_of(attributes: &[aws_sdk_cognitoidentityprovider::types::AttributeType]) -> Option<UserId> {
    let sub = attributes.iter().find(|a| a.name() == "sub")?.value()?;
    UserId::new(sub).ok()
}

#[async_trait]
impl UserDirectory for CognitoUserDirectory {
    async fn resolve(&self, name: &str) -> Result<Option<UserId>> {
        if name.is_empty() || name.len() > 128 {
            return Ok(None);
        }
        let found = self.client.admin_get_user().user_pool_id(&self.pool).username(name).send().await;
        match found {
            Ok(user) => {
                let active = user.enabled && user.user_status == Some(UserStatusType::Confirmed);
                return Ok(if active { sub_of(user.user_attributes()) } else { None });
            }
            Err(e) => match e.as_service_error() {
                Some(e) if e.is_user_not_found_exception() || e.is_invalid_parameter_exception() => {}
                _ => return Err(storage(e)),
            },
        }
        if !name.contains('@') {
            return Ok(None);
        }
        Ok(self.find_by("email", name, email_verified).await?.and_then(|user| sub_of(user.attributes())))
    }

    async fn display_name(&self, id: &UserId) -> Result<Option<String>> {
        let Some(user) = self.find_by("sub", id.as_str(), |_| true).await? else { return Ok(None) };
        // A pool that signs people in by email (`UsernameAttributes: [email]`, as the template's)
        // names each account by its `sub`: there, the email address is the name people know.
        let email = user.attributes().iter().find(|a| a.name() == "email").and_then(|a| a.value());
        match user.username() {
            Some(name) if name != id.as_str() => Ok(Some(name.to_owned())),
            _ => Ok(email.or(user.username()).map(str::to_owned)),
        }
    }
}
