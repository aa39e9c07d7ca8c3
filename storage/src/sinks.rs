//! Continuous audit streams: a sink reads tenant chains through feed cursors (consumer
//! `sink/<name>`) and writes one batch at a time. The batch is recorded before it is written
//! and cleared in the transaction that moves the cursor, so after a crash the same batch —
//! same chain, same positions — is written again, never a different one.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::Timestamp;

use crate::Store;
use crate::error::{Conflict, StorageError};
use crate::feeds::cursor_id;
use crate::rows::rid;
use crate::tx::Tx;

/// A batch a sink is writing: the events of `chain` after position `from` up to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkBatch {
    /// The chain.
    pub chain: String,
    /// The sink's cursor in the chain before the batch (`None`: it had none).
    pub from: Option<u64>,
    /// The last position in the batch.
    pub to: u64,
}

/// Where a sink stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkState {
    /// Bytes of its file that hold committed batches (file sinks).
    pub offset: u64,
    /// The batch being written, if one is.
    pub pending: Option<SinkBatch>,
    /// Until when the host writing it holds it.
    pub lease_until: Option<Timestamp>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SinkRow {
    id: RecordId,
    offset: i64,
    pending_chain: Option<String>,
    pending_from: Option<i64>,
    pending_to: Option<i64>,
    lease_until: Option<DateTime<Utc>>,
}

fn sink_id(sink: &str) -> RecordId {
    rid("audit_sink", sink)
}

fn consumer(sink: &str) -> String {
    format!("sink/{sink}")
}

impl Store {
    /// A sink's state (a new sink has written nothing).
    pub async fn sink_state(&self, sink: &str) -> Result<SinkState, StorageError> {
        let rows: Vec<SinkRow> = self
            .db
            .query("SELECT * FROM $sink")
            .bind(("sink", sink_id(sink)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let Some(row) = rows.into_iter().next() else {
            return Ok(SinkState::default());
        };
        let pending = match (row.pending_chain, row.pending_to) {
            (Some(chain), Some(to)) => Some(SinkBatch {
                chain,
                from: row.pending_from.map(|seq| seq as u64),
                to: to as u64,
            }),
            _ => None,
        };
        Ok(SinkState {
            offset: u64::try_from(row.offset).unwrap_or_default(),
            pending,
            lease_until: row.lease_until,
        })
    }

    /// Takes `batch` for writing until `lease_until`: recorded as the sink's pending batch.
    /// Fails with [`Conflict::Concurrent`] while another host's lease on the sink runs, or when
    /// a different batch is pending.
    pub async fn begin_sink_batch(
        &self,
        sink: &str,
        batch: &SinkBatch,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("sink", sink_id(sink))
            .bind("chain", batch.chain.clone())
            .bind("from", batch.from.map(|seq| seq as i64))
            .bind("to", batch.to as i64)
            .bind("now", now)
            .bind("lease_until", lease_until)
            .guard(
                "IF (SELECT VALUE lease_until FROM ONLY $sink) > $now { THROW 'busy' }",
                Conflict::Concurrent,
            )
            .guard(
                "IF (SELECT VALUE pending_to FROM ONLY $sink) NOT IN [NONE, $to] { THROW 'other' }",
                Conflict::Concurrent,
            )
            .run(
                "UPSERT $sink SET pending_chain = $chain, pending_from = $from, pending_to = $to, \
                 lease_until = $lease_until",
            );
        tx.commit(self).await
    }

    /// Records that `batch` is written, its file now `offset` bytes long: the sink's cursor in
    /// the chain moves to the batch's end and nothing is pending, in one transaction.
    pub async fn finish_sink_batch(
        &self,
        sink: &str,
        batch: &SinkBatch,
        offset: u64,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("sink", sink_id(sink))
            .bind("cursor", cursor_id(&consumer(sink), &batch.chain))
            .bind("from", batch.from.map(|seq| seq as i64))
            .bind("to", batch.to as i64)
            .bind("offset", offset as i64)
            .guard(
                "IF (SELECT VALUE pending_to FROM ONLY $sink) != $to { THROW 'not pending' }",
                Conflict::Concurrent,
            )
            .guard(
                "IF (SELECT VALUE seq FROM ONLY $cursor) != $from { THROW 'moved' }",
                Conflict::Concurrent,
            )
            .run("UPSERT $cursor SET seq = $to")
            .run(
                "UPDATE $sink SET offset = $offset, pending_chain = NONE, pending_from = NONE, \
                 pending_to = NONE, lease_until = NONE",
            );
        tx.commit(self).await
    }
}
