//! A Cognito user pool's public operations for an app client without a secret — sign-up,
//! confirmation, login (`USER_PASSWORD_AUTH`), refresh (`REFRESH_TOKEN_AUTH`) and revocation: plain
//! JSON over HTTPS, no AWS signature, no IAM permission. The client logs people in with it, and
//! the server refreshes and revokes the web page's sessions with it.
//!
//! The password travels to Cognito (over TLS) with `USER_PASSWORD_AUTH`, as with any password
//! login; the web page uses SRP instead, which a browser can afford to compute.

use crate::error::{Error, Result};
use serde_json::{json, Value};

/// The most of an answer read: Cognito's are a few kilobytes (tokens, a challenge, an error).
const ANSWER_LIMIT: usize = 1024 * 1024;

/// One app client of one user pool.
#[derive(Clone, Debug)]
pub struct UserPoolClient {
    http: reqwest::Client,
    endpoint: String,
    client_id: String,
}

/// Tokens Cognito issued.
#[derive(Clone)]
pub struct CognitoTokens {
    /// Send as `Authorization: Bearer …` to the API.
    pub access_token: String,
    /// The user's identity.
    pub id_token: String,
    /// For refreshing: issued by a login, not by a refresh (which keeps the old one working).
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

impl std::fmt::Debug for CognitoTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoTokens").field("expires_in", &self.expires_in).finish_non_exhaustive()
    }
}

impl UserPoolClient {
    /// App client `client_id` of the pool served at `endpoint`
    /// (`https://cognito-idp.{region}.amazonaws.com/`, or a compatible server's), called with `http`.
    pub fn new(http: reqwest::Client, endpoint: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self { http, endpoint: endpoint.into(), client_id: client_id.into() }
    }

    /// Creates an account; it must be confirmed ([`UserPoolClient::confirm_sign_up`]) before it logs in.
    pub async fn sign_up(&self, username: &str, password: &str) -> Result<()> {
        let body = json!({"ClientId": self.client_id, "Username": username, "Password": password});
        self.call("SignUp", &body).await.map(drop)
    }

    /// Confirms an account with the code Cognito sent its owner.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<()> {
        let body = json!({"ClientId": self.client_id, "Username": username, "ConfirmationCode": code});
        self.call("ConfirmSignUp", &body).await.map(drop)
    }

    /// Logs in with a username (or email address, in pools that sign in by email) and password.
    pub async fn log_in(&self, username: &str, password: &str) -> Result<CognitoTokens> {
        let parameters = json!({"USERNAME": username, "PASSWORD": password});
        self.initiate_auth("USER_PASSWORD_AUTH", parameters).await
    }

    /// New access and id tokens for a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<CognitoTokens> {
        self.initiate_auth("REFRESH_TOKEN_AUTH", json!({"REFRESH_TOKEN": refresh_token})).await
    }

    /// Asks to change the signed-in account's email address (`UpdateUserAttributes`, with its
    /// access token); Cognito sends a code to the new one. In a pool that requires verification
    /// before an update (the template's), the old, verified address stays in force until then.
    pub async fn request_email_change(&self, access_token: &str, email: &str) -> Result<()> {
        let attributes = json!([{"Name": "email", "Value": email}]);
        let body = json!({"AccessToken": access_token, "UserAttributes": attributes});
        self.call("UpdateUserAttributes", &body).await.map(drop)
    }

    /// Revokes a refresh token and every access token refreshed from it.
    pub async fn revoke(&self, refresh_token: &str) -> Result<()> {
        self.call("RevokeToken", &json!({"Token": refresh_token, "ClientId": self.client_id})).await.map(drop)
    }

    async fn initiate_auth(&self, flow: &str, parameters: Value) -> Result<CognitoTokens> {
        let body = json!({"AuthFlow": flow, "ClientId": self.client_id, "AuthParameters": parameters});
        let answer = self.call("InitiateAuth", &body).await?;
        if let Some(challenge) = answer["ChallengeName"].as_str() {
            return Err(Error::IdentityProvider {
                code: challenge.to_owned(),
                message: format!("Cognito asks for {challenge}, which this client does not answer; complete it on the web page first"),
            });
        }
        let result = &answer["AuthenticationResult"];
        let text = |name: &str| result[name].as_str().map(str::to_owned);
        match (text("AccessToken"), text("IdToken")) {
            (Some(access_token), Some(id_token)) => Ok(CognitoTokens {
                access_token,
                id_token,
                refresh_token: text("RefreshToken"),
                expires_in: result["ExpiresIn"].as_i64().unwrap_or(0),
            }),
            _ => Err(Error::UnexpectedResponse("Cognito's InitiateAuth answered without tokens".into())),
        }
    }

    /// One call (`X-Amz-Target: AWSCognitoIdentityProviderService.{action}`). Cognito names an
    /// error in `__type`, sometimes after a namespace and a `#`.
    async fn call(&self, action: &str, body: &Value) -> Result<Value> {
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("AWSCognitoIdentityProviderService.{action}"))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| Error::network(&self.endpoint, &e))?;
        let status = response.status();
        let body =
            crate::http::bounded(response, ANSWER_LIMIT).await.map_err(|e| Error::network(&self.endpoint, &e))?;
        let body = body.ok_or_else(|| Error::UnexpectedResponse(format!("Cognito {action}: an answer over 1 MiB")))?;
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(answer);
        }
        let code = answer["__type"].as_str().unwrap_or_default();
        let code = code.rsplit('#').next().unwrap_or(code);
        let code = if code.is_empty() && status.is_server_error() { "ServiceUnavailable" } else { code };
        let message = match code {
            // Never say whether the account exists (as Cognito itself, with its prevention on).
            "UserNotFoundException" => "incorrect username or password".to_owned(),
            _ => answer["message"]
                .as_str()
                .or(answer["Message"].as_str())
                .map_or_else(|| format!("Cognito {action}: {status} {code}"), str::to_owned),
        };
        Err(Error::IdentityProvider { code: code.to_owned(), message })
    }
}
