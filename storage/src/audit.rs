//! Reading the audit log. Events are written by the transactions that make the changes
//! ([`crate::tx::Tx::audit`]); this module only lists them.

use surrealdb::types::Variables;

use siteward_core::audit::{AuditEvent, AuditFilter, AuditScope};
use siteward_core::page::{Page, PageRequest};

use crate::Store;
use crate::error::StorageError;
use crate::rows::AuditEventRow;

impl Store {
    /// Lists audit events of a scope, oldest first, with the filters applied.
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
            .page(
                "audit_event",
                &conditions.join(" AND "),
                vars,
                page,
                str::to_owned,
            )
            .await?;
        let events = rows
            .into_iter()
            .map(AuditEventRow::into_event)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(events, page.limit, |e| e.id.as_str()))
    }
}
