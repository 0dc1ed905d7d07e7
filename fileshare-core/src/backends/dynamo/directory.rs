//! [`DynamoUserDirectory`]: people by name, kept in the service's own table.
//!
//! Sharing by name must not call the identity provider on request paths: Cognito's `ListUsers`
//! allows 30 requests a second per account, `AdminGetUser` 120, and a throttled Cognito would turn
//! a page view into an error. So the directory lives where the service already scales — its table —
//! and is fed by the identity provider: Cognito's post-confirmation and post-authentication
//! triggers (the events function) write an account's entry when it is confirmed and each time it
//! signs in, and `fileshare-server directory import` writes those of accounts made before.
//!
//! | item | PK | SK | attributes |
//! |---|---|---|---|
//! | profile | `USER#{id}` | `PROFILE` | `username`, `display_name`, `email` (verified only) |
//! | a name | `NAME#{lower-case username}` | `USER` | `user_id`, or `ambiguous` |
//! | an address | `EMAIL#{lower-case address}` | `USER` | `user_id`, or `ambiguous` |
//!
//! A name or address that two accounts claim names no one in particular (`ambiguous`): a file
//! shared "with bob@example.com" must never reach the wrong Bob. Except where the pool itself keeps
//! addresses unique — a pool that signs people in by email, whose usernames are the accounts' ids —
//! there a newer claim means the address moved (its old account was deleted, which Cognito tells no
//! trigger, or gave the address up), and the newer claim takes it over. Only verified addresses are
//! recorded: anyone may *type* someone else's address into their own profile.

use super::conditions::{cancellation_reasons, condition_failed, condition_held, lost_a_race, ATTEMPTS};
use super::items::{self, key, s, Item, PK};
use super::{storage, DynamoMetadataStore};
use crate::directory::UserDirectory;
use crate::{Error, Result, UserId};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use std::collections::HashMap;

const PROFILE: &str = "PROFILE";
const ENTRY: &str = "USER";
const USER_ID: &str = "user_id";
const AMBIGUOUS: &str = "ambiguous";
/// Names and addresses longer than this name no one (Cognito's own limit is 128 characters).
const MAX_NAME_LEN: usize = 128;
/// `BatchGetItem` reads at most 100 keys.
const KEYS_PER_BATCH: usize = 100;

fn name_pk(name: &str) -> String {
    format!("NAME#{}", name.to_lowercase())
}

fn email_pk(email: &str) -> String {
    format!("EMAIL#{}", email.to_lowercase())
}

fn profile_key(id: &UserId) -> Item {
    key(items::user_pk(id), PROFILE)
}

/// What the identity provider says of an account: the directory's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// The account's user id (Cognito's `sub`).
    pub id: UserId,
    /// Its username, as people type it to sign in (in a pool that signs people in by email,
    /// Cognito's username is the `sub` itself).
    pub username: String,
    /// Its email address, only if verified.
    pub email: Option<String>,
}

impl DirectoryEntry {
    /// The name people know the account by: its username, or — where the username is the id
    /// itself, as in a pool that signs people in by email — its address.
    pub fn display_name(&self) -> &str {
        match &self.email {
            Some(email) if self.signs_in_by_email() => email,
            _ => &self.username,
        }
    }

    /// Whether the account is in a pool that signs people in by email (Cognito's username is then
    /// the id): there the pool keeps each verified address on one confirmed account.
    fn signs_in_by_email(&self) -> bool {
        self.username == self.id.as_str()
    }
}

/// A [`UserDirectory`] in the service's DynamoDB table, and the writes that keep it.
///
/// ```no_run
/// # async fn demo(store: fileshare_core::backends::DynamoMetadataStore) -> fileshare_core::Result<()> {
/// use fileshare_core::backends::{DirectoryEntry, DynamoUserDirectory};
/// use fileshare_core::{UserDirectory, UserId};
/// let directory = DynamoUserDirectory::new(&store);
/// let id = UserId::new("5f0c…-sub")?;
/// let entry = DirectoryEntry { id: id.clone(), username: "bob".into(), email: Some("bob@example.com".into()) };
/// directory.record(&entry).await?;
/// assert_eq!(directory.resolve("Bob@Example.com").await?, Some(id));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DynamoUserDirectory {
    store: DynamoMetadataStore,
}

impl DynamoUserDirectory {
    /// The directory in `store`'s table.
    pub fn new(store: &DynamoMetadataStore) -> Self {
        Self { store: store.clone() }
    }

    /// Records `entry`: its profile, and its username and verified address pointing at it. A name
    /// or address another account holds becomes ambiguous — or, where the pool keeps addresses
    /// unique, is taken over; ones the account no longer has are let go. Nothing is written when
    /// the stored profile already says the same (each sign-in records).
    ///
    /// Requests: 1 `GetItem`; when something changed, 1 `TransactWriteItems`, and 1 `DeleteItem`
    /// per name or address let go and, per one found claimed by another account, 1 `UpdateItem`
    /// (ambiguous) or `PutItem` (taken over) and the transaction again.
    pub async fn record(&self, entry: &DirectoryEntry) -> Result<()> {
        let stored = self.store.get_item(profile_key(&entry.id)).await?;
        let old = stored.as_ref().map(|item| (items::opt_s(item, "username"), items::opt_s(item, "email")));
        let profile = profile_item(entry);
        if stored.as_ref() == Some(&profile) {
            return Ok(());
        }
        // What the account no longer has goes first: a crash before the profile is written leaves
        // the old profile, which the next sign-in finds different and records again.
        self.let_go(entry, old).await?;
        let mut claims: Vec<String> =
            [Some(name_pk(&entry.username)), entry.email.as_deref().map(email_pk)].into_iter().flatten().collect();
        for _ in 0..ATTEMPTS {
            let mut writes = vec![put(&self.store.table, profile.clone(), None)?];
            for pk in &claims {
                writes.push(put(&self.store.table, entry_item(pk, &entry.id), Some(&entry.id))?);
            }
            let sent = self.store.client.transact_write_items().set_transact_items(Some(writes)).send().await;
            let Err(e) = sent else { return Ok(()) };
            let Some(reasons) = cancellation_reasons(&e) else { return Err(storage(e)) };
            // Writes 1.. are the claims: one another account holds becomes ambiguous, and the rest
            // are written without it.
            let taken: Vec<String> =
                (1..=claims.len()).filter(|&i| condition_failed(reasons, i)).map(|i| claims[i - 1].clone()).collect();
            if taken.is_empty() {
                // Another write of these items at the same moment (the account signing in twice at
                // once) is worth another try; anything else (throttling, validation) is not ours.
                if lost_a_race(reasons) {
                    continue;
                }
                return Err(storage(e));
            }
            for pk in &taken {
                if entry.signs_in_by_email() && pk.starts_with("EMAIL#") {
                    self.take_over(pk, &entry.id).await?;
                } else {
                    self.mark_ambiguous(pk, &entry.id).await?;
                }
            }
            claims.retain(|pk| !taken.contains(pk));
        }
        Err(Error::conflict("the directory entry kept changing while being recorded; try again"))
    }

    /// Forgets an account (deleted or disabled in the identity provider): its profile, and the
    /// name and address that point at it. `false` if it had no profile.
    pub async fn forget(&self, id: &UserId) -> Result<bool> {
        let Some(stored) = self.store.get_item(profile_key(id)).await? else { return Ok(false) };
        let username = items::opt_s(&stored, "username").map(|n| name_pk(&n));
        let names = [username, items::opt_s(&stored, "email").map(|e| email_pk(&e))];
        for pk in names.into_iter().flatten() {
            self.delete_if_mine(&pk, id).await?;
        }
        self.store.delete_existing(profile_key(id)).await
    }

    /// Deletes the entries of the name and address an account had and no longer has.
    async fn let_go(&self, entry: &DirectoryEntry, old: Option<(Option<String>, Option<String>)>) -> Result<()> {
        let Some((old_name, old_email)) = old else { return Ok(()) };
        if let Some(name) = old_name.filter(|n| name_pk(n) != name_pk(&entry.username)) {
            self.delete_if_mine(&name_pk(&name), &entry.id).await?;
        }
        let current = entry.email.as_deref().map(email_pk);
        if let Some(email) = old_email.filter(|e| Some(email_pk(e)) != current) {
            self.delete_if_mine(&email_pk(&email), &entry.id).await?;
        }
        Ok(())
    }

    async fn delete_if_mine(&self, pk: &str, id: &UserId) -> Result<()> {
        let result = self
            .store
            .client
            .delete_item()
            .table_name(&self.store.table)
            .set_key(Some(key(pk.to_owned(), ENTRY)))
            .condition_expression(format!("{USER_ID} = :me"))
            .expression_attribute_values(":me", s(id.as_str()))
            .send()
            .await;
        // Someone else's, or ambiguous, is left alone: not ours to remove.
        condition_held(result).map(drop)
    }

    /// Points an address at `id`, whoever it named: the pool moved it (see the module's docs).
    async fn take_over(&self, pk: &str, id: &UserId) -> Result<()> {
        tracing::info!(entry = pk, user_id = %id, "an address the pool moved to another account: taken over");
        let item = entry_item(pk, id);
        self.store
            .client
            .put_item()
            .table_name(&self.store.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// Marks a name or address that another account holds as naming no one in particular.
    async fn mark_ambiguous(&self, pk: &str, id: &UserId) -> Result<()> {
        tracing::warn!(entry = pk, user_id = %id, "a name or address two accounts claim: it names no one now");
        self.store
            .client
            .update_item()
            .table_name(&self.store.table)
            .set_key(Some(key(pk.to_owned(), ENTRY)))
            .update_expression(format!("SET {AMBIGUOUS} = :yes REMOVE {USER_ID}"))
            .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
            .send()
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// The user ids `pks`' entries name, strongly consistent (a user who just signed up is found
    /// at once), in `pks`' order; ambiguous and missing entries are `None`.
    async fn entries(&self, pks: &[String]) -> Result<Vec<Option<UserId>>> {
        let found = self.store.batch_get(pks.iter().map(|pk| key(pk.clone(), ENTRY)).collect()).await?;
        let by_pk: HashMap<&str, &Item> =
            found.iter().filter_map(|item| Some((item.get(PK)?.as_s().ok()?.as_str(), item))).collect();
        pks.iter()
            .map(|pk| match by_pk.get(pk.as_str()).and_then(|item| items::opt_s(item, USER_ID)) {
                Some(id) => UserId::new(id).map(Some),
                None => Ok(None),
            })
            .collect()
    }
}

/// The profile item of an entry.
fn profile_item(entry: &DirectoryEntry) -> Item {
    let mut item = profile_key(&entry.id);
    item.insert("username".into(), s(&entry.username));
    item.insert("display_name".into(), s(entry.display_name()));
    if let Some(email) = &entry.email {
        item.insert("email".into(), s(email));
    }
    item
}

/// A name's or address's item, pointing at `id`.
fn entry_item(pk: &str, id: &UserId) -> Item {
    let mut item = key(pk.to_owned(), ENTRY);
    item.insert(USER_ID.into(), s(id.as_str()));
    item
}

/// A transaction's put of `item`; with `claimant`, only if the item is absent or already theirs.
fn put(table: &str, item: Item, claimant: Option<&UserId>) -> Result<TransactWriteItem> {
    let mut put = Put::builder().table_name(table).set_item(Some(item));
    if let Some(me) = claimant {
        put = put
            .condition_expression(format!("attribute_not_exists(PK) OR {USER_ID} = :me"))
            .expression_attribute_values(":me", s(me.as_str()));
    }
    Ok(TransactWriteItem::builder().put(put.build().map_err(storage)?).build())
}

/// A name that no account can have: nothing to look up.
fn unusable(name: &str) -> bool {
    name.is_empty() || name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control)
}

#[async_trait]
impl UserDirectory for DynamoUserDirectory {
    async fn resolve(&self, name: &str) -> Result<Option<UserId>> {
        if unusable(name) {
            return Ok(None);
        }
        // A username first, as at sign-in; an address only where no username is spelled so.
        let mut pks = vec![name_pk(name)];
        if name.contains('@') {
            pks.push(email_pk(name));
        }
        // A missing or ambiguous username falls through to the address.
        Ok(self.entries(&pks).await?.into_iter().flatten().next())
    }

    async fn display_name(&self, id: &UserId) -> Result<Option<String>> {
        let stored = self.store.get_item(profile_key(id)).await?;
        Ok(stored.and_then(|item| items::opt_s(&item, "display_name")))
    }

    async fn display_names(&self, ids: &[UserId]) -> Result<HashMap<UserId, String>> {
        let distinct: Vec<&UserId> = ids.iter().collect::<std::collections::HashSet<_>>().into_iter().collect();
        let mut names = HashMap::new();
        for batch in distinct.chunks(KEYS_PER_BATCH) {
            let found = self.store.batch_get(batch.iter().map(|id| profile_key(id)).collect()).await?;
            for item in &found {
                let id = items::get_s(item, PK)?.strip_prefix("USER#").map(UserId::new).transpose()?;
                if let (Some(id), Some(name)) = (id, items::opt_s(item, "display_name")) {
                    names.insert(id, name);
                }
            }
        }
        Ok(names)
    }
}
