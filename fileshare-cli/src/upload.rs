//! `fileshare upload`: asks the API for presigned targets, streams the file straight to storage (one
//! PUT, or concurrent part PUTs for large files), then completes the upload. The file is read
//! in fixed-size chunks, so memory stays flat whatever its size; transient failures are retried
//! ([`crate::transfer`]).

use crate::client::{api_path, Api};
use crate::error::{CliError, Result};
use crate::transfer::{accepted, body, unreachable_storage, with_retries, Attempt, Failure, Progress};
use futures_util::{StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::SeekFrom;
use std::path::Path;
use tokio::io::AsyncSeekExt;

/// Parts in flight at once.
const PARALLEL_PARTS: usize = 4;

/// How to upload.
#[derive(Clone, Debug)]
pub struct UploadOptions {
    /// Overrides the content type guessed from the file name.
    pub content_type: Option<String>,
    /// Files larger than this go in parts.
    pub multipart_threshold: u64,
    /// No progress bar.
    pub quiet: bool,
}

#[derive(Deserialize)]
struct Ticket {
    file_id: String,
    upload: Option<Single>,
    multipart: Option<Plan>,
}

#[derive(Deserialize)]
struct Single {
    url: String,
    headers: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Plan {
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    part_number: u32,
    size: u64,
    url: String,
}

/// Uploads `path` and returns the file as the API describes it once available.
pub async fn upload(api: &mut Api, path: &Path, options: &UploadOptions) -> Result<Value> {
    let metadata = tokio::fs::metadata(path).await.map_err(CliError::io(path))?;
    if !metadata.is_file() {
        return Err(CliError::Usage(format!("{} is not a file", path.display())));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| CliError::Usage(format!("{}: the file name is not valid UTF-8", path.display())))?;
    let content_type = match &options.content_type {
        Some(content_type) => content_type.clone(),
        None => mime_guess::from_path(path).first_or_octet_stream().essence_str().to_owned(),
    };
    let size = metadata.len();
    let request = json!({
        "name": name, "size": size, "content_type": content_type,
        "multipart": size > options.multipart_threshold,
    });
    let ticket: Ticket = serde_json::from_value(api.call(Method::POST, "/files/upload-url", Some(&request)).await?)
        .map_err(|e| CliError::Rejected(format!("unexpected upload ticket: {e}")))?;
    let progress = Progress::new(crate::progress::bytes_bar(size, name, options.quiet));
    let sent = match (&ticket.upload, &ticket.multipart) {
        (Some(single), _) => {
            let send = |attempt| send_single(&api.http, single, path, size, attempt);
            with_retries(&progress, send).await.map(|()| json!({}))
        }
        (None, Some(plan)) => send_parts(&api.http, plan, path, &progress).await.map(|parts| json!({ "parts": parts })),
        (None, None) => Err(CliError::Rejected("the upload ticket has neither a form nor parts".into())),
    };
    progress.finish();
    let completion = match sent {
        Ok(body) => api.call(Method::POST, &api_path(&["files", &ticket.file_id, "complete"]), Some(&body)).await,
        Err(e) => Err(e),
    };
    if completion.is_err() {
        // Leave nothing half-done behind: the pending record, its bytes or parts.
        let _ = api.call(Method::DELETE, &api_path(&["files", &ticket.file_id]), None).await;
    }
    completion
}

async fn open(path: &Path) -> Result<tokio::fs::File> {
    tokio::fs::File::open(path).await.map_err(CliError::io(path))
}

async fn send_single(
    http: &reqwest::Client,
    single: &Single,
    path: &Path,
    size: u64,
    attempt: Attempt,
) -> Result<(), Failure> {
    let mut request = http.put(&single.url).header(reqwest::header::CONTENT_LENGTH, size);
    for (name, value) in &single.headers {
        request = request.header(name, value);
    }
    let response =
        request.body(body(open(path).await?, size, attempt)).send().await.map_err(unreachable_storage(&single.url))?;
    // 412: the bytes are there already — an earlier try landed but its answer was lost. An upload
    // URL stores once, so they are ours; completing checks their size.
    if response.status() == reqwest::StatusCode::PRECONDITION_FAILED {
        return Ok(());
    }
    accepted(response).await.map(drop)
}

async fn send_parts(http: &reqwest::Client, plan: &Plan, path: &Path, progress: &Progress) -> Result<Vec<Value>> {
    let mut offset = 0;
    let mut placed = Vec::with_capacity(plan.parts.len());
    for part in &plan.parts {
        placed.push((part, offset));
        offset += part.size;
    }
    let mut parts: Vec<(u32, String)> = futures_util::stream::iter(placed)
        .map(|(part, offset)| with_retries(progress, move |attempt| send_part(http, part, offset, path, attempt)))
        .buffer_unordered(PARALLEL_PARTS)
        .try_collect()
        .await?;
    parts.sort_unstable_by_key(|(number, _)| *number);
    Ok(parts.into_iter().map(|(number, etag)| json!({"part_number": number, "etag": etag})).collect())
}

async fn send_part(
    http: &reqwest::Client,
    part: &Part,
    offset: u64,
    path: &Path,
    attempt: Attempt,
) -> Result<(u32, String), Failure> {
    let mut file = open(path).await?;
    file.seek(SeekFrom::Start(offset)).await.map_err(CliError::io(path))?;
    // Presigned part URLs sign the exact length: send it, not a chunked body.
    let response = http
        .put(&part.url)
        .header(reqwest::header::CONTENT_LENGTH, part.size)
        .body(body(file, part.size, attempt))
        .send()
        .await
        .map_err(unreachable_storage(&part.url))?;
    let response = accepted(response).await?;
    let etag = response.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let etag =
        etag.ok_or_else(|| CliError::Rejected(format!("storage returned no ETag for part {}", part.part_number)))?;
    Ok((part.part_number, etag))
}
