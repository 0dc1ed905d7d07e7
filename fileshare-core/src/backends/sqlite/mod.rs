//! [`SqliteMetadataStore`]: the embedded default's metadata, in one SQLite file.
//!
//! WAL mode lets readers run while one writer writes; each read takes a pooled reader connection,
//! each write the single writer connection inside an `IMMEDIATE` transaction, on tokio's blocking
//! pool so that async callers never block. Every listing is one range scan of an index
//! (`files_by_owner`, `shares_by_grantee`); a test checks the query plans.

mod links;
mod rows;
mod schema;
mod usage;

use crate::domain::{
    FileAccess, FileId, FileRecord, FileStatus, LinkAccess, LinkId, LinkUpdate, Position, Quota, Share, ShareLink,
    SharedFile, StoredUsage, UserId,
};
use crate::metadata::{MetadataStore, Slice};
use crate::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rows::{Millis, FILE_COLUMNS, FILE_COLUMN_COUNT, SHARE_COLUMNS};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const BACKEND: &str = "sqlite";
/// Reads that run at once, each on a reader connection of its own that stays open: more than a few
/// per core only queue inside SQLite, and a read beyond the pool would open (and parse the schema
/// of) a connection just to close it again — under load, most of a read's cost.
fn max_readers() -> usize {
    std::thread::available_parallelism().map_or(4, |n| (2 * n.get()).clamp(4, 16))
}

fn db(e: rusqlite::Error) -> Error {
    Error::storage(BACKEND, e)
}

/// A [`MetadataStore`] in a SQLite database file.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use fileshare_core::backends::SqliteMetadataStore;
/// let dir = tempfile::tempdir().unwrap();
/// let store = SqliteMetadataStore::open(dir.path().join("fileshare.db")).await?;
/// # Ok::<_, fileshare_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct SqliteMetadataStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// One permit per reader connection: a read waits for one, so the pool never grows past it.
    reading: Arc<tokio::sync::Semaphore>,
}

impl std::fmt::Debug for SqliteMetadataStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteMetadataStore").field("path", &self.inner.path).finish()
    }
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    schema::configure(&conn)?;
    Ok(conn)
}

impl SqliteMetadataStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::storage(BACKEND, e))?;
            }
            let mut writer = open_connection(&path).map_err(db)?;
            schema::migrate(&mut writer).map_err(db)?;
            let readers = max_readers();
            let inner = Inner {
                path,
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::with_capacity(readers)),
                reading: Arc::new(tokio::sync::Semaphore::new(readers)),
            };
            Ok(Self { inner: Arc::new(inner) })
        })
        .await
        .map_err(|e| Error::storage(BACKEND, e))?
    }

    /// Pending uploads whose upload window closed at or before `before`, oldest first, at most
    /// `limit`: what a sweep hands to
    /// [`FileShare::discard_abandoned_upload`](crate::FileShare::discard_abandoned_upload) — the
    /// embedded default's counterpart of DynamoDB's TTL.
    pub async fn expired_uploads(&self, before: DateTime<Utc>, limit: usize) -> Result<Vec<FileRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&expand(EXPIRED_UPLOADS))?;
            let rows = stmt.query_map(params![Millis(before), limit], rows::file)?;
            rows.collect()
        })
        .await
    }

    /// Runs a read on a pooled reader connection.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T> {
        // Held by the blocking task itself: a caller that gives up does not free a connection in use.
        let permit = self.inner.reading.clone().acquire_owned().await.map_err(|e| Error::storage(BACKEND, e))?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = inner.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => open_connection(&inner.path).map_err(db)?,
            };
            let result = f(&conn).map_err(db);
            inner.readers.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
            result
        })
        .await
        .map_err(|e| Error::storage(BACKEND, e))?
    }

    /// Runs `f` in an `IMMEDIATE` transaction on the writer; commits if `f` succeeds.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            // A panic inside `f` drops the transaction, which rolls back: the connection stays sound.
            let mut conn = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db)?;
            let value = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(value)
        })
        .await
        .map_err(|e| Error::storage(BACKEND, e))?
    }
}

fn select_file(sql_conn: &Connection, id: &str) -> Result<Option<FileRecord>> {
    let sql = format!("SELECT {FILE_COLUMNS} FROM files f WHERE f.id = ?1");
    sql_conn.prepare_cached(&sql).map_err(db)?.query_row([id], rows::file).optional().map_err(db)
}

fn select_share(conn: &Connection, id: &str, grantee: &str) -> Result<Option<Share>> {
    let sql = format!("SELECT {SHARE_COLUMNS} FROM shares s WHERE s.file_id = ?1 AND s.grantee = ?2");
    let share = conn.prepare_cached(&sql).map_err(db)?.query_row([id, grantee], |r| rows::share(r, 0)).optional();
    Ok(share.map_err(db)?.flatten())
}

/// Owned files: one range scan of `files_by_owner`. Parameters: owner, limit[, at, id].
pub(crate) const LIST_OWNED_FIRST: &str = "SELECT {FILE} FROM files f WHERE f.owner = ?1 AND f.status = 'available' \
     ORDER BY f.created_at DESC, f.id DESC LIMIT ?2";
pub(crate) const LIST_OWNED_AFTER: &str = "SELECT {FILE} FROM files f WHERE f.owner = ?1 AND f.status = 'available' \
     AND (f.created_at, f.id) < (?3, ?4) ORDER BY f.created_at DESC, f.id DESC LIMIT ?2";
/// Shares with the grantee: one range scan of `shares_by_grantee`, one primary-key lookup per file.
/// Parameters: grantee, limit, now[, at, id].
pub(crate) const LIST_SHARED_FIRST: &str = "SELECT {FILE}, {SHARE} FROM shares s JOIN files f ON f.id = s.file_id \
     WHERE s.grantee = ?1 AND (s.expires_at IS NULL OR s.expires_at > ?3) \
     ORDER BY s.created_at DESC, s.file_id DESC LIMIT ?2";
pub(crate) const LIST_SHARED_AFTER: &str = "SELECT {FILE}, {SHARE} FROM shares s JOIN files f ON f.id = s.file_id \
     WHERE s.grantee = ?1 AND (s.expires_at IS NULL OR s.expires_at > ?3) AND (s.created_at, s.file_id) < (?4, ?5) \
     ORDER BY s.created_at DESC, s.file_id DESC LIMIT ?2";

/// Pending uploads whose window closed by ?1, oldest first: one range scan of
/// `files_pending_by_expiry`. Parameters: before, limit.
pub(crate) const EXPIRED_UPLOADS: &str = "SELECT {FILE} FROM files f WHERE f.status = 'pending' \
     AND f.pending_expires_at <= ?1 ORDER BY f.pending_expires_at LIMIT ?2";

fn expand(sql: &str) -> String {
    sql.replace("{FILE}", FILE_COLUMNS).replace("{SHARE}", SHARE_COLUMNS)
}

/// Rows to fetch for a page of `limit`: one more, to learn whether more exist.
fn fetch_count(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)
}

/// Runs a listing query fetched with [`fetch_count`] and cuts it to a [`Slice`].
fn list<T>(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
    limit: usize,
    map: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Slice<T>> {
    let mut stmt = conn.prepare_cached(&expand(sql))?;
    let mut items = stmt.query_map(params, map)?.collect::<rusqlite::Result<Vec<T>>>()?;
    let has_more = items.len() > limit;
    items.truncate(limit);
    Ok(Slice { items, has_more })
}

fn shared_file(r: &rusqlite::Row<'_>) -> rusqlite::Result<SharedFile> {
    let missing =
        || rusqlite::Error::InvalidColumnType(FILE_COLUMN_COUNT, "file_id".into(), rusqlite::types::Type::Null);
    let share = rows::share(r, FILE_COLUMN_COUNT)?.ok_or_else(missing)?;
    Ok(SharedFile { file: rows::file(r)?, share })
}

#[async_trait]
impl MetadataStore for SqliteMetadataStore {
    async fn insert_file(&self, file: &FileRecord, quota: &Quota) -> Result<()> {
        let (f, quota) = (file.clone(), *quota);
        self.write(move |tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO files (id, owner, name, size, content_type, status, created_at, updated_at, etag, \
                     pending_expires_at, upload_id, part_size) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    f.id.to_string(),
                    f.owner.as_str(),
                    f.name.as_str(),
                    i64::try_from(f.size).map_err(|_| Error::invalid("size", "too large to store"))?,
                    f.content_type.as_str(),
                    f.status.as_str(),
                    Millis(f.created_at),
                    Millis(f.updated_at),
                    f.etag,
                    f.pending_expires_at.map(Millis),
                    f.multipart.as_ref().map(|m| m.upload_id.as_str()),
                    f.multipart.as_ref().map(|m| i64::try_from(m.part_size).unwrap_or(i64::MAX)),
                ])
                .map_err(db)?;
            if inserted == 0 {
                return Err(Error::conflict(format!("file {} already exists", f.id)));
            }
            // The trigger counted it; a record that does not fit rolls back with its count.
            usage::check_fits(tx, f.owner.as_str(), f.size, &quota)
        })
        .await
    }

    async fn get_file(&self, id: &FileId, viewer: &UserId) -> Result<Option<FileAccess>> {
        let (id, viewer) = (id.to_string(), viewer.to_string());
        self.read(move |conn| {
            let sql = format!(
                "SELECT {FILE_COLUMNS}, {SHARE_COLUMNS} FROM files f \
                 LEFT JOIN shares s ON s.file_id = f.id AND s.grantee = ?2 WHERE f.id = ?1"
            );
            conn.prepare_cached(&sql)?
                .query_row([id, viewer], |r| {
                    Ok(FileAccess { file: rows::file(r)?, share: rows::share(r, FILE_COLUMN_COUNT)? })
                })
                .optional()
        })
        .await
    }

    async fn mark_available(&self, file: &FileRecord, etag: Option<String>, at: DateTime<Utc>) -> Result<FileRecord> {
        let id = file.id.to_string();
        self.write(move |tx| {
            tx.prepare_cached(
                "UPDATE files SET status = 'available', etag = ?2, updated_at = ?3, pending_expires_at = NULL, \
                 upload_id = NULL, part_size = NULL WHERE id = ?1 AND status = 'pending'",
            )
            .map_err(db)?
            .execute(params![id, etag, Millis(at)])
            .map_err(db)?;
            select_file(tx, &id)?.ok_or_else(|| Error::not_found("file", &id))
        })
        .await
    }

    async fn delete_file(&self, id: &FileId) -> Result<FileRecord> {
        let id = id.to_string();
        self.write(move |tx| {
            let file = select_file(tx, &id)?.ok_or_else(|| Error::not_found("file", &id))?;
            tx.prepare_cached("DELETE FROM shares WHERE file_id = ?1").map_err(db)?.execute([&id]).map_err(db)?;
            tx.prepare_cached("DELETE FROM links WHERE file_id = ?1").map_err(db)?.execute([&id]).map_err(db)?;
            tx.prepare_cached("DELETE FROM files WHERE id = ?1").map_err(db)?.execute([&id]).map_err(db)?;
            Ok(file)
        })
        .await
    }

    async fn put_share(&self, share: &Share, file: &FileRecord) -> Result<Share> {
        let (share, owner) = (share.clone(), file.owner.clone());
        self.write(move |tx| {
            let id = share.file_id.to_string();
            match select_file(tx, &id)? {
                Some(file) if file.owner == owner => {
                    if file.status != FileStatus::Available {
                        return Err(Error::conflict("a file can be shared once its upload is complete"));
                    }
                }
                _ => return Err(Error::not_found("file", &id)),
            }
            tx.prepare_cached(
                "INSERT INTO shares (file_id, grantee, permission, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (file_id, grantee) DO UPDATE SET permission = excluded.permission, expires_at = excluded.expires_at",
            )
            .map_err(db)?
            .execute(params![
                id,
                share.grantee.as_str(),
                share.permission.as_str(),
                Millis(share.created_at),
                share.expires_at.map(Millis)
            ])
            .map_err(db)?;
            select_share(tx, &id, share.grantee.as_str())?.ok_or_else(|| Error::not_found("share", &id))
        })
        .await
    }

    async fn delete_share(&self, id: &FileId, grantee: &UserId) -> Result<()> {
        let (id, grantee) = (id.to_string(), grantee.to_string());
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM shares WHERE file_id = ?1 AND grantee = ?2")
                .map_err(db)?
                .execute([&id, &grantee])
                .map_err(db)?;
            if deleted == 0 {
                return Err(Error::not_found("share", format!("{id}/{grantee}")));
            }
            Ok(())
        })
        .await
    }

    async fn list_shares(&self, id: &FileId, after: Option<&UserId>, limit: usize) -> Result<Slice<Share>> {
        let (id, after) = (id.to_string(), after.map_or_else(String::new, |a| a.as_str().to_owned()));
        let fetch = fetch_count(limit);
        self.read(move |conn| {
            // The primary key (file_id, grantee) serves the range: a page reads `limit + 1` rows.
            let sql = format!(
                "SELECT {SHARE_COLUMNS} FROM shares s WHERE s.file_id = ?1 AND s.grantee > ?2 ORDER BY s.grantee LIMIT ?3"
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let shares = stmt.query_map(rusqlite::params![id, after, fetch], |r| rows::share(r, 0))?;
            let mut items: Vec<Share> = shares.filter_map(|s| s.transpose()).collect::<rusqlite::Result<_>>()?;
            let has_more = items.len() > limit;
            items.truncate(limit);
            Ok(Slice { items, has_more })
        })
        .await
    }

    async fn put_link(&self, link: &ShareLink, file: &FileRecord) -> Result<()> {
        self.insert_link(link, &file.owner).await
    }

    async fn get_link(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        self.select_link_access(id).await
    }

    async fn list_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        self.select_links(file).await
    }

    async fn update_link(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        self.apply_link_update(id, update).await
    }

    async fn delete_link(&self, id: &LinkId) -> Result<()> {
        self.remove_link(id).await
    }

    async fn get_usage(&self, owner: &UserId) -> Result<StoredUsage> {
        self.read_usage(owner).await
    }

    async fn set_quota(&self, owner: &UserId, quota: Option<Quota>) -> Result<()> {
        self.write_quota(owner, quota).await
    }

    async fn list_owned(&self, owner: &UserId, after: Option<&Position>, limit: usize) -> Result<Slice<FileRecord>> {
        let (owner, after) = (owner.to_string(), after.copied());
        self.read(move |conn| {
            let n = fetch_count(limit);
            match after {
                None => list(conn, LIST_OWNED_FIRST, params![owner, n], limit, rows::file),
                Some(p) => {
                    list(conn, LIST_OWNED_AFTER, params![owner, n, Millis(p.at), p.id.to_string()], limit, rows::file)
                }
            }
        })
        .await
    }

    async fn list_shared_with(
        &self,
        grantee: &UserId,
        now: DateTime<Utc>,
        after: Option<&Position>,
        limit: usize,
    ) -> Result<Slice<SharedFile>> {
        let (grantee, after) = (grantee.to_string(), after.copied());
        self.read(move |conn| {
            let (n, now) = (fetch_count(limit), Millis(now));
            match after {
                None => list(conn, LIST_SHARED_FIRST, params![grantee, n, now], limit, shared_file),
                Some(p) => {
                    let params = params![grantee, n, now, Millis(p.at), p.id.to_string()];
                    list(conn, LIST_SHARED_AFTER, params, limit, shared_file)
                }
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listing must be a range scan of its index: no table scan, no temporary sort.
    #[tokio::test]
    async fn listings_are_index_range_scans() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteMetadataStore::open(dir.path().join("db.sqlite")).await.expect("open");
        for (sql, index) in [
            (LIST_OWNED_FIRST, "files_by_owner"),
            (LIST_OWNED_AFTER, "files_by_owner"),
            (LIST_SHARED_FIRST, "shares_by_grantee"),
            (LIST_SHARED_AFTER, "shares_by_grantee"),
            (EXPIRED_UPLOADS, "files_pending_by_expiry"),
        ] {
            let plan = store
                .read(move |conn| {
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", expand(sql)))?;
                    let values: [&dyn rusqlite::ToSql; 5] = [&"u", &51, &0, &"x", &"y"];
                    let details = stmt.query_map(&values[..stmt.parameter_count()], |r| r.get::<_, String>(3))?;
                    details.collect::<rusqlite::Result<Vec<_>>>()
                })
                .await
                .expect("plan")
                .join(" | ");
            assert!(plan.contains(index), "{sql}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{sql} sorts: {plan}");
            assert!(!plan.contains("SCAN f") && !plan.contains("SCAN s"), "{sql} scans: {plan}");
        }
    }
}
