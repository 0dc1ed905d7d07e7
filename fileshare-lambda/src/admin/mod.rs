//! Operator commands of `fileshare-server`: what only whoever runs the service may do. They act on
//! the service's storage directly, with the same configuration as the server, never through the
//! API — no user, however privileged their token, can reach them.
//!
//! - `fileshare-server quota show|set|reset USER` — a user's quota ([`quota`]);
//! - `fileshare-server directory import|forget` — the directory of a Cognito deployment
//!   ([`directory`]).
//!
//! `USER` is a username (an email address on Cognito), or a user id with `--id`. On the embedded
//! default they open only the metadata database and the user directory, which the running server
//! shares safely (SQLite in WAL mode), never the data directory's lock; on AWS they need only
//! the template's operator policies (`QuotaOperatorPolicy`, `DirectoryOperatorPolicy`).

pub mod directory;
pub mod quota;

use crate::config::{Identity, ServiceConfig, Storage};
use crate::idp::LocalIdentityProvider;
use fileshare_core::backends::SqliteMetadataStore;
use fileshare_core::{MetadataStore, UserDirectory, UserId};
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An operator command.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show or change a user's quota.
    #[command(subcommand)]
    Quota(quota::QuotaCommand),
    /// Keep the user directory of a Cognito deployment (people found by name).
    #[command(subcommand)]
    Directory(directory::DirectoryCommand),
}

/// Runs `command` against the configured storage; returns what to print.
pub async fn run(config: &ServiceConfig, command: Command) -> Result<String, BoxError> {
    match command {
        Command::Quota(command) => quota::run(config, command).await,
        Command::Directory(command) => directory::run(config, command).await,
    }
}

/// Whose: a user named on the command line.
#[derive(Debug, clap::Args)]
pub struct Who {
    /// A username (or, on Cognito, an email address); a user id with `--id`.
    user: String,
    /// `USER` is a user id, not a name.
    #[arg(long)]
    id: bool,
}

/// The stores an operator command needs.
struct Stores {
    metadata: Arc<dyn MetadataStore>,
    directory: Option<Arc<dyn UserDirectory>>,
    /// The table, on AWS: it holds the directory of a Cognito deployment.
    #[cfg(feature = "aws")]
    table: Option<fileshare_core::backends::DynamoMetadataStore>,
}

async fn open(config: &ServiceConfig) -> Result<Stores, BoxError> {
    // People are found where they sign up: in the built-in provider's users, or — on a Cognito
    // deployment (`FILESHARE_USER_POOL_ID`) — in the table's directory that the pool's triggers keep.
    let identity = match (&config.user_pool, &config.identity) {
        (None, Identity::BuiltIn) => {
            Some(Arc::new(LocalIdentityProvider::open(&config.data_dir.join("identity"), config.public_url.clone())?))
        }
        _ => None,
    };
    match &config.storage {
        Storage::Embedded => {
            // Never a new, empty database: the command would report a change the server never sees.
            let database = config.data_dir.join("fileshare.db");
            if !database.is_file() {
                let dir = config.data_dir.display();
                return Err(format!("no fileshare data in {dir}; set FILESHARE_DATA_DIR to the server's").into());
            }
            Ok(Stores {
                metadata: Arc::new(SqliteMetadataStore::open(database).await?),
                directory: identity.map(|idp| idp as Arc<dyn UserDirectory>),
                #[cfg(feature = "aws")]
                table: None,
            })
        }
        #[cfg(feature = "aws")]
        Storage::Aws(location) => {
            let (_, table) = location.open().await?;
            Ok(Stores {
                metadata: Arc::new(table.clone()),
                directory: crate::state::user_directory(identity, Some(&table)),
                table: Some(table),
            })
        }
        #[cfg(not(feature = "aws"))]
        Storage::Aws(_) => Err("FILESHARE_BUCKET/FILESHARE_TABLE: this build has no AWS backends".into()),
    }
}

impl Stores {
    /// The user `who` names: looked up by name, or an id the directory knows.
    async fn user(&self, who: &Who) -> Result<UserId, BoxError> {
        if who.id {
            let id = UserId::new(&who.user)?;
            // Where people can be looked up, an id must name one of them.
            if let Some(directory) = &self.directory {
                directory.display_name(&id).await?.ok_or_else(|| format!("no user has the id {:?}", who.user))?;
            }
            return Ok(id);
        }
        let directory =
            self.directory.as_ref().ok_or("no user directory is configured: name the user by id with --id")?;
        Ok(directory.resolve(&who.user).await?.ok_or_else(|| format!("no user is called {:?}", who.user))?)
    }
}
