//! Usage and quotas: one item per user, `PK = USER#{owner}`, `SK = USAGE`.
//!
//! | attribute | meaning |
//! |---|---|
//! | `bytes`, `files` | what the user stores: every record they own, pending ones by declared size |
//! | `custom` | present when an operator set the user's own quota |
//! | `quota_bytes`, `quota_files` | that quota's limits; absent: no limit |
//! | `room_bytes`, `room_files` | that limit (0 without one) minus the usage: what is left |
//!
//! Inserting a record is one transaction with a conditional update of this item, and removing one
//! a transaction with the matching release, so the sums always equal the records. Conditions
//! cannot add, so "usage + size ≤ limit" is written against a value computed beforehand: for the
//! deployment's default quota, which the request carries, `bytes ≤ default − size`; for a user's
//! own quota, which only the item knows, `room_bytes ≥ size` — the room is kept in step with every
//! change for that reason alone. No read comes before the write.
//!
//! DynamoDB's TTL removes abandoned uploads' records by itself, outside any transaction of ours:
//! the events function gives their usage back from the table's stream
//! ([`DynamoMetadataStore::release_expired_upload`]), once per record, however often the stream
//! delivers the removal.

use super::conditions::{
    cancellation_reasons, condition_failed, contended, lost_a_race, transact_update, CONTENDED_ATTEMPTS,
};
use super::expr;
use super::items::{self, key, n, Item, TTL};
use super::stream::RemovedFile;
use super::{storage, DynamoMetadataStore};
use crate::domain::{FileRecord, Quota, StoredUsage, Usage, UserId};
use crate::{Error, Result};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem};

const USAGE: &str = "USAGE";
const RELEASED: &str = "RELEASED#";
const BYTES: &str = "bytes";
const FILES: &str = "files";
const CUSTOM: &str = "custom";
const QUOTA_BYTES: &str = "quota_bytes";
const QUOTA_FILES: &str = "quota_files";
const ROOM_BYTES: &str = "room_bytes";
const ROOM_FILES: &str = "room_files";
/// How long a release marker is kept: beyond the 24 hours a stream keeps a record, so no
/// redelivery can outlive it. (TTL removes it some time after; never before.)
const MARKER_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(2);

fn user_pk(owner: &UserId) -> String {
    format!("USER#{owner}")
}

fn usage_key(owner: &UserId) -> Item {
    key(user_pk(owner), USAGE)
}

/// A stored count (absent: zero; negative, which only data from before usage was counted can
/// reach: zero).
fn count(item: &Item, name: &str) -> Result<u64> {
    Ok(items::opt_n::<i64>(item, name)?.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
}

/// Usage and own quota from a usage item (an empty item: nothing stored, default quota).
pub(super) fn usage_from(item: &Item) -> Result<StoredUsage> {
    let usage = Usage { bytes: count(item, BYTES)?, files: count(item, FILES)? };
    let quota = if item.contains_key(CUSTOM) {
        Some(Quota { bytes: items::opt_n(item, QUOTA_BYTES)?, files: items::opt_n(item, QUOTA_FILES)? })
    } else {
        None
    };
    Ok(StoredUsage { usage, quota })
}

/// Names every usage attribute, so that each expression below may use any of them.
struct Names {
    bytes: String,
    files: String,
    room_bytes: String,
    room_files: String,
}

/// `SET` actions moving the usage by `sign` (`+` or `-`) one file of `size`, and the room the other way.
fn change(update: &mut expr::Update, size: u64, sign: char) -> Names {
    let names = Names {
        bytes: update.name(BYTES),
        files: update.name(FILES),
        room_bytes: update.name(ROOM_BYTES),
        room_files: update.name(ROOM_FILES),
    };
    let (size, one, zero) = (update.value(n(size)), update.value(n(1)), update.value(n(0)));
    let other = if sign == '+' { '-' } else { '+' };
    for (name, by, sign) in [
        (&names.bytes, &size, sign),
        (&names.files, &one, sign),
        (&names.room_bytes, &size, other),
        (&names.room_files, &one, other),
    ] {
        update.set_expression(format!("{name} = if_not_exists({name}, {zero}) {sign} {by}"));
    }
    names
}

/// The condition that one more file of `size` fits: under the user's own quota if they have one,
/// else under `default`.
fn fits(update: &mut expr::Update, names: &Names, default: &Quota, size: u64) -> String {
    let (custom, quota_bytes, quota_files) = (update.name(CUSTOM), update.name(QUOTA_BYTES), update.name(QUOTA_FILES));
    let (size_value, one) = (update.value(n(size)), update.value(n(1)));
    let own = format!(
        "(attribute_exists({custom}) AND (attribute_not_exists({quota_bytes}) OR {} >= {size_value}) \
         AND (attribute_not_exists({quota_files}) OR {} >= {one}))",
        names.room_bytes, names.room_files
    );
    // Each limit of the default as `used <= limit - more`; if the file can never fit the default,
    // only the user's own quota can admit it. (Values are named only once used: an unused one is
    // an error to DynamoDB.)
    let mut rooms = Vec::new();
    for (limit, used, more) in [(default.bytes, &names.bytes, size), (default.files, &names.files, 1)] {
        let Some(limit) = limit else { continue };
        let Some(room) = limit.checked_sub(more) else { return own };
        rooms.push((used, room));
    }
    let mut terms = vec![format!("attribute_not_exists({custom})")];
    for (used, room) in rooms {
        let room = update.value(n(room));
        terms.push(format!("(attribute_not_exists({used}) OR {used} <= {room})"));
    }
    format!("({}) OR {own}", terms.join(" AND "))
}

impl DynamoMetadataStore {
    /// The transaction item that adds `file` to its owner's usage if it fits.
    pub(super) fn reserve(&self, file: &FileRecord, default: &Quota) -> Result<TransactWriteItem> {
        let mut update = expr::Update::default();
        let names = change(&mut update, file.size, '+');
        let condition = fits(&mut update, &names, default, file.size);
        transact_update(&self.table, usage_key(&file.owner), &update, Some(&condition))
    }

    /// The transaction item that gives `file`'s size back to its owner's usage — on the condition
    /// that the usage holds at least that much, so it never goes below zero (a record stored before
    /// usage was counted was never in it).
    pub(super) fn release(&self, file: &FileRecord) -> Result<TransactWriteItem> {
        self.release_of(&file.owner, file.size)
    }

    fn release_of(&self, owner: &UserId, size: u64) -> Result<TransactWriteItem> {
        let mut update = expr::Update::default();
        let names = change(&mut update, size, '-');
        let (size, one) = (update.value(n(size)), update.value(n(1)));
        let condition = format!("{} >= {size} AND {} >= {one}", names.bytes, names.files);
        transact_update(&self.table, usage_key(owner), &update, Some(&condition))
    }

    /// The refusal of `file` by a quota: the usage it was refused at (from the cancelled
    /// transaction's copy of the item, or read again if the server sent none).
    pub(super) async fn over_quota(&self, file: &FileRecord, default: &Quota, old: Option<&Item>) -> Result<Error> {
        let stored = match old {
            Some(item) => usage_from(item)?,
            None => self.read_usage(&file.owner).await?,
        };
        Ok(Error::QuotaExceeded { usage: stored.usage, quota: stored.quota_or(default), size: file.size })
    }

    pub(super) async fn read_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        usage_from(&self.get_item(usage_key(owner)).await?.unwrap_or_default())
    }

    pub(super) async fn write_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        let mut update = expr::Update::default();
        let zero = update.value(n(0));
        let limits = [
            (ROOM_BYTES, QUOTA_BYTES, BYTES, quota.and_then(|q| q.bytes)),
            (ROOM_FILES, QUOTA_FILES, FILES, quota.and_then(|q| q.files)),
        ];
        for (room, limit_name, used, limit) in limits {
            // The room is the new limit (0 without one) minus what is stored.
            let (room, used, start) = (update.name(room), update.name(used), update.value(n(limit.unwrap_or(0))));
            update.set_expression(format!("{room} = {start} - if_not_exists({used}, {zero})"));
            match limit {
                Some(value) => update.set(limit_name, n(value)),
                None => update.remove(limit_name),
            };
        }
        match quota {
            Some(_) => update.set(CUSTOM, AttributeValue::Bool(true)),
            None => update.remove(CUSTOM),
        };
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(usage_key(owner)))
            .update_expression(update.expression())
            .set_expression_attribute_names(Some(update.names))
            .set_expression_attribute_values(Some(update.values))
            .send()
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// Gives back the usage of an abandoned upload whose record DynamoDB's TTL removed (the
    /// events function calls this for each such removal on the table's stream). Returns whether
    /// it did. Nothing changes for a removal that was not TTL's (the service's own deletes release
    /// in their own transaction), for one released before (the stream delivers at least once), or
    /// while the record still exists (a forged or misrouted event).
    ///
    /// One transaction: the record's absence, a marker item `RELEASED#{file id}` in the user's
    /// partition written only if absent, and the release.
    pub async fn release_expired_upload(&self, removed: &RemovedFile) -> Result<bool> {
        if !removed.expired {
            return Ok(false);
        }
        let (owner, id) = removed.key.owner_and_file();
        let gone = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key(items::file_pk(&id), items::META)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(storage)?;
        let mut marker = key(user_pk(&owner), format!("{RELEASED}{id}"));
        marker.insert(TTL.into(), n((chrono::Utc::now() + MARKER_LIFETIME).timestamp()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(marker))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(storage)?;
        let release = self.release_of(&owner, removed.size)?;
        let writes = vec![
            TransactWriteItem::builder().condition_check(gone).build(),
            TransactWriteItem::builder().put(put).build(),
            release,
        ];
        for attempt in 0..CONTENDED_ATTEMPTS {
            let result = self.client.transact_write_items().set_transact_items(Some(writes.clone())).send().await;
            let Err(e) = result else { return Ok(true) };
            match cancellation_reasons(&e) {
                // The record is there, or its usage was given back before.
                Some(reasons) if condition_failed(reasons, 0) || condition_failed(reasons, 1) => return Ok(false),
                Some(reasons) if condition_failed(reasons, 2) => {
                    tracing::warn!(key = %removed.key, "an expired upload whose size was never counted in its owner's usage");
                    return Ok(false);
                }
                Some(reasons) if lost_a_race(reasons) => contended(attempt).await,
                _ => return Err(storage(e)),
            }
        }
        Err(Error::conflict("the usage kept changing; the stream will deliver the removal again"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expression(default: Quota, size: u64) -> String {
        let mut update = expr::Update::default();
        let names = change(&mut update, size, '+');
        fits(&mut update, &names, &default, size)
    }

    /// Every value the request names is used in its expressions (DynamoDB refuses unused ones).
    #[test]
    fn every_value_is_used() {
        for (default, size) in [
            (Quota { bytes: Some(10), files: Some(0) }, 5),
            (Quota { bytes: Some(10), files: Some(3) }, 11),
            (Quota { bytes: None, files: Some(3) }, 5),
            (Quota::UNLIMITED, 5),
        ] {
            let mut update = expr::Update::default();
            let names = change(&mut update, size, '+');
            let condition = fits(&mut update, &names, &default, size);
            let text = format!("{} {condition}", update.expression());
            for placeholder in update.values.keys().chain(update.names.keys()) {
                assert!(text.contains(placeholder.as_str()), "{default:?}: {placeholder} unused in {text}");
            }
        }
    }

    #[test]
    fn a_default_the_file_exceeds_leaves_only_the_own_quota() {
        let quota = Quota { bytes: Some(10), files: None };
        assert!(expression(quota, 11).starts_with("(attribute_exists(#custom)"));
        assert!(expression(quota, 10).starts_with("(attribute_not_exists(#custom) AND (attribute_not_exists(#bytes)"));
        assert!(expression(Quota::UNLIMITED, 10).starts_with("(attribute_not_exists(#custom)) OR"));
    }
}
