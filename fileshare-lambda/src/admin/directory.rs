//! `fileshare-server directory …`: the user directory of a Cognito deployment, kept in the table.
//!
//! The pool's triggers (the events function) record each account when it is confirmed and each
//! time it signs in. Two things they cannot see, an operator does here:
//! - `directory import` — every account of the pool (`FILESHARE_USER_POOL_ID`), e.g. those made
//!   before the triggers existed: confirmed, enabled ones are recorded, the rest forgotten. One
//!   `ListUsers` per 60 accounts, at most ten a second (a third of Cognito's quota for the account).
//! - `directory forget USER_ID` — an account deleted from the pool (Cognito has no trigger for
//!   that), so that no one can share with it by name any more.
//!
//! Credentials: the template's `DirectoryOperatorPolicy` (`cognito-idp:ListUsers` on the pool, and
//! the directory's items of the table).

use super::BoxError;
use crate::config::ServiceConfig;

/// `fileshare-server directory …`.
#[derive(Debug, clap::Subcommand)]
pub enum DirectoryCommand {
    /// Record every account of the user pool (confirmed, enabled ones; forget the rest).
    Import,
    /// Forget an account deleted from the user pool.
    Forget {
        /// The account's user id (its `sub`).
        user_id: String,
    },
}

/// Runs `command`; returns what to print.
#[cfg(feature = "aws")]
pub(super) async fn run(config: &ServiceConfig, command: DirectoryCommand) -> Result<String, BoxError> {
    use super::open;
    use fileshare_core::backends::{CognitoUserPool, DynamoUserDirectory};
    use fileshare_core::UserId;

    let stores = open(config).await?;
    let (Some(table), Some(pool)) = (&stores.table, &config.user_pool) else {
        return Err("the directory command is for Cognito deployments (FILESHARE_TABLE and \
                    FILESHARE_USER_POOL_ID); the built-in identity provider is its own directory"
            .into());
    };
    let directory = DynamoUserDirectory::new(table);
    match command {
        DirectoryCommand::Forget { user_id } => {
            let forgotten = directory.forget(&UserId::new(user_id.as_str())?).await?;
            Ok(if forgotten { format!("forgot {user_id}") } else { format!("{user_id} was not in the directory") })
        }
        DirectoryCommand::Import => {
            let mut builder = CognitoUserPool::builder().user_pool_id(&pool.id);
            if let Some(url) = &pool.endpoint {
                builder = builder.endpoint_url(url);
            }
            let imported = directory.import(&builder.build().await?).await?;
            Ok(format!(
                "recorded {} accounts; forgot {} unconfirmed or disabled ones",
                imported.recorded, imported.forgotten
            ))
        }
    }
}

/// Without AWS backends there is no Cognito deployment to keep.
#[cfg(not(feature = "aws"))]
pub(super) async fn run(_: &ServiceConfig, _: DirectoryCommand) -> Result<String, BoxError> {
    Err("this build has no AWS backends; build with `--features aws`".into())
}
