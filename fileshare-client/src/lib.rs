//! # fileshare-client
//!
//! A typed client of the fileshare HTTP API — the local service or a deployment on AWS alike. It
//! speaks only the public API and presigned storage URLs, with the wire types of
//! [`fileshare_api`], so a change of the API shows here as a compile error.
//!
//! - **Log in** with the service's built-in identity provider or a Cognito user pool
//!   ([`Provider`]); the access token is refreshed before it expires and once more on a 401, one
//!   refresh at a time however many calls run at once. Sessions can live in memory or in the
//!   `fileshare` CLI's credentials file ([`SessionStore`], [`Client::from_env`]).
//! - **Every operation**, typed: files, listings, shares (by name or id), download URLs, share
//!   links, usage.
//! - **Uploads** ([`Client::upload`]) from a file, memory or a reader, straight to storage: one PUT,
//!   or parts in parallel above a threshold; each PUT retried after a transient failure; a
//!   [`Progress`] callback; a failed upload cleaned up.
//! - **Downloads** ([`Client::download`]) written to a temporary file and renamed into place, so a
//!   cut download never leaves a partial file under the real name.
//! - **Errors**: one [`Error`], with an [`ErrorKind`] to act on and the API's problem document
//!   where the API refused.
//!
//! ```no_run
//! # async fn demo() -> fileshare_client::Result<()> {
//! use fileshare_client::{Client, Destination, DownloadOptions, Progress, UploadOptions, UploadSource};
//!
//! let client = Client::from_env()?; // FILESHARE_ENDPOINT, and the session of `fileshare login`
//! let progress = Progress::new(|p| eprintln!("{} {}/{}", p.name, p.done, p.total));
//! let options = UploadOptions { progress: Some(progress), ..UploadOptions::default() };
//! let file = client.upload(UploadSource::path("video.mp4"), &options).await?;
//! client.download(&file.file_id, Destination::path("copy.mp4"), &DownloadOptions::default()).await?;
//! # Ok(()) }
//! ```

mod client;
pub mod cognito;
mod download;
mod error;
mod files;
mod gateway;
mod http;
mod identity;
mod links;
mod session;
mod transfer;
mod upload;

pub use client::{env, Client, ClientBuilder, DEFAULT_COGNITO_REGION, DEFAULT_ENDPOINT};
pub use download::{Destination, DownloadOptions};
pub use error::{Error, ErrorKind, Result};
pub use files::UserRef;
pub use fileshare_api::*;
pub use http::api_path;
pub use links::LinkRef;
pub use session::{Provider, Session, SessionInfo, SessionStore, SignUp};
pub use transfer::{Progress, TransferProgress};
pub use upload::{UploadOptions, UploadSource, DEFAULT_MULTIPART_THRESHOLD};
