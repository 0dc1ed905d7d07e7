//! Usage and quotas in the `usage` table: one row per user, its sums kept by triggers on `files`
//! (see the schema), its quota columns written only by an operator.

use super::{db, SqliteMetadataStore};
use crate::domain::{Quota, StoredUsage, Usage, UserId};
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// A stored count or limit: never negative (the table's checks).
fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// A limit as SQLite stores it: beyond `i64::MAX` no count can reach, so it is stored as that.
fn limit(value: Option<u64>) -> Option<i64> {
    value.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// The user's row, or zero usage and no quota of their own.
fn select_usage(conn: &Connection, owner: &str) -> rusqlite::Result<StoredUsage> {
    let row = conn
        .prepare_cached("SELECT bytes, files, custom, quota_bytes, quota_files FROM usage WHERE owner = ?1")?
        .query_row([owner], |r| {
            let usage = Usage { bytes: count(r.get(0)?), files: count(r.get(1)?) };
            let own =
                Quota { bytes: r.get::<_, Option<i64>>(3)?.map(count), files: r.get::<_, Option<i64>>(4)?.map(count) };
            Ok(StoredUsage { usage, quota: r.get::<_, bool>(2)?.then_some(own) })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

/// Refuses the record just inserted for `owner` (its size already counted by the trigger) if it
/// did not fit: the caller's transaction then rolls back, the insert and the count with it.
pub(super) fn check_fits(conn: &Connection, owner: &str, size: u64, default: &Quota) -> Result<()> {
    let stored = select_usage(conn, owner).map_err(db)?;
    let before = Usage { bytes: stored.usage.bytes.saturating_sub(size), files: stored.usage.files.saturating_sub(1) };
    let quota = stored.quota_or(default);
    if quota.admits(&before, size) {
        Ok(())
    } else {
        Err(Error::QuotaExceeded { usage: before, quota, size })
    }
}

impl SqliteMetadataStore {
    pub(super) async fn read_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        let owner = owner.to_string();
        self.read(move |conn| select_usage(conn, &owner)).await
    }

    pub(super) async fn write_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        let owner = owner.to_string();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO usage (owner, custom, quota_bytes, quota_files) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (owner) DO UPDATE SET custom = excluded.custom, quota_bytes = excluded.quota_bytes, \
                 quota_files = excluded.quota_files",
            )
            .map_err(db)?
            .execute(params![
                owner,
                quota.is_some(),
                limit(quota.and_then(|q| q.bytes)),
                limit(quota.and_then(|q| q.files))
            ])
            .map_err(db)?;
            Ok(())
        })
        .await
    }
}
