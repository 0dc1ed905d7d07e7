//! [`Caller`]: the authenticated user of a request, as a typed extractor — handlers never see claims.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use fileshare_core::UserId;
use lambda_http::request::RequestContext;

/// The authenticated caller, with their per-user request allowance already taken.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The identity provider's stable subject.
    pub user: UserId,
}

/// On Lambda behind API Gateway's JWT authorizer the token is already verified: its claims are in
/// the request context. `token_use` is still checked — the authorizer accepts id tokens too.
fn claims_from_api_gateway(parts: &Parts) -> Option<Result<UserId, ApiError>> {
    let Some(RequestContext::ApiGatewayV2(context)) = parts.extensions.get::<RequestContext>() else { return None };
    let claims = &context.authorizer.as_ref()?.jwt.as_ref()?.claims;
    Some(match (claims.get("sub"), claims.get("token_use").map(String::as_str)) {
        (Some(sub), Some("access") | None) => {
            UserId::new(sub.as_str()).map_err(|_| ApiError::Unauthorized("token subject is not a valid user id".into()))
        }
        (Some(_), Some(_)) => Err(ApiError::Unauthorized("an access token is required".into())),
        (None, _) => Err(ApiError::Unauthorized("token has no subject".into())),
    })
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = match claims_from_api_gateway(parts) {
            Some(verified) => verified?,
            None => {
                let token = bearer(parts).ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
                let verifier = state
                    .verifier
                    .as_ref()
                    .ok_or_else(|| ApiError::Unauthorized("no token verifier is configured".into()))?;
                verifier.verify(token).await?.0
            }
        };
        state.user_limiter.check(user.as_str()).map_err(ApiError::TooManyRequests)?;
        Ok(Caller { user })
    }
}
