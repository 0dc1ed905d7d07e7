//! Signing up, logging in and refreshing tokens: with the service's built-in identity provider
//! (`/auth/*`), or with a Cognito user pool through its public JSON API (no AWS credentials needed).

use crate::error::{CliError, Result};
use crate::session::{Provider, Session};
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

/// Tokens as either provider returns them.
struct Tokens {
    access_token: String,
    refresh_token: Option<String>,
}

/// Talks to the identity provider of a session.
pub struct Identity<'a> {
    http: &'a reqwest::Client,
    endpoint: &'a str,
}

impl<'a> Identity<'a> {
    /// For the API at `endpoint`.
    pub fn new(http: &'a reqwest::Client, endpoint: &'a str) -> Self {
        Self { http, endpoint }
    }

    /// Creates an account. Local: returns the new user id. Cognito: the account awaits confirmation.
    pub async fn sign_up(&self, provider: &Provider, username: &str, password: &str) -> Result<Option<String>> {
        match provider {
            Provider::Local => {
                let body = json!({"username": username, "password": password});
                let created = self.local("/auth/signup", &body).await?;
                Ok(created["user_id"].as_str().map(str::to_owned))
            }
            Provider::Cognito { client_id, endpoint } => {
                let body = json!({"ClientId": client_id, "Username": username, "Password": password});
                cognito(self.http, endpoint, "SignUp", &body).await?;
                Ok(None)
            }
        }
    }

    /// Confirms a Cognito sign-up with the code e-mailed to the user.
    pub async fn confirm(&self, provider: &Provider, username: &str, code: &str) -> Result<()> {
        let Provider::Cognito { client_id, endpoint } = provider else {
            return Err(CliError::Usage("only Cognito accounts need confirming; pass --cognito-client-id".into()));
        };
        let body = json!({"ClientId": client_id, "Username": username, "ConfirmationCode": code});
        cognito(self.http, endpoint, "ConfirmSignUp", &body).await.map(drop)
    }

    /// Logs in and returns a new session.
    pub async fn log_in(&self, provider: Provider, username: &str, password: &str) -> Result<Session> {
        let tokens = match &provider {
            Provider::Local => {
                local_tokens(&self.local("/auth/login", &json!({"username": username, "password": password})).await?)?
            }
            Provider::Cognito { client_id, endpoint } => {
                let body = json!({
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "ClientId": client_id,
                    "AuthParameters": {"USERNAME": username, "PASSWORD": password},
                });
                cognito_tokens(&cognito(self.http, endpoint, "InitiateAuth", &body).await?)?
            }
        };
        let refresh_token =
            tokens.refresh_token.ok_or_else(|| CliError::Auth("login returned no refresh token".into()))?;
        session(username.to_owned(), tokens.access_token, refresh_token, provider)
    }

    /// Exchanges the session's refresh token for a new access token.
    pub async fn refresh(&self, old: &Session) -> Result<Session> {
        let expired = |e: CliError| match e {
            CliError::Auth(_) => CliError::Auth(format!("session for {} expired; run `fileshare login`", old.username)),
            other => other,
        };
        let tokens = match &old.provider {
            Provider::Local => local_tokens(
                &self.local("/auth/refresh", &json!({"refresh_token": old.refresh_token})).await.map_err(expired)?,
            )?,
            Provider::Cognito { client_id, endpoint } => {
                let body = json!({
                    "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "ClientId": client_id,
                    "AuthParameters": {"REFRESH_TOKEN": old.refresh_token},
                });
                cognito_tokens(&cognito(self.http, endpoint, "InitiateAuth", &body).await.map_err(expired)?)?
            }
        };
        // Cognito keeps the refresh token; the local provider issues a new one.
        let refresh_token = tokens.refresh_token.unwrap_or_else(|| old.refresh_token.clone());
        session(old.username.clone(), tokens.access_token, refresh_token, old.provider.clone())
    }

    /// Revokes the session's refresh token at its provider (Cognito: `RevokeToken`), so that a copy
    /// of the credentials file is worth nothing after a logout.
    pub async fn log_out(&self, session: &Session) -> Result<()> {
        match &session.provider {
            Provider::Local => {
                self.local("/auth/logout", &json!({"refresh_token": session.refresh_token})).await.map(drop)
            }
            Provider::Cognito { client_id, endpoint } => {
                let body = json!({"Token": session.refresh_token, "ClientId": client_id});
                cognito(self.http, endpoint, "RevokeToken", &body).await.map(drop)
            }
        }
    }

    async fn local(&self, path: &str, body: &Value) -> Result<Value> {
        let url = format!("{}{path}", self.endpoint);
        let response = self.http.post(&url).json(body).send().await.map_err(|e| CliError::network(&url, &e))?;
        crate::client::json_or_problem(response, &url).await
    }
}

fn local_tokens(body: &Value) -> Result<Tokens> {
    let access_token =
        body["access_token"].as_str().ok_or_else(|| CliError::Rejected("no access_token in reply".into()))?;
    Ok(Tokens {
        access_token: access_token.to_owned(),
        refresh_token: body["refresh_token"].as_str().map(str::to_owned),
    })
}

fn cognito_tokens(body: &Value) -> Result<Tokens> {
    if let Some(challenge) = body["ChallengeName"].as_str() {
        return Err(CliError::Auth(format!(
            "Cognito asks for {challenge}, which the CLI does not handle; complete it in the hosted UI first"
        )));
    }
    let result = &body["AuthenticationResult"];
    let access_token =
        result["AccessToken"].as_str().ok_or_else(|| CliError::Rejected("no AccessToken in Cognito's reply".into()))?;
    Ok(Tokens {
        access_token: access_token.to_owned(),
        refresh_token: result["RefreshToken"].as_str().map(str::to_owned),
    })
}

/// One call to Cognito's JSON API (`X-Amz-Target: AWSCognitoIdentityProviderService.{action}`).
async fn cognito(http: &reqwest::Client, endpoint: &str, action: &str, body: &Value) -> Result<Value> {
    let response = http
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("AWSCognitoIdentityProviderService.{action}"))
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| CliError::network(endpoint, &e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| CliError::network(endpoint, &e))?;
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(json);
    }
    let kind = json["__type"].as_str().unwrap_or_default().rsplit('#').next().unwrap_or_default().to_owned();
    let message = json["message"].as_str().or(json["Message"].as_str()).unwrap_or(&text).to_owned();
    Err(match kind.as_str() {
        "NotAuthorizedException" | "UserNotConfirmedException" | "PasswordResetRequiredException" => {
            CliError::Auth(message)
        }
        "UserNotFoundException" => CliError::Auth("incorrect username or password".into()),
        "UsernameExistsException" => CliError::Conflict(message),
        _ => CliError::Rejected(format!("Cognito {action}: {kind} {message}")),
    })
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
}

/// Builds a session from an access token's claims (read, not verified: the API verifies tokens).
fn session(username: String, access_token: String, refresh_token: String, provider: Provider) -> Result<Session> {
    let payload = access_token.split('.').nth(1).unwrap_or_default();
    let claims: Claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| CliError::Rejected("the access token is not a JWT with sub and exp".into()))?;
    Ok(Session { username, user_id: claims.sub, access_token, refresh_token, expires_at: claims.exp, provider })
}
