//! Cognito on a browser's behalf. The web page signs up and logs in with the user pool itself
//! (SRP: the password never leaves the browser), then at once hands the API the login's refresh
//! token, which the API keeps in an `HttpOnly` cookie and spends here — so after a login no script
//! on the page holds a token that outlives the access token's few minutes.
//!
//! `InitiateAuth` (`REFRESH_TOKEN_AUTH`) and `RevokeToken` are public operations of a user pool's
//! app client without a secret: plain JSON over HTTPS, no AWS signature, no IAM permission.

use crate::error::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

/// How long a call to Cognito may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A user pool app client's token operations.
#[derive(Debug)]
pub struct CognitoTokens {
    http: reqwest::Client,
    endpoint: String,
    client_id: String,
}

/// What a refresh gives a browser: the short-lived tokens only.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
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

impl CognitoTokens {
    /// The app client `client_id` of the pool served at `endpoint`
    /// (`https://cognito-idp.{region}.amazonaws.com/`).
    pub fn new(endpoint: impl Into<String>, client_id: impl Into<String>) -> ApiResult<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| ApiError::Core(fileshare_core::Error::storage("cognito", e)))?;
        Ok(Self { http, endpoint: endpoint.into(), client_id: client_id.into() })
    }

    /// New access and id tokens for a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> ApiResult<SessionTokens> {
        let body = json!({
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": self.client_id,
            "AuthParameters": {"REFRESH_TOKEN": refresh_token},
        });
        let answer = self.call("InitiateAuth", &body).await?;
        let result = &answer["AuthenticationResult"];
        let text = |name: &str| result[name].as_str().map(str::to_owned);
        match (text("AccessToken"), text("IdToken")) {
            (Some(access_token), Some(id_token)) => Ok(SessionTokens {
                access_token,
                id_token,
                expires_in: result["ExpiresIn"].as_i64().unwrap_or(0),
                token_type: "Bearer".to_owned(),
            }),
            _ => Err(unavailable("InitiateAuth answered without tokens")),
        }
    }

    /// Revokes a refresh token and the access tokens it was refreshed into.
    pub async fn revoke(&self, refresh_token: &str) -> ApiResult<()> {
        self.call("RevokeToken", &json!({"Token": refresh_token, "ClientId": self.client_id})).await.map(drop)
    }

    async fn call(&self, action: &str, body: &Value) -> ApiResult<Value> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("AWSCognitoIdentityProviderService.{action}"))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| unavailable(e.without_url()))?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(answer);
        }
        // Cognito names the error in `__type` (sometimes with a namespace before a '#').
        let kind = answer["__type"].as_str().unwrap_or_default();
        let kind = kind.rsplit('#').next().unwrap_or(kind);
        match kind {
            // The token, or the account, no longer logs in.
            "NotAuthorizedException"
            | "UserNotFoundException"
            | "UserNotConfirmedException"
            | "PasswordResetRequiredException" => {
                Err(ApiError::Unauthorized("the session expired or was revoked; log in again".into()))
            }
            "TooManyRequestsException" | "LimitExceededException" => {
                Err(ApiError::TooManyRequests(Duration::from_secs(1)))
            }
            // Anything else (an app client that does not allow the flow, say) is the deployment's
            // fault, not the session's: a 503 the alarms see, and the cookie stays.
            _ => Err(unavailable(format!("{action}: {status} {kind}"))),
        }
    }
}

fn unavailable(reason: impl std::fmt::Display) -> ApiError {
    ApiError::Core(fileshare_core::Error::storage("cognito", reason.to_string()))
}
