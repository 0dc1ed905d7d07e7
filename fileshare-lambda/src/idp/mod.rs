//! The built-in identity provider of local mode: sign-up, login and refresh, with Cognito-shaped
//! RS256 tokens (`sub`, `iss`, `token_use`, `client_id`, `exp`) that the ordinary JWKS verifier
//! checks — local mode authenticates exactly as AWS mode does.

pub mod cognito;
mod directory;
pub(crate) mod keys;
mod users;

use crate::error::{ApiError, ApiResult};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, Header};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
pub use users::REUSE_GRACE_SECS;
use users::{Account, Accounts, Refreshed};

/// Lifetime of access and id tokens (Cognito's default: one hour).
pub const TOKEN_TTL_SECS: i64 = 3600;
/// Lifetime of refresh tokens.
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
/// The app client id local tokens are issued for.
pub const LOCAL_CLIENT_ID: &str = "fileshare-local";

/// Tokens returned by login and refresh: the wire type.
pub use fileshare_api::Tokens;

#[derive(Serialize)]
struct TokenClaims<'a> {
    sub: &'a str,
    iss: &'a str,
    token_use: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<&'a str>,
    #[serde(rename = "cognito:username", skip_serializing_if = "Option::is_none")]
    cognito_username: Option<&'a str>,
    iat: i64,
    auth_time: i64,
    exp: i64,
    jti: String,
}

/// The identity provider.
pub struct LocalIdentityProvider {
    issuer: String,
    key: keys::SigningKey,
    accounts: Accounts,
    /// A hash to verify against when the username does not exist, so that a login attempt takes
    /// the same time whether or not the account exists (no user enumeration by timing).
    decoy_hash: String,
    /// Password hashes computed at once: argon2id takes 19 MiB and tens of milliseconds each, so
    /// a burst of logins must queue, not allocate without bound.
    hashing: tokio::sync::Semaphore,
}

impl std::fmt::Debug for LocalIdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIdentityProvider")
            .field("issuer", &self.issuer)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

fn storage(e: impl std::fmt::Display) -> ApiError {
    ApiError::Core(fileshare_core::Error::storage("identity", e.to_string()))
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Whether `username` could name an account: 3–64 of `A–Z a–z 0–9 . _ - @ +`.
pub fn is_valid_username(username: &str) -> bool {
    (3..=64).contains(&username.len()) && username.chars().all(|c| c.is_ascii_alphanumeric() || "._-@+".contains(c))
}

/// Usernames: see [`is_valid_username`].
fn check_username(username: &str) -> ApiResult<()> {
    if is_valid_username(username) {
        Ok(())
    } else {
        Err(ApiError::BadRequest("username must be 3–64 letters, digits or . _ - @ +".into()))
    }
}

/// The password policy, as people read it: the sign-up error says it, and the web page shows it.
pub const PASSWORD_POLICY: &str =
    "10 to 256 characters, with at least three of: lower case, upper case, digits, symbols; not containing the username";

/// Passwords: [`PASSWORD_POLICY`].
fn check_password(username: &str, password: &str) -> ApiResult<()> {
    let kinds = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_numeric()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    let length = password.chars().count();
    if !(10..=256).contains(&length) || kinds.iter().filter(|k| **k).count() < 3 {
        return Err(ApiError::BadRequest(format!("the password must have {PASSWORD_POLICY}")));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(ApiError::BadRequest(format!("the password must not contain the username ({PASSWORD_POLICY})")));
    }
    Ok(())
}

/// 256 random bits, URL-safe.
fn new_refresh_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl LocalIdentityProvider {
    /// Opens the provider's account database and signing key under `data_dir`; tokens name `issuer`.
    pub fn open(data_dir: &Path, issuer: impl Into<String>) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        std::fs::create_dir_all(data_dir)?;
        let key = keys::load_or_create(&data_dir.join("identity-key.pem"))?;
        let accounts = Accounts::open(&data_dir.join("identity.db"))?;
        // Hashed once, here: if it cannot be, the provider does not start (never a cheaper decoy).
        let decoy_hash = Argon2::default().hash_password(&rand::random::<[u8; 16]>())?.to_string();
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Ok(Self { issuer: issuer.into(), key, accounts, decoy_hash, hashing: tokio::sync::Semaphore::new(cores) })
    }

    /// The issuer (`iss`) of the tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The public signing keys, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> &JwkSet {
        &self.key.jwks
    }

    /// Creates an account; returns its user id.
    pub async fn sign_up(&self, username: &str, password: &str) -> ApiResult<String> {
        check_username(username)?;
        check_password(username, password)?;
        let password = password.to_owned();
        let _hashing = self.hashing.acquire().await.map_err(storage)?;
        let hash = tokio::task::spawn_blocking(move || {
            Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string())
        })
        .await
        .map_err(storage)?
        .map_err(storage)?;
        let account =
            Account { id: uuid::Uuid::new_v4().to_string(), username: username.to_owned(), password_hash: hash };
        let id = account.id.clone();
        if !self.accounts.create(account, now()).await.map_err(storage)? {
            return Err(ApiError::Conflict("that username is taken".into()));
        }
        Ok(id)
    }

    /// Checks a password and issues tokens. Wrong username and wrong password look the same.
    pub async fn log_in(&self, username: &str, password: &str) -> ApiResult<Tokens> {
        let wrong = || ApiError::Unauthorized("wrong username or password".into());
        if !is_valid_username(username) {
            return Err(wrong()); // no account can have this name: nothing to look up or hash
        }
        let account = self.accounts.by_username(username.to_owned()).await.map_err(storage)?;
        let hash = account.as_ref().map_or_else(|| self.decoy_hash.clone(), |a| a.password_hash.clone());
        let password = password.to_owned();
        let _hashing = self.hashing.acquire().await.map_err(storage)?;
        let matches = tokio::task::spawn_blocking(move || {
            Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok()
        })
        .await
        .map_err(storage)?;
        match account {
            Some(account) if matches => self.issue(&account).await,
            _ => Err(wrong()),
        }
    }

    /// Exchanges a refresh token for new tokens. The refresh token is spent: the answer carries
    /// its successor, and presenting a spent one again revokes every token of its login.
    pub async fn refresh(&self, refresh_token: &str) -> ApiResult<Tokens> {
        let next = new_refresh_token();
        let (now, expires) = (now(), now() + REFRESH_TTL_SECS);
        match self.accounts.rotate(hash_token(refresh_token), hash_token(&next), now, expires).await.map_err(storage)? {
            Refreshed::Rotated(account) => self.tokens(&account, next),
            Refreshed::Invalid => Err(ApiError::Unauthorized("invalid or expired refresh token".into())),
            Refreshed::Reused => {
                tracing::warn!("a spent refresh token was presented again; its login is revoked");
                Err(ApiError::Unauthorized("refresh token already used; log in again".into()))
            }
        }
    }

    /// Logs out: revokes the refresh token and every token its login was refreshed into. Unknown
    /// tokens are no error (logging out twice is fine).
    pub async fn log_out(&self, refresh_token: &str) -> ApiResult<()> {
        self.accounts.revoke(hash_token(refresh_token)).await.map_err(storage)?;
        Ok(())
    }

    /// Deletes refresh tokens past their expiry (the sweep); returns how many.
    pub async fn sweep_expired_tokens(&self) -> Result<usize, fileshare_core::Error> {
        self.accounts.sweep_expired(now()).await.map_err(|e| fileshare_core::Error::storage("identity", e))
    }

    /// Tokens for a fresh login: the refresh token starts a new family.
    async fn issue(&self, account: &Account) -> ApiResult<Tokens> {
        let refresh_token = new_refresh_token();
        self.accounts
            .save_refresh(hash_token(&refresh_token), account.id.clone(), now() + REFRESH_TTL_SECS)
            .await
            .map_err(storage)?;
        self.tokens(account, refresh_token)
    }

    /// Access and id tokens for `account`, with `refresh_token` (already stored).
    fn tokens(&self, account: &Account, refresh_token: String) -> ApiResult<Tokens> {
        let issued = now();
        let sign = |token_use: &str| {
            let access = token_use == "access";
            let claims = TokenClaims {
                sub: &account.id,
                iss: &self.issuer,
                token_use,
                client_id: access.then_some(LOCAL_CLIENT_ID),
                aud: (!access).then_some(LOCAL_CLIENT_ID),
                username: access.then_some(account.username.as_str()),
                cognito_username: (!access).then_some(account.username.as_str()),
                iat: issued,
                auth_time: issued,
                exp: issued + TOKEN_TTL_SECS,
                jti: uuid::Uuid::new_v4().to_string(),
            };
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(self.key.kid.clone());
            jsonwebtoken::encode(&header, &claims, &self.key.encoding).map_err(storage)
        };
        Ok(Tokens {
            access_token: sign("access")?,
            id_token: sign("id")?,
            refresh_token,
            expires_in: TOKEN_TTL_SECS,
            token_type: "Bearer".into(),
        })
    }

    /// Signs arbitrary claims with the provider's key (tests forge expired or foreign tokens with it).
    #[doc(hidden)]
    pub fn sign_claims(&self, claims: &serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key.encoding).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_and_bad_usernames_are_refused() {
        for (user, password) in [
            ("al", "Str0ng-enough!"),
            ("alice smith", "Str0ng-enough!"),
            ("alice", "short1!A"),
            ("alice", "alllowercaseletters"),
            ("alice", "Alice-is-1-great"),
        ] {
            assert!(check_username(user).and_then(|_| check_password(user, password)).is_err(), "{user} / {password}");
        }
        assert!(check_username("alice").and_then(|_| check_password("alice", "correct-Horse-9")).is_ok());
    }
}
