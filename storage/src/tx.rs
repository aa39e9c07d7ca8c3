//! A transaction built as one SurrealQL batch: `BEGIN; ...; COMMIT;` with bound variables.
//!
//! A batch is one round trip on every engine, and SurrealDB applies all of it or none of it.
//! Statements that enforce a rule ("only one", "at least one") are marked with the
//! [`Conflict`] they stand for; when such a statement is the one that failed, the caller gets
//! that conflict, identified by the statement's position rather than by any error text.

use surrealdb::Surreal;
use surrealdb::engine::any::Any;
use surrealdb::types::{SurrealValue, Variables};

use siteward_core::audit::AuditEvent;

use crate::error::{Conflict, StorageError};
use crate::rows::AuditEventRow;

#[derive(Debug, Default)]
pub(crate) struct Tx {
    statements: Vec<(String, Option<Conflict>)>,
    vars: Variables,
    audit_events: usize,
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

    /// Adds a statement.
    pub(crate) fn run(&mut self, sql: impl Into<String>) -> &mut Self {
        self.statements.push((sql.into(), None));
        self
    }

    /// Adds a statement whose failure (a `THROW`, or creating a record that exists) means
    /// the transaction ran into `conflict`.
    pub(crate) fn guard(&mut self, sql: impl Into<String>, conflict: Conflict) -> &mut Self {
        self.statements.push((sql.into(), Some(conflict)));
        self
    }

    /// Appends an audit event, written in the same transaction as the change it records.
    pub(crate) fn audit(&mut self, event: &AuditEvent) -> &mut Self {
        let name = format!("audit_{}", self.audit_events);
        self.audit_events += 1;
        self.bind(&name, AuditEventRow::from_event(event));
        self.run(format!("INSERT INTO audit_event ${name}"))
    }

    /// Appends audit events as one statement (one insert of many rows).
    pub(crate) fn audit_all(&mut self, events: &[AuditEvent]) -> &mut Self {
        match events {
            [] => self,
            [event] => self.audit(event),
            events => {
                let name = format!("audit_{}", self.audit_events);
                self.audit_events += 1;
                let rows: Vec<AuditEventRow> =
                    events.iter().map(AuditEventRow::from_event).collect();
                self.bind(&name, rows);
                self.run(format!("INSERT INTO audit_event ${name}"))
            }
        }
    }

    /// Runs the batch; all of it is applied, or none of it.
    pub(crate) async fn commit(self, db: &Surreal<Any>) -> Result<(), StorageError> {
        let body: Vec<&str> = self
            .statements
            .iter()
            .map(|(sql, _)| sql.as_str())
            .collect();
        let sql = format!(
            "BEGIN TRANSACTION;\n{};\nCOMMIT TRANSACTION;",
            body.join(";\n")
        );
        let mut response = db
            .query(sql)
            .bind(self.vars)
            .await
            .map_err(StorageError::backend)?;
        let errors = response.take_errors();
        if errors.is_empty() {
            return Ok(());
        }
        // The engines report BEGIN and COMMIT as results of their own or not; the offset
        // lines up result positions with our statements either way.
        let offset = usize::from(response.num_statements() + errors.len() > self.statements.len());
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
            return Err(StorageError::Conflict(Conflict::Concurrent));
        };
        let guard = index
            .checked_sub(offset)
            .and_then(|i| self.statements.get(i))
            .and_then(|(_, conflict)| *conflict);
        match guard {
            Some(conflict) if error.is_thrown() || error.is_already_exists() => {
                Err(StorageError::Conflict(conflict))
            }
            _ => Err(StorageError::backend(error)),
        }
    }
}
