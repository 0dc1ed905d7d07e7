//! Accounts of the built-in identity provider, in SQLite: users and refresh tokens.
//!
//! Refresh tokens rotate: each refresh spends the token and issues the next one of the same
//! *family* (one login session). Spent tokens are kept until they expire, so that presenting one
//! again — the sign that it was stolen and used by someone else — revokes the whole family.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A stored account.
#[derive(Clone)]
pub struct Account {
    /// Stable subject (`sub`), a UUID.
    pub id: String,
    /// Display name, unique (case-insensitive).
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was live: it is spent now, and its successor stored.
    Rotated(Account),
    /// Unknown, expired, or spent a moment ago (a client racing itself).
    Invalid,
    /// Spent already (more than [`REUSE_GRACE_SECS`] ago): someone else refreshed with it first.
    /// Its whole family is revoked.
    Reused,
}

/// The account database.
#[derive(Clone)]
pub struct Accounts {
    conn: Arc<Mutex<Connection>>,
}

type DbResult<T> = Result<T, rusqlite::Error>;

/// Migrations in order; `MIGRATIONS[i]` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1 predates versioning: `IF NOT EXISTS` lets it adopt a database created before.
    "CREATE TABLE IF NOT EXISTS users (
         id TEXT PRIMARY KEY,
         username TEXT NOT NULL UNIQUE COLLATE NOCASE,
         password_hash TEXT NOT NULL,
         created_at INTEGER NOT NULL
     );
     CREATE TABLE IF NOT EXISTS refresh_tokens (
         token_hash TEXT PRIMARY KEY,
         user_id TEXT NOT NULL REFERENCES users (id),
         expires_at INTEGER NOT NULL
     );",
    // Rotation: a family per login, spent tokens kept until they expire; the sweep by expiry and
    // the revocation of a family each read an index.
    "ALTER TABLE refresh_tokens ADD COLUMN family TEXT;
     ALTER TABLE refresh_tokens ADD COLUMN spent_at INTEGER;
     UPDATE refresh_tokens SET family = token_hash WHERE family IS NULL;
     CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
     CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);",
];

/// How long after a refresh token was spent presenting it again is taken for a race (two requests of
/// one client refreshing at once) and refused quietly, rather than as theft that revokes the login.
pub const REUSE_GRACE_SECS: i64 = 10;

/// Expired tokens, by the expiry index. Parameter: now.
const SWEEP_EXPIRED: &str = "DELETE FROM refresh_tokens WHERE expires_at <= ?1";

fn account(r: &rusqlite::Row<'_>) -> DbResult<Account> {
    Ok(Account { id: r.get(0)?, username: r.get(1)?, password_hash: r.get(2)? })
}

impl Accounts {
    /// Opens (creating) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> DbResult<Self> {
        let mut conn = Connection::open(path)?;
        // FULL: a token handed out, or one revoked at logout, survives a power cut (docs/architecture.md).
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in (0_i64..).zip(MIGRATIONS).skip(usize::try_from(version).unwrap_or(usize::MAX)) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> DbResult<T> + Send + 'static,
    ) -> DbResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || f(&mut conn.lock().unwrap_or_else(|e| e.into_inner())))
            .await
            .unwrap_or_else(|e| Err(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
    }

    /// Creates an account; `Ok(false)` if the username is taken.
    pub async fn create(&self, account: Account, now: i64) -> DbResult<bool> {
        self.run(move |c| {
            let inserted = c.execute(
                "INSERT INTO users (id, username, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                params![account.id, account.username, account.password_hash, now],
            )?;
            Ok(inserted == 1)
        })
        .await
    }

    /// The account with this username (case-insensitive).
    pub async fn by_username(&self, username: String) -> DbResult<Option<Account>> {
        self.run(move |c| {
            c.query_row("SELECT id, username, password_hash FROM users WHERE username = ?1", [username], account)
                .optional()
        })
        .await
    }

    /// The username of the account with this id.
    pub async fn username_of(&self, id: String) -> DbResult<Option<String>> {
        self.run(move |c| c.query_row("SELECT username FROM users WHERE id = ?1", [id], |r| r.get(0)).optional()).await
    }

    /// Stores the first refresh token of a new family (a login).
    pub async fn save_refresh(&self, token_hash: String, user_id: String, expires_at: i64) -> DbResult<()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family) VALUES (?1, ?2, ?3, ?1)",
                params![token_hash, user_id, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    /// Spends the refresh token `old` and stores `new` in its family, in one transaction; a token
    /// spent before revokes its family instead.
    pub async fn rotate(&self, old: String, new: String, now: i64, new_expires_at: i64) -> DbResult<Refreshed> {
        self.run(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = tx
                .query_row(
                    "SELECT u.id, u.username, u.password_hash, t.family, t.spent_at FROM refresh_tokens t \
                     JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1 AND t.expires_at > ?2",
                    params![old, now],
                    |r| Ok((account(r)?, r.get::<_, String>(3)?, r.get::<_, Option<i64>>(4)?)),
                )
                .optional()?;
            let outcome = match found {
                None => Refreshed::Invalid,
                Some((_, _, Some(spent))) if now - spent < REUSE_GRACE_SECS => Refreshed::Invalid,
                Some((_, family, Some(_))) => {
                    tx.execute("DELETE FROM refresh_tokens WHERE family = ?1", [family])?;
                    Refreshed::Reused
                }
                Some((account, family, None)) => {
                    tx.execute("UPDATE refresh_tokens SET spent_at = ?2 WHERE token_hash = ?1", params![old, now])?;
                    tx.execute(
                        "INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family) VALUES (?1, ?2, ?3, ?4)",
                        params![new, account.id, new_expires_at, family],
                    )?;
                    Refreshed::Rotated(account)
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// Revokes the family of refresh token `token_hash` (logout ends the session, however often it
    /// was refreshed); `Ok(false)` if the token is unknown.
    pub async fn revoke(&self, token_hash: String) -> DbResult<bool> {
        self.run(move |c| {
            let removed = c.execute(
                "DELETE FROM refresh_tokens WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = ?1)",
                [token_hash],
            )?;
            Ok(removed > 0)
        })
        .await
    }

    /// Deletes refresh tokens that expired by `now`; returns how many.
    pub async fn sweep_expired(&self, now: i64) -> DbResult<usize> {
        self.run(move |c| c.execute(SWEEP_EXPIRED, [now])).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sweeping_expired_tokens_reads_the_expiry_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts = Accounts::open(&dir.path().join("identity.db")).expect("open");
        let plan = accounts
            .run(|c| {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {SWEEP_EXPIRED}"))?;
                let rows = stmt.query_map([0], |r| r.get::<_, String>(3))?;
                rows.collect::<DbResult<Vec<_>>>()
            })
            .await
            .expect("plan")
            .join(" | ");
        assert!(plan.contains("refresh_tokens_by_expiry"), "{plan}");
    }

    #[test]
    fn debug_never_shows_the_password_hash() {
        let account = Account { id: "u".into(), username: "alice".into(), password_hash: "$argon2id$secret".into() };
        assert!(!format!("{account:?}").contains("secret"));
    }
}
