//! Accounts of the built-in identity provider, in SQLite: users and refresh tokens.

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A stored account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Stable subject (`sub`), a UUID.
    pub id: String,
    /// Display name, unique (case-insensitive).
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// The account database.
#[derive(Clone)]
pub struct Accounts {
    conn: Arc<Mutex<Connection>>,
}

type DbResult<T> = Result<T, rusqlite::Error>;

impl Accounts {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &Path) -> DbResult<Self> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS users (
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
        )?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> DbResult<T> + Send + 'static) -> DbResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || f(&conn.lock().unwrap_or_else(|e| e.into_inner())))
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
            c.query_row("SELECT id, username, password_hash FROM users WHERE username = ?1", [username], |r| {
                Ok(Account { id: r.get(0)?, username: r.get(1)?, password_hash: r.get(2)? })
            })
            .optional()
        })
        .await
    }

    /// Stores a refresh token's hash.
    pub async fn save_refresh(&self, token_hash: String, user_id: String, expires_at: i64) -> DbResult<()> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, user_id, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    /// The account a refresh token belongs to, if the token exists and has not expired.
    pub async fn by_refresh(&self, token_hash: String, now: i64) -> DbResult<Option<Account>> {
        self.run(move |c| {
            c.execute("DELETE FROM refresh_tokens WHERE expires_at <= ?1", [now])?;
            c.query_row(
                "SELECT u.id, u.username, u.password_hash FROM refresh_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = ?1 AND t.expires_at > ?2",
                params![token_hash, now],
                |r| Ok(Account { id: r.get(0)?, username: r.get(1)?, password_hash: r.get(2)? }),
            )
            .optional()
        })
        .await
    }
}
