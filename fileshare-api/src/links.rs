//! Share links: the owner's (create, list, revoke) and the holder's (look, redeem).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `POST /files/{id}/links`: every limit is optional.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    /// When the link stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// A password the holder must give: 6–256 characters. Stored only as an argon2id hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 6, max_length = 256))]
    pub password: Option<String>,
    /// How many downloads the link hands out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000))]
    pub max_downloads: Option<u32>,
}

impl std::fmt::Debug for LinkBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkBody")
            .field("expires_at", &self.expires_at)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("max_downloads", &self.max_downloads)
            .finish()
    }
}

/// A share link, as its owner sees it (never its token, which only its creation shows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Downloads handed out so far, counted only for a link with a download limit: `null` for an
    /// unlimited link, whose redemptions are not written (so that one link can serve a crowd).
    pub downloads: Option<u32>,
    /// Whether redeeming needs a password.
    pub password_required: bool,
}

impl LinkView {
    /// The file a link id names: a link's id starts with its file's (`{file_id}-{tag}`).
    ///
    /// ```
    /// assert_eq!(fileshare_api::LinkView::file_of("01JDQ7Z3V6Y0000000000000AA-00ff00ff00ff00ff"),
    ///            Some("01JDQ7Z3V6Y0000000000000AA"));
    /// assert_eq!(fileshare_api::LinkView::file_of("nonsense"), None);
    /// ```
    pub fn file_of(link_id: &str) -> Option<&str> {
        link_id.split_once('-').map(|(file, _)| file).filter(|file| !file.is_empty())
    }
}

/// A link just made: the only answer that shows its token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedLinkResponse {
    /// The link.
    pub link: LinkView,
    /// The secret token (`{link_id}.{secret}`): whoever holds it may download the file.
    pub token: String,
    /// The link to hand out: a page in a browser, the file itself for `curl -L` (no password).
    pub url: String,
}

impl std::fmt::Debug for CreatedLinkResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedLinkResponse").field("link", &self.link).finish_non_exhaustive()
    }
}

/// `GET /files/{id}/links`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinksResponse {
    /// The file's links, oldest first, including expired and used-up ones.
    pub links: Vec<LinkView>,
}

/// `GET /links/{token}`: what anyone holding the link may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// `POST /links/{token}/redeem`: the password, for a link that has one (in the body: never in a
/// URL, where logs and browser history would keep it).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemBody {
    /// The link's password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub password: Option<String>,
}

impl std::fmt::Debug for RedeemBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedeemBody").field("password", &self.password.as_ref().map(|_| "<redacted>")).finish()
    }
}
