//! Listing: owned, shared with me, or both merged — newest first, by opaque cursor.

use super::types::{Access, FileEntry, ListRequest};
use super::FileShare;
use crate::domain::{Cursor, Page, Position, Progress, Scope, UserId};
use crate::metadata::{MetadataStore, Slice};
use crate::store::FileStore;
use crate::{Error, Result};

/// Page size when the caller does not choose.
pub const DEFAULT_PAGE_SIZE: usize = 50;

/// Items fetched from one source, and where that source stands after the page.
struct Fetched {
    entries: Vec<(Position, FileEntry)>,
    has_more: bool,
}

impl Fetched {
    fn empty() -> Self {
        Self { entries: Vec::new(), has_more: false }
    }

    fn from_slice<T>(slice: Slice<T>, to_entry: impl Fn(T) -> (Position, FileEntry)) -> Self {
        Self { entries: slice.items.into_iter().map(to_entry).collect(), has_more: slice.has_more }
    }

    /// Where this source stands once its first `consumed` entries are on the page.
    fn progress(&self, before: Progress, consumed: usize) -> Progress {
        if consumed == self.entries.len() && !self.has_more {
            Progress::Done
        } else if consumed == 0 {
            before
        } else {
            Progress::After(self.entries[consumed - 1].0)
        }
    }
}

impl<F: FileStore, M: MetadataStore> FileShare<F, M> {
    /// One page of the caller's files: owned (available ones), shared with them (active shares), or
    /// all of both merged newest first.
    ///
    /// Each page costs at most one indexed query per source, whatever the table size. Errors:
    /// [`Error::InvalidInput`] for a limit outside `1..=max_page_size` or a cursor that is malformed or
    /// from another scope.
    pub async fn list_files(&self, caller: &UserId, request: ListRequest) -> Result<Page<FileEntry>> {
        let limit = request.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if limit == 0 || limit > self.config.max_page_size {
            return Err(Error::invalid("limit", format!("must be between 1 and {}", self.config.max_page_size)));
        }
        let scope = request.scope;
        let cursor = match request.cursor.as_deref() {
            Some(raw) => {
                let cursor: Cursor = raw.parse()?;
                // A cursor only ever continues the sources of its own scope.
                let unused_source_done = match scope {
                    Scope::Owned => cursor.shared == Progress::Done,
                    Scope::Shared => cursor.owned == Progress::Done,
                    Scope::All => true,
                };
                if cursor.scope() != scope || !unused_source_done {
                    return Err(Error::invalid("cursor", "belongs to a different scope"));
                }
                cursor
            }
            None => {
                let start_if = |wanted: bool| if wanted { Progress::Start } else { Progress::Done };
                Cursor { scope, owned: start_if(scope != Scope::Shared), shared: start_if(scope != Scope::Owned) }
            }
        };

        let owned = self.fetch_owned(caller, cursor.owned, limit).await?;
        let shared = self.fetch_shared(caller, cursor.shared, limit).await?;

        // Merge the two newest-first runs and keep the newest `limit`.
        let (mut o, mut s) = (0, 0);
        let mut items = Vec::with_capacity(limit);
        while items.len() < limit {
            let take_owned = match (owned.entries.get(o), shared.entries.get(s)) {
                (Some(a), Some(b)) => a.0 > b.0,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let entry = if take_owned { &owned.entries[o] } else { &shared.entries[s] };
            items.push(entry.1.clone());
            if take_owned {
                o += 1
            } else {
                s += 1
            }
        }

        let next = Cursor { scope, owned: owned.progress(cursor.owned, o), shared: shared.progress(cursor.shared, s) };
        let done = next.owned == Progress::Done && next.shared == Progress::Done;
        Ok(Page { items, next_cursor: (!done).then_some(next) })
    }

    async fn fetch_owned(&self, caller: &UserId, progress: Progress, limit: usize) -> Result<Fetched> {
        let Some(after) = progress.resume() else { return Ok(Fetched::empty()) };
        let slice = self.metadata.list_owned(caller, after.as_ref(), limit).await?;
        Ok(Fetched::from_slice(slice, |file| {
            (Position { at: file.created_at, id: file.id }, FileEntry { file, access: Access::Owner })
        }))
    }

    async fn fetch_shared(&self, caller: &UserId, progress: Progress, limit: usize) -> Result<Fetched> {
        let Some(after) = progress.resume() else { return Ok(Fetched::empty()) };
        let now = self.clock.now();
        let slice = self.metadata.list_shared_with(caller, now, after.as_ref(), limit).await?;
        Ok(Fetched::from_slice(slice, |shared| {
            let position = Position { at: shared.share.created_at, id: shared.file.id };
            (position, FileEntry { file: shared.file, access: Access::Grantee { share: shared.share } })
        }))
    }
}
