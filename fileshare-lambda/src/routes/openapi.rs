//! The OpenAPI document: generated from the handlers' annotations so it cannot drift, then given
//! the conventions every route shares, in one place rather than repeated on each handler:
//!
//! - every error is `application/problem+json` ([`Problem`]);
//! - an authenticated route can answer 401 (no, malformed or expired token) and 429 (rationed);
//! - a route with a JSON body can answer 400 (malformed) and 415 (not `application/json`);
//! - a route with parameters can answer 400 (malformed);
//! - a file id and a user id have one shape everywhere ([`FILE_ID_PATTERN`], [`USER_ID_PATTERN`]):
//!   the `id` and `user_id` path parameters and every `user_id` property; so have a link's id and
//!   token ([`LINK_ID_PATTERN`], [`LINK_TOKEN_PATTERN`]);
//! - an upload over quota is a problem with the figures ([`QuotaFigures`](fileshare_api::QuotaFigures));
//! - a new upload's `file_id` links to every operation on that file (OpenAPI links), so clients and
//!   stateful testers can follow an upload to its completion, download, share and delete; a new
//!   share link's token and id link to its redemption and revocation.

use fileshare_api::{Problem, QuotaFigures};
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// A file id as the API accepts it: a ULID (26 Crockford base-32 characters, either case).
pub const FILE_ID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$";
/// A share link's id: its file's id (canonical, upper case) and 16 lower-case hex digits.
pub const LINK_ID_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}-[0-9a-f]{16}$";
/// A share link's token: its id, a dot, and 128 random bits in URL-safe base64 (22 characters).
pub const LINK_TOKEN_PATTERN: &str = "^[0-7][0-9A-HJKMNP-TV-Z]{25}-[0-9a-f]{16}\\.[A-Za-z0-9_-]{22}$";
/// A user id as the API accepts it: 1–128 of letters, digits and `- _ . @ + :`, not starting with `.`.
pub const USER_ID_PATTERN: &str = "^[A-Za-z0-9_@+:-][A-Za-z0-9._@+:-]{0,127}$";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme =
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build());
        openapi.components.get_or_insert_with(Default::default).add_security_scheme("bearer", scheme);
    }
}

/// The document as the annotations give it; [`document`] is what is served.
#[derive(OpenApi)]
#[openapi(
    info(title = "fileshare", description = "Upload, share, list, download and delete files."),
    paths(
        super::meta::health,
        super::files::create_upload, super::files::complete_upload, super::files::list_files, super::files::get_file,
        super::files::download_url, super::files::share, super::files::list_shares, super::files::unshare,
        super::files::delete,
        super::identity::me, super::identity::sign_up, super::identity::log_in, super::session::start,
        super::session::refresh, super::session::log_out, super::identity::jwks,
        super::links::create_link, super::links::list_links, super::links::revoke_link, super::links::link_info,
        super::links::redeem_link, super::links::open_link,
    ),
    components(schemas(Problem, QuotaFigures)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// The document as served: [`ApiDoc`] with the shared conventions applied.
pub fn document() -> Value {
    // Serialising the generated document cannot fail: it is plain data.
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                apply_conventions(operation);
            }
        }
    }
    if let Some(created) = doc.pointer_mut("/paths/~1files~1upload-url/post/responses/201") {
        created["links"] = file_links();
    }
    if let Some(created) = doc.pointer_mut("/paths/~1files~1{id}~1links/post/responses/201") {
        created["links"] = link_links();
    }
    // An upload over quota is a problem with figures.
    let over_quota = "/paths/~1files~1upload-url/post/responses/403/content/application~1problem+json/schema";
    if let Some(schema) = doc.pointer_mut(over_quota) {
        *schema = json!({"allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {"$ref": "#/components/schemas/QuotaFigures"},
        ]});
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for schema in schemas.values_mut() {
            if let Some(user_id) = schema.pointer_mut("/properties/user_id") {
                user_id["pattern"] = json!(USER_ID_PATTERN);
            }
        }
    }
    doc
}

/// Links from a new upload's `file_id` to the operations that take a file id.
fn file_links() -> Value {
    let operations =
        ["complete_upload", "get_file", "download_url", "share", "unshare", "delete", "create_link", "list_links"];
    let links: Map<String, Value> = operations
        .into_iter()
        .map(|id| (id.to_owned(), json!({"operationId": id, "parameters": {"id": "$response.body#/file_id"}})))
        .collect();
    Value::Object(links)
}

/// Links from a new share link to what its owner and its holders do with it.
fn link_links() -> Value {
    let token = json!({"token": "$response.body#/token"});
    json!({
        "revoke_link": {"operationId": "revoke_link",
            "parameters": {"id": "$request.path.id", "link_id": "$response.body#/link/link_id"}},
        "link_info": {"operationId": "link_info", "parameters": token},
        "redeem_link": {"operationId": "redeem_link", "parameters": token},
        "open_link": {"operationId": "open_link", "parameters": token},
    })
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    })
}

fn apply_conventions(operation: &mut Map<String, Value>) {
    let authenticated = operation.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let has_body = operation.contains_key("requestBody");
    let parameters = operation.get_mut("parameters").and_then(Value::as_array_mut);
    let has_parameters = parameters.as_ref().is_some_and(|p| !p.is_empty());
    for parameter in parameters.into_iter().flatten() {
        let pattern = match (parameter["in"].as_str(), parameter["name"].as_str()) {
            (Some("path"), Some("id")) => FILE_ID_PATTERN,
            (Some("path"), Some("user_id")) => USER_ID_PATTERN,
            (Some("path"), Some("link_id")) => LINK_ID_PATTERN,
            (Some("path"), Some("token")) => LINK_TOKEN_PATTERN,
            _ => continue,
        };
        parameter["schema"]["pattern"] = json!(pattern);
    }
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses.entry(status).or_insert_with(|| problem(description));
    };
    if authenticated {
        add("401", "No bearer token, or one that is malformed, expired or not ours");
        add("429", "Too many requests from this caller; retry after `Retry-After` seconds");
    }
    if has_body {
        add("400", "Malformed input");
        add("415", "The body is not `application/json`");
    }
    if has_parameters {
        add("400", "Malformed input");
    }
    // Errors are problem documents, whatever the annotation said.
    for (status, response) in responses.iter_mut() {
        if !status.starts_with(['4', '5']) {
            continue;
        }
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            if let Some(json) = content.remove("application/json") {
                content.insert("application/problem+json".to_owned(), json);
            }
        }
    }
}
