//! Operator commands of `fileshare-server`: what only whoever runs the service may do. They act on
//! the service's storage directly, with the same configuration as the server, never through the
//! API — no user, however privileged their token, can reach them.
//!
//! - `fileshare-server quota show USER` — what a user stores and may store;
//! - `fileshare-server quota set USER [--bytes SIZE|unlimited] [--files N|unlimited]` — a quota of
//!   their own, in place of `FILESHARE_QUOTA_BYTES` / `FILESHARE_QUOTA_FILES`; a limit left out
//!   keeps its value in force now;
//! - `fileshare-server quota reset USER` — back to the default.
//!
//! `USER` is a username (an email address on Cognito), or a user id with `--id`. Run it with the
//! deployment's `FILESHARE_QUOTA_BYTES` and `FILESHARE_QUOTA_FILES`: "the default" it reports, and
//! the value a limit left out of `set` keeps, are those. On the embedded
//! default this opens only the metadata database and the user directory, which the running server
//! shares safely (SQLite in WAL mode), never the data directory's lock; on AWS it writes the
//! table's usage item, which needs `dynamodb:GetItem` and `dynamodb:UpdateItem` on `USER#*` keys
//! only (the policy is in `infra/README.md`).

use crate::config::{ServiceConfig, Storage};
use crate::idp::LocalIdentityProvider;
use bytesize::ByteSize;
use fileshare_core::backends::SqliteMetadataStore;
use fileshare_core::{MetadataStore, Quota, UsageReport, UserDirectory, UserId};
use std::sync::Arc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An operator command.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show or change a user's quota.
    #[command(subcommand)]
    Quota(QuotaCommand),
}

/// `fileshare-server quota …`.
#[derive(Debug, clap::Subcommand)]
pub enum QuotaCommand {
    /// What a user stores and may store.
    Show(Who),
    /// Give a user a quota of their own; a limit left out keeps the value in force now.
    Set {
        /// Whose quota.
        #[command(flatten)]
        who: Who,
        /// Most bytes, e.g. `50GiB`, `500 MB` or `unlimited`.
        #[arg(long, value_parser = parse_bytes)]
        bytes: Option<Limit>,
        /// Most files, e.g. `20000` or `unlimited`.
        #[arg(long, value_parser = parse_files)]
        files: Option<Limit>,
    },
    /// Return a user to the deployment's default quota.
    Reset(Who),
}

/// Whose quota.
#[derive(Debug, clap::Args)]
pub struct Who {
    /// A username (or, on Cognito, an email address); a user id with `--id`.
    user: String,
    /// `USER` is a user id, not a name.
    #[arg(long)]
    id: bool,
}

/// A limit given on the command line: a number, or no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(Option<u64>);

fn parse_bytes(text: &str) -> Result<Limit, String> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(Limit(None));
    }
    text.parse::<ByteSize>()
        .map(|size| Limit(Some(size.as_u64())))
        .map_err(|e| format!("{e}; expected a size such as 50GiB or 500MB, or unlimited"))
}

fn parse_files(text: &str) -> Result<Limit, String> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(Limit(None));
    }
    text.parse::<u64>().map(|n| Limit(Some(n))).map_err(|_| "expected a whole number, or unlimited".to_owned())
}

/// The stores an operator command needs.
struct Stores {
    metadata: Arc<dyn MetadataStore>,
    directory: Option<Arc<dyn UserDirectory>>,
}

async fn open(config: &ServiceConfig) -> Result<Stores, BoxError> {
    let metadata: Arc<dyn MetadataStore> = match &config.storage {
        Storage::Embedded => {
            // Never a new, empty database: the command would report a change the server never sees.
            let database = config.data_dir.join("fileshare.db");
            if !database.is_file() {
                let dir = config.data_dir.display();
                return Err(format!("no fileshare data in {dir}; set FILESHARE_DATA_DIR to the server's").into());
            }
            Arc::new(SqliteMetadataStore::open(database).await?)
        }
        #[cfg(feature = "aws")]
        Storage::Aws(location) => Arc::new(location.open().await?.1),
        #[cfg(not(feature = "aws"))]
        Storage::Aws(_) => return Err("FILESHARE_BUCKET/FILESHARE_TABLE: this build has no AWS backends".into()),
    };
    // People are found where they sign up: the Cognito pool when one is named, else (on the
    // embedded default) the built-in provider's users.
    let directory: Option<Arc<dyn UserDirectory>> = match (&config.user_pool, &config.identity) {
        (Some(pool), _) => Some(crate::state::open_cognito_directory(pool).await?),
        (None, crate::config::Identity::BuiltIn) => {
            Some(Arc::new(LocalIdentityProvider::open(&config.data_dir.join("identity"), config.public_url.clone())?))
        }
        (None, _) => None,
    };
    Ok(Stores { metadata, directory })
}

impl Stores {
    async fn user(&self, who: &Who) -> Result<UserId, BoxError> {
        if who.id {
            let id = UserId::new(&who.user)?;
            // Where people can be looked up, an id must name one of them.
            if let Some(directory) = &self.directory {
                directory.display_name(&id).await?.ok_or_else(|| format!("no user has the id {:?}", who.user))?;
            }
            return Ok(id);
        }
        let directory = self.directory.as_ref().ok_or(
            "no user directory is configured (FILESHARE_USER_POOL_ID with Cognito): name the user by id with --id",
        )?;
        Ok(directory.resolve(&who.user).await?.ok_or_else(|| format!("no user is called {:?}", who.user))?)
    }

    async fn report(&self, user: &UserId, default: &Quota) -> Result<UsageReport, BoxError> {
        Ok(UsageReport::new(self.metadata.get_usage(user).await?, default))
    }
}

/// Runs `command` against the configured storage; returns what to print.
pub async fn run(config: &ServiceConfig, command: Command) -> Result<String, BoxError> {
    let stores = open(config).await?;
    let default = &config.limits.quota;
    let Command::Quota(command) = command;
    let who = match &command {
        QuotaCommand::Show(who) | QuotaCommand::Reset(who) | QuotaCommand::Set { who, .. } => who,
    };
    let user = stores.user(who).await?;
    match &command {
        QuotaCommand::Show(_) => {}
        QuotaCommand::Reset(_) => stores.metadata.set_quota(&user, None).await?,
        QuotaCommand::Set { bytes: None, files: None, .. } => {
            return Err("say which limit to set: --bytes, --files, or both".into());
        }
        QuotaCommand::Set { bytes, files, .. } => {
            let now = stores.report(&user, default).await?.quota;
            let quota = Quota { bytes: bytes.map_or(now.bytes, |l| l.0), files: files.map_or(now.files, |l| l.0) };
            stores.metadata.set_quota(&user, Some(quota)).await?;
        }
    }
    Ok(describe(&who.user, &user, &stores.report(&user, default).await?))
}

/// `alice (user id …): 1.2 GiB of 10.0 GiB in 3 of 10000 files — the default quota`.
fn describe(name: &str, user: &UserId, report: &UsageReport) -> String {
    let bytes = report.quota.bytes.map_or_else(|| "unlimited".to_owned(), |b| ByteSize(b).to_string());
    let files = report.quota.files.map_or_else(|| "unlimited".to_owned(), |f| f.to_string());
    let whose = if report.custom { "their own quota" } else { "the default quota" };
    let who = if name == user.as_str() { name.to_owned() } else { format!("{name} (user id {user})") };
    format!("{who}: {} of {bytes} in {} of {files} files — {whose}", ByteSize(report.usage.bytes), report.usage.files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts_parse_or_say_what_they_expect() {
        assert_eq!(parse_bytes("50GiB"), Ok(Limit(Some(50 << 30))));
        assert_eq!(parse_bytes("500 MB"), Ok(Limit(Some(500_000_000))));
        assert_eq!(parse_bytes("Unlimited"), Ok(Limit(None)));
        assert!(parse_bytes("lots").is_err_and(|e| e.contains("50GiB")));
        assert_eq!(parse_files("20000"), Ok(Limit(Some(20_000))));
        assert!(parse_files("-1").is_err());
    }
}
