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
    /// The HMAC already keyed: cloned for every signature.
    keyed: HmacSha256,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(<redacted>)")
    }
}

impl Signer {
    pub(crate) fn new(key: [u8; 32]) -> Self {
        // HMAC zero-pads a key shorter than its 64-byte block, so the padded key is the same key;
        // and a key of exactly the block size makes keying infallible by construction.
        let mut block = [0u8; 64];
        block[..key.len()].copy_from_slice(&key);
        Self { keyed: HmacSha256::new(&block.into()) }
    }

    pub(crate) fn random() -> Self {
        Self::new(rand::random())
    }

    fn mac(&self, purpose: &str, fields: &[&str]) -> HmacSha256 {
        let mut mac = self.keyed.clone();
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

    /// Padding the key to HMAC's block size is the same key: signatures are unchanged.
    #[test]
    fn block_padded_key_signs_as_the_key_itself() {
        let key = [7u8; 32];
        let mut reference = <HmacSha256 as KeyInit>::new_from_slice(&key).expect("any length is a valid HMAC key");
        for part in ["get", "ab"] {
            reference.update(&(part.len() as u64).to_be_bytes());
            reference.update(part.as_bytes());
        }
        assert_eq!(Signer::new(key).sign("get", &["ab"]), hex::encode(reference.finalize().into_bytes()));
    }
}
