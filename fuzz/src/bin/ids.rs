//! User ids, file ids, object keys and cursors: refused, or accepted and round-tripping.
use fileshare_core::{Cursor, FileId, ObjectKey, UserId};
use std::str::FromStr;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else { return };
        if let Ok(user) = UserId::new(text) {
            assert_eq!(user.as_str(), text);
        }
        if let Ok(id) = FileId::from_str(text) {
            assert!(id.to_string().eq_ignore_ascii_case(text));
        }
        if let Ok(key) = ObjectKey::parse(text) {
            let (owner, file) = key.owner_and_file();
            assert_eq!(ObjectKey::for_file(&owner, &file), key);
        }
        if let Ok(cursor) = Cursor::from_str(text) {
            assert_eq!(Cursor::from_str(&cursor.to_string()).ok().as_ref(), Some(&cursor));
        }
    });
}
