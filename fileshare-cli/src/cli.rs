//! The command line (clap).

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use fileshare_client::{env, DEFAULT_COGNITO_REGION, DEFAULT_ENDPOINT};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes: 0 ok, 1 refused or failed (the message says why), 2 bad usage, 3 not logged in or
session expired, 4 not found, 5 forbidden, 6 network unreachable, 7 conflict (e.g. the output exists).";

/// Share files through a fileshare service: the local one or an AWS deployment.
#[derive(Debug, Parser)]
#[command(name = "fileshare", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The API's base URL.
    #[arg(long, env = env::ENDPOINT, default_value = DEFAULT_ENDPOINT, global = true)]
    pub endpoint: String,
    /// Where sessions are stored (default: the user's config directory).
    #[arg(long, env = env::CONFIG_DIR, global = true)]
    pub config_dir: Option<PathBuf>,
    /// No progress bars.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account (then `fileshare login`).
    Signup(Credentials),
    /// Confirm a Cognito account with the code it e-mailed.
    Confirm {
        /// The username signed up with.
        username: String,
        /// The confirmation code.
        code: String,
        #[command(flatten)]
        cognito: Cognito,
    },
    /// Log in; the session is stored (0600) and refreshed automatically.
    Login(Credentials),
    /// Forget this endpoint's session.
    Logout,
    /// Who you are logged in as (checked with the API).
    Whoami,
    /// Upload files (straight to storage, in parts when large); prints each new file's id.
    Upload {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Content type (default: guessed from each file's extension).
        #[arg(long)]
        content_type: Option<String>,
        /// Upload files larger than this many bytes in parts.
        #[arg(long, default_value_t = fileshare_client::DEFAULT_MULTIPART_THRESHOLD)]
        multipart_threshold: u64,
    },
    /// List your files and the files shared with you.
    Ls {
        /// Only files shared with you.
        #[arg(long, conflicts_with = "owned")]
        shared: bool,
        /// Only your own files.
        #[arg(long)]
        owned: bool,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Share one of your files with another user, by username (or email, on Cognito).
    Share {
        /// The file.
        file_id: String,
        /// The user to share with: a username or an email address (a user id with --id).
        user: String,
        /// USER is a user id (see `fileshare whoami`), not a name.
        #[arg(long)]
        id: bool,
        /// End of access (RFC 3339, e.g. 2026-12-31T23:59:59Z).
        #[arg(long)]
        until: Option<DateTime<Utc>>,
    },
    /// Whom one of your files is shared with (every page of it).
    Shares {
        /// The file.
        file_id: String,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Stop sharing a file with a user.
    Unshare {
        /// The file.
        file_id: String,
        /// The user: a username, or a user id with --id.
        user: String,
        /// USER is a user id, not a name.
        #[arg(long)]
        id: bool,
    },
    /// Share links: anyone with one downloads the file, no account needed.
    #[command(subcommand)]
    Link(LinkCommand),
    /// Download what a share link hands out (no account needed); asks for its password if it has one.
    Get {
        /// The link (…/l/TOKEN).
        link_url: String,
        /// Where to write it (a file, a directory, or - for stdout).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        /// Read the link's password from the first line of stdin (otherwise it is asked for).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Download a file (to its name, or to -o PATH; `-o -` writes to stdout).
    Download {
        /// The file.
        file_id: String,
        /// Where to write it (a file, a directory, or - for stdout).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check a deployment from outside, as people use it (run it after `sam deploy`): two test
    /// accounts upload, share, link, download (bytes compared) and delete; the page's security
    /// headers, CORS and throttling answers are checked. Their password comes from
    /// FILESHARE_CHECK_PASSWORD, or is asked for.
    CheckDeployment {
        /// The two test accounts' usernames (email addresses on Cognito); signed up if missing.
        #[arg(num_args = 2, required = true, value_names = ["USER", "OTHER_USER"])]
        users: Vec<String>,
        /// The code that confirms a test account Cognito just signed up (it is e-mailed).
        #[arg(long)]
        confirmation_code: Option<String>,
        /// Also send this many requests at once to GET /health, which must meet a throttle (the
        /// template limits /health to 10 a second).
        #[arg(long, default_value_t = 0)]
        burst: usize,
        #[command(flatten)]
        cognito: Cognito,
    },
    /// Delete your files.
    Rm {
        /// The files.
        #[arg(required = true)]
        file_ids: Vec<String>,
    },
}

/// `fileshare link …`.
#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Make a share link of one of your files; prints the link (shown this once).
    Create {
        /// The file.
        file_id: String,
        /// How long the link works: 30m, 12h, 7d, 2w (default: until revoked).
        #[arg(long, value_parser = crate::links::parse_duration)]
        expires: Option<chrono::TimeDelta>,
        /// How many downloads it hands out (default: unlimited).
        #[arg(long)]
        max_downloads: Option<u32>,
        /// Protect it with a password, read from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// A file's links, with their downloads and expiry.
    Ls {
        /// The file.
        file_id: String,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a link: it stops working at once.
    Rm {
        /// The link's id (from `fileshare link ls`).
        link_id: String,
    },
}

/// A username and where the password comes from.
#[derive(Debug, Args)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// Read the password from the first line of stdin (otherwise it is asked for).
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub cognito: Cognito,
}

/// A Cognito user pool app client, instead of the service's built-in identity provider.
#[derive(Debug, Args)]
pub struct Cognito {
    /// The app client id (the stack's UserPoolClientId output).
    #[arg(long, env = env::COGNITO_CLIENT_ID)]
    pub cognito_client_id: Option<String>,
    /// The user pool's region.
    #[arg(long, env = env::COGNITO_REGION, default_value = DEFAULT_COGNITO_REGION)]
    pub cognito_region: String,
    /// A Cognito-compatible endpoint instead of AWS's (tests).
    #[arg(long, env = env::COGNITO_ENDPOINT, hide = true)]
    pub cognito_endpoint: Option<String>,
}
