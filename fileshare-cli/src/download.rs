//! `fileshare download`: fetches a short-lived link from the API and streams the bytes into a
//! temporary file beside the target, then renames it into place — an interrupted download never
//! leaves a partial file under the real name, and an existing file is only replaced with `--force`.

use crate::client::{api_path, storage_error, Api};
use crate::error::{CliError, Result};
use futures_util::StreamExt;
use reqwest::Method;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Bytes gathered before each write to disk.
const WRITE_BUFFER: usize = 1024 * 1024;

/// Where the bytes go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Standard output (`-o -`).
    Stdout,
    /// This file.
    File(PathBuf),
}

/// A server-provided name, if it is one plain path component (nothing that could leave the directory).
pub fn safe_file_name(name: &str) -> Result<&str> {
    if Path::new(name).file_name().is_some_and(|base| base == name) {
        Ok(name)
    } else {
        Err(CliError::Rejected(format!("refusing the server's file name {name:?}; pass -o PATH")))
    }
}

/// Downloads file `id` to `output` (default: its name in the current directory); returns the path.
pub async fn download(api: &mut Api, id: &str, output: Option<PathBuf>, force: bool, quiet: bool) -> Result<Output> {
    let file = api.call(Method::GET, &api_path(&["files", id]), None).await?;
    let name = file["name"].as_str().unwrap_or_default().to_owned();
    let size = file["size"].as_u64().unwrap_or_default();
    let target = target(output, &name, force)?;
    let link = api.call(Method::GET, &api_path(&["files", id, "download-url"]), None).await?;
    let url = link["url"].as_str().ok_or_else(|| CliError::Rejected("no download url in reply".into()))?;
    save(&api.http, url, &Download { name, size, target, force, quiet }).await
}

/// Where a download of `name` goes: `output` (a file, a directory, `-`), else `name` here; an
/// existing file only with `force`.
pub fn target(output: Option<PathBuf>, name: &str, force: bool) -> Result<Output> {
    let target = match output {
        Some(path) if path.as_os_str() == "-" => Output::Stdout,
        Some(path) if path.is_dir() => Output::File(path.join(safe_file_name(name)?)),
        Some(path) => Output::File(path),
        None => Output::File(PathBuf::from(safe_file_name(name)?)),
    };
    if let Output::File(path) = &target {
        if !force && path.exists() {
            return Err(CliError::Conflict(format!("{} exists; pass --force to replace it", path.display())));
        }
    }
    Ok(target)
}

/// A download about to be fetched from a presigned URL.
pub struct Download {
    /// The file's name (for the progress bar).
    pub name: String,
    /// Its exact size: fewer bytes are an error.
    pub size: u64,
    /// Where it goes.
    pub target: Output,
    /// Replace an existing file.
    pub force: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// Streams the presigned `url` into `download.target`.
pub async fn save(http: &reqwest::Client, url: &str, download: &Download) -> Result<Output> {
    let response = http.get(url).send().await.map_err(|e| CliError::network(url, &e))?;
    if !response.status().is_success() {
        return Err(storage_error(response).await);
    }
    let (size, target) = (download.size, &download.target);
    let bar = crate::progress::bytes_bar(size, &download.name, download.quiet || *target == Output::Stdout);
    let result = match target {
        Output::Stdout => write_stream(response, &mut tokio::io::stdout(), Path::new("-"), size, &bar, url).await,
        Output::File(path) => write_file(response, path, size, download.force, &bar, url).await,
    };
    bar.finish_and_clear();
    result.map(|()| target.clone())
}

async fn write_file(
    response: reqwest::Response,
    path: &Path,
    size: u64,
    force: bool,
    bar: &indicatif::ProgressBar,
    url: &str,
) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new().prefix(".fileshare-download-").tempfile_in(dir).map_err(CliError::io(dir))?;
    let file = tokio::fs::File::from_std(temp.as_file().try_clone().map_err(CliError::io(temp.path()))?);
    // Network chunks are small; batching them saves a blocking write per chunk.
    let mut file = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    write_stream(response, &mut file, temp.path(), size, bar, url).await?;
    file.get_ref().sync_all().await.map_err(CliError::io(temp.path()))?;
    let persisted = if force { temp.persist(path) } else { temp.persist_noclobber(path) };
    persisted.map(drop).map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => {
            CliError::Conflict(format!("{} appeared meanwhile; pass --force to replace it", path.display()))
        }
        _ => CliError::io(path)(e.error),
    })
}

async fn write_stream(
    response: reqwest::Response,
    out: &mut (impl tokio::io::AsyncWrite + Unpin),
    path: &Path,
    size: u64,
    bar: &indicatif::ProgressBar,
    url: &str,
) -> Result<()> {
    let mut received = 0u64;
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| CliError::network(url, &e))?;
        out.write_all(&chunk).await.map_err(CliError::io(path))?;
        received += chunk.len() as u64;
        bar.inc(chunk.len() as u64);
    }
    out.flush().await.map_err(CliError::io(path))?;
    if received != size {
        return Err(CliError::Rejected(format!("download ended after {received} of {size} bytes; try again")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn server_names_cannot_escape_the_directory() {
        for good in ["report.pdf", "résumé 2026.txt", ".env"] {
            assert_eq!(safe_file_name(good).expect(good), good);
        }
        for bad in ["../../.bashrc", "/etc/passwd", "a/b", "..", ".", ""] {
            assert!(safe_file_name(bad).is_err(), "{bad:?} accepted");
        }
    }
}
