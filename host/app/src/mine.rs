//! What a person holds, for their own page: the partners they belong to, the sites they are
//! assigned to (with level, lock and end), the sites they administer, the invitations waiting
//! for them, and what they did themselves. Any signed-in account may read its own; an API
//! token has no "own".

use std::collections::HashMap;

use siteward_core::access::{PartnerStanding, Principal};
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::{AuditEvent, AuditFilter, AuditScope};
use siteward_core::ids::{PartnerId, SiteId};
use siteward_core::invitation::{Invitation, InvitationStatus};
use siteward_core::page::{Page, PageRequest};
use siteward_core::tenancy::{Partner, Site};
use siteward_storage::InvitationScope;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::page::Paging;
use crate::services::App;

/// A partner the caller belongs to.
#[derive(Debug, Clone)]
pub struct MyPartner {
    /// The partner.
    pub partner: Partner,
    /// The caller's standing there: role, status, privileges.
    pub standing: PartnerStanding,
}

/// A site the caller is assigned to as a technician.
#[derive(Debug, Clone)]
pub struct MySite {
    /// The site.
    pub site: Site,
    /// The partner the caller works for there.
    pub partner_name: String,
    /// The assignment: level, Locked, end.
    pub assignment: SiteAssignment,
}

/// An invitation waiting for the caller.
#[derive(Debug, Clone)]
pub struct MyInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// The inviting partner's name.
    pub partner_name: String,
    /// The site's name, for an invitation to a site.
    pub site_name: Option<String>,
}

/// The most open invitations one person's page lists.
const MY_INVITATIONS: u32 = 100;

/// Everything the caller holds, in the order their page shows it.
#[derive(Debug, Clone)]
pub struct MyAccess {
    /// Partners, by name.
    pub partners: Vec<MyPartner>,
    /// Sites as a technician, by name.
    pub sites: Vec<MySite>,
    /// Sites the caller administers, by name.
    pub site_admin_of: Vec<Site>,
}

impl App {
    /// The caller's own access (any signed-in account).
    pub async fn my_access(&self, caller: &Caller) -> AppResult<MyAccess> {
        let account = caller.account()?;
        let Principal::Account(holds) = &caller.principal else {
            return Err(AppError::forbidden());
        };
        let mut partners = Vec::with_capacity(holds.partners.len());
        for standing in &holds.partners {
            partners.push(MyPartner {
                partner: self.store.partner(&standing.partner).await?,
                standing: standing.clone(),
            });
        }
        partners.sort_by(|a, b| a.partner.name.cmp(&b.partner.name));
        let mut sites = Vec::new();
        for assignment in self.store.account_assignments(&account.id).await? {
            let site = self.store.site(&assignment.site_id).await?;
            let partner_name = match partners
                .iter()
                .find(|p| p.partner.id == assignment.partner_id)
            {
                Some(mine) => mine.partner.name.clone(),
                None => self.store.partner(&assignment.partner_id).await?.name,
            };
            sites.push(MySite {
                site,
                partner_name,
                assignment,
            });
        }
        sites.sort_by(|a, b| a.site.name.cmp(&b.site.name));
        let mut site_admin_of = Vec::with_capacity(holds.site_admin_of.len());
        for site in &holds.site_admin_of {
            site_admin_of.push(self.store.site(site).await?);
        }
        site_admin_of.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(MyAccess {
            partners,
            sites,
            site_admin_of,
        })
    }

    /// The invitations to the caller's address that are still Pending, oldest first: they are
    /// accepted through the link in their email, which proves the address.
    pub async fn my_invitations(&self, caller: &Caller) -> AppResult<Vec<MyInvitation>> {
        let account = caller.account()?;
        let first = PageRequest {
            limit: MY_INVITATIONS,
            after: None,
        };
        let open = self
            .store
            .invitations(
                InvitationScope::Email(&account.email),
                Some(InvitationStatus::Pending),
                self.now(),
                &first,
            )
            .await?;
        // Several invitations often come from one partner: each partner and site is read once.
        let mut partners: HashMap<PartnerId, String> = HashMap::new();
        let mut sites: HashMap<SiteId, String> = HashMap::new();
        let mut mine = Vec::with_capacity(open.items.len());
        for invitation in open.items {
            let partner_name = match partners.get(&invitation.partner_id) {
                Some(name) => name.clone(),
                None => {
                    let name = self.store.partner(&invitation.partner_id).await?.name;
                    partners.insert(invitation.partner_id.clone(), name.clone());
                    name
                }
            };
            let site_name = match invitation.target.site() {
                Some(site) => Some(match sites.get(site) {
                    Some(name) => name.clone(),
                    None => {
                        let name = self.store.site(site).await?.name;
                        sites.insert(site.clone(), name.clone());
                        name
                    }
                }),
                None => None,
            };
            mine.push(MyInvitation {
                invitation,
                partner_name,
                site_name,
            });
        }
        Ok(mine)
    }

    /// What the caller did, newest first, a page at a time: the audit events where they are
    /// the actor, in every tenant.
    pub async fn my_activity(
        &self,
        caller: &Caller,
        paging: Paging<'_>,
    ) -> AppResult<Page<AuditEvent>> {
        let account = caller.account()?;
        let filter = AuditFilter {
            actor: Some(account.id.to_string()),
            newest_first: true,
            ..AuditFilter::default()
        };
        let page = paging.parse()?;
        Ok(self
            .store
            .audit_events(&AuditScope::Platform, &filter, &page)
            .await?)
    }
}
