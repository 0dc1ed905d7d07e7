//! Sessions, and where they are kept: one per API endpoint, in `credentials.json` under a config
//! directory (the `fileshare` CLI's: `$FILESHARE_CONFIG_DIR`, else e.g. `~/.config/fileshare`), so
//! that the CLI and programs share a login. The file holds refresh tokens, so it is created 0600 in
//! a 0700 directory and replaced atomically (temp file + rename): a crash mid-write never leaves it
//! truncated.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Who issues a session's tokens, so that refresh goes back to the same place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provider {
    /// The service's built-in identity provider (`/auth/*`).
    #[default]
    Local,
    /// A Cognito user pool app client (`USER_PASSWORD_AUTH`).
    Cognito {
        /// The app client id.
        client_id: String,
        /// The Cognito endpoint, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/`.
        endpoint: String,
    },
}

/// A logged-in user at one endpoint.
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    /// The name logged in with.
    pub username: String,
    /// The token's subject: what others share files with.
    pub user_id: String,
    /// The bearer token.
    pub access_token: String,
    /// Exchanged for a new access token when it expires.
    pub refresh_token: String,
    /// When the access token expires (Unix seconds).
    pub expires_at: i64,
    /// Where refreshes go.
    pub provider: Provider,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("username", &self.username)
            .field("user_id", &self.user_id)
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("provider", &self.provider)
            .finish()
    }
}

impl Session {
    /// Whether the access token expires within `secs` seconds from now. Its expiry is the token's
    /// own `exp`, which the provider chose: any number, so no arithmetic on it may overflow.
    pub(crate) fn expires_within(&self, secs: i64) -> bool {
        self.expires_at.saturating_sub(Utc::now().timestamp()) < secs
    }
}

impl Provider {
    /// A Cognito app client in `region`, at AWS's endpoint unless `endpoint` names another.
    pub fn cognito(client_id: impl Into<String>, region: &str, endpoint: Option<String>) -> Self {
        let endpoint = endpoint.unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com/"));
        Provider::Cognito { client_id: client_id.into(), endpoint }
    }
}

/// Who is logged in (no tokens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The name logged in with.
    pub username: String,
    /// The user id: what the API knows them by.
    pub user_id: String,
    /// When the current access token expires (refreshed automatically).
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<&Session> for SessionInfo {
    fn from(s: &Session) -> Self {
        Self {
            username: s.username.clone(),
            user_id: s.user_id.clone(),
            expires_at: DateTime::from_timestamp(s.expires_at, 0),
        }
    }
}

/// What signing up did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// The account exists and can log in (the built-in provider).
    Created {
        /// Its user id.
        user_id: String,
    },
    /// The account waits for the code its owner was sent ([`Client::confirm_sign_up`]; Cognito).
    ConfirmationNeeded,
}

/// The credentials file.
#[derive(Clone, Debug)]
pub struct SessionStore {
    dir: PathBuf,
}

impl SessionStore {
    /// The store in `dir`, or (`None`) in the user's config directory, where the CLI keeps it.
    pub fn new(dir: Option<PathBuf>) -> Result<Self> {
        let dir = match dir {
            Some(dir) => dir,
            None => dirs::config_dir()
                .ok_or_else(|| Error::InvalidInput("no config directory; set FILESHARE_CONFIG_DIR".into()))?
                .join("fileshare"),
        };
        Ok(Self { dir })
    }

    /// The credentials file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join("credentials.json")
    }

    fn read_all(&self) -> Result<BTreeMap<String, Session>> {
        let path = self.path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::InvalidInput(format!(
                    "{} is not a credentials file ({e}); delete it and log in again",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::io(path)(e)),
        }
    }

    fn write_all(&self, sessions: &BTreeMap<String, Session>) -> Result<()> {
        create_private_dir(&self.dir)?;
        let json = serde_json::to_vec_pretty(sessions).map_err(|e| Error::InvalidInput(e.to_string()))?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".credentials");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
        let mut file = builder.tempfile_in(&self.dir).map_err(Error::io(&self.dir))?;
        file.write_all(&json).and_then(|()| file.as_file().sync_all()).map_err(Error::io(file.path()))?;
        file.persist(self.path()).map_err(|e| Error::io(self.path())(e.error))?;
        Ok(())
    }

    /// The session for `endpoint`, if logged in.
    pub fn load(&self, endpoint: &str) -> Result<Option<Session>> {
        Ok(self.read_all()?.remove(endpoint))
    }

    /// Stores (or replaces) the session for `endpoint`.
    pub fn save(&self, endpoint: &str, session: &Session) -> Result<()> {
        let mut all = self.read_all()?;
        all.insert(endpoint.to_owned(), session.clone());
        self.write_all(&all)
    }

    /// Forgets the session for `endpoint`; returns whether there was one.
    pub fn remove(&self, endpoint: &str) -> Result<bool> {
        let mut all = self.read_all()?;
        let removed = all.remove(endpoint).is_some();
        if removed {
            self.write_all(&all)?;
        }
        Ok(removed)
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(Error::io(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str) -> Session {
        Session {
            username: name.into(),
            user_id: format!("id-{name}"),
            access_token: "a".into(),
            refresh_token: "r".into(),
            expires_at: 0,
            provider: Provider::Local,
        }
    }

    #[test]
    fn any_expiry_a_provider_sends_is_taken_without_overflow() {
        let at = |expires_at| Session { expires_at, ..session("alice") };
        assert!(at(i64::MIN).expires_within(60), "long expired");
        assert!(!at(i64::MAX).expires_within(60), "never expires");
        assert!(at(Utc::now().timestamp() + 30).expires_within(60));
    }

    #[test]
    fn sessions_are_kept_per_endpoint_in_a_private_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SessionStore::new(Some(dir.path().join("fileshare"))).expect("store");
        assert!(store.load("http://a").expect("load").is_none());
        store.save("http://a", &session("alice")).expect("save");
        store.save("http://b", &session("bob")).expect("save");
        assert_eq!(store.load("http://a").expect("load").map(|s| s.username), Some("alice".into()));
        assert!(store.remove("http://a").expect("remove"));
        assert!(!store.remove("http://a").expect("remove twice"));
        assert_eq!(store.load("http://b").expect("load").map(|s| s.username), Some("bob".into()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
            assert_eq!(mode(&store.path()), 0o600);
            assert_eq!(mode(&dir.path().join("fileshare")), 0o700);
        }
    }

    #[test]
    fn debug_never_shows_tokens() {
        let mut alice = session("alice");
        (alice.access_token, alice.refresh_token) = ("secret-access".into(), "secret-refresh".into());
        assert!(!format!("{alice:?}").contains("secret"));
    }

    #[test]
    fn a_corrupt_file_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SessionStore::new(Some(dir.path().to_owned())).expect("store");
        std::fs::write(store.path(), b"{not json").expect("write");
        assert!(matches!(store.save("http://a", &session("alice")), Err(Error::InvalidInput(_))));
        assert_eq!(std::fs::read(store.path()).expect("read"), b"{not json");
    }
}
