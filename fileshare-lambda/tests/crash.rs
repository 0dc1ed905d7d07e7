//! `kill -9` in the middle of transfers, then a restart on the same data directory: what was
//! acknowledged is intact, nothing half-written is left after the start-up sweep, and both SQLite
//! databases pass `PRAGMA integrity_check`.

mod process;

use bytes::Bytes;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use tokio::process::Child;

const MIB: usize = 1024 * 1024;

async fn start(data: &Path) -> (Child, String) {
    process::start(data, &[]).await
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    async fn ticket(&self, name: &str, size: usize, multipart: bool) -> Value {
        let body =
            json!({"name": name, "size": size, "content_type": "application/octet-stream", "multipart": multipart});
        let (status, ticket) = self.call(reqwest::Method::POST, "/files/upload-url", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        ticket
    }

    async fn put(&self, url: &str, headers: &Value, body: reqwest::Body) -> reqwest::Result<reqwest::Response> {
        let mut request = self.http.put(process::at(&self.base, url).expect("url"));
        for (name, value) in headers.as_object().into_iter().flatten() {
            request = request.header(name, value.as_str().unwrap_or_default());
        }
        request.body(body).send().await
    }

    async fn download(&self, id: &str) -> Vec<u8> {
        let (status, link) = self.call(reqwest::Method::GET, &format!("/files/{id}/download-url"), None).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        let response = self
            .http
            .get(process::at(&self.base, link["url"].as_str().expect("url")).expect("url"))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.expect("body").to_vec()
    }
}

async fn log_in(base: &str, signup: bool) -> Client {
    let http = reqwest::Client::new();
    let token = process::log_in(&http, base, "crash-test", signup).await;
    Client { http, base: base.to_owned(), token }
}

/// A body that sends `sent` bytes of `fill`, then never ends (until the connection dies).
fn stalling_body(sent: usize, fill: u8) -> reqwest::Body {
    let chunks = (0..sent / MIB).map(move |_| Ok::<_, std::io::Error>(Bytes::from(vec![fill; MIB])));
    let stream = futures::stream::iter(chunks).chain(futures::stream::pending());
    reqwest::Body::wrap_stream(stream)
}

fn temp_files(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("objects/.tmp"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("integrity_check")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_transfer_then_restart_leaves_no_debris_and_loses_nothing_acknowledged() {
    let data = tempfile::tempdir().expect("tempdir");
    let (mut server, base) = start(data.path()).await;
    let client = log_in(&base, true).await;

    // Acknowledged before the crash: a completed file, and the first part of a multipart upload.
    let kept: Vec<u8> = (0..3 * MIB).map(|i| (i % 251) as u8).collect();
    let ticket = client.ticket("kept.bin", kept.len(), false).await;
    let response =
        client.put(ticket["upload"]["url"].as_str().expect("url"), &ticket["upload"]["headers"], kept.clone().into());
    assert_eq!(response.await.expect("upload").status(), StatusCode::OK);
    let kept_id = ticket["file_id"].as_str().expect("id").to_owned();
    let multipart_size = 17 * MIB;
    let multipart = client.ticket("parts.bin", multipart_size, true).await;
    let parts = multipart["multipart"]["parts"].as_array().expect("parts").clone();
    let part_one = vec![1u8; 8 * MIB];
    let response = client.put(parts[0]["url"].as_str().expect("url"), &Value::Null, part_one.into()).await;
    let response = response.expect("part 1");
    assert_eq!(response.status(), StatusCode::OK);
    let etag_one = response.headers()["etag"].to_str().expect("etag").to_owned();

    // In flight at the crash: a large single upload and the second part, both half sent.
    let big = client.ticket("big.bin", 200 * MIB, false).await;
    let in_flight = [
        (big["upload"]["url"].as_str().expect("url").to_owned(), big["upload"]["headers"].clone(), 40 * MIB),
        (parts[1]["url"].as_str().expect("url").to_owned(), Value::Null, 4 * MIB),
    ];
    let mut transfers = Vec::new();
    for (url, headers, sent) in in_flight {
        let client = Client { http: client.http.clone(), base: client.base.clone(), token: client.token.clone() };
        transfers.push(tokio::spawn(async move { client.put(&url, &headers, stalling_body(sent, 9)).await }));
    }
    for _ in 0..200 {
        if temp_files(data.path()).len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // let bytes reach the temp files
    assert_eq!(temp_files(data.path()).len(), 2, "both transfers are being written");
    server.start_kill().expect("kill -9");
    server.wait().await.expect("killed");
    for transfer in transfers {
        assert!(transfer.await.expect("task").is_err(), "the connection died with the server");
    }
    assert_eq!(temp_files(data.path()).len(), 2, "a killed process leaves its temp files");

    // Restart on the same directory: the start-up sweep removes the debris.
    let (mut server, base) = start(data.path()).await;
    for _ in 0..100 {
        if temp_files(data.path()).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(temp_files(data.path()), Vec::<String>::new(), "no debris after the start-up sweep");
    let client = log_in(&base, false).await;
    assert!(client.download(&kept_id).await == kept, "the file completed before the crash is intact");
    let (status, big) =
        client.call(reqwest::Method::GET, &format!("/files/{}", big["file_id"].as_str().unwrap_or("")), None).await;
    assert_eq!(
        (status, big["status"].as_str()),
        (StatusCode::OK, Some("pending")),
        "the cut-off upload stored nothing"
    );

    // The multipart upload resumes: part 1 survived; send the rest and complete.
    let mut completed = vec![json!({"part_number": 1, "etag": etag_one})];
    for (i, part) in parts.iter().enumerate().skip(1) {
        let size = part["size"].as_u64().expect("size") as usize;
        let response = client.put(part["url"].as_str().expect("url"), &Value::Null, vec![i as u8 + 1; size].into());
        let response = response.await.expect("part");
        assert_eq!(response.status(), StatusCode::OK);
        completed.push(
            json!({"part_number": part["part_number"], "etag": response.headers()["etag"].to_str().expect("etag")}),
        );
    }
    let id = multipart["file_id"].as_str().expect("id");
    let (status, file) =
        client.call(reqwest::Method::POST, &format!("/files/{id}/complete"), Some(json!({"parts": completed}))).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let bytes = client.download(id).await;
    assert_eq!(bytes.len(), multipart_size);
    assert!(bytes[..8 * MIB].iter().all(|b| *b == 1) && bytes[8 * MIB..16 * MIB].iter().all(|b| *b == 2));

    server.start_kill().expect("stop");
    server.wait().await.expect("stopped");
    assert_eq!(integrity(&data.path().join("fileshare.db")), "ok");
    assert_eq!(integrity(&data.path().join("identity/identity.db")), "ok");
}
