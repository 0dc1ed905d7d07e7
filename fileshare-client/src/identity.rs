//! Signing up, logging in, refreshing and logging out: with the service's built-in identity provider
//! (`/auth/*`), or with a Cognito user pool ([`crate::cognito`]).

use crate::cognito::UserPoolClient;
use crate::error::{Error, ErrorKind, Result};
use crate::http;
use crate::session::{Provider, Session};
use base64::Engine;
use fileshare_api::{CredentialsBody, RefreshBody, SignupResponse, Tokens};
use serde::{Deserialize, Serialize};

/// The identity provider of one API endpoint.
pub(crate) struct Identity<'a> {
    pub http: &'a reqwest::Client,
    pub endpoint: &'a str,
}

/// Tokens as either provider returns them.
struct Issued {
    access_token: String,
    refresh_token: Option<String>,
}

impl From<Tokens> for Issued {
    fn from(t: Tokens) -> Self {
        Self { access_token: t.access_token, refresh_token: Some(t.refresh_token) }
    }
}

impl Identity<'_> {
    fn pool(&self, client_id: &str, endpoint: &str) -> UserPoolClient {
        UserPoolClient::new(self.http.clone(), endpoint, client_id)
    }

    async fn local<T: Serialize + ?Sized, R: serde::de::DeserializeOwned>(&self, path: &str, body: &T) -> Result<R> {
        let url = format!("{}{path}", self.endpoint);
        let response = self.http.post(&url).json(body).send().await.map_err(|e| Error::network(&url, &e))?;
        http::json(response, &url).await
    }

    /// Creates an account. The built-in provider returns its user id; a Cognito account awaits
    /// confirmation (`None`).
    pub async fn sign_up(&self, provider: &Provider, username: &str, password: &str) -> Result<Option<String>> {
        match provider {
            Provider::Local => {
                let body = CredentialsBody { username: username.to_owned(), password: password.to_owned() };
                let created: SignupResponse = self.local("/auth/signup", &body).await?;
                Ok(Some(created.user_id))
            }
            Provider::Cognito { client_id, endpoint } => {
                self.pool(client_id, endpoint).sign_up(username, password).await.map(|()| None)
            }
        }
    }

    /// Confirms a Cognito sign-up with the code sent to the user.
    pub async fn confirm(&self, provider: &Provider, username: &str, code: &str) -> Result<()> {
        let Provider::Cognito { client_id, endpoint } = provider else {
            return Err(Error::InvalidInput("only Cognito accounts need confirming".into()));
        };
        self.pool(client_id, endpoint).confirm_sign_up(username, code).await
    }

    /// Logs in and returns the new session.
    pub async fn log_in(&self, provider: Provider, username: &str, password: &str) -> Result<Session> {
        let issued: Issued = match &provider {
            Provider::Local => {
                let body = CredentialsBody { username: username.to_owned(), password: password.to_owned() };
                self.local::<_, Tokens>("/auth/login", &body).await?.into()
            }
            Provider::Cognito { client_id, endpoint } => {
                let tokens = self.pool(client_id, endpoint).log_in(username, password).await?;
                Issued { access_token: tokens.access_token, refresh_token: tokens.refresh_token }
            }
        };
        let refresh_token =
            issued.refresh_token.ok_or_else(|| Error::UnexpectedResponse("login returned no refresh token".into()))?;
        session(username.to_owned(), issued.access_token, refresh_token, provider)
    }

    /// Exchanges the session's refresh token for a new access token.
    pub async fn refresh(&self, old: &Session) -> Result<Session> {
        let expired = |e: Error| match e.kind() {
            ErrorKind::Unauthenticated => {
                Error::SessionExpired { username: old.username.clone(), reason: e.to_string() }
            }
            _ => e,
        };
        let issued: Issued = match &old.provider {
            Provider::Local => {
                let body = RefreshBody { refresh_token: Some(old.refresh_token.clone()) };
                self.local::<_, Tokens>("/auth/refresh", &body).await.map_err(expired)?.into()
            }
            Provider::Cognito { client_id, endpoint } => {
                let tokens = self.pool(client_id, endpoint).refresh(&old.refresh_token).await.map_err(expired)?;
                Issued { access_token: tokens.access_token, refresh_token: tokens.refresh_token }
            }
        };
        // Cognito keeps the refresh token; the built-in provider issues a new one with each refresh.
        let refresh_token = issued.refresh_token.unwrap_or_else(|| old.refresh_token.clone());
        session(old.username.clone(), issued.access_token, refresh_token, old.provider.clone())
    }

    /// Revokes the session's refresh token at its provider, so that a copy of it is worth nothing.
    pub async fn log_out(&self, session: &Session) -> Result<()> {
        match &session.provider {
            Provider::Local => {
                let url = format!("{}/auth/logout", self.endpoint);
                let body = RefreshBody { refresh_token: Some(session.refresh_token.clone()) };
                let response = self.http.post(&url).json(&body).send().await.map_err(|e| Error::network(&url, &e))?;
                http::empty(response, &url).await
            }
            Provider::Cognito { client_id, endpoint } => {
                self.pool(client_id, endpoint).revoke(&session.refresh_token).await
            }
        }
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
}

/// A session from an access token's claims (read, not verified: the API verifies tokens).
fn session(username: String, access_token: String, refresh_token: String, provider: Provider) -> Result<Session> {
    let payload = access_token.split('.').nth(1).unwrap_or_default();
    let claims: Claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| Error::UnexpectedResponse("the access token is not a JWT with sub and exp".into()))?;
    Ok(Session { username, user_id: claims.sub, access_token, refresh_token, expires_at: claims.exp, provider })
}
