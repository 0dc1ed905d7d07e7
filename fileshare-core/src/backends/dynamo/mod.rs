//! [`DynamoMetadataStore`]: file, share and link records in one DynamoDB table (layout in [`items`]).
//!
//! Authorization reads are strongly consistent (`BatchGetItem` of the file and the viewer's share);
//! listings are one `Query` of a sparse index per page; every write is conditional, and share
//! writes and deletes are transactions — so no share ever outlives its file. No `Scan` anywhere.
//! Request counts per operation are documented in `docs/aws.md` and tested.

mod builder;
mod conditions;
mod delete;
mod directory;
mod expr;
mod items;
mod links;
mod stream;
mod table;
mod usage;

pub use builder::DynamoMetadataStoreBuilder;
pub use delete::DEFAULT_DELETE_PASS;
pub use directory::{DirectoryEntry, DynamoUserDirectory};
pub use stream::{DeletingFile, RemovedFile};

use crate::domain::{
    FileAccess, FileId, FileRecord, FileStatus, LinkAccess, LinkId, LinkUpdate, Position, Quota, Share, ShareLink,
    SharedFile, StoredUsage, UserId,
};
use crate::metadata::{MetadataStore, Slice};
use crate::{Error, Result};
use async_trait::async_trait;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{KeysAndAttributes, Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use conditions::{
    cancellation_reasons, condition_failed, condition_held, contended, lost_a_race, transact_update, ATTEMPTS,
    CONTENDED_ATTEMPTS,
};
use items::{
    file_pk, key, n, s, share_sk, Item, DELETED_AT, GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, META, SHARE_VERSION,
    SK, TTL,
};

const BACKEND: &str = "dynamodb";

fn storage(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::storage(BACKEND, e)
}

/// A [`MetadataStore`] on DynamoDB.
///
/// ```no_run
/// # async fn demo() -> fileshare_core::Result<()> {
/// use fileshare_core::backends::DynamoMetadataStore;
/// // Table from FILESHARE_TABLE, region and credentials from the usual AWS chain.
/// let store = DynamoMetadataStore::from_env().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DynamoMetadataStore {
    client: aws_sdk_dynamodb::Client,
    table: String,
    /// How long one pass of a large delete runs before handing off (see `delete`).
    delete_pass: std::time::Duration,
}

impl std::fmt::Debug for DynamoMetadataStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoMetadataStore").field("table", &self.table).finish_non_exhaustive()
    }
}

impl DynamoMetadataStore {
    /// Runs a query page after page until `want` items were collected or the query is exhausted;
    /// returns the items and whether more exist.
    async fn query(&self, query: QueryFluentBuilder, want: usize) -> Result<(Vec<Item>, bool)> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let remaining = i32::try_from(want - items.len()).unwrap_or(i32::MAX);
            let page = query.clone().set_exclusive_start_key(start).limit(remaining).send().await.map_err(storage)?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if items.len() >= want || start.is_none() {
                let more = items.len() >= want;
                return Ok((items, more));
            }
        }
    }

    async fn get_item(&self, key: Item) -> Result<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(storage)?;
        Ok(output.item)
    }

    /// Reads items by key in one strongly consistent `BatchGetItem` (retrying unprocessed keys).
    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>> {
        let mut request =
            Some(KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build().map_err(storage)?);
        let mut found = Vec::new();
        for attempt in 0..ATTEMPTS {
            let Some(keys) = request.take() else { break };
            let output = self.client.batch_get_item().request_items(&self.table, keys).send().await.map_err(storage)?;
            found.extend(output.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default());
            // Unprocessed keys (throttling) are retried with a short backoff.
            request = output.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).filter(|k| !k.keys.is_empty());
            if request.is_some() {
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
            }
        }
        if request.is_some() {
            return Err(Error::storage(BACKEND, "BatchGetItem left keys unprocessed after retries"));
        }
        Ok(found)
    }

    /// Writes `write` in one transaction with a guard on `file` (as read by the caller): it still
    /// exists, is the owner's, is available and is not being deleted; its `share_version` is bumped
    /// so that a delete that read the file before cannot miss what was written. Returns `false` if
    /// `write`'s own condition failed.
    async fn guarded_write(&self, file: &FileRecord, write: TransactWriteItem) -> Result<bool> {
        let mut meta = expr::Update::default();
        meta.add(SHARE_VERSION, n(1));
        let (owner, status) = (meta.name("owner"), meta.name("status"));
        let (owner_value, available) = (meta.value(s(file.owner.as_str())), meta.value(s("available")));
        let deleted = meta.name(DELETED_AT);
        let condition = format!(
            "attribute_exists(PK) AND {owner} = {owner_value} AND {status} = {available} AND attribute_not_exists({deleted})"
        );
        let guard = transact_update(&self.table, key(file_pk(&file.id), META), &meta, Some(&condition))?;
        for _ in 0..ATTEMPTS {
            let writes = vec![guard.clone(), write.clone()];
            match self.client.transact_write_items().set_transact_items(Some(writes)).send().await {
                Ok(_) => return Ok(true),
                Err(e) => match cancellation_reasons(&e) {
                    Some(reasons) if condition_failed(reasons, 0) => {
                        // Why? Read the file to tell "gone / not yours" from "still pending".
                        let stored = self.get_item(key(file_pk(&file.id), META)).await?;
                        // A tombstone is a file being deleted: gone.
                        let stored = stored.filter(|item| !item.contains_key(DELETED_AT));
                        match stored.as_ref().map(items::file_from).transpose()? {
                            Some(f) if f.owner == file.owner && f.status == FileStatus::Pending => {
                                return Err(Error::conflict("a file can be shared once its upload is complete"))
                            }
                            Some(f) if f.owner == file.owner => continue,
                            _ => return Err(Error::not_found("file", file.id)),
                        }
                    }
                    Some(reasons) if condition_failed(reasons, 1) => return Ok(false),
                    Some(_) => continue, // a conflicting transaction: try again
                    None => return Err(storage(e)),
                },
            }
        }
        Err(Error::conflict("the file kept changing while being shared; try again"))
    }

    /// Deletes the item at `key` if it exists; `false` if there was none.
    async fn delete_existing(&self, key: Item) -> Result<bool> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        condition_held(result)
    }

    /// A listing page: `limit + 1` items fetched to learn whether more exist.
    async fn list<T>(
        &self,
        query: QueryFluentBuilder,
        limit: usize,
        convert: impl Fn(&Item) -> Result<T>,
    ) -> Result<Slice<T>> {
        let (items, _) = self.query(query, limit.saturating_add(1)).await?;
        let has_more = items.len() > limit;
        let items = items.iter().take(limit).map(convert).collect::<Result<Vec<T>>>()?;
        Ok(Slice { items, has_more })
    }

    fn index_query(
        &self,
        index: &str,
        pk_name: &str,
        sk_name: &str,
        pk: String,
        after: Option<&Position>,
    ) -> QueryFluentBuilder {
        let mut condition = "#pk = :pk".to_owned();
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .scan_index_forward(false)
            .expression_attribute_names("#pk", pk_name)
            .expression_attribute_values(":pk", s(pk));
        if let Some(position) = after {
            condition.push_str(" AND #sk < :after");
            query = query
                .expression_attribute_names("#sk", sk_name)
                .expression_attribute_values(":after", s(items::sort_key(position)));
        }
        query.key_condition_expression(condition)
    }

    /// The first `limit` items of a file's partition in key order (links, the record, shares),
    /// strongly consistent; with `keys_only`, just their keys. `true` if more follow.
    async fn partition_page(&self, id: &FileId, limit: usize, keys_only: bool) -> Result<(Vec<Item>, bool)> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(file_pk(id)))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        if keys_only {
            query = query.projection_expression("PK, SK");
        }
        let page = query.send().await.map_err(storage)?;
        Ok((page.items.unwrap_or_default(), page.last_evaluated_key.is_some()))
    }
}

fn is_share(item: &Item) -> bool {
    item.get(SK).and_then(|v| v.as_s().ok()).is_some_and(|sk| sk.starts_with("SHARE#"))
}

fn is_meta(item: &Item) -> bool {
    item.get(SK).and_then(|v| v.as_s().ok()).is_some_and(|sk| sk == META)
}

#[async_trait]
impl MetadataStore for DynamoMetadataStore {
    async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()> {
        // The record, and its size added to the owner's usage if it fits: one transaction.
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(items::file_item(file)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(storage)?;
        let writes = vec![TransactWriteItem::builder().put(put).build(), self.reserve(file, quota)?];
        for attempt in 0..CONTENDED_ATTEMPTS {
            let result = self.client.transact_write_items().set_transact_items(Some(writes.clone())).send().await;
            let Err(e) = result else { return Ok(()) };
            match cancellation_reasons(&e) {
                Some(reasons) if condition_failed(reasons, 0) => {
                    return Err(Error::conflict(format!("file {} already exists", file.id)))
                }
                Some(reasons) if condition_failed(reasons, 1) => {
                    return Err(self.over_quota(file, quota, reasons[1].item()).await?)
                }
                // Another write of the same usage item won the race: try again.
                Some(reasons) if lost_a_race(reasons) => contended(attempt).await,
                _ => return Err(storage(e)),
            }
        }
        Err(Error::conflict("too many uploads at once; try again"))
    }

    async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>> {
        let found = self.batch_get(vec![key(file_pk(id), META), key(file_pk(id), share_sk(viewer))]).await?;
        // A tombstone is a file being deleted: gone for every reader (see `delete`).
        let Some(meta) = found.iter().find(|item| is_meta(item) && !item.contains_key(DELETED_AT)) else {
            return Ok(None);
        };
        let share = found.iter().find(|item| is_share(item)).map(items::share_from).transpose()?;
        Ok(Some(FileAccess { file: items::file_from(meta)?, share }))
    }

    async fn mark_available(&self, file: &FileRecord, etag: Option<String>, at: DateTime<Utc>) -> Result<FileRecord> {
        let mut update = expr::Update::default();
        let (owner_pk, owner_sk) = items::owner_index(file);
        update.set("status", s("available")).set("updated_at", items::millis_value(at));
        update.set(GSI1PK, owner_pk).set(GSI1SK, owner_sk);
        match etag {
            Some(etag) => update.set("etag", s(etag)),
            None => update.remove("etag"),
        };
        for attribute in ["pending_expires_at", TTL, "upload_id", "part_size"] {
            update.remove(attribute);
        }
        let status = update.name("status");
        let pending = update.value(s("pending"));
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(&file.id), META)))
            .update_expression(update.expression())
            .condition_expression(format!("{status} = {pending}"))
            .set_expression_attribute_names(Some(update.names))
            .set_expression_attribute_values(Some(update.values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => items::file_from(&output.attributes.unwrap_or_default()),
            // Not pending (any more): already available — idempotent — or gone.
            Err(e) if e.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                let item = self.get_item(key(file_pk(&file.id), META)).await?;
                item.as_ref().map(items::file_from).transpose()?.ok_or_else(|| Error::not_found("file", file.id))
            }
            Err(e) => Err(storage(e)),
        }
    }

    async fn delete_file(&self, id: &FileId) -> Result<FileRecord> {
        self.delete_file_and_shares(id).await
    }

    async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share> {
        // The share, with its copy of the file; the first share time survives a re-share.
        let mut write = expr::Update::default();
        for (attribute, value) in items::share_values(share, file) {
            write.set(&attribute, value);
        }
        let (shared_at, shared_sk) = items::share_times(share);
        write.set_if_absent("shared_at", shared_at).set_if_absent(GSI2SK, shared_sk);
        match items::share_expiry(share) {
            Some((expires_ms, ttl)) => write.set("share_expires_at", expires_ms).set(TTL, ttl),
            None => write.remove("share_expires_at").remove(TTL),
        };
        let share_key = key(file_pk(&file.id), share_sk(&share.grantee));
        let share_write = transact_update(&self.table, share_key.clone(), &write, None)?;
        self.guarded_write(file, share_write).await?;
        let stored = self.get_item(share_key).await?;
        stored
            .as_ref()
            .map(items::share_from)
            .transpose()?
            .ok_or_else(|| Error::not_found("share", format!("{}/{}", file.id, share.grantee)))
    }

    async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
        self.insert_link(link, file).await
    }

    async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        self.read_link(id).await
    }

    async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        self.query_links(file).await
    }

    async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        self.change_link(id, update).await
    }

    async fn delete_link(&self, id: &LinkId) -> Result<()> {
        self.remove_link(id).await
    }

    async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()> {
        if !self.delete_existing(key(file_pk(id), share_sk(grantee))).await? {
            return Err(Error::not_found("share", format!("{id}/{grantee}")));
        }
        Ok(())
    }

    async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>> {
        // Shares sort by grantee in the partition (`SHARE#{grantee}`): one range, from `after`
        // (inclusive, so it is skipped below) to the end of the shares ('$' follows '#').
        let from = after.map_or_else(|| "SHARE#".to_owned(), share_sk);
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(file_pk(id)))
            .expression_attribute_values(":from", s(&from))
            .expression_attribute_values(":to", s("SHARE$"));
        let skip = usize::from(after.is_some());
        let (items, _) = self.query(query, limit.saturating_add(1 + skip)).await?;
        let mut shares = items
            .iter()
            .filter(|item| item.get(SK).and_then(|v| v.as_s().ok()) != Some(&from))
            .map(items::share_from)
            .collect::<Result<Vec<_>>>()?;
        let has_more = shares.len() > limit;
        shares.truncate(limit);
        Ok(Slice { items: shares, has_more })
    }

    async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        self.read_usage(owner).await
    }

    async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        self.write_quota(owner, quota).await
    }

    async fn list_owned(&self, owner: &UserId, after: Option<&Position>, limit: usize) -> Result<Slice<FileRecord>> {
        let query = self.index_query(GSI1, GSI1PK, GSI1SK, items::owner_pk(owner), after);
        self.list(query, limit, items::file_from).await
    }

    async fn list_shared_with(
        &self,
        grantee: &UserId,
        now: DateTime<Utc>,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Slice<SharedFile>> {
        let query = self
            .index_query(GSI2, GSI2PK, GSI2SK, items::user_pk(grantee), after)
            .filter_expression("attribute_not_exists(#expires) OR #expires > :now")
            .expression_attribute_names("#expires", "share_expires_at")
            .expression_attribute_values(":now", items::millis_value(now));
        self.list(query, limit, items::shared_file_from).await
    }
}
