//! HMAC-SHA256 signatures for the embedded store's presigned requests.
//!
//! Each signature covers a purpose label and a list of fields, length-prefixed so that no two
//! different field lists can produce the same signed message.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies presigned requests with one secret key.
#[derive(Clone)]
pub(crate) struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<redacted>)")
    }
}

impl Signer {
    pub(crate) fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    pub(crate) fn random() -> Self {
        Self::new(rand::random())
    }

    fn mac(&self, purpose: &str, fields: &[&str]) -> HmacSha256 {
        // A 32-byte key is always a valid HMAC key; `new_from_slice` cannot fail here.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        for part in std::iter::once(purpose).chain(fields.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac
    }

    /// Hex signature of `fields` for `purpose`.
    pub(crate) fn sign(&self, purpose: &str, fields: &[&str]) -> String {
        hex::encode(self.mac(purpose, fields).finalize().into_bytes())
    }

    /// Constant-time check of a hex signature.
    pub(crate) fn verify(&self, purpose: &str, fields: &[&str], signature: &str) -> bool {
        match hex::decode(signature) {
            Ok(sig) => self.mac(purpose, fields).verify_slice(&sig).is_ok(),
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_purpose_and_field_boundaries() {
        let s = Signer::random();
        let sig = s.sign("get", &["ab", "c"]);
        assert!(s.verify("get", &["ab", "c"], &sig));
        assert!(!s.verify("get", &["a", "bc"], &sig));
        assert!(!s.verify("put", &["ab", "c"], &sig));
        assert!(!s.verify("get", &["ab", "c"], "zz"));
        assert!(!Signer::random().verify("get", &["ab", "c"], &sig));
    }
}
