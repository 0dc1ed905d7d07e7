//! `fileshare check-deployment`: the whole service, checked from outside as people use it — the
//! command an operator runs after `sam deploy`, and the one `./scripts/test` runs against the local
//! service in both modes, so that what gates CI is what vouches for a stack.
//!
//! Two test accounts (signed up if they do not exist; on Cognito, confirmed with the code given)
//! upload a small file and one in parts, share by name, open a share link with no account and see
//! its limit hold, see a link's password attempts rationed, unshare and delete — every byte
//! compared. Two checks are about storage's own answers, which its permissions decide: completing
//! an upload whose bytes never came is a 409 (S3 answers a missing key 404 only to a role that may
//! list the bucket, else 403 — a 5xx here), and a download URL taken before a delete answers 404. Around that: the page's security headers, the refusal of a request without a token
//! and of another origin's preflight (the API's, and storage's for a foreign origin while the
//! page's own may upload), and, with `--burst N`, that a burst of requests meets the gateway's
//! throttle with an answer clients understand. Each check prints one line; the first failure
//! ends the run (exit 1).

use crate::error::{CliError, Result};
use fileshare_client::{
    Client, Destination, DownloadOptions, ErrorKind, LinkBody, LinkRef, Provider, Scope, SignUp, UploadBody,
    UploadOptions, UploadSource, UserRef,
};
use reqwest::header::{HeaderMap, ACCESS_CONTROL_ALLOW_ORIGIN};
use reqwest::{Method, StatusCode};
use std::future::Future;
use std::time::Instant;

/// A foreign origin: what no deployment's CORS admits.
const FOREIGN_ORIGIN: &str = "https://check-deployment.invalid";
/// Sizes of the two uploads: one whole, one in parts (storage's smallest part is 5 MiB).
const SMALL: usize = 1024 * 1024 + 123;
const LARGE: usize = 11 * 1024 * 1024 + 7;
const PART_THRESHOLD: u64 = 5 * 1024 * 1024;

/// What the check needs to know.
pub struct Settings {
    /// The service.
    pub endpoint: String,
    /// The identity provider the accounts sign in with.
    pub provider: Provider,
    /// The two accounts' usernames (email addresses on Cognito).
    pub users: [String; 2],
    /// Their password.
    pub password: String,
    /// The code that confirms a new Cognito account (the test rig takes any).
    pub confirmation_code: Option<String>,
    /// Requests sent at once to `GET /health`, to meet the gateway's throttle (0: no burst).
    pub burst: usize,
}

/// A failed check, in words.
struct Failed(String);

type Check<T> = std::result::Result<T, Failed>;

fn fail<T>(why: impl Into<String>) -> Check<T> {
    Err(Failed(why.into()))
}

impl From<fileshare_client::Error> for Failed {
    fn from(e: fileshare_client::Error) -> Self {
        Failed(e.to_string())
    }
}

impl From<reqwest::Error> for Failed {
    fn from(e: reqwest::Error) -> Self {
        Failed(format!("HTTP: {e}"))
    }
}

/// Runs every check, printing each; the first failure ends it.
pub async fn run(settings: Settings) -> Result<()> {
    let mut checker = Checker { endpoint: settings.endpoint.trim_end_matches('/').to_owned(), passed: 0 };
    match checker.all(&settings).await {
        Ok(()) => {
            println!("deployment check passed: {} checks against {}", checker.passed, checker.endpoint);
            Ok(())
        }
        Err(Failed(why)) => Err(CliError::CheckFailed(why)),
    }
}

struct Checker {
    endpoint: String,
    passed: usize,
}

impl Checker {
    /// Runs one check, timed, and says how it went.
    async fn step<T>(&mut self, name: &str, check: impl Future<Output = Check<T>>) -> Check<T> {
        let started = Instant::now();
        match check.await {
            Ok(value) => {
                println!("ok    {name} ({} ms)", started.elapsed().as_millis());
                self.passed += 1;
                Ok(value)
            }
            Err(Failed(why)) => {
                println!("FAIL  {name}: {why}");
                Err(Failed(format!("{name}: {why}")))
            }
        }
    }

    async fn all(&mut self, settings: &Settings) -> Check<()> {
        let http = reqwest::Client::new();
        let endpoint = self.endpoint.clone();
        let url = |path: &str| format!("{endpoint}{path}");
        self.step("the API answers /health", health(&http, &url("/health"))).await?;
        self.step("the page is served with its security headers", page_headers(&http, &url("/"))).await?;
        self.step("a request without a token is refused", no_token(&http, &url("/files"))).await?;
        self.step("another origin may not call the API", api_cors(&http, &url("/files"))).await?;
        let alice = self.step("the first test account signs in", sign_in(settings, 0)).await?;
        let bob = self.step("the second test account signs in", sign_in(settings, 1)).await?;
        self.step("storage takes uploads from the page's origin, and no other", storage_cors(&http, &alice, &endpoint))
            .await?;
        let small = pattern(SMALL, 1);
        let file = self.step("a file uploads straight to storage", upload(&alice, "check-small.bin", &small)).await?;
        self.step("completing an upload whose bytes never came is refused (409)", early_completion(&alice)).await?;
        let large = pattern(LARGE, 2);
        let parts = self.step("a large file uploads in parts", upload(&alice, "check-large.bin", &large)).await?;
        self.step("the owner downloads the same bytes", same_bytes(&alice, &parts, &large)).await?;
        self.step("sharing by name reaches the other account", share(&alice, &bob, &settings.users[1], &file, &small))
            .await?;
        self.step("a share link works without an account, until its limit", link(&alice, &endpoint, &file, &small))
            .await?;
        self.step("a link's password attempts are rationed (429)", rationed(&alice, &endpoint, &file)).await?;
        self.step("unsharing takes effect at once", unshare(&alice, &bob, &bob_id(&bob).await?, &file)).await?;
        if let Provider::Cognito { client_id, endpoint } = &settings.provider {
            let pool = fileshare_client::cognito::UserPoolClient::new(http.clone(), endpoint, client_id);
            let taken = claim_address(settings, &pool, &alice, &bob);
            self.step("an account cannot take another's address by changing its own", taken).await?;
        }
        let deleted = "deleting removes the files, and storage answers their old URLs 404";
        self.step(deleted, delete(&http, &alice, &[&file, &parts])).await?;
        if settings.burst > 0 {
            self.step(
                "a burst meets the gateway's throttle with an answer clients read",
                burst(&http, &url("/health"), settings.burst),
            )
            .await?;
        }
        Ok(())
    }
}

/// Bytes that differ from offset to offset, so a misplaced part shows.
fn pattern(size: usize, seed: u8) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8 ^ seed).collect()
}

async fn health(http: &reqwest::Client, url: &str) -> Check<()> {
    let response = http.get(url).send().await?;
    if response.status() != StatusCode::OK {
        return fail(format!("{} (expected 200)", response.status()));
    }
    let body: serde_json::Value = response.json().await?;
    if body["status"] != "ok" {
        return fail(format!("answered {body}"));
    }
    Ok(())
}

/// The page's headers: a Content-Security-Policy that runs only its own scripts and cannot be
/// framed, no sniffing, no referrer (a link's page URL holds its token), and HSTS over HTTPS.
async fn page_headers(http: &reqwest::Client, url: &str) -> Check<()> {
    let response = http.get(url).send().await?;
    if response.status() != StatusCode::OK {
        return fail(format!("GET / answered {}", response.status()));
    }
    let headers = response.headers();
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let csp = get("content-security-policy");
    let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap_or("");
    let mut missing = Vec::new();
    if !csp.contains("frame-ancestors 'none'") || !script_src.contains("'self'") || script_src.contains("unsafe") {
        missing.push(format!("a strict Content-Security-Policy (got {csp:?})"));
    }
    for (name, want) in
        [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer"), ("x-frame-options", "DENY")]
    {
        if !get(name).eq_ignore_ascii_case(want) {
            missing.push(format!("{name}: {want}"));
        }
    }
    if url.starts_with("https://") && !get("strict-transport-security").contains("max-age=") {
        missing.push("Strict-Transport-Security".to_owned());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        fail(format!("missing {}", missing.join(", ")))
    }
}

async fn no_token(http: &reqwest::Client, url: &str) -> Check<()> {
    let status = http.get(url).send().await?.status();
    if status != StatusCode::UNAUTHORIZED {
        return fail(format!("GET /files without a token answered {status} (expected 401)"));
    }
    Ok(())
}

/// Whether a preflight's answer admits `origin`.
fn admits(headers: &HeaderMap, origin: &str) -> bool {
    headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).and_then(|v| v.to_str().ok()).is_some_and(|v| v == origin || v == "*")
}

async fn preflight(http: &reqwest::Client, url: &str, origin: &str, method: &str, headers: &str) -> Check<HeaderMap> {
    let response = http
        .request(Method::OPTIONS, url)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await?;
    Ok(response.headers().clone())
}

async fn api_cors(http: &reqwest::Client, url: &str) -> Check<()> {
    let answer = preflight(http, url, FOREIGN_ORIGIN, "GET", "authorization").await?;
    if admits(&answer, FOREIGN_ORIGIN) {
        return fail(format!("the API admits {FOREIGN_ORIGIN}"));
    }
    Ok(())
}

/// Logs the `i`-th test account in, signing it up first if it does not exist.
async fn sign_in(settings: &Settings, i: usize) -> Check<Client> {
    let client = Client::builder(&settings.endpoint).provider(settings.provider.clone()).build()?;
    let (user, password) = (&settings.users[i], &settings.password);
    match client.log_in(user, password).await {
        Ok(_) => return Ok(client),
        Err(e) if e.kind() == ErrorKind::Unauthenticated => {}
        Err(e) => return Err(e.into()),
    }
    match client.sign_up(user, password).await {
        Ok(SignUp::Created { .. }) => {}
        Ok(SignUp::ConfirmationNeeded) => {
            let Some(code) = &settings.confirmation_code else {
                return fail(format!("{user} was signed up and needs the code it was sent: pass --confirmation-code"));
            };
            client.confirm_sign_up(user, code).await?;
        }
        // It exists: the password above was wrong.
        Err(e) if e.kind() == ErrorKind::Conflict => return fail(format!("{user} exists, and the password is wrong")),
        Err(e) => return Err(e.into()),
    }
    client.log_in(user, password).await?;
    Ok(client)
}

/// Storage's CORS, where uploads go to another origin (S3): the page's origin may PUT with the
/// headers an upload signs; another origin may not. (On the embedded default uploads are the API's
/// own origin: nothing to ask.)
async fn storage_cors(http: &reqwest::Client, alice: &Client, endpoint: &str) -> Check<()> {
    let origin = |url: &str| reqwest::Url::parse(url).map(|u| u.origin().ascii_serialization());
    let page = origin(endpoint).map_err(|e| Failed(format!("{endpoint}: {e}")))?;
    let page = page.as_str();
    let body =
        UploadBody { name: "check-cors.txt".into(), size: 1, content_type: "text/plain".into(), multipart: false };
    let ticket = alice.create_upload(&body).await?;
    let Some(upload) = &ticket.upload else { return fail("a one-byte upload was planned in parts") };
    let url = upload.url.clone();
    let result = async {
        if origin(&url).map_err(|e| Failed(e.to_string()))? == page {
            return Ok(());
        }
        let headers = "content-type,content-disposition,if-none-match";
        if !admits(&preflight(http, &url, page, "PUT", headers).await?, page) {
            return fail(format!("storage refuses the page's own origin {page}"));
        }
        if admits(&preflight(http, &url, FOREIGN_ORIGIN, "PUT", headers).await?, FOREIGN_ORIGIN) {
            return fail(format!("storage admits {FOREIGN_ORIGIN}"));
        }
        Ok(())
    }
    .await;
    alice.delete_file(&ticket.file_id).await?;
    result
}

async fn upload(client: &Client, name: &str, data: &[u8]) -> Check<String> {
    let options = UploadOptions { multipart_threshold: PART_THRESHOLD, ..UploadOptions::default() };
    let file = client.upload(UploadSource::bytes(name, data.to_vec()), &options).await?;
    if file.size != data.len() as u64 {
        return fail(format!("stored {} bytes of {}", file.size, data.len()));
    }
    Ok(file.file_id)
}

async fn same_bytes(client: &Client, file_id: &str, expected: &[u8]) -> Check<()> {
    let got = client.download_bytes(file_id).await?;
    if got != expected {
        return fail(format!("{} bytes came back, not the {} uploaded", got.len(), expected.len()));
    }
    Ok(())
}

async fn share(alice: &Client, bob: &Client, bob_name: &str, file_id: &str, data: &[u8]) -> Check<()> {
    alice.share(file_id, &UserRef::Name(bob_name.to_owned()), None).await?;
    let shared = bob.list_all(Scope::Shared).await?;
    if !shared.iter().any(|f| f.file_id == file_id) {
        return fail(format!("{bob_name} does not see the file among those shared with them"));
    }
    same_bytes(bob, file_id, data).await
}

async fn link(alice: &Client, endpoint: &str, file_id: &str, data: &[u8]) -> Check<()> {
    let body = LinkBody { max_downloads: Some(1), ..LinkBody::default() };
    let created = alice.create_link(file_id, &body).await?;
    let anyone = Client::builder(endpoint).build()?;
    let link: LinkRef = created.url.parse()?;
    let info = anyone.link_info(&link).await?;
    let dir = tempfile::tempdir().map_err(|e| Failed(e.to_string()))?;
    let path = dir.path().join("download");
    anyone.download_link(&link, &info, None, Destination::path(&path), &DownloadOptions::default()).await?;
    if std::fs::read(&path).map_err(|e| Failed(e.to_string()))? != data {
        return fail("the link handed out other bytes");
    }
    match anyone.redeem_link(&link, None).await {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => fail(format!("a used-up link answered {e}")),
        Ok(_) => fail("a one-download link handed out a second download"),
    }
}

async fn rationed(alice: &Client, endpoint: &str, file_id: &str) -> Check<()> {
    let body = LinkBody { password: Some("check-Deployment-9".into()), ..LinkBody::default() };
    let link: LinkRef = alice.create_link(file_id, &body).await?.url.parse()?;
    let anyone = Client::builder(endpoint).build()?;
    for attempt in 1..=10 {
        match anyone.redeem_link(&link, Some("a wrong password")).await {
            Err(e) if e.kind() == ErrorKind::WrongPassword => {}
            Err(e) if e.kind() == ErrorKind::TooManyAttempts && e.retry_after().is_some() => return Ok(()),
            Err(e) if e.kind() == ErrorKind::TooManyAttempts => return fail("429 without Retry-After"),
            Err(e) => return fail(format!("wrong password {attempt} answered {e}")),
            Ok(_) => return fail("a wrong password was accepted"),
        }
    }
    fail("ten wrong passwords in a row, and no 429")
}

/// The attacker's side of sharing by name: bob sets his own address to alice's (through Cognito's
/// public API, with his access token) and signs in again, which records him in the directory. A
/// file shared "with alice's address" must still reach alice — had the directory taken bob's word,
/// bob would be sharing with himself, which the service refuses.
async fn claim_address(
    settings: &Settings,
    pool: &fileshare_client::cognito::UserPoolClient,
    alice: &Client,
    bob: &Client,
) -> Check<()> {
    let alice_address = &settings.users[0];
    match pool.request_email_change(&bob.access_token().await?, alice_address).await {
        // Refused outright (the address is another account's), or accepted pending its code.
        Err(e) if e.kind() == ErrorKind::Conflict => {}
        Err(e) => return Err(e.into()),
        Ok(()) => {}
    }
    bob.log_in(&settings.users[1], &settings.password).await?;
    let file = upload(bob, "check-claim.txt", b"for alice").await?;
    let shared = bob.share(&file, &UserRef::Name(alice_address.clone()), None).await;
    bob.delete_file(&file).await?;
    let alice_id = alice.me().await?.user_id;
    match shared {
        Ok(share) if share.user_id == alice_id => Ok(()),
        Ok(share) => fail(format!("{alice_address} now names {}, not alice", share.user_id)),
        Err(e) => fail(format!("sharing with {alice_address} after bob claimed it: {e}")),
    }
}

async fn bob_id(bob: &Client) -> Check<String> {
    Ok(bob.me().await?.user_id)
}

async fn unshare(alice: &Client, bob: &Client, bob_id: &str, file_id: &str) -> Check<()> {
    alice.unshare(file_id, &UserRef::Id(bob_id.to_owned())).await?;
    match bob.get_file(file_id).await {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => fail(format!("after unsharing, the grantee got {e}")),
        Ok(_) => fail("after unsharing, the grantee still sees the file"),
    }
}

async fn early_completion(alice: &Client) -> Check<()> {
    let body =
        UploadBody { name: "check-early.txt".into(), size: 1, content_type: "text/plain".into(), multipart: false };
    let ticket = alice.create_upload(&body).await?;
    let completed = alice.complete_upload(&ticket.file_id, &fileshare_client::CompleteBody::default()).await;
    alice.delete_file(&ticket.file_id).await?;
    match completed {
        Err(e) if e.kind() == ErrorKind::Conflict => Ok(()),
        Err(e) => fail(format!("answered {e} (storage's own answer for a missing object may be a 403)")),
        Ok(_) => fail("an upload with no bytes was completed"),
    }
}

async fn delete(http: &reqwest::Client, alice: &Client, files: &[&str]) -> Check<()> {
    for file_id in files {
        let url = alice.download_url(file_id, None).await?.url;
        alice.delete_file(file_id).await?;
        let status = http.get(&url).send().await?.status();
        if status != StatusCode::NOT_FOUND {
            return fail(format!("a deleted file's download URL answered {status} (expected 404)"));
        }
        match alice.get_file(file_id).await {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return fail(format!("a deleted file answered {e}")),
            Ok(_) => return fail("a deleted file is still there"),
        }
    }
    Ok(())
}

/// `n` requests at once: some must meet the throttle, answered as the service or API Gateway does
/// (a problem document or `{"message": …}`): what the clients know how to read and back off from.
async fn burst(http: &reqwest::Client, url: &str, n: usize) -> Check<()> {
    let sent = (0..n).map(|_| async { http.get(url).send().await });
    let answers = futures_util::future::join_all(sent).await;
    let mut throttled = 0;
    for answer in answers {
        let answer = answer?;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
            let body: serde_json::Value = answer.json().await.unwrap_or_default();
            if body.get("message").is_none() && body.get("status").is_none() {
                return fail(format!("a 429 with a body clients cannot read: {body}"));
            }
        }
    }
    if throttled == 0 {
        return fail(format!("{n} requests at once, none throttled"));
    }
    Ok(())
}
