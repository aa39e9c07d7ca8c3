//! Reading a site on a caller's behalf: what they want to do with it decides whether they see
//! it (404 for another tenant's site) and may do it (403).

use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::ids::SiteId;
use siteward_core::tenancy::Site;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::services::App;

/// What a caller wants to do with a site.
#[derive(Debug, Clone, Copy)]
pub enum SiteAccess {
    /// Read it.
    View,
    /// Add or remove its admins.
    ManageAdmins,
    /// Read its audit log.
    ViewAudit,
    /// Create, list or revoke its API tokens.
    ManageTokens,
    /// Manage its technicians and its Technician Access switch.
    ManageTechnicians,
}

impl SiteAccess {
    fn action(self, site: SiteRef<'_>) -> Action<'_> {
        match self {
            Self::View => Action::ViewSite(site),
            Self::ManageAdmins => Action::ManageSiteAdmins(site),
            Self::ViewAudit => Action::ViewSiteAudit(site),
            Self::ManageTokens => Action::ManageSiteTokens(site),
            Self::ManageTechnicians => Action::ManageSiteTechnicians(site),
        }
    }
}

impl App {
    /// The site `id` (as given: a malformed id is as unknown as a missing one), if the caller
    /// may access it as asked.
    pub async fn visible_site(
        &self,
        caller: &Caller,
        id: &str,
        access: SiteAccess,
    ) -> AppResult<Site> {
        let id = SiteId::parse("site_id", id).map_err(|_| AppError::not_found())?;
        let site = self.store.site(&id).await?;
        let site_ref = SiteRef {
            site: &site.id,
            partner: &site.partner_id,
        };
        authorize(&caller.principal, access.action(site_ref))?;
        Ok(site)
    }
}
