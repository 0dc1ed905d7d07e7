//! The table's stream: a pending record deleted by TTL means an abandoned upload, whose bytes go
//! too; a record turned into a tombstone means a delete in steps began, which is finished here
//! (a no-op when the caller that began it finished it first).
//!
//! The event source mapping (infra/template.yaml) filters the stream to those two kinds of record;
//! the same checks are repeated here so that a wider subscription can never delete anything else.

use super::Outcome;
use crate::state::Service;
use fileshare_core::backends::{DeletingFile, ExpiredUpload};
use serde_json::Value;

/// Who deletes items whose TTL passed.
const TTL_PRINCIPAL: &str = "dynamodb.amazonaws.com";

/// Handles every record of a DynamoDB stream event (DynamoDB JSON, as Lambda delivers it).
pub async fn handle(service: &Service, event: &Value) -> Result<Vec<Outcome>, fileshare_core::Error> {
    let mut outcomes = Vec::new();
    for record in event["Records"].as_array().into_iter().flatten() {
        let id = record["eventID"].as_str().unwrap_or_default().to_owned();
        let by_ttl = record["eventName"] == "REMOVE"
            && record["userIdentity"]["type"] == "Service"
            && record["userIdentity"]["principalId"] == TTL_PRINCIPAL;
        let expired = by_ttl.then(|| ExpiredUpload::from_stream_image(&record["dynamodb"]["OldImage"])).flatten();
        let deleting = (record["eventName"] == "MODIFY")
            .then(|| DeletingFile::from_stream_image(&record["dynamodb"]["NewImage"]))
            .flatten();
        let outcome = match (expired, deleting) {
            (Some(upload), _) => {
                let key = upload.key.to_string();
                if service.discard_abandoned_upload(&upload.key, upload.upload_id.as_deref()).await? {
                    Outcome::Discarded(key)
                } else {
                    Outcome::Ignored(key)
                }
            }
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
