//! What this store did since it was opened, counted in memory for the host's metrics:
//! transactions by how they ended, retries after a race, audit events by action, and the
//! outcomes of email and webhook delivery attempts. Plain atomics on the write path; the
//! audit actions' counts take a short lock once per transaction that wrote events.
//!
//! Also what the metrics read from the database when scraped: the outbox's and the webhook
//! queue's backlog, and how far each feed consumer is behind the audit chains.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use siteward_core::Timestamp;
use siteward_core::audit::AuditEvent;
use surrealdb::types::SurrealValue;

use crate::error::StorageError;
use crate::rows::key;
use crate::{Store, feeds};

/// The counters behind [`StoreStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    committed: AtomicU64,
    refused: AtomicU64,
    raced_out: AtomicU64,
    failed: AtomicU64,
    retries: AtomicU64,
    audit_events: Mutex<BTreeMap<String, u64>>,
    /// Every audit event committed, raised after its transaction is visible.
    audit_written: AtomicU64,
    emails: [AtomicU64; 3],
    webhooks: [AtomicU64; 3],
}

/// How a transaction ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ended {
    /// Applied.
    Committed,
    /// A guard refused it (a business conflict: the record moved on, a duplicate).
    Refused,
    /// It lost a race for the same records every time it was tried.
    RacedOut,
    /// The database failed it.
    Failed,
}

impl Ended {
    /// The ending as metrics and traces name it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Committed => "committed",
            Self::Refused => "refused",
            Self::RacedOut => "raced_out",
            Self::Failed => "failed",
        }
    }
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Attempted {
    /// Accepted by the server.
    Delivered = 0,
    /// To be tried again.
    Retry = 1,
    /// Given up.
    Failed = 2,
}

impl Counters {
    pub(crate) fn ended(&self, ended: Ended, events: &[Vec<AuditEvent>]) {
        let counter = match ended {
            Ended::Committed => &self.committed,
            Ended::Refused => &self.refused,
            Ended::RacedOut => &self.raced_out,
            Ended::Failed => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if matches!(ended, Ended::Committed) && !events.is_empty() {
            let written = events.iter().map(Vec::len).sum::<usize>();
            self.audit_written
                .fetch_add(written as u64, Ordering::Release);
            let mut counts = self
                .audit_events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for event in events.iter().flatten() {
                let action = event.action.as_str();
                match counts.get_mut(action) {
                    Some(count) => *count += 1,
                    None => {
                        counts.insert(action.to_owned(), 1);
                    }
                }
            }
        }
    }

    pub(crate) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn email(&self, outcome: Attempted) {
        self.emails[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn webhook(&self, outcome: Attempted) {
        self.webhooks[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }
}

/// Delivery attempts by how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Accepted.
    pub delivered: u64,
    /// To be tried again.
    pub retry: u64,
    /// Given up.
    pub failed: u64,
}

impl Attempts {
    fn read(counters: &[AtomicU64; 3]) -> Self {
        Self {
            delivered: counters[0].load(Ordering::Relaxed),
            retry: counters[1].load(Ordering::Relaxed),
            failed: counters[2].load(Ordering::Relaxed),
        }
    }
}

/// What this store did since it was opened (this process only).
#[derive(Debug, Clone, Default)]
pub struct StoreStats {
    /// Transactions applied.
    pub committed: u64,
    /// Transactions a guard refused (a business conflict, answered as 409).
    pub refused: u64,
    /// Transactions that lost a race for the same records on every attempt.
    pub raced_out: u64,
    /// Transactions the database failed.
    pub failed: u64,
    /// Attempts that lost a race and were tried again.
    pub retries: u64,
    /// Audit events written, by action.
    pub audit_events: BTreeMap<String, u64>,
    /// Email delivery attempts.
    pub emails: Attempts,
    /// Webhook delivery attempts.
    pub webhooks: Attempts,
}

/// What waits in a delivery queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Messages or calls not yet delivered nor given up.
    pub pending: u64,
    /// When the oldest of them was written.
    pub oldest: Option<Timestamp>,
}

impl Store {
    /// How many audit events this process has committed since the store was opened (through
    /// any clone of it); raised once each transaction's events are visible to readers. A
    /// worker that read this before a round and finds it unchanged knows no event was written
    /// here since — on embedded storage, where this process is the only writer, none at all.
    pub fn audit_events_written(&self) -> u64 {
        self.counters.audit_written.load(Ordering::Acquire)
    }

    /// What this store did since it was opened.
    pub fn stats(&self) -> StoreStats {
        let c = &self.counters;
        StoreStats {
            committed: c.committed.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            raced_out: c.raced_out.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            audit_events: c
                .audit_events
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone(),
            emails: Attempts::read(&c.emails),
            webhooks: Attempts::read(&c.webhooks),
        }
    }

    /// The outbox's and the webhook queue's backlogs (through their status indexes).
    pub async fn backlogs(&self) -> Result<(Backlog, Backlog), StorageError> {
        let mut response = self
            .db
            .query(
                "RETURN { pending: array::len(SELECT VALUE id FROM outbox_message WHERE status = 'pending'), \
                 oldest: array::min(SELECT VALUE created_at FROM outbox_message WHERE status = 'pending') }",
            )
            .query(
                "RETURN { pending: array::len(SELECT VALUE id FROM webhook_delivery WHERE status = 'pending'), \
                 oldest: array::min(SELECT VALUE created_at FROM webhook_delivery WHERE status = 'pending') }",
            )
            .await
            .map_err(StorageError::backend)?;
        let mut backlog = |n: usize| -> Result<Backlog, StorageError> {
            let row: Option<BacklogRow> = response.take(n).map_err(StorageError::backend)?;
            Ok(row.map_or_else(Backlog::default, |row| Backlog {
                pending: u64::try_from(row.pending).unwrap_or(0),
                oldest: row.oldest,
            }))
        };
        Ok((backlog(0)?, backlog(1)?))
    }

    /// How many audit events each feed consumer (a notification hook, an audit stream) has
    /// yet to handle: over every chain, its head less the consumer's position (a chain the
    /// consumer has no position in is new to it, and counts whole).
    pub async fn feed_lags(&self) -> Result<BTreeMap<String, u64>, StorageError> {
        let heads = self.chain_heads().await?;
        let rows: Vec<feeds::CursorRow> = self
            .db
            .query("SELECT id, seq FROM feed_cursor")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let mut positions: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for row in rows {
            let id = key(&row.id);
            let Some((consumer, chain)) = id.split_once('|') else {
                continue;
            };
            let at = positions.entry(consumer.to_owned()).or_default();
            if chain != feeds::STARTED {
                at.insert(chain.to_owned(), u64::try_from(row.seq).unwrap_or(0));
            }
        }
        Ok(positions
            .into_iter()
            .map(|(consumer, at)| {
                let behind = heads
                    .iter()
                    .map(|(chain, head)| {
                        head.seq.saturating_sub(at.get(chain).copied().unwrap_or(0))
                    })
                    .sum();
                (consumer, behind)
            })
            .collect())
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct BacklogRow {
    pending: i64,
    oldest: Option<Timestamp>,
}
