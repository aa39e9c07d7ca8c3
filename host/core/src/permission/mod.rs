//! Permissions: the catalogue, the roles that bundle them, and the index that answers "may
//! technician T do P at site S / on device D" with the reason.
//!
//! - [`Permission`] is the one list of permissions, with stable names, in three classes: the
//!   site menus of references 001/002, the device actions of 003, and the partner sections of
//!   003 (invitations and administration).
//! - [`role`] holds the roles: the immutable system roles (the four site levels and the
//!   system roles of 003) and the custom roles partners define.
//! - [`index`] is the in-memory index every check reads: built from storage at start, kept
//!   current by the change each write commits, and deciding with the first failing condition
//!   as the reason.

pub mod index;
pub mod records;
pub mod role;

#[cfg(test)]
mod reference;

use crate::invitation::PermissionLevel;
use crate::tenancy::{Privilege, string_enum};

string_enum! {
    /// A permission. The names are stable: API clients and audit exports use them.
    Permission {
        /// See the dashboard.
        DashboardView = "dashboard.view",
        /// See devices.
        DevicesView = "devices.view",
        /// Manage devices.
        DevicesEdit = "devices.edit",
        /// See the site's users (people data).
        UsersView = "users.view",
        /// Manage the site's users.
        UsersEdit = "users.edit",
        /// See Settings → Admins & Technicians.
        SettingsAdminsView = "settings.admins_technicians.view",
        /// Change Settings → Admins & Technicians.
        SettingsAdminsEdit = "settings.admins_technicians.edit",
        /// See Settings → Site.
        SettingsSiteView = "settings.site.view",
        /// Change Settings → Site.
        SettingsSiteEdit = "settings.site.edit",
        /// See Monitoring → Event Logs.
        EventLogsView = "monitoring.event_logs.view",
        /// See Monitoring → Audit Logs.
        AuditLogsView = "monitoring.audit_logs.view",

        /// Connect to a device's screen, view only.
        ScreenView = "device.screen_view",
        /// Control a device's screen with mouse and keyboard.
        ScreenControl = "device.screen_control",
        /// Use a device's file system.
        FileManager = "device.file_manager",
        /// Connect to a device in terminal mode.
        Terminal = "device.terminal",
        /// Wake a device with Wake-on-LAN.
        WakeUp = "device.wake_up",
        /// Reboot a device.
        Reboot = "device.reboot",
        /// Lock or unlock the device's operating-system account.
        OsAccountLock = "device.os_account_lock",
        /// Make calls during a session.
        Calls = "device.calls",
        /// Black out the screen and lock input during a session.
        BlackScreen = "device.black_screen_input_lock",
        /// Chat during a session.
        Chat = "device.chat",
        /// Synchronise the clipboard.
        ClipboardSync = "device.clipboard_sync",
        /// See a live preview of the screen in the device list.
        ScreenPreview = "device.screen_preview",
        /// See the device's connection history.
        ConnectionHistory = "device.connection_history",
        /// See the device's installed software.
        SoftwareInventory = "device.software_inventory",
        /// Manage the device's notifications.
        Notifications = "device.notifications",
        /// Delete session recordings.
        RecordingsDelete = "device.recordings_delete",
        /// Change the device's properties.
        DeviceModify = "device.modify",
        /// Delete the device.
        DeviceDelete = "device.delete",

        /// Work with one's own invitations.
        InvitationsOwn = "invitations.own",
        /// Work with all of the team's invitations.
        InvitationsAll = "invitations.all",

        /// Read the team-wide audit log.
        AdminAuditLog = "admin.audit_log",
        /// Manage technicians and team settings.
        AdminTeam = "admin.team",
        /// Manage branding.
        AdminBranding = "admin.branding",
        /// Manage billing.
        AdminBilling = "admin.billing",
        /// See the Permanent Access section even without a device.
        AdminPermanentAccess = "admin.permanent_access",
    }
}

string_enum! {
    /// A partner-wide section that grants are given on (reference 003's "Access to sections").
    Section {
        /// Invitations (Quick Support).
        Invitations = "invitations",
        /// Administration (Team and system settings).
        Administration = "administration",
    }
}

/// What a permission is about, which decides what a check needs and which roles may hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionClass {
    /// A menu of a site, granted by the technician's level there.
    SiteMenu,
    /// An action on a device, granted by a role on the device, its group or its site.
    Device,
    /// A function of a partner-wide section, granted by a role on that section.
    Section(Section),
}

impl PermissionClass {
    /// The member privilege a permission of this class needs (reference 004): device actions
    /// are unattended access, the Invitations section is remote support.
    pub fn privilege(self) -> Option<Privilege> {
        match self {
            Self::Device => Some(Privilege::UnattendedAccess),
            Self::Section(Section::Invitations) => Some(Privilege::RemoteSupport),
            Self::SiteMenu | Self::Section(Section::Administration) => None,
        }
    }
}

impl Permission {
    /// The permission's class.
    pub fn class(self) -> PermissionClass {
        use Permission::*;
        match self {
            DashboardView | DevicesView | DevicesEdit | UsersView | UsersEdit
            | SettingsAdminsView | SettingsAdminsEdit | SettingsSiteView | SettingsSiteEdit
            | EventLogsView | AuditLogsView => PermissionClass::SiteMenu,
            InvitationsOwn | InvitationsAll => PermissionClass::Section(Section::Invitations),
            AdminAuditLog | AdminTeam | AdminBranding | AdminBilling | AdminPermanentAccess => {
                PermissionClass::Section(Section::Administration)
            }
            _ => PermissionClass::Device,
        }
    }

    fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

/// A set of permissions, one bit each.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct PermissionSet(u64);

impl PermissionSet {
    /// No permission.
    pub const EMPTY: Self = Self(0);

    /// Every permission of a class.
    pub fn of_class(class: PermissionClass) -> Self {
        Permission::ALL
            .iter()
            .filter(|p| p.class() == class)
            .copied()
            .collect()
    }

    /// Every partner-section permission (invitations and administration).
    pub fn of_sections() -> Self {
        Section::ALL
            .iter()
            .map(|s| Self::of_class(PermissionClass::Section(*s)))
            .fold(Self::EMPTY, |a, b| Self(a.0 | b.0))
    }

    /// Whether the set holds `permission`.
    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// The set with `permission` added.
    #[must_use]
    pub fn with(self, permission: Permission) -> Self {
        Self(self.0 | permission.bit())
    }

    /// Whether every permission of `self` is in `other`.
    pub fn is_subset(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl PermissionLevel {
    /// Whether the level includes `permission` (reference 001/002): Devices Only is the
    /// dashboard and device management; Full Excluding Users is every menu but user
    /// management; Full Including Users is every menu — and both Full levels may only *view*
    /// Settings → Admins & Technicians and Settings → Site. None cannot log in to the site.
    /// Levels hold site menus only; device actions come from roles.
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
        if permission.class() != PermissionClass::SiteMenu {
            return false;
        }
        match self {
            Self::None => false,
            Self::DevicesOnly => matches!(permission, DashboardView | DevicesView | DevicesEdit),
            Self::FullExcludingUsers => !matches!(
                permission,
                UsersView | UsersEdit | SettingsAdminsEdit | SettingsSiteEdit
            ),
            Self::FullIncludingUsers => {
                !matches!(permission, SettingsAdminsEdit | SettingsSiteEdit)
            }
        }
    }

    /// The level's permissions.
    pub fn permissions(self) -> PermissionSet {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.grants(*p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_has_one_bit() {
        assert!(Permission::ALL.len() <= 64);
        let all: PermissionSet = Permission::ALL.iter().copied().collect();
        assert_eq!(all.iter().count(), Permission::ALL.len());
        for class in [
            PermissionClass::SiteMenu,
            PermissionClass::Device,
            PermissionClass::Section(Section::Invitations),
            PermissionClass::Section(Section::Administration),
        ] {
            assert!(!PermissionSet::of_class(class).is_empty(), "{class:?}");
        }
    }

    #[test]
    fn full_levels_only_view_the_two_settings_pages() {
        for level in [
            PermissionLevel::FullExcludingUsers,
            PermissionLevel::FullIncludingUsers,
        ] {
            assert!(level.grants(Permission::SettingsAdminsView));
            assert!(level.grants(Permission::SettingsSiteView));
            assert!(!level.grants(Permission::SettingsAdminsEdit));
            assert!(!level.grants(Permission::SettingsSiteEdit));
        }
    }

    #[test]
    fn the_four_levels() {
        use PermissionLevel::*;
        assert!(None.permissions().is_empty());
        assert_eq!(
            DevicesOnly.permissions().iter().collect::<Vec<_>>(),
            [
                Permission::DashboardView,
                Permission::DevicesView,
                Permission::DevicesEdit
            ]
        );
        assert!(
            !FullExcludingUsers.grants(Permission::UsersView)
                && FullExcludingUsers.grants(Permission::AuditLogsView)
        );
        assert!(FullIncludingUsers.grants(Permission::UsersEdit));
        assert!(!FullIncludingUsers.grants(Permission::ScreenControl));
        assert!(
            DevicesOnly
                .permissions()
                .is_subset(FullExcludingUsers.permissions())
                && FullExcludingUsers
                    .permissions()
                    .is_subset(FullIncludingUsers.permissions())
        );
    }
}
