//! Presigning throughput of `S3FileStore`: GET (download, with response headers), PUT (a multipart
//! part, `Content-Length` signed) and POST (upload form policy). Presigning is local computation, so
//! no server is needed. `./scripts/bench` runs this beside boto3's `generate_presigned_url` /
//! `generate_presigned_post` (scripts/bench_presign_boto3.py) and reports the ratio.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use aws_credential_types::Credentials;
use chrono::{TimeDelta, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use fileshare_core::backends::S3FileStore;
use fileshare_core::store::{DownloadRequest, ObjectHeaders, PartRequest, UploadPolicy};
use fileshare_core::{ContentType, FileId, FileName, FileStore, ObjectKey, UserId};

fn presign(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let store = rt
        .block_on(
            S3FileStore::builder()
                .bucket("fileshare-bench")
                .region("us-east-1")
                .credentials(Credentials::from_keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None))
                .build(),
        )
        .expect("store");
    let key = ObjectKey::for_file(
        &UserId::new("3f1c2b7e-0d0a-4b1e-9e55-1a2b3c4d5e6f").expect("user"),
        &FileId::generate(Utc::now()),
    );
    let headers = ObjectHeaders {
        content_type: ContentType::new("application/pdf").expect("type"),
        filename: FileName::new("résumé 2026 — 東京.pdf").expect("name"),
    };
    let expires_at = Utc::now() + TimeDelta::minutes(5);
    let download = DownloadRequest { key: key.clone(), headers: headers.clone(), expires_at, viewer: None };
    let part = PartRequest {
        key: key.clone(),
        upload_id: "2~abcdefghijklmnopqrstuvwxyz012345".into(),
        part_number: 7,
        size: 8 << 20,
        expires_at,
    };
    let policy = UploadPolicy { key, headers, size: 52_311, expires_at };

    let mut group = c.benchmark_group("presign");
    group.bench_function("get", |b| b.to_async(&rt).iter(|| store.presign_download(&download)));
    group.bench_function("put", |b| b.to_async(&rt).iter(|| store.presign_part(&part)));
    group.bench_function("upload", |b| b.to_async(&rt).iter(|| store.presign_upload(&policy)));
    group.finish();
}

criterion_group!(benches, presign);
criterion_main!(benches);
