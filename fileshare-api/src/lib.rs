//! # fileshare-api
//!
//! The wire contract of the fileshare HTTP API: every JSON body a request sends or a response
//! returns, and the problem documents errors are. The server (`fileshare-lambda`) and every client
//! (`fileshare-client`, the `fileshare` CLI, the Python bindings) compile against these types, so
//! a change to the API that a client does not follow is a compile error, not a surprise at run time.
//!
//! - Field names and shapes are exactly what travels; closed sets of values are Rust enums
//!   ([`FileStatus`], [`Access`], [`Permission`], [`Scope`], [`ProblemType`]).
//! - Every type serialises *and* deserialises: the server writes what clients read and reads what
//!   they write.
//! - Feature `openapi` derives `utoipa` schemas, from which the server generates `/openapi.json`:
//!   the document describes these very types. Feature `core` converts `fileshare-core`'s records
//!   into their views.
//!
//! Compatibility: adding an optional field is compatible both ways; adding a value to an enum is
//! not (an older client refuses a value it does not know), so it goes with a new client release.
//!
//! ```
//! use fileshare_api::{FileStatus, FileView};
//!
//! let json = r#"{"file_id":"01JDQ7Z3V6Y0000000000000AA","owner":"alice","name":"a.txt","size":5,
//!   "content_type":"text/plain","status":"available","created_at":"2026-12-01T10:00:00Z",
//!   "updated_at":"2026-12-01T10:00:01Z","access":"owner"}"#;
//! let file: FileView = serde_json::from_str(json)?;
//! assert_eq!(file.status, FileStatus::Available);
//! # Ok::<_, serde_json::Error>(())
//! ```

mod auth;
mod files;
#[cfg(feature = "core")]
mod from_core;
mod links;
mod problem;
mod uploads;
mod usage;

pub use auth::*;
pub use files::*;
pub use links::*;
pub use problem::*;
pub use uploads::*;
pub use usage::*;
