//! Share links: one item per link in its file's partition (`PK = FILE#{id}`, `SK = LINK#{tag}`),
//! so deleting the file deletes its links with its shares, and a file's links are one `Query`.
//!
//! Writing a link is a transaction with the same guard on the file as a share (exists, is the
//! owner's, is available, not being deleted; bumping `share_version` so a concurrent delete sees
//! it). The counters change by conditional `UpdateItem`s, so concurrent redemptions never hand out
//! more downloads than the link has.

use super::items::{self, file_pk, key, n, s, Item, DELETED_AT, META, PK, SK, TTL};
use super::{is_meta, storage, DynamoMetadataStore};
use crate::domain::{FileId, FileRecord, LinkAccess, LinkId, LinkUpdate, ShareLink};
use crate::{Error, Result};
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem};

const LINK_PREFIX: &str = "LINK#";

fn link_sk(id: &LinkId) -> String {
    format!("{LINK_PREFIX}{}", id.tag())
}

pub(super) fn is_link(item: &Item) -> bool {
    item.get(SK).and_then(|v| v.as_s().ok()).is_some_and(|sk| sk.starts_with(LINK_PREFIX))
}

fn link_item(link: &ShareLink) -> Item {
    let mut item = key(file_pk(&link.file_id()), link_sk(&link.id));
    item.insert("id".into(), s(link.file_id().to_string()));
    item.insert("tag".into(), s(link.id.tag()));
    item.insert("secret_hash".into(), s(&link.secret_hash));
    item.insert("created_at".into(), items::millis_value(link.created_at));
    item.insert("downloads".into(), n(link.downloads));
    item.insert("attempts".into(), n(link.attempts));
    if let Some(t) = link.expires_at {
        item.insert("link_expires_at".into(), items::millis_value(t));
        // DynamoDB removes expired links by itself, lazily; reads check expiry regardless.
        item.insert(TTL.into(), n(t.timestamp()));
    }
    if let Some(max) = link.max_downloads {
        item.insert("max_downloads".into(), n(max));
    }
    if let Some(hash) = &link.password_hash {
        item.insert("password_hash".into(), s(hash));
    }
    if let Some(t) = link.attempts_since {
        item.insert("attempts_since".into(), items::millis_value(t));
    }
    item
}

fn link_from(item: &Item) -> Result<ShareLink> {
    let id: LinkId = format!("{}-{}", items::get_s(item, "id")?, items::get_s(item, "tag")?).parse()?;
    Ok(ShareLink {
        id,
        secret_hash: items::get_s(item, "secret_hash")?.to_owned(),
        created_at: items::time(item, "created_at")?,
        expires_at: items::opt_time(item, "link_expires_at")?,
        max_downloads: items::opt_n(item, "max_downloads")?,
        downloads: items::get_n(item, "downloads")?,
        password_hash: items::opt_s(item, "password_hash"),
        attempts: items::get_n(item, "attempts")?,
        attempts_since: items::opt_time(item, "attempts_since")?,
    })
}

/// The outcome of one conditional `UpdateItem` of a link.
enum Outcome {
    Updated(ShareLink),
    /// The condition failed on the stored link.
    Refused,
    Missing,
}

impl DynamoMetadataStore {
    pub(super) async fn insert_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(link_item(link)))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(storage)?;
        let write = TransactWriteItem::builder().put(put).build();
        if !self.guarded_write(file, write).await? {
            return Err(Error::conflict(format!("link {} already exists", link.id)));
        }
        Ok(())
    }

    pub(super) async fn read_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        let file_pk = file_pk(&id.file_id());
        let found = self.batch_get(vec![key(file_pk.clone(), META), key(file_pk, link_sk(id))]).await?;
        // A tombstone is a file being deleted: its links are gone with it.
        let meta = found.iter().find(|item| is_meta(item) && !item.contains_key(DELETED_AT));
        let link = found.iter().find(|item| is_link(item));
        let (Some(meta), Some(link)) = (meta, link) else { return Ok(None) };
        Ok(Some(LinkAccess { link: link_from(link)?, file: items::file_from(meta)? }))
    }

    pub(super) async fn query_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk AND begins_with(SK, :link)")
            .expression_attribute_values(":pk", s(file_pk(file)))
            .expression_attribute_values(":link", s(LINK_PREFIX));
        let mut links = self.query(query, usize::MAX).await?.0.iter().map(link_from).collect::<Result<Vec<_>>>()?;
        links.sort_by_key(|l| (l.created_at, l.id));
        Ok(links)
    }

    pub(super) async fn change_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        let one = || n(1);
        let outcome = match update {
            LinkUpdate::CountDownload => {
                let request = self
                    .link_update(id)
                    .update_expression("SET downloads = downloads + :one")
                    .condition_expression(
                        "attribute_exists(PK) AND (attribute_not_exists(max_downloads) OR downloads < max_downloads)",
                    )
                    .expression_attribute_values(":one", one());
                self.send_link_update(request).await?
            }
            LinkUpdate::TakeAttempt { now, window_start, limit } => {
                // A new window if the last one ended, else one more attempt in this one if any are left.
                let fresh = self
                    .link_update(id)
                    .update_expression("SET attempts = :one, attempts_since = :now")
                    .condition_expression(
                        "attribute_exists(PK) AND (attribute_not_exists(attempts_since) OR attempts_since <= :start)",
                    )
                    .expression_attribute_values(":one", one())
                    .expression_attribute_values(":now", items::millis_value(now))
                    .expression_attribute_values(":start", items::millis_value(window_start));
                match self.send_link_update(fresh).await? {
                    Outcome::Refused => {
                        let more = self
                            .link_update(id)
                            .update_expression("SET attempts = attempts + :one")
                            .condition_expression(
                                "attribute_exists(PK) AND attempts_since > :start AND attempts < :limit",
                            )
                            .expression_attribute_values(":one", one())
                            .expression_attribute_values(":start", items::millis_value(window_start))
                            .expression_attribute_values(":limit", n(limit));
                        self.send_link_update(more).await?
                    }
                    outcome => outcome,
                }
            }
            LinkUpdate::RefundAttempt => {
                let request = self
                    .link_update(id)
                    .update_expression("SET attempts = attempts - :one")
                    .condition_expression("attribute_exists(PK) AND attempts > :zero")
                    .expression_attribute_values(":one", one())
                    .expression_attribute_values(":zero", n(0));
                self.send_link_update(request).await?
            }
        };
        match outcome {
            Outcome::Updated(link) => Ok(Some(link)),
            Outcome::Refused => Ok(None),
            Outcome::Missing => Err(Error::not_found("link", id)),
        }
    }

    pub(super) async fn remove_link(&self, id: &LinkId) -> Result<()> {
        if !self.delete_existing(key(file_pk(&id.file_id()), link_sk(id))).await? {
            return Err(Error::not_found("link", id));
        }
        Ok(())
    }

    fn link_update(&self, id: &LinkId) -> UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(file_pk(&id.file_id()), link_sk(id))))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    async fn send_link_update(&self, request: UpdateItemFluentBuilder) -> Result<Outcome> {
        match request.send().await {
            Ok(output) => Ok(Outcome::Updated(link_from(&output.attributes.unwrap_or_default())?)),
            Err(e) => match e.as_service_error() {
                Some(aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                    failed,
                )) => Ok(match failed.item() {
                    Some(old) if old.contains_key(PK) => Outcome::Refused,
                    _ => Outcome::Missing,
                }),
                _ => Err(storage(e)),
            },
        }
    }
}
