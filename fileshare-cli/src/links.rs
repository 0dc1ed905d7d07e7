//! Share links in words: lifetimes as people write them, the table of `fileshare link ls`, and the
//! line about a new link.

use chrono::TimeDelta;
use fileshare_client::LinkView;

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

/// A table of links: id, downloads, expiry, password.
pub fn table(links: &[LinkView]) -> String {
    let mut out = format!("{:<43}  {:>9}  {:<16}  {}\n", "LINK", "DOWNLOADS", "EXPIRES", "PASSWORD");
    for link in links {
        // An unlimited link's downloads are not counted.
        let downloads = match (link.downloads, link.max_downloads) {
            (Some(count), Some(max)) => format!("{count}/{max}"),
            _ => "-".to_owned(),
        };
        let expires = link.expires_at.map_or("never".to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string());
        let password = if link.password_required { "yes" } else { "no" };
        out.push_str(&format!("{:<43}  {downloads:>9}  {expires:<16}  {password}\n", link.link_id));
    }
    out
}

/// One line about a new link, for people.
pub fn describe(link: &LinkView) -> String {
    let mut limits = Vec::new();
    if let Some(max) = link.max_downloads {
        limits.push(format!("{max} download{}", if max == 1 { "" } else { "s" }));
    }
    if let Some(at) = link.expires_at {
        limits.push(format!("until {}", at.format("%Y-%m-%d %H:%M UTC")));
    }
    if link.password_required {
        limits.push("password".to_owned());
    }
    let limits = if limits.is_empty() { String::new() } else { format!(" ({})", limits.join(", ")) };
    format!("{}{limits}", link.link_id)
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
}
