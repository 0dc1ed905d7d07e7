//! Deleting files with many shares on DynamoDB: interrupted midway, in passes that hand off to the
//! events function, and at 50,000 shares in bounded memory (`scripts/many-shares`).

/// A delete too large for one transaction, interrupted: the file is gone for every reader at once,
/// and the events function's finish leaves nothing behind.
mod interrupted {
    use crate::probe::Probe;
    use crate::*;
    use bytes::Bytes;
    use fileshare_core::testing::random_user;
    use fileshare_core::{FileShare, FileStore, ListRequest, MetadataStore, Scope};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn deleting_a_file_with_250_shares_survives_a_failure_midway() {
        let Some(endpoint) = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT") else { return };
        let clock = Arc::new(ManualClock::starting_now());
        let Some(files) = s3_store(&clock).await else { return };
        let fault = Probe::default();
        // A region of its own: moto copies every table of a region for each transaction, and this
        // test makes hundreds; here they stay small.
        let metadata = dynamo_builder(endpoint, "eu-west-2")
            .table(TABLE)
            .interceptor(fault.clone())
            .build()
            .await
            .expect("DynamoDB store");
        metadata.create_table_if_missing().await.expect("table");
        let service = FileShare::new(files.clone(), Arc::new(metadata));
        let alice = random_user("alice");
        let file = service.put_bytes(&alice, "popular.pdf", "application/pdf", Bytes::from_static(b"%PDF")).await;
        let file = file.expect("file");
        let grantees: Vec<_> = (0..250).map(|_| random_user("grantee")).collect();
        for grantee in &grantees {
            service.share(&alice, &file.id, grantee, None).await.expect("share");
        }

        assert_eq!(service.usage(&alice).await.expect("usage").usage.files, 1);
        // The first step (tombstone, usage released, 98 shares) lands; the rest never does.
        // Once the tombstone is made the file is deleted for everyone, and the stream finishes
        // what the first pass leaves: its failure is only logged.
        fault.fail_next("BatchWriteItem");
        service.delete(&alice, &file.id).await.expect("deleted, though its first pass failed");

        // Gone for everyone at once: the owner, every grantee, listings of the owner, new shares.
        fileshare_core::assert_error!(service.get_file(&alice, &file.id).await, NotFound);
        for grantee in [&grantees[0], &grantees[249]] {
            fileshare_core::assert_error!(service.get_file(grantee, &file.id).await, NotFound);
            fileshare_core::assert_error!(service.download_url(grantee, &file.id, None).await, NotFound);
        }
        let owned = service.list_files(&alice, ListRequest::scope(Scope::Owned)).await.expect("list");
        assert!(owned.items.iter().all(|e| e.file.id != file.id), "the owner no longer lists it");
        let late = random_user("late");
        fileshare_core::assert_error!(service.share(&alice, &file.id, &late, None).await, NotFound);
        let left = service.metadata_store().list_shares(&file.id, None, 1000).await.expect("shares");
        assert_eq!(left.items.len(), 250 - 98, "the shares past the first transaction are still there");
        let usage = service.usage(&alice).await.expect("usage").usage;
        assert_eq!((usage.bytes, usage.files), (0, 0), "the first step gave the space back");

        // The tombstone's MODIFY reaches the events function, which finishes the delete.
        assert!(service.finish_deletion(&file.key()).await.expect("finish"));
        assert!(service.metadata_store().list_shares(&file.id, None, 10).await.expect("shares").items.is_empty());
        for grantee in &grantees {
            let shared = service.list_files(grantee, ListRequest::scope(Scope::Shared)).await.expect("list");
            assert!(shared.items.is_empty(), "a grantee still lists the deleted file");
        }
        assert_eq!(files.head(&file.key()).await.expect("head"), None, "bytes removed");
        assert!(!service.finish_deletion(&file.key()).await.expect("again"), "idempotent");
        let usage = service.usage(&alice).await.expect("usage").usage;
        assert_eq!((usage.bytes, usage.files), (0, 0), "finishing gives nothing back twice");
    }
}

/// A delete whose pass runs out of time hands off: the file is gone at once, the pass counts itself
/// on the tombstone (the `MODIFY` that starts the events function's next pass), and passes finish
/// it, each deleting at least a batch.
mod in_passes {
    use crate::*;
    use bytes::Bytes;
    use fileshare_core::testing::random_user;
    use fileshare_core::{FileShare, FileStore, MetadataStore};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_delete_out_of_time_hands_off_and_passes_finish_it() {
        let Some(endpoint) = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT") else { return };
        let clock = Arc::new(ManualClock::starting_now());
        let Some(files) = s3_store(&clock).await else { return };
        let metadata = dynamo_builder(endpoint, "eu-west-2")
            .table(TABLE)
            // No time at all: every pass deletes one batch of 25, then hands off.
            .delete_pass(std::time::Duration::ZERO)
            .build()
            .await
            .expect("DynamoDB store");
        metadata.create_table_if_missing().await.expect("table");
        let service = FileShare::new(files.clone(), Arc::new(metadata));
        let alice = random_user("alice");
        let file = service.put_bytes(&alice, "big.pdf", "application/pdf", Bytes::from_static(b"%PDF")).await;
        let file = file.expect("file");
        for _ in 0..160 {
            service.share(&alice, &file.id, &random_user("grantee"), None).await.expect("share");
        }
        service.delete(&alice, &file.id).await.expect("delete");
        fileshare_core::assert_error!(service.get_file(&alice, &file.id).await, NotFound);
        let left = |service: &FileShare<_, Arc<DynamoMetadataStore>>| {
            let store = service.metadata_store().clone();
            let id = file.id;
            async move { store.list_shares(&id, None, 1000).await.expect("shares").items.len() }
        };
        assert_eq!(left(&service).await, 160 - 98 - 25, "one transaction, then one batch, then the hand-off");
        let mut passes = 0;
        while service.finish_deletion(&file.key()).await.expect("a pass") {
            passes += 1;
            assert!(passes < 10, "passes make progress");
        }
        assert_eq!(left(&service).await, 0);
        assert_eq!(passes, 2, "37 shares left: two passes of 25, the second finding the rest");
        assert_eq!(files.head(&file.key()).await.expect("head"), None, "bytes removed at the first step");
    }
}

/// A file shared with 50,000 people (`FILESHARE_MANY_SHARES`): its shares page through in bounded
/// memory, and its delete answers after one pass while passes of the events function finish it —
/// the process's peak memory over both barely moves, whatever the number. Long (minutes): run by
/// `scripts/many-shares` on dynoxide, which prints the figures RELIABILITY.md keeps.
mod many_shares {
    use crate::*;
    use bytes::Bytes;
    use fileshare_core::testing::random_user;
    use fileshare_core::{FileShare, FileStore, ListRequest, MetadataStore, Scope, SHARES_PER_PAGE};
    use futures::StreamExt;
    use std::time::Instant;

    /// The process's peak resident memory since the last reset, in bytes.
    fn peak_rss() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
        line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("kB") * 1024
    }

    /// Forgets the peak so far: the next `peak_rss` is the peak from now on.
    fn reset_peak() {
        std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak (Linux)");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "minutes long: scripts/many-shares runs it"]
    async fn fifty_thousand_shares_page_and_delete_in_bounded_memory() {
        let Some(endpoint) = skip_unless_configured("FILESHARE_TEST_DYNAMODB_ENDPOINT") else { return };
        let count: usize = std::env::var("FILESHARE_MANY_SHARES").ok().and_then(|n| n.parse().ok()).unwrap_or(50_000);
        let clock = Arc::new(ManualClock::starting_now());
        let Some(files) = s3_store(&clock).await else { return };
        let metadata =
            dynamo_builder(endpoint, "us-east-1").table("fileshare-many-shares").build().await.expect("DynamoDB store");
        metadata.create_table_if_missing().await.expect("table");
        let service = FileShare::new(files.clone(), Arc::new(metadata));
        let alice = random_user("alice");
        let file = service.put_bytes(&alice, "all-hands.pdf", "application/pdf", Bytes::from_static(b"%PDF")).await;
        let file = file.expect("file");

        let started = Instant::now();
        let grantees: Vec<_> = (0..count).map(|_| random_user("g")).collect();
        let shared = futures::stream::iter(&grantees)
            .map(|grantee| service.share(&alice, &file.id, grantee, None))
            .buffer_unordered(16)
            .filter(|shared| std::future::ready(shared.is_ok()))
            .count()
            .await;
        assert_eq!(shared, count);
        let sharing = started.elapsed();

        // Every page of the shares, each at most a page, none held longer than it is read.
        reset_peak();
        let (baseline, started) = (peak_rss(), Instant::now());
        let (mut listed, mut pages, mut cursor) = (0, 0, None::<String>);
        loop {
            let page = service.list_shares(&alice, &file.id, cursor.as_deref(), None).await.expect("page");
            assert!(page.shares.len() <= SHARES_PER_PAGE);
            listed += page.shares.len();
            pages += 1;
            match page.next_cursor {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        assert_eq!(listed, count);
        let (listing, listing_peak) = (started.elapsed(), peak_rss().saturating_sub(baseline));

        // The delete answers after its first pass; the events function's passes finish it.
        reset_peak();
        let (baseline, started) = (peak_rss(), Instant::now());
        service.delete(&alice, &file.id).await.expect("delete");
        let answered = started.elapsed();
        fileshare_core::assert_error!(service.get_file(&alice, &file.id).await, NotFound);
        let (mut passes, mut longest) = (0, answered);
        loop {
            let pass = Instant::now();
            let more = service.finish_deletion(&file.key()).await.expect("a pass");
            longest = longest.max(pass.elapsed());
            if !more {
                break;
            }
            passes += 1;
        }
        let (deleting, delete_peak) = (started.elapsed(), peak_rss().saturating_sub(baseline));
        let left = service.metadata_store().list_shares(&file.id, None, 10).await.expect("shares");
        assert!(left.items.is_empty(), "shares left after the passes");
        for grantee in [&grantees[0], &grantees[count / 2], &grantees[count - 1]] {
            let seen = service.list_files(grantee, ListRequest::scope(Scope::Shared)).await.expect("list");
            assert!(seen.items.is_empty(), "a grantee still lists the deleted file");
        }
        assert_eq!(files.head(&file.key()).await.expect("head"), None);
        let usage = service.usage(&alice).await.expect("usage").usage;
        assert_eq!((usage.bytes, usage.files), (0, 0));

        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        let summary = serde_json::json!({
            "shares": count,
            "sharing_s": sharing.as_secs_f64(),
            "list_pages": pages,
            "list_s": listing.as_secs_f64(),
            "list_peak_growth_mib": mib(listing_peak),
            "delete_answered_s": answered.as_secs_f64(),
            "delete_passes_after": passes,
            "delete_longest_pass_s": longest.as_secs_f64(),
            "delete_total_s": deleting.as_secs_f64(),
            "delete_peak_growth_mib": mib(delete_peak),
        });
        println!("MANY-SHARES {summary}");
        // Bounded: the shares' items alone are tens of MiB; neither phase holds them.
        assert!(mib(listing_peak) < 16.0 && mib(delete_peak) < 16.0, "{summary}");
    }
}
