//! Storage backends.
//!
//! | backend | [`FileStore`](crate::FileStore) | [`MetadataStore`](crate::MetadataStore) |
//! |---|---|---|
//! | embedded default (`embedded` feature) | [`LocalFileStore`] (disk) | [`SqliteMetadataStore`] |
//! | memory (tests, examples) | [`MemoryFileStore`] | [`MemoryMetadataStore`] |
//! | AWS (`aws` feature) | `S3FileStore` | `DynamoMetadataStore` |
//!
//! `AwsLocation` (bucket, table, region, endpoints) opens the AWS pair. With them, a
//! [`UserDirectory`](crate::UserDirectory) in the table, `DynamoUserDirectory`, fed from Cognito
//! (`CognitoUserPool` reads a pool's accounts for an import).

mod aws_location;
#[cfg(feature = "aws")]
mod aws_options;
#[cfg(feature = "aws")]
mod cognito;
#[cfg(feature = "aws")]
mod dynamo;
mod embedded;
mod memory_metadata;
#[cfg(feature = "aws")]
mod s3;
#[cfg(feature = "embedded")]
mod sqlite;

pub use aws_location::AwsLocation;
#[cfg(feature = "aws")]
pub use cognito::{CognitoUserPool, CognitoUserPoolBuilder, Imported, PoolAccount};
#[cfg(feature = "aws")]
pub use dynamo::{
    DeletingFile, DirectoryEntry, DynamoMetadataStore, DynamoMetadataStoreBuilder, DynamoUserDirectory, RemovedFile,
    DEFAULT_DELETE_PASS,
};
pub use embedded::{
    collect_body, BlobBody, BlobMeta, BlobStorage, DiskBlobs, Download, EmbeddedFileStore, LocalFileStore, MemoryBlobs,
    MemoryFileStore, Placement, Stored, VerifiedDownload, VerifiedUpload, DEFAULT_PUBLIC_URL,
};
pub use memory_metadata::MemoryMetadataStore;
#[cfg(feature = "aws")]
pub use s3::{S3FileStore, S3FileStoreBuilder};
#[cfg(feature = "embedded")]
pub use sqlite::SqliteMetadataStore;
