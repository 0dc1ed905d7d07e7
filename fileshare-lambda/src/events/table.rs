//! The table's stream: a pending record deleted by TTL means an abandoned upload, whose bytes go too.
//!
//! The event source mapping (infra/template.yaml) filters the stream to TTL deletions; the same
//! check is repeated here so that a wider subscription can never delete anything else.

use super::Outcome;
use crate::state::Service;
use fileshare_core::backends::ExpiredUpload;
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
        let outcome = match expired {
            None => Outcome::Skipped(id),
            Some(upload) => {
                let key = upload.key.to_string();
                if service.discard_abandoned_upload(&upload.key, upload.upload_id.as_deref()).await? {
                    Outcome::Discarded(key)
                } else {
                    Outcome::Ignored(key)
                }
            }
        };
        tracing::info!(?outcome, "table stream record");
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
