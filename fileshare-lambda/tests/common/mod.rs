//! A real server on 127.0.0.1 for each test, and a small client of its HTTP API.
#![allow(dead_code, unused_imports)] // each test file uses a different part of this

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub use fileshare_lambda::testing::{start, start_embedded, start_embedded_with, TestService as Server};

/// A user of the API.
#[derive(Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

/// The API's client.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

pub const PASSWORD: &str = "correct-Horse-battery-9";

impl Api {
    pub fn new(server: &Server) -> Self {
        Self { http: reqwest::Client::new(), base: server.base.clone() }
    }

    /// Sends `method path` with an optional token and JSON body; returns the status and JSON (or Null).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signs up and logs in a fresh user.
    pub async fn new_user(&self, name: &str) -> User {
        let username = format!("{name}-{}", uuid::Uuid::new_v4().simple());
        let (status, body) = self
            .call(Method::POST, "/auth/signup", None, Some(json!({"username": username, "password": PASSWORD})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, tokens) = self
            .call(Method::POST, "/auth/login", None, Some(json!({"username": username, "password": PASSWORD})))
            .await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        User {
            id: body["user_id"].as_str().expect("user id").to_owned(),
            token: tokens["access_token"].as_str().expect("token").to_owned(),
        }
    }

    /// Uploads `data` through the returned form and completes it; returns the file id.
    pub async fn upload(&self, user: &User, name: &str, content_type: &str, data: &[u8]) -> String {
        let (status, ticket) = self
            .call(
                Method::POST,
                "/files/upload-url",
                Some(&user.token),
                Some(json!({"name": name, "size": data.len(), "content_type": content_type})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        put_upload(&self.http, &ticket["upload"], data.to_vec()).await.expect("upload");
        let id = ticket["file_id"].as_str().expect("file id").to_owned();
        let (status, file) = self.call(Method::POST, &format!("/files/{id}/complete"), Some(&user.token), None).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(file["status"], "available");
        id
    }
}

/// PUTs `data` to a presigned single upload (`{method, url, headers}`), as any client would.
pub async fn put_upload(http: &reqwest::Client, upload: &Value, data: Vec<u8>) -> Result<(), String> {
    assert_eq!(upload["method"], "PUT", "{upload}");
    let mut request = http.put(upload["url"].as_str().expect("url"));
    for (name, value) in upload["headers"].as_object().expect("headers") {
        request = request.header(name, value.as_str().expect("header value"));
    }
    let response = request.body(data).send().await.map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{}: {}", response.status(), response.text().await.unwrap_or_default()))
    }
}

/// `fileshare-server` run as the operator's command (`quota …`) with `env`; its output. Panics
/// unless it succeeds.
pub fn operator(env: &[(&str, String)], args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fileshare-server"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("RUST_LOG", "error")
        .output()
        .expect("fileshare-server runs");
    let said = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "fileshare-server {args:?}: {said}");
    said
}
