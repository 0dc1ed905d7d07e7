//! The user pool's triggers: an account confirmed (`PostConfirmation`) or signing in
//! (`PostAuthentication`) is recorded in the table's user directory, so that people find it by
//! name without the API ever calling Cognito (docs/aws.md, "The user directory"). Signing in
//! records again, which picks up a changed (and verified) address and repairs an entry a failed
//! write missed.
//!
//! Cognito waits for the trigger — at most 5 seconds — and fails the sign-in if it fails or takes
//! longer. A directory entry is not worth a sign-in: recording gets [`RECORD_TIME`], and a failure
//! or a timeout is logged and counted (`DirectoryRecordFailures`, which alarms); the event goes
//! back unchanged, as Cognito requires.

use fileshare_core::backends::{DirectoryEntry, DynamoMetadataStore, DynamoUserDirectory};
use serde_json::Value;
use std::collections::HashMap;

/// How long recording may take: well inside Cognito's 5 seconds, with the invocation's own overhead
/// (a cold start) on top.
pub const RECORD_TIME: std::time::Duration = std::time::Duration::from_millis(2500);

/// The triggers that record an account.
const RECORDING: [&str; 3] =
    ["PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword", "PostAuthentication_Authentication"];

/// Handles one trigger invocation; returns the event, as Cognito expects.
pub async fn handle(table: Option<&DynamoMetadataStore>, event: Value) -> Value {
    let source = event["triggerSource"].as_str().unwrap_or_default();
    if !RECORDING.contains(&source) {
        tracing::warn!(trigger = source, "a user pool trigger this function does not handle");
        return event;
    }
    let attributes: HashMap<&str, &str> = event["request"]["userAttributes"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| Some((name.as_str(), value.as_str()?)))
        .collect();
    let entry = event["userName"].as_str().and_then(|username| DirectoryEntry::from_cognito(username, &attributes));
    let recorded = match (table, entry) {
        (Some(table), Some(entry)) => {
            match tokio::time::timeout(RECORD_TIME, DynamoUserDirectory::new(table).record(&entry)).await {
                Ok(recorded) => recorded.map_err(|e| e.to_string()),
                Err(_) => Err(format!("not recorded within {RECORD_TIME:?}")),
            }
        }
        (None, _) => Err("no table is configured (FILESHARE_TABLE)".to_owned()),
        (_, None) => Err("the event names no account (userName, userAttributes.sub)".to_owned()),
    };
    match recorded {
        Ok(()) => tracing::info!(trigger = source, "account recorded in the directory"),
        Err(error) => {
            tracing::error!(trigger = source, %error, "recording an account in the directory failed");
            crate::metrics::directory_record_failed();
        }
    }
    event
}
