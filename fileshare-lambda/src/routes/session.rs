//! Sessions: refreshing and revoking, for clients that hold their refresh token (the CLI sends it in
//! the body, with the built-in provider) and for the web page, whose refresh token the API keeps in
//! a cookie the page's scripts cannot read (`HttpOnly`), sent only to this site
//! (`SameSite=Strict`), and only by this host (`__Host-`, on HTTPS).
//!
//! Tokens come from the built-in identity provider or, on AWS, from Cognito, which the API asks on
//! the page's behalf ([`CognitoTokens`]). Either way a page's access token lives in its memory
//! only, for minutes; a reload or an expiry costs one `POST /auth/refresh`.

use super::extract::ApiJson;
use super::identity::{throttle_address, ClientAddr};
use crate::error::{ApiError, ApiResult};
use crate::idp::cognito::CognitoTokens;
use crate::idp::{LocalIdentityProvider, REFRESH_TTL_SECS};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cookie::{Cookie, SameSite};
use fileshare_api::{Problem, RefreshBody, SessionBody, SessionTokens, Tokens};

/// The session cookie: the refresh token. On HTTPS a `__Host-` cookie: only this exact host may
/// set it (with `Path=/` and `Secure`), so a sibling subdomain cannot plant one beside it.
const SECURE_COOKIE: &str = "__Host-fileshare_session";
/// Its name on a plain-HTTP local server, where `__Host-` (which needs `Secure`) cannot be had.
const LOCAL_COOKIE: &str = "fileshare_session";
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

fn secure(state: &AppState) -> bool {
    state.web.as_ref().is_none_or(|page| page.secure_cookies)
}

/// The session cookie's refresh token, if the request carries exactly one. Two of that name (one
/// planted beside the real one) are no session at all.
fn session_token(secure: bool, headers: &HeaderMap) -> Option<String> {
    let name = if secure { SECURE_COOKIE } else { LOCAL_COOKIE };
    let mut found = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == name)
        .map(|c| c.value().to_owned());
    let token = found.next()?;
    found.next().is_none().then_some(token)
}

/// `Set-Cookie` for `token` (or, with `None`, removing the cookie).
fn set_cookie(secure: bool, token: Option<&str>) -> HeaderValue {
    // `__Host-` needs `Path=/`; locally the cookie goes to `/auth` only.
    let (name, path) = if secure { (SECURE_COOKIE, "/") } else { (LOCAL_COOKIE, "/auth") };
    let mut cookie = Cookie::build((name, token.unwrap_or_default().to_owned()))
        .path(path)
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
    throttle_address(&state.public_limiter, &addr)?;
    if !is_token_shaped(&body.refresh_token) {
        return Err(ApiError::BadRequest("refresh_token: not a refresh token".into()));
    }
    let cookie = set_cookie(secure(&state), Some(&body.refresh_token));
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// New tokens. With `refresh_token` in the body (clients that keep their own: the CLI, with the
/// built-in provider): for that token, which the provider spends — the answer carries the next one.
/// Without: for the page's session cookie — the answer carries only the short-lived tokens, and
/// the cookie the next refresh token.
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
    throttle_address(&state.public_limiter, &addr)?;
    if let Some(token) = body.refresh_token {
        return match issuer {
            Issuer::Local(idp) => Ok(Json(idp.refresh(&token).await?).into_response()),
            // Clients of Cognito refresh with Cognito; the API is no relay for them.
            Issuer::Cognito(_) => Err(ApiError::BadRequest("refresh_token: refresh with Cognito itself".into())),
        };
    }
    let Some(token) = session_token(secure(&state), &headers) else {
        return Err(ApiError::Unauthorized("no session; log in".into()));
    };
    // A refusal keeps the cookie: with the built-in provider, a second tab refreshing at the same
    // moment is refused (its token was just spent) while the first one's answer sets the next.
    Ok(match issuer {
        Issuer::Local(idp) => {
            let tokens = idp.refresh(&token).await?;
            let cookie = set_cookie(secure(&state), Some(&tokens.refresh_token));
            ([(header::SET_COOKIE, cookie)], Json(short_lived(tokens))).into_response()
        }
        Issuer::Cognito(cognito) => Json(cognito.refresh(&token).await?).into_response(),
    })
}

fn short_lived(tokens: Tokens) -> SessionTokens {
    SessionTokens {
        access_token: tokens.access_token,
        id_token: tokens.id_token,
        expires_in: tokens.expires_in,
        token_type: tokens.token_type,
    }
}

/// Log out: revokes the refresh token (the body's, with the built-in provider; or the session
/// cookie's) and, with the built-in provider, the tokens it was refreshed into. The cookie goes
/// whatever else happens: this browser is logged out even when the revocation fails.
#[utoipa::path(post, path = "/auth/logout", request_body = RefreshBody, tag = "auth",
    responses((status = 204, description = "revoked (or unknown already)"), (status = 400, body = Problem),
              (status = 429, body = Problem)))]
pub async fn log_out(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Response {
    let revoked = revoke(&state, &addr, &headers, body).await;
    let mut response = match revoked {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    };
    response.headers_mut().insert(header::SET_COOKIE, set_cookie(secure(&state), None));
    response
}

async fn revoke(state: &AppState, addr: &ClientAddr, headers: &HeaderMap, body: RefreshBody) -> ApiResult<()> {
    let issuer = issuer(state)?;
    throttle_address(&state.public_limiter, addr)?;
    match (issuer, body.refresh_token) {
        (Issuer::Local(idp), Some(token)) => idp.log_out(&token).await,
        (Issuer::Cognito(_), Some(_)) => Err(ApiError::BadRequest("refresh_token: revoke with Cognito itself".into())),
        (issuer, None) => match (issuer, session_token(secure(state), headers)) {
            (_, None) => Ok(()),
            (Issuer::Local(idp), Some(token)) => idp.log_out(&token).await,
            (Issuer::Cognito(cognito), Some(token)) => match cognito.revoke(&token).await {
                // Unknown or revoked already: logged out either way.
                Ok(()) | Err(ApiError::Unauthorized(_)) => Ok(()),
                Err(e) => Err(e),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_https_the_cookie_is_the_hosts_own_and_a_planted_twin_voids_it() {
        let set = set_cookie(true, Some("tok.en"));
        let set = set.to_str().expect("ascii");
        for part in ["__Host-fileshare_session=tok.en", "Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
            assert!(set.contains(part), "{part} in {set}");
        }
        let local = set_cookie(false, None);
        let local = local.to_str().expect("ascii");
        assert!(
            local.starts_with("fileshare_session=;") && local.contains("Path=/auth") && local.contains("Max-Age=0")
        );
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; __Host-fileshare_session=tok.en; b=2"));
        assert_eq!(session_token(true, &headers).as_deref(), Some("tok.en"));
        assert_eq!(session_token(false, &headers), None, "another name locally");
        headers.append(header::COOKIE, HeaderValue::from_static("__Host-fileshare_session=planted"));
        assert_eq!(session_token(true, &headers), None, "two of them: no session");
    }

    #[test]
    fn only_token_shaped_values_enter_the_cookie() {
        assert!(is_token_shaped("eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.abc-_DEF"));
        for bad in ["", "a b", "a;b", "a\r\nSet-Cookie: x", &"a".repeat(MAX_TOKEN_LEN + 1)] {
            assert!(!is_token_shaped(bad), "{bad:?}");
        }
    }
}
