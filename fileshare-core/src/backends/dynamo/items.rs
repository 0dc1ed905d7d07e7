//! The single-table item layout (docs/aws.md) and conversions between items and records.
//!
//! | item  | PK          | SK               | GSI1PK / GSI1SK (available only)  | GSI2PK / GSI2SK               |
//! |-------|-------------|------------------|-----------------------------------|-------------------------------|
//! | file  | `FILE#{id}` | `META`           | `OWNER#{owner}` / `{created}#{id}` | –                             |
//! | share | `FILE#{id}` | `SHARE#{grantee}` | –                                 | `USER#{grantee}` / `{shared}#{id}` |
//! | link  | `FILE#{id}` | `LINK#{tag}`     | –                                 | –                             |
//!
//! A share item also carries a copy of its file's attributes. Once available, a file never changes
//! (name, size, type, owner, times, etag are fixed), so the copy is always exact and "shared with me"
//! is one query with no follow-up reads.

use crate::domain::{
    ContentType, FileId, FileName, FileRecord, FileStatus, MultipartUpload, Permission, Position, Share, SharedFile,
    UserId,
};
use crate::{Error, Result};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// An item as the SDK carries it.
pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) const PK: &str = "PK";
pub(super) const SK: &str = "SK";
pub(super) const GSI1: &str = "GSI1";
pub(super) const GSI1PK: &str = "GSI1PK";
pub(super) const GSI1SK: &str = "GSI1SK";
pub(super) const GSI2: &str = "GSI2";
pub(super) const GSI2PK: &str = "GSI2PK";
pub(super) const GSI2SK: &str = "GSI2SK";
/// The TTL attribute: epoch seconds after which DynamoDB deletes the item (pending uploads, expiring
/// shares). Deletion is lazy (hours), so reads check expiry themselves.
pub(super) const TTL: &str = "expires_at";
/// Bumped by every share write; delete is conditional on it, so no share can slip in unseen.
pub(super) const SHARE_VERSION: &str = "share_version";
pub(super) const META: &str = "META";
/// Set on a file's record when a delete too large for one transaction has begun: the record is a
/// tombstone, gone for every reader, until the rest of the delete removes it (see `delete`).
pub(super) const DELETED_AT: &str = "deleted_at";

pub(super) fn file_pk(id: &FileId) -> String {
    format!("FILE#{id}")
}

pub(super) fn share_sk(grantee: &UserId) -> String {
    format!("SHARE#{grantee}")
}

pub(super) fn owner_pk(owner: &UserId) -> String {
    format!("OWNER#{owner}")
}

pub(super) fn user_pk(grantee: &UserId) -> String {
    format!("USER#{grantee}")
}

/// Index sort key: sorts like `(at, id)` because the millisecond count is zero-padded.
pub(super) fn sort_key(position: &Position) -> String {
    format!("{:015}#{}", position.at.timestamp_millis(), position.id)
}

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))])
}

fn corrupt(what: &str) -> Error {
    Error::storage("dynamodb", format!("malformed item: {what}"))
}

pub(super) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str> {
    item.get(name).and_then(|v| v.as_s().ok()).map(String::as_str).ok_or_else(|| corrupt(name))
}

pub(super) fn opt_s(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

pub(super) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).ok_or_else(|| corrupt(name))
}

pub(super) fn opt_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<Option<T>> {
    item.contains_key(name).then(|| get_n(item, name)).transpose()
}

fn millis(t: DateTime<Utc>) -> AttributeValue {
    n(t.timestamp_millis())
}

pub(super) fn time(item: &Item, name: &str) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(get_n(item, name)?).ok_or_else(|| corrupt(name))
}

pub(super) fn opt_time(item: &Item, name: &str) -> Result<Option<DateTime<Utc>>> {
    opt_n::<i64>(item, name)?.map(|ms| DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(name))).transpose()
}

/// The attributes every file item and every share's copy of it carry.
fn file_attributes(f: &FileRecord) -> Item {
    let mut item = HashMap::from([
        ("id".to_owned(), s(f.id.to_string())),
        ("owner".to_owned(), s(f.owner.as_str())),
        ("name".to_owned(), s(f.name.as_str())),
        ("size".to_owned(), n(f.size)),
        ("content_type".to_owned(), s(f.content_type.as_str())),
        ("status".to_owned(), s(f.status.as_str())),
        ("created_at".to_owned(), millis(f.created_at)),
        ("updated_at".to_owned(), millis(f.updated_at)),
    ]);
    if let Some(etag) = &f.etag {
        item.insert("etag".into(), s(etag));
    }
    item
}

/// The item of a new file record.
pub(super) fn file_item(f: &FileRecord) -> Item {
    let mut item = file_attributes(f);
    item.extend(key(file_pk(&f.id), META));
    if let Some(t) = f.pending_expires_at {
        item.insert("pending_expires_at".into(), millis(t));
        item.insert(TTL.into(), n(t.timestamp()));
    }
    if let Some(plan) = &f.multipart {
        item.insert("upload_id".into(), s(&plan.upload_id));
        item.insert("part_size".into(), n(plan.part_size));
    }
    if f.status == FileStatus::Available {
        item.insert(GSI1PK.into(), s(owner_pk(&f.owner)));
        item.insert(GSI1SK.into(), s(sort_key(&Position { at: f.created_at, id: f.id })));
    }
    item
}

/// A file record from a file item or a share item's copy.
pub(super) fn file_from(item: &Item) -> Result<FileRecord> {
    let multipart = match (opt_s(item, "upload_id"), opt_n(item, "part_size")?) {
        (Some(upload_id), Some(part_size)) => Some(MultipartUpload { upload_id, part_size }),
        _ => None,
    };
    Ok(FileRecord {
        id: get_s(item, "id")?.parse()?,
        owner: UserId::new(get_s(item, "owner")?)?,
        name: FileName::new(get_s(item, "name")?)?,
        size: get_n(item, "size")?,
        content_type: ContentType::new(get_s(item, "content_type")?)?,
        status: FileStatus::parse(get_s(item, "status")?).ok_or_else(|| corrupt("status"))?,
        created_at: time(item, "created_at")?,
        updated_at: time(item, "updated_at")?,
        etag: opt_s(item, "etag"),
        pending_expires_at: opt_time(item, "pending_expires_at")?,
        multipart,
    })
}

/// The attribute values a share write sets (besides the key): the share, its index keys and the
/// copy of its file. `shared_at` and the index sort key are set only if absent, so sharing again
/// keeps the first `created_at`.
pub(super) fn share_values(share: &Share, file: &FileRecord) -> Item {
    let mut values = file_attributes(file);
    values.insert("grantee".into(), s(share.grantee.as_str()));
    values.insert("permission".into(), s(share.permission.as_str()));
    values.insert(GSI2PK.into(), s(user_pk(&share.grantee)));
    values
}

/// A share from a share item.
pub(super) fn share_from(item: &Item) -> Result<Share> {
    Ok(Share {
        file_id: get_s(item, "id")?.parse()?,
        grantee: UserId::new(get_s(item, "grantee")?)?,
        permission: Permission::parse(get_s(item, "permission")?).ok_or_else(|| corrupt("permission"))?,
        created_at: time(item, "shared_at")?,
        expires_at: opt_time(item, "share_expires_at")?,
    })
}

/// A listed share with its file.
pub(super) fn shared_file_from(item: &Item) -> Result<SharedFile> {
    Ok(SharedFile { file: file_from(item)?, share: share_from(item)? })
}

/// `shared_at` for an index entry, in the item's stored form.
pub(super) fn share_times(share: &Share) -> (AttributeValue, AttributeValue) {
    (millis(share.created_at), s(sort_key(&Position { at: share.created_at, id: share.file_id })))
}

/// The share's expiry in its stored forms: milliseconds and TTL seconds.
pub(super) fn share_expiry(share: &Share) -> Option<(AttributeValue, AttributeValue)> {
    share.expires_at.map(|t| (millis(t), n(t.timestamp())))
}

/// The owner-index entry a file gets once available.
pub(super) fn owner_index(file: &FileRecord) -> (AttributeValue, AttributeValue) {
    (s(owner_pk(&file.owner)), s(sort_key(&Position { at: file.created_at, id: file.id })))
}

pub(super) fn millis_value(t: DateTime<Utc>) -> AttributeValue {
    millis(t)
}
