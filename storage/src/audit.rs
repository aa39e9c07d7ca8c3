//! Reading the audit log and verifying its chains. Events are written, and linked into their
//! tenant's chain, by the transactions that make the changes ([`crate::tx::Tx::audit`]).

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::audit::chain::{Checkpoint, Head, Verification, Verifier};
use siteward_core::audit::{AuditEvent, AuditFilter, AuditScope};
use siteward_core::page::{Page, PageRequest};

use crate::Store;
use crate::error::{Conflict, StorageError};
use crate::rows::{AuditEventRow, ChainHeadRow, key, rid};
use crate::tx::Tx;

/// How many events verification reads per query.
const VERIFY_BATCH: u32 = 1_000;

impl Store {
    /// Lists audit events of a scope with the filters applied, oldest first (newest first when
    /// the filter asks).
    pub async fn audit_events(
        &self,
        scope: &AuditScope,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>, StorageError> {
        let mut vars = Variables::new();
        let mut conditions = vec![match scope {
            AuditScope::Platform => "true",
            AuditScope::Partner(p) => {
                vars.insert("scope_id", p.to_string());
                "partner_id = $scope_id"
            }
            AuditScope::Site(s) => {
                vars.insert("scope_id", s.to_string());
                "site_id = $scope_id"
            }
        }];
        if let Some(actor) = &filter.actor {
            vars.insert("actor", actor.clone());
            conditions.push("actor_id = $actor");
        }
        if let Some(action) = filter.action {
            vars.insert("action", action.as_str());
            conditions.push("action = $action");
        }
        if let Some(from) = filter.from {
            vars.insert("from", from);
            conditions.push("at >= $from");
        }
        if let Some(to) = filter.to {
            vars.insert("to", to);
            conditions.push("at < $to");
        }
        let rows: Vec<AuditEventRow> = self
            .page_in_order(
                "audit_event",
                &conditions.join(" AND "),
                vars,
                page,
                str::to_owned,
                filter.newest_first,
            )
            .await?;
        let events = rows
            .into_iter()
            .map(AuditEventRow::into_event)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(events, page.limit, |e| e.id.as_str()))
    }
}

/// What verifying one tenant's chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// The chain's name (`platform`, `partner/<id>`, `site/<id>`).
    pub chain: String,
    /// The chain's recorded head.
    pub head: Head,
    /// Where retention cut the chain, if it did.
    pub checkpoint: Option<Checkpoint>,
    /// The walk: events checked, the last intact link, the first broken one.
    pub verification: Verification,
    /// Events of the chain's tenant that carry no link at all (recorded before chaining, or
    /// written around it).
    pub unchained: u64,
}

impl ChainReport {
    /// Whether every link holds and no event sits outside the chain.
    pub fn is_intact(&self) -> bool {
        self.verification.broken.is_none() && self.unchained == 0
    }
}

/// What applying retention to a chain did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retention {
    /// No event was old enough.
    NothingToDrop,
    /// This many events were dropped behind a new checkpoint.
    Dropped(u64),
    /// The chain does not verify, so nothing was dropped: the evidence stays.
    Refused(Box<ChainReport>),
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct CheckpointRow {
    id: RecordId,
    seq: i64,
    hash: String,
    at: DateTime<Utc>,
    signature: String,
}

impl CheckpointRow {
    fn into_checkpoint(self) -> Checkpoint {
        Checkpoint {
            chain: key(&self.id),
            seq: u64::try_from(self.seq).unwrap_or_default(),
            hash: self.hash,
            at: self.at,
            signature: self.signature,
        }
    }
}

impl Store {
    /// Up to `limit` stored events of `chain` after position `after`, in chain order.
    pub(crate) async fn chain_rows(
        &self,
        chain: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEventRow>, StorageError> {
        self.db
            .query(
                "SELECT * FROM audit_event WHERE chain = $chain AND seq > $after \
                 ORDER BY seq LIMIT $limit",
            )
            .bind(("chain", chain.to_owned()))
            .bind(("after", after as i64))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)
    }

    /// The chains of a scope: every chain for the platform, the tenant's own otherwise.
    pub async fn audit_chains(&self, scope: &AuditScope) -> Result<Vec<String>, StorageError> {
        if !matches!(scope, AuditScope::Platform) {
            return Ok(vec![scope.chain_name()]);
        }
        let ids: Vec<RecordId> = self
            .db
            .query("SELECT VALUE id FROM audit_chain ORDER BY id")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(ids.iter().map(key).collect())
    }

    /// Walks `chain` from its start (or its retention checkpoint, whose signature is checked
    /// with `checkpoint_key`) to its recorded head, and reports the first broken link.
    pub async fn verify_audit_chain(
        &self,
        chain: &str,
        checkpoint_key: Option<&[u8]>,
    ) -> Result<ChainReport, StorageError> {
        let (head, checkpoint) = self.chain_ends(chain).await?;
        let verifier = self
            .walk_chain(chain, checkpoint.as_ref(), checkpoint_key, u64::MAX)
            .await?;
        let verification = verifier.finish(&head);
        self.chain_report(chain, head, checkpoint, verification)
            .await
    }

    /// The recorded head of `chain` and its retention checkpoint, if it was ever cut.
    async fn chain_ends(&self, chain: &str) -> Result<(Head, Option<Checkpoint>), StorageError> {
        let mut response = self
            .db
            .query("SELECT * FROM $head; SELECT * FROM $checkpoint")
            .bind(("head", rid("audit_chain", chain)))
            .bind(("checkpoint", rid("audit_checkpoint", chain)))
            .await
            .map_err(StorageError::backend)?;
        let head: Option<ChainHeadRow> = response.take(0).map_err(StorageError::backend)?;
        let checkpoint: Option<CheckpointRow> = response.take(1).map_err(StorageError::backend)?;
        Ok((
            head.map_or_else(Head::genesis, |row| row.into_head().1),
            checkpoint.map(CheckpointRow::into_checkpoint),
        ))
    }

    /// Checks the links of `chain` from `checkpoint` (or its start) through position
    /// `through`, stopping at the first broken one.
    async fn walk_chain(
        &self,
        chain: &str,
        checkpoint: Option<&Checkpoint>,
        checkpoint_key: Option<&[u8]>,
        through: u64,
    ) -> Result<Verifier, StorageError> {
        let mut verifier = match (checkpoint, checkpoint_key) {
            (None, _) => Verifier::new(),
            (Some(checkpoint), Some(key)) => Verifier::from_checkpoint(checkpoint, key),
            (Some(checkpoint), None) => Verifier::unverifiable(checkpoint),
        };
        let mut after = checkpoint.map_or(0, |c| c.seq);
        while after < through {
            let limit = VERIFY_BATCH.min(u32::try_from(through - after).unwrap_or(u32::MAX));
            let rows = self.chain_rows(chain, after, limit).await?;
            let last = rows.len() < limit as usize;
            for row in rows {
                let link = row.link().ok_or_else(|| {
                    StorageError::Invalid("an audit event of a chain has no link".to_owned())
                })?;
                after = link.seq;
                let event = row.into_event()?;
                if !verifier.next(&event, &link) {
                    return Ok(verifier);
                }
            }
            if last {
                break;
            }
        }
        Ok(verifier)
    }

    async fn chain_report(
        &self,
        chain: &str,
        head: Head,
        checkpoint: Option<Checkpoint>,
        verification: Verification,
    ) -> Result<ChainReport, StorageError> {
        let tenant = match chain.split_once('/') {
            Some(("site", id)) => Some(("site_id = $id", id)),
            Some(("partner", id)) => Some(("site_id = NONE AND partner_id = $id", id)),
            _ => None,
        };
        let condition = tenant.map_or("partner_id = NONE AND site_id = NONE", |(c, _)| c);
        let unchained: Option<i64> = self
            .db
            .query(format!(
                "SELECT VALUE count() FROM audit_event WHERE {condition} AND seq = NONE GROUP ALL"
            ))
            .bind(("id", tenant.map_or("", |(_, id)| id).to_owned()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(ChainReport {
            chain: chain.to_owned(),
            verification,
            head,
            checkpoint,
            unchained: unchained.map_or(0, |n| u64::try_from(n).unwrap_or_default()),
        })
    }
}

impl Store {
    /// Drops the events of `chain` recorded before `before`, keeping the rest verifiable: the
    /// last dropped event's link becomes the chain's checkpoint, signed with `key`. The
    /// retention's own audit event (`event_for(dropped)`, of this chain) is written in the same
    /// transaction. The events to drop are verified first, and nothing is dropped when they do
    /// not verify: the evidence stays. Only they are read, so a round costs what it drops;
    /// the events kept are not vouched for by the cut and stay as verifiable as before.
    pub async fn apply_audit_retention(
        &self,
        chain: &str,
        before: Timestamp,
        key: &[u8],
        now: Timestamp,
        event_for: impl FnOnce(u64) -> siteward_core::audit::AuditEvent,
    ) -> Result<Retention, StorageError> {
        let (head, checkpoint) = self.chain_ends(chain).await?;
        let since = checkpoint.as_ref().map_or(0, |c| c.seq);
        // Cut before the first event to keep, so that every dropped event is old enough.
        let first_kept: Option<i64> = self
            .db
            .query(
                "SELECT VALUE seq FROM audit_event WHERE chain = $chain AND seq > $since \
                 AND at >= $before ORDER BY seq LIMIT 1",
            )
            .bind(("chain", chain.to_owned()))
            .bind(("since", since as i64))
            .bind(("before", before))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let cut = first_kept.map_or(head.seq, |seq| seq.max(1) as u64 - 1);
        if cut <= since {
            return Ok(Retention::NothingToDrop);
        }
        let verification = self
            .walk_chain(chain, checkpoint.as_ref(), Some(key), cut)
            .await?
            .finish_through(cut);
        if verification.broken.is_some() {
            let report = self
                .chain_report(chain, head, checkpoint, verification)
                .await?;
            return Ok(Retention::Refused(Box::new(report)));
        }
        let hash = verification.head.hash;
        let checkpoint = Checkpoint::sign(chain, &Head { seq: cut, hash }, now, key);
        let dropped = cut - since;
        let mut tx = Tx::new();
        tx.bind("checkpoint", rid("audit_checkpoint", chain))
            .bind("chain", chain.to_owned())
            .bind("since", since as i64)
            .bind("cut", cut as i64)
            .bind("hash", checkpoint.hash.clone())
            .bind("at", checkpoint.at)
            .bind("signature", checkpoint.signature.clone())
            .guard(
                "IF ((SELECT VALUE seq FROM ONLY $checkpoint) ?? 0) != $since \
                 { THROW 'the chain was cut meanwhile' }",
                Conflict::Concurrent,
            )
            .run(
                "UPSERT $checkpoint SET seq = $cut, hash = $hash, at = $at, signature = $signature",
            )
            .run("DELETE audit_event WHERE chain = $chain AND seq <= $cut")
            .audit(&event_for(dropped));
        tx.commit(self).await?;
        Ok(Retention::Dropped(dropped))
    }

    /// An item for every change to an audit chain's head — every commit that wrote audit
    /// events — by this host or another on the same database (a live query). How a worker on
    /// shared storage learns that events were written without reading every chain each round.
    /// The stream ends when the subscription is lost (a dropped connection): subscribe again,
    /// and assume anything may have been written meanwhile.
    pub async fn watch_audit_chains(
        &self,
    ) -> Result<
        impl futures_util::Stream<Item = Result<(), StorageError>> + Send + Unpin + use<>,
        StorageError,
    > {
        use futures_util::StreamExt;
        let stream: surrealdb::Stream<Vec<surrealdb::types::Value>> = self
            .db
            .select("audit_chain")
            .live()
            .await
            .map_err(StorageError::backend)?;
        Ok(stream.map(|notification| notification.map(|_| ()).map_err(StorageError::backend)))
    }
}
