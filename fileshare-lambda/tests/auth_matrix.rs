//! Every route × every kind of caller, over real HTTP: the documented status, and refused requests
//! change nothing. Bad tokens are forged the way attackers forge them.

mod common;

use base64::Engine;
use common::{start_embedded_with, Api, User};
use fileshare_lambda::idp::{LocalIdentityProvider, LOCAL_CLIENT_ID};
use reqwest::{Method, StatusCode};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Owner,
    Grantee,
    Stranger,
    NoToken,
    Expired,
    TamperedSignature,
    AlgNone,
    Hs256WithPublicKey,
    WrongIssuer,
    WrongClient,
    IdToken,
}

const ROUTES: [&str; 12] = [
    "upload-url",
    "complete",
    "list",
    "get",
    "download-url",
    "share",
    "unshare",
    "delete",
    "create-link",
    "list-links",
    "revoke-link",
    "redeem-link",
];

/// The documented status of `route` for `who` (the README's status list).
fn expected(who: Who, route: &str) -> StatusCode {
    use StatusCode as S;
    let owner = match route {
        "upload-url" | "create-link" => S::CREATED,
        "unshare" | "delete" | "revoke-link" => S::NO_CONTENT,
        _ => S::OK,
    };
    match who {
        // Holding the link's token is the permission: whatever else the request carries.
        _ if route == "redeem-link" => S::OK,
        Who::Owner => owner,
        Who::Grantee => match route {
            "upload-url" => S::CREATED, // their own new file
            "list" | "get" | "download-url" => S::OK,
            _ => S::FORBIDDEN,
        },
        Who::Stranger => match route {
            "upload-url" => S::CREATED,
            "list" => S::OK, // but the file is not in it
            _ => S::NOT_FOUND,
        },
        _ => S::UNAUTHORIZED,
    }
}

struct Forger {
    idp: LocalIdentityProvider,
    public_pem: String,
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}

impl Forger {
    fn new(server: &common::Server) -> Self {
        let dir = server.data.path().join("identity");
        let idp = LocalIdentityProvider::open(&dir, server.base.clone()).expect("open the provider's key");
        let pem = std::fs::read_to_string(dir.join("identity-key.pem")).expect("key");
        let key = rsa::RsaPrivateKey::from_pkcs1_pem(&pem).expect("pem");
        let public_pem = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).expect("public pem");
        Self { idp, public_pem }
    }

    fn claims(&self, issuer: &str, user: &User, exp: i64) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({"sub": user.id, "iss": issuer, "token_use": "access", "client_id": LOCAL_CLIENT_ID, "iat": now, "exp": exp})
    }

    fn token(&self, who: Who, user: &User, issuer: &str, id_token: &str) -> Option<String> {
        let now = chrono::Utc::now().timestamp();
        let valid = self.claims(issuer, user, now + 600);
        Some(match who {
            Who::Owner | Who::Grantee | Who::Stranger => user.token.clone(),
            Who::NoToken => return None,
            Who::Expired => self.idp.sign_claims(&self.claims(issuer, user, now - 3600)),
            Who::TamperedSignature => {
                let mut token = user.token.clone();
                let last = token.pop().expect("token");
                token.push(if last == 'A' { 'B' } else { 'A' });
                token
            }
            Who::AlgNone => format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(valid.to_string().as_bytes())),
            Who::Hs256WithPublicKey => {
                let kid = jsonwebtoken::decode_header(&user.token).expect("header").kid;
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
                header.kid = kid;
                let key = jsonwebtoken::EncodingKey::from_secret(self.public_pem.as_bytes());
                jsonwebtoken::encode(&header, &valid, &key).expect("hs256")
            }
            Who::WrongIssuer => self.idp.sign_claims(&self.claims("https://evil.example", user, now + 600)),
            Who::WrongClient => {
                let mut claims = valid;
                claims["client_id"] = json!("someone-elses-client");
                self.idp.sign_claims(&claims)
            }
            Who::IdToken => id_token.to_owned(),
        })
    }
}

/// Everything a refused request must leave untouched: the file and its links.
async fn snapshot(api: &Api, owner: &User, id: &str) -> Value {
    let (status, file) = api.call(Method::GET, &format!("/files/{id}"), Some(&owner.token), None).await;
    assert_eq!(status, StatusCode::OK, "the file must still exist: {file}");
    let (status, links) = api.call(Method::GET, &format!("/files/{id}/links"), Some(&owner.token), None).await;
    assert_eq!(status, StatusCode::OK, "{links}");
    json!({"file": file, "links": links})
}

#[tokio::test]
async fn every_route_for_every_caller() {
    // Hundreds of requests from one owner: lift the per-user rate limit (tested on its own elsewhere).
    let server = start_embedded_with(|c| c.user_rate = 100_000.0).await;
    let api = Api::new(&server);
    let forger = Forger::new(&server);
    let (owner, grantee, stranger) =
        (api.new_user("owner").await, api.new_user("grantee").await, api.new_user("stranger").await);
    let id_token = {
        let username = format!("idtok-{}", uuid::Uuid::new_v4().simple());
        let creds = json!({"username": username, "password": common::PASSWORD});
        api.call(Method::POST, "/auth/signup", None, Some(creds.clone())).await;
        let (_, tokens) = api.call(Method::POST, "/auth/login", None, Some(creds)).await;
        tokens["id_token"].as_str().expect("id token").to_owned()
    };
    let whos = [
        Who::Owner,
        Who::Grantee,
        Who::Stranger,
        Who::NoToken,
        Who::Expired,
        Who::TamperedSignature,
        Who::AlgNone,
        Who::Hs256WithPublicKey,
        Who::WrongIssuer,
        Who::WrongClient,
        Who::IdToken,
    ];
    let mut failures = Vec::new();
    for who in whos {
        for route in ROUTES {
            let id = api.upload(&owner, "plan.txt", "text/plain", b"the plan").await;
            let (status, _) = api
                .call(
                    Method::POST,
                    &format!("/files/{id}/share"),
                    Some(&owner.token),
                    Some(json!({"user_id": grantee.id})),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            let (status, link) =
                api.call(Method::POST, &format!("/files/{id}/links"), Some(&owner.token), Some(json!({}))).await;
            assert_eq!(status, StatusCode::CREATED, "{link}");
            let (link_id, link_token) = (&link["link"]["link_id"], link["token"].as_str().expect("token"));
            let before = snapshot(&api, &owner, &id).await;
            let subject = match who {
                Who::Grantee => &grantee,
                Who::Stranger => &stranger,
                _ => &owner, // forged tokens claim to be the owner
            };
            let token = forger.token(who, subject, &server.base, &id_token);
            let token = token.as_deref();
            let (method, path, body) = match route {
                "upload-url" => (
                    Method::POST,
                    "/files/upload-url".to_owned(),
                    Some(json!({"name": "n.txt", "size": 3, "content_type": "text/plain"})),
                ),
                "complete" => (Method::POST, format!("/files/{id}/complete"), None),
                "list" => (Method::GET, "/files?scope=all".to_owned(), None),
                "get" => (Method::GET, format!("/files/{id}"), None),
                "download-url" => (Method::GET, format!("/files/{id}/download-url"), None),
                "share" => (Method::POST, format!("/files/{id}/share"), Some(json!({"user_id": stranger.id}))),
                "unshare" => (Method::DELETE, format!("/files/{id}/share/{}", grantee.id), None),
                "create-link" => (Method::POST, format!("/files/{id}/links"), Some(json!({"max_downloads": 3}))),
                "list-links" => (Method::GET, format!("/files/{id}/links"), None),
                "revoke-link" => {
                    (Method::DELETE, format!("/files/{id}/links/{}", link_id.as_str().unwrap_or("")), None)
                }
                "redeem-link" => (Method::POST, format!("/links/{link_token}/redeem"), Some(json!({}))),
                _ => (Method::DELETE, format!("/files/{id}"), None),
            };
            let (status, response) = api.call(method, &path, token, body).await;
            let want = expected(who, route);
            if status != want {
                failures.push(format!("{who:?} × {route}: expected {want}, got {status} {response}"));
            }
            if route == "list" && status == StatusCode::OK {
                let listed =
                    response["files"].as_array().is_some_and(|f| f.iter().any(|f| f["file_id"] == id.as_str()));
                if listed != (who != Who::Stranger) {
                    failures.push(format!("{who:?} × list: file listed = {listed}"));
                }
            }
            if !status.is_success() && route != "redeem-link" {
                let after = snapshot(&api, &owner, &id).await;
                if after != before {
                    failures.push(format!("{who:?} × {route} was refused ({status}) but changed {before} → {after}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
