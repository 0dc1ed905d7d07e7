//! Every operation of `fileshare.Client` once, as async Rust over `fileshare_client::Client`; the
//! blocking and the asyncio classes call these.

use super::args::{Aware, ScopeArg, Source, Watch};
use super::{Account, Failure, Session};
use crate::classes::Blob;
use crate::links::{CreatedLink, Link, LinkDetails};
use crate::types::{FileInfo, Page, ShareInfo, SharePage};
use fileshare_client::{
    Client, Destination, DownloadOptions, LinkBody, LinkRef, ListParams, Scope, SharesParams, SignUp, UploadOptions,
    UserRef,
};
use pyo3::prelude::*;
use std::path::PathBuf;

type Result<T> = std::result::Result<T, Failure>;

/// The operations, over one client (and so one session).
pub struct Ops {
    pub client: Client,
}

/// `destination`, or the current directory.
fn here_or(destination: Option<PathBuf>) -> Destination {
    Destination::Path(destination.unwrap_or_else(|| PathBuf::from(".")))
}

impl Ops {
    pub async fn signup(&self, username: String, password: String) -> Result<Option<String>> {
        Ok(match self.client.sign_up(&username, &password).await? {
            SignUp::Created { user_id } => Some(user_id),
            SignUp::ConfirmationNeeded => None,
        })
    }

    pub async fn confirm(&self, username: String, code: String) -> Result<()> {
        Ok(self.client.confirm_sign_up(&username, &code).await?)
    }

    pub async fn login(&self, username: String, password: String) -> Result<Session> {
        Ok(Session(self.client.log_in(&username, &password).await?))
    }

    pub async fn logout(&self) -> Result<bool> {
        Ok(self.client.log_out().await?)
    }

    pub async fn me(&self) -> Result<Account> {
        Ok(Account(self.client.me().await?))
    }

    pub async fn upload(
        &self,
        source: Source,
        name: Option<String>,
        content_type: Option<String>,
        size: Option<u64>,
        multipart_threshold: u64,
        progress: Option<Py<PyAny>>,
    ) -> Result<FileInfo> {
        let watch = Watch::new(progress);
        let source = source.into_upload(name, size)?;
        let options =
            UploadOptions { content_type, multipart_threshold, progress: watch.progress(), ..UploadOptions::default() };
        let file = watch.guard(async { Ok(self.client.upload(source, &options).await?) }).await?;
        Ok(FileInfo(file))
    }

    pub async fn download(
        &self,
        file_id: String,
        destination: Option<PathBuf>,
        overwrite: bool,
        progress: Option<Py<PyAny>>,
    ) -> Result<PathBuf> {
        let watch = Watch::new(progress);
        let options = DownloadOptions { overwrite, progress: watch.progress() };
        let saved =
            watch.guard(async { Ok(self.client.download(&file_id, here_or(destination), &options).await?) }).await?;
        Ok(saved.unwrap_or_default())
    }

    pub async fn get_bytes(&self, file_id: String) -> Result<Blob> {
        Ok(Blob(self.client.download_bytes(&file_id).await?))
    }

    pub async fn list_files(
        &self,
        scope: Option<ScopeArg>,
        limit: Option<usize>,
        cursor: Option<String>,
    ) -> Result<Page> {
        let params = ListParams { scope: scope.map(|s| s.0), limit, cursor };
        Ok(self.client.list_files(&params).await?.into())
    }

    pub async fn list_all(&self, scope: Option<ScopeArg>) -> Result<Vec<FileInfo>> {
        let scope = scope.map_or(Scope::All, |s| s.0);
        Ok(self.client.list_all(scope).await?.into_iter().map(FileInfo).collect())
    }

    pub async fn get_file(&self, file_id: String) -> Result<FileInfo> {
        Ok(FileInfo(self.client.get_file(&file_id).await?))
    }

    pub async fn list_shares(
        &self,
        file_id: String,
        limit: Option<usize>,
        cursor: Option<String>,
    ) -> Result<SharePage> {
        Ok(self.client.list_shares(&file_id, &SharesParams { limit, cursor }).await?.into())
    }

    pub async fn share(
        &self,
        file_id: String,
        user: String,
        expires_at: Option<Aware>,
        by_id: bool,
    ) -> Result<ShareInfo> {
        let until = expires_at.map(|a| a.0);
        Ok(ShareInfo(self.client.share(&file_id, &UserRef::new(user, by_id), until).await?))
    }

    pub async fn unshare(&self, file_id: String, user: String, by_id: bool) -> Result<()> {
        Ok(self.client.unshare(&file_id, &UserRef::new(user, by_id)).await?)
    }

    pub async fn delete(&self, file_id: String) -> Result<()> {
        Ok(self.client.delete_file(&file_id).await?)
    }

    pub async fn download_url(&self, file_id: String, expires_in: Option<u64>) -> Result<String> {
        Ok(self.client.download_url(&file_id, expires_in).await?.url)
    }

    pub async fn create_link(
        &self,
        file_id: String,
        expires_at: Option<Aware>,
        password: Option<String>,
        max_downloads: Option<u32>,
    ) -> Result<CreatedLink> {
        let body = LinkBody { expires_at: expires_at.map(|a| a.0), password, max_downloads };
        Ok(self.client.create_link(&file_id, &body).await?.into())
    }

    pub async fn list_links(&self, file_id: String) -> Result<Vec<Link>> {
        Ok(self.client.list_links(&file_id).await?.into_iter().map(Link).collect())
    }

    pub async fn revoke_link(&self, link_id: String) -> Result<()> {
        Ok(self.client.revoke_link(&link_id).await?)
    }

    pub async fn link_info(&self, link: String) -> Result<LinkDetails> {
        Ok(LinkDetails(self.client.link_info(&link.parse::<LinkRef>()?).await?))
    }

    pub async fn download_link(
        &self,
        link: String,
        destination: Option<PathBuf>,
        password: Option<String>,
        overwrite: bool,
        progress: Option<Py<PyAny>>,
    ) -> Result<PathBuf> {
        let link: LinkRef = link.parse()?;
        let info = self.client.link_info(&link).await?;
        let watch = Watch::new(progress);
        let options = DownloadOptions { overwrite, progress: watch.progress() };
        let destination = here_or(destination);
        let saved = watch
            .guard(async {
                Ok(self.client.download_link(&link, &info, password.as_deref(), destination, &options).await?)
            })
            .await?;
        Ok(saved.unwrap_or_default())
    }
}
