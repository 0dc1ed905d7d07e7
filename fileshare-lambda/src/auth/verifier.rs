//! Verifying access tokens against a JWKS: Cognito's, or the built-in identity provider's.
//!
//! RS256 only (never `none`, never HS* — the classic "HS256 signed with the public key" attack fails
//! here), issuer and expiry checked (60 s leeway), `token_use` must be `access`, and `client_id`
//! must be ours. Keys are cached and refetched when a token names an unknown `kid` (key rotation):
//! at most once per [`REFRESH_INTERVAL`], so that garbage `kid`s cannot make us hammer the JWKS URL;
//! by one request at a time (single flight: a burst of new tokens makes one fetch, not one each);
//! within [`JWKS_TIMEOUT`], so that a JWKS host that hangs cannot hang requests; and a failed fetch
//! keeps the last good key set.
//!
//! Verification is fast where it is repeated: each key's [`DecodingKey`] is parsed once, when its key
//! set arrives; RSA runs on aws-lc-rs; and a token that verified is remembered (by its SHA-256, never
//! past its own `exp`) in a bounded cache of [`VERIFIED_CACHE_ENTRIES`], so a client's next requests
//! with the same token cost one hash. Only tokens that passed every check enter the cache, so
//! forged tokens cannot fill it, and a key set that changes (a key rotated out or revoked) empties it.

use crate::error::ApiError;
use fileshare_core::UserId;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use lru::LruCache;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Shortest time between two JWKS fetches triggered by unknown `kid`s.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Clock skew tolerated on `exp`.
pub const LEEWAY_SECS: u64 = 60;
/// The longest a JWKS fetch may take, connection included.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);
/// How many verified tokens are remembered (least recently used out first): a few MiB at most.
pub const VERIFIED_CACHE_ENTRIES: usize = 16_384;

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
    client_id: String,
    source: KeySource,
    validation: Validation,
    keys: RwLock<Keys>,
    /// Held while fetching: one fetch at a time.
    fetching: tokio::sync::Mutex<()>,
    /// SHA-256 of a token that verified → who it names, until its `exp`.
    verified: Mutex<LruCache<[u8; 32], Verified>>,
}

/// The key set in use, its keys parsed, and when it was last fetched.
struct Keys {
    set: JwkSet,
    decoding: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
}

impl Keys {
    fn new(set: JwkSet, fetched_at: Option<Instant>) -> Self {
        // Only RSA keys with an id can verify an RS256 token naming its `kid`; others are skipped.
        let decoding = set
            .keys
            .iter()
            .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, Arc::new(DecodingKey::from_jwk(jwk).ok()?))))
            .collect();
        Self { set, decoding, fetched_at }
    }
}

#[derive(Clone)]
struct Verified {
    user: UserId,
    claims: Arc<Claims>,
}

/// The claims we read from a token (Cognito-shaped).
#[derive(Debug, Deserialize)]
pub struct Claims {
    /// The user's stable id.
    pub sub: String,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: u64,
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

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl TokenVerifier {
    /// A verifier for tokens from `issuer` for `client_id`, with keys from `source`.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>, source: KeySource) -> Self {
        let initial = match &source {
            KeySource::Static(set) => set.clone(),
            KeySource::Remote { .. } => JwkSet { keys: Vec::new() },
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer.into()]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = LEEWAY_SECS;
        // Cognito access tokens carry `client_id`, not `aud`; checked in `verify_uncached`.
        validation.validate_aud = false;
        let capacity = NonZeroUsize::new(VERIFIED_CACHE_ENTRIES).unwrap_or(NonZeroUsize::MIN);
        Self {
            client_id: client_id.into(),
            source,
            validation,
            keys: RwLock::new(Keys::new(initial, None)),
            fetching: tokio::sync::Mutex::new(()),
            verified: Mutex::new(LruCache::new(capacity)),
        }
    }

    fn find(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).decoding.get(kid).cloned()
    }

    fn fetched_recently(&self) -> bool {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.fetched_at.is_some_and(|at| at.elapsed() < REFRESH_INTERVAL)
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
        match fetched {
            Ok(set) if set != keys.set => {
                *keys = Keys::new(set, Some(Instant::now()));
                // A key may have been withdrawn: what it verified must be verified again.
                self.verified.lock().unwrap_or_else(|e| e.into_inner()).clear();
            }
            Ok(_) => keys.fetched_at = Some(Instant::now()),
            Err(e) => {
                keys.fetched_at = Some(Instant::now());
                tracing::warn!(error = %e, url, "could not fetch the JWKS; keeping the cached keys");
            }
        }
        Ok(())
    }

    /// Verifies `token` and returns the caller's user id and claims.
    pub async fn verify(&self, token: &str) -> Result<(UserId, Arc<Claims>), ApiError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(hit) = self.cached(&digest) {
            return Ok((hit.user, hit.claims));
        }
        let verified = self.verify_uncached(token).await?;
        // Within the leeway a token past its `exp` still verifies, but it is never remembered.
        if verified.claims.exp > now_secs() {
            self.verified.lock().unwrap_or_else(|e| e.into_inner()).put(digest, verified.clone());
        }
        Ok((verified.user, verified.claims))
    }

    fn cached(&self, digest: &[u8; 32]) -> Option<Verified> {
        let mut cache = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        match cache.get(digest) {
            Some(hit) if hit.claims.exp > now_secs() => Some(hit.clone()),
            Some(_) => {
                cache.pop(digest);
                None
            }
            None => None,
        }
    }

    async fn verify_uncached(&self, token: &str) -> Result<Verified, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| unauthorized("malformed token"))?;
        if header.alg != Algorithm::RS256 {
            return Err(unauthorized("unsupported token algorithm"));
        }
        let kid = header.kid.ok_or_else(|| unauthorized("token names no signing key"))?;
        let key = match self.find(&kid) {
            Some(key) => key,
            None => {
                self.refresh().await?;
                self.find(&kid).ok_or_else(|| unauthorized("unknown signing key"))?
            }
        };
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation).map_err(|e| {
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
        Ok(Verified { user, claims: Arc::new(claims) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::keys::{load_or_create, SigningKey};
    use serde_json::json;

    const ISSUER: &str = "https://issuer.test";

    fn token(key: &SigningKey, exp: u64) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        let claims = json!({"sub": "alice", "exp": exp, "iss": ISSUER, "token_use": "access", "client_id": "app"});
        jsonwebtoken::encode(&header, &claims, &key.encoding).expect("sign")
    }

    fn cached_tokens(verifier: &TokenVerifier) -> usize {
        verifier.verified.lock().expect("cache").len()
    }

    /// A JWKS host whose key set the test replaces.
    async fn jwks_host(initial: JwkSet) -> (String, Arc<Mutex<JwkSet>>) {
        let published = Arc::new(Mutex::new(initial));
        let served = published.clone();
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let set = served.lock().expect("jwks").clone();
                async move { axum::Json(set) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/jwks.json", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, published)
    }

    #[tokio::test]
    async fn a_verified_token_is_remembered_until_its_expiry_and_never_past_it() {
        let dir = tempfile::tempdir().expect("dir");
        let key = load_or_create(&dir.path().join("key.pem")).expect("key");
        let verifier = TokenVerifier::new(ISSUER, "app", KeySource::Static(key.jwks.clone()));
        let fresh = token(&key, now_secs() + 600);
        for _ in 0..3 {
            assert_eq!(verifier.verify(&fresh).await.expect("verified").0.as_str(), "alice");
        }
        assert_eq!(cached_tokens(&verifier), 1, "one entry however often it is used");

        // Past its `exp` but within the leeway it still verifies, but is not remembered.
        verifier.verify(&token(&key, now_secs() - 10)).await.expect("within the leeway");
        assert_eq!(cached_tokens(&verifier), 1);

        // A remembered token whose `exp` passes is dropped and verified from scratch.
        let short = token(&key, now_secs() + 1);
        verifier.verify(&short).await.expect("verified");
        assert_eq!(cached_tokens(&verifier), 2);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        verifier.verify(&short).await.expect("still within the leeway");
        assert_eq!(cached_tokens(&verifier), 1, "the expired entry is gone and not put back");

        // Tokens that fail are never remembered; nor is a tampered copy of a good one accepted.
        let mut forged = fresh.clone();
        forged.pop();
        assert!(verifier.verify(&forged).await.is_err());
        assert!(verifier.verify(&token(&key, now_secs() - 3600)).await.is_err(), "long expired");
        assert_eq!(cached_tokens(&verifier), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_withdrawn_signing_key_empties_the_cache() {
        let dir = tempfile::tempdir().expect("dir");
        let old = load_or_create(&dir.path().join("old.pem")).expect("key");
        let new = load_or_create(&dir.path().join("new.pem")).expect("key");
        let (url, published) = jwks_host(old.jwks.clone()).await;
        let verifier = TokenVerifier::new(ISSUER, "app", KeySource::remote(url).expect("source"));
        let signed_by_old = token(&old, now_secs() + 600);
        verifier.verify(&signed_by_old).await.expect("verified with the published key");
        assert_eq!(cached_tokens(&verifier), 1);

        // The issuer withdraws the old key; the next refetch (here: forced past the refresh
        // interval) sees it gone, and nothing it verified stays accepted.
        *published.lock().expect("jwks") = new.jwks.clone();
        verifier.keys.write().expect("keys").fetched_at = None;
        verifier.verify(&token(&new, now_secs() + 600)).await.expect("verified with the new key");
        assert_eq!(cached_tokens(&verifier), 1, "only the new key's token");
        let refused = verifier.verify(&signed_by_old).await.expect_err("the old key is gone");
        assert!(refused.to_string().contains("unknown signing key"), "{refused}");
    }
}
