//! Who the caller is (`/me`, any identity provider), and the built-in identity provider's routes
//! (local mode): sign-up, login, refresh, JWKS.

use super::dto::{CredentialsBody, MeResponse, RefreshBody, SignupResponse};
use super::extract::ApiJson;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::idp::{LocalIdentityProvider, Tokens};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use std::net::SocketAddr;
use std::sync::Arc;

/// The client's address, when the server knows it (not behind API Gateway).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

fn provider(state: &AppState) -> ApiResult<&Arc<LocalIdentityProvider>> {
    state.identity.as_ref().ok_or(ApiError::NoRoute)
}

/// Counts an attempt against the client address's allowance.
fn throttle_address(state: &AppState, addr: &ClientAddr) -> ApiResult<()> {
    match addr.0 {
        Some(ip) => state.address_limiter.check(&ip.to_string()).map_err(ApiError::TooManyRequests),
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
    throttle_address(&state, &addr)?;
    let user_id = idp.sign_up(&body.username, &body.password).await?;
    Ok((StatusCode::CREATED, Json(SignupResponse { user_id, username: body.username })))
}

/// Log in: tokens for a username and password. Attempts are limited per username and per address.
#[utoipa::path(post, path = "/auth/login", request_body = CredentialsBody, tag = "auth",
    responses((status = 200, body = Tokens), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn log_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(body): ApiJson<CredentialsBody>,
) -> ApiResult<Json<Tokens>> {
    let idp = provider(&state)?;
    throttle_address(&state, &addr)?;
    state.login_limiter.check(&body.username.to_lowercase()).map_err(ApiError::TooManyRequests)?;
    Ok(Json(idp.log_in(&body.username, &body.password).await?))
}

/// New tokens for a refresh token.
#[utoipa::path(post, path = "/auth/refresh", request_body = RefreshBody, tag = "auth",
    responses((status = 200, body = Tokens), (status = 401, body = Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Json<Tokens>> {
    let idp = provider(&state)?;
    throttle_address(&state, &addr)?;
    Ok(Json(idp.refresh(&body.refresh_token).await?))
}

/// The public keys that sign local tokens.
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "auth", responses((status = 200, description = "JWKS")))]
pub async fn jwks(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let idp = provider(&state)?;
    Ok(Json(serde_json::to_value(idp.jwks()).map_err(|e| ApiError::BadRequest(e.to_string()))?))
}

/// The caller's user id: checks a token and tells clients (`fileshare whoami`) who they are.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)))]
pub async fn me(caller: Caller) -> Json<MeResponse> {
    Json(MeResponse { user_id: caller.user.to_string() })
}
