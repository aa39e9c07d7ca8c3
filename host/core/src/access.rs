//! Who is acting, and whether they may do what they ask. One function, [`authorize`], decides
//! for every endpoint, so the tenancy rules live in one place.
//!
//! What an account holds comes from the permission index ([`AccountPrincipal::from_index`]):
//! its partner roles, its privileges, the partner-section permissions its roles and grants give
//! it at this moment, and the sites it administers. So a partner endpoint is decided by the
//! same engine as a technician's check — an Admin's team management is `admin.team`, which a
//! Technician may also hold through a `team_administrator` grant.
//!
//! A refusal is one of two kinds. [`Denial::NotVisible`] means the resource belongs to a tenant
//! the principal has nothing to do with: the API answers 404, exactly as for a resource that
//! does not exist, so ids of other tenants cannot be probed. [`Denial::Forbidden`] means the
//! principal can see the resource but lacks the privilege: 403.

use crate::ids::{AccountId, ApiTokenId, PartnerId, SiteId};
use crate::permission::index::{self, Index, Key};
use crate::permission::{Permission, PermissionSet};
use crate::tenancy::{MemberStatus, PartnerRole, Privileges};

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

/// A logged-in account and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPrincipal {
    /// The account.
    pub account_id: AccountId,
    /// Whether it runs the platform.
    pub is_operator: bool,
    /// Its partner memberships.
    pub partners: Vec<PartnerStanding>,
    /// The sites it administers.
    pub site_admin_of: Vec<SiteId>,
}

/// An account's membership of one partner, as authorization reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerStanding {
    /// The partner.
    pub partner: PartnerId,
    /// The partner role.
    pub role: PartnerRole,
    /// Whether the membership may be used.
    pub status: MemberStatus,
    /// The privileges held.
    pub privileges: Privileges,
    /// The partner-section permissions held now, by role or by grant.
    pub permissions: PermissionSet,
}

impl AccountPrincipal {
    /// What the permission index holds for an account at `now` (milliseconds since the epoch).
    pub fn from_index(index: &Index, account_id: AccountId, is_operator: bool, now: i64) -> Self {
        let key = account_id.key();
        Self {
            partners: index
                .standings(key, now)
                .into_iter()
                .map(PartnerStanding::from)
                .collect(),
            site_admin_of: index
                .administered_sites(key)
                .iter()
                .map(|site| SiteId::from_key(*site))
                .collect(),
            account_id,
            is_operator,
        }
    }

    /// What the permission index holds for an account at `now` as far as one partner goes: its
    /// standing there and the sites of that partner it administers. It decides every action on
    /// that partner or one of its sites as [`AccountPrincipal::from_index`] would, for the work
    /// of one membership rather than all of them — what a request with an API token asks of the
    /// token's creator (#19).
    pub fn at_partner(
        index: &Index,
        account_id: AccountId,
        is_operator: bool,
        partner: Key,
        now: i64,
    ) -> Self {
        let key = account_id.key();
        Self {
            partners: index
                .standing(key, partner, now)
                .map(PartnerStanding::from)
                .into_iter()
                .collect(),
            site_admin_of: index
                .administered_sites(key)
                .iter()
                .filter(|site| index.site_partner(**site) == Some(partner))
                .map(|site| SiteId::from_key(*site))
                .collect(),
            account_id,
            is_operator,
        }
    }

    fn active_standing(&self, partner: &PartnerId) -> Option<&PartnerStanding> {
        self.partners
            .iter()
            .find(|s| &s.partner == partner && s.status == MemberStatus::Active)
    }
}

impl From<index::Standing> for PartnerStanding {
    fn from(s: index::Standing) -> Self {
        Self {
            partner: PartnerId::from_key(s.partner),
            role: s.membership.role,
            status: s.membership.status,
            privileges: s.membership.privileges,
            permissions: s.permissions,
        }
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
    /// Change what only the operator decides for one partner (licences, plugins): hidden from
    /// other tenants, refused to the partner's own people.
    OperatePartner(&'a PartnerId),
    /// The same for one site.
    OperateSite(SiteRef<'a>),
    /// Read a partner and its customers and sites.
    ViewPartner(&'a PartnerId),
    /// Add, change or remove Technicians; reset their second factor (`admin.team`).
    ManageMembers(&'a PartnerId),
    /// Assign partner roles and privileges, and manage Admins (reference 004's "Assign roles"
    /// and "Enable Remote Support/Unattended access": Super Admins and Admins).
    AssignRoles(&'a PartnerId),
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
    /// Lock, unlock (once a site admin has unlocked it the first time) and delete
    /// technicians' access to a site (reference 001's Lock Account toggle and Delete): the
    /// site's admins and site tokens, the operator, and the partner's people and tokens with
    /// `admin.team`.
    LockSiteTechnicians(SiteRef<'a>),
    /// Ask the permission index about a site's technicians: its admins and site tokens, the
    /// partner's admins and tokens, the operator — not the partner's technicians.
    AskPermissions(SiteRef<'a>),
    /// Manage a site's devices and device groups: its admins and site tokens, the partner's
    /// admins and tokens, the operator.
    ManageDevices(SiteRef<'a>),
    /// Ask for access to a site for a while: a person who is an active member of the site's
    /// partner, whatever their role. Not a token: a request is a person's.
    RequestSiteAccess(SiteRef<'a>),
    /// Read a site's access requests: its admins and site tokens, the partner's people and
    /// tokens with `admin.team`, the operator.
    ReviewSiteAccess(SiteRef<'a>),
    /// Approve or deny an access request at a site: its admins and site tokens, and the
    /// partner's Super Admins where the site's policy lets them (`super_admins`) for the level
    /// asked.
    DecideSiteAccess {
        /// The site.
        site: SiteRef<'a>,
        /// Whether the site lets the partner's Super Admins decide this request.
        super_admins: bool,
    },
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
    Member(PartnerRole, PermissionSet),
    /// A partner-scoped API token: an Admin that cannot mint further tokens.
    PartnerToken,
}

fn standing(principal: &Principal, partner: &PartnerId) -> Standing {
    match principal {
        Principal::Account(account) if account.is_operator => Standing::Operator,
        Principal::Account(account) => account
            .active_standing(partner)
            .map_or(Standing::Stranger, |s| {
                Standing::Member(s.role, s.permissions)
            }),
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
    // Whether the standing holds a partner-section permission; partner tokens act as Admins.
    let holds = |s: Standing, permission: Permission| match s {
        Operator | PartnerToken => true,
        Member(_, permissions) => permissions.contains(permission),
        Stranger => false,
    };
    // The same, for people only: tokens cannot mint tokens.
    let person_holds =
        |s: Standing, permission: Permission| s != PartnerToken && holds(s, permission);

    match action {
        Action::OperatePlatform => match principal {
            Principal::Account(a) if a.is_operator => Ok(()),
            _ => Err(Denial::Forbidden),
        },
        Action::ViewPartner(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            _ => Ok(()),
        },
        Action::OperatePartner(p) => match standing(principal, p) {
            Operator => Ok(()),
            Stranger => Err(Denial::NotVisible),
            _ => Err(Denial::Forbidden),
        },
        Action::OperateSite(site) => {
            authorize(principal, Action::ViewSite(site))?;
            authorize(principal, Action::OperatePlatform)
        }
        Action::ManageMembers(p) | Action::ManageCustomers(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(holds(s, Permission::AdminTeam)),
        },
        Action::ViewPartnerAudit(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(holds(s, Permission::AdminAuditLog)),
        },
        Action::AssignRoles(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(matches!(
                s,
                Operator | PartnerToken | Member(PartnerRole::SuperAdmin | PartnerRole::Admin, _)
            )),
        },
        Action::ManageSuperAdmins(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(matches!(s, Operator | Member(PartnerRole::SuperAdmin, _))),
        },
        Action::ManagePartnerTokens(p) => match standing(principal, p) {
            Stranger => Err(Denial::NotVisible),
            s => allow_if(person_holds(s, Permission::AdminTeam)),
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
        | Action::ManageDevices(site)
        | Action::ReviewSiteAccess(site)
        | Action::LockSiteTechnicians(site) => {
            if is_site_admin(principal, site.site) || is_site_token(principal, site.site) {
                return Ok(());
            }
            let needs = match action {
                Action::ViewSiteAudit(_) => Permission::AdminAuditLog,
                _ => Permission::AdminTeam,
            };
            match standing(principal, site.partner) {
                Stranger => Err(Denial::NotVisible),
                s => allow_if(holds(s, needs)),
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
        Action::RequestSiteAccess(site) => match standing(principal, site.partner) {
            Member(..) => Ok(()),
            Stranger
                if !is_site_admin(principal, site.site) && !is_site_token(principal, site.site) =>
            {
                Err(Denial::NotVisible)
            }
            _ => Err(Denial::Forbidden),
        },
        Action::DecideSiteAccess { site, super_admins } => {
            if is_site_admin(principal, site.site) || is_site_token(principal, site.site) {
                return Ok(());
            }
            match standing(principal, site.partner) {
                Stranger => Err(Denial::NotVisible),
                s => allow_if(super_admins && matches!(s, Member(PartnerRole::SuperAdmin, _))),
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
                s => allow_if(person_holds(s, Permission::AdminTeam)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permission::Section;
    use crate::permission::index::{Change, Grant, Key, Membership, Scope, Subject, Window};
    use crate::permission::role::{RoleRef, SystemRole};
    use chrono::TimeZone;

    fn id<T>(make: fn(crate::Timestamp, [u8; 10]) -> T, n: u8) -> T {
        make(
            chrono::Utc.timestamp_millis_opt(1_700_000_000_000).unwrap(),
            [n; 10],
        )
    }

    const NOW: i64 = 1_700_000_000_000;

    /// A member as the index holds them, with `changes` applied after the membership.
    fn member_with(
        partner: &PartnerId,
        role: PartnerRole,
        status: MemberStatus,
        changes: impl FnOnce(Key) -> Vec<Change>,
    ) -> Principal {
        let account = id(AccountId::generate, 9);
        let mut index = Index::from_changes([Change::Membership {
            partner: partner.key(),
            account: account.key(),
            membership: Some(Membership {
                role,
                status,
                privileges: Privileges::DEFAULT,
            }),
        }]);
        for change in changes(account.key()) {
            index.apply(change);
        }
        Principal::Account(AccountPrincipal::from_index(&index, account, false, NOW))
    }

    fn member(partner: &PartnerId, role: PartnerRole, status: MemberStatus) -> Principal {
        member_with(partner, role, status, |_| Vec::new())
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
            Action::ManageSiteTechnicians(site_ref),
            Action::LockSiteTechnicians(site_ref),
            Action::OperatePartner(&b),
            Action::OperateSite(site_ref),
        ] {
            assert_eq!(
                authorize(&admin_of_a, action),
                Err(Denial::NotVisible),
                "{action:?}"
            );
        }
        // What only the operator decides for a partner is refused to its own people.
        let site_of_a = SiteRef {
            site: &site,
            partner: &a,
        };
        assert_eq!(
            authorize(&admin_of_a, Action::OperatePartner(&a)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&admin_of_a, Action::OperateSite(site_of_a)),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn the_partner_locks_and_deletes_technicians_access_and_the_site_changes_levels() {
        let p = id(PartnerId::generate, 1);
        let site = id(SiteId::generate, 3);
        let site_ref = SiteRef {
            site: &site,
            partner: &p,
        };
        let admin = member(&p, PartnerRole::Admin, MemberStatus::Active);
        let technician = member(&p, PartnerRole::Technician, MemberStatus::Active);
        assert_eq!(
            authorize(&admin, Action::LockSiteTechnicians(site_ref)),
            Ok(())
        );
        assert_eq!(
            authorize(&admin, Action::ManageSiteTechnicians(site_ref)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&technician, Action::LockSiteTechnicians(site_ref)),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn members_request_access_and_the_site_or_the_super_admins_it_names_decide() {
        let p = id(PartnerId::generate, 1);
        let site = id(SiteId::generate, 3);
        let site_ref = SiteRef {
            site: &site,
            partner: &p,
        };
        let super_admin = member(&p, PartnerRole::SuperAdmin, MemberStatus::Active);
        let admin = member(&p, PartnerRole::Admin, MemberStatus::Active);
        let technician = member(&p, PartnerRole::Technician, MemberStatus::Active);
        let disabled = member(&p, PartnerRole::Technician, MemberStatus::Disabled);
        let site_admin = Principal::Account(AccountPrincipal {
            account_id: id(AccountId::generate, 7),
            is_operator: false,
            partners: Vec::new(),
            site_admin_of: vec![site.clone()],
        });
        let request = Action::RequestSiteAccess(site_ref);
        assert_eq!(authorize(&technician, request), Ok(()));
        assert_eq!(authorize(&super_admin, request), Ok(()));
        assert_eq!(authorize(&disabled, request), Err(Denial::NotVisible));
        assert_eq!(authorize(&site_admin, request), Err(Denial::Forbidden));
        let decide = |super_admins| Action::DecideSiteAccess {
            site: site_ref,
            super_admins,
        };
        assert_eq!(authorize(&site_admin, decide(false)), Ok(()));
        assert_eq!(
            authorize(&super_admin, decide(false)),
            Err(Denial::Forbidden)
        );
        assert_eq!(authorize(&super_admin, decide(true)), Ok(()));
        assert_eq!(authorize(&admin, decide(true)), Err(Denial::Forbidden));
        assert_eq!(authorize(&technician, decide(true)), Err(Denial::Forbidden));
        let review = Action::ReviewSiteAccess(site_ref);
        assert_eq!(authorize(&admin, review), Ok(()));
        assert_eq!(authorize(&site_admin, review), Ok(()));
        assert_eq!(authorize(&technician, review), Err(Denial::Forbidden));
        let other = id(PartnerId::generate, 2);
        let stranger = member(&other, PartnerRole::SuperAdmin, MemberStatus::Active);
        for action in [request, decide(true), review] {
            assert_eq!(
                authorize(&stranger, action),
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
    fn a_technician_granted_team_administration_manages_technicians_but_not_roles() {
        let p = &id(PartnerId::generate, 1);
        let partner = p.key();
        let grant = |valid_until: Option<i64>| {
            move |account: Key| {
                vec![Change::Grant {
                    grant: 77,
                    value: Grant {
                        subject: Subject::Technician(account),
                        scope: Scope::Section {
                            partner,
                            section: Section::Administration,
                        },
                        role: RoleRef::System(SystemRole::TeamAdministrator),
                        window: Window {
                            from: None,
                            until: valid_until,
                        },
                    },
                }]
            }
        };
        let team_admin = member_with(
            p,
            PartnerRole::Technician,
            MemberStatus::Active,
            grant(None),
        );
        assert_eq!(authorize(&team_admin, Action::ManageMembers(p)), Ok(()));
        assert_eq!(authorize(&team_admin, Action::ManageCustomers(p)), Ok(()));
        assert_eq!(
            authorize(&team_admin, Action::AssignRoles(p)),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(&team_admin, Action::ViewPartnerAudit(p)),
            Err(Denial::Forbidden)
        );
        // The grant's window ends at `NOW`: from then on it gives nothing.
        let lapsed = member_with(
            p,
            PartnerRole::Technician,
            MemberStatus::Active,
            grant(Some(NOW)),
        );
        assert_eq!(
            authorize(&lapsed, Action::ManageMembers(p)),
            Err(Denial::Forbidden)
        );
    }

    #[test]
    fn a_principal_at_one_partner_decides_that_partners_actions_as_the_whole_principal() {
        let [a, b] = [1, 2].map(|n| id(PartnerId::generate, n));
        let [site_a, site_b] = [3, 4].map(|n| id(SiteId::generate, n));
        let accounts = [5, 6, 7, 8, 9].map(|n| id(AccountId::generate, n));
        let [admin, team_admin, lapsed, disabled, site_admin] =
            accounts.each_ref().map(AccountId::key);
        let membership = |partner: &PartnerId, account, role, status| Change::Membership {
            partner: partner.key(),
            account,
            membership: Some(Membership {
                role,
                status,
                privileges: Privileges::DEFAULT,
            }),
        };
        let team_administration = |account, until| Change::Grant {
            grant: account,
            value: Grant {
                subject: Subject::Technician(account),
                scope: Scope::Section {
                    partner: a.key(),
                    section: Section::Administration,
                },
                role: RoleRef::System(SystemRole::TeamAdministrator),
                window: Window { from: None, until },
            },
        };
        use {MemberStatus::*, PartnerRole::*};
        let index = Index::from_changes([
            Change::Site {
                site: site_a.key(),
                partner: a.key(),
                technician_access: true,
            },
            Change::Site {
                site: site_b.key(),
                partner: b.key(),
                technician_access: true,
            },
            membership(&a, admin, Admin, Active),
            membership(&b, admin, Technician, Active),
            membership(&a, team_admin, Technician, Active),
            team_administration(team_admin, None),
            membership(&a, lapsed, Technician, Active),
            team_administration(lapsed, Some(NOW)),
            membership(&a, disabled, SuperAdmin, Disabled),
            membership(&b, disabled, SuperAdmin, Active),
            Change::SiteAdmin {
                site: site_a.key(),
                account: site_admin,
                admin: true,
            },
            Change::SiteAdmin {
                site: site_b.key(),
                account: site_admin,
                admin: true,
            },
        ]);
        for account in &accounts {
            for is_operator in [false, true] {
                let whole = Principal::Account(AccountPrincipal::from_index(
                    &index,
                    account.clone(),
                    is_operator,
                    NOW,
                ));
                for (partner, site) in [(&a, &site_a), (&b, &site_b)] {
                    let one = Principal::Account(AccountPrincipal::at_partner(
                        &index,
                        account.clone(),
                        is_operator,
                        partner.key(),
                        NOW,
                    ));
                    let site = SiteRef { site, partner };
                    for action in [
                        Action::ManagePartnerTokens(partner),
                        Action::ManageSiteTokens(site),
                        Action::ManageMembers(partner),
                        Action::AssignRoles(partner),
                        Action::ViewPartnerAudit(partner),
                        Action::ManageSiteAdmins(site),
                        Action::ViewSite(site),
                    ] {
                        assert_eq!(
                            authorize(&one, action),
                            authorize(&whole, action),
                            "{account:?} {action:?}"
                        );
                    }
                }
            }
        }
        // Not vacuous: the answers differ between the accounts.
        let at_a = |account: &AccountId| {
            let one = Principal::Account(AccountPrincipal::at_partner(
                &index,
                account.clone(),
                false,
                a.key(),
                NOW,
            ));
            authorize(&one, Action::ManagePartnerTokens(&a))
        };
        assert_eq!(
            accounts.each_ref().map(at_a),
            [
                Ok(()),
                Ok(()),
                Err(Denial::Forbidden),
                Err(Denial::NotVisible),
                Err(Denial::NotVisible)
            ]
        );
    }

    #[test]
    fn only_super_admins_see_billing() {
        let p = id(PartnerId::generate, 1);
        let permissions = |role| match member(&p, role, MemberStatus::Active) {
            Principal::Account(a) => a.partners[0].permissions,
            Principal::ApiToken { .. } => unreachable!(),
        };
        assert!(permissions(PartnerRole::SuperAdmin).contains(Permission::AdminBilling));
        assert!(!permissions(PartnerRole::Admin).contains(Permission::AdminBilling));
        assert!(permissions(PartnerRole::Admin).contains(Permission::AdminTeam));
        // A Technician's own invitations need the remote-support privilege.
        assert!(permissions(PartnerRole::Technician).is_empty());
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
        let account = id(AccountId::generate, 4);
        let index = Index::from_changes([Change::SiteAdmin {
            site: mine.key(),
            account: account.key(),
            admin: true,
        }]);
        let site_admin =
            Principal::Account(AccountPrincipal::from_index(&index, account, false, NOW));
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
