//! Who the caller is (`GET /me`), and the built-in identity provider's and the web session's
//! bodies. Every type holding a secret keeps it out of `Debug`.

use crate::usage::{QuotaBody, UsageBody};
use serde::{Deserialize, Serialize};

/// `POST /auth/signup` and `POST /auth/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialsBody {
    /// The username: 3–64 of `A–Z a–z 0–9 . _ - @ +`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9._@+-]{3,64}$"))]
    pub username: String,
    /// The password: 10–256 characters with at least three of lower case, upper case, digits and
    /// symbols, not containing the username.
    #[cfg_attr(feature = "openapi", schema(min_length = 10, max_length = 256))]
    pub password: String,
}

impl std::fmt::Debug for CredentialsBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsBody").field("username", &self.username).finish_non_exhaustive()
    }
}

/// A new account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupResponse {
    /// The stable user id (`sub` of its tokens); share files with this.
    pub user_id: String,
    /// The username.
    pub username: String,
}

/// `GET /me`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    /// The caller's user id (the token's `sub`).
    pub user_id: String,
    /// The caller's username, where the identity provider knows it: what others share files with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// What the caller stores.
    pub usage: UsageBody,
    /// What the caller may store: uploads beyond it are refused (403 `quota-exceeded`).
    pub quota: QuotaBody,
}

/// `POST /auth/refresh` and `/auth/logout`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshBody {
    /// A refresh token from login; left out, the session cookie's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for RefreshBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshBody").finish_non_exhaustive()
    }
}

/// `POST /auth/session`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionBody {
    /// The refresh token of a login that just happened, to keep in the session cookie.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9._-]{1,3072}$", min_length = 1, max_length = 3072))]
    pub refresh_token: String,
}

impl std::fmt::Debug for SessionBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBody").finish_non_exhaustive()
    }
}

/// Tokens from the built-in identity provider (`/auth/login`, `/auth/refresh`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tokens {
    /// Send as `Authorization: Bearer …` to the API.
    pub access_token: String,
    /// The user's identity (not accepted by the API).
    pub id_token: String,
    /// Exchange at `/auth/refresh` for new tokens.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Always `Bearer`.
    pub token_type: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

/// What a refresh gives a browser (`/auth/refresh` with the session cookie): the short-lived
/// tokens only; the refresh token stays in the cookie.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionTokens {
    /// Send as `Authorization: Bearer …` to the API.
    pub access_token: String,
    /// The user's identity (not accepted by the API).
    pub id_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Always `Bearer`.
    pub token_type: String,
}

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTokens").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}
