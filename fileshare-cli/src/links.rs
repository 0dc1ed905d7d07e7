//! Share links: `fileshare link create|ls|rm` (the owner's, logged in) and `fileshare get LINK_URL`
//! (anyone's: no account, no session — the link is the permission).

use crate::client::{api_path, json_or_problem, Api};
use crate::download::{self, Download, Output};
use crate::error::{CliError, Result};
use chrono::{DateTime, TimeDelta, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use std::path::PathBuf;

/// A lifetime as people write it: `90s`, `30m`, `12h`, `7d`, `2w`.
pub fn parse_duration(text: &str) -> std::result::Result<TimeDelta, String> {
    let bad = || format!("{text:?} is not a duration like 30m, 12h, 7d or 2w");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (count, unit) = text.split_at(split);
    let count: i64 = count.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(bad()),
    };
    count.checked_mul(seconds).filter(|s| *s > 0).and_then(TimeDelta::try_seconds).ok_or_else(bad)
}

/// What the owner chose for a new link.
pub struct NewLink {
    /// How long it works.
    pub expires: Option<TimeDelta>,
    /// How many downloads it hands out.
    pub max_downloads: Option<u32>,
    /// Its password.
    pub password: Option<String>,
}

/// Creates a link of `file_id`; returns the API's answer (link, token, url).
pub async fn create(api: &mut Api, file_id: &str, link: NewLink) -> Result<Value> {
    let expires_at = link.expires.map(|d| Utc::now() + d);
    let body = json!({"expires_at": expires_at, "max_downloads": link.max_downloads, "password": link.password});
    api.call(Method::POST, &api_path(&["files", file_id, "links"]), Some(&body)).await
}

/// A file's links.
pub async fn list(api: &mut Api, file_id: &str) -> Result<Vec<Value>> {
    let mut answer = api.call(Method::GET, &api_path(&["files", file_id, "links"]), None).await?;
    Ok(match answer["links"].take() {
        Value::Array(links) => links,
        _ => Vec::new(),
    })
}

/// Revokes a link (its id names its file: `{file_id}-{tag}`).
pub async fn revoke(api: &mut Api, link_id: &str) -> Result<()> {
    let (file_id, _) = link_id
        .split_once('-')
        .ok_or_else(|| CliError::Usage(format!("{link_id:?} is not a link id (see `fileshare link ls FILE_ID`)")))?;
    api.call(Method::DELETE, &api_path(&["files", file_id, "links", link_id]), None).await?;
    Ok(())
}

/// A table of links: id, downloads, expiry, password.
pub fn table(links: &[Value]) -> String {
    let mut out = format!("{:<43}  {:>9}  {:<16}  {}\n", "LINK", "DOWNLOADS", "EXPIRES", "PASSWORD");
    for link in links {
        let downloads = match link["max_downloads"].as_u64() {
            Some(max) => format!("{}/{max}", link["downloads"]),
            None => link["downloads"].to_string(),
        };
        let expires =
            link["expires_at"].as_str().map_or("never".to_owned(), |t| t.get(..16).unwrap_or(t).replace('T', " "));
        let password = if link["password_required"] == true { "yes" } else { "no" };
        out.push_str(&format!(
            "{:<43}  {downloads:>9}  {expires:<16}  {password}\n",
            link["link_id"].as_str().unwrap_or_default()
        ));
    }
    out
}

/// A link URL (`{base}/l/{token}`) split into the service's base and the token.
pub fn split_link_url(url: &str) -> Result<(&str, &str)> {
    let bad = || CliError::Usage(format!("{url:?} is not a share link (…/l/TOKEN)"));
    let (base, token) = url.trim_end_matches('/').rsplit_once("/l/").ok_or_else(bad)?;
    if !(base.starts_with("http://") || base.starts_with("https://")) || token.is_empty() || token.contains('/') {
        return Err(bad());
    }
    Ok((base, token))
}

/// Where `get` takes a password from, if the link needs one.
pub enum PasswordSource {
    /// The first line of stdin.
    Stdin,
    /// Asked at the terminal, if there is one.
    Prompt,
}

/// Downloads what the link `url` hands out, with no account.
pub async fn get(
    http: &reqwest::Client,
    url: &str,
    output: Option<PathBuf>,
    force: bool,
    quiet: bool,
    password: PasswordSource,
) -> Result<Output> {
    let (base, token) = split_link_url(url)?;
    let info_url = format!("{base}/links/{token}");
    let response = http.get(&info_url).send().await.map_err(|e| CliError::network(&info_url, &e))?;
    let info = json_or_problem(response, &info_url).await?;
    let name = info["name"].as_str().unwrap_or_default().to_owned();
    let size = info["size"].as_u64().unwrap_or_default();
    let target = download::target(output, &name, force)?;
    let password = if info["password_required"] == true {
        Some(match password {
            PasswordSource::Stdin => crate::read_password_line()?,
            PasswordSource::Prompt => crate::prompt_password("Link password: ")?,
        })
    } else {
        None
    };
    let redeem_url = format!("{base}/links/{token}/redeem");
    let body = json!({"password": password});
    let response = http.post(&redeem_url).json(&body).send().await.map_err(|e| CliError::network(&redeem_url, &e))?;
    let redeemed = json_or_problem(response, &redeem_url).await?;
    let download_url = redeemed["url"].as_str().ok_or_else(|| CliError::Rejected("no download url in reply".into()))?;
    download::save(http, download_url, &Download { name, size, target, force, quiet }).await
}

/// One line about a new link, for people.
pub fn describe(created: &Value) -> String {
    let link = &created["link"];
    let mut limits = Vec::new();
    if let Some(max) = link["max_downloads"].as_u64() {
        limits.push(format!("{max} download{}", if max == 1 { "" } else { "s" }));
    }
    if let Some(at) = link["expires_at"].as_str().and_then(|t| t.parse::<DateTime<Utc>>().ok()) {
        limits.push(format!("until {}", at.format("%Y-%m-%d %H:%M UTC")));
    }
    if link["password_required"] == true {
        limits.push("password".to_owned());
    }
    let limits = if limits.is_empty() { String::new() } else { format!(" ({})", limits.join(", ")) };
    format!("{}{limits}", link["link_id"].as_str().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_duration("7d"), Ok(TimeDelta::days(7)));
        assert_eq!(parse_duration("90s"), Ok(TimeDelta::seconds(90)));
        assert_eq!(parse_duration("2w"), Ok(TimeDelta::weeks(2)));
        for bad in ["", "7", "d", "0d", "-1d", "7y", "1.5h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn link_urls_split_into_base_and_token() {
        assert_eq!(split_link_url("http://127.0.0.1:8080/l/ABC.def").ok(), Some(("http://127.0.0.1:8080", "ABC.def")));
        assert_eq!(split_link_url("https://x.example/api/l/T/").ok(), Some(("https://x.example/api", "T")));
        for bad in ["ftp://x/l/T", "http://x/files/T", "http://x/l/", "/l/T", "http://x/l/a/b"] {
            assert!(split_link_url(bad).is_err(), "{bad:?}");
        }
    }
}
