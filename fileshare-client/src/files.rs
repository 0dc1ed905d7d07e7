//! Files, shares and usage: every API operation on them, typed.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::api_path;
use chrono::{DateTime, Utc};
use fileshare_api::{
    CompleteBody, DownloadParams, DownloadResponse, FileView, ListParams, ListResponse, MeResponse, Scope, ShareBody,
    ShareView, SharesParams, SharesResponse, UploadBody, UploadResponse,
};

/// No query string.
pub(crate) const NO_QUERY: &[(&str, &str)] = &[];

/// A user named as people name them, or by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// A username, or an email address where the identity provider keeps them (Cognito).
    Name(String),
    /// A user id (the `sub` of their tokens).
    Id(String),
}

impl UserRef {
    /// `user`: a user id if `by_id`, else a name — as a command's `--id` flag or an `id=True`
    /// argument says.
    pub fn new(user: impl Into<String>, by_id: bool) -> Self {
        if by_id {
            UserRef::Id(user.into())
        } else {
            UserRef::Name(user.into())
        }
    }
}

impl From<&str> for UserRef {
    /// A name.
    fn from(name: &str) -> Self {
        UserRef::Name(name.to_owned())
    }
}

impl Client {
    /// Who the caller is, what they store and what they may store.
    pub async fn me(&self) -> Result<MeResponse> {
        self.get("/me", NO_QUERY).await
    }

    /// One page of files, newest first.
    pub async fn list_files(&self, params: &ListParams) -> Result<ListResponse> {
        self.get("/files", params).await
    }

    /// Every file of `scope`, page after page, newest first.
    pub async fn list_all(&self, scope: Scope) -> Result<Vec<FileView>> {
        let mut params = ListParams { scope: Some(scope), limit: Some(1000), cursor: None };
        let mut files = Vec::new();
        loop {
            let page = self.list_files(&params).await?;
            files.extend(page.files);
            match page.next_cursor {
                Some(next) => params.cursor = Some(next),
                None => return Ok(files),
            }
        }
    }

    /// One page of whom a file is shared with, in user id order (owner only; the file's own view
    /// holds the first 100 and `shares_next_cursor`).
    pub async fn list_shares(&self, file_id: &str, params: &SharesParams) -> Result<SharesResponse> {
        self.get(&api_path(&["files", file_id, "shares"]), params).await
    }

    /// Shares of a file page after page, until `found` picks one (or the last page): a file shared
    /// with thousands of people is read only as far as needed.
    async fn find_share(&self, file_id: &str, found: impl Fn(&ShareView) -> bool) -> Result<Option<ShareView>> {
        let mut params = SharesParams::default();
        loop {
            let page = self.list_shares(file_id, &params).await?;
            if let Some(share) = page.shares.into_iter().find(&found) {
                return Ok(Some(share));
            }
            match page.next_cursor {
                Some(next) => params.cursor = Some(next),
                None => return Ok(None),
            }
        }
    }

    /// A file's metadata; its owner also sees whom it is shared with (the first 100; the rest
    /// with [`list_shares`](Self::list_shares)).
    pub async fn get_file(&self, file_id: &str) -> Result<FileView> {
        self.get(&api_path(&["files", file_id]), NO_QUERY).await
    }

    /// A short-lived URL of the file's bytes, for `expires_in` seconds (the service's default and
    /// limits apply).
    pub async fn download_url(&self, file_id: &str, expires_in: Option<u64>) -> Result<DownloadResponse> {
        self.get(&api_path(&["files", file_id, "download-url"]), &DownloadParams { expires_in }).await
    }

    /// Shares a file for reading with `user`, until `expires_at` if given. Sharing again changes
    /// the expiry.
    pub async fn share(&self, file_id: &str, user: &UserRef, expires_at: Option<DateTime<Utc>>) -> Result<ShareView> {
        let (user_id, user) = match user {
            UserRef::Id(id) => (Some(id.clone()), None),
            UserRef::Name(name) => (None, Some(name.clone())),
        };
        self.post(&api_path(&["files", file_id, "share"]), &ShareBody { user_id, user, expires_at }).await
    }

    /// Stops sharing a file with `user`, at once. A name is looked up among the file's grantees.
    pub async fn unshare(&self, file_id: &str, user: &UserRef) -> Result<()> {
        let user_id = match user {
            UserRef::Id(id) => id.clone(),
            UserRef::Name(name) => {
                let found = self
                    .find_share(file_id, |share| {
                        share.username.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name))
                            || share.user_id == *name
                    })
                    .await?;
                let not_shared = || Error::NotShared { file_id: file_id.to_owned(), user: name.clone() };
                found.map(|share| share.user_id).ok_or_else(not_shared)?
            }
        };
        self.delete(&api_path(&["files", file_id, "share", &user_id])).await
    }

    /// Deletes a file, its shares, its links and its bytes.
    pub async fn delete_file(&self, file_id: &str) -> Result<()> {
        self.delete(&api_path(&["files", file_id])).await
    }

    /// Asks for an upload's presigned targets (the first step of [`Client::upload`], which does
    /// every step).
    pub async fn create_upload(&self, body: &UploadBody) -> Result<UploadResponse> {
        self.post("/files/upload-url", body).await
    }

    /// Confirms an upload once its bytes are in storage (multipart uploads list their parts).
    pub async fn complete_upload(&self, file_id: &str, body: &CompleteBody) -> Result<FileView> {
        self.post(&api_path(&["files", file_id, "complete"]), body).await
    }
}
