//! A partner's customers and their sites, and site admins. Reading a site on a caller's
//! behalf: what they want to do with it decides whether they see it (404 for another tenant's
//! site) and may do it (403).

use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, CustomerId, PartnerId, SiteId};
use siteward_core::page::Page;
use siteward_core::permission::index::Change;
use siteward_core::tenancy::{Customer, Site, SiteAdmin};
use siteward_core::{FieldError, validate};
use siteward_storage::{PersonResolution, StorageError};

/// A site admin as stored: the account and since when.
pub use siteward_storage::SiteAdminRecord;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::page::Paging;
use crate::people::{Linkable, Person};
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
    /// Lock, unlock (after the site's first unlock) and delete its technicians' access.
    LockTechnicians,
    /// Manage its devices and device groups.
    ManageDevices,
    /// Read its access requests.
    ReviewAccess,
}

impl SiteAccess {
    /// Whether the caller may access `site` this way: what a page asks to decide which of
    /// its actions to offer.
    pub fn allows(self, caller: &Caller, site: &Site) -> bool {
        let site_ref = SiteRef {
            site: &site.id,
            partner: &site.partner_id,
        };
        authorize(&caller.principal, self.action(site_ref)).is_ok()
    }

    fn action(self, site: SiteRef<'_>) -> Action<'_> {
        match self {
            Self::View => Action::ViewSite(site),
            Self::ManageAdmins => Action::ManageSiteAdmins(site),
            Self::LockTechnicians => Action::LockSiteTechnicians(site),
            Self::ViewAudit => Action::ViewSiteAudit(site),
            Self::ManageTokens => Action::ManageSiteTokens(site),
            Self::ManageTechnicians => Action::ManageSiteTechnicians(site),
            Self::ManageDevices => Action::ManageDevices(site),
            Self::ReviewAccess => Action::ReviewSiteAccess(site),
        }
    }
}

impl App {
    /// The site `id`, if the caller may access it as asked.
    pub async fn visible_site(
        &self,
        caller: &Caller,
        id: &SiteId,
        access: SiteAccess,
    ) -> AppResult<Site> {
        let site = self.store.site(id).await?;
        let site_ref = SiteRef {
            site: &site.id,
            partner: &site.partner_id,
        };
        authorize(&caller.principal, access.action(site_ref))?;
        Ok(site)
    }
}

/// What adding a site admin came to.
#[derive(Debug)]
pub enum AddedSiteAdmin {
    /// They are its admin now.
    Admin(SiteAdminOf),
    /// They are to be invited ([`App::invite_site_admin`]): their consent is needed.
    Invite,
}

/// Who a site admin is.
#[derive(Debug)]
pub struct SiteAdminOf {
    /// The admin's account.
    pub account: siteward_core::account::Account,
    /// Since when.
    pub created_at: siteward_core::Timestamp,
}

pub(crate) fn site_admin_target(account: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::SiteAdmin,
        id: account.to_string(),
    }
}

/// The partner, if the caller may see it: its members, its tokens, the operator.
pub fn viewable_partner(caller: &Caller, partner: &PartnerId) -> AppResult<PartnerId> {
    authorize(&caller.principal, Action::ViewPartner(partner))?;
    Ok(partner.clone())
}

impl App {
    /// Creates a customer of a partner (its admins).
    pub async fn create_customer(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        name: &str,
    ) -> AppResult<Customer> {
        authorize(&caller.principal, Action::ManageCustomers(partner))?;
        self.store.partner(partner).await?;
        let customer = Customer {
            id: self.new_id(CustomerId::from_trusted),
            partner_id: partner.clone(),
            name: validate::name("name", name)?,
            created_at: self.now(),
        };
        let event = caller.audit.event(
            self,
            AuditAction::CustomerCreated,
            (Some(partner), None),
            AuditTarget {
                kind: TargetKind::Customer,
                id: customer.id.to_string(),
            },
            vec![FieldChange::set("name", &customer.name)],
        );
        self.store.create_customer(&customer, &event).await?;
        Ok(customer)
    }

    /// A partner's customers, a page at a time (any member).
    pub async fn customers(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        paging: Paging<'_>,
    ) -> AppResult<Page<Customer>> {
        let partner = viewable_partner(caller, partner)?;
        Ok(self.store.customers(&partner, &paging.parse()?).await?)
    }

    /// One customer (any member of its partner).
    pub async fn customer(&self, caller: &Caller, id: &CustomerId) -> AppResult<Customer> {
        let customer = self.store.customer(id).await?;
        authorize(&caller.principal, Action::ViewPartner(&customer.partner_id))?;
        Ok(customer)
    }

    /// Creates a site of one of the partner's customers, with its first admin, in one
    /// transaction. Technician Access starts off: the site's admins switch it on (reference
    /// 002); the partner may invite and assign meanwhile, and that access waits.
    pub async fn create_site(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        customer: &str,
        name: &str,
        admin: &Person,
    ) -> AppResult<Site> {
        authorize(&caller.principal, Action::ManageCustomers(partner))?;
        let not_ours =
            || FieldError::new("customer_id", "does not name a customer of this partner");
        let customer_id = CustomerId::parse("customer_id", customer)?;
        let customer = match self.store.customer(&customer_id).await {
            Ok(customer) if customer.partner_id == *partner => customer,
            Ok(_) | Err(StorageError::NotFound) => return Err(not_ours().into()),
            Err(other) => return Err(other.into()),
        };
        let site = Site {
            id: self.new_id(SiteId::from_trusted),
            customer_id: customer.id,
            partner_id: partner.clone(),
            name: validate::name("name", name)?,
            technician_access: false,
            created_at: self.now(),
        };
        let tenant = (Some(partner), Some(&site.id));
        let (person, site_admin, mut events) = self
            .new_site_admin(caller, &site, admin, "admin", site.created_at)
            .await?;
        events.push(caller.audit.event(
            self,
            AuditAction::SiteCreated,
            tenant,
            AuditTarget {
                kind: TargetKind::Site,
                id: site.id.to_string(),
            },
            vec![
                FieldChange::set("name", &site.name),
                FieldChange::set("customer_id", &site.customer_id),
            ],
        ));
        events.push(caller.audit.event(
            self,
            AuditAction::SiteAdminAdded,
            tenant,
            site_admin_target(&site_admin.account_id),
            vec![],
        ));
        self.permissions
            .commit([site.change(), site_admin.change(true)], {
                let site = site.clone();
                move |store| async move {
                    store
                        .create_site(&site, &person, &site_admin, &events)
                        .await
                }
            })
            .await?;
        Ok(site)
    }

    /// A partner's sites, a page at a time (any member).
    pub async fn sites(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        paging: Paging<'_>,
    ) -> AppResult<Page<Site>> {
        let partner = viewable_partner(caller, partner)?;
        Ok(self.store.sites(&partner, &paging.parse()?).await?)
    }

    /// Adds a site admin: a new account (with a password, for an address no account has), or
    /// one the site's tenant already has (a member of its partner, an admin of another site of
    /// its customer). Anyone else — an account of another organisation, or an address given
    /// without a password — is to be invited ([`AddedSiteAdmin::Invite`]): they become its
    /// admin by accepting, and the answer does not say whether the address has an account.
    pub async fn add_site_admin(
        &self,
        caller: &Caller,
        site: &SiteId,
        admin: &Person,
    ) -> AppResult<AddedSiteAdmin> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageAdmins)
            .await?;
        self.require_fresh_sign_in(caller).await?;
        if admin.password.is_none() {
            let email = validate::Email::parse("email", &admin.email)?;
            let linkable = match self.store.account_id_by_email(&email).await? {
                Some(account) => {
                    Linkable::KnownTo {
                        partner: &site.partner_id,
                        customer: &site.customer_id,
                    }
                    .allows(self, &account)
                    .await?
                }
                None => false,
            };
            if !linkable {
                return Ok(AddedSiteAdmin::Invite);
            }
        }
        let tenant = (Some(&site.partner_id), Some(&site.id));
        let (person, site_admin, mut events) = self
            .new_site_admin(caller, &site, admin, "", self.now())
            .await?;
        events.push(caller.audit.event(
            self,
            AuditAction::SiteAdminAdded,
            tenant,
            site_admin_target(&site_admin.account_id),
            vec![],
        ));
        self.permissions
            .commit([site_admin.change(true)], {
                let site_admin = site_admin.clone();
                move |store| async move { store.add_site_admin(&site_admin, &person, &events).await }
            })
            .await?;
        Ok(AddedSiteAdmin::Admin(SiteAdminOf {
            account: self.store.account(&site_admin.account_id).await?,
            created_at: site_admin.created_at,
        }))
    }

    /// `admin` resolved as a new admin of `site`: a new account, or one the site's tenant
    /// already has (members of its partner, admins of another site of its customer). Returns
    /// the account's creation events, if any, to write with the change.
    async fn new_site_admin(
        &self,
        caller: &Caller,
        site: &Site,
        admin: &Person,
        prefix: &str,
        since: siteward_core::Timestamp,
    ) -> AppResult<(PersonResolution, SiteAdmin, Vec<AuditEvent>)> {
        let linkable = Linkable::KnownTo {
            partner: &site.partner_id,
            customer: &site.customer_id,
        };
        let tenant = (Some(&site.partner_id), Some(&site.id));
        let (person, events) = self
            .resolve_person(caller, admin, prefix, tenant, linkable)
            .await?;
        let site_admin = SiteAdmin {
            site_id: site.id.clone(),
            account_id: person.account_id().clone(),
            created_at: since,
        };
        Ok((person, site_admin, events))
    }

    /// A site's admins, a page at a time (anyone who may see the site).
    pub async fn site_admins(
        &self,
        caller: &Caller,
        site: &SiteId,
        paging: Paging<'_>,
    ) -> AppResult<Page<SiteAdminRecord>> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        Ok(self.store.site_admins(&site.id, &paging.parse()?).await?)
    }

    /// One of a site's admins (anyone who may see the site).
    pub async fn site_admin(
        &self,
        caller: &Caller,
        site: &SiteId,
        account: &AccountId,
    ) -> AppResult<SiteAdminRecord> {
        let site = self.visible_site(caller, site, SiteAccess::View).await?;
        Ok(self.store.site_admin(&site.id, account).await?)
    }

    /// Removes a site admin (the site's admins, and the partner's).
    pub async fn remove_site_admin(
        &self,
        caller: &Caller,
        site: &SiteId,
        account: &AccountId,
    ) -> AppResult<()> {
        let site = self
            .visible_site(caller, site, SiteAccess::ManageAdmins)
            .await?;
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::SiteAdminRemoved,
            (Some(&site.partner_id), Some(&site.id)),
            site_admin_target(account),
            vec![],
        );
        let removed = Change::SiteAdmin {
            site: site.id.key(),
            account: account.key(),
            admin: false,
        };
        self.permissions
            .commit([removed], {
                let (site, account) = (site.id.clone(), account.clone());
                move |store| async move { store.remove_site_admin(&site, &account, &event).await }
            })
            .await?;
        Ok(())
    }
}
