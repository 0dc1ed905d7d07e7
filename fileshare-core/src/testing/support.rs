//! Fixtures and assertions shared by the suites.

use crate::domain::{ContentType, FileId, FileName, FileRecord, FileStatus, UserId};
use chrono::{DateTime, Utc};

/// A fresh user id (`{prefix}-{random}`), so suites never see each other's data.
pub fn random_user(prefix: &str) -> UserId {
    let suffix = hex::encode(rand::random::<[u8; 6]>());
    UserId::new(format!("{prefix}-{suffix}")).unwrap_or_else(|e| panic!("fixture user id: {e}"))
}

/// A record as `create_upload` would write it, created at `at`.
pub fn sample_record(owner: &UserId, at: DateTime<Utc>, status: FileStatus) -> FileRecord {
    let pending = status == FileStatus::Pending;
    FileRecord {
        id: FileId::generate(at),
        owner: owner.clone(),
        name: FileName::new("résumé 2026 — 東京.pdf").unwrap_or_else(|e| panic!("fixture name: {e}")),
        size: 1234,
        content_type: ContentType::new("application/pdf").unwrap_or_else(|e| panic!("fixture type: {e}")),
        status,
        created_at: at,
        updated_at: at,
        etag: (!pending).then(|| "\"etag-1\"".to_owned()),
        pending_expires_at: pending.then(|| at + chrono::TimeDelta::hours(24)),
        multipart: None,
    }
}

/// Asserts that `$result` is `Err` of the given [`Error`](crate::Error) variant.
#[doc(hidden)]
#[macro_export]
macro_rules! assert_error {
    ($result:expr, $variant:ident) => {{
        let result = $result;
        assert!(
            matches!(result, Err($crate::Error::$variant { .. })),
            "expected Err({}), got {:?}",
            stringify!($variant),
            result
        );
    }};
}

/// Unwraps with the expression text in the panic message.
#[doc(hidden)]
#[macro_export]
macro_rules! ok {
    ($result:expr) => {
        match $result {
            Ok(v) => v,
            Err(e) => panic!("{} failed: {e:?}", stringify!($result)),
        }
    };
}
