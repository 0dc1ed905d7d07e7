//! Configuration from the environment: the same variable names everywhere. Every value is checked
//! when the service starts; a bad one is a one-line [`ConfigError`] naming the variable and what
//! it accepts, and the process exits non-zero.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `FILESHARE_BIND` | `127.0.0.1:8080` | local server address |
//! | `FILESHARE_PUBLIC_URL` | `http://{bind}` | the URL clients use (presigned local URLs point here) |
//! | `FILESHARE_DATA_DIR` | `./data` | embedded default: files, SQLite, identity keys |
//! | `FILESHARE_BUCKET` + `FILESHARE_TABLE` | – | both set: S3 + DynamoDB instead of the embedded default (made if missing on compatible servers, i.e. with an endpoint below) |
//! | `FILESHARE_S3_ENDPOINT`, `FILESHARE_DYNAMODB_ENDPOINT` | AWS's | S3/DynamoDB-compatible servers |
//! | `FILESHARE_JWKS_URL`, `FILESHARE_ISSUER`, `FILESHARE_CLIENT_ID` | – | verify Cognito tokens instead of running the built-in identity provider |
//! | `FILESHARE_USER_POOL_ID`, `FILESHARE_COGNITO_ENDPOINT` | – | the Cognito pool whose users files are shared with by name (with an external issuer), and which the web page signs in with (as the app client `FILESHARE_CLIENT_ID`) |
//! | `FILESHARE_CORS_ORIGINS` | none | comma-separated browser origins allowed to call the API |
//! | `FILESHARE_USER_RATE` | `20` | requests per second per user (burst 5× that); 429 beyond |
//! | `FILESHARE_LOGIN_RATE` | `5` | failed logins per username per 15 minutes; attempts per client address: 4× |
//! | `FILESHARE_TRUSTED_PROXIES` | none | proxies whose `X-Forwarded-For` names the client address |
//! | `FILESHARE_MAX_UPLOAD_BYTES` | 5 TiB | largest file anyone may upload, single or multipart |
//! | `FILESHARE_QUOTA_BYTES`, `FILESHARE_QUOTA_FILES` | 10 GiB, 10000 | what each user may store (pending uploads included), unless an operator gave them their own quota (`fileshare-server quota`); `unlimited` for none |
//! | `FILESHARE_ALLOWED_CONTENT_TYPES` | all | comma-separated `type/subtype` or `type/*` that may be uploaded |
//! | `FILESHARE_GRANTEE_LINK_TTL` | `300` | seconds a grantee's download link lives at most |
//! | `FILESHARE_LINK_URL_TTL` | `300` | seconds the download URL a share link is redeemed for lives (at most 3600) |
//! | `FILESHARE_HEADER_TIMEOUT` | `10` | seconds a client has to send a request's headers (and an idle connection stays open) |
//! | `FILESHARE_REQUEST_TIMEOUT` | `30` | seconds an API request (not a transfer) may take |
//! | `FILESHARE_IDLE_TIMEOUT` | `30` | seconds a transfer may stall (no bytes arriving, or the client not reading) |
//! | `FILESHARE_EMF` | `0` | `1`: CloudWatch metric lines on stdout (always on on Lambda) |

mod parse;

pub use parse::ConfigError;

use fileshare_core::backends::AwsLocation;
use ipnet::IpNet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where metadata and bytes live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Local disk + SQLite under the data dir.
    Embedded,
    /// S3 + DynamoDB (credentials and region from the AWS chain; `FILESHARE_S3_ENDPOINT`,
    /// `FILESHARE_DYNAMODB_ENDPOINT` for compatible servers).
    Aws(AwsLocation),
}

/// Who issues tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The built-in provider (`/auth/*`, `/.well-known/jwks.json`).
    BuiltIn,
    /// An external OpenID issuer such as a Cognito user pool.
    External {
        /// Its JWKS URL.
        jwks_url: String,
        /// Its `iss` (Cognito: `https://cognito-idp.{region}.amazonaws.com/{pool}`).
        issuer: String,
        /// The app client tokens must be issued for.
        client_id: String,
    },
}

/// How long the local server waits for a client before closing the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// For a request's headers; also how long an idle keep-alive connection stays open.
    pub header_read: Duration,
    /// For a whole API request, body and answer included (transfers excepted).
    pub request: Duration,
    /// For a transfer to make progress: body bytes arriving, or the client reading the answer.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { header_read: Duration::from_secs(10), request: Duration::from_secs(30), idle: Duration::from_secs(30) }
    }
}

/// Everything the service is configured with.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// Local server address.
    pub bind: SocketAddr,
    /// The base URL clients use.
    pub public_url: String,
    /// Embedded default data.
    pub data_dir: PathBuf,
    /// Metadata and bytes.
    pub storage: Storage,
    /// Tokens.
    pub identity: Identity,
    /// Allowed browser origins.
    pub cors_origins: Vec<String>,
    /// Per-user requests per second (burst: five seconds' worth).
    pub user_rate: f64,
    /// Failed logins per username per 15 minutes.
    pub login_rate: u32,
    /// Proxies trusted to name the client in `X-Forwarded-For` (none: the socket's peer is the client).
    pub trusted_proxies: Vec<IpNet>,
    /// The local server's timeouts.
    pub timeouts: Timeouts,
    /// CloudWatch metric lines on stdout.
    pub emf: bool,
    /// The limits [`FileShare`](fileshare_core::FileShare) enforces.
    pub limits: fileshare_core::Config,
    /// The Cognito user pool people are found in by name (sharing by username or email), when the
    /// identity provider is Cognito; the built-in provider is its own directory.
    pub user_pool: Option<UserPool>,
}

/// A Cognito user pool, as the user directory reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPool {
    /// The pool's id (`FILESHARE_USER_POOL_ID`).
    pub id: String,
    /// A Cognito-compatible server instead of AWS's (`FILESHARE_COGNITO_ENDPOINT`).
    pub endpoint: Option<String>,
}

impl ServiceConfig {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from `lookup` (variable name → value); blank values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // A set variable parsed with `parse`, or `None`.
        macro_rules! get {
            ($name:literal, $parse:expr) => {
                var($name).map(|v| parse::with($name, &v, $parse)).transpose()?
            };
        }
        let bind =
            get!("FILESHARE_BIND", parse::socket_addr).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let public_url = get!("FILESHARE_PUBLIC_URL", parse::http_url).unwrap_or_else(|| format!("http://{bind}"));
        let s3_endpoint = get!("FILESHARE_S3_ENDPOINT", parse::http_url);
        let dynamodb_endpoint = get!("FILESHARE_DYNAMODB_ENDPOINT", parse::http_url);
        let cognito_endpoint = get!("FILESHARE_COGNITO_ENDPOINT", parse::http_url);
        let storage = match (get!("FILESHARE_BUCKET", parse::bucket), get!("FILESHARE_TABLE", parse::table)) {
            (Some(bucket), Some(table)) => {
                Storage::Aws(AwsLocation { s3_endpoint, dynamodb_endpoint, ..AwsLocation::new(bucket, table) })
            }
            (None, None) if s3_endpoint.is_none() && dynamodb_endpoint.is_none() => Storage::Embedded,
            (None, None) => {
                return Err(ConfigError::new(
                    "FILESHARE_S3_ENDPOINT/FILESHARE_DYNAMODB_ENDPOINT",
                    "set only with FILESHARE_BUCKET and FILESHARE_TABLE",
                ))
            }
            _ => return Err(ConfigError::new("FILESHARE_BUCKET/FILESHARE_TABLE", "set both, or neither")),
        };
        let jwks_url = get!("FILESHARE_JWKS_URL", parse::http_url);
        let identity = match (jwks_url, var("FILESHARE_ISSUER"), var("FILESHARE_CLIENT_ID")) {
            (Some(jwks_url), Some(issuer), Some(client_id)) => Identity::External { jwks_url, issuer, client_id },
            (None, None, None) => Identity::BuiltIn,
            _ => {
                return Err(ConfigError::new(
                    "FILESHARE_JWKS_URL/FILESHARE_ISSUER/FILESHARE_CLIENT_ID",
                    "set all three, or none",
                ))
            }
        };
        let user_rate = get!("FILESHARE_USER_RATE", parse::positive).unwrap_or(20.0);
        if user_rate * USER_BURST_SECONDS < 1.0 {
            return Err(ConfigError::new(
                "FILESHARE_USER_RATE",
                format!(
                    "{user_rate} per second allows no request at all; expected at least {}",
                    1.0 / USER_BURST_SECONDS
                ),
            ));
        }
        let login_rate = get!("FILESHARE_LOGIN_RATE", parse::whole(1)).unwrap_or(5);
        let login_rate = u32::try_from(login_rate)
            .ok()
            .filter(|rate| *rate <= MAX_LOGIN_RATE)
            .ok_or_else(|| ConfigError::new("FILESHARE_LOGIN_RATE", format!("expected at most {MAX_LOGIN_RATE}")))?;
        let defaults = Timeouts::default();
        let timeouts = Timeouts {
            header_read: get!("FILESHARE_HEADER_TIMEOUT", parse::seconds(1, 3600)).unwrap_or(defaults.header_read),
            request: get!("FILESHARE_REQUEST_TIMEOUT", parse::seconds(1, 3600)).unwrap_or(defaults.request),
            idle: get!("FILESHARE_IDLE_TIMEOUT", parse::seconds(1, 3600)).unwrap_or(defaults.idle),
        };
        let mut limits = fileshare_core::Config::default();
        if let Some(bytes) = get!("FILESHARE_MAX_UPLOAD_BYTES", parse::whole(1)) {
            limits = limits.with_max_file_size(bytes);
        }
        if let Some(bytes) = get!("FILESHARE_QUOTA_BYTES", parse::limit) {
            limits.quota.bytes = bytes;
        }
        if let Some(files) = get!("FILESHARE_QUOTA_FILES", parse::limit) {
            limits.quota.files = files;
        }
        if let Some(policy) = get!("FILESHARE_ALLOWED_CONTENT_TYPES", parse::content_types) {
            limits.content_types = policy;
        }
        if let Some(ttl) = get!("FILESHARE_GRANTEE_LINK_TTL", parse::seconds(1, 7 * 24 * 3600)) {
            limits.grantee_download_url_ttl = ttl;
        }
        // At most an hour: a share link's download limit counts redemptions, and each URL handed
        // out can be fetched again (and passed on) until it expires.
        if let Some(ttl) = get!("FILESHARE_LINK_URL_TTL", parse::seconds(1, 3600)) {
            limits.link_download_url_ttl = ttl;
        }
        Ok(Self {
            bind,
            public_url,
            data_dir: var("FILESHARE_DATA_DIR").unwrap_or_else(|| "data".into()).into(),
            storage,
            identity,
            cors_origins: get!("FILESHARE_CORS_ORIGINS", parse::origins).unwrap_or_default(),
            user_rate,
            login_rate,
            trusted_proxies: get!("FILESHARE_TRUSTED_PROXIES", parse::networks).unwrap_or_default(),
            timeouts,
            emf: get!("FILESHARE_EMF", parse::flag).unwrap_or(false),
            user_pool: var("FILESHARE_USER_POOL_ID")
                .map(|id| UserPool { id: id.trim().to_owned(), endpoint: cognito_endpoint }),
            limits,
        })
    }

    /// A configuration for the embedded default under `data_dir`, listening on `bind` (tests, examples).
    pub fn embedded(data_dir: impl Into<PathBuf>, bind: SocketAddr) -> Self {
        Self {
            bind,
            public_url: format!("http://{bind}"),
            data_dir: data_dir.into(),
            storage: Storage::Embedded,
            identity: Identity::BuiltIn,
            cors_origins: Vec::new(),
            user_rate: 20.0,
            login_rate: 5,
            trusted_proxies: Vec::new(),
            timeouts: Timeouts::default(),
            emf: false,
            limits: fileshare_core::Config::default(),
            user_pool: None,
        }
    }
}

/// The most failed logins per 15 minutes one may configure (the address allowance is 4× that).
pub const MAX_LOGIN_RATE: u32 = 1_000_000;

/// A user may burst this many seconds' worth of requests.
pub const USER_BURST_SECONDS: f64 = 5.0;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<ServiceConfig, ConfigError> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        ServiceConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_to_the_embedded_service() {
        let config = config(&[]).expect("defaults");
        assert_eq!(config.storage, Storage::Embedded);
        assert_eq!(config.identity, Identity::BuiltIn);
        assert_eq!(config.limits, fileshare_core::Config::default());
        assert_eq!(config.public_url, "http://127.0.0.1:8080");
        assert_eq!(config.timeouts, Timeouts::default());
    }

    #[test]
    fn good_values_are_read() {
        let config = config(&[
            ("FILESHARE_MAX_UPLOAD_BYTES", "1048576"),
            ("FILESHARE_ALLOWED_CONTENT_TYPES", "image/*, application/pdf"),
            ("FILESHARE_GRANTEE_LINK_TTL", "60"),
            ("FILESHARE_LINK_URL_TTL", "90"),
            ("FILESHARE_CORS_ORIGINS", "https://app.example, http://127.0.0.1:3000"),
            ("FILESHARE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1"),
            ("FILESHARE_HEADER_TIMEOUT", "2.5"),
            ("FILESHARE_QUOTA_BYTES", "1000000"),
            ("FILESHARE_QUOTA_FILES", "unlimited"),
        ])
        .expect("valid");
        assert_eq!(config.limits.quota, fileshare_core::Quota { bytes: Some(1_000_000), files: None });
        assert_eq!((config.limits.max_upload_size, config.limits.max_multipart_size), (1_048_576, 1_048_576));
        assert_eq!(
            config.limits.content_types,
            fileshare_core::ContentTypePolicy::Allow(vec!["image/*".into(), "application/pdf".into()])
        );
        assert_eq!(config.limits.grantee_download_url_ttl, Duration::from_secs(60));
        assert_eq!(config.limits.link_download_url_ttl, Duration::from_secs(90));
        assert_eq!(config.cors_origins, ["https://app.example", "http://127.0.0.1:3000"]);
        assert_eq!(config.trusted_proxies.len(), 2);
        assert_eq!(config.timeouts.header_read, Duration::from_millis(2500));
    }

    /// Every variable with a bad value: an error naming it, never a panic.
    #[test]
    fn every_bad_value_names_its_variable() {
        let bad = [
            ("FILESHARE_BIND", "localhost"),
            ("FILESHARE_PUBLIC_URL", "ftp://x"),
            ("FILESHARE_S3_ENDPOINT", "not a url"),
            ("FILESHARE_JWKS_URL", "nope"),
            ("FILESHARE_CORS_ORIGINS", "*"),
            ("FILESHARE_CORS_ORIGINS", "https://app.example/path"),
            ("FILESHARE_USER_RATE", "0"),
            ("FILESHARE_USER_RATE", "0.1"),
            ("FILESHARE_USER_RATE", "fast"),
            ("FILESHARE_LOGIN_RATE", "0.5"),
            ("FILESHARE_LOGIN_RATE", "0"),
            ("FILESHARE_LOGIN_RATE", "4294967295"),
            ("FILESHARE_TRUSTED_PROXIES", "everyone"),
            ("FILESHARE_MAX_UPLOAD_BYTES", "-1"),
            ("FILESHARE_MAX_UPLOAD_BYTES", "1.5"),
            ("FILESHARE_ALLOWED_CONTENT_TYPES", "images"),
            ("FILESHARE_GRANTEE_LINK_TTL", "0"),
            ("FILESHARE_HEADER_TIMEOUT", "forever"),
            ("FILESHARE_REQUEST_TIMEOUT", "-3"),
            ("FILESHARE_IDLE_TIMEOUT", "0"),
            ("FILESHARE_EMF", "yes"),
            ("FILESHARE_QUOTA_BYTES", "10GB"),
            ("FILESHARE_QUOTA_FILES", "-5"),
            ("FILESHARE_BUCKET", "Bad_Bucket"),
        ];
        for (name, value) in bad {
            let mut vars = vec![(name, value)];
            if name == "FILESHARE_BUCKET" {
                vars.push(("FILESHARE_TABLE", "files"));
            }
            let error = config(&vars).expect_err(&format!("{name}={value} must be refused"));
            assert!(error.to_string().starts_with(name), "{name}={value}: {error}");
            assert!(!error.to_string().contains('\n'), "one line: {error}");
        }
    }

    #[test]
    fn half_configured_backends_are_refused() {
        let error = |vars: &[(&str, &str)]| config(vars).expect_err("refused").to_string();
        assert!(error(&[("FILESHARE_BUCKET", "bucket")]).contains("FILESHARE_TABLE"));
        assert!(error(&[("FILESHARE_ISSUER", "i")]).contains("FILESHARE_JWKS_URL"));
        assert!(error(&[("FILESHARE_S3_ENDPOINT", "http://127.0.0.1:9000")]).contains("FILESHARE_BUCKET"));
    }
}
