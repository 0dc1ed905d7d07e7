//! Listing cost against table size: a page of 50 owned and of 50 shared files on SQLite, with
//! 10 k, 100 k and 1 M file records in the table. The target is a flat curve, p50 ≤ 1 ms.
//!
//! Each database is seeded once through the public `MetadataStore` API and cached under
//! `target/bench-data/` (seeding 1 M records takes a few minutes on 2 cores).
//! Run: `cargo bench -p fileshare-core --bench list_pages`; `./scripts/bench` writes BENCHMARKS.md.

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fileshare_core::backends::{MemoryFileStore, SqliteMetadataStore};
use fileshare_core::{
    ContentType, FileId, FileName, FileRecord, FileShare, FileStatus, ListRequest, MetadataStore, Permission, Quota,
    Scope, Share, UserId,
};
use std::path::PathBuf;
use std::sync::Arc;

/// Files owned by, and shared with, the user whose pages are measured.
const MINE: usize = 500;
/// Other users the rest of the table belongs to.
const OTHER_USERS: usize = 1_000;
/// Seeding runs this many writes concurrently (SQLite serialises them; this hides task overhead).
const SEED_CONCURRENCY: usize = 64;

fn record(owner: &UserId, n: usize) -> FileRecord {
    let at = chrono::DateTime::from_timestamp_millis(1_700_000_000_000 + n as i64).expect("valid timestamp");
    FileRecord {
        id: FileId::generate(at),
        owner: owner.clone(),
        name: FileName::new(&format!("file-{n}.pdf")).expect("valid name"),
        size: 1 + n as u64,
        content_type: ContentType::new("application/pdf").expect("valid type"),
        status: FileStatus::Available,
        created_at: at,
        updated_at: at,
        etag: Some(format!("\"{n:x}\"")),
        pending_expires_at: None,
        multipart: None,
    }
}

/// Seeds `total` files: `MINE` owned by "me", `MINE` shared with "me", the rest spread over other
/// users, half of them shared once with another user.
async fn seed(store: Arc<SqliteMetadataStore>, total: usize) {
    let me = UserId::new("me").expect("valid user");
    let mut tasks: tokio::task::JoinSet<fileshare_core::Result<()>> = tokio::task::JoinSet::new();
    for n in 0..total {
        while tasks.len() >= SEED_CONCURRENCY {
            tasks.join_next().await.expect("a task is running").expect("task").expect("seed write");
        }
        let store = store.clone();
        let me = me.clone();
        tasks.spawn(async move {
            let owner = if n < MINE { me.clone() } else { UserId::new(format!("user-{}", n % OTHER_USERS))? };
            let file = record(&owner, n);
            store.insert_file(&file, &Quota::UNLIMITED).await?;
            let grantee = if (MINE..2 * MINE).contains(&n) {
                Some(me)
            } else if n % 2 == 0 && n >= MINE {
                Some(UserId::new(format!("user-{}", (n + 1) % OTHER_USERS))?)
            } else {
                None
            };
            if let Some(grantee) = grantee {
                let share = Share {
                    file_id: file.id,
                    grantee,
                    permission: Permission::Read,
                    created_at: file.created_at,
                    expires_at: None,
                };
                store.put_share(&share, &file).await?;
            }
            Ok::<_, fileshare_core::Error>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task").expect("seed write");
    }
}

async fn open_seeded(total: usize) -> Arc<SqliteMetadataStore> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    let path = dir.join(format!("list-{total}.db"));
    let ready = dir.join(format!("list-{total}.ready"));
    if !ready.exists() {
        let _ = std::fs::remove_file(&path);
        let store = Arc::new(SqliteMetadataStore::open(&path).await.expect("open"));
        let started = std::time::Instant::now();
        seed(store.clone(), total).await;
        eprintln!("seeded {total} records in {:.1?}", started.elapsed());
        std::fs::write(&ready, b"").expect("mark seeded");
    }
    Arc::new(SqliteMetadataStore::open(&path).await.expect("open"))
}

fn list_pages(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let me = UserId::new("me").expect("valid user");
    let mut group = c.benchmark_group("list_page_of_50");
    for total in [10_000, 100_000, 1_000_000] {
        let metadata = rt.block_on(open_seeded(total));
        let service = FileShare::new(MemoryFileStore::new(), metadata);
        for scope in [Scope::Owned, Scope::Shared] {
            // A second page exercises the keyset condition, not just the index head.
            let first = rt
                .block_on(service.list_files(&me, ListRequest { scope, limit: Some(50), cursor: None }))
                .expect("first page");
            assert_eq!(first.items.len(), 50, "seeded data gives full pages");
            let cursor = first.next_cursor.map(|c| c.to_string());
            let id = BenchmarkId::new(format!("{scope:?}").to_lowercase(), total);
            group.bench_with_input(id, &cursor, |b, cursor| {
                b.to_async(&rt).iter(|| async {
                    let request = ListRequest { scope, limit: Some(50), cursor: cursor.clone() };
                    service.list_files(&me, request).await.expect("page")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, list_pages);
criterion_main!(benches);
