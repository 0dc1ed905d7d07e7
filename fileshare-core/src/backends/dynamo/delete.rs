//! Deleting a file with all its shares and links, whatever their number.
//!
//! A file's shares and links are the other items of its partition; below, "shares" means both.
//! A transaction holds at most 100 items. A file with up to 98 shares goes in one: its record,
//! conditional on the `share_version` that was read (a share or link written meanwhile cancels it),
//! every share, and the release of its size from the owner's usage. A file with more goes in steps
//! that a crash can interrupt, so the first step makes the file unreachable for good:
//!
//! 1. one transaction marks the record a **tombstone** (`deleted_at`; out of the owner index;
//!    conditional on the version read, so no share slips in), releases its usage and deletes 98
//!    shares;
//! 2. `BatchWriteItem`s delete the remaining shares, 25 at a time;
//! 3. the tombstone goes.
//!
//! From step 1 on, every read treats the file as gone (`get_file` answers `None`, `put_share` is
//! refused), so no one can read it or share it again. If the process dies before step 3, the shares
//! left still appear in their grantees' "shared with me" listings — opening them says the file does
//! not exist — until cleanup finishes: the tombstone's `MODIFY` on the table's stream reaches the
//! events function, which calls `FileShare::finish_deletion`, which calls `delete_file` again; on a
//! tombstone that resumes at step 2. Every step is idempotent.

use super::items::{self, file_pk, key, Item, DELETED_AT, GSI1PK, GSI1SK, SHARE_VERSION, SK};
use super::{
    cancellation_reasons, condition_failed, contended, is_meta, lost_a_race, storage, DynamoMetadataStore, ATTEMPTS,
    BACKEND, CONTENDED_ATTEMPTS,
};
use crate::domain::{FileId, FileRecord};
use crate::{Error, Result};
use aws_sdk_dynamodb::types::{Delete, DeleteRequest, TransactWriteItem, Update, WriteRequest};
use std::time::Duration;

/// TransactWriteItems takes at most 100 items: the file, its usage and 98 shares.
const SHARES_PER_TRANSACTION: usize = 98;
/// BatchWriteItem takes at most 25 requests.
const SHARES_PER_BATCH: usize = 25;

impl DynamoMetadataStore {
    pub(super) async fn delete_file_and_shares(&self, id: &FileId) -> Result<FileRecord> {
        // Whether the record's size is in its owner's usage. Only a record stored before usage was
        // counted is not, and the release's condition (usage at least the size) says so.
        let mut counted = true;
        for attempt in 0..CONTENDED_ATTEMPTS {
            let partition = self.partition(id).await?;
            let shares: Vec<Item> = partition.iter().filter(|item| !is_meta(item)).map(share_key).collect();
            let Some(meta) = partition.iter().find(|item| is_meta(item)) else {
                // No record, yet shares: what an interrupted delete can leave when another delete
                // raced it (shares are only written with their record). They go too.
                if !shares.is_empty() {
                    self.delete_shares(&shares).await?;
                }
                return Err(Error::not_found("file", id));
            };
            let file = items::file_from(meta)?;
            if meta.contains_key(DELETED_AT) {
                // An earlier delete got past its first step (and gave the usage back): finish it.
                self.delete_remaining(id, &shares).await?;
                return Ok(file);
            }
            let (first, rest) = shares.split_at(shares.len().min(SHARES_PER_TRANSACTION));
            let mut writes =
                vec![if rest.is_empty() { self.delete_meta(id, meta)? } else { self.tombstone(id, meta)? }];
            if counted {
                writes.push(self.release(&file)?);
            }
            for share in first {
                let delete = Delete::builder().table_name(&self.table).set_key(Some(share.clone())).build();
                writes.push(TransactWriteItem::builder().delete(delete.map_err(storage)?).build());
            }
            let Err(e) = self.client.transact_write_items().set_transact_items(Some(writes)).send().await else {
                if !rest.is_empty() {
                    self.delete_remaining(id, rest).await?;
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

    /// Steps 2 and 3: the shares left, in batches, then the tombstone.
    async fn delete_remaining(&self, id: &FileId, shares: &[Item]) -> Result<()> {
        self.delete_shares(shares).await?;
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(id), items::META)))
            .condition_expression("attribute_exists(#d)")
            .expression_attribute_names("#d", DELETED_AT)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Gone already: a concurrent finisher was quicker.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(storage(e)),
        }
    }

    /// Deletes share items by key, 25 per `BatchWriteItem`, retrying what is left unprocessed.
    async fn delete_shares(&self, shares: &[Item]) -> Result<()> {
        for batch in shares.chunks(SHARES_PER_BATCH) {
            let mut requests: Vec<WriteRequest> = batch
                .iter()
                .map(|share| {
                    let delete = DeleteRequest::builder().set_key(Some(share.clone())).build().map_err(storage)?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<_>>()?;
            for attempt in 0..ATTEMPTS {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(storage)?;
                requests = output.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                // Throttled: back off, then send what was left.
                tokio::time::sleep(Duration::from_millis(20 << attempt)).await;
            }
            if !requests.is_empty() {
                return Err(Error::storage(BACKEND, "BatchWriteItem left shares unprocessed after retries"));
            }
        }
        Ok(())
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
