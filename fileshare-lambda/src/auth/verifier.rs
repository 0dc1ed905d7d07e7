//! Verifying access tokens against a JWKS: Cognito's, or the built-in identity provider's.
//!
//! RS256 only (never `none`, never HS* — the classic "HS256 signed with the public key" attack fails
//! here), issuer and expiry checked (60 s leeway), `token_use` must be `access`, and `client_id`
//! must be ours. Keys are cached and refetched when a token names an unknown `kid` (key rotation):
//! at most once per [`REFRESH_INTERVAL`], so that garbage `kid`s cannot make us hammer the JWKS URL;
//! by one request at a time (single flight: a burst of new tokens makes one fetch, not one each);
//! within [`JWKS_TIMEOUT`], so that a JWKS host that hangs cannot hang requests; and a failed fetch
//! keeps the last good key set.

use crate::error::ApiError;
use fileshare_core::UserId;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// Shortest time between two JWKS fetches triggered by unknown `kid`s.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Clock skew tolerated on `exp`.
pub const LEEWAY_SECS: u64 = 60;
/// The longest a JWKS fetch may take, connection included.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the signing keys come from.
pub enum KeySource {
    /// A fixed key set (the built-in identity provider's, in the same process).
    Static(JwkSet),
    /// A JWKS URL (Cognito: `https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json`).
    Remote {
        /// The JWKS document's URL.
        url: String,
        /// The client that fetches it.
        http: reqwest::Client,
    },
}

impl KeySource {
    /// The JWKS at `url`, fetched with [`JWKS_TIMEOUT`].
    pub fn remote(url: String) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(JWKS_TIMEOUT).connect_timeout(JWKS_TIMEOUT).build()?;
        Ok(KeySource::Remote { url, http })
    }
}

/// Verifies bearer tokens for one issuer and one app client.
pub struct TokenVerifier {
    issuer: String,
    client_id: String,
    source: KeySource,
    /// The key set and when it was last fetched.
    keys: RwLock<(JwkSet, Option<Instant>)>,
    /// Held while fetching: one fetch at a time.
    fetching: tokio::sync::Mutex<()>,
}

/// The claims we read from a token (Cognito-shaped).
#[derive(Debug, Deserialize)]
pub struct Claims {
    /// The user's stable id.
    pub sub: String,
    /// `access` or `id`.
    pub token_use: Option<String>,
    /// The app client (access tokens).
    pub client_id: Option<String>,
    /// The app client (id tokens).
    pub aud: Option<String>,
    /// The username (access tokens).
    pub username: Option<String>,
}

fn unauthorized(reason: &str) -> ApiError {
    ApiError::Unauthorized(reason.to_owned())
}

impl TokenVerifier {
    /// A verifier for tokens from `issuer` for `client_id`, with keys from `source`.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>, source: KeySource) -> Self {
        let initial = match &source {
            KeySource::Static(set) => set.clone(),
            KeySource::Remote { .. } => JwkSet { keys: Vec::new() },
        };
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            source,
            keys: RwLock::new((initial, None)),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn find(&self, kid: &str) -> Option<Jwk> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.0.find(kid).cloned()
    }

    fn fetched_recently(&self) -> bool {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).1.is_some_and(|at| at.elapsed() < REFRESH_INTERVAL)
    }

    async fn refresh(&self) -> Result<(), ApiError> {
        let KeySource::Remote { url, http } = &self.source else { return Ok(()) };
        if self.fetched_recently() {
            return Ok(());
        }
        let _fetching = self.fetching.lock().await;
        // Whoever held the lock before us may just have fetched.
        if self.fetched_recently() {
            return Ok(());
        }
        let fetched: Result<JwkSet, reqwest::Error> =
            async { http.get(url).send().await?.error_for_status()?.json().await }.await;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.1 = Some(Instant::now());
        match fetched {
            Ok(set) => keys.0 = set,
            Err(e) => tracing::warn!(error = %e, url, "could not fetch the JWKS; keeping the cached keys"),
        }
        Ok(())
    }

    /// Verifies `token` and returns the caller's user id and claims.
    pub async fn verify(&self, token: &str) -> Result<(UserId, Claims), ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| unauthorized("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(unauthorized("unsupported token algorithm"));
        }
        let kid = header.kid.ok_or_else(|| unauthorized("token names no signing key"))?;
        let jwk = match self.find(&kid) {
            Some(jwk) => jwk,
            None => {
                self.refresh().await?;
                self.find(&kid).ok_or_else(|| unauthorized("unknown signing key"))?
            }
        };
        if !matches!(jwk.algorithm, AlgorithmParameters::RSA(_)) {
            return Err(unauthorized("signing key is not an RSA key"));
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| unauthorized("unusable signing key"))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = LEEWAY_SECS;
        // Cognito access tokens carry `client_id`, not `aud`; checked below.
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => unauthorized("token expired"),
                ErrorKind::InvalidIssuer => unauthorized("token from another issuer"),
                _ => unauthorized("invalid token"),
            }
        })?;
        let claims = data.claims;
        if claims.token_use.as_deref() != Some("access") {
            return Err(unauthorized("an access token is required"));
        }
        if claims.client_id.as_deref() != Some(self.client_id.as_str()) {
            return Err(unauthorized("token issued for another client"));
        }
        let user = UserId::new(&claims.sub).map_err(|_| unauthorized("token subject is not a valid user id"))?;
        Ok((user, claims))
    }
}
