//! Feeds: consumers of the audit trail (notification hooks) reading each tenant chain in order.
//!
//! A consumer keeps one cursor per chain: the last position it handled. What it produces for
//! a run of events (emails, here) is written in the same transaction that moves its cursor,
//! guarded on the cursor being where the consumer read it — so two hosts working the same
//! feed cannot both send, and a crash between reading and writing loses nothing: the events
//! are read again. Chain positions have no gaps, so nothing is skipped either.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::audit::AuditEvent;
use siteward_core::audit::chain::Head;
use siteward_core::ids::PartnerId;

use crate::Store;
use crate::digests::{DigestItem, DigestRow};
use crate::error::{Conflict, StorageError};
use crate::outbox::{OutboxMessage, OutboxRow};
use crate::rows::{ChainHeadRow, key, rid};
use crate::tx::Tx;
use crate::webhooks::{DeliveryRow, WebhookDelivery};

/// The cursor key that marks when a consumer started.
pub(crate) const STARTED: &str = "*";

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct CursorRow {
    pub(crate) id: RecordId,
    pub(crate) seq: i64,
}

pub(crate) fn cursor_id(consumer: &str, chain: &str) -> RecordId {
    rid("feed_cursor", &format!("{consumer}|{chain}"))
}

/// What a consumer produced for a run of events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedOutput {
    /// Emails to send.
    pub emails: Vec<OutboxMessage>,
    /// Webhook calls to make.
    pub webhooks: Vec<WebhookDelivery>,
    /// Emails to hold for their recipients' digests.
    pub digests: Vec<DigestItem>,
    /// Where these deliveries count toward the consumer's hourly volume, if anywhere.
    pub volume: Option<VolumeKey>,
}

/// A partner and a clock hour: what a consumer's deliveries are counted under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeKey {
    /// The partner the deliveries were for.
    pub partner: PartnerId,
    /// The start of the hour.
    pub hour: DateTime<Utc>,
}

fn volume_id(consumer: &str, partner: &PartnerId) -> RecordId {
    rid("feed_volume", &format!("{consumer}|{partner}"))
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct VolumeRow {
    hour: DateTime<Utc>,
    n: i64,
}

impl FeedOutput {
    /// Whether there is nothing to write besides the cursor.
    pub fn is_empty(&self) -> bool {
        self.deliveries() == 0
    }

    /// How many deliveries this is: an email to one address, a digest item and a webhook call
    /// count one each.
    pub fn deliveries(&self) -> usize {
        self.emails.len() + self.webhooks.len() + self.digests.len()
    }

    /// Adds what another run produced (counted where this run's deliveries are).
    pub fn extend(&mut self, other: FeedOutput) {
        self.emails.extend(other.emails);
        self.webhooks.extend(other.webhooks);
        self.digests.extend(other.digests);
        if self.volume.is_none() {
            self.volume = other.volume;
        }
    }
}

/// Where a consumer stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedCursors {
    /// Whether the consumer has started (chains without a cursor are then new to it).
    pub started: bool,
    /// The last position handled, per chain.
    pub chains: HashMap<String, u64>,
}

impl Store {
    /// Every tenant chain with its head.
    pub async fn chain_heads(&self) -> Result<Vec<(String, Head)>, StorageError> {
        let rows: Vec<ChainHeadRow> = self
            .db
            .query("SELECT id, seq, hash FROM audit_chain")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows.into_iter().map(ChainHeadRow::into_head).collect())
    }

    /// A consumer's cursors.
    pub async fn feed_cursors(&self, consumer: &str) -> Result<FeedCursors, StorageError> {
        let rows: Vec<CursorRow> = self
            .db
            .query("SELECT id, seq FROM feed_cursor WHERE string::starts_with(record::id(id), $prefix)")
            .bind(("prefix", format!("{consumer}|")))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let mut cursors = FeedCursors::default();
        for row in rows {
            let id = key(&row.id);
            let chain = id.split_once('|').map_or("", |(_, chain)| chain);
            if chain == STARTED {
                cursors.started = true;
            } else {
                cursors
                    .chains
                    .insert(chain.to_owned(), u64::try_from(row.seq).unwrap_or_default());
            }
        }
        Ok(cursors)
    }

    /// Starts a consumer at the chains' current heads: it reads what happens from now on.
    pub async fn start_feed(
        &self,
        consumer: &str,
        heads: &[(String, Head)],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("started", cursor_id(consumer, STARTED))
            .guard("CREATE $started SET seq = 0", Conflict::Concurrent);
        for (n, (chain, head)) in heads.iter().enumerate() {
            tx.bind(&format!("cursor_{n}"), cursor_id(consumer, chain))
                .bind(&format!("seq_{n}"), head.seq as i64)
                .run(format!("UPSERT $cursor_{n} SET seq = $seq_{n}"));
        }
        tx.commit(self).await
    }

    /// The deliveries `consumer` caused for `partner` in the clock hour starting at `hour`.
    pub async fn feed_volume(
        &self,
        consumer: &str,
        partner: &PartnerId,
        hour: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let row: Option<VolumeRow> = self
            .db
            .query("SELECT hour, n FROM ONLY $volume")
            .bind(("volume", volume_id(consumer, partner)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(row
            .filter(|row| row.hour == hour)
            .map_or(0, |row| u64::try_from(row.n).unwrap_or_default()))
    }

    /// Up to `limit` events of `chain` after position `after`, in chain order.
    pub async fn chain_events(
        &self,
        chain: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<(u64, AuditEvent)>, StorageError> {
        let rows = self.chain_rows(chain, after, limit).await?;
        rows.into_iter()
            .map(|row| {
                let seq = row.link().map_or(0, |link| link.seq);
                Ok((seq, row.into_event()?))
            })
            .collect()
    }

    /// Moves a consumer's cursor in `chain` from `from` (`None`: it had none) to `to`, writing
    /// what it produced for those events in the same transaction (and counting its deliveries
    /// toward its hourly volume, where `output.volume` says). Fails with
    /// [`Conflict::Concurrent`] when the cursor was moved meanwhile (another host handled the
    /// events); nothing is written then.
    pub async fn advance_feed(
        &self,
        consumer: &str,
        chain: &str,
        from: Option<u64>,
        to: u64,
        output: &FeedOutput,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("cursor", cursor_id(consumer, chain))
            .bind("from", from.map(|seq| seq as i64))
            .bind("to", to as i64)
            .guard(
                "IF (SELECT VALUE seq FROM ONLY $cursor) != $from { THROW 'moved' }",
                Conflict::Concurrent,
            )
            .run("UPSERT $cursor SET seq = $to");
        if !output.emails.is_empty() {
            let rows: Vec<OutboxRow> = output.emails.iter().map(OutboxRow::from_message).collect();
            tx.bind("emails", rows)
                .run("INSERT INTO outbox_message $emails RETURN NONE");
        }
        if !output.webhooks.is_empty() {
            let rows: Vec<DeliveryRow> = output
                .webhooks
                .iter()
                .map(DeliveryRow::from_delivery)
                .collect();
            tx.bind("webhooks", rows)
                .run("INSERT INTO webhook_delivery $webhooks RETURN NONE");
        }
        if !output.digests.is_empty() {
            let rows: Vec<DigestRow> = output.digests.iter().map(DigestRow::from_item).collect();
            tx.bind("digests", rows)
                .run("INSERT INTO digest_item $digests RETURN NONE");
        }
        if let Some(volume) = output.volume.as_ref().filter(|_| !output.is_empty()) {
            // A record from an earlier hour starts counting again.
            tx.bind("volume", volume_id(consumer, &volume.partner))
                .bind("hour", volume.hour)
                .bind("added", output.deliveries() as i64)
                .run(
                    "UPSERT $volume SET n = IF hour = $hour { n + $added } ELSE { $added }, \
                     hour = $hour",
                );
        }
        tx.commit(self).await
    }
}
