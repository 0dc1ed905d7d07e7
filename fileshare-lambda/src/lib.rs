//! # fileshare-lambda
//!
//! The fileshare HTTP API as an axum [`Router`](axum::Router): every route of the API mapped to
//! `FileShare`, with `application/problem+json` errors, authentication, throttling, CORS and metrics.
//!
//! One binary, two homes:
//! - on AWS Lambda (when `AWS_LAMBDA_RUNTIME_API` is set) behind API Gateway's JWT authorizer, over
//!   S3 + DynamoDB;
//! - anywhere else as a plain server on `127.0.0.1:8080`, by default on the embedded default (local
//!   disk + SQLite) with a built-in identity provider — a complete service with one command.
//!
//! A second entry point, `fileshare-events`, marks uploads available from S3 `ObjectCreated` events
//! and removes abandoned uploads when the table's TTL deletes their records (`events`).
//!
//! Feature `aws` (default): the S3 + DynamoDB backends and the events function. Without it the
//! server runs on the embedded default only and builds without the AWS SDK (what `./scripts/run`
//! does unless AWS is configured). Feature `testing`: the service on a free port and a
//! failure-injecting proxy, for tests of this crate and of its clients.

pub mod admin;
pub mod auth;
pub mod config;
pub mod error;
#[cfg(feature = "aws")]
pub mod events;
pub mod idp;
pub mod listing_cache;
pub mod metrics;
pub mod names;
pub mod routes;
pub mod server;
pub mod state;
pub mod sweeper;
#[cfg(feature = "testing")]
pub mod testing;
pub mod throttle;

pub use config::ServiceConfig;
pub use state::AppState;
