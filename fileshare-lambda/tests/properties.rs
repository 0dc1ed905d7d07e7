//! Property tests for the parsers at the HTTP edge: bearer tokens (JWT parsing and verification)
//! and the configuration reader. Arbitrary input never panics and is refused with a typed error;
//! a genuine token with any one character changed is refused.

use fileshare_lambda::auth::{KeySource, TokenVerifier};
use fileshare_lambda::error::ApiError;
use fileshare_lambda::idp::{LocalIdentityProvider, LOCAL_CLIENT_ID};
use fileshare_lambda::ServiceConfig;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::HashMap;

/// Every variable the configuration reader reads.
const VARIABLES: &[&str] = &[
    "FILESHARE_ALLOWED_CONTENT_TYPES",
    "FILESHARE_BIND",
    "FILESHARE_BUCKET",
    "FILESHARE_CLIENT_ID",
    "FILESHARE_CORS_ORIGINS",
    "FILESHARE_DATA_DIR",
    "FILESHARE_DYNAMODB_ENDPOINT",
    "FILESHARE_EMF",
    "FILESHARE_GRANTEE_LINK_TTL",
    "FILESHARE_HEADER_TIMEOUT",
    "FILESHARE_IDLE_TIMEOUT",
    "FILESHARE_ISSUER",
    "FILESHARE_JWKS_URL",
    "FILESHARE_LOGIN_RATE",
    "FILESHARE_MAX_UPLOAD_BYTES",
    "FILESHARE_PUBLIC_URL",
    "FILESHARE_REQUEST_TIMEOUT",
    "FILESHARE_S3_ENDPOINT",
    "FILESHARE_TABLE",
    "FILESHARE_TRUSTED_PROXIES",
    "FILESHARE_USER_RATE",
];

/// Values shaped like what the variables take, and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{0,25}(\\.[0-9]{0,5})?",
        "(http|https|ftp)?://[a-z0-9.:\\[\\]]{0,30}(/[ -~]{0,10})?",
        "[0-9./,: ]{0,40}",
        "[a-z*/,; ]{0,30}",
        "\\PC{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn the_configuration_reader_accepts_or_names_the_variable(
        vars in proptest::collection::hash_map(proptest::sample::select(VARIABLES), value(), 0..6),
    ) {
        let vars: HashMap<&str, String> = vars;
        match ServiceConfig::from_lookup(|name| vars.get(name).cloned()) {
            Ok(_) => {}
            Err(e) => {
                let message = e.to_string();
                prop_assert!(VARIABLES.iter().any(|v| message.contains(v)), "{message}");
            }
        }
    }
}

#[test]
fn bearer_tokens_verify_only_as_issued() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let issuer = "http://127.0.0.1:8080";
    let idp = LocalIdentityProvider::open(dir.path(), issuer).expect("provider");
    let verifier = TokenVerifier::new(issuer, LOCAL_CLIENT_ID, KeySource::Static(idp.jwks().clone()));
    let token = runtime.block_on(async {
        idp.sign_up("prop-user", "correct-Horse-battery-9").await.expect("sign up");
        idp.log_in("prop-user", "correct-Horse-battery-9").await.expect("log in").access_token
    });
    assert!(runtime.block_on(verifier.verify(&token)).is_ok(), "a genuine token verifies");
    let refused =
        |candidate: &str| matches!(runtime.block_on(verifier.verify(candidate)), Err(ApiError::Unauthorized(_)));

    let mut runner = TestRunner::new(Config { cases: 3000, ..Config::default() });
    // Arbitrary text, and text shaped like a JWT (three base64url segments, some of them JSON).
    let junk = prop_oneof!["\\PC{0,300}", "[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,100}"];
    runner
        .run(&junk, |candidate| {
            prop_assert!(refused(&candidate), "{candidate:?}");
            Ok(())
        })
        .expect("arbitrary tokens are refused");
    let edits = (any::<prop::sample::Index>(), proptest::char::range('!', '~'));
    runner
        .run(&edits, |(at, replacement)| {
            let mut altered: Vec<char> = token.chars().collect();
            let i = at.index(altered.len());
            if altered[i] == replacement {
                return Ok(());
            }
            altered[i] = replacement;
            let altered: String = altered.into_iter().collect();
            // Base64url's last character may carry unused bits: a change there can decode to the same
            // bytes, which is the same token, not a forgery.
            let same = altered.split('.').map(decode).eq(token.split('.').map(decode));
            prop_assert!(same || refused(&altered), "{altered}");
            Ok(())
        })
        .expect("altered tokens are refused");
}

fn decode(segment: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment).ok()
}
