//! A deliberately simple evaluator — plain lists, scanned on every question — and the
//! differential test that holds the index to it: random sequences of changes and questions,
//! the two must agree on every answer, and every path the index names must be a real one.

use super::index::{
    Assignment, Change, Grant, Key, Membership, Question, Reason, Scope, Subject, Target,
};
use super::role::RoleRef;
use super::{Permission, PermissionClass, PermissionSet, Section};
use crate::invitation::PermissionLevel;
use crate::tenancy::{MemberStatus, PartnerRole, Privilege, Privileges};

#[derive(Debug, Default)]
struct Reference {
    accounts: Vec<(Key, bool)>,
    memberships: Vec<(Key, Key, Membership)>,
    sites: Vec<(Key, Key, bool)>,
    assignments: Vec<(Key, Key, Assignment)>,
    roles: Vec<(Key, PermissionSet)>,
    departments: Vec<Key>,
    members: Vec<(Key, Key)>,
    groups: Vec<Key>,
    devices: Vec<(Key, Key, Option<Key>)>,
    grants: Vec<(Key, Grant)>,
}

/// What the reference answers: an input error, or allowed/denied with the reason's code and
/// every grant that would allow.
#[derive(Debug, PartialEq)]
enum Answer {
    Invalid,
    Decided(&'static str, Vec<(Key, Option<Key>, Scope)>),
}

impl Reference {
    fn apply(&mut self, change: Change) {
        match change {
            Change::Account { account, active } => {
                self.accounts.retain(|a| a.0 != account);
                self.accounts.push((account, active));
            }
            Change::Membership {
                partner,
                account,
                membership,
            } => {
                self.memberships
                    .retain(|m| (m.0, m.1) != (partner, account));
                if let Some(membership) = membership {
                    self.memberships.push((partner, account, membership));
                }
            }
            Change::SiteAdmin { .. } => {}
            Change::Site {
                site,
                partner,
                technician_access,
            } => {
                self.sites.retain(|s| s.0 != site);
                self.sites.push((site, partner, technician_access));
            }
            Change::Assignment {
                site,
                account,
                assignment,
            } => {
                self.assignments.retain(|a| (a.0, a.1) != (site, account));
                if let Some(assignment) = assignment {
                    self.assignments.push((site, account, assignment));
                }
            }
            Change::Role {
                role, permissions, ..
            } => {
                self.roles.retain(|r| r.0 != role);
                self.roles.push((role, permissions));
            }
            Change::RoleRemoved { role } => {
                self.roles.retain(|r| r.0 != role);
                self.grants.retain(|g| g.1.role != RoleRef::Custom(role));
            }
            Change::Department { department, .. } => {
                if !self.departments.contains(&department) {
                    self.departments.push(department);
                }
            }
            Change::DepartmentRemoved { department } => {
                self.departments.retain(|d| *d != department);
                self.members.retain(|m| m.0 != department);
                self.grants
                    .retain(|g| g.1.subject != Subject::Department(department));
            }
            Change::DepartmentMember {
                department,
                account,
                member,
            } => {
                self.members.retain(|m| *m != (department, account));
                if member && self.departments.contains(&department) {
                    self.members.push((department, account));
                }
            }
            Change::Group { group, .. } => {
                if !self.groups.contains(&group) {
                    self.groups.push(group);
                }
            }
            Change::GroupRemoved { group } => {
                self.groups.retain(|g| *g != group);
                for device in &mut self.devices {
                    if device.2 == Some(group) {
                        device.2 = None;
                    }
                }
                self.grants.retain(|g| g.1.scope != Scope::Group(group));
            }
            Change::Device {
                device,
                site,
                group,
            } => {
                self.devices.retain(|d| d.0 != device);
                self.devices.push((device, site, group));
            }
            Change::DeviceRemoved { device } => {
                self.devices.retain(|d| d.0 != device);
                self.grants.retain(|g| g.1.scope != Scope::Device(device));
            }
            Change::Grant { grant, value } => {
                self.grants.retain(|g| g.0 != grant);
                self.grants.push((grant, value));
            }
            Change::GrantRemoved { grant } => self.grants.retain(|g| g.0 != grant),
        }
    }

    fn answer(&self, q: &Question, now: i64) -> Answer {
        let (partner, site, device) = match q.target {
            Target::Site { site, device } => {
                let Some(s) = self.sites.iter().find(|s| s.0 == site) else {
                    return Answer::Invalid;
                };
                let device = match device {
                    None => None,
                    Some(d) => match self.devices.iter().find(|x| x.0 == d && x.1 == site) {
                        Some(x) => Some(*x),
                        None => return Answer::Invalid,
                    },
                };
                (s.1, Some(*s), device)
            }
            Target::Partner(p) => (p, None, None),
        };
        let deny = |code| Answer::Decided(code, Vec::new());
        if self.accounts.contains(&(q.technician, false)) {
            return deny("account_disabled");
        }
        let Some((_, _, membership)) = self
            .memberships
            .iter()
            .find(|m| m.0 == partner && m.1 == q.technician)
        else {
            return deny("not_a_member");
        };
        if membership.status == MemberStatus::Disabled {
            return deny("membership_disabled");
        }
        let class = q.permission.class();
        let needs = match class {
            PermissionClass::Device => Some(Privilege::UnattendedAccess),
            PermissionClass::Section(Section::Invitations) => Some(Privilege::RemoteSupport),
            _ => None,
        };
        if needs.is_some_and(|p| !membership.privileges.contains(p)) {
            return deny("privilege_not_held");
        }
        let scopes: Vec<Scope> = match class {
            PermissionClass::Section(section) => {
                let by_role = match membership.role {
                    PartnerRole::SuperAdmin => true,
                    PartnerRole::Admin => q.permission != Permission::AdminBilling,
                    PartnerRole::Technician => q.permission == Permission::InvitationsOwn,
                };
                if by_role {
                    return deny("granted_by_partner_role");
                }
                vec![Scope::Section { partner, section }]
            }
            _ => {
                let Some((site, _, access)) = site else {
                    return Answer::Invalid;
                };
                if !access {
                    return deny("technician_access_off");
                }
                let Some((_, _, a)) = self
                    .assignments
                    .iter()
                    .find(|a| a.0 == site && a.1 == q.technician)
                else {
                    return deny("not_assigned");
                };
                if a.locked {
                    return deny("locked");
                }
                if a.window.from.is_some_and(|f| now < f) {
                    return deny("not_yet_valid");
                }
                if a.window.until.is_some_and(|u| now >= u) {
                    return deny("expired");
                }
                if a.level == PermissionLevel::None {
                    return deny("level_none");
                }
                if class == PermissionClass::SiteMenu {
                    return deny(if a.level.grants(q.permission) {
                        "granted_by_level"
                    } else {
                        "not_in_level"
                    });
                }
                let mut scopes = vec![Scope::Site(site)];
                if let Some((d, _, group)) = device {
                    scopes.push(Scope::Device(d));
                    if let Some(g) = group {
                        scopes.push(Scope::Group(g));
                    }
                }
                scopes
            }
        };
        let mut paths = Vec::new();
        let mut outside = false;
        for (key, grant) in &self.grants {
            let department = match grant.subject {
                Subject::Technician(t) if t == q.technician => None,
                Subject::Department(d) if self.members.contains(&(d, q.technician)) => Some(d),
                _ => continue,
            };
            let holds = match grant.role {
                RoleRef::System(r) => r.permissions().contains(q.permission),
                RoleRef::Custom(k) => self
                    .roles
                    .iter()
                    .any(|r| r.0 == k && r.1.contains(q.permission)),
            };
            if !holds || !scopes.contains(&grant.scope) {
                continue;
            }
            let before = grant.window.from.is_some_and(|f| now < f);
            let after = grant.window.until.is_some_and(|u| now >= u);
            if !before && !after {
                paths.push((*key, department, grant.scope));
            } else {
                outside = true;
            }
        }
        paths.sort();
        let code = match (paths.is_empty(), outside) {
            (false, _) => "granted_by_role",
            (true, true) => "grant_outside_window",
            (true, false) => "no_grant",
        };
        Answer::Decided(code, paths)
    }
}

/// A small, seeded, reproducible generator for the test (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        crate::splitmix64(&mut self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn window(&mut self) -> super::index::Window {
        let mut bound = || self.chance(25).then(|| (self.next() % 40) as i64);
        super::index::Window {
            from: bound(),
            until: bound(),
        }
    }
}

/// A small world so that random changes collide often: keys 1..=4 are partners, 10.. accounts,
/// 20.. sites, 30.. groups, 40.. devices, 50.. roles, 60.. departments, 70.. grants.
fn random_change(rng: &mut Rng) -> Change {
    let partners = [1, 2];
    let accounts = [10, 11, 12, 13];
    let sites = [20, 21, 22];
    let groups = [30, 31];
    let devices = [40, 41, 42, 43];
    let roles = [50, 51, 52];
    let departments = [60, 61];
    let grants = [70, 71, 72, 73, 74, 75];
    let statuses = [MemberStatus::Active, MemberStatus::Disabled];
    let site = rng.pick(&sites);
    match rng.below(17) {
        0 => Change::Account {
            account: rng.pick(&accounts),
            active: rng.chance(90),
        },
        1 => Change::Membership {
            partner: rng.pick(&partners),
            account: rng.pick(&accounts),
            membership: rng.chance(90).then(|| Membership {
                // Mostly Technicians, whose section functions come from grants.
                role: if rng.chance(70) {
                    PartnerRole::Technician
                } else {
                    rng.pick(PartnerRole::ALL)
                },
                status: statuses[usize::from(rng.chance(20))],
                privileges: Privileges::of(
                    Privilege::ALL.iter().copied().filter(|_| rng.chance(90)),
                ),
            }),
        },
        2 => Change::Site {
            site,
            partner: rng.pick(&partners),
            technician_access: rng.chance(85),
        },
        3 | 4 => Change::Assignment {
            site,
            account: rng.pick(&accounts),
            assignment: rng.chance(85).then(|| Assignment {
                level: rng.pick(PermissionLevel::ALL),
                locked: rng.chance(25),
                window: rng.window(),
            }),
        },
        5 => Change::Role {
            role: rng.pick(&roles),
            partner: rng.pick(&partners),
            purpose: super::role::Purpose::DevicesAndGroups,
            permissions: Permission::ALL
                .iter()
                .copied()
                .filter(|_| rng.chance(50))
                .collect(),
        },
        6 => Change::RoleRemoved {
            role: rng.pick(&roles),
        },
        7 => Change::Department {
            department: rng.pick(&departments),
            partner: rng.pick(&partners),
        },
        8 => Change::DepartmentRemoved {
            department: rng.pick(&departments),
        },
        9 | 10 => Change::DepartmentMember {
            department: rng.pick(&departments),
            account: rng.pick(&accounts),
            member: rng.chance(70),
        },
        11 => Change::Group {
            group: rng.pick(&groups),
            site,
        },
        12 => Change::GroupRemoved {
            group: rng.pick(&groups),
        },
        13 => Change::Device {
            device: rng.pick(&devices),
            site,
            group: rng.chance(60).then(|| rng.pick(&groups)),
        },
        14 => Change::DeviceRemoved {
            device: rng.pick(&devices),
        },
        15 => Change::GrantRemoved {
            grant: rng.pick(&grants),
        },
        _ => {
            let subject = if rng.chance(50) {
                Subject::Technician(rng.pick(&accounts))
            } else {
                Subject::Department(rng.pick(&departments))
            };
            let scope = match rng.below(4) {
                0 => Scope::Site(site),
                1 => Scope::Group(rng.pick(&groups)),
                2 => Scope::Device(rng.pick(&devices)),
                _ => Scope::Section {
                    partner: rng.pick(&partners),
                    section: rng.pick(Section::ALL),
                },
            };
            let role = if rng.chance(50) {
                RoleRef::System(rng.pick(super::role::SystemRole::ALL))
            } else {
                RoleRef::Custom(rng.pick(&roles))
            };
            Change::Grant {
                grant: rng.pick(&grants),
                value: Grant {
                    subject,
                    scope,
                    role,
                    window: rng.window(),
                },
            }
        }
    }
}

/// A world where much is allowed, for the random changes to take apart: active accounts and
/// members, sites with their switch on, unlocked Full assignments, devices in groups.
fn baseline() -> Vec<Change> {
    let mut changes = Vec::new();
    for account in [10, 11, 12, 13] {
        changes.push(Change::Account {
            account,
            active: true,
        });
        for partner in [1, 2] {
            changes.push(Change::Membership {
                partner,
                account,
                membership: Some(Membership {
                    role: PartnerRole::Technician,
                    status: MemberStatus::Active,
                    privileges: Privileges::of(Privilege::ALL.iter().copied()),
                }),
            });
        }
    }
    for (site, partner) in [(20, 1), (21, 1), (22, 2)] {
        changes.push(Change::Site {
            site,
            partner,
            technician_access: true,
        });
        for account in [10, 11, 12] {
            changes.push(Change::Assignment {
                site,
                account,
                assignment: Some(Assignment {
                    level: PermissionLevel::FullIncludingUsers,
                    locked: false,
                    window: super::index::Window::ALWAYS,
                }),
            });
        }
    }
    let grant = |subject, scope, role| Grant {
        subject,
        scope,
        role,
        window: super::index::Window::ALWAYS,
    };
    let system = RoleRef::System;
    changes.extend([
        Change::Role {
            role: 50,
            partner: 1,
            purpose: super::role::Purpose::Administration,
            permissions: [Permission::AdminTeam, Permission::AdminAuditLog]
                .into_iter()
                .collect(),
        },
        Change::Grant {
            grant: 70,
            value: grant(
                Subject::Technician(10),
                Scope::Site(20),
                system(super::role::SystemRole::FullDeviceAccess),
            ),
        },
        Change::Grant {
            grant: 71,
            value: grant(
                Subject::Department(60),
                Scope::Group(30),
                system(super::role::SystemRole::DeviceConnectionOnly),
            ),
        },
        Change::Grant {
            grant: 72,
            value: grant(
                Subject::Technician(12),
                Scope::Section {
                    partner: 1,
                    section: Section::Invitations,
                },
                system(super::role::SystemRole::AllInvitations),
            ),
        },
        Change::Grant {
            grant: 73,
            value: grant(
                Subject::Department(60),
                Scope::Section {
                    partner: 1,
                    section: Section::Administration,
                },
                RoleRef::Custom(50),
            ),
        },
        Change::Grant {
            grant: 74,
            value: grant(
                Subject::Department(60),
                Scope::Site(21),
                system(super::role::SystemRole::FullDeviceAccess),
            ),
        },
        Change::Group {
            group: 30,
            site: 20,
        },
        Change::Device {
            device: 40,
            site: 20,
            group: Some(30),
        },
        Change::Device {
            device: 41,
            site: 20,
            group: None,
        },
        Change::Department {
            department: 60,
            partner: 1,
        },
        Change::Device {
            device: 42,
            site: 21,
            group: None,
        },
        Change::DepartmentMember {
            department: 60,
            account: 11,
            member: true,
        },
    ]);
    changes
}

fn random_question(rng: &mut Rng) -> Question {
    let target = if rng.chance(15) {
        Target::Partner(rng.pick(&[1, 2]))
    } else {
        Target::Site {
            site: rng.pick(&[20, 21, 22, 23]),
            device: rng.chance(60).then(|| rng.pick(&[40, 41, 42, 43])),
        }
    };
    let permission = loop {
        let permission = rng.pick(Permission::ALL);
        let wanted = match (permission.class(), target) {
            (PermissionClass::Section(_), _) => rng.chance(70),
            (_, Target::Partner(_)) => rng.chance(5),
            (PermissionClass::Device, _) => true,
            (PermissionClass::SiteMenu, _) => rng.chance(60),
        };
        if wanted {
            break permission;
        }
    };
    Question {
        technician: rng.pick(&[10, 11, 12, 13, 14]),
        permission,
        target,
    }
}

#[test]
fn the_index_agrees_with_the_reference_on_every_answer() {
    let mut codes = std::collections::BTreeMap::<&str, usize>::new();
    for seed in 0..1000 {
        let mut rng = Rng(seed);
        let mut index = super::index::Index::default();
        let mut reference = Reference::default();
        for change in baseline() {
            index.apply(change);
            reference.apply(change);
        }
        for step in 0..400 {
            if rng.chance(45) {
                let change = random_change(&mut rng);
                index.apply(change);
                reference.apply(change);
                continue;
            }
            let question = random_question(&mut rng);
            let now = (rng.next() % 45) as i64;
            let expected = reference.answer(&question, now);
            let actual = index.check(&question, now);
            let context = || format!("seed {seed} step {step}: {question:?} at {now}");
            match (&expected, actual) {
                (Answer::Invalid, Err(_)) => {}
                (Answer::Decided(code, paths), Ok(reason)) => {
                    assert_eq!(reason.code(), *code, "{}", context());
                    if let Reason::GrantedByRole(path) = reason {
                        assert!(
                            paths.contains(&(path.grant, path.department, path.scope)),
                            "{}: {path:?} is not one of {paths:?}",
                            context()
                        );
                    }
                    *codes.entry(reason.code()).or_default() += 1;
                }
                _ => panic!("{}: reference {expected:?}, index {actual:?}", context()),
            }
        }
    }
    // The generator must reach every reason, allowing ones in earnest, or the agreement
    // means little.
    eprintln!("{codes:?}");
    assert_eq!(codes.len(), 16, "{codes:?}");
    assert!(codes["granted_by_role"] > 1000 && codes["granted_by_level"] > 1000);
}
