//! The whole flow over real HTTP on the embedded default with the built-in identity provider.

mod common;

use common::{put_upload, start_embedded, start_embedded_with, Api};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn signup_upload_share_download_unshare_delete() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let (alice, bob) = (api.new_user("alice").await, api.new_user("bob").await);
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();

    // Upload: request → POST the form straight to storage → complete.
    let name = "résumé 2026 — 東京.pdf";
    let (status, ticket) = api
        .call(
            Method::POST,
            "/files/upload-url",
            Some(&alice.token),
            Some(json!({"name": name, "size": data.len(), "content_type": "application/pdf"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let id = ticket["file_id"].as_str().expect("id").to_owned();
    let (status, _) = api.call(Method::POST, &format!("/files/{id}/complete"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "completing before the bytes arrive");
    assert!(
        put_upload(&api.http, &ticket["upload"], data[..1000].to_vec()).await.is_err(),
        "wrong size is refused by the store"
    );
    put_upload(&api.http, &ticket["upload"], data.clone()).await.expect("upload");
    let (status, file) = api.call(Method::POST, &format!("/files/{id}/complete"), Some(&alice.token), None).await;
    assert_eq!((status, file["status"].as_str()), (StatusCode::OK, Some("available")), "{file}");

    // List.
    let (_, owned) = api.call(Method::GET, "/files?scope=owned", Some(&alice.token), None).await;
    assert_eq!(owned["files"][0]["file_id"], id.as_str());
    assert_eq!(owned["files"][0]["name"], name);

    // Share; bob sees it and downloads the exact bytes.
    let (status, share) = api
        .call(Method::POST, &format!("/files/{id}/share"), Some(&alice.token), Some(json!({"user_id": bob.id})))
        .await;
    assert_eq!(status, StatusCode::OK, "{share}");
    let (_, shared) = api.call(Method::GET, "/files?scope=shared", Some(&bob.token), None).await;
    assert_eq!(shared["files"][0]["file_id"], id.as_str());
    assert_eq!(shared["files"][0]["access"], "grantee");
    let (status, link) = api.call(Method::GET, &format!("/files/{id}/download-url"), Some(&bob.token), None).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let response = api.http.get(link["url"].as_str().expect("url")).send().await.expect("download");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''r%C3%A9sum%C3%A9%202026%20%E2%80%94%20%E6%9D%B1%E4%BA%AC.pdf"),
        "{disposition}"
    );
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.bytes().await.expect("body")[..] == data[..], "downloaded bytes differ");

    // Unshare: bob loses access at once.
    let (status, _) =
        api.call(Method::DELETE, &format!("/files/{id}/share/{}", bob.id), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, problem) = api.call(Method::GET, &format!("/files/{id}"), Some(&bob.token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["status"], 404);
    let (status, _) = api.call(Method::GET, &format!("/files/{id}/download-url"), Some(&bob.token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Delete.
    let (status, _) = api.call(Method::DELETE, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.call(Method::GET, &format!("/files/{id}"), Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn multipart_upload_through_the_blob_endpoints() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    let size = 9 * 1024 * 1024 + 123; // two parts of the default 8 MiB plan
    let data: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
    let (status, ticket) = api
        .call(
            Method::POST,
            "/files/upload-url",
            Some(&alice.token),
            Some(
                json!({"name": "big.bin", "size": size, "content_type": "application/octet-stream", "multipart": true}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let mut parts = Vec::new();
    let mut offset = 0usize;
    for part in ticket["multipart"]["parts"].as_array().expect("parts") {
        let len = part["size"].as_u64().expect("size") as usize;
        let response = api
            .http
            .put(part["url"].as_str().expect("url"))
            .body(data[offset..offset + len].to_vec())
            .send()
            .await
            .expect("put");
        assert_eq!(response.status(), StatusCode::OK);
        let etag = response.headers()["etag"].to_str().expect("etag").to_owned();
        parts.push(json!({"part_number": part["part_number"], "etag": etag}));
        offset += len;
    }
    let id = ticket["file_id"].as_str().expect("id");
    let (status, file) = api
        .call(Method::POST, &format!("/files/{id}/complete"), Some(&alice.token), Some(json!({"parts": parts})))
        .await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let (_, link) = api.call(Method::GET, &format!("/files/{id}/download-url"), Some(&alice.token), None).await;
    let body = api.http.get(link["url"].as_str().expect("url")).send().await.expect("get").bytes().await.expect("body");
    assert!(body[..] == data[..], "multipart bytes differ");
}

#[tokio::test]
async fn health_openapi_and_problem_documents() {
    let server = start_embedded().await;
    let api = Api::new(&server);
    let (status, health) = api.call(Method::GET, "/health", None, None).await;
    assert_eq!((status, health["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, doc) = api.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    for path in ["/files", "/files/upload-url", "/files/{id}/complete", "/files/{id}/share/{user_id}", "/auth/login"] {
        assert!(doc["paths"].get(path).is_some(), "openapi.json lacks {path}");
    }
    let alice = api.new_user("alice").await;
    let response = api
        .http
        .post(format!("{}/files/upload-url", api.base))
        .bearer_auth(&alice.token)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    for (body, status) in [
        (json!({"name": "a", "size": -1, "content_type": "text/plain"}), StatusCode::BAD_REQUEST),
        (json!({"name": "../a", "size": 1, "content_type": "text/plain"}), StatusCode::BAD_REQUEST),
        (json!({"name": "a", "size": 0, "content_type": "text/plain"}), StatusCode::BAD_REQUEST),
        (json!({"name": "a", "size": 6_000_000_000u64, "content_type": "text/plain"}), StatusCode::PAYLOAD_TOO_LARGE),
        (json!({"name": "a", "size": 1, "content_type": "text"}), StatusCode::BAD_REQUEST),
    ] {
        let (got, problem) = api.call(Method::POST, "/files/upload-url", Some(&alice.token), Some(body.clone())).await;
        assert_eq!(got, status, "{body} → {problem}");
        assert_eq!(problem["status"], status.as_u16());
    }
    let (status, _) = api.call(Method::GET, "/files?cursor=garbage", Some(&alice.token), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.call(Method::GET, "/nowhere", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn configured_max_upload_size_refuses_larger_files_single_or_multipart() {
    // FILESHARE_MAX_UPLOAD_BYTES, as the SAM template's MaxUploadBytes sets it.
    let server = start_embedded_with(|c| c.limits = c.limits.clone().with_max_file_size(1_000_000)).await;
    let api = Api::new(&server);
    let alice = api.new_user("alice").await;
    for multipart in [false, true] {
        let body = json!({"name": "big.bin", "size": 1_000_001, "content_type": "application/octet-stream", "multipart": multipart});
        let (status, problem) = api.call(Method::POST, "/files/upload-url", Some(&alice.token), Some(body)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "multipart={multipart}: {problem}");
        assert!(problem["detail"].as_str().unwrap_or_default().contains("1000000"), "{problem}");
    }
    let (_, files) = api.call(Method::GET, "/files", Some(&alice.token), None).await;
    assert_eq!(files["files"].as_array().map(Vec::len), Some(0), "refusals leave nothing behind: {files}");
    api.upload(&alice, "fits.bin", "application/octet-stream", &[7; 1_000_000]).await;
}
