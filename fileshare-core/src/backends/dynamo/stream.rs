//! Reading the table's stream: what the events function has to finish.
//!
//! - A file item that is deleted — by the service's own delete, or by the table's TTL (a pending
//!   item carries `expires_at`, so DynamoDB deletes it once the upload is abandoned) — arrives with
//!   its old image, which names the object (and any unfinished multipart upload) that must not
//!   outlive it: [`RemovedFile`]. The service's delete removes the bytes itself, but that step can
//!   fail or be cut short by a timeout; the stream delivers every removal at least once, so the
//!   events function makes sure. A removal by TTL also still holds its owner's usage, which the
//!   events function gives back.
//! - A file item that becomes a tombstone (a delete of a file with more shares than one
//!   transaction holds has begun) arrives with its new image: [`DeletingFile`], whose delete the
//!   events function finishes, should the caller that began it have died.

use super::items::{DELETED_AT, META, SK};
use crate::domain::{FileId, ObjectKey, UserId};
use serde_json::Value;

/// A file whose record was deleted, read from a stream record's `OldImage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovedFile {
    /// Where its bytes may be.
    pub key: ObjectKey,
    /// Its unfinished multipart upload, if it was one.
    pub upload_id: Option<String>,
    /// Its size, as its owner's usage counts it.
    pub size: u64,
    /// Removed by the table's TTL (an abandoned upload), not by one of the service's own writes,
    /// which give the usage back themselves: its usage is still held.
    pub expired: bool,
}

impl RemovedFile {
    /// Reads a stream record: a `REMOVE` of a file item. `expired` if DynamoDB's TTL removed it
    /// (the record's `userIdentity` is DynamoDB's own service principal) and it was no tombstone
    /// (whose delete gave the usage back when it began).
    ///
    /// ```
    /// use fileshare_core::backends::RemovedFile;
    /// let record = serde_json::json!({
    ///     "eventName": "REMOVE",
    ///     "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
    ///     "dynamodb": {"OldImage": {
    ///         "SK": {"S": "META"}, "id": {"S": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "owner": {"S": "alice"},
    ///         "size": {"N": "5"}, "status": {"S": "pending"},
    ///     }},
    /// });
    /// let removed = RemovedFile::from_stream_record(&record).unwrap();
    /// assert!(removed.expired);
    /// assert_eq!(removed.size, 5);
    /// ```
    pub fn from_stream_record(record: &Value) -> Option<Self> {
        if record.get("eventName")?.as_str()? != "REMOVE" {
            return None;
        }
        let image = record.get("dynamodb")?.get("OldImage")?;
        let mut removed = Self::from_stream_image(image)?;
        let identity = record.get("userIdentity");
        let field = |name: &str| identity.and_then(|i| i.get(name)).and_then(Value::as_str);
        removed.expired = field("type") == Some("Service")
            && field("principalId") == Some("dynamodb.amazonaws.com")
            && image.get(DELETED_AT).is_none();
        Some(removed)
    }

    /// Reads an `OldImage` in DynamoDB JSON (`{"SK": {"S": "META"}, "owner": …, "id": …}`). `None`
    /// for anything but a file item (shares pass through untouched). Not `expired`: only the whole
    /// record ([`RemovedFile::from_stream_record`]) tells who removed it.
    ///
    /// ```
    /// use fileshare_core::backends::RemovedFile;
    /// let image = serde_json::json!({
    ///     "PK": {"S": "FILE#01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "SK": {"S": "META"},
    ///     "id": {"S": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "owner": {"S": "alice"}, "status": {"S": "pending"},
    /// });
    /// let upload = RemovedFile::from_stream_image(&image).unwrap();
    /// assert_eq!(upload.key.as_str(), "files/alice/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    /// ```
    pub fn from_stream_image(image: &Value) -> Option<Self> {
        let string = |name: &str| image.get(name)?.get("S")?.as_str();
        if string(SK)? != META {
            return None;
        }
        let owner = UserId::new(string("owner")?).ok()?;
        let id: FileId = string("id")?.parse().ok()?;
        let size = image.get("size").and_then(|v| v.get("N")?.as_str()?.parse().ok()).unwrap_or(0);
        let upload_id = string("upload_id").map(str::to_owned);
        Some(Self { key: ObjectKey::for_file(&owner, &id), upload_id, size, expired: false })
    }
}

/// A file whose delete began in steps, read from a stream record's `NewImage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletingFile {
    /// The file's object (its id and owner).
    pub key: ObjectKey,
}

impl DeletingFile {
    /// Reads a `NewImage` in DynamoDB JSON; `None` for anything but a file item that is a tombstone.
    ///
    /// ```
    /// use fileshare_core::backends::DeletingFile;
    /// let image = serde_json::json!({
    ///     "PK": {"S": "FILE#01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "SK": {"S": "META"},
    ///     "id": {"S": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "owner": {"S": "alice"}, "deleted_at": {"N": "1"},
    /// });
    /// assert_eq!(DeletingFile::from_stream_image(&image).unwrap().key.as_str(), "files/alice/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    /// ```
    pub fn from_stream_image(image: &Value) -> Option<Self> {
        let string = |name: &str| image.get(name)?.get("S")?.as_str();
        if string(SK)? != META || image.get(DELETED_AT).is_none() {
            return None;
        }
        let owner = UserId::new(string("owner")?).ok()?;
        let id: FileId = string("id")?.parse().ok()?;
        Some(Self { key: ObjectKey::for_file(&owner, &id) })
    }
}

#[cfg(test)]
mod tests {
    use super::super::items::{file_item, Item};
    use super::*;
    use crate::domain::{ContentType, FileName, FileRecord, FileStatus, MultipartUpload};
    use aws_sdk_dynamodb::types::AttributeValue;
    use serde_json::{json, Map};

    /// The stream's DynamoDB JSON for an item the store writes (the attribute kinds it uses).
    fn stream_image(item: &Item) -> Value {
        let attribute = |value: &AttributeValue| match value {
            AttributeValue::S(s) => json!({ "S": s }),
            AttributeValue::N(n) => json!({ "N": n }),
            other => panic!("the store writes no {other:?}"),
        };
        Value::Object(item.iter().map(|(name, value)| (name.clone(), attribute(value))).collect::<Map<_, _>>())
    }

    fn record(status: FileStatus, multipart: Option<MultipartUpload>) -> FileRecord {
        let now = chrono::Utc::now();
        FileRecord {
            id: FileId::generate(now),
            owner: UserId::new("alice@example.com").expect("valid"),
            name: FileName::new("a.bin").expect("valid"),
            size: 10,
            content_type: ContentType::new("application/octet-stream").expect("valid"),
            status,
            created_at: now,
            updated_at: now,
            etag: None,
            pending_expires_at: (status == FileStatus::Pending).then_some(now),
            multipart,
        }
    }

    #[test]
    fn file_items_as_written_name_their_object_and_upload() {
        let plan = MultipartUpload { upload_id: "upload-1".into(), part_size: 8 };
        let file = record(FileStatus::Pending, Some(plan));
        let expired = RemovedFile::from_stream_image(&stream_image(&file_item(&file))).expect("pending item");
        assert_eq!(
            expired,
            RemovedFile { key: file.key(), upload_id: Some("upload-1".into()), size: 10, expired: false }
        );
        let form = record(FileStatus::Pending, None);
        assert_eq!(RemovedFile::from_stream_image(&stream_image(&file_item(&form))).expect("valid").upload_id, None);
        let available = record(FileStatus::Available, None);
        let removed = RemovedFile::from_stream_image(&stream_image(&file_item(&available))).expect("available item");
        assert_eq!(removed, RemovedFile { key: available.key(), upload_id: None, size: 10, expired: false });
    }

    #[test]
    fn other_items_are_not_files() {
        let mut share = stream_image(&file_item(&record(FileStatus::Pending, None)));
        share["SK"] = json!({"S": "SHARE#bob"});
        assert_eq!(RemovedFile::from_stream_image(&share), None);
        assert_eq!(RemovedFile::from_stream_image(&json!({})), None);
        assert_eq!(RemovedFile::from_stream_image(&json!({"SK": {"S": "META"}, "status": {"S": "pending"}})), None);
    }
}
