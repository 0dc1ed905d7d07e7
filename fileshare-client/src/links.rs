//! Share links: the owner's (create, list, revoke) and anyone's who holds one (look, redeem,
//! download) — no account, no session: the link is the permission.

use crate::client::Client;
use crate::download::{resolve, Destination, DownloadOptions, Incoming};
use crate::error::{redact, Error, Result};
use crate::files::NO_QUERY;
use crate::http::{self, api_path};
use fileshare_api::{
    CreatedLinkResponse, DownloadResponse, LinkBody, LinkInfoResponse, LinkView, LinksResponse, RedeemBody,
};
use reqwest::Method;
use std::path::PathBuf;
use std::str::FromStr;

/// A share link as people hand it out: its URL (`https://…/l/TOKEN`), or its bare token.
///
/// ```
/// use fileshare_client::LinkRef;
///
/// let link: LinkRef = "https://files.example.com/l/01JDQ…-00ff.secret".parse()?;
/// assert_eq!(link.base(), Some("https://files.example.com"));
/// assert_eq!(link.token(), "01JDQ…-00ff.secret");
/// assert!("ftp://x/l/T".parse::<LinkRef>().is_err());
/// # Ok::<_, fileshare_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct LinkRef {
    base: Option<String>,
    token: String,
}

impl LinkRef {
    /// The service the URL names (`None` for a bare token: the client's endpoint).
    pub fn base(&self) -> Option<&str> {
        self.base.as_deref()
    }

    /// The token: whoever holds it may download the file.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for LinkRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = self.token.split_once('.').map_or("?", |(id, _)| id);
        f.debug_struct("LinkRef").field("base", &self.base).field("link_id", &id).finish_non_exhaustive()
    }
}

impl FromStr for LinkRef {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = || Error::InvalidInput(format!("{:?} is not a share link (…/l/TOKEN)", redact(text)));
        let text = text.trim().trim_end_matches('/');
        let (base, token) = match text.rsplit_once("/l/") {
            Some((base, token)) => {
                if !(base.starts_with("http://") || base.starts_with("https://")) {
                    return Err(bad());
                }
                (Some(base.to_owned()), token)
            }
            None if text.contains('/') || text.contains(':') => return Err(bad()),
            None => (None, text),
        };
        if token.is_empty() || token.contains(['/', '?', '#']) {
            return Err(bad());
        }
        Ok(Self { base, token: token.to_owned() })
    }
}

impl Client {
    /// Makes a share link of one of the caller's files; the answer is the only one with its token.
    pub async fn create_link(&self, file_id: &str, body: &LinkBody) -> Result<CreatedLinkResponse> {
        self.post(&api_path(&["files", file_id, "links"]), body).await
    }

    /// A file's links, oldest first, expired and used-up ones included.
    pub async fn list_links(&self, file_id: &str) -> Result<Vec<LinkView>> {
        let answer: LinksResponse = self.get(&api_path(&["files", file_id, "links"]), NO_QUERY).await?;
        Ok(answer.links)
    }

    /// Revokes a link: it stops working at once.
    pub async fn revoke_link(&self, link_id: &str) -> Result<()> {
        let file_id = LinkView::file_of(link_id)
            .ok_or_else(|| Error::InvalidInput(format!("{link_id:?} is not a link id ({{file_id}}-{{tag}})")))?;
        self.delete(&api_path(&["files", file_id, "links", link_id])).await
    }

    fn link_url(&self, link: &LinkRef, rest: &str) -> String {
        let base = link.base().unwrap_or(self.endpoint());
        format!("{base}{}{rest}", api_path(&["links", link.token()]))
    }

    /// What a link hands out (name, size, whether it needs a password); counts no download.
    pub async fn link_info(&self, link: &LinkRef) -> Result<LinkInfoResponse> {
        let url = self.link_url(link, "");
        let response = self.send_anonymous(Method::GET, &url, None).await?;
        http::json(response, &url).await
    }

    /// Redeems a link for a short-lived download URL, counting one download where the link has a
    /// download limit.
    pub async fn redeem_link(&self, link: &LinkRef, password: Option<&str>) -> Result<DownloadResponse> {
        let url = self.link_url(link, "/redeem");
        let body = RedeemBody { password: password.map(str::to_owned) };
        let body = serde_json::to_vec(&body).map_err(|e| Error::UnexpectedResponse(e.to_string()))?;
        let response = self.send_anonymous(Method::POST, &url, Some(&body)).await?;
        http::json(response, &url).await
    }

    /// Downloads what a link hands out into `destination`, as [`Client::download`] does; `info`
    /// is the link's [`Client::link_info`] (which says whether `password` is needed). Returns the
    /// file written (`None` for a writer).
    pub async fn download_link(
        &self,
        link: &LinkRef,
        info: &LinkInfoResponse,
        password: Option<&str>,
        destination: Destination,
        options: &DownloadOptions,
    ) -> Result<Option<PathBuf>> {
        let destination = resolve(destination, &info.name, options.overwrite)?;
        let answer = self.redeem_link(link, password).await?;
        self.save_redeemed(answer, &Incoming { name: &info.name, size: info.size }, destination, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::LinkRef;

    #[test]
    fn links_are_urls_or_bare_tokens() {
        let link: LinkRef = "http://127.0.0.1:8080/l/ABC.def".parse().expect("url");
        assert_eq!((link.base(), link.token()), (Some("http://127.0.0.1:8080"), "ABC.def"));
        let link: LinkRef = "https://x.example/api/l/T/".parse().expect("trailing slash");
        assert_eq!((link.base(), link.token()), (Some("https://x.example/api"), "T"));
        let bare: LinkRef = "ABC.def".parse().expect("token");
        assert_eq!((bare.base(), bare.token()), (None, "ABC.def"));
        for bad in ["ftp://x/l/T", "http://x/files/T", "http://x/l/", "/l/T", "http://x/l/a/b", "", "a/b", "x?y"] {
            assert!(bad.parse::<LinkRef>().is_err(), "{bad:?}");
        }
    }
}
