//! [`NamesCache`]: the user directory, with display names kept for a while.
//!
//! Views show usernames next to user ids (who a file is shared with, who shared it), so a listing
//! page may name dozens of users. Usernames never change (in Cognito and in the built-in provider),
//! so a name once found — or found missing — is kept for ten minutes — long enough that a busy page costs the directory
//! nothing, short enough that a deleted account stops being named. Resolving a name to an id (to
//! share) always asks the directory: a user who just signed up must be found at once.

use fileshare_core::{Result, UserDirectory, UserId};
use lru::LruCache;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEPT_FOR: Duration = Duration::from_secs(600);
const KEPT_NAMES: usize = 10_000;
/// Names one request looks up at most: a file shared with thousands of made-up ids must not turn a
/// page view into thousands of directory calls. The rest are shown as ids.
const LOOKUPS_PER_REQUEST: usize = 100;

/// A [`UserDirectory`] whose display names are kept ([`KEPT_FOR`], at most [`KEPT_NAMES`]).
pub struct NamesCache {
    directory: Arc<dyn UserDirectory>,
    names: Mutex<LruCache<UserId, (Option<String>, Instant)>>,
}

impl NamesCache {
    /// `directory`, with an empty cache.
    pub fn new(directory: Arc<dyn UserDirectory>) -> Self {
        let capacity = NonZeroUsize::new(KEPT_NAMES).unwrap_or(NonZeroUsize::MIN);
        Self { directory, names: Mutex::new(LruCache::new(capacity)) }
    }

    /// The user `name` (a username or an email address) names, asked of the directory.
    pub async fn resolve(&self, name: &str) -> Result<Option<UserId>> {
        self.directory.resolve(name).await
    }

    /// Display names of `ids` to show: names are what people read next to ids, never what a
    /// decision rests on, so a directory that fails leaves them out (and is logged) rather than
    /// failing the request.
    pub async fn shown(&self, ids: impl IntoIterator<Item = UserId>) -> HashMap<UserId, String> {
        self.names(ids).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "user directory failed; showing ids without names");
            HashMap::new()
        })
    }

    /// Display names of `ids`; unknown users are left out.
    pub async fn names(&self, ids: impl IntoIterator<Item = UserId>) -> Result<HashMap<UserId, String>> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        {
            let mut kept = self.names.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match kept.get(&id) {
                    Some((Some(name), at)) if at.elapsed() < KEPT_FOR => {
                        found.insert(id, name.clone());
                    }
                    Some((None, at)) if at.elapsed() < KEPT_FOR => {} // known to have no name
                    _ if missing.len() < LOOKUPS_PER_REQUEST && !found.contains_key(&id) && !missing.contains(&id) => {
                        missing.push(id)
                    }
                    _ => {}
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let fetched = self.directory.display_names(&missing).await?;
        let mut kept = self.names.lock().unwrap_or_else(|e| e.into_inner());
        for id in missing {
            let name = fetched.get(&id).cloned();
            kept.put(id.clone(), (name.clone(), Instant::now()));
            if let Some(name) = name {
                found.insert(id, name);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    #[async_trait]
    impl UserDirectory for Counting {
        async fn resolve(&self, _: &str) -> Result<Option<UserId>> {
            Ok(None)
        }
        async fn display_name(&self, id: &UserId) -> Result<Option<String>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok((id.as_str() != "ghost").then(|| format!("name of {id}")))
        }
    }

    #[tokio::test]
    async fn names_are_asked_once_and_unknown_users_are_left_out() {
        let directory = Arc::new(Counting::default());
        let cache = NamesCache::new(directory.clone());
        let ids = ["a", "b", "a", "ghost"].map(|s| UserId::new(s).expect("id"));
        let names = cache.names(ids.clone()).await.expect("names");
        assert_eq!(names.len(), 2);
        assert_eq!(directory.0.load(Ordering::SeqCst), 3, "each distinct id asked once");
        let again = cache.names(ids.clone()).await.expect("names");
        assert_eq!(again, names);
        assert_eq!(directory.0.load(Ordering::SeqCst), 3, "kept names, and kept misses, are not asked again");
    }

    #[tokio::test]
    async fn one_request_looks_up_a_bounded_number_of_names() {
        let directory = Arc::new(Counting::default());
        let cache = NamesCache::new(directory.clone());
        let ids = (0..1000).map(|i| UserId::new(format!("made-up-{i}")).expect("id"));
        let names = cache.names(ids).await.expect("names");
        assert_eq!(names.len(), LOOKUPS_PER_REQUEST);
        assert_eq!(directory.0.load(Ordering::SeqCst), LOOKUPS_PER_REQUEST);
    }
}
