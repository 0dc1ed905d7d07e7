//! `fileshare ls` as a table for people (`--json` prints the API's own objects for scripts).

use fileshare_client::{Access, FileStatus, FileView};
use indicatif::HumanBytes;

/// A table: id, size, date, whose, name (last, as names may contain spaces).
pub fn table(files: &[FileView]) -> String {
    let mut out = format!("{:<26}  {:>10}  {:<16}  {:<7}  {}\n", "ID", "SIZE", "CREATED", "ACCESS", "NAME");
    for file in files {
        let access = match file.access {
            Access::Owner => "owned",
            Access::Grantee => "shared",
        };
        let status = if file.status == FileStatus::Pending { " (pending)" } else { "" };
        out.push_str(&format!(
            "{:<26}  {:>10}  {:<16}  {:<7}  {}{status}\n",
            file.file_id,
            HumanBytes(file.size).to_string(),
            file.created_at.format("%Y-%m-%d %H:%M"),
            access,
            file.name,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn table_lines_up_and_shows_access() {
        let files: Vec<FileView> = serde_json::from_value(json!([
            {"file_id": "01JDQ7Z3V6Y0000000000000AA", "owner": "a", "size": 1_572_864, "content_type": "application/pdf",
             "created_at": "2026-11-27T10:11:12.345Z", "updated_at": "2026-11-27T10:11:12.345Z",
             "access": "owner", "status": "available", "name": "report 2026.pdf"},
            {"file_id": "01JDQ7Z3V6Y0000000000000AB", "owner": "b", "size": 12, "content_type": "text/plain",
             "created_at": "2026-11-26T09:00:00Z", "updated_at": "2026-11-26T09:00:00Z",
             "access": "grantee", "status": "available", "name": "notes.txt"},
        ]))
        .expect("files");
        let table = table(&files);
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
