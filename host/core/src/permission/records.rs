//! The stored records behind the index — custom roles, departments, device groups, devices
//! and grants — and the [`Change`] each one is to the index.

use super::PermissionSet;
use super::Section;
use super::index::{Change, Grant, Membership, Scope, Subject, Window};
use super::role::{Purpose, RoleRef, SystemRole};
use crate::Timestamp;
use crate::ids::{
    AccountId, DepartmentId, DeviceGroupId, DeviceId, GrantId, InvitationId, PartnerId, RoleId,
    SiteId,
};

/// A partner's custom role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    /// Its id.
    pub id: RoleId,
    /// Its partner.
    pub partner_id: PartnerId,
    /// Its name, unique within the partner.
    pub name: String,
    /// Its purpose, fixed at creation.
    pub purpose: Purpose,
    /// Its permissions, all of the purpose's class.
    pub permissions: PermissionSet,
    /// When it was created.
    pub created_at: Timestamp,
}

impl CustomRole {
    /// The role as the index sees it.
    pub fn change(&self) -> Change {
        Change::Role {
            role: self.id.key(),
            partner: self.partner_id.key(),
            purpose: self.purpose,
            permissions: self.permissions,
        }
    }
}

/// A partner's department: rights granted to it pass to its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// Its id.
    pub id: DepartmentId,
    /// Its partner.
    pub partner_id: PartnerId,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A group of a site's devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceGroup {
    /// Its id.
    pub id: DeviceGroupId,
    /// Its site.
    pub site_id: SiteId,
    /// The partner managing the site.
    pub partner_id: PartnerId,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A device at a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its id.
    pub id: DeviceId,
    /// Its site.
    pub site_id: SiteId,
    /// The partner managing the site.
    pub partner_id: PartnerId,
    /// Its group, if any.
    pub group_id: Option<DeviceGroupId>,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

impl Device {
    /// The device as the index sees it.
    pub fn change(&self) -> Change {
        Change::Device {
            device: self.id.key(),
            site: self.site_id.key(),
            group: self.group_id.as_ref().map(DeviceGroupId::key),
        }
    }
}

/// Who a grant is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantSubject {
    /// A technician.
    Technician(AccountId),
    /// A department's members.
    Department(DepartmentId),
    /// Whoever accepts a Pending invitation to join the partner (reference 003: "you can
    /// already configure the future technician"): the grant waits, giving nothing, and becomes
    /// the new member's in the acceptance's transaction.
    Invitation(InvitationId),
}

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantScope {
    /// Every device of a site.
    Site(SiteId),
    /// Every device of a group.
    Group(DeviceGroupId),
    /// One device.
    Device(DeviceId),
    /// A partner-wide section.
    Section(Section),
}

impl GrantScope {
    /// Its kind (`site`, `group`, `device`, `section`) and id (a section's name), as stored
    /// and shown.
    pub fn kind_and_id(&self) -> (&'static str, String) {
        match self {
            Self::Site(id) => ("site", id.to_string()),
            Self::Group(id) => ("group", id.to_string()),
            Self::Device(id) => ("device", id.to_string()),
            Self::Section(section) => ("section", section.as_str().to_owned()),
        }
    }

    /// The purpose of the roles this scope takes: device roles for sites, groups and devices;
    /// a section's own purpose for a section.
    pub fn purpose(&self) -> Purpose {
        match self {
            Self::Site(_) | Self::Group(_) | Self::Device(_) => Purpose::DevicesAndGroups,
            Self::Section(Section::Invitations) => Purpose::Invitations,
            Self::Section(Section::Administration) => Purpose::Administration,
        }
    }
}

/// The rules a new grant's parts must follow together: the role (of `role_purpose`) fits the
/// scope, and a window, when it has both ends, starts before it ends.
pub fn check_grant(
    scope: &GrantScope,
    role_purpose: Purpose,
    valid_from: Option<Timestamp>,
    expires_at: Option<Timestamp>,
) -> Result<(), crate::FieldError> {
    let purpose = scope.purpose();
    if role_purpose != purpose {
        return Err(crate::FieldError::new(
            "role",
            format!("is a {role_purpose} role; this scope takes {purpose} roles"),
        ));
    }
    crate::validate::window("valid_from", valid_from, expires_at)
}

#[cfg(test)]
mod grant_rules {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_role_fits_its_scope_and_a_window_starts_before_it_ends() {
        let site = GrantScope::Site(SiteId::from_trusted("s".to_owned()));
        let section = GrantScope::Section(Section::Administration);
        assert!(check_grant(&site, Purpose::DevicesAndGroups, None, None).is_ok());
        assert_eq!(
            check_grant(&site, Purpose::Administration, None, None)
                .unwrap_err()
                .field,
            "role"
        );
        assert!(check_grant(&section, Purpose::Administration, None, None).is_ok());
        assert!(check_grant(&section, Purpose::Invitations, None, None).is_err());
        let t = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let later = t + chrono::Duration::milliseconds(1);
        assert!(check_grant(&site, Purpose::DevicesAndGroups, Some(t), Some(later)).is_ok());
        for (from, until) in [(t, t), (later, t)] {
            assert_eq!(
                check_grant(&site, Purpose::DevicesAndGroups, Some(from), Some(until))
                    .unwrap_err()
                    .field,
                "expires_at"
            );
        }
    }
}

/// A role by name or id, as grants store it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleName {
    /// A system role.
    System(SystemRole),
    /// A custom role.
    Custom(RoleId),
}

impl RoleName {
    /// Parses a system role's name or a custom role's id.
    pub fn parse(field: &str, text: &str) -> Result<Self, crate::FieldError> {
        if let Ok(system) = SystemRole::parse(field, text) {
            return Ok(Self::System(system));
        }
        RoleId::parse(field, text).map(Self::Custom).map_err(|_| {
            crate::FieldError::new(field, "must be a system role's name or a custom role's id")
        })
    }

    /// The stable text: the system role's name or the custom role's id.
    pub fn as_str(&self) -> &str {
        match self {
            Self::System(system) => system.as_str(),
            Self::Custom(id) => id.as_str(),
        }
    }

    /// The reference the index uses.
    pub fn to_ref(&self) -> RoleRef {
        match self {
            Self::System(system) => RoleRef::System(*system),
            Self::Custom(id) => RoleRef::Custom(id.key()),
        }
    }
}

/// A grant of a role on a scope to a subject, optionally time-bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    /// Its id.
    pub id: GrantId,
    /// The partner it belongs to.
    pub partner_id: PartnerId,
    /// Who.
    pub subject: GrantSubject,
    /// Where.
    pub scope: GrantScope,
    /// Which role.
    pub role: RoleName,
    /// From when (inclusive).
    pub valid_from: Option<Timestamp>,
    /// Until when (exclusive).
    pub expires_at: Option<Timestamp>,
    /// The account that created it; `None` when an API token did (the audit event names it).
    pub created_by: Option<AccountId>,
    /// When.
    pub created_at: Timestamp,
}

impl AccessGrant {
    /// The grant as the index sees it; `None` for one waiting for its invitation to be
    /// accepted, which gives nothing yet.
    pub fn change(&self) -> Option<Change> {
        let subject = match &self.subject {
            GrantSubject::Technician(id) => Subject::Technician(id.key()),
            GrantSubject::Department(id) => Subject::Department(id.key()),
            GrantSubject::Invitation(_) => return None,
        };
        let scope = match &self.scope {
            GrantScope::Site(id) => Scope::Site(id.key()),
            GrantScope::Group(id) => Scope::Group(id.key()),
            GrantScope::Device(id) => Scope::Device(id.key()),
            GrantScope::Section(section) => Scope::Section {
                partner: self.partner_id.key(),
                section: *section,
            },
        };
        Some(Change::Grant {
            grant: self.id.key(),
            value: Grant {
                subject,
                scope,
                role: self.role.to_ref(),
                window: Window::between(self.valid_from, self.expires_at),
            },
        })
    }
}

impl crate::tenancy::PartnerMembership {
    /// The membership as the index sees it.
    pub fn change(&self) -> Change {
        Change::Membership {
            partner: self.partner_id.key(),
            account: self.account_id.key(),
            membership: Some(Membership {
                role: self.role,
                status: self.status,
                privileges: self.privileges,
            }),
        }
    }
}

impl crate::tenancy::SiteAdmin {
    /// The site admin as the index sees it; `admin: false` for its removal.
    pub fn change(&self, admin: bool) -> Change {
        Change::SiteAdmin {
            site: self.site_id.key(),
            account: self.account_id.key(),
            admin,
        }
    }
}

impl crate::tenancy::Site {
    /// The site as the index sees it.
    pub fn change(&self) -> Change {
        Change::Site {
            site: self.id.key(),
            partner: self.partner_id.key(),
            technician_access: self.technician_access,
        }
    }
}
