//! Property tests for every parser and validator a request reaches in the core: names, content
//! types, user ids, file ids, object keys, cursors, and the embedded store's presigned URLs.
//!
//! The properties: arbitrary input never panics and is refused with a typed error
//! ([`Error::InvalidInput`], or `Forbidden` for URLs); an accepted value round-trips (parsing what
//! it prints gives it back); and the shapes the OpenAPI document states are exactly what the parsers
//! accept, so the document cannot drift from the code.

use fileshare_core::backends::MemoryFileStore;
use fileshare_core::store::{DownloadRequest, ObjectHeaders};
use fileshare_core::{
    content_disposition, ContentType, Cursor, Error, FileId, FileName, FileStore, ObjectKey, UserId, MAX_NAME_LEN,
};
use proptest::prelude::*;
use std::str::FromStr;

/// What the OpenAPI document says a file id and a user id look like (`routes/openapi.rs`).
const FILE_ID_PATTERN: &str = "[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}";
const USER_ID_PATTERN: &str = "[A-Za-z0-9_@+:-][A-Za-z0-9._@+:-]{0,127}";

fn is_invalid_input<T: std::fmt::Debug>(result: &Result<T, Error>) -> bool {
    matches!(result, Err(Error::InvalidInput { .. }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn names_are_accepted_normalised_and_stable_or_refused(raw in any::<String>()) {
        match FileName::new(&raw) {
            Ok(name) => {
                prop_assert!(!name.as_str().is_empty() && name.as_str().len() <= MAX_NAME_LEN);
                prop_assert!(!name.as_str().chars().any(|c| c.is_control() || c == '/' || c == '\\'));
                prop_assert_eq!(FileName::new(name.as_str()).expect("re-parse"), name.clone());
                // Its download header is one line of visible ASCII whatever the name holds.
                let header = content_disposition(&name);
                prop_assert!(header.bytes().all(|b| (0x20..0x7f).contains(&b)), "{header:?}");
            }
            Err(e) => prop_assert!(matches!(e, Error::InvalidInput { .. }), "{e:?}"),
        }
    }

    #[test]
    fn content_types_round_trip_or_are_refused(raw in any::<String>()) {
        let parsed = ContentType::new(&raw);
        if let Ok(ct) = &parsed {
            let again = ContentType::new(ct.as_str()).expect("re-parse");
            prop_assert_eq!(again.as_str(), ct.as_str());
        } else {
            prop_assert!(is_invalid_input(&parsed));
        }
    }

    #[test]
    fn well_formed_content_types_are_accepted(
        ty in "[a-z0-9][a-z0-9!#$&^_.+-]{0,20}",
        sub in "[a-z0-9][a-z0-9!#$&^_.+-]{0,20}",
        params in proptest::collection::vec(("[a-z0-9-]{1,8}", "[A-Za-z0-9-]{1,8}|\"[ !#-:<-\\[\\]-~]{0,8}\""), 0..3),
    ) {
        let mut raw = format!("{ty}/{sub}");
        for (name, value) in &params {
            raw.push_str(&format!("; {name}={value}"));
        }
        let ct = ContentType::new(&raw);
        prop_assert!(ct.is_ok(), "{raw:?}: {ct:?}");
    }

    #[test]
    fn user_ids_are_exactly_the_documented_shape(raw in any::<String>()) {
        let parsed = UserId::new(raw.clone());
        let documented = !raw.is_empty() && raw.len() <= 128 && !raw.starts_with('.')
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@+:".contains(c));
        prop_assert_eq!(parsed.is_ok(), documented, "{:?}", raw);
        if let Ok(id) = parsed {
            prop_assert_eq!(id.as_str(), raw.as_str());
        } else {
            prop_assert!(is_invalid_input(&parsed));
        }
    }

    #[test]
    fn documented_user_ids_are_accepted(raw in USER_ID_PATTERN) {
        prop_assert!(UserId::new(raw.clone()).is_ok(), "{raw:?}");
    }

    #[test]
    fn file_ids_round_trip_or_are_refused(raw in any::<String>()) {
        let parsed = FileId::from_str(&raw);
        if let Ok(id) = &parsed {
            prop_assert!(id.to_string().eq_ignore_ascii_case(&raw));
            prop_assert_eq!(FileId::from_str(&id.to_string()).expect("re-parse"), *id);
        } else {
            prop_assert!(is_invalid_input(&parsed));
        }
    }

    #[test]
    fn documented_file_ids_are_accepted(raw in FILE_ID_PATTERN) {
        prop_assert!(FileId::from_str(&raw).is_ok(), "{raw:?}");
    }

    #[test]
    fn object_keys_are_canonical_or_refused(raw in "(files/)?[ -~]{0,60}(/[0-9A-Za-z]{0,30})?") {
        let parsed = ObjectKey::parse(&raw);
        if let Ok(key) = &parsed {
            prop_assert_eq!(key.as_str(), raw.as_str());
            let (owner, file) = key.owner_and_file();
            prop_assert_eq!(&ObjectKey::for_file(&owner, &file), key);
        } else {
            prop_assert!(is_invalid_input(&parsed));
        }
    }

    #[test]
    fn cursors_round_trip_or_are_refused(raw in "[A-Za-z0-9_-]{0,140}|\\PC{0,40}") {
        let parsed = Cursor::from_str(&raw);
        if let Ok(cursor) = &parsed {
            prop_assert_eq!(&Cursor::from_str(&cursor.to_string()).expect("re-parse"), cursor);
        } else {
            prop_assert!(is_invalid_input(&parsed));
        }
    }

    #[test]
    fn forged_or_altered_download_urls_are_refused(raw in "\\PC{0,200}", flip in any::<prop::sample::Index>()) {
        let store = MemoryFileStore::new();
        prop_assert!(store.verify_download(&raw).is_err());
        // A genuine URL with any one signed character changed is refused too (never accepted, never a panic).
        let owner = UserId::new("alice").expect("user");
        let name = FileName::new("a.txt").expect("name");
        let content_type = ContentType::new("text/plain").expect("type");
        let request = DownloadRequest {
            key: ObjectKey::for_file(&owner, &FileId::generate(chrono::Utc::now())),
            headers: ObjectHeaders { content_type, filename: name },
            expires_at: chrono::Utc::now() + chrono::TimeDelta::minutes(5),
            viewer: Some(owner),
        };
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let url = runtime.block_on(store.presign_download(&request)).expect("presign").url;
        prop_assert!(store.verify_download(&url).is_ok());
        // The signature covers the path and query (the host is wherever the server is reached).
        let signed_from = url.find("/blobs/").expect("path");
        let mut bytes = url.into_bytes();
        let i = signed_from + flip.index(bytes.len() - signed_from);
        // Not a case change (hex signatures decode either case: the same signature, not a forgery).
        bytes[i] = if bytes[i] == b'~' { b'!' } else { b'~' };
        let altered = String::from_utf8_lossy(&bytes).into_owned();
        prop_assert!(store.verify_download(&altered).is_err(), "{altered}");
    }
}
