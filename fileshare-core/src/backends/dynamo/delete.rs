//! Deleting a file with all its shares and links, whatever their number, in bounded memory and
//! bounded time.
//!
//! A file's shares and links are the other items of its partition; below, "shares" means both.
//! A transaction holds at most 100 items. A file with up to 98 shares goes in one: its record,
//! conditional on the `share_version` that was read (a share or link written meanwhile cancels it),
//! every share, and the release of its size from the owner's usage. A file with more goes in steps
//! that a crash can interrupt, so the first one makes the file unreachable for good:
//!
//! 1. one transaction marks the record a **tombstone** (`deleted_at`; out of the owner index;
//!    conditional on the version read, so no share slips in), releases its usage and deletes 98
//!    shares;
//! 2. passes delete the rest: a page of keys (at most [`KEYS_PER_PAGE`], so memory stays flat
//!    whatever the number of shares), then `BatchWriteItem`s of 25, page after page — for at most
//!    the store's pass time ([`DEFAULT_DELETE_PASS`], 5 s). Each `MODIFY` of the tombstone on the
//!    table's stream starts exactly one pass in the events function: making the tombstone is the
//!    first, and a pass *of the events function's* (one that found the tombstone already there)
//!    that runs out of time **hands off** — it counts itself on the tombstone (`delete_passes`),
//!    which starts the next. The delete that made the tombstone runs a pass of its own too, so a
//!    file with a few hundred shares is gone when it answers, but never hands off (the tombstone's
//!    own `MODIFY` already has) and never fails once the tombstone is made: from then on the
//!    deletion has happened for every reader, and the stream finishes it. DynamoDB writes one
//!    partition at about 1,000 items a second, so 50,000 shares take about a minute whichever way
//!    they go: no single invocation has to last that long;
//! 3. the tombstone goes.
//!
//! From step 1 on, every read treats the file as gone (`get_file` answers `None`, `put_share` is
//! refused), so no one can read it or share it again; shares not yet deleted still appear in their
//! grantees' "shared with me" listings — opening them says the file does not exist — until the
//! passes reach them. The tombstone's `MODIFY` reaches the events function, which calls
//! `FileShare::finish_deletion`, which calls `delete_file` again; on a tombstone that runs a pass.
//! Every step is idempotent, so a pass cut short (a crash, a timeout) is simply run again.

use super::conditions::{
    cancellation_reasons, condition_failed, condition_held, contended, lost_a_race, ATTEMPTS, CONTENDED_ATTEMPTS,
};
use super::items::{self, file_pk, key, Item, DELETED_AT, GSI1PK, GSI1SK, SHARE_VERSION, SK};
use super::{is_meta, storage, DynamoMetadataStore, BACKEND};
use crate::domain::{FileId, FileRecord};
use crate::{Error, Result};
use aws_sdk_dynamodb::types::{Delete, DeleteRequest, TransactWriteItem, Update, WriteRequest};
use std::time::{Duration, Instant};

/// TransactWriteItems takes at most 100 items: the file, its usage and 98 shares.
const SHARES_PER_TRANSACTION: usize = 98;
/// BatchWriteItem takes at most 25 requests.
const SHARES_PER_BATCH: usize = 25;
/// Keys read per page of a delete's later passes (about 100 KB).
const KEYS_PER_PAGE: usize = 1000;
/// How long one pass of a large delete runs before it hands off to the next (in the events
/// function): well inside the functions' 15 s timeout.
pub const DEFAULT_DELETE_PASS: Duration = Duration::from_secs(5);
/// Counts a large delete's passes on its tombstone: each count is a `MODIFY` that starts the next.
const DELETE_PASSES: &str = "delete_passes";

impl DynamoMetadataStore {
    pub(super) async fn delete_file_and_shares(&self, id: &FileId) -> Result<FileRecord> {
        let started = Instant::now();
        // Whether the record's size is in its owner's usage. Only a record stored before usage was
        // counted is not, and the release's condition (usage at least the size) says so.
        let mut counted = true;
        for attempt in 0..CONTENDED_ATTEMPTS {
            // The record and the first shares, in full: enough to delete a small file at once.
            let (first, more) = self.partition_page(id, SHARES_PER_TRANSACTION + 2, false).await?;
            let shares: Vec<Item> = first.iter().filter(|item| !is_meta(item)).map(share_key).collect();
            let meta = match first.iter().find(|item| is_meta(item)) {
                Some(meta) => Some(meta.clone()),
                // More links than a page sort before the record (`LINK#` < `META`): read it.
                None if more => self.get_item(key(file_pk(id), items::META)).await?,
                None => None,
            };
            let Some(meta) = meta else {
                // No record, yet shares: what an interrupted delete can leave when another delete
                // raced it (shares are only written with their record). They go too.
                if !shares.is_empty() {
                    self.delete_remaining(id, started, false).await?;
                }
                return Err(Error::not_found("file", id));
            };
            let file = items::file_from(&meta)?;
            if meta.contains_key(DELETED_AT) {
                // An earlier delete got past its first step (and gave the usage back): a pass,
                // which hands off to the next if it runs out of time.
                self.delete_remaining(id, started, true).await?;
                return Ok(file);
            }
            let in_steps = more || shares.len() > SHARES_PER_TRANSACTION;
            let first_shares = &shares[..shares.len().min(SHARES_PER_TRANSACTION)];
            let mut writes = vec![if in_steps { self.tombstone(id, &meta)? } else { self.delete_meta(id, &meta)? }];
            if counted {
                writes.push(self.release(&file)?);
            }
            for share in first_shares {
                let delete = Delete::builder().table_name(&self.table).set_key(Some(share.clone())).build();
                writes.push(TransactWriteItem::builder().delete(delete.map_err(storage)?).build());
            }
            let Err(e) = self.client.transact_write_items().set_transact_items(Some(writes)).send().await else {
                // Deleted, for every reader; the tombstone's `MODIFY` finishes whatever this pass
                // leaves, so what goes wrong here is only logged.
                if in_steps {
                    if let Err(e) = self.delete_remaining(id, started, false).await {
                        tracing::warn!(file_id = %id, error = %e, "large delete: the first pass failed; the events function finishes it");
                    }
                }
                return Ok(file);
            };
            match cancellation_reasons(&e) {
                // The record changed since it was read (a share or link slipped in, or another
                // delete won): read it again.
                Some(reasons) if condition_failed(reasons, 0) => {}
                Some(reasons) if counted && condition_failed(reasons, 1) => {
                    tracing::warn!(file_id = %id, "a record whose size was never counted in its owner's usage: deleted without giving any back");
                    counted = false;
                }
                Some(reasons) if lost_a_race(reasons) => contended(attempt).await,
                _ => return Err(storage(e)),
            }
        }
        Err(Error::conflict("the file kept changing while being deleted; try again"))
    }

    /// Deletes the record, if it is the version read and no delete in steps has begun since.
    fn delete_meta(&self, id: &FileId, meta: &Item) -> Result<TransactWriteItem> {
        let (condition, version) = version_read(meta);
        let mut delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(id), items::META)))
            // `attribute_exists`: a record that was never shared has no version, and a delete of a
            // missing item succeeds — so without it, two deletes racing could both give back the usage.
            .condition_expression(format!("attribute_exists(PK) AND {condition} AND attribute_not_exists(#d)"))
            .expression_attribute_names("#v", SHARE_VERSION)
            .expression_attribute_names("#d", DELETED_AT);
        if let Some(version) = version {
            delete = delete.expression_attribute_values(":v", version);
        }
        Ok(TransactWriteItem::builder().delete(delete.build().map_err(storage)?).build())
    }

    /// Turns the record into a tombstone, if it is the version read: gone for every reader.
    fn tombstone(&self, id: &FileId, meta: &Item) -> Result<TransactWriteItem> {
        let (condition, version) = version_read(meta);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(id), items::META)))
            .update_expression("SET #d = :now REMOVE #gpk, #gsk")
            // Once: a second delete that read the same version finds the tombstone, not a record.
            .condition_expression(format!("attribute_exists(PK) AND {condition} AND attribute_not_exists(#d)"))
            .expression_attribute_names("#v", SHARE_VERSION)
            .expression_attribute_names("#d", DELETED_AT)
            .expression_attribute_names("#gpk", GSI1PK)
            .expression_attribute_names("#gsk", GSI1SK)
            .expression_attribute_values(":now", items::millis_value(chrono::Utc::now()));
        if let Some(version) = version {
            update = update.expression_attribute_values(":v", version);
        }
        Ok(TransactWriteItem::builder().update(update.build().map_err(storage)?).build())
    }

    /// Steps 2 and 3, as one pass: the shares left, a page of keys at a time, then the tombstone.
    /// Once the pass has run for the store's pass time it stops — and, if `hands_off`, counts
    /// itself on the tombstone so that the events function runs the next.
    async fn delete_remaining(&self, id: &FileId, started: Instant, hands_off: bool) -> Result<()> {
        loop {
            // Deleted items are gone from a consistent read: each page starts at the beginning.
            let (page, more) = self.partition_page(id, KEYS_PER_PAGE, true).await?;
            let shares: Vec<Item> = page.iter().filter(|item| !is_meta(item)).cloned().collect();
            let batches = shares.chunks(SHARES_PER_BATCH).count();
            for (i, batch) in shares.chunks(SHARES_PER_BATCH).enumerate() {
                self.delete_batch(batch).await?;
                let last = i + 1 == batches && !more;
                if !last && started.elapsed() >= self.delete_pass {
                    return if hands_off { self.hand_off(id).await } else { Ok(()) };
                }
            }
            if !more {
                return self.remove_tombstone(id).await;
            }
        }
    }

    /// Counts a pass on the tombstone: the `MODIFY` reaches the events function, which runs the next.
    async fn hand_off(&self, id: &FileId) -> Result<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(id), items::META)))
            .update_expression("SET #p = if_not_exists(#p, :zero) + :one")
            .condition_expression("attribute_exists(#d)")
            .expression_attribute_names("#p", DELETE_PASSES)
            .expression_attribute_names("#d", DELETED_AT)
            .expression_attribute_values(":zero", items::n(0))
            .expression_attribute_values(":one", items::n(1))
            .send()
            .await;
        // Not handed off when the tombstone is gone: a concurrent pass finished the delete.
        if condition_held(result)? {
            tracing::info!(file_id = %id, "large delete: this pass ran out of time; the events function continues");
        }
        Ok(())
    }

    async fn remove_tombstone(&self, id: &FileId) -> Result<()> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(id), items::META)))
            .condition_expression("attribute_exists(#d)")
            .expression_attribute_names("#d", DELETED_AT)
            .send()
            .await;
        // Gone already is fine: a concurrent finisher was quicker.
        condition_held(result).map(drop)
    }

    /// Deletes up to 25 items by key in one `BatchWriteItem`, retrying what is left unprocessed.
    async fn delete_batch(&self, batch: &[Item]) -> Result<()> {
        let mut requests: Vec<WriteRequest> = batch
            .iter()
            .map(|share| {
                let delete = DeleteRequest::builder().set_key(Some(share.clone())).build().map_err(storage)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<_>>()?;
        for attempt in 0..ATTEMPTS {
            let output =
                self.client.batch_write_item().request_items(&self.table, requests).send().await.map_err(storage)?;
            requests = output.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
            if requests.is_empty() {
                return Ok(());
            }
            // Throttled: back off, then send what was left.
            tokio::time::sleep(Duration::from_millis(20 << attempt)).await;
        }
        Err(Error::storage(BACKEND, "BatchWriteItem left shares unprocessed after retries"))
    }
}

/// The condition that the record is still the version read (every share write bumps
/// `share_version`), and the version value it compares with.
fn version_read(meta: &Item) -> (&'static str, Option<aws_sdk_dynamodb::types::AttributeValue>) {
    match meta.get(SHARE_VERSION) {
        Some(version) => ("#v = :v", Some(version.clone())),
        None => ("attribute_not_exists(#v)", None),
    }
}

/// The primary key of a share item.
fn share_key(share: &Item) -> Item {
    share.iter().filter(|(name, _)| *name == items::PK || *name == SK).map(|(k, v)| (k.clone(), v.clone())).collect()
}
