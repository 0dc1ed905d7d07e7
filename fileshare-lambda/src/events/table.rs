//! The table's stream: a file record that was removed — by TTL (an abandoned upload) or by a
//! delete — takes its bytes with it (the delete removes them itself, but that last step can fail
//! or be cut short: the stream makes sure, at least once), and one that TTL removed gives back the
//! usage it held (the service's own deletes give it back in their own transaction); a record
//! turned into a tombstone means a delete in steps began, which is finished here (a no-op when the
//! caller that began it finished it first).
//!
//! The event source mapping (infra/template.yaml) filters the stream to those two kinds of record;
//! the same checks are repeated here so that a wider subscription can never delete anything else.

use super::Outcome;
use crate::state::Service;
use fileshare_core::backends::{DeletingFile, DynamoMetadataStore, RemovedFile, DEFAULT_DELETE_PASS};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Time a record needs besides its own work: what is left when the invocation must stop.
const MARGIN: Duration = Duration::from_secs(2);

/// Handles the records of a DynamoDB stream event (DynamoDB JSON, as Lambda delivers it), in order,
/// within `remaining` (the invocation's time left; `None`: no limit). A record that may not finish
/// in the time left — a large delete's pass takes up to [`DEFAULT_DELETE_PASS`] — is
/// [`Outcome::Deferred`], with every record after it: reported as the batch's first failure, Lambda
/// delivers them again instead of timing the whole batch out (which would repeat what was done).
/// Of several `MODIFY`s of one tombstone in a batch, one pass is run: it hands off to the next.
pub async fn handle(
    service: &Service,
    table: &DynamoMetadataStore,
    event: &Value,
    remaining: Option<Duration>,
) -> Result<Vec<Outcome>, fileshare_core::Error> {
    let deadline = remaining.map(|left| Instant::now() + left);
    let time_for = |work: Duration| deadline.is_none_or(|end| Instant::now() + work + MARGIN <= end);
    let mut passed = HashSet::new();
    let mut outcomes = Vec::new();
    for record in event["Records"].as_array().into_iter().flatten() {
        let id = record["eventID"].as_str().unwrap_or_default().to_owned();
        let removed = RemovedFile::from_stream_record(record);
        let deleting = (record["eventName"] == "MODIFY")
            .then(|| DeletingFile::from_stream_image(&record["dynamodb"]["NewImage"]))
            .flatten();
        let work = if deleting.is_some() { DEFAULT_DELETE_PASS } else { Duration::ZERO };
        if !time_for(work) {
            let sequence = record["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_owned();
            tracing::info!(sequence, "out of time: this record and the rest of the batch go back to the stream");
            outcomes.push(Outcome::Deferred(sequence));
            break;
        }
        let outcome = match (removed, deleting) {
            // The abandoned-upload rule decides: a record that is still there (a forged or
            // misrouted event) keeps its bytes; one that is gone does not.
            (Some(file), _) => {
                let key = file.key.to_string();
                // First, while the record's absence still tells a TTL removal's usage from one
                // that a discard below gives back itself.
                if table.release_expired_upload(&file).await? {
                    tracing::info!(%key, size = file.size, "usage of an expired upload given back");
                }
                if service.discard_abandoned_upload(&file.key, file.upload_id.as_deref()).await? {
                    Outcome::Discarded(key)
                } else {
                    Outcome::Ignored(key)
                }
            }
            (None, Some(file)) if !passed.insert(file.key.clone()) => Outcome::Skipped(id),
            (None, Some(file)) => {
                let key = file.key.to_string();
                if service.finish_deletion(&file.key).await? {
                    Outcome::Deleted(key)
                } else {
                    Outcome::Ignored(key)
                }
            }
            (None, None) => Outcome::Skipped(id),
        };
        tracing::info!(?outcome, "table stream record");
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
