//! Schema and its migrations, versioned by `PRAGMA user_version`.

use rusqlite::Connection;

/// Migrations in order; `MIGRATIONS[i]` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE files (
    id                  TEXT PRIMARY KEY,
    owner               TEXT NOT NULL,
    name                TEXT NOT NULL,
    size                INTEGER NOT NULL CHECK (size > 0),
    content_type        TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'available')),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    etag                TEXT,
    pending_expires_at  INTEGER,
    upload_id           TEXT,
    part_size           INTEGER,
    CHECK ((upload_id IS NULL) = (part_size IS NULL))
) WITHOUT ROWID;

-- "My files": pending uploads are never listed, so they are not even in the index.
CREATE INDEX files_by_owner ON files (owner, created_at DESC, id DESC) WHERE status = 'available';

CREATE TABLE shares (
    file_id     TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    grantee     TEXT NOT NULL,
    permission  TEXT NOT NULL CHECK (permission IN ('read')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    PRIMARY KEY (file_id, grantee)
) WITHOUT ROWID;

-- "Shared with me".
CREATE INDEX shares_by_grantee ON shares (grantee, created_at DESC, file_id DESC);
"#,
    r#"
-- The sweep of abandoned uploads: pending files by the end of their upload window.
CREATE INDEX files_pending_by_expiry ON files (pending_expires_at) WHERE status = 'pending';
"#,
    r#"
-- Share links, with their file: deleting the file deletes them. Only the secret's hash is kept.
CREATE TABLE links (
    file_id         TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    tag             TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    max_downloads   INTEGER CHECK (max_downloads > 0),
    downloads       INTEGER NOT NULL CHECK (downloads >= 0 AND downloads <= coalesce(max_downloads, downloads)),
    password_hash   TEXT,
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    attempts_since  INTEGER,
    PRIMARY KEY (file_id, tag)
) WITHOUT ROWID;
"#,
    r#"
-- What each user stores (every record they own, pending uploads by their declared size), and
-- their own quota if an operator set one (custom = 1; a NULL limit is no limit). The triggers keep
-- the sums in the same transaction as the record change, so they cannot drift from the records.
CREATE TABLE usage (
    owner        TEXT PRIMARY KEY,
    bytes        INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    files        INTEGER NOT NULL DEFAULT 0 CHECK (files >= 0),
    custom       INTEGER NOT NULL DEFAULT 0 CHECK (custom IN (0, 1)),
    quota_bytes  INTEGER CHECK (quota_bytes >= 0),
    quota_files  INTEGER CHECK (quota_files >= 0)
) WITHOUT ROWID;

INSERT INTO usage (owner, bytes, files) SELECT owner, SUM(size), COUNT(*) FROM files GROUP BY owner;

CREATE TRIGGER usage_on_insert AFTER INSERT ON files BEGIN
    INSERT INTO usage (owner, bytes, files) VALUES (NEW.owner, NEW.size, 1)
    ON CONFLICT (owner) DO UPDATE SET bytes = bytes + excluded.bytes, files = files + 1;
END;

CREATE TRIGGER usage_on_delete AFTER DELETE ON files BEGIN
    UPDATE usage SET bytes = bytes - OLD.size, files = files - 1 WHERE owner = OLD.owner;
END;
"#,
];

/// Connection settings every connection needs: WAL for concurrent readers, foreign keys for
/// cascades, a busy timeout so that a writer waits instead of failing, and `synchronous = FULL`:
/// every commit is on disk (the WAL synced) before it is acknowledged. `NORMAL` in WAL mode can
/// lose the last commits to a power cut — a share revoked, a file deleted, an upload completed,
/// already answered as done — for about half the fsyncs per write; the metadata of a file-sharing
/// service is worth that (figures in docs/architecture.md).
///
/// And the query planner's stability guarantee: without it, SQLite (built with STAT4) marks a
/// statement whose plan could depend on a bound value — any `LIMIT ?` — as expired whenever that
/// value is bound again, so every cached listing statement was parsed and planned anew on every
/// execution (a fifth of a listing's CPU under load). Our plans are fixed index range scans,
/// checked by a test, so planning once is right.
pub(super) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )
}

/// Brings the schema up to date, in one transaction per migration.
pub(super) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in (0_i64..).zip(MIGRATIONS).skip(usize::try_from(version).unwrap_or(usize::MAX)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}
