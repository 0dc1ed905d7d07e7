//! Who the caller is (`/me`, any identity provider), and the built-in identity provider's routes
//! (local mode): sign-up, login, refresh, logout, JWKS.
//!
//! Throttling, the way Cognito backs off: every attempt counts against the client address (it
//! bounds the password hashing one address can make the server do), but against a username only
//! failed logins count — a user who logs in often is never refused, and their allowance refills
//! as it does for everyone. The client address is the connection's peer, or, behind a proxy listed
//! in `FILESHARE_TRUSTED_PROXIES`, the address that proxy puts in `X-Forwarded-For`.

use super::extract::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::idp::LocalIdentityProvider;
use crate::state::AppState;
use crate::throttle::Limiter;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use fileshare_api::{CredentialsBody, MeResponse, Problem, SignupResponse, Tokens};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The client's address, when the server knows it: the connection's peer locally, API Gateway's
/// `sourceIp` on Lambda (each function instance then rations what it sees of an address; API
/// Gateway's route throttling bounds the rest).
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) =
            parts.extensions.get::<lambda_http::request::RequestContext>()
        {
            return Ok(ClientAddr(context.http.source_ip.as_deref().and_then(|ip| ip.parse().ok())));
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientAddr(peer.map(|peer| client_address(peer, forwarded, &state.trusted_proxies))))
    }
}

/// Who sent a request that reached us from `peer`: `peer` itself unless it is a trusted proxy.
/// Then the rightmost `X-Forwarded-For` address that is not a trusted proxy — proxies append, so
/// anything left of that the client may have written itself.
fn client_address<'a>(peer: IpAddr, forwarded: impl Iterator<Item = &'a str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // `ip`, `ip:port` or `[ipv6]:port`; anything else ends the walk: what lies left of a hop we
        // cannot read is not vouched for, so the last address we could trust stands.
        let Some(ip) = hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip())) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

fn provider(state: &AppState) -> ApiResult<&Arc<LocalIdentityProvider>> {
    state.identity.as_ref().ok_or(ApiError::NoRoute)
}

/// The key an address is throttled by: IPv6 clients by their /64, the block one subscriber gets —
/// counting single addresses would give anyone 2^64 allowances.
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => format!("{}/64", std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Counts a request against the client address's allowance in `limiter`.
pub(super) fn throttle_address(limiter: &Limiter, addr: &ClientAddr) -> ApiResult<()> {
    match addr.0 {
        Some(ip) => limiter.check(&address_key(ip)).map_err(ApiError::TooManyRequests),
        None => Ok(()),
    }
}

/// Create an account.
#[utoipa::path(post, path = "/auth/signup", request_body = CredentialsBody, tag = "auth",
    responses((status = 201, body = SignupResponse), (status = 400, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem)))]
pub async fn sign_up(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> ApiResult<(StatusCode, Json<SignupResponse>)> {
    let idp = provider(&state)?;
    throttle_address(&state.address_limiter, &addr)?;
    let user_id = idp.sign_up(&body.username, &body.password).await?;
    Ok((StatusCode::CREATED, Json(SignupResponse { user_id, username: body.username })))
}

/// Log in: tokens for a username and password. Every attempt counts against the client address;
/// only failed ones against the username.
#[utoipa::path(post, path = "/auth/login", request_body = CredentialsBody, tag = "auth",
    responses((status = 200, body = Tokens), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 429, body = Problem)))]
pub async fn log_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> ApiResult<Json<Tokens>> {
    let idp = provider(&state)?;
    throttle_address(&state.address_limiter, &addr)?;
    if !crate::idp::is_valid_username(&body.username) {
        // No account can have this name; nor may it become a limiter key of any length.
        return Err(ApiError::Unauthorized("wrong username or password".into()));
    }
    let username = body.username.to_lowercase();
    // Taken before the password is checked, so concurrent guesses cannot all pass on one token;
    // given back if the password was right.
    state.login_limiter.check(&username).map_err(ApiError::TooManyRequests)?;
    let result = idp.log_in(&body.username, &body.password).await;
    if result.is_ok() {
        state.login_limiter.refund(&username);
    }
    Ok(Json(result?))
}

/// The public keys that sign local tokens.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", responses((status = 200, description = "JWKS")))]
pub async fn jwks(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let idp = provider(&state)?;
    let jwks = serde_json::to_value(idp.jwks()).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    // Keys change only with a new key file; verifiers refetch on an unknown `kid` anyway.
    Ok(([(header::CACHE_CONTROL, super::caching::PUBLIC_SHORT)], Json(jwks)))
}

/// Who the caller is, what they store and what they may store: checks a token and tells clients
/// (`fileshare whoami`, the web page's usage bar) who they are.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 304, description = "unchanged since the `ETag` sent in `If-None-Match`"),
              (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<MeResponse>> {
    // A directory that fails (throttled, say) leaves the name out: it never fails the answer.
    let username = super::files::names(&state, [caller.user.clone()]).await.into_values().next();
    let report = state.service.usage(&caller.user).await?;
    Ok(Json(MeResponse {
        user_id: caller.user.to_string(),
        username,
        usage: report.usage.into(),
        quota: report.quota.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::{address_key, client_address};
    use std::net::IpAddr;

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let key = |s: &str| address_key(s.parse().expect("ip"));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let trusted = ["10.0.0.0/8".parse().expect("net")];
        let spoofed = ["6.6.6.6, 1.2.3.4"];
        assert_eq!(client_address(ip("8.8.8.8"), spoofed.into_iter(), &trusted), ip("8.8.8.8"), "untrusted peer");
        assert_eq!(client_address(ip("10.0.0.2"), spoofed.into_iter(), &trusted), ip("1.2.3.4"), "rightmost hop");
        let chain = ["6.6.6.6, 1.2.3.4, 10.0.0.9"];
        assert_eq!(client_address(ip("10.0.0.2"), chain.into_iter(), &trusted), ip("1.2.3.4"), "past our proxies");
        let ported = ["6.6.6.6, 1.2.3.4:5678"];
        assert_eq!(client_address(ip("10.0.0.2"), ported.into_iter(), &trusted), ip("1.2.3.4"), "with a port");
        let garbled = ["6.6.6.6, unknown"];
        assert_eq!(client_address(ip("10.0.0.2"), garbled.into_iter(), &trusted), ip("10.0.0.2"), "unreadable hop");
        assert_eq!(client_address(ip("10.0.0.2"), std::iter::empty(), &trusted), ip("10.0.0.2"), "no header");
        assert_eq!(client_address(ip("10.0.0.2"), spoofed.into_iter(), &[]), ip("10.0.0.2"), "nothing trusted");
    }
}
