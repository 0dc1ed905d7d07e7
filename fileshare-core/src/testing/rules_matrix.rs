//! The authorization matrix: every role × every operation, and proof that refusals change nothing.
//!
//! Redeeming a link takes no caller at all: holding the token is what counts, so every role —
//! and anyone without an account, which the HTTP tests cover — may. The type system keeps the
//! anonymous out of every other operation (they need a caller); the HTTP matrix checks its 401s.

use super::rules::{service, Service};
use super::{random_user, RulesHarness};
use crate::domain::{FileId, LinkToken, Scope, ShareLink, UserId};
use crate::service::{FileDetails, LinkOptions, ListRequest};
use crate::{ok, Error, Result};
use bytes::Bytes;
use chrono::{TimeDelta, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Owner,
    Grantee,
    ExpiredGrantee,
    Stranger,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    GetFile,
    DownloadUrl,
    GetBytes,
    Listed,
    Complete,
    Share,
    ListShares,
    Unshare,
    Delete,
    CreateLink,
    ListLinks,
    RevokeLink,
    RedeemLink,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    NotFound,
}

/// The rules: the owner may do anything; a current grantee may read and is `Forbidden` from owner-only
/// actions; an expired grantee and a stranger learn nothing (`NotFound`, not listed).
fn expected(role: Role, op: Op) -> Outcome {
    let reads = matches!(op, Op::GetFile | Op::DownloadUrl | Op::GetBytes | Op::Listed);
    match role {
        _ if op == Op::RedeemLink => Outcome::Allowed,
        Role::Owner => Outcome::Allowed,
        Role::Grantee if reads => Outcome::Allowed,
        Role::Grantee => Outcome::Forbidden,
        Role::ExpiredGrantee | Role::Stranger => Outcome::NotFound,
    }
}

struct Scene {
    service: Service,
    owner: UserId,
    grantee: UserId,
    expired: UserId,
    stranger: UserId,
    file: FileId,
    link: LinkToken,
}

async fn scene(h: &RulesHarness) -> Scene {
    h.clock.set(Utc::now());
    let service = service(h);
    let (owner, grantee, expired, stranger) =
        (random_user("owner"), random_user("grantee"), random_user("expired"), random_user("stranger"));
    let file = ok!(service.put_bytes(&owner, "plan.txt", "text/plain", Bytes::from_static(b"top secret")).await).id;
    ok!(service.share(&owner, &file, &grantee, None).await);
    ok!(service.share(&owner, &file, &expired, Some(h.clock.now_plus(TimeDelta::minutes(1)))).await);
    let link = ok!(service.create_link(&owner, &file, LinkOptions::default()).await).token;
    h.clock.advance(std::time::Duration::from_secs(120));
    Scene { service, owner, grantee, expired, stranger, file, link }
}

impl Scene {
    fn caller(&self, role: Role) -> &UserId {
        match role {
            Role::Owner => &self.owner,
            Role::Grantee => &self.grantee,
            Role::ExpiredGrantee => &self.expired,
            Role::Stranger => &self.stranger,
        }
    }

    /// Everything a refused request must leave untouched: the owner's view, links and the bytes.
    async fn snapshot(&self) -> (FileDetails, Vec<ShareLink>, Bytes) {
        let details = ok!(self.service.get_file(&self.owner, &self.file).await);
        let links = ok!(self.service.list_links(&self.owner, &self.file).await);
        let (_, bytes) = ok!(self.service.get_bytes(&self.owner, &self.file).await);
        (details, links, bytes)
    }

    async fn attempt(&self, role: Role, op: Op) -> Result<()> {
        let (s, caller, id) = (&self.service, self.caller(role), &self.file);
        match op {
            Op::GetFile => s.get_file(caller, id).await.map(drop),
            Op::DownloadUrl => s.download_url(caller, id, None).await.map(drop),
            Op::GetBytes => s.get_bytes(caller, id).await.map(drop),
            Op::Listed => {
                let page = s.list_files(caller, ListRequest::scope(Scope::All)).await?;
                let listed = page.items.iter().any(|e| &e.file.id == id);
                if listed {
                    Ok(())
                } else {
                    Err(Error::not_found("file", id))
                }
            }
            Op::Complete => s.complete_upload(caller, id, &[]).await.map(drop),
            Op::Share => s.share(caller, id, &random_user("newcomer"), None).await.map(drop),
            Op::ListShares => s.list_shares(caller, id, None, None).await.map(drop),
            Op::Unshare => s.unshare(caller, id, &self.grantee).await,
            Op::Delete => s.delete(caller, id).await,
            Op::CreateLink => s.create_link(caller, id, LinkOptions::default()).await.map(drop),
            Op::ListLinks => s.list_links(caller, id).await.map(drop),
            Op::RevokeLink => s.revoke_link(caller, &self.link.id()).await,
            Op::RedeemLink => s.redeem_link(&self.link, None).await.map(drop),
        }
    }
}

/// Every role × every operation gives the documented outcome; refused requests change nothing.
pub async fn authorization_matrix(h: &RulesHarness) {
    let roles = [Role::Owner, Role::Grantee, Role::ExpiredGrantee, Role::Stranger];
    let ops = [
        Op::GetFile,
        Op::DownloadUrl,
        Op::GetBytes,
        Op::Listed,
        Op::Complete,
        Op::Share,
        Op::ListShares,
        Op::Unshare,
        Op::Delete,
        Op::CreateLink,
        Op::ListLinks,
        Op::RevokeLink,
        Op::RedeemLink,
    ];
    let mut failures = Vec::new();
    for role in roles {
        for op in ops {
            let scene = scene(h).await;
            let before = scene.snapshot().await;
            let result = scene.attempt(role, op).await;
            let outcome = match &result {
                Ok(()) => Outcome::Allowed,
                Err(Error::Forbidden { .. }) => Outcome::Forbidden,
                Err(Error::NotFound { .. }) => Outcome::NotFound,
                Err(other) => panic!("{role:?} × {op:?}: unexpected error {other:?}"),
            };
            if outcome != expected(role, op) {
                failures.push(format!("{role:?} × {op:?}: expected {:?}, got {result:?}", expected(role, op)));
            }
            if outcome != Outcome::Allowed {
                let after = scene.snapshot().await;
                if after != before {
                    failures.push(format!("{role:?} × {op:?} was refused but changed state"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix failures:\n{}", failures.join("\n"));
}
