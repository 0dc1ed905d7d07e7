//! The provider's RSA signing key, persisted (PKCS#1 PEM, mode 0600) so tokens survive restarts.

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::EncodingKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use std::path::Path;

/// A signing key: the private half for tokens, the public half as a JWKS.
pub struct SigningKey {
    /// Key id, derived from the public key (stable across restarts).
    pub kid: String,
    /// For `jsonwebtoken::encode`.
    pub encoding: EncodingKey,
    /// The public key as a JWKS document.
    pub jwks: JwkSet,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Loads the key at `path`, generating and saving a 2048-bit key the first time.
pub fn load_or_create(path: &Path) -> Result<SigningKey, BoxError> {
    let private = match std::fs::read_to_string(path) {
        Ok(pem) => RsaPrivateKey::from_pkcs1_pem(&pem)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)?;
            let pem = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            std::io::Write::write_all(&mut options.open(path)?, pem.as_bytes())?;
            key
        }
        Err(e) => return Err(e.into()),
    };
    let pem = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (n, e) = (private.n().to_bytes_be(), private.e().to_bytes_be());
    let kid = hex_prefix(&Sha256::digest(&n));
    let jwks: JwkSet = serde_json::from_value(serde_json::json!({
        "keys": [{ "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": b64.encode(&n), "e": b64.encode(&e) }]
    }))?;
    Ok(SigningKey { kid, encoding: EncodingKey::from_rsa_pem(pem.as_bytes())?, jwks })
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(10).map(|b| format!("{b:02x}")).collect()
}
