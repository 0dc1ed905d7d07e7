//! Share links in the `links` table: one row per link, keyed by its file and tag, so that a file's
//! links are one range of the primary key and go with the file.

use super::rows::{Millis, FILE_COLUMNS};
use super::{db, rows, SqliteMetadataStore};
use crate::domain::{FileId, FileRecord, FileStatus, LinkAccess, LinkId, LinkUpdate, ShareLink};
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Columns of `links`, in the order [`link`] reads them.
const LINK_COLUMNS: &str = "l.file_id, l.tag, l.secret_hash, l.created_at, l.expires_at, l.max_downloads, \
     l.downloads, l.password_hash, l.attempts, l.attempts_since";
const LINK_COLUMN_COUNT: usize = 10;

fn link(row: &Row<'_>, at: usize) -> rusqlite::Result<ShareLink> {
    let bad = |idx: usize| move |_| rusqlite::Error::IntegralValueOutOfRange(idx, -1);
    let id = format!("{}-{}", row.get::<_, String>(at)?, row.get::<_, String>(at + 1)?);
    let id: LinkId = id
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(at, rusqlite::types::Type::Text, Box::new(e)))?;
    let count = |idx: usize| -> rusqlite::Result<u32> { row.get::<_, i64>(idx)?.try_into().map_err(bad(idx)) };
    Ok(ShareLink {
        id,
        secret_hash: row.get(at + 2)?,
        created_at: row.get::<_, Millis>(at + 3)?.0,
        expires_at: row.get::<_, Option<Millis>>(at + 4)?.map(|m| m.0),
        max_downloads: row.get::<_, Option<i64>>(at + 5)?.map(|n| n.try_into().map_err(bad(at + 5))).transpose()?,
        downloads: count(at + 6)?,
        password_hash: row.get(at + 7)?,
        attempts: count(at + 8)?,
        attempts_since: row.get::<_, Option<Millis>>(at + 9)?.map(|m| m.0),
    })
}

fn select_link(conn: &Connection, id: &LinkId) -> Result<Option<ShareLink>> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM links l WHERE l.file_id = ?1 AND l.tag = ?2");
    let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
    stmt.query_row(params![id.file_id().to_string(), id.tag()], |r| link(r, 0)).optional().map_err(db)
}

impl SqliteMetadataStore {
    pub(super) async fn insert_link(&self, link: &ShareLink, owner: &crate::UserId) -> Result<()> {
        let (link, owner) = (link.clone(), owner.clone());
        self.write(move |tx| {
            let file_id = link.file_id().to_string();
            match super::select_file(tx, &file_id)? {
                Some(file) if file.owner == owner && file.status == FileStatus::Available => {}
                Some(file) if file.owner == owner => {
                    return Err(Error::conflict("a file can be shared once its upload is complete"))
                }
                _ => return Err(Error::not_found("file", &file_id)),
            }
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO links (file_id, tag, secret_hash, created_at, expires_at, max_downloads, downloads, \
                     password_hash, attempts, attempts_since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                     ON CONFLICT DO NOTHING",
                )
                .map_err(db)?
                .execute(params![
                    file_id,
                    link.id.tag(),
                    link.secret_hash,
                    Millis(link.created_at),
                    link.expires_at.map(Millis),
                    link.max_downloads,
                    link.downloads,
                    link.password_hash,
                    link.attempts,
                    link.attempts_since.map(Millis),
                ])
                .map_err(db)?;
            if inserted == 0 {
                return Err(Error::conflict(format!("link {} already exists", link.id)));
            }
            Ok(())
        })
        .await
    }

    pub(super) async fn select_link_access(&self, id: &LinkId) -> Result<Option<LinkAccess>> {
        let id = *id;
        self.read(move |conn| {
            let sql = format!(
                "SELECT {LINK_COLUMNS}, {FILE_COLUMNS} FROM links l JOIN files f ON f.id = l.file_id \
                 WHERE l.file_id = ?1 AND l.tag = ?2"
            );
            conn.prepare_cached(&sql)?
                .query_row(params![id.file_id().to_string(), id.tag()], |r| {
                    let file: FileRecord = rows::file_at(r, LINK_COLUMN_COUNT)?;
                    Ok(LinkAccess { link: link(r, 0)?, file })
                })
                .optional()
        })
        .await
    }

    pub(super) async fn select_links(&self, file: &FileId) -> Result<Vec<ShareLink>> {
        let file = file.to_string();
        self.read(move |conn| {
            let sql = format!("SELECT {LINK_COLUMNS} FROM links l WHERE l.file_id = ?1 ORDER BY l.created_at, l.tag");
            let mut stmt = conn.prepare_cached(&sql)?;
            let links = stmt.query_map([file], |r| link(r, 0))?;
            links.collect()
        })
        .await
    }

    /// Read, apply, write back — inside the single writer's transaction, so nothing interleaves.
    pub(super) async fn apply_link_update(&self, id: &LinkId, update: LinkUpdate) -> Result<Option<ShareLink>> {
        let id = *id;
        self.write(move |tx| {
            let mut link = select_link(tx, &id)?.ok_or_else(|| Error::not_found("link", id))?;
            if !update.apply(&mut link) {
                return Ok(None);
            }
            tx.prepare_cached(
                "UPDATE links SET downloads = ?3, attempts = ?4, attempts_since = ?5 WHERE file_id = ?1 AND tag = ?2",
            )
            .map_err(db)?
            .execute(params![
                id.file_id().to_string(),
                id.tag(),
                link.downloads,
                link.attempts,
                link.attempts_since.map(Millis)
            ])
            .map_err(db)?;
            Ok(Some(link))
        })
        .await
    }

    pub(super) async fn remove_link(&self, id: &LinkId) -> Result<()> {
        let id = *id;
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM links WHERE file_id = ?1 AND tag = ?2")
                .map_err(db)?
                .execute(params![id.file_id().to_string(), id.tag()])
                .map_err(db)?;
            if deleted == 0 {
                return Err(Error::not_found("link", id));
            }
            Ok(())
        })
        .await
    }
}
