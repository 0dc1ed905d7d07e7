//! Conditional writes and transactions: what their failures mean, and when to try again.
//!
//! Every write of the store is conditional, so a condition that did not hold or a transaction
//! cancelled by another is an everyday answer, read here once for all the store's modules.

use super::{expr, storage, Item};
use crate::Result;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    CancellationReason, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update as UpdateItem,
};

/// Attempts for writes that lose a race (a concurrent share during delete, a transaction conflict).
pub(super) const ATTEMPTS: usize = 5;
/// Attempts for writes of a user's usage item, which all of that user's uploads and deletes
/// write: many at once conflict, and each round only one of them wins.
pub(super) const CONTENDED_ATTEMPTS: usize = 12;

/// Whether a conditional write happened. A condition that did not hold is an answer here —
/// the item was not there, or someone else was quicker — so it is `Ok(false)`, not an error.
pub(super) fn condition_held<T, E>(result: std::result::Result<T, E>) -> Result<bool>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(storage(e)),
    }
}

/// A transaction's update of one item, conditional when `condition` is given (the old item is
/// returned when it fails, to tell why).
pub(super) fn transact_update(
    table: &str,
    key: Item,
    update: &expr::Update,
    condition: Option<&str>,
) -> Result<TransactWriteItem> {
    let mut builder = UpdateItem::builder()
        .table_name(table)
        .set_key(Some(key))
        .update_expression(update.expression())
        .set_expression_attribute_names(Some(update.names.clone()))
        .set_expression_attribute_values((!update.values.is_empty()).then(|| update.values.clone()));
    if let Some(condition) = condition {
        builder = builder
            .condition_expression(condition)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    }
    Ok(TransactWriteItem::builder().update(builder.build().map_err(storage)?).build())
}

pub(super) type TransactError =
    aws_sdk_dynamodb::error::SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError>;

/// Why a transaction was cancelled, per item.
pub(super) fn cancellation_reasons(err: &TransactError) -> Option<&[CancellationReason]> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match err.as_service_error()? {
        TransactWriteItemsError::TransactionCanceledException(cancelled) => Some(cancelled.cancellation_reasons()),
        _ => None,
    }
}

/// Whether a cancelled transaction only lost a race with another (`TransactionConflict`): worth
/// trying again after a pause. Anything else (throttling, validation) is not ours to retry here.
pub(super) fn lost_a_race(reasons: &[CancellationReason]) -> bool {
    fn code(r: &CancellationReason) -> &str {
        r.code().unwrap_or("None")
    }
    reasons.iter().any(|r| code(r) == "TransactionConflict")
        && reasons.iter().all(|r| matches!(code(r), "None" | "TransactionConflict"))
}

/// Whether the `i`-th item of a cancelled transaction failed its condition.
pub(super) fn condition_failed(reasons: &[CancellationReason], i: usize) -> bool {
    reasons.get(i).and_then(CancellationReason::code) == Some("ConditionalCheckFailed")
}

/// A pause before retrying a transaction that lost a race (`TransactionConflict`): random, and
/// growing with the attempt, so that many writers of one item (a user's usage) spread out. None
/// after the last attempt.
pub(super) async fn contended(attempt: usize) {
    if attempt + 1 >= CONTENDED_ATTEMPTS {
        return;
    }
    let ceiling = 10_u64 << attempt.min(6);
    tokio::time::sleep(std::time::Duration::from_millis(rand::random_range(1..=ceiling))).await;
}
