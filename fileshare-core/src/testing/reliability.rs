//! The fault-injection driver: every [`FileShare`](crate::FileShare) operation that changes state,
//! with a fault at each of its storage calls in turn, each kind of [`Fault`], retried as a client
//! would, then swept as the deployment's cleanup would, then [`audit`]ed.
//!
//! ```text
//! async fn harness() -> Option<fileshare_core::testing::RulesHarness> { /* real stores */ }
//! fileshare_core::fault_injection_conformance!(harness);
//! ```

use super::audit::{audit, AuditScope, Violation};
use super::faults::{Fault, FaultPlan, FaultyFileStore, FaultyMetadataStore};
use super::{random_user, RulesHarness};
use crate::clock::Clock;
use crate::domain::{FileId, FileRecord, FileStatus, LinkToken, ObjectKey, UserId};
use crate::metadata::MetadataStore;
use crate::service::{Config, LinkOptions, UploadRequest, UploadTarget, UploadTicket};
use crate::store::{CompletedPart, FileStore};
use crate::{Error, FileShare, Result};
use bytes::Bytes;
use chrono::Utc;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Generates one test per operation: `fault_injection_conformance!(make_harness);`.
#[macro_export]
macro_rules! fault_injection_conformance {
    ($make:path) => {
        $crate::__conformance_tests!(
            $make,
            reliability,
            [
                faults_in_put_bytes,
                faults_in_single_upload,
                faults_in_multipart_upload,
                faults_in_share,
                faults_in_unshare,
                faults_in_delete,
                faults_in_delete_of_a_pending_multipart_upload,
                faults_in_discard,
                faults_in_create_link,
                faults_in_redeem_link,
                faults_in_revoke_link,
            ]
        );
    };
}

type Faulty = FileShare<FaultyFileStore<Arc<dyn FileStore>>, FaultyMetadataStore<Arc<dyn MetadataStore>>>;
type Clean = FileShare<Arc<dyn FileStore>, Arc<dyn MetadataStore>>;

/// S3's smallest part but the last: a two-part upload is one of these and a byte more.
const MIN_PART: u64 = 5 * 1024 * 1024;

fn config() -> Config {
    Config { min_part_size: MIN_PART, ..Config::default() }
}

/// One case's world: the same stores behind a faulty and a clean service.
struct Rig<'h> {
    h: &'h RulesHarness,
    plan: Arc<FaultPlan>,
    faulty: Faulty,
    clean: Clean,
    alice: UserId,
    bob: UserId,
}

impl<'h> Rig<'h> {
    fn new(h: &'h RulesHarness) -> Self {
        let plan = FaultPlan::new();
        let faulty = FileShare::builder(
            FaultyFileStore::new(h.files.clone(), plan.clone()),
            FaultyMetadataStore::new(h.metadata.clone(), plan.clone()),
        )
        .config(config())
        .clock(h.clock.clone())
        .build();
        let clean =
            FileShare::builder(h.files.clone(), h.metadata.clone()).config(config()).clock(h.clock.clone()).build();
        // Each case starts at the real time, so presigned URLs verify against real servers.
        h.clock.set(Utc::now());
        Self { h, plan, faulty, clean, alice: random_user("alice"), bob: random_user("bob") }
    }

    /// A link of an available file of alice's, made without faults.
    async fn link(&self, options: LinkOptions) -> LinkToken {
        let file = self.available().await;
        match self.clean.create_link(&self.alice, &file.id, options).await {
            Ok(created) => created.token,
            Err(e) => panic!("setup link: {e}"),
        }
    }

    /// An available file of alice's, made without faults.
    async fn available(&self) -> FileRecord {
        let data = Bytes::from_static(b"the bytes under test");
        match self.clean.put_bytes(&self.alice, "setup.txt", "text/plain", data).await {
            Ok(file) => file,
            Err(e) => panic!("setup upload: {e}"),
        }
    }

    /// Moves the clock past every pending upload's window and the sweep's grace.
    fn past_every_expiry(&self) {
        self.h.clock.advance(config().pending_ttl + Duration::from_secs(6 * 60));
    }

    /// What the deployment's cleanup does, once the clock is past every pending upload's expiry
    /// and the grace: each key it learns of (the embedded sweep walks records and stored bytes; on
    /// AWS the table's stream reports every removed record) goes through the abandoned-upload
    /// rule, which leaves live files alone and removes the rest.
    async fn sweep(&self, keys: &[ObjectKey]) {
        self.past_every_expiry();
        for key in keys {
            if let Err(e) = self.clean.discard_abandoned_upload(key, None).await {
                panic!("sweeping {key}: {e}");
            }
        }
    }
}

/// A client's upload, resumable at the step that failed.
struct Upload {
    data: Bytes,
    multipart: bool,
    ticket: Option<UploadTicket>,
    sent: Option<Vec<CompletedPart>>,
    failed_completions: usize,
}

impl Upload {
    fn new(multipart: bool) -> Self {
        let size = if multipart { MIN_PART + 1 } else { 4096 };
        let data = (0..size).map(|i| (i % 251) as u8).collect::<Vec<u8>>().into();
        Self { data, multipart, ticket: None, sent: None, failed_completions: 0 }
    }

    /// Runs the steps not done yet: create, send the bytes, complete.
    async fn step(&mut self, rig: &Rig<'_>) -> Result<FileRecord> {
        if self.ticket.is_none() {
            let request = UploadRequest {
                multipart: self.multipart,
                ..UploadRequest::new("upload.bin", self.data.len() as u64, "application/octet-stream")
            };
            self.ticket = Some(rig.faulty.create_upload(&rig.alice, request).await?);
            self.sent = None;
        }
        let ticket = self.ticket.as_ref().ok_or_else(|| Error::conflict("no ticket"))?;
        if self.sent.is_none() {
            self.sent = Some(send(rig, ticket, &self.data).await);
        }
        let parts = self.sent.as_deref().unwrap_or_default();
        let completed = rig.faulty.complete_upload(&rig.alice, &ticket.file.id, parts).await;
        if matches!(completed, Err(Error::Storage { .. })) && self.failed_completions > 0 {
            // Completing keeps failing: start over, as a client would. (s3s-fs 0.14 loses a
            // multipart upload whose completion request was cut off; S3's completion is atomic.)
            self.ticket = None;
        }
        self.failed_completions += usize::from(completed.is_err());
        completed
    }
}

/// Sends the bytes as the ticket says (storage's own endpoints: never faulted here).
async fn send(rig: &Rig<'_>, ticket: &UploadTicket, data: &Bytes) -> Vec<CompletedPart> {
    let transport = &rig.h.transport;
    match &ticket.target {
        UploadTarget::Single(upload) => {
            if let Err(e) = transport.put(&upload.url, &upload.headers, data.clone()).await {
                panic!("upload: {e:?}");
            }
            Vec::new()
        }
        UploadTarget::Multipart { parts, .. } => {
            let mut done = Vec::new();
            let mut offset = 0;
            for part in parts {
                let end = offset + usize::try_from(part.size).unwrap_or(usize::MAX);
                match transport.put(&part.url, &BTreeMap::new(), data.slice(offset..end)).await {
                    Ok(etag) => done.push(CompletedPart { part_number: part.part_number, etag }),
                    Err(e) => panic!("part upload: {e:?}"),
                }
                offset = end;
            }
            done
        }
    }
}

/// What a case checks once the client's retry is done.
enum Expect {
    /// The upload's file is available with exactly its bytes.
    Uploaded(Bytes),
    /// Bob can read the file.
    Shared(FileId),
    /// Bob cannot read the file.
    Unshared(FileId),
    /// The file is gone.
    Deleted(FileId),
    /// The link hands out the file.
    Linked(LinkToken),
    /// The URL a link was redeemed for downloads the file.
    Redeemed(String),
    /// The link is dead.
    Revoked(LinkToken),
}

/// Runs `act` with a fault at every storage call in turn (until it makes fewer calls than `k`),
/// retries it without faults as a client would, checks `expect`, sweeps, audits.
async fn drive<S, A, R>(h: &RulesHarness, name: &str, setup: S, act: A)
where
    S: AsyncFn(&Rig<'_>) -> R,
    A: AsyncFn(&Rig<'_>, &mut R) -> Result<Expect>,
{
    for fault in Fault::ALL {
        for k in 1.. {
            let rig = Rig::new(h);
            let mut state = setup(&rig).await;
            rig.plan.arm(k, fault);
            let first = act(&rig, &mut state).await;
            let fired = rig.plan.fired();
            rig.plan.disarm();
            let context = format!("{name}: {fault:?} at call {k} ({fired:?})");
            let Some((method, _)) = fired else {
                // Fewer calls than k: this run had no fault, and must have succeeded.
                if let Err(e) = first {
                    panic!("{context}: failed without a fault: {e}");
                }
                eprintln!("fault injection: {name}, {fault:?}: {} storage calls, each faulted in turn", k - 1);
                break;
            };
            if fault == Fault::Timeout {
                // An abandoned call of a store that works on another thread may still land.
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            let expect = match first {
                Ok(expect) => expect,
                Err(_) => retry(&context, async || act(&rig, &mut state).await).await,
            };
            check(&rig, &expect).await.unwrap_or_else(|e| panic!("{context} ({method}): {e}"));
            let touched = rig.plan.touched();
            rig.sweep(&touched).await;
            let scope = AuditScope::of_keys(touched).with_users([rig.bob.clone()]);
            let now = h.clock.now();
            let found: Vec<Violation> =
                match audit(h.files.as_ref(), h.metadata.as_ref(), &scope, now, rig.clean.abandoned_before()).await {
                    Ok(found) => found,
                    Err(e) => panic!("{context}: audit: {e}"),
                };
            assert!(found.is_empty(), "{context}: the audit found {found:#?}");
        }
    }
}

/// Retries as a client would: a storage error is transient (nothing was decided), so up to
/// [`ATTEMPTS`] tries with a growing pause; any other refusal, or the last storage error, fails.
/// (An abandoned call may still be running in the storage server: S3-compatible servers can refuse
/// a multipart completion racing one that a timed-out caller left behind, until it is done.)
async fn retry<A: AsyncFnMut() -> Result<Expect>>(context: &str, mut attempt: A) -> Expect {
    for n in 1.. {
        match attempt().await {
            Ok(expect) => return expect,
            Err(Error::Storage { .. }) if n < ATTEMPTS => tokio::time::sleep(Duration::from_millis(200 * n)).await,
            Err(e) => panic!("{context}: the retry failed: {e:?}"),
        }
    }
    unreachable!("the loop returns or panics")
}

/// Tries a client makes after the faulted one.
const ATTEMPTS: u64 = 4;

/// The end state a client was promised.
async fn check(rig: &Rig<'_>, expect: &Expect) -> std::result::Result<(), String> {
    let s = &rig.clean;
    match expect {
        Expect::Uploaded(data) => match_bytes(rig, data).await,
        Expect::Shared(id) => s.get_file(&rig.bob, id).await.map(drop).map_err(|e| format!("bob cannot read: {e}")),
        Expect::Unshared(id) => match s.get_file(&rig.bob, id).await {
            Err(Error::NotFound { .. }) => Ok(()),
            other => Err(format!("bob still reads the unshared file: {other:?}")),
        },
        Expect::Deleted(id) => match s.get_file(&rig.alice, id).await {
            Err(Error::NotFound { .. }) => Ok(()),
            other => Err(format!("the deleted file is still there: {other:?}")),
        },
        Expect::Linked(token) => match s.redeem_link(token, None).await {
            Ok(url) => fetches_the_file(rig, &url.url).await,
            Err(e) => Err(format!("the new link does not work: {e}")),
        },
        Expect::Redeemed(url) => fetches_the_file(rig, url).await,
        Expect::Revoked(token) => match s.redeem_link(token, None).await {
            Err(Error::NotFound { .. }) => Ok(()),
            other => Err(format!("the revoked link still works: {other:?}")),
        },
    }
}

/// `url` downloads the bytes of [`Rig::available`].
async fn fetches_the_file(rig: &Rig<'_>, url: &str) -> std::result::Result<(), String> {
    match rig.h.transport.get(url).await {
        Ok(fetched) if &fetched.body[..] == b"the bytes under test" => Ok(()),
        other => Err(format!("the link's URL does not download the file: {other:?}")),
    }
}

/// Alice's newest available file holds exactly `data`.
async fn match_bytes(rig: &Rig<'_>, data: &Bytes) -> std::result::Result<(), String> {
    let listed = rig.clean.metadata_store().list_owned(&rig.alice, None, 1).await.map_err(|e| e.to_string())?;
    let file = listed.items.first().ok_or("no available file after the upload")?;
    let (_, bytes) = rig.clean.get_bytes(&rig.alice, &file.id).await.map_err(|e| e.to_string())?;
    if bytes == data {
        Ok(())
    } else {
        Err(format!("stored {} bytes differ from the {} sent", bytes.len(), data.len()))
    }
}

/// Upload flows, resumed where they failed.
async fn upload_case(h: &RulesHarness, name: &str, multipart: bool) {
    let setup = async |_: &Rig<'_>| Upload::new(multipart);
    let act = async |rig: &Rig<'_>, upload: &mut Upload| {
        let file = upload.step(rig).await?;
        assert_eq!(file.status, FileStatus::Available);
        Ok(Expect::Uploaded(upload.data.clone()))
    };
    drive(h, name, setup, act).await;
}

/// `put_bytes` (one server-side call): a client that sees it fail uploads again.
pub async fn faults_in_put_bytes(h: &RulesHarness) {
    let data = Bytes::from_static(b"server-side upload");
    let act = async |rig: &Rig<'_>, _: &mut ()| {
        rig.faulty.put_bytes(&rig.alice, "put.txt", "text/plain", data.clone()).await?;
        Ok(Expect::Uploaded(data.clone()))
    };
    drive(h, "put_bytes", async |_: &Rig<'_>| (), act).await;
}

/// Create, presigned PUT, complete.
pub async fn faults_in_single_upload(h: &RulesHarness) {
    upload_case(h, "single upload", false).await;
}

/// Create, presigned parts, complete.
pub async fn faults_in_multipart_upload(h: &RulesHarness) {
    upload_case(h, "multipart upload", true).await;
}

/// Sharing an available file (idempotent: the retry just shares again).
pub async fn faults_in_share(h: &RulesHarness) {
    let act = async |rig: &Rig<'_>, id: &mut FileId| {
        rig.faulty.share(&rig.alice, id, &rig.bob, None).await?;
        Ok(Expect::Shared(*id))
    };
    drive(h, "share", async |rig: &Rig<'_>| rig.available().await.id, act).await;
}

/// A retried step whose first attempt took effect may answer "not found": the client's goal is met.
fn done_if_gone(result: Result<()>, expect: Expect) -> Result<Expect> {
    match result {
        Ok(()) | Err(Error::NotFound { .. }) => Ok(expect),
        Err(e) => Err(e),
    }
}

/// Revoking a share.
pub async fn faults_in_unshare(h: &RulesHarness) {
    let setup = async |rig: &Rig<'_>| {
        let file = rig.available().await;
        if let Err(e) = rig.clean.share(&rig.alice, &file.id, &rig.bob, None).await {
            panic!("setup share: {e}");
        }
        (file.id, false)
    };
    let act = async |rig: &Rig<'_>, (id, tried): &mut (FileId, bool)| {
        let result = rig.faulty.unshare(&rig.alice, id, &rig.bob).await;
        let retry = std::mem::replace(tried, true);
        if retry {
            done_if_gone(result, Expect::Unshared(*id))
        } else {
            result.map(|()| Expect::Unshared(*id))
        }
    };
    drive(h, "unshare", setup, act).await;
}

/// Deleting `setup`'s file, retried as a client would (a retry may find it gone).
async fn delete_case<S>(h: &RulesHarness, name: &str, setup: S)
where
    S: AsyncFn(&Rig<'_>) -> FileId,
{
    let setup = async |rig: &Rig<'_>| (setup(rig).await, false);
    let act = async |rig: &Rig<'_>, (id, tried): &mut (FileId, bool)| {
        let result = rig.faulty.delete(&rig.alice, id).await;
        let retry = std::mem::replace(tried, true);
        if retry {
            done_if_gone(result, Expect::Deleted(*id))
        } else {
            result.map(|()| Expect::Deleted(*id))
        }
    };
    drive(h, name, setup, act).await;
}

/// Deleting an available file that is shared and has a link.
pub async fn faults_in_delete(h: &RulesHarness) {
    let setup = async |rig: &Rig<'_>| {
        let file = rig.available().await;
        if let Err(e) = rig.clean.share(&rig.alice, &file.id, &rig.bob, None).await {
            panic!("setup share: {e}");
        }
        if let Err(e) = rig.clean.create_link(&rig.alice, &file.id, LinkOptions::default()).await {
            panic!("setup link: {e}");
        }
        file.id
    };
    delete_case(h, "delete", setup).await;
}

/// Deleting a multipart upload whose parts were sent but that was never completed.
pub async fn faults_in_delete_of_a_pending_multipart_upload(h: &RulesHarness) {
    let setup = async |rig: &Rig<'_>| {
        let request = UploadRequest {
            multipart: true,
            ..UploadRequest::new("big.bin", MIN_PART + 1, "application/octet-stream")
        };
        let ticket = rig.clean.create_upload(&rig.alice, request).await.unwrap_or_else(|e| panic!("setup: {e}"));
        send(rig, &ticket, &Upload::new(true).data).await;
        ticket.file.id
    };
    delete_case(h, "delete of a pending multipart upload", setup).await;
}

/// Discarding an abandoned upload whose bytes arrived but which was never completed.
pub async fn faults_in_discard(h: &RulesHarness) {
    let setup = async |rig: &Rig<'_>| {
        let upload = Upload::new(false);
        let request = UploadRequest::new("abandoned.bin", upload.data.len() as u64, "application/octet-stream");
        let ticket = rig.clean.create_upload(&rig.alice, request).await.unwrap_or_else(|e| panic!("setup: {e}"));
        send(rig, &ticket, &upload.data).await;
        rig.past_every_expiry();
        ticket.file
    };
    let act = async |rig: &Rig<'_>, file: &mut FileRecord| {
        rig.faulty.discard_abandoned_upload(&file.key(), None).await?;
        Ok(Expect::Deleted(file.id))
    };
    drive(h, "discard", setup, act).await;
}

/// Creating a link (a retry after a lost answer makes a second link; only the one the client
/// learns of is handed out).
pub async fn faults_in_create_link(h: &RulesHarness) {
    let act = async |rig: &Rig<'_>, id: &mut FileId| {
        let created = rig.faulty.create_link(&rig.alice, id, LinkOptions::default()).await?;
        Ok(Expect::Linked(created.token))
    };
    drive(h, "create link", async |rig: &Rig<'_>| rig.available().await.id, act).await;
}

/// Redeeming a password link with two downloads: the retry after a fault still gets a URL, and a
/// fault never hands out more than the limit (the audit of the count is the conformance suite's).
pub async fn faults_in_redeem_link(h: &RulesHarness) {
    let options = LinkOptions { password: Some("let me in".into()), max_downloads: Some(2), ..LinkOptions::default() };
    let act = async |rig: &Rig<'_>, token: &mut LinkToken| {
        let url = rig.faulty.redeem_link(token, Some("let me in")).await?;
        Ok(Expect::Redeemed(url.url))
    };
    drive(h, "redeem link", async |rig: &Rig<'_>| rig.link(options.clone()).await, act).await;
}

/// Revoking a link (a retry may find it gone).
pub async fn faults_in_revoke_link(h: &RulesHarness) {
    let setup = async |rig: &Rig<'_>| (rig.link(LinkOptions::default()).await, false);
    let act = async |rig: &Rig<'_>, (token, tried): &mut (LinkToken, bool)| {
        let result = rig.faulty.revoke_link(&rig.alice, &token.id()).await;
        let retry = std::mem::replace(tried, true);
        if retry {
            done_if_gone(result, Expect::Revoked(token.clone()))
        } else {
            result.map(|()| Expect::Revoked(token.clone()))
        }
    };
    drive(h, "revoke link", setup, act).await;
}
