//! The crash driver: a mixed workload (single and multipart uploads, shares, unshares, share links
//! made, redeemed and revoked, deletes, downloads) from concurrent clients against the real local
//! server, `kill -9` at a random moment, a restart on the same data directory (whose start-up sweep
//! runs), then: everything acknowledged before the kill is intact, byte for byte (and every
//! acknowledged share, link, revocation and delete holds), and the invariant audit over the data
//! directory finds nothing.
//!
//! `FILESHARE_CRASH_ITERATIONS` kills (3 by default; `scripts/crash-soak` runs many).

mod process;

use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
use fileshare_core::testing::{audit, AuditScope};
use fileshare_core::{FileId, ObjectKey, UserId};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MIB: usize = 1024 * 1024;
/// The server's smallest part but the last (its default).
const PART: usize = 8 * MIB;
/// Three clients of one user, faster than a person: no rationing here (it is tested on its own).
const VARS: &[(&str, &str)] = &[("FILESHARE_USER_RATE", "10000")];

/// What the server acknowledged, and what it may or may not have done (in flight at the kill).
#[derive(Clone, Default)]
struct Model {
    /// Completed files and their bytes.
    files: BTreeMap<String, Vec<u8>>,
    /// Files shared with bob (the share was acknowledged).
    shared: BTreeSet<String>,
    /// Acknowledged deletes.
    deleted: BTreeSet<String>,
    /// Acknowledged share links (tokens) of each completed file.
    links: BTreeMap<String, Vec<String>>,
    /// Links that must be dead: acknowledged revocations, and the links of deleted files.
    dead_links: BTreeSet<String>,
    /// Every file id ever issued, whatever became of it.
    issued: BTreeSet<String>,
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn log_in(base: &str, username: &str, sign_up: bool) -> Self {
        let http = reqwest::Client::new();
        let token = process::log_in(&http, base, username, sign_up).await;
        Self { http, base: base.to_owned(), token }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<(StatusCode, Value), String> {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    async fn put(&self, url: &str, headers: &Value, body: Vec<u8>) -> Result<String, String> {
        let mut request = self.http.put(process::at(&self.base, url)?);
        for (name, value) in headers.as_object().into_iter().flatten() {
            request = request.header(name, value.as_str().unwrap_or_default());
        }
        let response = request.body(body).send().await.map_err(|e| e.to_string())?;
        if response.status() != StatusCode::OK {
            return Err(format!("upload answered {}", response.status()));
        }
        Ok(response.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned())
    }

    async fn download(&self, id: &str) -> Result<Vec<u8>, String> {
        let (status, link) = self.call(Method::GET, &format!("/files/{id}/download-url"), None).await?;
        if status != StatusCode::OK {
            return Err(format!("download-url answered {status}: {link}"));
        }
        let url = process::at(&self.base, link["url"].as_str().unwrap_or_default())?;
        let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        Ok(response.bytes().await.map_err(|e| e.to_string())?.to_vec())
    }

    /// Redeems a link with no account and downloads what it hands out.
    async fn redeem(&self, token: &str) -> Result<Result<Vec<u8>, StatusCode>, String> {
        let response = self
            .http
            .post(format!("{}/links/{token}/redeem", self.base))
            .json(&json!({}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status() != StatusCode::OK {
            return Ok(Err(response.status()));
        }
        let link: Value = response.json().await.map_err(|e| e.to_string())?;
        let url = process::at(&self.base, link["url"].as_str().unwrap_or_default())?;
        let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        Ok(Ok(response.bytes().await.map_err(|e| e.to_string())?.to_vec()))
    }

    async fn user_id(&self) -> String {
        let (_, me) = self.call(Method::GET, "/me", None).await.expect("me");
        me["user_id"].as_str().expect("user id").to_owned()
    }
}

fn random(n: usize) -> usize {
    (rand::random::<u64>() % n as u64) as usize
}

fn random_bytes(len: usize) -> Vec<u8> {
    let seed = rand::random::<u8>();
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

/// Uploads one file (in two parts if `multipart`) and records it once completed.
async fn upload(alice: &Client, model: &Mutex<Model>, multipart: bool) -> Result<(), String> {
    let data = random_bytes(if multipart { PART + 1000 } else { 1 + random(256 * 1024) });
    let body = json!({"name": "f.bin", "size": data.len(), "content_type": "application/octet-stream", "multipart": multipart});
    let (status, ticket) = alice.call(Method::POST, "/files/upload-url", Some(body)).await?;
    if status != StatusCode::CREATED {
        return Err(format!("upload-url answered {status}: {ticket}"));
    }
    let id = ticket["file_id"].as_str().unwrap_or_default().to_owned();
    lock(model).issued.insert(id.clone());
    let mut parts = Vec::new();
    if multipart {
        let mut offset = 0;
        for part in ticket["multipart"]["parts"].as_array().into_iter().flatten() {
            let size = part["size"].as_u64().unwrap_or_default() as usize;
            let etag = alice
                .put(part["url"].as_str().unwrap_or_default(), &Value::Null, data[offset..offset + size].to_vec())
                .await?;
            parts.push(json!({"part_number": part["part_number"], "etag": etag}));
            offset += size;
        }
    } else {
        alice
            .put(ticket["upload"]["url"].as_str().unwrap_or_default(), &ticket["upload"]["headers"], data.clone())
            .await?;
    }
    let (status, file) =
        alice.call(Method::POST, &format!("/files/{id}/complete"), Some(json!({"parts": parts}))).await?;
    if status != StatusCode::OK {
        return Err(format!("complete answered {status}: {file}"));
    }
    lock(model).files.insert(id, data);
    Ok(())
}

fn lock(model: &Mutex<Model>) -> std::sync::MutexGuard<'_, Model> {
    model.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A completed file taken out of the model, with what is known of it.
struct Taken {
    id: String,
    data: Vec<u8>,
    shared: bool,
    links: Vec<String>,
}

/// A completed file, if any, taken out of the model while an operation on it is in flight (so an
/// operation cut short by the kill leaves it unverified rather than wrongly expected).
fn take(model: &Mutex<Model>) -> Option<Taken> {
    let mut m = lock(model);
    let ids: Vec<String> = m.files.keys().cloned().collect();
    let id = ids.get(random(ids.len().max(1)))?.clone();
    let data = m.files.remove(&id)?;
    let shared = m.shared.remove(&id);
    let links = m.links.remove(&id).unwrap_or_default();
    Some(Taken { id, data, shared, links })
}

/// Puts a file back once its operation was acknowledged.
fn put_back(model: &Mutex<Model>, taken: Taken) {
    let mut m = lock(model);
    if taken.shared {
        m.shared.insert(taken.id.clone());
    }
    if !taken.links.is_empty() {
        m.links.insert(taken.id.clone(), taken.links);
    }
    m.files.insert(taken.id, taken.data);
}

/// One random operation.
async fn step(alice: &Client, bob_id: &str, model: &Mutex<Model>) -> Result<(), String> {
    // Bounded: past 60 acknowledged files, deletes (the check after each restart reads them all).
    let roll = if lock(model).files.len() > 60 { 99 } else { random(100) };
    if roll < 40 || lock(model).files.is_empty() {
        return upload(alice, model, roll < 5).await;
    }
    let Some(mut taken) = take(model) else { return Ok(()) };
    let id = taken.id.clone();
    match roll {
        40..=54 => {
            let got = alice.download(&id).await?;
            assert!(got == taken.data, "an acknowledged file came back different: {id}");
        }
        55..=66 => {
            let body = json!({"user_id": bob_id});
            let (status, share) = alice.call(Method::POST, &format!("/files/{id}/share"), Some(body)).await?;
            assert_eq!(status, StatusCode::OK, "{share}");
            taken.shared = true;
        }
        67..=74 => {
            let (status, _) = alice.call(Method::DELETE, &format!("/files/{id}/share/{bob_id}"), None).await?;
            let expected = if taken.shared { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND };
            assert_eq!(status, expected, "unsharing {id}");
            taken.shared = false;
        }
        75..=79 => {
            let (status, created) = alice.call(Method::POST, &format!("/files/{id}/links"), Some(json!({}))).await?;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            taken.links.push(created["token"].as_str().unwrap_or_default().to_owned());
        }
        80..=84 if !taken.links.is_empty() => {
            let token = &taken.links[random(taken.links.len())];
            let got = alice.redeem(token).await?;
            assert!(got.as_ref().ok() == Some(&taken.data), "an acknowledged link of {id} gave {:?}", got.err());
        }
        85..=87 if !taken.links.is_empty() => {
            let token = taken.links.swap_remove(random(taken.links.len()));
            let link_id = token.split_once('.').map(|(link, _)| link).unwrap_or_default();
            let (status, _) = alice.call(Method::DELETE, &format!("/files/{id}/links/{link_id}"), None).await?;
            assert_eq!(status, StatusCode::NO_CONTENT, "revoking a link of {id}");
            lock(model).dead_links.insert(token);
        }
        80..=87 => {}
        _ => {
            let (status, _) = alice.call(Method::DELETE, &format!("/files/{id}"), None).await?;
            assert_eq!(status, StatusCode::NO_CONTENT);
            let mut m = lock(model);
            m.deleted.insert(id);
            m.dead_links.extend(taken.links);
            return Ok(());
        }
    }
    put_back(model, taken);
    Ok(())
}

/// Runs clients until the server dies under them.
async fn workload(alice: Client, bob_id: String, model: Arc<Mutex<Model>>) {
    while step(&alice, &bob_id, &model).await.is_ok() {}
}

/// After the restart: every acknowledged file, share and delete holds.
async fn verify(alice: &Client, bob: &Client, model: &Model) {
    for (id, data) in &model.files {
        let got = alice.download(id).await.unwrap_or_else(|e| panic!("acknowledged file {id} lost: {e}"));
        assert!(&got == data, "acknowledged file {id} differs after the crash");
    }
    for id in &model.shared {
        let got = bob.download(id).await.unwrap_or_else(|e| panic!("acknowledged share of {id} lost: {e}"));
        assert!(Some(&got) == model.files.get(id), "bob reads other bytes of {id}");
    }
    for id in &model.deleted {
        let (status, _) = alice.call(Method::GET, &format!("/files/{id}"), None).await.expect("get");
        assert_eq!(status, StatusCode::NOT_FOUND, "acknowledged delete of {id} undone");
    }
    for (id, tokens) in &model.links {
        for token in tokens {
            let got = alice.redeem(token).await.expect("redeem");
            assert!(got.as_ref().ok() == model.files.get(id), "acknowledged link of {id} lost: {:?}", got.err());
        }
    }
    for token in &model.dead_links {
        let got = alice.redeem(token).await.expect("redeem");
        assert_eq!(got.err(), Some(StatusCode::NOT_FOUND), "a revoked or deleted link works again");
    }
}

/// The audit over the data directory (the server is stopped: its lock is free).
async fn audit_data_dir(data: &Path, owner: &str, bob: &str, issued: &BTreeSet<String>) {
    let files = LocalFileStore::open(data).await.expect("open files");
    let metadata = SqliteMetadataStore::open(data.join("fileshare.db")).await.expect("open sqlite");
    let owner = UserId::new(owner).expect("owner");
    let mut keys = BTreeSet::new();
    for user in files.object_owners().await.expect("owners") {
        keys.extend(files.object_keys(&user).await.expect("keys"));
    }
    keys.extend(issued.iter().filter_map(|id| id.parse::<FileId>().ok()).map(|id| ObjectKey::for_file(&owner, &id)));
    // Every pending upload, whether or not its client heard of it (the kill can come between the
    // record's commit and the answer): the audit checks each owner's usage against all their records.
    let far = chrono::Utc::now() + chrono::TimeDelta::days(365);
    keys.extend(metadata.expired_uploads(far, usize::MAX).await.expect("pending uploads").iter().map(|f| f.key()));
    let scope = AuditScope::of_keys(keys).with_users([UserId::new(bob).expect("bob")]);
    let now = chrono::Utc::now();
    // Uploads here are minutes old at most: none may have expired, so none may be left over.
    let found = audit(&files, &metadata, &scope, now, now - chrono::TimeDelta::days(1)).await.expect("audit");
    assert!(found.is_empty(), "the audit found {found:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_loses_nothing_acknowledged_and_breaks_no_invariant() {
    let iterations: usize = std::env::var("FILESHARE_CRASH_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let data = tempfile::tempdir().expect("tempdir");
    let model = Arc::new(Mutex::new(Model::default()));
    let (mut ids, mut kills) = (None, 0);
    for iteration in 0..iterations {
        let (mut server, base) = process::start(data.path(), VARS).await;
        let first = iteration == 0;
        let alice = Client::log_in(&base, "crash-alice", first).await;
        let bob = Client::log_in(&base, "crash-bob", first).await;
        let (alice_id, bob_id) = match &ids {
            Some(ids) => ids,
            None => ids.insert((alice.user_id().await, bob.user_id().await)),
        }
        .clone();

        let clients: Vec<_> =
            (0..3).map(|_| tokio::spawn(workload(alice.clone(), bob_id.clone(), model.clone()))).collect();
        tokio::time::sleep(Duration::from_millis(100 + random(1400) as u64)).await;
        server.start_kill().expect("kill -9");
        server.wait().await.expect("killed");
        kills += 1;
        for client in clients {
            client.await.expect("a client panicked: an acknowledged answer was wrong");
        }

        // Restart: the start-up sweep runs before the server listens; then check, stop, audit.
        let (mut server, base) = process::start(data.path(), VARS).await;
        let alice = Client::log_in(&base, "crash-alice", false).await;
        let bob = Client::log_in(&base, "crash-bob", false).await;
        // The clients are done: a copy of what they were told is what the restart must honour.
        let acknowledged = lock(&model).clone();
        verify(&alice, &bob, &acknowledged).await;
        server.start_kill().expect("stop");
        server.wait().await.expect("stopped");
        let issued = lock(&model).issued.clone();
        audit_data_dir(data.path(), &alice_id, &bob_id, &issued).await;
    }
    let m = lock(&model);
    eprintln!(
        "crash driver: {kills} kills; {} files acknowledged and intact, {} shares, {} live and {} dead links, \
         {} deletes, {} uploads issued",
        m.files.len(),
        m.shared.len(),
        m.links.values().map(Vec::len).sum::<usize>(),
        m.dead_links.len(),
        m.deleted.len(),
        m.issued.len()
    );
}
