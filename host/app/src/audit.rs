//! Reading the audit log, for the whole platform (the operator), a partner or a site;
//! verifying its tamper-evident chains; exporting it in a format an audit-exporter plugin
//! writes, a batch at a time.

use siteward_core::Timestamp;
use siteward_core::access::{Action, authorize};
use siteward_core::account::Account;
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditFilter, AuditScope};
use siteward_core::ids::{AccountId, PartnerId, SiteId};
use siteward_core::page::{Page, PageRequest};
use siteward_core::validate::Email;
use siteward_storage::{StorageError, Store};

/// One tenant's hash chain, verified.
pub use siteward_storage::ChainReport;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::plugins::Chosen;
use crate::plugins::calls::export_batch;
use crate::services::App;
use crate::sites::SiteAccess;

/// Whose audit log: ids as given.
#[derive(Debug, Clone, Copy)]
pub enum AuditHome<'a> {
    /// The whole platform (the operator).
    Platform,
    /// A partner's chain (its auditors and admins).
    Partner(&'a PartnerId),
    /// A site's events (its admins, and the partner's auditors).
    Site(&'a SiteId),
}

/// Which events, as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFilter<'a> {
    /// Only this actor's (an account or token id).
    pub actor: Option<&'a str>,
    /// Only this action (`invitation.created`, …).
    pub action: Option<&'a str>,
    /// From (inclusive).
    pub from: Option<Timestamp>,
    /// To (exclusive).
    pub to: Option<Timestamp>,
    /// Only this person's actions, by their email (`person`): what a person filters by.
    pub person: Option<&'a str>,
}

/// The actor id of a person without an account: no event has it.
const NOBODY: &str = "";

impl App {
    /// The filter, or the field that is wrong. A `person` without an account leaves no event
    /// (the answer does not tell whether the email has an account).
    async fn event_filter(&self, filter: EventFilter<'_>) -> AppResult<AuditFilter> {
        let mut actor = filter.actor.map(str::to_owned);
        if let Some(person) = filter.person.map(str::trim).filter(|p| !p.is_empty()) {
            let email = Email::parse("person", person)?;
            let found = self.store.account_by_email(&email).await?;
            let id = found.map_or_else(|| NOBODY.to_owned(), |(account, _)| account.id.to_string());
            if actor.as_ref().is_some_and(|a| *a != id) {
                actor = Some(NOBODY.to_owned());
            } else {
                actor = Some(id);
            }
        }
        Ok(AuditFilter {
            actor,
            action: filter
                .action
                .map(|a| AuditAction::parse("action", a))
                .transpose()?,
            from: filter.from,
            to: filter.to,
            newest_first: false,
        })
    }
}

/// The audit scope of `home` and the tenant an exporter is chosen for.
#[derive(Debug, Clone)]
pub struct AuditPlace {
    /// Whose events.
    pub scope: AuditScope,
    /// The partner (and site) whose exporter bindings apply; none for the platform.
    pub tenant: Option<(PartnerId, Option<SiteId>)>,
}

impl App {
    /// Where `home`'s events are, if the caller may read them.
    pub async fn audit_place(&self, caller: &Caller, home: AuditHome<'_>) -> AppResult<AuditPlace> {
        Ok(match home {
            AuditHome::Platform => {
                authorize(&caller.principal, Action::OperatePlatform)?;
                AuditPlace {
                    scope: AuditScope::Platform,
                    tenant: None,
                }
            }
            AuditHome::Partner(partner) => {
                authorize(&caller.principal, Action::ViewPartnerAudit(partner))?;
                AuditPlace {
                    scope: AuditScope::Partner(partner.clone()),
                    tenant: Some((partner.clone(), None)),
                }
            }
            AuditHome::Site(site) => {
                let site = self
                    .visible_site(caller, site, SiteAccess::ViewAudit)
                    .await?;
                AuditPlace {
                    tenant: Some((site.partner_id.clone(), Some(site.id.clone()))),
                    scope: AuditScope::Site(site.id),
                }
            }
        })
    }

    /// Audit events of `home`, oldest first, a page at a time.
    pub async fn audit_events(
        &self,
        caller: &Caller,
        home: AuditHome<'_>,
        filter: EventFilter<'_>,
        paging: Paging<'_>,
    ) -> AppResult<Page<AuditEvent>> {
        let place = self.audit_place(caller, home).await?;
        let filter = self.event_filter(filter).await?;
        let page = paging.parse()?;
        Ok(self
            .store
            .audit_events(&place.scope, &filter, &page)
            .await?)
    }
}

/// A page of an audit log as a person reads it: the events, and the accounts that acted in
/// them (for their names).
#[derive(Debug)]
pub struct AuditLog {
    /// The events, oldest first.
    pub events: Page<AuditEvent>,
    /// The accounts among the events' actors.
    pub actors: Vec<Account>,
}

impl App {
    /// Audit events of `home`, newest first, with the accounts that acted.
    pub async fn audit_log(
        &self,
        caller: &Caller,
        home: AuditHome<'_>,
        filter: EventFilter<'_>,
        paging: Paging<'_>,
    ) -> AppResult<AuditLog> {
        let place = self.audit_place(caller, home).await?;
        let mut filter = self.event_filter(filter).await?;
        filter.newest_first = true;
        let page = paging.parse()?;
        let events = self
            .store
            .audit_events(&place.scope, &filter, &page)
            .await?;
        let mut ids: Vec<AccountId> = events
            .items
            .iter()
            .filter_map(|event| match &event.actor {
                Actor::Account(id) => Some(id.clone()),
                Actor::ApiToken(_) | Actor::System => None,
            })
            .collect();
        ids.sort();
        ids.dedup();
        let actors = self.store.accounts(&ids).await?;
        Ok(AuditLog { events, actors })
    }

    /// The export formats `home`'s events can be exported in: the bundled exporters and the
    /// ones switched on for its tenant, sorted.
    pub async fn audit_export_formats(
        &self,
        caller: &Caller,
        home: AuditHome<'_>,
    ) -> AppResult<Vec<String>> {
        let AuditPlace { tenant, .. } = self.audit_place(caller, home).await?;
        let tenant = tenant
            .as_ref()
            .map(|(partner, site)| (partner, site.as_ref()));
        let mut formats: Vec<String> = self
            .plugins
            .export_formats()
            .into_iter()
            .filter(|format| self.plugins.exporter(format, tenant).is_some())
            .collect();
        formats.sort();
        formats.dedup();
        Ok(formats)
    }
}

/// Verifies every chain of `scope`, checking retention checkpoints with `checkpoint_key`.
pub async fn verify_chains(
    store: &Store,
    scope: &AuditScope,
    checkpoint_key: Option<&[u8]>,
) -> Result<Vec<ChainReport>, StorageError> {
    let mut reports = Vec::new();
    for chain in store.audit_chains(scope).await? {
        reports.push(store.verify_audit_chain(&chain, checkpoint_key).await?);
    }
    Ok(reports)
}

/// Events per exporter call.
const EXPORT_BATCH: u32 = 1_000;

/// An export under way: its first batch is formatted already (so an unknown format or a
/// failing exporter is a clean error before anything is sent), the rest follows batch by batch.
#[derive(Debug)]
pub struct AuditExport {
    /// The format's media type.
    pub content_type: String,
    /// A file name for it: `siteward-audit-<chain>-<format>.<extension>`.
    pub filename: String,
    /// The first batch, formatted.
    pub first: Vec<u8>,
    /// The batches after it.
    pub rest: ExportBatches,
}

/// The batches of an export after its first, formatted one at a time.
pub struct ExportBatches {
    app: App,
    chosen: Chosen,
    scope: AuditScope,
    /// The partner (and site) whose export it is; none for the platform's.
    tenant: Option<(PartnerId, Option<SiteId>)>,
    request_id: Option<String>,
    filter: AuditFilter,
    cursor: Option<String>,
}

impl std::fmt::Debug for ExportBatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportBatches")
            .field("exporter", &self.chosen.name)
            .field("scope", &self.scope)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

impl ExportBatches {
    /// The next batch, formatted; `None` at the end. A failure (logged here) ends the export.
    pub async fn next(&mut self) -> Option<AppResult<Vec<u8>>> {
        let page = PageRequest::following(EXPORT_BATCH, &self.cursor.take()?).ok()?;
        let batch = match self
            .app
            .store
            .audit_events(&self.scope, &self.filter, &page)
            .await
        {
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(%error, "an audit export stopped: reading events failed");
                return Some(Err(error.into()));
            }
        };
        let tenant = self
            .tenant
            .as_ref()
            .map(|(partner, site)| (partner, site.as_ref()));
        let exported = export_batch(
            &self.app,
            (&self.scope, tenant),
            &self.chosen,
            &batch.items,
            false,
            self.request_id.as_deref(),
        )
        .await;
        match exported {
            Ok(out) => {
                self.cursor = batch.next_cursor;
                Some(Ok(out.bytes))
            }
            Err(failure) => {
                tracing::error!(plugin = %self.chosen.name, %failure, "an audit export stopped: the exporter failed");
                Some(Err(exporter_unavailable(&self.chosen, &failure)))
            }
        }
    }
}

fn exporter_unavailable(chosen: &Chosen, failure: &siteward_plugins::Failure) -> AppError {
    AppError::unavailable(
        "exporter_unavailable",
        format!("the {} exporter failed: {}", chosen.name, failure.code()),
    )
}

impl App {
    /// Verifies the chains of `home` (whoever may read its events): per chain, the first
    /// broken link if any — an event altered, removed, inserted or moved, or the end cut off.
    pub async fn verify_audit(
        &self,
        caller: &Caller,
        home: AuditHome<'_>,
    ) -> AppResult<Vec<ChainReport>> {
        let place = self.audit_place(caller, home).await?;
        let key = self.audit.checkpoint_key.as_deref();
        Ok(verify_chains(&self.store, &place.scope, key).await?)
    }

    /// Exports every event of `home` that passes `filter`, oldest first, formatted by the
    /// exporter `format` names (switched on for the tenant, or bundled).
    pub async fn export_audit(
        &self,
        caller: &Caller,
        home: AuditHome<'_>,
        format: &str,
        filter: EventFilter<'_>,
    ) -> AppResult<AuditExport> {
        let AuditPlace {
            scope,
            tenant: owner,
        } = self.audit_place(caller, home).await?;
        let filter = self.event_filter(filter).await?;
        let tenant = owner
            .as_ref()
            .map(|(partner, site)| (partner, site.as_ref()));
        let chosen = self.plugins.exporter(format, tenant).ok_or_else(|| {
            let mut formats = self.plugins.export_formats();
            formats.sort();
            let available = if formats.is_empty() {
                "none".to_owned()
            } else {
                formats.join(", ")
            };
            siteward_core::FieldError::new(
                "format",
                format!("is not an audit export format here (available: {available})"),
            )
        })?;
        let first = PageRequest {
            limit: EXPORT_BATCH,
            after: None,
        };
        let first = self.store.audit_events(&scope, &filter, &first).await?;
        if chosen.quarantined {
            return Err(AppError::unavailable(
                "exporter_quarantined",
                format!(
                    "the {} exporter is quarantined here after repeated failures; the operator \
                     can switch it on again",
                    chosen.name
                ),
            ));
        }
        let request_id = caller.audit.request_id.clone();
        let exported = export_batch(
            self,
            (&scope, tenant),
            &chosen,
            &first.items,
            true,
            request_id.as_deref(),
        )
        .await
        .map_err(|failure| {
            tracing::warn!(plugin = %chosen.name, %failure, "an audit export failed");
            exporter_unavailable(&chosen, &failure)
        })?;
        let extension = match exported
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
        {
            "text/csv" => "csv",
            "application/x-ndjson" => "ndjson",
            "application/json" => "json",
            _ => "log",
        };
        let filename = format!(
            "siteward-audit-{}-{}.{extension}",
            scope.chain_name().replace('/', "-"),
            chosen.name.trim_start_matches("audit-")
        );
        Ok(AuditExport {
            content_type: exported.content_type,
            filename,
            first: exported.bytes,
            rest: ExportBatches {
                app: self.clone(),
                chosen,
                scope,
                tenant: owner.clone(),
                request_id,
                filter,
                cursor: first.next_cursor,
            },
        })
    }
}
