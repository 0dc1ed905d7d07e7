//! `fileshare ls`: every page of the listing, as a table for people or JSON for scripts.

use crate::client::{encode, Api};
use crate::error::Result;
use indicatif::HumanBytes;
use reqwest::Method;
use serde_json::Value;

/// Every file in `scope` (`owned`, `shared` or `all`), newest first.
pub async fn all_files(api: &mut Api, scope: &str) -> Result<Vec<Value>> {
    let mut files = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/files?scope={scope}&limit=1000");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={}", encode(cursor)));
        }
        let mut page = api.call(Method::GET, &path, None).await?;
        if let Value::Array(items) = page["files"].take() {
            files.extend(items);
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(files),
        }
    }
}

/// A table: id, size, date, whose, name (last, as names may contain spaces).
pub fn table(files: &[Value]) -> String {
    let mut out = format!("{:<26}  {:>10}  {:<16}  {:<7}  {}\n", "ID", "SIZE", "CREATED", "ACCESS", "NAME");
    for file in files {
        let created = file["created_at"].as_str().unwrap_or_default();
        let created = created.get(..16).unwrap_or(created).replace('T', " ");
        let access = if file["access"] == "owner" { "owned" } else { "shared" };
        let status = if file["status"] == "pending" { " (pending)" } else { "" };
        out.push_str(&format!(
            "{:<26}  {:>10}  {:<16}  {:<7}  {}{status}\n",
            file["file_id"].as_str().unwrap_or_default(),
            HumanBytes(file["size"].as_u64().unwrap_or_default()).to_string(),
            created,
            access,
            file["name"].as_str().unwrap_or_default(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn table_lines_up_and_shows_access() {
        let files = [
            json!({"file_id": "01JDQ7Z3V6Y0000000000000AA", "size": 1_572_864, "created_at": "2026-11-27T10:11:12.345Z",
                   "access": "owner", "status": "available", "name": "report 2026.pdf"}),
            json!({"file_id": "01JDQ7Z3V6Y0000000000000AB", "size": 12, "created_at": "2026-11-26T09:00:00Z",
                   "access": "grantee", "status": "available", "name": "notes.txt"}),
        ];
        let table = super::table(&files);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].contains("1.50 MiB")
                && lines[1].contains("2026-11-27 10:11")
                && lines[1].ends_with("owned    report 2026.pdf")
        );
        assert!(lines[2].contains("shared") && lines[2].ends_with("notes.txt"));
        assert_eq!(lines[0].find("NAME"), lines[1].find("report"));
    }
}
