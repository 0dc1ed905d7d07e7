//! Cognito on a browser's behalf. The web page signs up and logs in with the user pool itself
//! (SRP: the password never leaves the browser), then at once hands the API the login's refresh
//! token, which the API keeps in an `HttpOnly` cookie and spends here — so after a login no script
//! on the page holds a token that outlives the access token's few minutes.
//!
//! `InitiateAuth` (`REFRESH_TOKEN_AUTH`) and `RevokeToken` are public operations of a user pool's
//! app client without a secret, called with the client library's [`UserPoolClient`].

use crate::error::{ApiError, ApiResult};
use fileshare_api::SessionTokens;
use fileshare_client::cognito::UserPoolClient;
use fileshare_client::ErrorKind;
use std::time::Duration;

/// How long a call to Cognito may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A user pool app client's token operations.
#[derive(Debug)]
pub struct CognitoTokens {
    pool: UserPoolClient,
}

impl CognitoTokens {
    /// The app client `client_id` of the pool served at `endpoint`
    /// (`https://cognito-idp.{region}.amazonaws.com/`).
    pub fn new(endpoint: impl Into<String>, client_id: impl Into<String>) -> ApiResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| ApiError::Core(fileshare_core::Error::storage("cognito", e)))?;
        Ok(Self { pool: UserPoolClient::new(http, endpoint, client_id) })
    }

    /// New access and id tokens for a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> ApiResult<SessionTokens> {
        let tokens = self.pool.refresh(refresh_token).await.map_err(refused)?;
        Ok(SessionTokens {
            access_token: tokens.access_token,
            id_token: tokens.id_token,
            expires_in: tokens.expires_in,
            token_type: "Bearer".to_owned(),
        })
    }

    /// Revokes a refresh token and the access tokens it was refreshed into.
    pub async fn revoke(&self, refresh_token: &str) -> ApiResult<()> {
        self.pool.revoke(refresh_token).await.map_err(refused)
    }
}

/// What a Cognito refusal means for the browser's session.
fn refused(error: fileshare_client::Error) -> ApiError {
    match error.kind() {
        // The token, or the account, no longer logs in.
        ErrorKind::Unauthenticated => ApiError::Unauthorized("the session expired or was revoked; log in again".into()),
        ErrorKind::RateLimited => ApiError::TooManyRequests(Duration::from_secs(1)),
        // Anything else (an app client that does not allow the flow, say) is the deployment's
        // fault, not the session's: a 503 the alarms see, and the cookie stays.
        _ => ApiError::Core(fileshare_core::Error::storage("cognito", error.to_string())),
    }
}
