//! JSON bodies of the share-link routes.

use chrono::{DateTime, Utc};
use fileshare_core::{LinkInfo, ShareLink};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /files/{id}/links`: every limit is optional.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// When the link stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// A password the holder must give: 6–256 characters. Stored only as an argon2id hash.
    #[schema(min_length = 6, max_length = 256)]
    pub password: Option<String>,
    /// How many downloads the link hands out.
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub max_downloads: Option<u32>,
}

/// A share link, as its owner sees it (never its token, which only its creation shows).
#[derive(Serialize, ToSchema)]
pub struct LinkView {
    /// The link's id: `{file_id}-{16 hex digits}`.
    pub link_id: String,
    /// The file it hands out.
    pub file_id: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// How many downloads it hands out, if limited.
    pub max_downloads: Option<u32>,
    /// Downloads handed out so far.
    pub downloads: u32,
    /// Whether redeeming needs a password.
    pub password_required: bool,
}

impl From<ShareLink> for LinkView {
    fn from(l: ShareLink) -> Self {
        Self {
            link_id: l.id.to_string(),
            file_id: l.file_id().to_string(),
            created_at: l.created_at,
            expires_at: l.expires_at,
            max_downloads: l.max_downloads,
            downloads: l.downloads,
            password_required: l.password_hash.is_some(),
        }
    }
}

/// A link just made: the only answer that shows its token.
#[derive(Serialize, ToSchema)]
pub struct CreatedLinkResponse {
    /// The link.
    pub link: LinkView,
    /// The secret token (`{link_id}.{secret}`): whoever holds it may download the file.
    pub token: String,
    /// The link to hand out: a page in a browser, the file itself for `curl -L` (no password).
    pub url: String,
}

/// `GET /files/{id}/links`.
#[derive(Serialize, ToSchema)]
pub struct LinksResponse {
    /// The file's links, oldest first, including expired and used-up ones.
    pub links: Vec<LinkView>,
}

/// `GET /links/{token}`: what anyone holding the link may see.
#[derive(Serialize, ToSchema)]
pub struct LinkInfoResponse {
    /// The link's id.
    pub link_id: String,
    /// The file's name.
    pub name: String,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's content type.
    pub content_type: String,
    /// When the link stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether redeeming needs a password.
    pub password_required: bool,
    /// Downloads left, if limited.
    pub downloads_left: Option<u32>,
}

impl From<LinkInfo> for LinkInfoResponse {
    fn from(i: LinkInfo) -> Self {
        Self {
            link_id: i.link_id.to_string(),
            name: i.name.to_string(),
            size: i.size,
            content_type: i.content_type.to_string(),
            expires_at: i.expires_at,
            password_required: i.password_required,
            downloads_left: i.downloads_left,
        }
    }
}

/// `POST /links/{token}/redeem`: the password, for a link that has one (in the body: never in a
/// URL, where logs and browser history would keep it).
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    /// The link's password.
    #[schema(max_length = 256)]
    pub password: Option<String>,
}
