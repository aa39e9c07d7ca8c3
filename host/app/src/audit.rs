//! Reading the audit log, for the whole platform (the operator), a partner or a site.

use siteward_core::Timestamp;
use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditEvent, AuditFilter, AuditScope};
use siteward_core::ids::{PartnerId, SiteId};
use siteward_core::page::Page;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::page::Paging;
use crate::services::App;
use crate::sites::{SiteAccess, partner_id};

/// Whose audit log: ids as given.
#[derive(Debug, Clone, Copy)]
pub enum AuditHome<'a> {
    /// The whole platform (the operator).
    Platform,
    /// A partner's chain (its auditors and admins).
    Partner(&'a str),
    /// A site's events (its admins, and the partner's auditors).
    Site(&'a str),
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
}

impl EventFilter<'_> {
    /// The filter, or the field that is wrong.
    pub fn parse(self) -> Result<AuditFilter, siteward_core::FieldError> {
        Ok(AuditFilter {
            actor: self.actor.map(str::to_owned),
            action: self
                .action
                .map(|a| AuditAction::parse("action", a))
                .transpose()?,
            from: self.from,
            to: self.to,
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
                let partner = partner_id(partner)?;
                authorize(&caller.principal, Action::ViewPartnerAudit(&partner))?;
                AuditPlace {
                    scope: AuditScope::Partner(partner.clone()),
                    tenant: Some((partner, None)),
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
        let filter = filter.parse()?;
        let page = paging.parse()?;
        Ok(self
            .store
            .audit_events(&place.scope, &filter, &page)
            .await?)
    }
}
