//! The one place S3 failures become [`Error`]s.

use crate::{Error, ObjectKey};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// Maps an S3 SDK error for an operation on `key` to the error a caller can act on.
pub(super) fn s3_error<E>(key: &ObjectKey, err: SdkError<E, aws_smithy_runtime_api::http::Response>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err.code() {
        Some("NoSuchKey" | "NotFound") => Error::not_found("object", key),
        Some("NoSuchUpload") => Error::not_found("upload", key),
        Some("PreconditionFailed") => Error::already_exists("object", key),
        Some("InvalidPart") => Error::conflict("a part is missing or its ETag does not match"),
        Some("InvalidPartOrder" | "EntityTooSmall" | "MalformedXML") => {
            Error::invalid("parts", err.message().unwrap_or("rejected by S3").to_owned())
        }
        _ => Error::storage("s3", err),
    }
}
