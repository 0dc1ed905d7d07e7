//! Stage 3 — authentication with Cognito-shaped tokens: the built-in identity provider signs up and
//! logs in a user; the same verifier that checks Cognito's tokens (RS256 pinned, issuer, expiry,
//! `token_use`, `client_id`) turns the access token into the caller's user id. No server needed.
//! Run: `cargo run -p fileshare-examples --example 03_authentication`.

#[path = "common/mod.rs"]
mod common;

use fileshare_lambda::auth::{KeySource, TokenVerifier};
use fileshare_lambda::idp::{LocalIdentityProvider, LOCAL_CLIENT_ID};

#[tokio::main]
async fn main() -> common::Result<()> {
    let ex = common::open().await?;
    let keys = tempfile::tempdir()?;
    let idp = LocalIdentityProvider::open(keys.path(), "http://127.0.0.1:8080")?;
    let verifier = TokenVerifier::new(idp.issuer(), LOCAL_CLIENT_ID, KeySource::Static(idp.jwks().clone()));

    let username = format!("alice-{}", std::process::id());
    let sub = idp.sign_up(&username, "correct-Horse-battery-9").await.map_err(|e| e.to_string())?;
    println!("signed up {username}: sub {sub}");
    let refused = idp.log_in(&username, "wrong-Password-1").await;
    println!("wrong password: {}", refused.err().map(|e| e.to_string()).unwrap_or_default());
    let tokens = idp.log_in(&username, "correct-Horse-battery-9").await.map_err(|e| e.to_string())?;

    let (caller, claims) = verifier.verify(&tokens.access_token).await.map_err(|e| e.to_string())?;
    println!("access token verified: caller {caller}, token_use {:?}, client {:?}", claims.token_use, claims.client_id);
    let id_token = verifier.verify(&tokens.id_token).await;
    println!("id token as a bearer: {}", id_token.err().map(|e| e.to_string()).unwrap_or_default());

    // The verified subject is who the rules see.
    let file = ex.service.put_bytes(&caller, "mine.txt", "text/plain", "signed in".into()).await?;
    println!("{caller} owns {}", file.name);
    assert_eq!(caller.as_str(), sub);
    Ok(())
}
