//! [`Client`]: one API endpoint, its session, and the bearer token on every call — refreshed
//! before it expires and once more if the API answers 401, one refresh at a time however many
//! calls are in flight.

use crate::error::{Error, Result};
use crate::http;
use crate::identity::Identity;
use crate::session::{Provider, Session, SessionInfo, SessionStore, SignUp};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The environment variables [`Client::from_env`] reads; the `fileshare` CLI reads the same.
pub mod env {
    /// The API's base URL.
    pub const ENDPOINT: &str = "FILESHARE_ENDPOINT";
    /// Where sessions are kept (default: the user's config directory, `…/fileshare`).
    pub const CONFIG_DIR: &str = "FILESHARE_CONFIG_DIR";
    /// A Cognito app client id: log in with Cognito instead of the built-in provider.
    pub const COGNITO_CLIENT_ID: &str = "FILESHARE_COGNITO_CLIENT_ID";
    /// The user pool's region (default `us-east-1`).
    pub const COGNITO_REGION: &str = "FILESHARE_COGNITO_REGION";
    /// A Cognito-compatible endpoint instead of AWS's (test rigs).
    pub const COGNITO_ENDPOINT: &str = "FILESHARE_COGNITO_ENDPOINT";
}

/// Where [`Client::from_env`] goes when `FILESHARE_ENDPOINT` is not set: the local service.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:8080";
/// The region of Cognito user pools when none is named.
pub const DEFAULT_COGNITO_REGION: &str = "us-east-1";

/// Refresh this long before the access token's expiry, so that it cannot expire mid-request.
const REFRESH_MARGIN_SECS: i64 = 60;

/// How transfers to and from storage behave.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TransferSettings {
    /// Parts of a multipart upload in flight at once.
    pub parallel_parts: usize,
    /// Tries per transfer (a whole upload or one part) before giving up.
    pub attempts: u32,
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: String,
    provider: Provider,
    store: Option<SessionStore>,
    user_agent: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    transfers: TransferSettings,
}

impl ClientBuilder {
    /// Log in with this identity provider (default: the service's built-in one).
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// Keep the session in this store, and start from the one stored there for the endpoint
    /// (default: in memory only, for this client's life).
    pub fn session_store(mut self, store: SessionStore) -> Self {
        self.store = Some(store);
        self
    }

    /// The `User-Agent` of every request.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long a connection may take to open (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a response may stay silent, between any two reads (default 120 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Parts of a multipart upload sent at once (default 4, at least 1).
    pub fn parallel_parts(mut self, parts: usize) -> Self {
        self.transfers.parallel_parts = parts.max(1);
        self
    }

    /// Tries per transfer before a transient failure is final (default 3, at least 1).
    pub fn transfer_attempts(mut self, attempts: u32) -> Self {
        self.transfers.attempts = attempts.max(1);
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client> {
        let endpoint = self.endpoint.trim_end_matches('/').to_owned();
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(Error::InvalidInput(format!("{endpoint:?} is not an http(s) URL")));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::InvalidInput(format!("HTTP client: {e}")))?;
        let session = match &self.store {
            Some(store) => store.load(&endpoint)?,
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                provider: self.provider,
                store: self.store,
                session: Mutex::new(session),
                refreshing: tokio::sync::Mutex::new(()),
                transfers: self.transfers,
            }),
        })
    }
}

/// A client of one fileshare API endpoint. Cheap to clone (clones share the session), and safe to
/// use from many tasks at once.
///
/// ```no_run
/// # async fn demo() -> fileshare_client::Result<()> {
/// use fileshare_client::{Client, Scope, UploadOptions, UploadSource};
///
/// let client = Client::new("http://127.0.0.1:8080")?;
/// client.log_in("alice", "correct-Horse-battery-9").await?;
/// let file = client.upload(UploadSource::path("report.pdf"), &UploadOptions::default()).await?;
/// client.share(&file.file_id, &"bob".into(), None).await?;
/// for file in client.list_all(Scope::Owned).await? {
///     println!("{} {}", file.file_id, file.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    endpoint: String,
    provider: Provider,
    store: Option<SessionStore>,
    session: Mutex<Option<Session>>,
    /// Held while refreshing, so that concurrent calls refresh once: a refresh token of the
    /// built-in provider is spent by its use.
    refreshing: tokio::sync::Mutex<()>,
    transfers: TransferSettings,
}

impl Client {
    /// A builder for `endpoint`, the API's base URL.
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            endpoint: endpoint.into(),
            provider: Provider::Local,
            store: None,
            user_agent: concat!("fileshare-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(120),
            transfers: TransferSettings { parallel_parts: 4, attempts: 3 },
        }
    }

    /// A client of `endpoint` with the built-in identity provider and an in-memory session.
    pub fn new(endpoint: impl Into<String>) -> Result<Self> {
        Self::builder(endpoint).build()
    }

    /// The client the environment describes, as the CLI reads it ([`env`]): the endpoint, the
    /// session store (so a `fileshare login` is this client's login too) and Cognito, if named.
    pub fn from_env() -> Result<Self> {
        Self::builder_from_env()?.build()
    }

    /// [`Client::from_env`]'s builder, to adjust before building.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let store = SessionStore::new(var(env::CONFIG_DIR).map(PathBuf::from))?;
        let provider = match var(env::COGNITO_CLIENT_ID) {
            Some(client_id) => Provider::cognito(
                client_id,
                &var(env::COGNITO_REGION).unwrap_or_else(|| DEFAULT_COGNITO_REGION.to_owned()),
                var(env::COGNITO_ENDPOINT),
            ),
            None => Provider::Local,
        };
        let endpoint = var(env::ENDPOINT).unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
        Ok(Self::builder(endpoint).provider(provider).session_store(store))
    }

    /// The API's base URL.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// Who is logged in, if anyone.
    pub fn session(&self) -> Option<SessionInfo> {
        self.current().as_ref().map(SessionInfo::from)
    }

    /// Creates an account with the configured identity provider.
    pub async fn sign_up(&self, username: &str, password: &str) -> Result<SignUp> {
        let created = self.identity().sign_up(&self.inner.provider, username, password).await?;
        Ok(created.map_or(SignUp::ConfirmationNeeded, |user_id| SignUp::Created { user_id }))
    }

    /// Confirms a Cognito account with the code its owner was sent.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<()> {
        self.identity().confirm(&self.inner.provider, username, code).await
    }

    /// Logs in, replacing any session; keeps the session in the store, if there is one (if the
    /// store cannot be written, the error says so, and this client is logged in all the same).
    pub async fn log_in(&self, username: &str, password: &str) -> Result<SessionInfo> {
        // Not while a refresh is under way: it would replace this session with the one before.
        let _no_refresh = self.inner.refreshing.lock().await;
        let session = self.identity().log_in(self.inner.provider.clone(), username, password).await?;
        let info = SessionInfo::from(&session);
        self.keep(session)?;
        Ok(info)
    }

    /// Logs out: forgets the session here first (whatever the provider then says, this client
    /// is logged out), then revokes its refresh token. Returns whether there was a session.
    pub async fn log_out(&self) -> Result<bool> {
        // Not while a refresh is under way: it would keep its new session after this one is gone.
        let _no_refresh = self.inner.refreshing.lock().await;
        let Some(session) = self.lock().take() else { return Ok(false) };
        if let Some(store) = &self.inner.store {
            store.remove(&self.inner.endpoint)?;
        }
        self.identity().log_out(&session).await?;
        Ok(true)
    }

    /// A valid access token, for calling the API with another HTTP client.
    pub async fn access_token(&self) -> Result<String> {
        self.token().await
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    pub(crate) fn transfers(&self) -> TransferSettings {
        self.inner.transfers
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.endpoint)
    }

    fn identity(&self) -> Identity<'_> {
        Identity { http: &self.inner.http, endpoint: &self.inner.endpoint }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        // A panic elsewhere while holding the lock leaves a whole session behind: still usable.
        self.inner.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> Option<Session> {
        self.lock().clone()
    }

    fn logged_in(&self) -> Result<Session> {
        self.current().ok_or_else(|| Error::NotLoggedIn { endpoint: self.inner.endpoint.clone() })
    }

    /// Keeps `session` in memory, then in the store. Memory first: once the provider has issued
    /// it, it is the only session that works (the refresh token before it may be spent), so a
    /// store that cannot be written must not lose it.
    fn keep(&self, session: Session) -> Result<()> {
        *self.lock() = Some(session.clone());
        if let Some(store) = &self.inner.store {
            store.save(&self.inner.endpoint, &session)?;
        }
        Ok(())
    }

    async fn token(&self) -> Result<String> {
        let session = self.logged_in()?;
        if session.expires_within(REFRESH_MARGIN_SECS) {
            return self.refreshed(None).await;
        }
        Ok(session.access_token)
    }

    /// A refreshed access token. `stale`: the token the API just refused, if that is why — a
    /// concurrent call may have replaced it already, and then that one is the answer.
    ///
    /// The refresh runs in a task of its own, so that a caller that gives up (a timeout, Ctrl-C,
    /// a cancelled task) cannot stop it between the provider's answer and keeping the session:
    /// the refresh token it presented may be spent by then, and the new one would be lost.
    async fn refreshed(&self, stale: Option<&str>) -> Result<String> {
        let client = self.clone();
        let stale = stale.map(str::to_owned);
        match tokio::spawn(async move { client.refresh_now(stale.as_deref()).await }).await {
            Ok(token) => token,
            Err(stopped) if stopped.is_panic() => std::panic::resume_unwind(stopped.into_panic()),
            Err(_) => {
                Err(Error::Network { url: self.inner.endpoint.clone(), reason: "the runtime is shutting down".into() })
            }
        }
    }

    async fn refresh_now(&self, stale: Option<&str>) -> Result<String> {
        let _one_at_a_time = self.inner.refreshing.lock().await;
        let mut current = self.logged_in()?;
        // Another process sharing the store (the CLI, another program) may have refreshed first:
        // its session is newer than ours, and ours is spent — presenting a spent refresh token to
        // the built-in provider revokes the whole login. An older one stored (a write that lost a
        // race) is left alone: it is the spent one.
        let stored = self.inner.store.as_ref().map(|store| store.load(&self.inner.endpoint)).transpose()?.flatten();
        if let Some(stored) = stored.filter(|s| {
            s.user_id == current.user_id
                && s.refresh_token != current.refresh_token
                && s.expires_at > current.expires_at
        }) {
            *self.lock() = Some(stored.clone());
            current = stored;
        }
        if !current.expires_within(REFRESH_MARGIN_SECS) && stale.is_none_or(|stale| current.access_token != stale) {
            return Ok(current.access_token);
        }
        let session = self.identity().refresh(&current).await?;
        let token = session.access_token.clone();
        self.keep(session)?;
        Ok(token)
    }

    /// Sends the request `build` makes with a bearer token; once more with a refreshed token if
    /// the API answers 401 (a token revoked, or expired early by clock skew); and again, after a
    /// growing pause, while a gateway throttles it ([`crate::gateway`]).
    async fn send(&self, method: Method, url: &str, build: impl Fn(&str) -> RequestBuilder) -> Result<Response> {
        let mut token = self.token().await?;
        let (mut refreshed, mut retries) = (false, 0);
        loop {
            let response = build(&token).send().await.map_err(|e| Error::network(url, &e))?;
            if response.status() == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                token = self.refreshed(Some(&token)).await?;
                continue;
            }
            if let Some(pause) = crate::gateway::pause_before_retry(&response, &method, retries) {
                retries += 1;
                tokio::time::sleep(pause).await;
                continue;
            }
            return Ok(response);
        }
    }

    /// Sends a request that needs no account (a share link's), again after a growing pause while
    /// a gateway throttles it.
    pub(crate) async fn send_anonymous(&self, method: Method, url: &str, body: Option<&[u8]>) -> Result<Response> {
        let mut retries = 0;
        loop {
            let mut request = self.inner.http.request(method.clone(), url);
            if let Some(body) = body {
                request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_vec());
            }
            let response = request.send().await.map_err(|e| Error::network(url, &e))?;
            match crate::gateway::pause_before_retry(&response, &method, retries) {
                Some(pause) => {
                    retries += 1;
                    tokio::time::sleep(pause).await;
                }
                None => return Ok(response),
            }
        }
    }

    fn request(&self, method: Method, url: &str, token: &str) -> RequestBuilder {
        self.inner.http.request(method, url).bearer_auth(token)
    }

    /// `GET path?query` → JSON.
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str, query: &(impl Serialize + ?Sized)) -> Result<T> {
        let url = self.url(path);
        let response =
            self.send(Method::GET, &url, |token| self.request(Method::GET, &url, token).query(query)).await?;
        http::json(response, &url).await
    }

    /// `POST path` with a JSON body → JSON.
    pub(crate) async fn post<T: DeserializeOwned>(&self, path: &str, body: &(impl Serialize + ?Sized)) -> Result<T> {
        let url = self.url(path);
        let response =
            self.send(Method::POST, &url, |token| self.request(Method::POST, &url, token).json(body)).await?;
        http::json(response, &url).await
    }

    /// `DELETE path`.
    pub(crate) async fn delete(&self, path: &str) -> Result<()> {
        let url = self.url(path);
        let response = self.send(Method::DELETE, &url, |token| self.request(Method::DELETE, &url, token)).await?;
        http::empty(response, &url).await
    }
}
