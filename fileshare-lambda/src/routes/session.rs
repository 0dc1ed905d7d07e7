//! Sessions: refreshing and revoking, for clients that hold their refresh token (the CLI sends it in
//! the body) and for the web page, whose refresh token the API keeps in a cookie the page's scripts
//! cannot read (`HttpOnly`), sent only to `/auth` on this site (`SameSite=Strict`, `Path=/auth`).
//!
//! Tokens come from the built-in identity provider or, on AWS, from Cognito, which the API asks on
//! the page's behalf ([`CognitoTokens`]). Either way a page's access token lives in its memory
//! only, for minutes; a reload or an expiry costs one `POST /auth/refresh`.

use super::dto::{RefreshBody, SessionBody};
use super::extract::ApiJson;
use super::identity::{throttle_address, ClientAddr};
use crate::error::{ApiError, ApiResult, Problem};
use crate::idp::cognito::{CognitoTokens, SessionTokens};
use crate::idp::{LocalIdentityProvider, Tokens, REFRESH_TTL_SECS};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cookie::{Cookie, SameSite};

/// The session cookie: the refresh token.
const COOKIE: &str = "fileshare_session";
/// The longest refresh token accepted into the cookie (Cognito's are JWEs of about 1.8 KB).
const MAX_TOKEN_LEN: usize = 3072;

/// Who refreshes and revokes tokens.
enum Issuer<'a> {
    Local(&'a LocalIdentityProvider),
    Cognito(&'a CognitoTokens),
}

fn issuer(state: &AppState) -> ApiResult<Issuer<'_>> {
    match (&state.identity, &state.cognito) {
        (Some(idp), _) => Ok(Issuer::Local(idp)),
        (None, Some(cognito)) => Ok(Issuer::Cognito(cognito)),
        (None, None) => Err(ApiError::NoRoute),
    }
}

/// The session cookie's refresh token, if the request carries one.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
}

/// `Set-Cookie` for `token` (or, with `None`, removing the cookie).
fn set_cookie(state: &AppState, token: Option<&str>) -> HeaderValue {
    let secure = state.web.as_ref().is_none_or(|page| page.secure_cookies);
    let mut cookie = Cookie::build((COOKIE, token.unwrap_or_default().to_owned()))
        .path("/auth")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(if token.is_some() { REFRESH_TTL_SECS } else { 0 }))
        .build();
    if token.is_none() {
        cookie.make_removal();
    }
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static("fileshare_session=; Max-Age=0"))
}

fn is_token_shaped(token: &str) -> bool {
    (1..=MAX_TOKEN_LEN).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Start the page's session: keeps the refresh token from its login in an `HttpOnly` cookie.
#[utoipa::path(post, path = "/auth/session", request_body = SessionBody, tag = "auth",
    responses((status = 204, description = "the session cookie is set"), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn start(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(body): ApiJson<SessionBody>,
) -> ApiResult<Response> {
    if state.web.is_none() {
        return Err(ApiError::NoRoute); // no page here: nobody needs a cookie
    }
    throttle_address(&state.address_limiter, &addr)?;
    if !is_token_shaped(&body.refresh_token) {
        return Err(ApiError::BadRequest("refresh_token: not a refresh token".into()));
    }
    let cookie = set_cookie(&state, Some(&body.refresh_token));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// New tokens. With `refresh_token` in the body: for that token (the built-in provider spends it:
/// the answer carries the next one). Without: for the page's session cookie — the answer carries
/// only the short-lived tokens, and the cookie the next refresh token.
#[utoipa::path(post, path = "/auth/refresh", request_body = RefreshBody, tag = "auth",
    responses((status = 200, body = SessionTokens, description = "new tokens; with `refresh_token` too when one was sent in the body"),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 429, body = Problem)))]
pub async fn refresh(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Response> {
    let issuer = issuer(&state)?;
    throttle_address(&state.address_limiter, &addr)?;
    if let Some(token) = body.refresh_token {
        return Ok(match issuer {
            Issuer::Local(idp) => Json(idp.refresh(&token).await?).into_response(),
            Issuer::Cognito(cognito) => Json(cognito.refresh(&token).await?).into_response(),
        });
    }
    let Some(token) = session_token(&headers) else {
        return Err(ApiError::Unauthorized("no session; log in".into()));
    };
    let refreshed = match issuer {
        Issuer::Local(idp) => idp.refresh(&token).await.map(|tokens| {
            let cookie = set_cookie(&state, Some(&tokens.refresh_token));
            (Some(cookie), short_lived(tokens))
        }),
        Issuer::Cognito(cognito) => cognito.refresh(&token).await.map(|tokens| (None, tokens)),
    };
    match refreshed {
        Ok((cookie, tokens)) => {
            let mut response = Json(tokens).into_response();
            if let Some(cookie) = cookie {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        // A dead session's cookie goes too.
        Err(e @ ApiError::Unauthorized(_)) => {
            let mut response = e.into_response();
            response.headers_mut().insert(header::SET_COOKIE, set_cookie(&state, None));
            Ok(response)
        }
        Err(e) => Err(e),
    }
}

fn short_lived(tokens: Tokens) -> SessionTokens {
    SessionTokens {
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        expires_in: tokens.expires_in,
        token_type: tokens.token_type,
    }
}

/// Log out: revokes the refresh token (the body's, or the session cookie's, which goes too) and the
/// tokens it was refreshed into.
#[utoipa::path(post, path = "/auth/logout", request_body = RefreshBody, tag = "auth",
    responses((status = 204, description = "revoked (or unknown already)"), (status = 400, body = Problem),
              (status = 429, body = Problem)))]
pub async fn log_out(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshBody>,
) -> ApiResult<Response> {
    let issuer = issuer(&state)?;
    throttle_address(&state.address_limiter, &addr)?;
    if let Some(token) = body.refresh_token.or_else(|| session_token(&headers)) {
        match issuer {
            Issuer::Local(idp) => idp.log_out(&token).await?,
            Issuer::Cognito(cognito) => match cognito.revoke(&token).await {
                // Unknown or revoked already: logged out either way.
                Ok(()) | Err(ApiError::Unauthorized(_)) => {}
                Err(e) => return Err(e),
            },
        }
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, set_cookie(&state, None))]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_token_shaped_values_enter_the_cookie() {
        assert!(is_token_shaped("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.abc-_DEF"));
        for bad in ["", "a b", "a;b", "a\r\nSet-Cookie: x", &"a".repeat(MAX_TOKEN_LEN + 1)] {
            assert!(!is_token_shaped(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; fileshare_session=tok.en; b=2"));
        assert_eq!(session_token(&headers).as_deref(), Some("tok.en"));
        assert_eq!(session_token(&HeaderMap::new()), None);
    }
}
