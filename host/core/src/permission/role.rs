//! Roles: named permission sets with a purpose. System roles are fixed in code and cannot be
//! changed or deleted; custom roles belong to one partner.

use super::{Permission, PermissionClass, PermissionLevel, PermissionSet, Section};
use crate::FieldError;
use crate::tenancy::{PartnerRole, string_enum};

string_enum! {
    /// What a role is for (reference 003), which decides the permissions it may hold and the
    /// scopes it may be granted on. Fixed when the role is created.
    Purpose {
        /// A site level: site menus, given through a site assignment. System roles only.
        SiteLevel = "site_level",
        /// Devices and device groups: device actions, granted on a site, group or device.
        DevicesAndGroups = "devices_and_groups",
        /// Invitations: granted on the partner's invitations section.
        Invitations = "invitations",
        /// Administration: granted on the partner's administration section.
        Administration = "administration",
    }
}

impl Purpose {
    /// The permissions a role of this purpose may hold.
    pub fn allowed(self) -> PermissionSet {
        PermissionSet::of_class(match self {
            Self::SiteLevel => PermissionClass::SiteMenu,
            Self::DevicesAndGroups => PermissionClass::Device,
            Self::Invitations => PermissionClass::Section(Section::Invitations),
            Self::Administration => PermissionClass::Section(Section::Administration),
        })
    }

    /// The purposes a partner may create roles with.
    pub const CUSTOM: [Self; 3] = [
        Self::DevicesAndGroups,
        Self::Invitations,
        Self::Administration,
    ];
}

string_enum! {
    /// The system roles: the four site levels (001/002) and the system roles of 003.
    SystemRole {
        /// Level None: added to the site, cannot log in to it.
        LevelNone = "level.none",
        /// Level Devices Only: dashboard and device management.
        LevelDevicesOnly = "level.devices_only",
        /// Level Full Excluding Users: every menu but user management, settings view-only.
        LevelFullExcludingUsers = "level.full_excluding_users",
        /// Level Full Including Users: every menu, settings view-only.
        LevelFullIncludingUsers = "level.full_including_users",
        /// Every device action.
        FullDeviceAccess = "full_device_access",
        /// Connecting only: screen view and control, file manager, terminal.
        DeviceConnectionOnly = "device_connection_only",
        /// All of the team's invitations.
        AllInvitations = "all_invitations",
        /// One's own invitations.
        OwnInvitations = "own_invitations",
        /// Technicians and team settings.
        TeamAdministrator = "team_administrator",
        /// Branding settings.
        BrandingAdministrator = "branding_administrator",
        /// Billing settings.
        BillingAdministrator = "billing_administrator",
        /// The team-wide audit log.
        Auditor = "auditor",
        /// The Permanent Access section's device list.
        DevicesList = "devices_list",
    }
}

impl SystemRole {
    /// The role's purpose.
    pub fn purpose(self) -> Purpose {
        use SystemRole::*;
        match self {
            LevelNone | LevelDevicesOnly | LevelFullExcludingUsers | LevelFullIncludingUsers => {
                Purpose::SiteLevel
            }
            FullDeviceAccess | DeviceConnectionOnly => Purpose::DevicesAndGroups,
            AllInvitations | OwnInvitations => Purpose::Invitations,
            TeamAdministrator
            | BrandingAdministrator
            | BillingAdministrator
            | Auditor
            | DevicesList => Purpose::Administration,
        }
    }

    /// The role's permissions.
    pub fn permissions(self) -> PermissionSet {
        use Permission as P;
        use SystemRole::*;
        let of = |permissions: &[Permission]| permissions.iter().copied().collect();
        match self {
            LevelNone => PermissionLevel::None.permissions(),
            LevelDevicesOnly => PermissionLevel::DevicesOnly.permissions(),
            LevelFullExcludingUsers => PermissionLevel::FullExcludingUsers.permissions(),
            LevelFullIncludingUsers => PermissionLevel::FullIncludingUsers.permissions(),
            FullDeviceAccess => Purpose::DevicesAndGroups.allowed(),
            DeviceConnectionOnly => {
                of(&[P::ScreenView, P::ScreenControl, P::FileManager, P::Terminal])
            }
            AllInvitations => of(&[P::InvitationsAll, P::InvitationsOwn]),
            OwnInvitations => of(&[P::InvitationsOwn]),
            TeamAdministrator => of(&[P::AdminTeam]),
            BrandingAdministrator => of(&[P::AdminBranding]),
            BillingAdministrator => of(&[P::AdminBilling]),
            Auditor => of(&[P::AdminAuditLog]),
            DevicesList => of(&[P::AdminPermanentAccess]),
        }
    }
}

/// The partner-section functions a partner role includes (reference 004's privilege matrix):
/// a Super Admin every one; an Admin all but billing; a Technician their own invitations.
/// Anything more comes from grants of administration and invitation roles.
pub fn partner_role_permissions(role: PartnerRole) -> PermissionSet {
    let sections = PermissionSet::of_sections();
    match role {
        PartnerRole::SuperAdmin => sections,
        PartnerRole::Admin => sections
            .iter()
            .filter(|p| *p != Permission::AdminBilling)
            .collect(),
        PartnerRole::Technician => PermissionSet::EMPTY.with(Permission::InvitationsOwn),
    }
}

/// A role as grants name it: a system role by its name, a custom role by its id's key.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum RoleRef {
    /// A system role.
    System(SystemRole),
    /// A custom role.
    Custom(u128),
}

/// Validates a custom role's permissions against its purpose.
pub fn custom_permissions(
    field: &str,
    purpose: Purpose,
    names: &[String],
) -> Result<PermissionSet, FieldError> {
    if !Purpose::CUSTOM.contains(&purpose) {
        return Err(FieldError::new(
            "purpose",
            "must be one of: devices_and_groups, invitations, administration",
        ));
    }
    if names.is_empty() {
        return Err(FieldError::new(field, "must name at least one permission"));
    }
    let mut set = PermissionSet::EMPTY;
    for (i, name) in names.iter().enumerate() {
        let permission = Permission::parse(&format!("{field}[{i}]"), name)?;
        if !purpose.allowed().contains(permission) {
            return Err(FieldError::new(
                format!("{field}[{i}]"),
                format!("`{name}` is not a permission of a {purpose} role"),
            ));
        }
        set = set.with(permission);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_roles_hold_only_their_purposes_permissions() {
        for role in SystemRole::ALL {
            assert!(
                role.permissions().is_subset(role.purpose().allowed()),
                "{role}"
            );
            assert!(
                role.purpose() == Purpose::SiteLevel || !role.permissions().is_empty(),
                "{role}"
            );
        }
        assert_eq!(
            SystemRole::FullDeviceAccess.permissions(),
            PermissionSet::of_class(PermissionClass::Device)
        );
    }

    #[test]
    fn custom_permissions_must_fit_the_purpose() {
        let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let set = custom_permissions(
            "permissions",
            Purpose::DevicesAndGroups,
            &names(&["device.reboot", "device.chat"]),
        )
        .unwrap();
        assert!(set.contains(Permission::Reboot) && set.contains(Permission::Chat));
        let error = custom_permissions(
            "permissions",
            Purpose::DevicesAndGroups,
            &names(&["device.chat", "admin.billing"]),
        )
        .unwrap_err();
        assert_eq!(error.field, "permissions[1]");
        let error = custom_permissions(
            "permissions",
            Purpose::SiteLevel,
            &names(&["dashboard.view"]),
        )
        .unwrap_err();
        assert_eq!(error.field, "purpose");
        assert!(custom_permissions("permissions", Purpose::Invitations, &[]).is_err());
    }
}
