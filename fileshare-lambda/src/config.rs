//! Configuration from the environment. The same variable names everywhere (DESIGN §1).
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `FILESHARE_BIND` | `127.0.0.1:8080` | local server address |
//! | `FILESHARE_PUBLIC_URL` | `http://{bind}` | the URL clients use (presigned local URLs point here) |
//! | `FILESHARE_DATA_DIR` | `./data` | embedded default: files, SQLite, identity keys |
//! | `FILESHARE_BUCKET` + `FILESHARE_TABLE` | – | both set: S3 + DynamoDB instead of the embedded default |
//! | `FILESHARE_S3_ENDPOINT`, `FILESHARE_DYNAMODB_ENDPOINT` | AWS's | S3/DynamoDB-compatible servers |
//! | `FILESHARE_JWKS_URL`, `FILESHARE_ISSUER`, `FILESHARE_CLIENT_ID` | – | verify Cognito tokens instead of running the built-in identity provider |
//! | `FILESHARE_CORS_ORIGINS` | none | comma-separated browser origins allowed to call the API |
//! | `FILESHARE_USER_RATE` | `20` | requests per second per user (burst 5× that); 429 beyond |
//! | `FILESHARE_LOGIN_RATE` | `5` | login attempts per username and per 15 minutes (burst); per client address: 4× |
//! | `FILESHARE_MAX_UPLOAD_BYTES` | 5 TiB | largest file anyone may upload, single or multipart |

use fileshare_core::backends::AwsLocation;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Per-user requests per second.
    pub user_rate: f64,
    /// Login attempts per username per 15 minutes.
    pub login_rate: u32,
    /// The limits [`FileShare`](fileshare_core::FileShare) enforces.
    pub limits: fileshare_core::Config,
}

impl ServiceConfig {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from `lookup` (variable name → value); blank values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let bind: SocketAddr = var("FILESHARE_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| format!("FILESHARE_BIND: {e}"))?;
        let public_url = var("FILESHARE_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let storage = match (var("FILESHARE_BUCKET"), var("FILESHARE_TABLE")) {
            (Some(bucket), Some(table)) => Storage::Aws(AwsLocation {
                s3_endpoint: var("FILESHARE_S3_ENDPOINT"),
                dynamodb_endpoint: var("FILESHARE_DYNAMODB_ENDPOINT"),
                ..AwsLocation::new(bucket, table)
            }),
            (None, None) => Storage::Embedded,
            _ => return Err("set both FILESHARE_BUCKET and FILESHARE_TABLE, or neither".into()),
        };
        let identity = match (var("FILESHARE_JWKS_URL"), var("FILESHARE_ISSUER"), var("FILESHARE_CLIENT_ID")) {
            (Some(jwks_url), Some(issuer), Some(client_id)) => Identity::External { jwks_url, issuer, client_id },
            (None, None, None) => Identity::BuiltIn,
            _ => return Err("set all of FILESHARE_JWKS_URL, FILESHARE_ISSUER and FILESHARE_CLIENT_ID, or none".into()),
        };
        let number = |name: &str, default: f64| -> Result<f64, String> {
            var(name).map_or(Ok(default), |v| {
                v.parse::<f64>().map_err(|e| format!("{name}: {e}")).and_then(|n| {
                    if n > 0.0 {
                        Ok(n)
                    } else {
                        Err(format!("{name} must be positive"))
                    }
                })
            })
        };
        Ok(Self {
            bind,
            public_url: public_url.trim_end_matches('/').to_owned(),
            data_dir: var("FILESHARE_DATA_DIR").unwrap_or_else(|| "data".into()).into(),
            storage,
            identity,
            cors_origins: var("FILESHARE_CORS_ORIGINS")
                .map(|v| v.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            user_rate: number("FILESHARE_USER_RATE", 20.0)?,
            login_rate: number("FILESHARE_LOGIN_RATE", 5.0)? as u32,
            limits: match var("FILESHARE_MAX_UPLOAD_BYTES") {
                None => fileshare_core::Config::default(),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(bytes) if bytes > 0 => fileshare_core::Config::default().with_max_file_size(bytes),
                    _ => {
                        return Err(format!("FILESHARE_MAX_UPLOAD_BYTES must be a positive number of bytes, not {v:?}"))
                    }
                },
            },
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
            limits: fileshare_core::Config::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<ServiceConfig, String> {
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
    }

    #[test]
    fn max_upload_bytes_caps_every_upload() {
        let config = config(&[("FILESHARE_MAX_UPLOAD_BYTES", "1048576")]).expect("valid");
        assert_eq!(config.limits.max_upload_size, 1_048_576);
        assert_eq!(config.limits.max_multipart_size, 1_048_576);
        for bad in ["0", "-1", "1.5", "ten"] {
            let error = config_error(&[("FILESHARE_MAX_UPLOAD_BYTES", bad)]);
            assert!(error.contains("FILESHARE_MAX_UPLOAD_BYTES"), "{bad}: {error}");
        }
    }

    #[test]
    fn half_configured_backends_are_refused() {
        assert!(config_error(&[("FILESHARE_BUCKET", "b")]).contains("FILESHARE_TABLE"));
        assert!(config_error(&[("FILESHARE_ISSUER", "i")]).contains("FILESHARE_JWKS_URL"));
        assert!(config_error(&[("FILESHARE_USER_RATE", "0")]).contains("positive"));
    }

    fn config_error(vars: &[(&str, &str)]) -> String {
        config(vars).expect_err("configuration should be refused")
    }
}
