//! `/files`: upload, complete, list, get, download URL, share, list shares, unshare, delete.
//! Every handler authenticates with [`Caller`] and hands the decision to `FileShare`.

use super::caching::{entity_tag, NO_STORE};
use super::extract::{ApiJson, ApiQuery, OptionalJson};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::metrics;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use fileshare_api::*;
use fileshare_core::store::CompletedPart;
use fileshare_core::{FileId, ListRequest, UserId};
use std::collections::HashMap;
use std::time::Duration;

fn file_id(raw: &str) -> ApiResult<FileId> {
    Ok(raw.parse()?)
}

/// Request an upload: `PUT` the file to `upload.url` with `upload.headers` (or each part to its
/// URL). Storage stores a file's bytes once: a second upload is refused with 412. The file's size
/// counts against the caller's quota from now on (`GET /me`); one that does not fit is refused
/// with 403 `quota-exceeded`, which carries the usage, the quota and the size.
#[utoipa::path(post, path = "/files/upload-url", request_body = UploadBody, tag = "files",
    responses((status = 201, body = UploadResponse), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem, description = "Over quota (`quota-exceeded`, with `QuotaFigures`)"),
              (status = 413, body = Problem), (status = 415, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_upload(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<UploadBody>,
) -> ApiResult<(StatusCode, Json<UploadResponse>)> {
    let ticket = state.service.create_upload(&caller.user, body.into()).await?;
    Ok((StatusCode::CREATED, Json(ticket.into())))
}

/// Confirm an upload: the bytes must be there, with the declared size. A multipart upload lists
/// every part of its plan (up to 10 000; the body may be up to 2 MiB).
#[utoipa::path(post, path = "/files/{id}/complete", request_body(content = CompleteBody, description = "optional"), tag = "files",
    params(("id" = String, Path)),
    responses((status = 200, body = FileView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn complete_upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(body): OptionalJson<CompleteBody>,
) -> ApiResult<Json<FileView>> {
    let id = file_id(&id)?;
    let parts: Vec<CompletedPart> =
        body.parts.into_iter().map(|p| CompletedPart { part_number: p.part_number, etag: p.etag }).collect();
    let file = state.service.complete_upload(&caller.user, &id, &parts).await?;
    metrics::upload_completed(file.size);
    Ok(Json(FileView::owned(file)))
}

/// List files: owned, shared with me, or all, newest first.
#[utoipa::path(get, path = "/files", params(ListParams), tag = "files",
    responses((status = 200, body = ListResponse), (status = 304, description = "unchanged since the `ETag` sent in `If-None-Match`"),
              (status = 400, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_files(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Response> {
    let json = |body: Bytes, etag: HeaderValue| {
        ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json")), (header::ETAG, etag)], body)
            .into_response()
    };
    // The caller was verified and rationed above; a kept answer only spares the query.
    let ticket = match state.listings.as_deref().map(|c| c.get(&caller.user, query.as_deref().unwrap_or(""))) {
        Some(Ok(kept)) => return Ok(json(kept.body, kept.etag)),
        Some(Err(ticket)) => Some(ticket),
        None => None,
    };
    let scope = params.scope.unwrap_or_default().into();
    let page = state
        .service
        .list_files(&caller.user, ListRequest { scope, limit: params.limit, cursor: params.cursor })
        .await?;
    // A grantee's entry vanishes at its share's expiry, with no write to say so.
    let valid_until = page
        .items
        .iter()
        .filter_map(|entry| match &entry.access {
            fileshare_core::Access::Grantee { share } => share.expires_at,
            fileshare_core::Access::Owner => None,
        })
        .min();
    let mut response = ListResponse::from(page);
    name_users(&state, &mut response.files).await;
    // Our own types always serialise; were one not to, it is a bug: a bare 500, made a problem
    // document by the router's layers.
    let Ok(body) = serde_json::to_vec(&response) else { return Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response()) };
    let etag = entity_tag(&body);
    let body = Bytes::from(body);
    if let (Some(cache), Some(ticket)) = (&state.listings, ticket) {
        cache.keep(ticket, body.clone(), etag.clone(), valid_until);
    }
    Ok(json(body, etag))
}

/// A file's metadata (the owner also sees its shares).
#[utoipa::path(get, path = "/files/{id}", params(("id" = String, Path)), tag = "files",
    responses((status = 200, body = FileView), (status = 304, description = "unchanged since the `ETag` sent in `If-None-Match`"),
              (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn get_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<FileView>> {
    let details = state.service.get_file(&caller.user, &file_id(&id)?).await?;
    let mut view = [FileView::from(details)];
    name_users(&state, &mut view).await;
    let [view] = view;
    Ok(Json(view))
}

/// A short-lived download URL.
///
/// The owner's lives as long as asked (up to 7 days). A grantee's lives at most 5 minutes
/// (`FILESHARE_GRANTEE_LINK_TTL`) and never past their share's expiry, whatever they ask; the answer's
/// `expires_at` says when it ends. On the embedded default every download is checked against the
/// rules again, so unsharing or deleting ends it at once. On S3 links are stateless: a revoked
/// grantee keeps at most the link they already hold, for at most those 5 minutes.
#[utoipa::path(get, path = "/files/{id}/download-url", params(("id" = String, Path), DownloadParams), tag = "files",
    responses((status = 200, body = DownloadResponse), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn download_url(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<DownloadParams>,
) -> ApiResult<impl IntoResponse> {
    let ttl = params.expires_in.map(Duration::from_secs);
    let url = state.service.download_url(&caller.user, &file_id(&id)?, ttl).await?;
    // A fresh credential each time: never kept, never revalidated.
    Ok(([(header::CACHE_CONTROL, NO_STORE)], Json(DownloadResponse::from(url))))
}

/// Share a file (owner only), with a user named by id or by name (`{"user": "bob"}`). Sharing
/// again updates the expiry.
#[utoipa::path(post, path = "/files/{id}/share", params(("id" = String, Path)), request_body = ShareBody, tag = "files",
    responses((status = 200, body = ShareView), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem, description = "no such file, or (type `unknown-user`) no such user"),
              (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn share(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ShareBody>,
) -> ApiResult<Json<ShareView>> {
    let id = file_id(&id)?;
    let grantee = match (body.user_id, body.user) {
        (Some(user_id), None) => UserId::new(user_id)?,
        (None, Some(name)) => {
            let directory = state
                .directory
                .as_ref()
                .ok_or_else(|| ApiError::BadRequest("this service finds no users by name; share by user_id".into()))?;
            // Only the owner learns whether a name exists: the file's rules are asked first.
            state.service.authorize_owner(&caller.user, &id).await?;
            directory.resolve(&name).await?.ok_or(ApiError::UnknownUser(name))?
        }
        _ => return Err(ApiError::BadRequest("give exactly one of user_id and user".into())),
    };
    let share = state.service.share(&caller.user, &id, &grantee, body.expires_at).await?;
    let mut view = ShareView::from(share);
    view.username = names(&state, [grantee]).await.into_values().next();
    Ok(Json(view))
}

/// Who a file is shared with, a page at a time in user id order (owner only): each page costs
/// the same however many people it is shared with. The first page is also in the file's view.
#[utoipa::path(get, path = "/files/{id}/shares", params(("id" = String, Path), SharesParams), tag = "files",
    responses((status = 200, body = SharesResponse), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn list_shares(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SharesParams>,
) -> ApiResult<Json<SharesResponse>> {
    let page = state.service.list_shares(&caller.user, &file_id(&id)?, params.cursor.as_deref(), params.limit).await?;
    let mut response = SharesResponse::from(page);
    let found = names(&state, response.shares.iter().filter_map(|s| UserId::new(&s.user_id).ok())).await;
    for share in &mut response.shares {
        share.username = UserId::new(&share.user_id).ok().and_then(|id| found.get(&id).cloned());
    }
    Ok(Json(response))
}

/// Display names of `ids`, where a directory knows them (see `NamesCache::shown`).
pub(super) async fn names(state: &AppState, ids: impl IntoIterator<Item = UserId>) -> HashMap<UserId, String> {
    match &state.directory {
        Some(directory) => directory.shown(ids).await,
        None => HashMap::new(),
    }
}

/// Fills in the usernames of `views`' owners and grantees.
async fn name_users(state: &AppState, views: &mut [FileView]) {
    let ids = views.iter().flat_map(|v| {
        let grantees = v.shared_with.iter().flatten().map(|s| s.user_id.as_str());
        std::iter::once(v.owner.as_str()).chain(grantees).filter_map(|id| UserId::new(id).ok()).collect::<Vec<_>>()
    });
    let found = names(state, ids.collect::<Vec<_>>()).await;
    let name = |id: &str| UserId::new(id).ok().and_then(|id| found.get(&id).cloned());
    for view in views {
        view.owner_name = name(&view.owner);
        for share in view.shared_with.iter_mut().flatten() {
            share.username = name(&share.user_id);
        }
    }
}

/// Revoke a share (owner only).
#[utoipa::path(delete, path = "/files/{id}/share/{user_id}", params(("id" = String, Path), ("user_id" = String, Path)), tag = "files",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn unshare(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.unshare(&caller.user, &file_id(&id)?, &UserId::new(user_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a file, its shares and its bytes (owner only).
#[utoipa::path(delete, path = "/files/{id}", params(("id" = String, Path)), tag = "files",
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.service.delete(&caller.user, &file_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
