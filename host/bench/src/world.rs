//! The benchmark world: a fixed-seed population of partners, technicians, sites, devices,
//! departments, roles, grants and assignments, written once as the permission index's own
//! [`Change`] stream. Both engines are loaded from that one stream, so they see the same data.

use siteward_core::invitation::PermissionLevel;
use siteward_core::permission::index::{
    Assignment, Change, Grant, Key, Membership, Question, Scope, Subject, Target, Window,
};
use siteward_core::permission::role::{Purpose, RoleRef, SystemRole};
use siteward_core::permission::{Permission, PermissionClass, Section};
use siteward_core::tenancy::{MemberStatus, PartnerRole, Privilege, Privileges};

/// The shape of one world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Its name in the report.
    pub name: &'static str,
    /// Partners; technicians, sites and departments are spread evenly over them.
    pub partners: u64,
    /// Technicians.
    pub technicians: u64,
    /// Sites.
    pub sites: u64,
    /// Site assignments per technician.
    pub sites_per_technician: u64,
    /// Departments.
    pub departments: u64,
    /// Devices per site (half of them in the site's one device group).
    pub devices_per_site: u64,
}

impl Size {
    /// 1,000 technicians, 10,000 sites (10,000 assignments, 100,000 devices).
    pub const SMALL: Self = Self {
        name: "small",
        partners: 10,
        technicians: 1_000,
        sites: 10_000,
        sites_per_technician: 10,
        departments: 100,
        devices_per_site: 10,
    };

    /// 100,000 technicians, 1,000,000 site assignments, 10,000 departments, 1,000,000 devices.
    pub const LARGE: Self = Self {
        name: "large",
        partners: 100,
        technicians: 100_000,
        sites: 100_000,
        sites_per_technician: 10,
        departments: 10_000,
        devices_per_site: 10,
    };

    /// The sites of one partner: what a "list accessible sites" must choose from.
    pub fn sites_per_partner(self) -> u64 {
        self.sites / self.partners
    }
}

/// "Now" in every question: a fixed instant, so windows fall the same way on every run.
pub const NOW: i64 = 1_800_000_000_000;
const HOUR: i64 = 3_600_000;

/// SplitMix64, seeded: the same world on every run.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator with a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        siteward_core::splitmix64(&mut self.0)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

/// What a key names; the kind sits in the low bits so keys of different kinds never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Kind {
    /// A partner.
    Partner = 1,
    /// A technician's account.
    Technician = 2,
    /// A site.
    Site = 3,
    /// A device.
    Device = 4,
    /// A device group.
    Group = 5,
    /// A department.
    Department = 6,
    /// A grant.
    Grant = 7,
    /// A custom role.
    Role = 8,
}

/// A key shaped like a real id: a millisecond time in the top 48 bits, random below, so
/// hashing sees what it sees in production.
pub fn key(kind: Kind, n: u64) -> Key {
    let random = u128::from(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) << 16 | u128::from(kind as u64);
    (u128::from(1_700_000_000_000 + n) << 80) | random
}

/// One world: its changes, and what questions are drawn from.
#[derive(Debug)]
pub struct World {
    /// Its shape.
    pub size: Size,
    /// Everything, as the permission index takes it.
    pub changes: Vec<Change>,
    /// The sites each technician is assigned to (by number).
    pub assigned: Vec<Vec<u64>>,
    /// Each technician's assignment at their first site, as it stands.
    first: Vec<Assignment>,
}

/// Technicians assigned to every site of their partner (1,000 at both sizes): the longest
/// "list accessible sites".
pub const HEAVY_TECHNICIANS: u64 = 4;

/// Grants with a time window: rare in practice, and each is one Cedar policy of its own (see
/// `cedar.rs`), so the number is the same at every size.
const TIMED_GRANTS: u64 = 16;

impl World {
    /// Builds the world of `size` from a fixed seed.
    pub fn build(size: Size) -> Self {
        let mut rng = Rng::new(0x5173_3a7d);
        let mut changes = Vec::new();
        let partner_of = |n: u64| key(Kind::Partner, n % size.partners);

        for t in 0..size.technicians {
            changes.push(Change::Account {
                account: key(Kind::Technician, t),
                active: !rng.percent(1),
            });
            let role = match rng.below(100) {
                0..2 => PartnerRole::SuperAdmin,
                2..5 => PartnerRole::Admin,
                _ => PartnerRole::Technician,
            };
            let mut privileges = Vec::new();
            if !rng.percent(5) {
                privileges.push(Privilege::UnattendedAccess);
            }
            if rng.percent(50) {
                privileges.push(Privilege::RemoteSupport);
            }
            changes.push(Change::Membership {
                partner: partner_of(t),
                account: key(Kind::Technician, t),
                membership: Some(Membership {
                    role,
                    status: if rng.percent(1) {
                        MemberStatus::Disabled
                    } else {
                        MemberStatus::Active
                    },
                    privileges: Privileges::of(privileges),
                }),
            });
        }
        for p in 0..size.partners {
            // Every partner has one custom device role and one custom administration role.
            changes.push(Change::Role {
                role: key(Kind::Role, 2 * p),
                partner: key(Kind::Partner, p),
                purpose: Purpose::DevicesAndGroups,
                permissions: [Permission::ScreenView, Permission::Chat, Permission::Reboot]
                    .into_iter()
                    .collect(),
            });
            changes.push(Change::Role {
                role: key(Kind::Role, 2 * p + 1),
                partner: key(Kind::Partner, p),
                purpose: Purpose::Administration,
                permissions: [Permission::AdminAuditLog, Permission::AdminBranding]
                    .into_iter()
                    .collect(),
            });
        }
        for s in 0..size.sites {
            changes.push(Change::Site {
                site: key(Kind::Site, s),
                partner: partner_of(s),
                technician_access: !rng.percent(2),
            });
            changes.push(Change::Group {
                group: key(Kind::Group, s),
                site: key(Kind::Site, s),
            });
            for d in 0..size.devices_per_site {
                changes.push(Change::Device {
                    device: key(Kind::Device, s * size.devices_per_site + d),
                    site: key(Kind::Site, s),
                    group: (d % 2 == 0).then(|| key(Kind::Group, s)),
                });
            }
        }

        let mut grants = 0;
        let mut grant = |changes: &mut Vec<Change>, subject, scope, role, window| {
            grants += 1;
            changes.push(Change::Grant {
                grant: key(Kind::Grant, grants),
                value: Grant {
                    subject,
                    scope,
                    role,
                    window,
                },
            });
        };
        let sites_per_partner = size.sites_per_partner();
        let mut assigned = Vec::new();
        for t in 0..size.technicians {
            let partner = t % size.partners;
            let sites: Vec<u64> = if t < HEAVY_TECHNICIANS {
                (0..sites_per_partner)
                    .map(|n| n * size.partners + partner)
                    .collect()
            } else {
                (0..size.sites_per_technician)
                    .map(|_| rng.below(sites_per_partner) * size.partners + partner)
                    .collect()
            };
            let technician = Subject::Technician(key(Kind::Technician, t));
            // Two grants of the technician's own: a group at one site, a device at another.
            grant(
                &mut changes,
                technician,
                Scope::Group(key(Kind::Group, sites[0])),
                RoleRef::System(SystemRole::DeviceConnectionOnly),
                Window::ALWAYS,
            );
            grant(
                &mut changes,
                technician,
                Scope::Device(key(Kind::Device, sites[1] * size.devices_per_site + 1)),
                RoleRef::Custom(key(Kind::Role, 2 * partner)),
                Window::ALWAYS,
            );
            if t < TIMED_GRANTS {
                // A few grants valid for a while: some now, some over, some not yet.
                let window = match t % 3 {
                    0 => Window {
                        from: Some(NOW - HOUR),
                        until: Some(NOW + HOUR),
                    },
                    1 => Window {
                        from: None,
                        until: Some(NOW - HOUR),
                    },
                    _ => Window {
                        from: Some(NOW + HOUR),
                        until: None,
                    },
                };
                grant(
                    &mut changes,
                    technician,
                    Scope::Site(key(Kind::Site, sites[2])),
                    RoleRef::System(SystemRole::FullDeviceAccess),
                    window,
                );
            }
            assigned.push(sites);
        }
        for d in 0..size.departments {
            let partner = d % size.partners;
            changes.push(Change::Department {
                department: key(Kind::Department, d),
                partner: key(Kind::Partner, partner),
            });
            let department = Subject::Department(key(Kind::Department, d));
            let site = rng.below(sites_per_partner) * size.partners + partner;
            grant(
                &mut changes,
                department,
                Scope::Site(key(Kind::Site, site)),
                RoleRef::System(SystemRole::FullDeviceAccess),
                Window::ALWAYS,
            );
            grant(
                &mut changes,
                department,
                Scope::Section {
                    partner: key(Kind::Partner, partner),
                    section: Section::Invitations,
                },
                RoleRef::System(SystemRole::AllInvitations),
                Window::ALWAYS,
            );
            if d % 4 == 0 {
                grant(
                    &mut changes,
                    department,
                    Scope::Section {
                        partner: key(Kind::Partner, partner),
                        section: Section::Administration,
                    },
                    RoleRef::Custom(key(Kind::Role, 2 * partner + 1)),
                    Window::ALWAYS,
                );
            }
        }
        // Each technician in one or two departments of their partner.
        let departments_per_partner = size.departments / size.partners;
        for t in 0..size.technicians {
            let partner = t % size.partners;
            for _ in 0..1 + rng.below(2) {
                let d = rng.below(departments_per_partner) * size.partners + partner;
                changes.push(Change::DepartmentMember {
                    department: key(Kind::Department, d),
                    account: key(Kind::Technician, t),
                    member: true,
                });
            }
        }

        // The assignments: mostly plain, some locked, some at level None, some time-bound.
        let mut first = Vec::with_capacity(assigned.len());
        for (t, sites) in assigned.iter().enumerate() {
            first.push(Assignment {
                level: PermissionLevel::None,
                locked: false,
                window: Window::ALWAYS,
            });
            for site in sites {
                let window = match rng.below(100) {
                    0..2 => Window {
                        from: None,
                        until: Some(NOW - HOUR),
                    },
                    2..4 => Window {
                        from: Some(NOW + HOUR),
                        until: None,
                    },
                    4..8 => Window {
                        from: Some(NOW - HOUR),
                        until: Some(NOW + 24 * HOUR),
                    },
                    _ => Window::ALWAYS,
                };
                let assignment = Assignment {
                    level: PermissionLevel::ALL[if rng.percent(3) {
                        0
                    } else {
                        1 + rng.below(3) as usize
                    }],
                    locked: rng.percent(10),
                    window,
                };
                if *site == sites[0] {
                    first[t] = assignment;
                }
                changes.push(Change::Assignment {
                    site: key(Kind::Site, *site),
                    account: key(Kind::Technician, t as u64),
                    assignment: Some(assignment),
                });
            }
        }
        Self {
            size,
            changes,
            assigned,
            first,
        }
    }

    /// A question drawn the way a check API sees them: mostly about a technician's own sites,
    /// one in ten about another site (often another partner's).
    pub fn question(&self, rng: &mut Rng) -> Question {
        let size = self.size;
        let t = rng.below(size.technicians);
        let permission = Permission::ALL[rng.below(Permission::ALL.len() as u64) as usize];
        let sites = &self.assigned[t as usize];
        let site = if rng.percent(10) {
            rng.below(size.sites)
        } else {
            sites[rng.below(sites.len() as u64) as usize]
        };
        let target = match permission.class() {
            PermissionClass::Section(_) => {
                // Usually the technician's own partner.
                let partner = if rng.percent(90) { t } else { site } % size.partners;
                Target::Partner(key(Kind::Partner, partner))
            }
            PermissionClass::SiteMenu => Target::Site {
                site: key(Kind::Site, site),
                device: None,
            },
            PermissionClass::Device => Target::Site {
                site: key(Kind::Site, site),
                device: Some(key(
                    Kind::Device,
                    site * size.devices_per_site + rng.below(size.devices_per_site),
                )),
            },
        };
        Question {
            technician: key(Kind::Technician, t),
            permission,
            target,
        }
    }

    /// The sites of technician `t`'s partner, by key: the candidates a "list accessible sites"
    /// checks one by one where the engine cannot list.
    pub fn partner_sites(&self, t: u64) -> Vec<Key> {
        let size = self.size;
        let partner = t % size.partners;
        (0..size.sites_per_partner())
            .map(|n| key(Kind::Site, n * size.partners + partner))
            .collect()
    }

    /// The change that locks technician `t`'s first assignment (keeping its level and window).
    pub fn lock(&self, t: u64) -> Change {
        Change::Assignment {
            site: key(Kind::Site, self.assigned[t as usize][0]),
            account: key(Kind::Technician, t),
            assignment: Some(Assignment {
                locked: true,
                ..self.first[t as usize]
            }),
        }
    }
}
