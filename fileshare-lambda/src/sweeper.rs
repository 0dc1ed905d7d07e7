//! The embedded default's sweep: what nobody will come back for. Records and bytes of uploads never
//! completed, temporary files of writes a crash interrupted, refresh tokens past their expiry. (On
//! AWS the table's TTL and stream do the first: see `events::table`; S3 has no temporary files.)

use crate::idp::LocalIdentityProvider;
use crate::state::{AppState, Service};
use fileshare_core::backends::{LocalFileStore, SqliteMetadataStore};
use std::sync::Arc;
use std::time::Duration;

/// How often the local server sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);
/// Uploads discarded per pass at most; the rest wait for the next pass.
const BATCH: usize = 500;

/// What one pass removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Abandoned uploads discarded, with their bytes or parts.
    pub uploads: usize,
    /// Temporary files of interrupted writes.
    pub debris: usize,
    /// Stored objects no record owns (their delete removed the record, then failed or was cut short).
    pub orphans: usize,
    /// Expired refresh tokens.
    pub tokens: usize,
}

/// What the sweep works on.
#[derive(Clone)]
pub struct Sweep {
    /// The rules (they decide what counts as abandoned).
    pub service: Arc<Service>,
    /// The records to read expired uploads from.
    pub metadata: SqliteMetadataStore,
    /// The bytes whose debris goes.
    pub blobs: Arc<LocalFileStore>,
    /// The identity provider whose expired refresh tokens go, if it runs here.
    pub identity: Option<Arc<LocalIdentityProvider>>,
}

impl Sweep {
    /// The sweep of `state`'s embedded default; `None` on AWS.
    pub fn of(state: &AppState) -> Option<Self> {
        Some(Self {
            service: state.service.clone(),
            metadata: state.embedded_metadata.clone()?,
            blobs: state.blobs.clone()?,
            identity: state.identity.clone(),
        })
    }

    /// One pass. Temporary files go once no write has touched them for `debris_idle`: zero at
    /// start-up, when no write can be running (the data directory's lock keeps other servers out).
    pub async fn once(&self, debris_idle: Duration) -> Result<Swept, fileshare_core::Error> {
        let mut swept = Swept { debris: self.blobs.sweep_debris(debris_idle).await?, ..Swept::default() };
        for file in self.metadata.expired_uploads(self.service.abandoned_before(), BATCH).await? {
            if self.service.discard_abandoned_upload(&file.key(), None).await? {
                swept.uploads += 1;
            }
        }
        swept.orphans = self.orphans().await?;
        if let Some(identity) = &self.identity {
            swept.tokens = identity.sweep_expired_tokens().await?;
        }
        Ok(swept)
    }

    /// Walks every stored object, owner by owner, and removes those no record owns. The abandoned-
    /// upload rule decides each: it leaves available files and open uploads alone. One indexed
    /// read per stored object, so a pass costs in proportion to the files kept (about a second per
    /// hundred thousand on a small machine), every [`SWEEP_EVERY`].
    async fn orphans(&self) -> Result<usize, fileshare_core::Error> {
        let mut removed = 0;
        for owner in self.blobs.object_owners().await? {
            for key in self.blobs.object_keys(&owner).await? {
                if self.service.discard_abandoned_upload(&key, None).await? {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// Sweeps every [`SWEEP_EVERY`], the first one [`SWEEP_EVERY`] from now (start-up has swept
    /// already), until the task is dropped; failures are logged. Temp files go once untouched for
    /// `debris_idle`: longer than any running write can go without a touch (the server's idle timeout).
    pub async fn run(self, debris_idle: Duration) {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + SWEEP_EVERY, SWEEP_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match self.once(debris_idle).await {
                Ok(swept) if swept == Swept::default() => {}
                Ok(swept) => tracing::info!(?swept, "swept"),
                Err(e) => tracing::warn!(error = %e, "sweeping failed"),
            }
        }
    }
}

/// The sweep of `state`, if it runs on the embedded default: one pass now, before the server takes
/// any request — every temp file is debris then, the data directory being locked to this process —
/// and the task that sweeps from then on.
pub async fn start(
    state: &AppState,
) -> Result<Option<impl std::future::Future<Output = ()> + Send + 'static>, fileshare_core::Error> {
    let Some(sweep) = Sweep::of(state) else { return Ok(None) };
    let swept = sweep.once(Duration::ZERO).await?;
    if swept != Swept::default() {
        tracing::info!(?swept, "swept at start-up");
    }
    Ok(Some(sweep.run(SWEEP_EVERY.max(2 * state.timeouts.idle))))
}
