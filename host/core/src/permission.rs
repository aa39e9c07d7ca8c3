//! The permission catalogue and the decision "may technician T do P at site S", with the
//! reason. Pure: the caller gathers the facts (account, membership, site switch, assignment)
//! and the current time; this module decides.
//!
//! So far the catalogue covers the site menus of the reference (001/002) and the decision the
//! four fixed permission levels make. Custom roles, departments, devices and time-bound grants
//! extend the same decision.

use crate::invitation::PermissionLevel;
use crate::tenancy::{MemberStatus, string_enum};

string_enum! {
    /// A permission at a site. The names are stable: API clients and audit exports use them.
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
    }
}

impl PermissionLevel {
    /// Whether the level includes `permission` (reference 001/002): Devices Only is the
    /// dashboard and device management; Full Excluding Users is everything but user
    /// management; Full Including Users is everything — and both Full levels may only *view*
    /// Settings → Admins & Technicians and Settings → Site. None cannot log in to the site.
    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
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
}

/// What a decision looks at, gathered by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckFacts {
    /// Whether the technician's account may log in at all.
    pub account_active: bool,
    /// The technician's membership of the site's partner, if any.
    pub membership: Option<MemberStatus>,
    /// The site's Technician Access switch.
    pub technician_access: bool,
    /// The technician's assignment to the site: level and lock.
    pub assignment: Option<(PermissionLevel, bool)>,
}

/// Why a check came out as it did. The first failing condition is the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Allowed by the assignment's level.
    GrantedByLevel(PermissionLevel),
    /// The account is disabled.
    AccountDisabled,
    /// The technician is not (or no longer) a member of the site's partner.
    NotAMember,
    /// The technician's membership of the partner is disabled.
    MembershipDisabled,
    /// The site's Technician Access switch is off.
    TechnicianAccessOff,
    /// The technician is not assigned to the site (never, or the assignment was deleted).
    NotAssigned,
    /// The assignment is locked.
    Locked,
    /// The level is None: the technician cannot log in to the site.
    LevelNone,
    /// The level does not include the permission.
    NotInLevel(PermissionLevel),
}

impl Reason {
    /// Whether this reason allows.
    pub fn allows(self) -> bool {
        matches!(self, Self::GrantedByLevel(_))
    }

    /// A stable code for the reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::GrantedByLevel(_) => "granted_by_level",
            Self::AccountDisabled => "account_disabled",
            Self::NotAMember => "not_a_member",
            Self::MembershipDisabled => "membership_disabled",
            Self::TechnicianAccessOff => "technician_access_off",
            Self::NotAssigned => "not_assigned",
            Self::Locked => "locked",
            Self::LevelNone => "level_none",
            Self::NotInLevel(_) => "not_in_level",
        }
    }
}

/// Decides whether the facts allow `permission`.
pub fn decide(facts: &CheckFacts, permission: Permission) -> Reason {
    if !facts.account_active {
        return Reason::AccountDisabled;
    }
    match facts.membership {
        None => return Reason::NotAMember,
        Some(MemberStatus::Disabled) => return Reason::MembershipDisabled,
        Some(MemberStatus::Active) => {}
    }
    if !facts.technician_access {
        return Reason::TechnicianAccessOff;
    }
    let Some((level, locked)) = facts.assignment else {
        return Reason::NotAssigned;
    };
    if locked {
        return Reason::Locked;
    }
    if level == PermissionLevel::None {
        return Reason::LevelNone;
    }
    if level.grants(permission) {
        Reason::GrantedByLevel(level)
    } else {
        Reason::NotInLevel(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(level: PermissionLevel) -> CheckFacts {
        CheckFacts {
            account_active: true,
            membership: Some(MemberStatus::Active),
            technician_access: true,
            assignment: Some((level, false)),
        }
    }

    #[test]
    fn full_levels_only_view_the_two_settings_pages() {
        for level in [
            PermissionLevel::FullExcludingUsers,
            PermissionLevel::FullIncludingUsers,
        ] {
            assert!(decide(&facts(level), Permission::SettingsAdminsView).allows());
            assert!(decide(&facts(level), Permission::SettingsSiteView).allows());
            assert_eq!(
                decide(&facts(level), Permission::SettingsAdminsEdit),
                Reason::NotInLevel(level)
            );
            assert_eq!(
                decide(&facts(level), Permission::SettingsSiteEdit),
                Reason::NotInLevel(level)
            );
        }
    }

    #[test]
    fn the_four_levels() {
        use PermissionLevel::*;
        let allowed = |level, permission| decide(&facts(level), permission).allows();
        assert!(Permission::ALL.iter().all(|p| !allowed(None, *p)));
        assert_eq!(
            decide(&facts(None), Permission::DashboardView),
            Reason::LevelNone
        );
        assert!(
            allowed(DevicesOnly, Permission::DevicesEdit)
                && !allowed(DevicesOnly, Permission::EventLogsView)
        );
        assert!(
            !allowed(FullExcludingUsers, Permission::UsersView)
                && allowed(FullExcludingUsers, Permission::AuditLogsView)
        );
        assert!(allowed(FullIncludingUsers, Permission::UsersEdit));
    }

    #[test]
    fn each_condition_denies_with_its_reason() {
        let base = facts(PermissionLevel::FullIncludingUsers);
        let p = Permission::DashboardView;
        assert_eq!(
            decide(
                &CheckFacts {
                    account_active: false,
                    ..base
                },
                p
            ),
            Reason::AccountDisabled
        );
        assert_eq!(
            decide(
                &CheckFacts {
                    membership: Option::None,
                    ..base
                },
                p
            ),
            Reason::NotAMember
        );
        assert_eq!(
            decide(
                &CheckFacts {
                    membership: Some(MemberStatus::Disabled),
                    ..base
                },
                p
            ),
            Reason::MembershipDisabled
        );
        assert_eq!(
            decide(
                &CheckFacts {
                    technician_access: false,
                    ..base
                },
                p
            ),
            Reason::TechnicianAccessOff
        );
        assert_eq!(
            decide(
                &CheckFacts {
                    assignment: Option::None,
                    ..base
                },
                p
            ),
            Reason::NotAssigned
        );
        assert_eq!(
            decide(
                &CheckFacts {
                    assignment: Some((PermissionLevel::FullIncludingUsers, true)),
                    ..base
                },
                p
            ),
            Reason::Locked
        );
        assert!(decide(&base, p).allows());
    }
}
