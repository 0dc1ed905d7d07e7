//! `fileshare-server quota …`: a user's quota.
//!
//! - `quota show USER` — what a user stores and may store;
//! - `quota set USER [--bytes SIZE|unlimited] [--files N|unlimited]` — a quota of their own, in
//!   place of `FILESHARE_QUOTA_BYTES` / `FILESHARE_QUOTA_FILES`; a limit left out keeps its value
//!   in force now;
//! - `quota reset USER` — back to the default.
//!
//! Run it with the deployment's `FILESHARE_QUOTA_BYTES` and `FILESHARE_QUOTA_FILES`: "the default"
//! it reports, and the value a limit left out of `set` keeps, are those. On AWS it writes the
//! table's usage item, which needs `dynamodb:GetItem` and `dynamodb:UpdateItem` on `USER#*` keys
//! only, and reads names from the directory (`NAME#*`, `EMAIL#*`, `USER#*`): the template's
//! `QuotaOperatorPolicy`.

use super::{open, BoxError, Stores, Who};
use crate::config::ServiceConfig;
use bytesize::ByteSize;
use fileshare_core::{Quota, UsageReport, UserId};

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

impl Stores {
    async fn report(&self, user: &UserId, default: &Quota) -> Result<UsageReport, BoxError> {
        Ok(UsageReport::new(self.metadata.get_usage(user).await?, default))
    }
}

/// Runs `command` against the configured storage; returns what to print.
pub(super) async fn run(config: &ServiceConfig, command: QuotaCommand) -> Result<String, BoxError> {
    let stores = open(config).await?;
    let default = &config.limits.quota;
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
