//! A transaction built as one SurrealQL batch: `BEGIN; ...; COMMIT;` with bound variables.
//!
//! A batch is one round trip on every engine, and SurrealDB applies all of it or none of it.
//! Statements that enforce a rule ("only one", "at least one") are marked with the
//! [`Conflict`] they stand for; when such a statement is the one that failed, the caller gets
//! that conflict, identified by the statement's position rather than by any error text.

use std::collections::BTreeMap;
use std::time::Duration;

use tracing::Instrument;

use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::audit::chain::{GENESIS, Head};
use siteward_core::audit::{Actor, AuditEvent};

use crate::error::{Conflict, StorageError};
use crate::rows::{AuditEventRow, ChainHeadRow, rid, site_admin_key};
use crate::stats::Ended;

/// How often a transaction that lost a race for the same records is tried again.
const ATTEMPTS: u32 = 12;

/// What a statement stands for when it fails.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// An ordinary statement: its failure is a backend error.
    Plain,
    /// A rule: its failure means this conflict.
    Guard(Conflict),
    /// The check that an audit chain's head is where this attempt read it: its failure means
    /// another transaction appended first, and the attempt is retried.
    ChainHead,
}

#[derive(Debug, Default)]
pub(crate) struct Tx {
    statements: Vec<(String, Role)>,
    vars: Variables,
    /// The audit events of each `INSERT INTO audit_event $audit_N`, linked into their chains
    /// when the transaction is attempted (the links depend on the chains' heads then).
    audit: Vec<Vec<AuditEvent>>,
}

impl Tx {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Binds `$name` for the statements of this transaction.
    pub(crate) fn bind(&mut self, name: &str, value: impl SurrealValue) -> &mut Self {
        self.vars.insert(name, value);
        self
    }

    /// Adds a statement. A transaction reads no statement's result, only whether it failed:
    /// a statement that writes many rows ends in `RETURN NONE`, or SurrealDB builds each row
    /// it wrote as the statement's answer and hands them all back, to be dropped (raw batches
    /// of 1,000 invitations alternating with and without it: 2–5% more per second, #19).
    pub(crate) fn run(&mut self, sql: impl Into<String>) -> &mut Self {
        self.statements.push((sql.into(), Role::Plain));
        self
    }

    /// Adds a statement whose failure (a `THROW`, or creating a record that exists) means
    /// the transaction ran into `conflict`.
    pub(crate) fn guard(&mut self, sql: impl Into<String>, conflict: Conflict) -> &mut Self {
        self.statements.push((sql.into(), Role::Guard(conflict)));
        self
    }

    /// Appends an audit event, written in the same transaction as the change it records.
    pub(crate) fn audit(&mut self, event: &AuditEvent) -> &mut Self {
        self.audit_all(std::slice::from_ref(event))
    }

    /// Appends audit events as one statement (one insert of many rows).
    pub(crate) fn audit_all(&mut self, events: &[AuditEvent]) -> &mut Self {
        if events.is_empty() {
            return self;
        }
        let name = format!("audit_{}", self.audit.len());
        self.audit.push(events.to_vec());
        self.run(format!("INSERT INTO audit_event ${name} RETURN NONE"))
    }

    /// Runs the batch; all of it is applied, or none of it. A batch that lost a race for the
    /// same records (an audit chain's head, typically) is tried again, a few times.
    pub(crate) async fn commit(self, store: &crate::Store) -> Result<(), StorageError> {
        let span = tracing::info_span!(
            "db.transaction",
            statements = self.statements.len(),
            audit_events = self.audit.iter().map(Vec::len).sum::<usize>(),
            attempts = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        self.commit_in(store, &span).instrument(span.clone()).await
    }

    async fn commit_in(
        self,
        store: &crate::Store,
        span: &tracing::Span,
    ) -> Result<(), StorageError> {
        let counters = &store.counters;
        let mut attempt = 1;
        let (ended, result) = loop {
            match self.attempt(&store.db).await {
                Err(Failure::Raced) if attempt < ATTEMPTS => {
                    counters.retried();
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(Failure::Raced) => {
                    break (
                        Ended::RacedOut,
                        Err(StorageError::Conflict(Conflict::Concurrent)),
                    );
                }
                Err(Failure::Error(error @ StorageError::Conflict(_))) => {
                    break (Ended::Refused, Err(error));
                }
                Err(Failure::Error(error)) => break (Ended::Failed, Err(error)),
                Ok(()) => break (Ended::Committed, Ok(())),
            }
        };
        counters.ended(ended, &self.audit);
        span.record("attempts", attempt);
        span.record("outcome", ended.as_str());
        result
    }

    async fn attempt(&self, db: &Surreal<Any>) -> Result<(), Failure> {
        let mut vars = self.vars.clone();
        let mut statements: Vec<(&str, Role)> = self
            .statements
            .iter()
            .map(|(sql, role)| (sql.as_str(), *role))
            .collect();

        let read = chain_heads(db, self.audit.iter().flatten()).await?;
        let mut heads = read.clone();
        for (n, events) in self.audit.iter().enumerate() {
            let rows: Vec<AuditEventRow> = events
                .iter()
                .map(|event| {
                    let head = heads
                        .get_mut(&event.chain().chain_name())
                        .expect("every chain's head was read");
                    AuditEventRow::from_event(event, head.append(event))
                })
                .collect();
            vars.insert(format!("audit_{n}"), rows);
        }
        // A person's event at a site is their latest activity there, if they are one of its
        // technicians (the update changes nothing for anyone else).
        let mut activity: BTreeMap<String, &AuditEvent> = BTreeMap::new();
        for event in self.audit.iter().flatten() {
            if let (Actor::Account(account), Some(site)) = (&event.actor, &event.site_id) {
                let key = site_admin_key(site, account);
                let newer = activity.get(&key).is_none_or(|seen| seen.at < event.at);
                if newer {
                    activity.insert(key, event);
                }
            }
        }
        let activity_statements: Vec<String> = activity
            .into_iter()
            .enumerate()
            .map(|(n, (key, event))| {
                vars.insert(format!("active_{n}"), rid("site_assignment", &key));
                vars.insert(format!("active_at_{n}"), event.at);
                format!("UPDATE $active_{n} SET last_activity_at = $active_at_{n}")
            })
            .collect();
        statements.extend(
            activity_statements
                .iter()
                .map(|sql| (sql.as_str(), Role::Plain)),
        );
        for (n, (chain, head)) in heads.iter().enumerate() {
            vars.insert(format!("chain_{n}"), rid("audit_chain", chain));
            vars.insert(format!("chain_read_{n}"), read[chain].hash.clone());
            vars.insert(format!("chain_seq_{n}"), head.seq as i64);
            vars.insert(format!("chain_hash_{n}"), head.hash.clone());
        }
        let chain_statements: Vec<String> = (0..heads.len())
            .flat_map(|n| {
                [
                    format!(
                        "IF ((SELECT VALUE hash FROM ONLY $chain_{n}) ?? \"{GENESIS}\") != $chain_read_{n} \
                         {{ THROW \"audit chain moved\" }}"
                    ),
                    format!("UPSERT $chain_{n} SET seq = $chain_seq_{n}, hash = $chain_hash_{n}"),
                ]
            })
            .collect();
        for pair in chain_statements.chunks(2) {
            statements.push((&pair[0], Role::ChainHead));
            statements.push((&pair[1], Role::Plain));
        }
        // Run by `access_log::logging`: the permission changes go into the log with the write.
        if let Some((changes, log)) = crate::access_log::pending() {
            vars.insert("access_changes", changes.to_string());
            vars.insert("access_at", chrono::Utc::now());
            statements.extend(log.map(|sql| (sql, Role::Plain)));
        }

        let sql = format!(
            "BEGIN TRANSACTION;\n{};\nCOMMIT TRANSACTION;",
            statements
                .iter()
                .map(|(sql, _)| *sql)
                .collect::<Vec<_>>()
                .join(";\n")
        );
        let mut response = db
            .query(sql)
            .bind(vars)
            .await
            .map_err(|e| Failure::Error(StorageError::backend(e)))?;
        let errors = response.take_errors();
        if errors.is_empty() {
            return Ok(());
        }
        // The engines report BEGIN and COMMIT as results of their own or not; the offset
        // lines up result positions with our statements either way.
        let offset = usize::from(response.num_statements() + errors.len() > statements.len());
        let mut failures: Vec<_> = errors
            .into_iter()
            .filter(|(_, error)| {
                !matches!(
                    error.query_details(),
                    Some(
                        surrealdb::types::QueryError::NotExecuted
                            | surrealdb::types::QueryError::Cancelled
                    )
                )
            })
            .collect();
        failures.sort_by_key(|(index, _)| *index);
        let Some((index, error)) = failures.into_iter().next() else {
            return Err(Failure::Raced);
        };
        if error.query_details() == Some(&surrealdb::types::QueryError::TransactionConflict) {
            return Err(Failure::Raced);
        }
        let role = index
            .checked_sub(offset)
            .and_then(|i| statements.get(i))
            .map_or(Role::Plain, |(_, role)| *role);
        Err(match role {
            Role::ChainHead if error.is_thrown() => Failure::Raced,
            Role::Guard(conflict) if error.is_thrown() || error.is_already_exists() => {
                Failure::Error(StorageError::Conflict(conflict))
            }
            _ => Failure::Error(StorageError::backend(error)),
        })
    }
}

enum Failure {
    /// Another transaction changed the same records first; trying again may succeed.
    Raced,
    Error(StorageError),
}

impl From<StorageError> for Failure {
    fn from(error: StorageError) -> Self {
        Self::Error(error)
    }
}

/// A few milliseconds, doubling, with jitter so that racing hosts do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = 2u64 << attempt.min(6);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos()),
    ) % base;
    Duration::from_millis(base + jitter)
}

/// The heads of the chains `events` belong to, as stored now (genesis for a new chain).
async fn chain_heads<'a>(
    db: &Surreal<Any>,
    events: impl Iterator<Item = &'a AuditEvent>,
) -> Result<BTreeMap<String, Head>, StorageError> {
    let mut heads: BTreeMap<String, Head> = events
        .map(|event| (event.chain().chain_name(), Head::genesis()))
        .collect();
    if heads.is_empty() {
        return Ok(heads);
    }
    let ids: Vec<RecordId> = heads
        .keys()
        .map(|chain| rid("audit_chain", chain))
        .collect();
    let rows: Vec<ChainHeadRow> = db
        .query("SELECT id, seq, hash FROM $ids")
        .bind(("ids", ids))
        .await
        .and_then(|mut r| r.take(0))
        .map_err(StorageError::backend)?;
    heads.extend(rows.into_iter().map(ChainHeadRow::into_head));
    Ok(heads)
}
