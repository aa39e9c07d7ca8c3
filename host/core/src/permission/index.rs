//! The permission index: every fact a check reads, in memory, keyed by id.
//!
//! The host builds it from storage at start ([`Index::apply`] over a snapshot of
//! [`Change`]s) and applies the [`Change`]s each write commits, so the very next check sees
//! them. A check is a handful of hash lookups — no allocation, no I/O — and answers with the
//! first failing condition as the reason, or the path that granted.
//!
//! The conditions, in the order they are checked:
//! 1. the technician's account is active;
//! 2. the technician is an active member of the partner the site (or section) belongs to;
//! 3. device actions need the member's unattended-access privilege, the Invitations section
//!    the remote-support privilege (the privileges licences count, reference 004);
//! 4. for site menus and device actions: the site's Technician Access switch is on, the
//!    technician is assigned to the site (the invitation was accepted), the assignment is
//!    unlocked and within its validity window, and its level is not None;
//! 5. site menus are granted by the level; section functions by the member's partner role
//!    (Super Admin, Admin, Technician), and device actions and section functions by a grant —
//!    the technician's own or a department's — on the device, a group containing it, the site,
//!    or the section, whose role holds the permission and whose window contains `now`.
//!
//! Times are milliseconds since the Unix epoch. Windows are half-open: a grant valid until
//! `T` allows at `T - 1 ms` and denies at `T`; there is no cache window.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::atomic::{AtomicI64, Ordering};

use rustc_hash::FxBuildHasher;
use smallvec::SmallVec;

use super::role::{Purpose, RoleRef, SystemRole, partner_role_permissions};
use super::{Permission, PermissionClass, PermissionSet, Section};
use crate::Timestamp;
use crate::invitation::PermissionLevel;
use crate::tenancy::{MemberStatus, PartnerRole, Privilege, Privileges};

/// An id's key (see `ids::*::key`): 128 bits that sort as the id's text does.
pub type Key = u128;

type Map<K, V> = HashMap<K, V, FxBuildHasher>;

/// Who a grant is for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Subject {
    /// One technician.
    Technician(Key),
    /// Every member of a department.
    Department(Key),
}

/// What a grant covers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Scope {
    /// Every device of a site.
    Site(Key),
    /// Every device of a device group.
    Group(Key),
    /// One device.
    Device(Key),
    /// A partner-wide section.
    Section {
        /// The partner.
        partner: Key,
        /// The section.
        section: Section,
    },
}

/// When something is valid: from `from` (inclusive) until `until` (exclusive), in
/// milliseconds since the Unix epoch; an absent bound is open.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Window {
    /// The first valid millisecond.
    pub from: Option<i64>,
    /// The first millisecond no longer valid.
    pub until: Option<i64>,
}

impl Window {
    /// Always valid.
    pub const ALWAYS: Self = Self {
        from: None,
        until: None,
    };

    /// The window between two optional times.
    pub fn between(from: Option<Timestamp>, until: Option<Timestamp>) -> Self {
        Self {
            from: from.map(|t| t.timestamp_millis()),
            until: until.map(|t| t.timestamp_millis()),
        }
    }

    /// Whether `now` is inside the window.
    pub fn contains(self, now: i64) -> bool {
        self.from.is_none_or(|from| from <= now) && self.until.is_none_or(|until| now < until)
    }
}

/// A technician's assignment to a site, as checks see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assignment {
    /// The level: which site menus it grants.
    pub level: PermissionLevel,
    /// Locked assignments grant nothing.
    pub locked: bool,
    /// When the assignment is valid.
    pub window: Window,
}

/// A membership of a partner, as checks see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    /// The member's partner role.
    pub role: PartnerRole,
    /// Whether it may be used.
    pub status: MemberStatus,
    /// The privileges the member holds.
    pub privileges: Privileges,
}

/// Where an account stands at one partner: what authorizing a partner endpoint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The partner.
    pub partner: Key,
    /// The membership.
    pub membership: Membership,
    /// The partner-section permissions the member holds now (by role or by grant); empty
    /// while the membership or the account is disabled.
    pub permissions: PermissionSet,
}

/// A grant: a subject may use a role on a scope, within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Grant {
    /// Who.
    pub subject: Subject,
    /// Where.
    pub scope: Scope,
    /// Which permissions.
    pub role: RoleRef,
    /// When.
    pub window: Window,
}

/// One committed change to the facts checks read. Upserts carry the whole new state of their
/// record, so applying a change twice is the same as applying it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Change {
    /// An account's status changed. Accounts are active until one says otherwise.
    Account {
        /// The account.
        account: Key,
        /// Whether it may log in.
        active: bool,
    },
    /// A partner membership was set (`Some`) or removed (`None`).
    Membership {
        /// The partner.
        partner: Key,
        /// The member's account.
        account: Key,
        /// The membership.
        membership: Option<Membership>,
    },
    /// An account became (`admin: true`) or stopped being an admin of a site.
    SiteAdmin {
        /// The site.
        site: Key,
        /// The account.
        account: Key,
        /// Whether it is now an admin of the site.
        admin: bool,
    },
    /// A site exists with its switch.
    Site {
        /// The site.
        site: Key,
        /// The partner managing it.
        partner: Key,
        /// The Technician Access switch.
        technician_access: bool,
    },
    /// An assignment was set (`Some`) or deleted (`None`).
    Assignment {
        /// The site.
        site: Key,
        /// The technician.
        account: Key,
        /// The assignment.
        assignment: Option<Assignment>,
    },
    /// A custom role was created or changed.
    Role {
        /// The role's key.
        role: Key,
        /// Its partner.
        partner: Key,
        /// Its purpose.
        purpose: Purpose,
        /// Its permissions.
        permissions: PermissionSet,
    },
    /// A custom role was deleted, and every grant that used it.
    RoleRemoved {
        /// The role's key.
        role: Key,
    },
    /// A department exists.
    Department {
        /// The department.
        department: Key,
        /// Its partner.
        partner: Key,
    },
    /// A department was deleted, with its grants and memberships.
    DepartmentRemoved {
        /// The department.
        department: Key,
    },
    /// A technician joined (`member: true`) or left a department.
    DepartmentMember {
        /// The department.
        department: Key,
        /// The technician.
        account: Key,
        /// Whether the technician is now a member.
        member: bool,
    },
    /// A device group exists.
    Group {
        /// The group.
        group: Key,
        /// Its site.
        site: Key,
    },
    /// A device group was deleted: its devices leave it and grants on it go.
    GroupRemoved {
        /// The group.
        group: Key,
    },
    /// A device exists, in a group or not.
    Device {
        /// The device.
        device: Key,
        /// Its site.
        site: Key,
        /// Its group.
        group: Option<Key>,
    },
    /// A device was deleted, and grants on it.
    DeviceRemoved {
        /// The device.
        device: Key,
    },
    /// A grant was created or changed.
    Grant {
        /// The grant's key.
        grant: Key,
        /// The grant.
        value: Grant,
    },
    /// A grant was deleted.
    GrantRemoved {
        /// The grant's key.
        grant: Key,
    },
}

/// Where a question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// At a site, optionally on one of its devices.
    Site {
        /// The site.
        site: Key,
        /// The device.
        device: Option<Key>,
    },
    /// At a partner (for section permissions).
    Partner(Key),
}

/// "May technician T do P at the target?"
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The technician's account.
    pub technician: Key,
    /// The permission.
    pub permission: Permission,
    /// Where.
    pub target: Target,
}

/// A question that cannot be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    /// The site does not exist.
    #[error("the site does not exist")]
    UnknownSite,
    /// The device does not exist at the site.
    #[error("the device does not exist at this site")]
    UnknownDevice,
    /// Site menus and device actions are asked at a site.
    #[error("this permission is checked at a site: give a site")]
    NeedsSite,
}

/// How a grant reached the technician: technician → (department) → role → scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantPath {
    /// The grant.
    pub grant: Key,
    /// The department the technician inherited it from, if not their own.
    pub department: Option<Key>,
    /// The role it uses.
    pub role: RoleRef,
    /// What it is on; for a device question this may be the device's group or its site.
    pub scope: Scope,
}

/// Why a check came out as it did. Denials name the first failing condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Allowed: a site menu the assignment's level includes.
    GrantedByLevel(PermissionLevel),
    /// Allowed: a grant whose role holds the permission.
    GrantedByRole(GrantPath),
    /// Allowed: a partner-section function the member's partner role includes.
    GrantedByPartnerRole(PartnerRole),
    /// The account is disabled.
    AccountDisabled,
    /// The technician is not (or no longer) a member of the partner.
    NotAMember,
    /// The technician's membership of the partner is disabled.
    MembershipDisabled,
    /// The member does not hold the privilege this permission needs.
    PrivilegeNotHeld(Privilege),
    /// The site's Technician Access switch is off.
    TechnicianAccessOff,
    /// The technician is not assigned to the site (never, or the assignment was deleted).
    NotAssigned,
    /// The assignment is locked.
    Locked,
    /// The assignment's window has not begun.
    NotYetValid,
    /// The assignment's window has ended.
    Expired,
    /// The level is None: the technician cannot log in to the site.
    LevelNone,
    /// The level does not include the site menu.
    NotInLevel(PermissionLevel),
    /// A grant would allow, but `now` is outside its window.
    GrantOutsideWindow,
    /// No grant's role holds the permission here.
    NoGrant,
}

impl Reason {
    /// Every reason's code, in the order the check decides: the first that applies answers.
    /// A partner role that includes a section's function answers before any grant.
    pub const CODES: [&'static str; 16] = [
        "granted_by_partner_role",
        "account_disabled",
        "not_a_member",
        "membership_disabled",
        "privilege_not_held",
        "technician_access_off",
        "not_assigned",
        "locked",
        "not_yet_valid",
        "expired",
        "level_none",
        "granted_by_level",
        "not_in_level",
        "granted_by_role",
        "grant_outside_window",
        "no_grant",
    ];

    /// The level that decided, where one did: a site menu granted or not by the level, or
    /// the level None.
    pub fn level(self) -> Option<PermissionLevel> {
        match self {
            Self::GrantedByLevel(level) | Self::NotInLevel(level) => Some(level),
            Self::LevelNone => Some(PermissionLevel::None),
            _ => None,
        }
    }

    /// Whether this reason allows.
    pub fn allows(self) -> bool {
        matches!(
            self,
            Self::GrantedByLevel(_) | Self::GrantedByRole(_) | Self::GrantedByPartnerRole(_)
        )
    }

    /// The reason's place in [`Reason::CODES`] (for counting by reason in an array).
    pub fn ordinal(self) -> usize {
        match self {
            Self::GrantedByPartnerRole(_) => 0,
            Self::AccountDisabled => 1,
            Self::NotAMember => 2,
            Self::MembershipDisabled => 3,
            Self::PrivilegeNotHeld(_) => 4,
            Self::TechnicianAccessOff => 5,
            Self::NotAssigned => 6,
            Self::Locked => 7,
            Self::NotYetValid => 8,
            Self::Expired => 9,
            Self::LevelNone => 10,
            Self::GrantedByLevel(_) => 11,
            Self::NotInLevel(_) => 12,
            Self::GrantedByRole(_) => 13,
            Self::GrantOutsideWindow => 14,
            Self::NoGrant => 15,
        }
    }

    /// A stable code for the reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::GrantedByLevel(_) => "granted_by_level",
            Self::GrantedByRole(_) => "granted_by_role",
            Self::GrantedByPartnerRole(_) => "granted_by_partner_role",
            Self::AccountDisabled => "account_disabled",
            Self::NotAMember => "not_a_member",
            Self::MembershipDisabled => "membership_disabled",
            Self::PrivilegeNotHeld(_) => "privilege_not_held",
            Self::TechnicianAccessOff => "technician_access_off",
            Self::NotAssigned => "not_assigned",
            Self::Locked => "locked",
            Self::NotYetValid => "not_yet_valid",
            Self::Expired => "expired",
            Self::LevelNone => "level_none",
            Self::NotInLevel(_) => "not_in_level",
            Self::GrantOutsideWindow => "grant_outside_window",
            Self::NoGrant => "no_grant",
        }
    }
}

/// Where a page of keys starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageAt {
    /// Keys strictly after this one.
    pub after: Option<Key>,
    /// At most this many.
    pub limit: usize,
}

impl PageAt {
    /// The first `limit` keys.
    pub fn first(limit: usize) -> Self {
        Self { after: None, limit }
    }
}

/// One page of keys in ascending order, with whether more follow.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPage {
    /// The keys.
    pub keys: Vec<Key>,
    /// Whether more keys follow the last one.
    pub more: bool,
}

/// Counts, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Accounts.
    pub accounts: usize,
    /// Sites.
    pub sites: usize,
    /// Site assignments.
    pub assignments: usize,
    /// Devices.
    pub devices: usize,
    /// Departments.
    pub departments: usize,
    /// Grants.
    pub grants: usize,
}

#[derive(Debug, Default)]
struct AccountEntry {
    /// Accounts are active unless a change says otherwise, so creating one needs no change.
    disabled: bool,
    /// Kept in the entry itself up to the usual count (one partner, two departments), so a
    /// check reads them where it found the account instead of following a pointer.
    memberships: SmallVec<[(Key, Membership); 1]>,
    /// The departments the account is in, ascending.
    departments: SmallVec<[Key; 2]>,
    /// The sites the account administers, ascending.
    admin_of: Vec<Key>,
}

#[derive(Debug, Clone, Copy)]
struct SiteEntry {
    partner: Key,
    technician_access: bool,
}

#[derive(Debug, Clone, Copy)]
struct DeviceEntry {
    site: Key,
    group: Option<Key>,
}

#[derive(Debug, Clone, Copy)]
struct RoleEntry {
    permissions: PermissionSet,
}

#[derive(Debug)]
struct DepartmentEntry {
    members: BTreeSet<Key>,
}

/// An assignment with when the check last allowed its technician at its site.
#[derive(Debug)]
struct AssignmentEntry {
    assignment: Assignment,
    /// The minute (as milliseconds since the Unix epoch, rounded down) of the newest check
    /// that allowed through this assignment; 0 for none since the index was built. Written
    /// at most once a minute per assignment, so a check usually only reads it.
    used: AtomicI64,
    /// The newest `used` handed to storage ([`Index::mark_written`]).
    written: AtomicI64,
}

/// How finely last use is recorded: one minute.
pub const USE_RESOLUTION_MS: i64 = 60_000;

/// A technician's use of their access to a site, as [`Index::used_since`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use {
    /// The site.
    pub site: Key,
    /// The technician.
    pub technician: Key,
    /// The minute of the newest check that allowed them there (milliseconds, rounded down).
    pub at: i64,
}

/// A grant as the list of its subject and scope holds it.
#[derive(Debug, Clone, Copy)]
struct GrantEntry {
    grant: Key,
    role: RoleRef,
    window: Window,
}

/// The index. See the module documentation.
#[derive(Debug)]
pub struct Index {
    system_roles: Vec<PermissionSet>,
    accounts: Map<Key, AccountEntry>,
    sites: Map<Key, SiteEntry>,
    /// Keyed by (site, technician).
    assignments: Map<(Key, Key), AssignmentEntry>,
    site_technicians: Map<Key, BTreeSet<Key>>,
    technician_sites: Map<Key, BTreeSet<Key>>,
    groups: Map<Key, Key>,
    devices: Map<Key, DeviceEntry>,
    site_devices: Map<Key, BTreeSet<Key>>,
    roles: Map<Key, RoleEntry>,
    departments: Map<Key, DepartmentEntry>,
    grants: Map<Key, Grant>,
    /// The grants of each subject on each scope, by grant key. A check asks about a few
    /// (subject, scope) pairs: each is one lookup, independent of the others so the processor
    /// overlaps them, and a pair holding nothing — the usual answer — costs only a probe of the
    /// table's control bytes.
    grants_at: Map<(Subject, Scope), SmallVec<[GrantEntry; 1]>>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            system_roles: SystemRole::ALL.iter().map(|r| r.permissions()).collect(),
            accounts: Map::default(),
            sites: Map::default(),
            assignments: Map::default(),
            site_technicians: Map::default(),
            technician_sites: Map::default(),
            groups: Map::default(),
            devices: Map::default(),
            site_devices: Map::default(),
            roles: Map::default(),
            departments: Map::default(),
            grants: Map::default(),
            grants_at: Map::default(),
        }
    }
}

impl Index {
    /// An index holding `changes`, applied in order.
    pub fn from_changes(changes: impl IntoIterator<Item = Change>) -> Self {
        let mut index = Self::default();
        for change in changes {
            index.apply(change);
        }
        index
    }

    /// Counts of what the index holds.
    pub fn stats(&self) -> Stats {
        Stats {
            accounts: self.accounts.len(),
            sites: self.sites.len(),
            assignments: self.assignments.len(),
            devices: self.devices.len(),
            departments: self.departments.len(),
            grants: self.grants.len(),
        }
    }

    /// Applies one committed change.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Account { account, active } => {
                self.accounts.entry(account).or_default().disabled = !active;
            }
            Change::Membership {
                partner,
                account,
                membership,
            } => {
                let entry = self.accounts.entry(account).or_default();
                entry.memberships.retain(|(p, _)| *p != partner);
                if let Some(membership) = membership {
                    entry.memberships.push((partner, membership));
                }
            }
            Change::SiteAdmin {
                site,
                account,
                admin,
            } => {
                let sites = &mut self.accounts.entry(account).or_default().admin_of;
                match (sites.binary_search(&site), admin) {
                    (Err(at), true) => sites.insert(at, site),
                    (Ok(at), false) => {
                        sites.remove(at);
                    }
                    _ => {}
                }
            }
            Change::Site {
                site,
                partner,
                technician_access,
            } => {
                self.sites.insert(
                    site,
                    SiteEntry {
                        partner,
                        technician_access,
                    },
                );
            }
            Change::Assignment {
                site,
                account,
                assignment: Some(assignment),
            } => {
                match self.assignments.entry((site, account)) {
                    std::collections::hash_map::Entry::Occupied(mut held) => {
                        held.get_mut().assignment = assignment;
                    }
                    std::collections::hash_map::Entry::Vacant(free) => {
                        free.insert(AssignmentEntry {
                            assignment,
                            used: AtomicI64::new(0),
                            written: AtomicI64::new(0),
                        });
                    }
                }
                self.site_technicians
                    .entry(site)
                    .or_default()
                    .insert(account);
                self.technician_sites
                    .entry(account)
                    .or_default()
                    .insert(site);
            }
            Change::Assignment {
                site,
                account,
                assignment: None,
            } => {
                self.assignments.remove(&(site, account));
                remove_from(&mut self.site_technicians, site, account);
                remove_from(&mut self.technician_sites, account, site);
            }
            Change::Role {
                role,
                purpose: _,
                partner: _,
                permissions,
            } => {
                self.roles.insert(role, RoleEntry { permissions });
            }
            Change::RoleRemoved { role } => {
                self.roles.remove(&role);
                self.remove_grants(|g| g.role == RoleRef::Custom(role));
            }
            Change::Department {
                department,
                partner: _,
            } => {
                self.departments
                    .entry(department)
                    .or_insert_with(|| DepartmentEntry {
                        members: BTreeSet::new(),
                    });
            }
            Change::DepartmentRemoved { department } => {
                if let Some(entry) = self.departments.remove(&department) {
                    for member in entry.members {
                        if let Some(account) = self.accounts.get_mut(&member) {
                            account.departments.retain(|d| *d != department);
                        }
                    }
                }
                self.remove_grants(|g| g.subject == Subject::Department(department));
            }
            Change::DepartmentMember {
                department,
                account,
                member,
            } => {
                let Some(entry) = self.departments.get_mut(&department) else {
                    return;
                };
                let departments = &mut self.accounts.entry(account).or_default().departments;
                let at = departments.binary_search(&department);
                match (member, at) {
                    (true, Err(at)) => {
                        departments.insert(at, department);
                        entry.members.insert(account);
                    }
                    (false, Ok(at)) => {
                        departments.remove(at);
                        entry.members.remove(&account);
                    }
                    _ => {}
                }
            }
            Change::Group { group, site } => {
                self.groups.insert(group, site);
            }
            Change::GroupRemoved { group } => {
                self.groups.remove(&group);
                for device in self.devices.values_mut() {
                    if device.group == Some(group) {
                        device.group = None;
                    }
                }
                self.remove_grants(|g| g.scope == Scope::Group(group));
            }
            Change::Device {
                device,
                site,
                group,
            } => {
                self.devices.insert(device, DeviceEntry { site, group });
                self.site_devices.entry(site).or_default().insert(device);
            }
            Change::DeviceRemoved { device } => {
                if let Some(entry) = self.devices.remove(&device) {
                    remove_from(&mut self.site_devices, entry.site, device);
                }
                self.remove_grants(|g| g.scope == Scope::Device(device));
            }
            Change::Grant { grant, value } => {
                self.remove_grant(grant);
                self.grants.insert(grant, value);
                let entries = self
                    .grants_at
                    .entry((value.subject, value.scope))
                    .or_default();
                let at = entries.partition_point(|e| e.grant < grant);
                entries.insert(
                    at,
                    GrantEntry {
                        grant,
                        role: value.role,
                        window: value.window,
                    },
                );
            }
            Change::GrantRemoved { grant } => self.remove_grant(grant),
        }
    }

    fn remove_grant(&mut self, grant: Key) {
        let Some(old) = self.grants.remove(&grant) else {
            return;
        };
        let at = (old.subject, old.scope);
        if let Some(entries) = self.grants_at.get_mut(&at) {
            entries.retain(|e| e.grant != grant);
            if entries.is_empty() {
                self.grants_at.remove(&at);
            }
        }
    }

    /// Removes every grant matching `doomed`. A scan: deleting roles, departments, groups and
    /// devices is rare next to checks, and a second index per field would cost memory on
    /// every grant.
    fn remove_grants(&mut self, doomed: impl Fn(&Grant) -> bool) {
        let keys: Vec<Key> = self
            .grants
            .iter()
            .filter(|(_, g)| doomed(g))
            .map(|(k, _)| *k)
            .collect();
        for key in keys {
            self.remove_grant(key);
        }
    }

    /// The grants, with their keys, that `keep` selects, ascending by key.
    pub fn grants_where(&self, keep: impl Fn(&Grant) -> bool) -> Vec<(Key, Grant)> {
        let mut found: Vec<(Key, Grant)> = self
            .grants
            .iter()
            .filter(|(_, g)| keep(g))
            .map(|(k, g)| (*k, *g))
            .collect();
        found.sort_unstable_by_key(|(k, _)| *k);
        found
    }

    /// A technician's assignment to a site.
    pub fn assignment(&self, site: Key, technician: Key) -> Option<Assignment> {
        self.assignments
            .get(&(site, technician))
            .map(|entry| entry.assignment)
    }

    /// The partner a site belongs to.
    pub fn site_partner(&self, site: Key) -> Option<Key> {
        self.sites.get(&site).map(|s| s.partner)
    }

    /// The site a device belongs to.
    pub fn device_site(&self, device: Key) -> Option<Key> {
        self.devices.get(&device).map(|d| d.site)
    }

    /// Answers one question at `now` (milliseconds since the Unix epoch). Records nothing:
    /// what the check API answers goes through [`Index::check_and_record_use`].
    pub fn check(&self, question: &Question, now: i64) -> Result<Reason, QuestionError> {
        self.decide(question, now).map(|(reason, _)| reason)
    }

    /// Answers one question as [`Index::check`] does and, when a site assignment let the
    /// technician through, records the minute on it: their last use of that access, which
    /// [`Index::unwritten_use`] hands to storage later. Recording is one relaxed atomic read per
    /// allowed check, and a write the first time in each minute — no lock, no I/O.
    pub fn check_and_record_use(
        &self,
        question: &Question,
        now: i64,
    ) -> Result<Reason, QuestionError> {
        let (reason, entry) = self.decide(question, now)?;
        if let Some(entry) = entry
            && reason.allows()
        {
            let minute = now - now.rem_euclid(USE_RESOLUTION_MS);
            if entry.used.load(Ordering::Relaxed) < minute {
                entry.used.fetch_max(minute, Ordering::Relaxed);
            }
        }
        Ok(reason)
    }

    /// The assignments the check let through since their use was last handed to storage,
    /// with the minute each was last used: what the host writes as its technicians' last use.
    /// One pass over the assignments in memory.
    pub fn unwritten_use(&self) -> Vec<Use> {
        self.assignments
            .iter()
            .filter_map(|(&(site, technician), entry)| {
                let at = entry.used.load(Ordering::Relaxed);
                (at > entry.written.load(Ordering::Relaxed)).then_some(Use {
                    site,
                    technician,
                    at,
                })
            })
            .collect()
    }

    /// Notes that `written` reached storage: [`Index::unwritten_use`] leaves them out until
    /// they are used again in a later minute.
    pub fn mark_written(&self, written: &[Use]) {
        for used in written {
            if let Some(entry) = self.assignments.get(&(used.site, used.technician)) {
                entry.written.fetch_max(used.at, Ordering::Relaxed);
            }
        }
    }

    /// The answer, and the assignment that decided it where one did.
    ///
    /// Every lookup the question's own keys name — the account, the site, the device and the
    /// assignment — starts before any answer is read. They do not depend on one another, so
    /// the processor waits for their memory together instead of one after another: at a
    /// million assignments each is a trip to main memory, and that wait, not the comparisons,
    /// is what a check costs. The conditions are then read in the documented order, so the
    /// reason is the same.
    fn decide(
        &self,
        question: &Question,
        now: i64,
    ) -> Result<(Reason, Option<&AssignmentEntry>), QuestionError> {
        let answer = |reason| Ok((reason, None));
        let class = question.permission.class();
        let technician = question.technician;
        let account = self.accounts.get(&technician);
        let (partner, site) = match question.target {
            Target::Site { site, device } => {
                let entry = self.sites.get(&site);
                let device = device.map(|device| (device, self.devices.get(&device)));
                let held = match class {
                    PermissionClass::Section(_) => None,
                    _ => self.assignments.get(&(site, technician)),
                };
                let entry = entry.ok_or(QuestionError::UnknownSite)?;
                let device = match device {
                    Some((device, found)) => Some(
                        found
                            .filter(|d| d.site == site)
                            .map(|d| (device, d.group))
                            .ok_or(QuestionError::UnknownDevice)?,
                    ),
                    None => None,
                };
                (entry.partner, Some((site, entry, device, held)))
            }
            Target::Partner(partner) => (partner, None),
        };
        let Some(account) = account else {
            return answer(Reason::NotAMember);
        };
        if account.disabled {
            return answer(Reason::AccountDisabled);
        }
        let Some((_, membership)) = account.memberships.iter().find(|(p, _)| *p == partner) else {
            return answer(Reason::NotAMember);
        };
        if membership.status == MemberStatus::Disabled {
            return answer(Reason::MembershipDisabled);
        }
        if let Some(privilege) = class.privilege()
            && !membership.privileges.contains(privilege)
        {
            return answer(Reason::PrivilegeNotHeld(privilege));
        }
        if let PermissionClass::Section(section) = class {
            if partner_role_permissions(membership.role).contains(question.permission) {
                return answer(Reason::GrantedByPartnerRole(membership.role));
            }
            let scope = Scope::Section { partner, section };
            return answer(self.granted(question, account, &[scope], now));
        }
        let Some((site, entry, device, held)) = site else {
            return Err(QuestionError::NeedsSite);
        };
        if !entry.technician_access {
            return answer(Reason::TechnicianAccessOff);
        }
        let Some(held) = held else {
            return answer(Reason::NotAssigned);
        };
        let decided = |reason| Ok((reason, Some(held)));
        let assignment = &held.assignment;
        if assignment.locked {
            return decided(Reason::Locked);
        }
        if assignment.window.from.is_some_and(|from| now < from) {
            return decided(Reason::NotYetValid);
        }
        if assignment.window.until.is_some_and(|until| until <= now) {
            return decided(Reason::Expired);
        }
        let level = assignment.level;
        if level == PermissionLevel::None {
            return decided(Reason::LevelNone);
        }
        if class == PermissionClass::SiteMenu {
            return decided(if level.grants(question.permission) {
                Reason::GrantedByLevel(level)
            } else {
                Reason::NotInLevel(level)
            });
        }
        let site_scope = Scope::Site(site);
        let scopes: &[Scope] = match device {
            Some((device, Some(group))) => {
                &[Scope::Device(device), Scope::Group(group), site_scope]
            }
            Some((device, None)) => &[Scope::Device(device), site_scope],
            None => &[site_scope],
        };
        decided(self.granted(question, account, scopes, now))
    }

    /// The first grant — own before departments', narrowest scope first — whose role holds
    /// the permission and whose window contains `now`.
    fn granted(
        &self,
        question: &Question,
        account: &AccountEntry,
        scopes: &[Scope],
        now: i64,
    ) -> Reason {
        let mut outside_window = false;
        let subjects = std::iter::once((Subject::Technician(question.technician), None)).chain(
            account
                .departments
                .iter()
                .map(|d| (Subject::Department(*d), Some(*d))),
        );
        for (subject, department) in subjects {
            for scope in scopes {
                let Some(entries) = self.grants_at.get(&(subject, *scope)) else {
                    continue;
                };
                for entry in entries {
                    if !self
                        .role_permissions(entry.role)
                        .contains(question.permission)
                    {
                        continue;
                    }
                    if entry.window.contains(now) {
                        return Reason::GrantedByRole(GrantPath {
                            grant: entry.grant,
                            department,
                            role: entry.role,
                            scope: *scope,
                        });
                    }
                    outside_window = true;
                }
            }
        }
        if outside_window {
            Reason::GrantOutsideWindow
        } else {
            Reason::NoGrant
        }
    }

    fn role_permissions(&self, role: RoleRef) -> PermissionSet {
        match role {
            RoleRef::System(system) => self.system_roles[system as usize],
            RoleRef::Custom(key) => self
                .roles
                .get(&key)
                .map_or(PermissionSet::EMPTY, |r| r.permissions),
        }
    }

    /// The permissions of a role the index knows.
    pub fn role(&self, role: RoleRef) -> Option<PermissionSet> {
        match role {
            RoleRef::System(_) => Some(self.role_permissions(role)),
            RoleRef::Custom(key) => self.roles.get(&key).map(|r| r.permissions),
        }
    }

    /// The sites a technician is assigned to, after `after`, for which the check of
    /// `permission` (at the site, without a device) allows and `keep` holds.
    pub fn reachable_sites(
        &self,
        technician: Key,
        permission: Permission,
        now: i64,
        at: PageAt,
        keep: impl Fn(Key, &Assignment) -> bool,
    ) -> KeyPage {
        let sites = self.technician_sites.get(&technician);
        page(sites, at, |site| {
            let question = Question {
                technician,
                permission,
                target: Target::Site { site, device: None },
            };
            self.allows(&question, now)
                && self
                    .assignments
                    .get(&(site, technician))
                    .is_some_and(|entry| keep(site, &entry.assignment))
        })
    }

    /// The technicians assigned to a site, after `after`, for whom the check of `permission`
    /// at the site (or on `device`) allows and `keep` holds.
    pub fn reaching_technicians(
        &self,
        site: Key,
        device: Option<Key>,
        permission: Permission,
        now: i64,
        at: PageAt,
        keep: impl Fn(Key, &Assignment) -> bool,
    ) -> KeyPage {
        let technicians = self.site_technicians.get(&site);
        page(technicians, at, |technician| {
            let question = Question {
                technician,
                permission,
                target: Target::Site { site, device },
            };
            self.allows(&question, now)
                && self
                    .assignments
                    .get(&(site, technician))
                    .is_some_and(|entry| keep(technician, &entry.assignment))
        })
    }

    /// The devices of a site, after `after`, on which the technician may do `permission`;
    /// one page.
    pub fn reachable_devices(
        &self,
        technician: Key,
        site: Key,
        permission: Permission,
        now: i64,
        at: PageAt,
    ) -> KeyPage {
        let devices = self.site_devices.get(&site);
        page(devices, at, |device| {
            let question = Question {
                technician,
                permission,
                target: Target::Site {
                    site,
                    device: Some(device),
                },
            };
            self.allows(&question, now)
        })
    }

    fn allows(&self, question: &Question, now: i64) -> bool {
        self.check(question, now).is_ok_and(Reason::allows)
    }

    /// Whether the account may log in: it is not disabled platform-wide.
    pub fn account_active(&self, account: Key) -> bool {
        self.accounts.get(&account).is_none_or(|a| !a.disabled)
    }

    /// Where an account stands at each partner it is a member of, ascending by partner, with
    /// the section permissions it holds at `now` — each one exactly what [`Index::check`]
    /// answers for it.
    pub fn standings(&self, account: Key, now: i64) -> Vec<Standing> {
        let Some(entry) = self.accounts.get(&account) else {
            return Vec::new();
        };
        let mut standings: Vec<Standing> = entry
            .memberships
            .iter()
            .map(|&(partner, membership)| self.standing_of(account, partner, membership, now))
            .collect();
        standings.sort_by_key(|s| s.partner);
        standings
    }

    /// Where an account stands at one partner, as [`Index::standings`] has it; `None` when it
    /// is not a member.
    pub fn standing(&self, account: Key, partner: Key, now: i64) -> Option<Standing> {
        let entry = self.accounts.get(&account)?;
        let &(_, membership) = entry.memberships.iter().find(|(p, _)| *p == partner)?;
        Some(self.standing_of(account, partner, membership, now))
    }

    fn standing_of(
        &self,
        account: Key,
        partner: Key,
        membership: Membership,
        now: i64,
    ) -> Standing {
        Standing {
            partner,
            membership,
            permissions: PermissionSet::of_sections()
                .iter()
                .filter(|&permission| {
                    self.allows(
                        &Question {
                            technician: account,
                            permission,
                            target: Target::Partner(partner),
                        },
                        now,
                    )
                })
                .fold(PermissionSet::EMPTY, PermissionSet::with),
        }
    }

    /// The sites an account administers, ascending.
    pub fn administered_sites(&self, account: Key) -> &[Key] {
        self.accounts.get(&account).map_or(&[], |a| &a.admin_of)
    }
}

fn remove_from(map: &mut Map<Key, BTreeSet<Key>>, key: Key, value: Key) {
    if let Some(set) = map.get_mut(&key) {
        set.remove(&value);
        if set.is_empty() {
            map.remove(&key);
        }
    }
}

fn page(keys: Option<&BTreeSet<Key>>, at: PageAt, mut keep: impl FnMut(Key) -> bool) -> KeyPage {
    let Some(keys) = keys else {
        return KeyPage::default();
    };
    let start = at.after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut found: Vec<Key> = keys
        .range((start, Bound::Unbounded))
        .copied()
        .filter(|k| keep(*k))
        .take(at.limit + 1)
        .collect();
    let more = found.len() > at.limit;
    found.truncate(at.limit);
    KeyPage { keys: found, more }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_code_is_listed() {
        let path = GrantPath {
            grant: 1,
            department: None,
            role: RoleRef::Custom(2),
            scope: Scope::Site(3),
        };
        let level = PermissionLevel::DevicesOnly;
        let all = [
            Reason::GrantedByLevel(level),
            Reason::GrantedByRole(path),
            Reason::GrantedByPartnerRole(PartnerRole::Admin),
            Reason::AccountDisabled,
            Reason::NotAMember,
            Reason::MembershipDisabled,
            Reason::PrivilegeNotHeld(Privilege::RemoteSupport),
            Reason::TechnicianAccessOff,
            Reason::NotAssigned,
            Reason::Locked,
            Reason::NotYetValid,
            Reason::Expired,
            Reason::LevelNone,
            Reason::NotInLevel(level),
            Reason::GrantOutsideWindow,
            Reason::NoGrant,
        ];
        for reason in all {
            assert_eq!(Reason::CODES[reason.ordinal()], reason.code());
        }
        let mut codes: Vec<&str> = all.iter().map(|r| r.code()).collect();
        let mut listed = Reason::CODES.to_vec();
        codes.sort_unstable();
        listed.sort_unstable();
        assert_eq!(codes, listed);
    }

    const PARTNER: Key = 1;
    const TECH: Key = 10;
    const SITE: Key = 20;
    const GROUP: Key = 30;
    const DEVICE: Key = 40;
    const DEPARTMENT: Key = 60;
    const ROLE: Key = 50;

    /// An active technician with an unlocked Full Including Users assignment, in a department,
    /// and a device in a group.
    fn world() -> Index {
        Index::from_changes([
            Change::Account {
                account: TECH,
                active: true,
            },
            Change::Membership {
                partner: PARTNER,
                account: TECH,
                membership: Some(Membership {
                    role: PartnerRole::Technician,
                    status: MemberStatus::Active,
                    privileges: Privileges::of(Privilege::ALL.iter().copied()),
                }),
            },
            Change::Site {
                site: SITE,
                partner: PARTNER,
                technician_access: true,
            },
            Change::Assignment {
                site: SITE,
                account: TECH,
                assignment: Some(Assignment {
                    level: PermissionLevel::FullIncludingUsers,
                    locked: false,
                    window: Window::ALWAYS,
                }),
            },
            Change::Group {
                group: GROUP,
                site: SITE,
            },
            Change::Device {
                device: DEVICE,
                site: SITE,
                group: Some(GROUP),
            },
            Change::Department {
                department: DEPARTMENT,
                partner: PARTNER,
            },
            Change::DepartmentMember {
                department: DEPARTMENT,
                account: TECH,
                member: true,
            },
        ])
    }

    fn on_device(permission: Permission) -> Question {
        Question {
            technician: TECH,
            permission,
            target: Target::Site {
                site: SITE,
                device: Some(DEVICE),
            },
        }
    }

    fn grant(index: &mut Index, key: Key, subject: Subject, scope: Scope, role: RoleRef) {
        index.apply(Change::Grant {
            grant: key,
            value: Grant {
                subject,
                scope,
                role,
                window: Window::ALWAYS,
            },
        });
    }

    #[test]
    fn an_allowed_check_records_the_minute_on_the_assignment_and_a_denied_one_does_not() {
        let mut index = world();
        let dashboard = Question {
            technician: TECH,
            permission: Permission::DashboardView,
            target: Target::Site {
                site: SITE,
                device: None,
            },
        };
        let minute = 7 * USE_RESOLUTION_MS;
        assert!(index.check(&dashboard, minute + 5).unwrap().allows());
        assert_eq!(index.unwritten_use(), [], "a plain check records nothing");
        // Denied (no grant on the device): nothing recorded either.
        let denied = index.check_and_record_use(&on_device(Permission::Reboot), minute + 5);
        assert_eq!(denied, Ok(Reason::NoGrant));
        assert_eq!(index.unwritten_use(), []);

        index
            .check_and_record_use(&dashboard, minute + 59_999)
            .unwrap();
        let used = Use {
            site: SITE,
            technician: TECH,
            at: minute,
        };
        assert_eq!(index.unwritten_use(), [used], "rounded down to its minute");
        // An older answer (another thread's, late) never moves it back.
        index
            .check_and_record_use(&dashboard, minute - USE_RESOLUTION_MS)
            .unwrap();
        assert_eq!(index.unwritten_use(), [used]);
        index.mark_written(&[used]);
        assert_eq!(
            index.unwritten_use(),
            [],
            "nothing new since it was written"
        );
        index.check_and_record_use(&dashboard, minute + 1).unwrap();
        assert_eq!(
            index.unwritten_use(),
            [],
            "the same minute again is not news"
        );
        index
            .check_and_record_use(&dashboard, minute + USE_RESOLUTION_MS)
            .unwrap();
        let used = Use {
            at: minute + USE_RESOLUTION_MS,
            ..used
        };
        assert_eq!(index.unwritten_use(), [used], "a later minute is");

        // A change of level keeps the record; deleting the access drops it.
        index.apply(Change::Assignment {
            site: SITE,
            account: TECH,
            assignment: Some(Assignment {
                level: PermissionLevel::DevicesOnly,
                locked: false,
                window: Window::ALWAYS,
            }),
        });
        assert_eq!(index.unwritten_use(), [used]);
        index.apply(Change::Assignment {
            site: SITE,
            account: TECH,
            assignment: None,
        });
        assert_eq!(index.unwritten_use(), []);
    }

    #[test]
    fn a_department_grant_on_a_group_reaches_its_devices_and_leaves_with_the_member() {
        let mut index = world();
        let reboot = on_device(Permission::Reboot);
        assert_eq!(index.check(&reboot, 0), Ok(Reason::NoGrant));
        grant(
            &mut index,
            70,
            Subject::Department(DEPARTMENT),
            Scope::Group(GROUP),
            RoleRef::System(SystemRole::FullDeviceAccess),
        );
        assert_eq!(
            index.check(&reboot, 0),
            Ok(Reason::GrantedByRole(GrantPath {
                grant: 70,
                department: Some(DEPARTMENT),
                role: RoleRef::System(SystemRole::FullDeviceAccess),
                scope: Scope::Group(GROUP),
            }))
        );
        index.apply(Change::DepartmentMember {
            department: DEPARTMENT,
            account: TECH,
            member: false,
        });
        assert_eq!(index.check(&reboot, 0), Ok(Reason::NoGrant));
    }

    #[test]
    fn own_and_department_rights_combine() {
        let mut index = world();
        index.apply(Change::Role {
            role: ROLE,
            partner: PARTNER,
            purpose: Purpose::DevicesAndGroups,
            permissions: [Permission::Chat].into_iter().collect(),
        });
        grant(
            &mut index,
            70,
            Subject::Technician(TECH),
            Scope::Device(DEVICE),
            RoleRef::Custom(ROLE),
        );
        grant(
            &mut index,
            71,
            Subject::Department(DEPARTMENT),
            Scope::Site(SITE),
            RoleRef::System(SystemRole::DeviceConnectionOnly),
        );
        assert!(
            index
                .check(&on_device(Permission::Chat), 0)
                .unwrap()
                .allows()
        );
        assert!(
            index
                .check(&on_device(Permission::ScreenControl), 0)
                .unwrap()
                .allows()
        );
        assert_eq!(
            index.check(&on_device(Permission::DeviceDelete), 0),
            Ok(Reason::NoGrant)
        );
        // Deleting the custom role deletes the grant that used it.
        index.apply(Change::RoleRemoved { role: ROLE });
        assert_eq!(
            index.check(&on_device(Permission::Chat), 0),
            Ok(Reason::NoGrant)
        );
        assert_eq!(index.grants_where(|_| true).len(), 1);
    }

    #[test]
    fn expiry_is_exact_to_the_millisecond() {
        let mut index = world();
        let until = 1_800_000_000_000;
        index.apply(Change::Grant {
            grant: 70,
            value: Grant {
                subject: Subject::Technician(TECH),
                scope: Scope::Device(DEVICE),
                role: RoleRef::System(SystemRole::FullDeviceAccess),
                window: Window {
                    from: Some(until - 60_000),
                    until: Some(until),
                },
            },
        });
        let question = on_device(Permission::Terminal);
        assert_eq!(
            index.check(&question, until - 60_001),
            Ok(Reason::GrantOutsideWindow)
        );
        assert!(index.check(&question, until - 60_000).unwrap().allows());
        assert!(index.check(&question, until - 1).unwrap().allows());
        assert_eq!(
            index.check(&question, until),
            Ok(Reason::GrantOutsideWindow)
        );
        index.apply(Change::Assignment {
            site: SITE,
            account: TECH,
            assignment: Some(Assignment {
                level: PermissionLevel::DevicesOnly,
                locked: false,
                window: Window {
                    from: None,
                    until: Some(until - 30_000),
                },
            }),
        });
        assert!(index.check(&question, until - 30_001).unwrap().allows());
        assert_eq!(index.check(&question, until - 30_000), Ok(Reason::Expired));
    }

    #[test]
    fn the_security_switch_stops_every_technician_and_restores_on_return() {
        let mut index = world();
        let dashboard = Question {
            technician: TECH,
            permission: Permission::DashboardView,
            target: Target::Site {
                site: SITE,
                device: None,
            },
        };
        let switch = |on| Change::Site {
            site: SITE,
            partner: PARTNER,
            technician_access: on,
        };
        index.apply(switch(false));
        assert_eq!(index.check(&dashboard, 0), Ok(Reason::TechnicianAccessOff));
        index.apply(switch(true));
        assert_eq!(
            index.check(&dashboard, 0),
            Ok(Reason::GrantedByLevel(PermissionLevel::FullIncludingUsers))
        );
        let edit = Question {
            permission: Permission::SettingsSiteEdit,
            ..dashboard
        };
        assert_eq!(
            index.check(&edit, 0),
            Ok(Reason::NotInLevel(PermissionLevel::FullIncludingUsers))
        );
    }

    #[test]
    fn section_permissions_are_asked_at_the_partner_and_site_ones_need_a_site() {
        let mut index = world();
        grant(
            &mut index,
            70,
            Subject::Technician(TECH),
            Scope::Section {
                partner: PARTNER,
                section: Section::Invitations,
            },
            RoleRef::System(SystemRole::OwnInvitations),
        );
        let ask = |permission, target| Question {
            technician: TECH,
            permission,
            target,
        };
        let partner = Target::Partner(PARTNER);
        assert!(
            index
                .check(&ask(Permission::InvitationsOwn, partner), 0)
                .unwrap()
                .allows()
        );
        assert_eq!(
            index.check(&ask(Permission::InvitationsAll, partner), 0),
            Ok(Reason::NoGrant)
        );
        assert_eq!(
            index.check(&ask(Permission::DashboardView, partner), 0),
            Err(QuestionError::NeedsSite)
        );
        let elsewhere = Target::Site {
            site: SITE,
            device: Some(999),
        };
        assert_eq!(
            index.check(&ask(Permission::Reboot, elsewhere), 0),
            Err(QuestionError::UnknownDevice)
        );
    }

    #[test]
    fn reachability_pages_in_key_order() {
        let mut index = world();
        for site in [21, 22, 23] {
            index.apply(Change::Site {
                site,
                partner: PARTNER,
                technician_access: site != 22,
            });
            index.apply(Change::Assignment {
                site,
                account: TECH,
                assignment: Some(Assignment {
                    level: PermissionLevel::DevicesOnly,
                    locked: false,
                    window: Window::ALWAYS,
                }),
            });
        }
        let reach = |after, limit| {
            let at = PageAt { after, limit };
            index.reachable_sites(TECH, Permission::DashboardView, 0, at, |_, _| true)
        };
        assert_eq!(
            reach(None, 2),
            KeyPage {
                keys: vec![SITE, 21],
                more: true
            }
        );
        assert_eq!(
            reach(Some(21), 2),
            KeyPage {
                keys: vec![23],
                more: false
            }
        );
        let full_only = index.reachable_sites(
            TECH,
            Permission::DashboardView,
            0,
            PageAt::first(10),
            |_, a| a.level == PermissionLevel::FullIncludingUsers,
        );
        assert_eq!(full_only.keys, [SITE]);
        let reaching = index.reaching_technicians(
            22,
            None,
            Permission::DashboardView,
            0,
            PageAt::first(10),
            |_, _| true,
        );
        assert!(reaching.keys.is_empty());
    }
}
