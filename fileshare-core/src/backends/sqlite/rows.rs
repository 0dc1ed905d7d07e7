//! Mapping between rows and domain records. Timestamps are stored as Unix milliseconds.

use crate::domain::{FileId, FileRecord, FileStatus, MultipartUpload, Permission, Share, UserId};
use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Row, ToSql};

/// Columns of `files`, in the order [`file`] reads them.
pub(super) const FILE_COLUMNS: &str =
    "f.id, f.owner, f.name, f.size, f.content_type, f.status, f.created_at, f.updated_at, f.etag, f.pending_expires_at, f.upload_id, f.part_size";
/// Columns of `shares`, in the order [`share`] reads them.
pub(super) const SHARE_COLUMNS: &str = "s.file_id, s.grantee, s.permission, s.created_at, s.expires_at";
/// How many columns [`FILE_COLUMNS`] has (where share columns start in a join).
pub(super) const FILE_COLUMN_COUNT: usize = 12;

/// A timestamp as stored.
pub(super) struct Millis(pub DateTime<Utc>);

impl ToSql for Millis {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.timestamp_millis()))
    }
}

impl FromSql for Millis {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let ms = i64::column_result(value)?;
        DateTime::from_timestamp_millis(ms).map(Millis).ok_or(FromSqlError::OutOfRange(ms))
    }
}

fn parsed<T, E: std::error::Error + Send + Sync + 'static>(
    row: &Row<'_>,
    idx: usize,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> rusqlite::Result<T> {
    let raw: String = row.get(idx)?;
    parse(&raw).map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn known<T>(row: &Row<'_>, idx: usize, parse: impl FnOnce(&str) -> Option<T>) -> rusqlite::Result<T> {
    let raw: String = row.get(idx)?;
    parse(&raw).ok_or_else(|| rusqlite::Error::InvalidColumnType(idx, raw, rusqlite::types::Type::Text))
}

fn time(row: &Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    row.get::<_, Millis>(idx).map(|m| m.0)
}

fn opt_time(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    row.get::<_, Option<Millis>>(idx).map(|m| m.map(|m| m.0))
}

/// Reads a file from [`FILE_COLUMNS`] starting at column 0.
pub(super) fn file(row: &Row<'_>) -> rusqlite::Result<FileRecord> {
    file_at(row, 0)
}

/// Reads a file from [`FILE_COLUMNS`] starting at column `at`.
pub(super) fn file_at(row: &Row<'_>, at: usize) -> rusqlite::Result<FileRecord> {
    Ok(FileRecord {
        id: parsed(row, at, str::parse::<FileId>)?,
        owner: parsed(row, at + 1, |s: &str| UserId::new(s))?,
        name: parsed(row, at + 2, crate::FileName::new)?,
        size: row
            .get::<_, i64>(at + 3)?
            .try_into()
            .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(at + 3, -1))?,
        content_type: parsed(row, at + 4, crate::ContentType::new)?,
        status: known(row, at + 5, FileStatus::parse)?,
        created_at: time(row, at + 6)?,
        updated_at: time(row, at + 7)?,
        etag: row.get(at + 8)?,
        pending_expires_at: opt_time(row, at + 9)?,
        multipart: match (row.get::<_, Option<String>>(at + 10)?, row.get::<_, Option<i64>>(at + 11)?) {
            (Some(upload_id), Some(part_size)) => Some(MultipartUpload {
                upload_id,
                part_size: part_size
                    .try_into()
                    .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(at + 11, part_size))?,
            }),
            _ => None,
        },
    })
}

/// Reads a share from [`SHARE_COLUMNS`] starting at column `at`; `None` if the (outer-joined) share is null.
pub(super) fn share(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<Share>> {
    if row.get::<_, Option<String>>(at)?.is_none() {
        return Ok(None);
    }
    Ok(Some(Share {
        file_id: parsed(row, at, str::parse::<FileId>)?,
        grantee: parsed(row, at + 1, |s: &str| UserId::new(s))?,
        permission: known(row, at + 2, Permission::parse)?,
        created_at: time(row, at + 3)?,
        expires_at: opt_time(row, at + 4)?,
    }))
}
