//! The event-driven half of the service (the `fileshare-events` function):
//! - S3 `ObjectCreated` marks uploads available without waiting for the client's `complete` ([`s3`]);
//! - the table's TTL deletion of a pending record gives back its usage and removes the abandoned
//!   upload's bytes, and a tombstoned record (a large delete begun) has its delete finished
//!   ([`table`]);
//! - the user pool's triggers record accounts in the table's user directory ([`cognito`]).
//!
//! Events arrive at least once and in any order, so every record is handled idempotently and
//! permanent problems (an object nobody is waiting for, a size mismatch) are logged, not retried:
//! failing the invocation would only make Lambda deliver the same event again. Only storage failures
//! fail an invocation, so that Lambda retries it.

pub mod cognito;
pub mod s3;
pub mod table;

use crate::state::Service;
use fileshare_core::backends::DynamoMetadataStore;
use serde_json::Value;

/// What happened to each record of an event (for logs and tests).
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file is available (now, or already was).
    Available(String),
    /// An abandoned upload's bytes (and unfinished multipart upload) were removed.
    Discarded(String),
    /// A delete that began in steps was finished: the rest of its shares, record and bytes.
    Deleted(String),
    /// Nothing to do: no pending upload owns the key, or the file is live.
    Ignored(String),
    /// Not a record this function acts on (another key, another event kind).
    Skipped(String),
    /// A permanent problem, logged (e.g. size mismatch).
    Refused(String),
    /// Not handled for want of time: this stream record (by its sequence number) and the rest of
    /// its batch are delivered again.
    Deferred(String),
}

/// Errors that fail an invocation.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// Neither an S3 nor a DynamoDB stream event.
    #[error("unrecognised event: {0}")]
    Unrecognised(String),
    /// The event has the right source but the wrong shape.
    #[error("malformed {source_name} event: {error}")]
    Malformed {
        /// `aws:s3` or `aws:dynamodb`.
        source_name: &'static str,
        /// What did not parse.
        error: serde_json::Error,
    },
    /// Storage failed; Lambda retries the invocation.
    #[error(transparent)]
    Storage(#[from] fileshare_core::Error),
}

/// Answers any invocation of the function within `remaining` (its time left): a user pool trigger
/// gets its event back (as Cognito requires); an event of records, the records to deliver again
/// (`batchItemFailures`: the first one deferred for want of time, which the stream mapping's
/// `ReportBatchItemFailures` delivers again with every record after it).
pub async fn respond(
    service: &Service,
    table: Option<&DynamoMetadataStore>,
    event: Value,
    remaining: Option<std::time::Duration>,
) -> Result<Value, EventError> {
    if event.get("triggerSource").is_some() {
        return Ok(cognito::handle(table, event).await);
    }
    let outcomes = handle(service, table, event, remaining).await?;
    let again = outcomes.iter().find_map(|outcome| match outcome {
        Outcome::Deferred(sequence) => Some(serde_json::json!({ "itemIdentifier": sequence })),
        _ => None,
    });
    Ok(serde_json::json!({ "batchItemFailures": again.into_iter().collect::<Vec<_>>() }))
}

/// Handles an event of records the function is subscribed to, told apart by their `eventSource`,
/// within `remaining` (see [`table::handle`]). `table`: the DynamoDB store itself, for what only it
/// can do (usage held by TTL removals).
pub async fn handle(
    service: &Service,
    table: Option<&DynamoMetadataStore>,
    event: Value,
    remaining: Option<std::time::Duration>,
) -> Result<Vec<Outcome>, EventError> {
    let source = event["Records"][0]["eventSource"].as_str().unwrap_or_default().to_owned();
    let malformed = |source_name| move |error| EventError::Malformed { source_name, error };
    match source.as_str() {
        "aws:s3" => Ok(s3::handle(service, serde_json::from_value(event).map_err(malformed("aws:s3"))?).await?),
        "aws:dynamodb" => {
            let table =
                table.ok_or_else(|| EventError::Unrecognised("aws:dynamodb without a DynamoDB table".into()))?;
            Ok(table::handle(service, table, &event, remaining).await?)
        }
        _ if event["Records"].as_array().is_some_and(Vec::is_empty) => Ok(Vec::new()),
        _ => Err(EventError::Unrecognised(source)),
    }
}
