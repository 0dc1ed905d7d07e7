//! The user pool's triggers: an account confirmed (`PostConfirmation`) or signing in
//! (`PostAuthentication`) is recorded in the table's user directory, so that people find it by
//! name without the API ever calling Cognito (docs/aws.md, "The user directory"). Signing in
//! records again, which picks up a changed (and verified) address and repairs an entry a failed
//! write missed.
//!
//! Cognito waits for the trigger and fails the sign-in if it fails. A directory entry is not worth
//! a sign-in: a failure is logged and counted (`DirectoryRecordFailures`, which alarms), and the
//! event goes back unchanged, as Cognito requires.

use fileshare_core::backends::{DirectoryEntry, DynamoMetadataStore, DynamoUserDirectory};
use serde_json::Value;
use std::collections::HashMap;

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
        (Some(table), Some(entry)) => DynamoUserDirectory::new(table).record(&entry).await.map_err(|e| e.to_string()),
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
