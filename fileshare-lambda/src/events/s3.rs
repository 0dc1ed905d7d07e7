//! The S3 `ObjectCreated` handler: marks uploads available from storage's own notification.

use super::Outcome;
use crate::state::Service;
use aws_lambda_events::event::s3::S3Event;
use fileshare_core::ObjectKey;

/// S3 event keys are URL-encoded form values: `+` for a space, `%XX` for other bytes.
fn decode_key(encoded: &str) -> String {
    percent_encoding::percent_decode_str(&encoded.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// Handles every record of `event`. Only storage failures are errors (so that Lambda retries).
pub async fn handle(service: &Service, event: S3Event) -> Result<Vec<Outcome>, fileshare_core::Error> {
    let mut outcomes = Vec::new();
    for record in event.records {
        let raw_key = decode_key(record.s3.object.key.as_deref().unwrap_or_default());
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

#[cfg(test)]
mod tests {
    #[test]
    fn event_keys_are_form_decoded() {
        assert_eq!(
            super::decode_key("files/a%2Bb%40c%3A1/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
            "files/a+b@c:1/01ARZ3NDEKTSV4RRFFQ69G5FAV"
        );
        assert_eq!(super::decode_key("Happy+Face%20.jpg"), "Happy Face .jpg");
    }
}
