//! The embedded default's sweep of abandoned uploads: records and bytes of uploads never completed.
//! (On AWS the table's TTL and stream do this: see `events::table`.)

use crate::state::Service;
use fileshare_core::backends::SqliteMetadataStore;
use std::time::Duration;

/// How often the local server sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);
/// Uploads discarded per pass at most; the rest wait for the next pass.
const BATCH: usize = 500;

/// One pass: discards the uploads the service counts as abandoned, with their bytes or parts.
/// Returns how many were discarded.
pub async fn sweep_once(service: &Service, metadata: &SqliteMetadataStore) -> Result<usize, fileshare_core::Error> {
    let mut discarded = 0;
    for file in metadata.expired_uploads(service.abandoned_before(), BATCH).await? {
        if service.discard_abandoned_upload(&file.key(), None).await? {
            discarded += 1;
        }
    }
    Ok(discarded)
}

/// Sweeps every [`SWEEP_EVERY`], starting now, until the task is dropped; failures are logged.
pub async fn run(service: std::sync::Arc<Service>, metadata: SqliteMetadataStore) {
    let mut ticks = tokio::time::interval(SWEEP_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match sweep_once(&service, &metadata).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(discarded = n, "swept abandoned uploads"),
            Err(e) => tracing::warn!(error = %e, "sweeping abandoned uploads failed"),
        }
    }
}
