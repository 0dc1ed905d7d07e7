//! The S3 `ObjectCreated` handler: marks uploads available from storage's own notification.
//!
//! Events arrive at least once and in any order, so every record is handled idempotently and
//! permanent problems (an object nobody is waiting for, a size mismatch) are logged, not retried:
//! failing the invocation would only make Lambda deliver the same event again.

use crate::state::Service;
use aws_lambda_events::event::s3::S3Event;
use fileshare_core::ObjectKey;

/// What happened to each record of an event (for logs and tests).
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The file is available (now, or already was).
    Available(String),
    /// No pending upload owns the key (deleted or expired since): nothing to do.
    Ignored(String),
    /// Not a file of ours, or not an ObjectCreated event.
    Skipped(String),
    /// A permanent problem, logged (e.g. size mismatch).
    Refused(String),
}

/// Handles every record of `event`. Only storage failures are errors (so that Lambda retries).
pub async fn handle(service: &Service, event: S3Event) -> Result<Vec<Outcome>, fileshare_core::Error> {
    let mut outcomes = Vec::new();
    for record in event.records {
        let raw_key = record.s3.object.url_decoded_key.clone().or(record.s3.object.key.clone()).unwrap_or_default();
        let is_created = record.event_name.as_deref().is_some_and(|n| n.starts_with("ObjectCreated:"));
        let key = match ObjectKey::parse(&raw_key) {
            Ok(key) if is_created => key,
            _ => {
                outcomes.push(Outcome::Skipped(raw_key));
                continue;
            }
        };
        let size = record.s3.object.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
        let outcome = match service.confirm_uploaded_object(&key, size, record.s3.object.e_tag.clone()).await {
            Ok(Some(_)) => Outcome::Available(raw_key),
            Ok(None) => Outcome::Ignored(raw_key),
            Err(e @ fileshare_core::Error::Storage { .. }) => return Err(e),
            Err(e) => {
                tracing::warn!(key = raw_key, error = %e, "upload event refused");
                Outcome::Refused(raw_key)
            }
        };
        tracing::info!(?outcome, "s3 event record");
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
