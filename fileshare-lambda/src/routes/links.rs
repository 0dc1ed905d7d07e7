//! Share links. The owner's routes (`/files/{id}/links[/{link_id}]`) authenticate
//! like every file route; the holder's routes (`GET /links/{token}`, `POST /links/{token}/redeem`,
//! `GET /l/{token}`) need no account — holding the token is the permission — and are rationed per
//! client address instead (on AWS by API Gateway's throttling of those routes).
//!
//! Every link that does not hand out downloads now (unknown, revoked, expired, used up, its file
//! deleted) answers the same 404, so links cannot be probed.

use super::caching::NO_STORE;
use super::extract::{ApiJson, OptionalJson};
use super::identity::{throttle_address, ClientAddr};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use fileshare_api::*;
use fileshare_core::{FileId, LinkId, LinkToken};

fn token(raw: &str) -> ApiResult<LinkToken> {
    // A malformed token is just another link that does not exist: the same 404, no hint.
    raw.parse::<LinkToken>().map_err(|_| ApiError::Core(fileshare_core::Error::not_found("link", raw_id(raw))))
}

/// What a dead link's 404 names: the id part of what was sent, as for any unknown link.
fn raw_id(raw: &str) -> &str {
    raw.split_once('.').map_or(raw, |(id, _)| id)
}

/// Where the service is reached: configured, or (behind API Gateway, which sets `Host` to the
/// domain the client called) `https://{Host}`.
fn public_base(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    if let Some(url) = &state.public_url {
        return Ok(url.to_string());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| !h.is_empty());
    let host = host.ok_or_else(|| ApiError::BadRequest("the request has no Host header".into()))?;
    Ok(format!("https://{host}"))
}

/// Create a share link of a file (owner only). The answer is the only one that shows its token.
#[utoipa::path(post, path = "/files/{id}/links", params(("id" = String, Path)), request_body = LinkBody, tag = "links",
    responses((status = 201, body = CreatedLinkResponse), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_link(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LinkBody>,
) -> ApiResult<impl IntoResponse> {
    let id: FileId = id.parse()?;
    let created = state.service.create_link(&caller.user, &id, body.into()).await?;
    let token = created.token.reveal();
    let url = format!("{}/l/{token}", public_base(&state, &headers)?);
    let response = CreatedLinkResponse { link: created.link.into(), token, url };
    // The token is a credential: never kept by a cache.
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, NO_STORE)], Json(response)))
}

/// A file's links, oldest first (owner only).
#[utoipa::path(get, path = "/files/{id}/links", params(("id" = String, Path)), tag = "links",
    responses((status = 200, body = LinksResponse), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_links(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LinksResponse>> {
    let links = state.service.list_links(&caller.user, &id.parse()?).await?;
    Ok(Json(LinksResponse { links: links.into_iter().map(LinkView::from).collect() }))
}

/// Revoke a link (owner only): no redemption succeeds after this answers.
#[utoipa::path(delete, path = "/files/{id}/links/{link_id}", params(("id" = String, Path), ("link_id" = String, Path)), tag = "links",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn revoke_link(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, link_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, link): (FileId, LinkId) = (id.parse()?, link_id.parse()?);
    if link.file_id() != id {
        return Err(fileshare_core::Error::not_found("link", link).into());
    }
    state.service.revoke_link(&caller.user, &link).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a link hands out: the file's name, size and type, the link's expiry, whether it needs a
/// password. No account needed.
#[utoipa::path(get, path = "/links/{token}", params(("token" = String, Path)), tag = "links",
    responses((status = 200, body = LinkInfoResponse), (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn link_info(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(raw): Path<String>,
) -> ApiResult<impl IntoResponse> {
    throttle_address(&state.public_limiter, &addr)?;
    let info = state.service.link_info(&token(&raw)?).await?;
    Ok(([(header::CACHE_CONTROL, NO_STORE)], Json(LinkInfoResponse::from(info))))
}

/// Redeem a link for a short-lived download URL, counting one download. A password goes in the
/// body. No account needed.
#[utoipa::path(post, path = "/links/{token}/redeem", params(("token" = String, Path)),
    request_body(content = RedeemBody, description = "optional"), tag = "links",
    responses((status = 200, body = DownloadResponse), (status = 403, body = Problem, description = "missing or wrong password"),
              (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn redeem_link(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(raw): Path<String>,
    OptionalJson(body): OptionalJson<RedeemBody>,
) -> ApiResult<impl IntoResponse> {
    throttle_address(&state.public_limiter, &addr)?;
    let url = state.service.redeem_link(&token(&raw)?, body.password.as_deref()).await?;
    Ok(([(header::CACHE_CONTROL, NO_STORE)], Json(DownloadResponse::from(url))))
}

/// The link to hand out. A browser gets the link's page (name, size, password prompt, download
/// button); anything else — `curl -L`, `wget` — is redirected to the file itself, for a link with
/// no password (a redirect counts a download). A `HEAD` (link checkers, some previewers) counts
/// nothing: it only says whether the link is live.
#[utoipa::path(get, path = "/l/{token}", params(("token" = String, Path)), tag = "links",
    responses((status = 200, description = "the link's page, for a browser", content_type = "text/html"),
              (status = 303, description = "the file's download URL"),
              (status = 403, body = Problem, description = "the link needs a password"),
              (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn open_link(
    State(state): State<AppState>,
    addr: ClientAddr,
    Path(raw): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if method == Method::HEAD {
        throttle_address(&state.public_limiter, &addr)?;
        state.service.link_info(&token(&raw)?).await?;
        return Ok(([(header::CACHE_CONTROL, NO_STORE)], StatusCode::OK).into_response());
    }
    let wants_page = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/html")));
    if let (true, Some(page)) = (wants_page, &state.web) {
        return Ok(page.link_page());
    }
    throttle_address(&state.public_limiter, &addr)?;
    let url = state.service.redeem_link(&token(&raw)?, None).await?;
    Ok(([(header::CACHE_CONTROL, NO_STORE)], Redirect::to(&url.url)).into_response())
}
