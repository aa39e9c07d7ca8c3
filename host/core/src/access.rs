//! Who is acting, and whether they may do what they ask. One function, [`authorize`], decides
//! for every endpoint, so the tenancy rules live in one place.
//!
//! A refusal is one of two kinds. [`Denial::NotVisible`] means the resource belongs to a tenant
//! the principal has nothing to do with: the API answers 404, exactly as for a resource that
//! does not exist, so ids of other tenants cannot be probed. [`Denial::Forbidden`] means the
//! principal can see the resource but lacks the privilege: 403.

use crate::ids::{AccountId, ApiTokenId, PartnerId, SiteId};
use crate::tenancy::{MemberStatus, PartnerRole};

/// What an API token may act on: one partner or one site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenScope {
    /// Acts as an Admin of this partner.
    Partner(PartnerId),
    /// Acts as an admin of this site.
    Site(SiteId),
}

/// The acting party of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person, through a login session.
    Account(AccountPrincipal),
    /// An integration, through an API token.
    ApiToken {
        /// The token.
        token_id: ApiTokenId,
        /// What it may act on.
        scope: TokenScope,
    },
}

/// A logged-in account and the roles it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPrincipal {
    /// The account.
    pub account_id: AccountId,
    /// Whether it runs the platform.
    pub is_operator: bool,
    /// Its partner memberships.
    pub partners: Vec<(PartnerId, PartnerRole, MemberStatus)>,
    /// The sites it administers.
    pub site_admin_of: Vec<SiteId>,
}

impl AccountPrincipal {
    fn active_role(&self, partner: &PartnerId) -> Option<PartnerRole> {
        self.partners
            .iter()
            .find(|(p, _, status)| p == partner && *status == MemberStatus::Active)
            .map(|(_, role, _)| *role)
    }
}

/// A site together with the partner that manages it: what authorization needs to know.
#[derive(Debug, Clone, Copy)]
pub struct SiteRef<'a> {
    /// The site.
    pub site: &'a SiteId,
    /// Its managing partner.
    pub partner: &'a PartnerId,
}

/// An operation a principal asks to perform.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Create a partner, list all partners, read the platform audit log.
    OperatePlatform,
    /// Read a partner and its customers and sites.
    ViewPartner(&'a PartnerId),
    /// Add, change or remove Admins and Technicians; reset their second factor.
    ManageMembers(&'a PartnerId),
    /// Grant, change or remove the Super Admin role (reference 004: Super Admins only).
    ManageSuperAdmins(&'a PartnerId),
    /// Create customers and sites.
    ManageCustomers(&'a PartnerId),
    /// Read a partner's audit log.
    ViewPartnerAudit(&'a PartnerId),
    /// Create, list and revoke API tokens of a partner.
    ManagePartnerTokens(&'a PartnerId),
    /// Read a site.
    ViewSite(SiteRef<'a>),
    /// Add and remove the site's admins.
    ManageSiteAdmins(SiteRef<'a>),
    /// Read a site's audit log.
    ViewSiteAudit(SiteRef<'a>),
    /// Create, list and revoke API tokens of a site.
    ManageSiteTokens(SiteRef<'a>),
    /// Change technicians' levels and locks at a site, delete their access, and switch the
    /// site's Technician Access: the site's own admins (reference 002: once the partner has
    /// set a level, only a site admin may change it).
    ManageSiteTechnicians(SiteRef<'a>),
    /// Ask the permission index about a site's technicians: its admins and site tokens, the
    /// partner's admins and tokens, the operator — not the partner's technicians.
    AskPermissions(SiteRef<'a>),
    /// Manage a site's devices and device groups: its admins and site tokens, the partner's
    /// admins and tokens, the operator.
    ManageDevices(SiteRef<'a>),
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The resource belongs to another tenant: answer as if it did not exist.
    NotVisible,
    /// Same tenant, but the principal lacks the privilege.
    Forbidden,
}

/// The relation of a principal to one partner's tenancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Stranger,
    Operator,
    Member(PartnerRole),
    /// A partner-scoped API token: an Admin that cannot mint further tokens.
    PartnerToken,
}

fn standing(principal: &Principal, partner: &PartnerId) -> Standing {
    match principal {
        Principal::Account(account) if account.is_operator => Standing::Operator,
        Principal::Account(account) => account
            .active_role(partner)
            .map_or(Standing::Stranger, Standing::Member),
        Principal::ApiToken {
            scope: TokenScope::Partner(p),
            ..
        } if p == partner => Standing::PartnerToken,
        Principal::ApiToken { .. } => Standing::Stranger,
    }
}

fn is_site_admin(principal: &Principal, site: &SiteId) -> bool {
    match principal {
        Principal::Account(account) => account.site_admin_of.contains(site),
        Principal::ApiToken { .. } => false,
    }
}

fn is_site_token(principal: &Principal, site: &SiteId) -> bool {
    matches!(principal, Principal::ApiToken { scope: TokenScope::Site(s), .. } if s == site)
}

fn allow_if(condition: bool) -> Result<(), Denial> {
    if condition {
        Ok(())
    } else {
        Err(Denial::Forbidden)
    }
}

/// Decides whether `principal` may perform `action`.
pub fn authorize(principal: &Principal, action: Action<'_>) -> Result<(), Denial> {
    use Standing::{Member, Operator, PartnerToken, Stranger};
    let manager = |s: Standing| {
        matches!(
            s,
            Operator | PartnerToken | Member(PartnerRole::SuperAdmin | PartnerRole::Admin)
        )
    };
    let person_manager = |s: Standing| {
        matches!(
            s,
            Operator | Member(PartnerRole::SuperAdmin | PartnerRole::Admin)
        )
    };

    match action {
        Action::OperatePlatform => match principal {
            Principal::Account(a) if a.is_operator => Ok(()),
            _ => Err(Denial::Forbidden),
        },
        Action::ViewPartner(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            _ => Ok(()),
        },
        Action::ManageMembers(p) | Action::ManageCustomers(p) | Action::ViewPartnerAudit(p) => {
            match standing(principal, p) {
                Stranger => Err(Denial::NotVisible),
                s => allow_if(manager(s)),
            }
        }
        Action::ManageSuperAdmins(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(matches!(s, Operator | Member(PartnerRole::SuperAdmin))),
        },
        Action::ManagePartnerTokens(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(person_manager(s)),
        },
        Action::ViewSite(site) => {
            if is_site_admin(principal, site.site) || is_site_token(principal, site.site) {
                return Ok(());
            }
            match standing(principal, site.partner) {
                Stranger => Err(Denial::NotVisible),
                _ => Ok(()),
            }
        }
        Action::ManageSiteAdmins(site)
        | Action::ViewSiteAudit(site)
        | Action::AskPermissions(site)
        | Action::ManageDevices(site) => {
            if is_site_admin(principal, site.site) || is_site_token(principal, site.site) {
                return Ok(());
            }
            match standing(principal, site.partner) {
                Stranger => Err(Denial::NotVisible),
                s => allow_if(manager(s)),
            }
        }
        Action::ManageSiteTechnicians(site) => {
            if is_site_admin(principal, site.site) || is_site_token(principal, site.site) {
                return Ok(());
            }
            match standing(principal, site.partner) {
                Stranger => Err(Denial::NotVisible),
                Operator => Ok(()),
                _ => Err(Denial::Forbidden),
            }
        }
        Action::ManageSiteTokens(site) => {
            if is_site_admin(principal, site.site) {
                return Ok(());
            }
            if is_site_token(principal, site.site) {
                return Err(Denial::Forbidden);
            }
            match standing(principal, site.partner) {
                Stranger => Err(Denial::NotVisible),
                s => allow_if(person_manager(s)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn id<T>(make: fn(crate::Timestamp, [u8; 10]) -> T, n: u8) -> T {
        make(
            chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap(),
            [n; 10],
        )
    }

    fn member(partner: &PartnerId, role: PartnerRole, status: MemberStatus) -> Principal {
        Principal::Account(AccountPrincipal {
            account_id: id(AccountId::generate, 9),
            is_operator: false,
            partners: vec![(partner.clone(), role, status)],
            site_admin_of: vec![],
        })
    }

    #[test]
    fn another_partners_resources_are_invisible_not_forbidden() {
        let a = id(PartnerId::generate, 1);
        let b = id(PartnerId::generate, 2);
        let admin_of_a = member(&a, PartnerRole::SuperAdmin, MemberStatus::Active);
        let site = id(SiteId::generate, 3);
        let site_ref = SiteRef {
            site: &site,
            partner: &b,
        };
        for action in [
            Action::ViewPartner(&b),
            Action::ManageMembers(&b),
            Action::ManageSuperAdmins(&b),
            Action::ManageCustomers(&b),
            Action::ViewPartnerAudit(&b),
            Action::ManagePartnerTokens(&b),
            Action::ViewSite(site_ref),
            Action::ManageSiteAdmins(site_ref),
            Action::ViewSiteAudit(site_ref),
            Action::ManageSiteTokens(site_ref),
        ] {
            assert_eq!(
                authorize(&admin_of_a, action),
                Err(Denial::NotVisible),
                "{action:?}"
            );
        }
    }

    #[test]
    fn the_privilege_matrix_of_reference_004() {
        let p = id(PartnerId::generate, 1);
        let super_admin = member(&p, PartnerRole::SuperAdmin, MemberStatus::Active);
        let admin = member(&p, PartnerRole::Admin, MemberStatus::Active);
        let technician = member(&p, PartnerRole::Technician, MemberStatus::Active);
        assert_eq!(
            authorize(&super_admin, Action::ManageSuperAdmins(&p)),
            Ok(())
        );
        assert_eq!(
            authorize(&admin, Action::ManageSuperAdmins(&p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(authorize(&admin, Action::ManageMembers(&p)), Ok(()));
        assert_eq!(authorize(&technician, Action::ViewPartner(&p)), Ok(()));
        assert_eq!(
            authorize(&technician, Action::ManageMembers(&p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&technician, Action::ViewPartnerAudit(&p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&admin, Action::OperatePlatform),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn a_disabled_membership_counts_for_nothing() {
        let p = id(PartnerId::generate, 1);
        let disabled = member(&p, PartnerRole::Admin, MemberStatus::Disabled);
        assert_eq!(
            authorize(&disabled, Action::ViewPartner(&p)),
            Err(Denial::NotVisible)
        );
    }

    #[test]
    fn tokens_act_within_their_scope_and_cannot_mint_tokens() {
        let p = id(PartnerId::generate, 1);
        let site = id(SiteId::generate, 2);
        let partner_token = Principal::ApiToken {
            token_id: id(ApiTokenId::generate, 3),
            scope: TokenScope::Partner(p.clone()),
        };
        let site_token = Principal::ApiToken {
            token_id: id(ApiTokenId::generate, 4),
            scope: TokenScope::Site(site.clone()),
        };
        let site_ref = SiteRef {
            site: &site,
            partner: &p,
        };
        assert_eq!(
            authorize(&partner_token, Action::ManageCustomers(&p)),
            Ok(())
        );
        assert_eq!(
            authorize(&partner_token, Action::ManagePartnerTokens(&p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(authorize(&site_token, Action::ViewSite(site_ref)), Ok(()));
        assert_eq!(
            authorize(&site_token, Action::ManageSiteTokens(site_ref)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&site_token, Action::ViewPartner(&p)),
            Err(Denial::NotVisible)
        );
    }

    #[test]
    fn site_admins_see_their_site_only() {
        let p = id(PartnerId::generate, 1);
        let mine = id(SiteId::generate, 2);
        let other = id(SiteId::generate, 3);
        let site_admin = Principal::Account(AccountPrincipal {
            account_id: id(AccountId::generate, 4),
            is_operator: false,
            partners: vec![],
            site_admin_of: vec![mine.clone()],
        });
        assert_eq!(
            authorize(
                &site_admin,
                Action::ManageSiteAdmins(SiteRef {
                    site: &mine,
                    partner: &p
                })
            ),
            Ok(())
        );
        assert_eq!(
            authorize(
                &site_admin,
                Action::ViewSite(SiteRef {
                    site: &other,
                    partner: &p
                })
            ),
            Err(Denial::NotVisible)
        );
        assert_eq!(
            authorize(&site_admin, Action::ViewPartner(&p)),
            Err(Denial::NotVisible)
        );
    }
}
