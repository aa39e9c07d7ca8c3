//! Benchmark: the permission index at two fixed-seed sizes.
//!
//! - small: 1,000 technicians, 10,000 sites (10,000 assignments, 100,000 devices);
//! - large: 100,000 technicians, 100,000 sites, 1,000,000 site assignments, 10,000
//!   departments, 1,000,000 devices.
//!
//! Reports single-check p50/p99 (each check timed on its own, timer overhead included), the
//! time to answer 1,000 questions, listing a technician's reachable sites, applying one
//! change, and resident bytes per assignment. Run with
//! `cargo bench -p siteward-core --bench permission_index` (add `-- small` for the small size
//! only). Not a test: it asserts nothing about speed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use siteward_core::invitation::PermissionLevel;
use siteward_core::permission::Permission;
use siteward_core::permission::index::{
    Assignment, Change, Grant, Index, Key, Membership, PageAt, Question, Scope, Subject, Target,
    Window,
};
use siteward_core::permission::role::{Purpose, RoleRef, SystemRole};
use siteward_core::permission::{PermissionClass, Section};
use siteward_core::tenancy::{MemberStatus, PartnerRole, Privileges};

/// The shape of one benchmark world.
#[derive(Debug, Clone, Copy)]
struct Size {
    name: &'static str,
    partners: u64,
    technicians: u64,
    sites: u64,
    sites_per_technician: u64,
    departments: u64,
    devices_per_site: u64,
}

const SMALL: Size = Size {
    name: "small",
    partners: 10,
    technicians: 1_000,
    sites: 10_000,
    sites_per_technician: 10,
    departments: 100,
    devices_per_site: 10,
};

const LARGE: Size = Size {
    name: "large",
    partners: 100,
    technicians: 100_000,
    sites: 100_000,
    sites_per_technician: 10,
    departments: 10_000,
    devices_per_site: 10,
};

/// SplitMix64, seeded: the same world on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Keys shaped like real ids: a millisecond time in the top 48 bits, random below, so hashing
/// sees what it sees in production.
fn key(kind: u64, n: u64) -> Key {
    let random = u128::from(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) << 16 | u128::from(kind);
    (u128::from(1_700_000_000_000 + n) << 80) | random
}

const PARTNER: u64 = 1;
const TECHNICIAN: u64 = 2;
const SITE: u64 = 3;
const DEVICE: u64 = 4;
const GROUP: u64 = 5;
const DEPARTMENT: u64 = 6;
const GRANT: u64 = 7;
const ROLE: u64 = 8;

struct World {
    size: Size,
    /// The sites each technician is assigned to.
    assigned: Vec<Vec<u64>>,
}

impl World {
    fn partner_of_site(&self, site: u64) -> u64 {
        site % self.size.partners
    }
}

/// The changes that build everything but the assignments.
fn base(size: Size, rng: &mut Rng) -> (World, Vec<Change>) {
    let mut changes = Vec::new();
    for t in 0..size.technicians {
        changes.push(Change::Account {
            account: key(TECHNICIAN, t),
            active: rng.below(100) != 0,
        });
        changes.push(Change::Membership {
            partner: key(PARTNER, t % size.partners),
            account: key(TECHNICIAN, t),
            membership: Some(Membership {
                role: PartnerRole::Technician,
                status: if rng.below(100) == 0 {
                    MemberStatus::Disabled
                } else {
                    MemberStatus::Active
                },
                privileges: Privileges::DEFAULT,
            }),
        });
    }
    for p in 0..size.partners {
        changes.push(Change::Role {
            role: key(ROLE, p),
            partner: key(PARTNER, p),
            purpose: Purpose::DevicesAndGroups,
            permissions: [Permission::ScreenView, Permission::Chat, Permission::Reboot]
                .into_iter()
                .collect(),
        });
    }
    for s in 0..size.sites {
        changes.push(Change::Site {
            site: key(SITE, s),
            partner: key(PARTNER, s % size.partners),
            technician_access: rng.below(50) != 0,
        });
        changes.push(Change::Group {
            group: key(GROUP, s),
            site: key(SITE, s),
        });
        for d in 0..size.devices_per_site {
            let device = s * size.devices_per_site + d;
            changes.push(Change::Device {
                device: key(DEVICE, device),
                site: key(SITE, s),
                group: (d % 2 == 0).then(|| key(GROUP, s)),
            });
        }
    }
    let mut grant = 0;
    let mut add_grant = |changes: &mut Vec<Change>, subject, scope, role| {
        grant += 1;
        changes.push(Change::Grant {
            grant: key(GRANT, grant),
            value: Grant {
                subject,
                scope,
                role,
                window: Window::ALWAYS,
            },
        });
    };
    let sites_per_partner = size.sites / size.partners;
    let mut assigned = Vec::new();
    for t in 0..size.technicians {
        let partner = t % size.partners;
        let sites: Vec<u64> = (0..size.sites_per_technician)
            .map(|_| rng.below(sites_per_partner) * size.partners + partner)
            .collect();
        // Two grants of the technician's own: a group at one site, a device at another.
        let site = sites[0];
        add_grant(
            &mut changes,
            Subject::Technician(key(TECHNICIAN, t)),
            Scope::Group(key(GROUP, site)),
            RoleRef::System(SystemRole::DeviceConnectionOnly),
        );
        let site = sites[1];
        add_grant(
            &mut changes,
            Subject::Technician(key(TECHNICIAN, t)),
            Scope::Device(key(DEVICE, site * size.devices_per_site + 1)),
            RoleRef::Custom(key(ROLE, partner)),
        );
        assigned.push(sites);
    }
    let world = World { size, assigned };
    for d in 0..size.departments {
        let partner = d % size.partners;
        changes.push(Change::Department {
            department: key(DEPARTMENT, d),
            partner: key(PARTNER, partner),
        });
        let site = rng.below(sites_per_partner) * size.partners + partner;
        add_grant(
            &mut changes,
            Subject::Department(key(DEPARTMENT, d)),
            Scope::Site(key(SITE, site)),
            RoleRef::System(SystemRole::FullDeviceAccess),
        );
        add_grant(
            &mut changes,
            Subject::Department(key(DEPARTMENT, d)),
            Scope::Section {
                partner: key(PARTNER, partner),
                section: Section::Invitations,
            },
            RoleRef::System(SystemRole::AllInvitations),
        );
    }
    // Each technician in one or two departments of their partner.
    let departments_per_partner = size.departments / size.partners;
    for t in 0..size.technicians {
        let partner = t % size.partners;
        for _ in 0..1 + rng.below(2) {
            let d = rng.below(departments_per_partner) * size.partners + partner;
            changes.push(Change::DepartmentMember {
                department: key(DEPARTMENT, d),
                account: key(TECHNICIAN, t),
                member: true,
            });
        }
    }
    (world, changes)
}

fn assignments(world: &World, rng: &mut Rng) -> Vec<Change> {
    let levels = PermissionLevel::ALL;
    let mut changes = Vec::new();
    for (t, sites) in world.assigned.iter().enumerate() {
        for site in sites {
            changes.push(Change::Assignment {
                site: key(SITE, *site),
                account: key(TECHNICIAN, t as u64),
                assignment: Some(Assignment {
                    level: levels[1 + rng.below(3) as usize],
                    locked: rng.below(10) == 0,
                    window: Window::ALWAYS,
                }),
            });
        }
    }
    changes
}

fn question(world: &World, rng: &mut Rng) -> Question {
    let size = world.size;
    let t = rng.below(size.technicians);
    let permission = Permission::ALL[rng.below(Permission::ALL.len() as u64) as usize];
    let sites = &world.assigned[t as usize];
    let site = if rng.below(10) == 0 {
        rng.below(size.sites)
    } else {
        sites[rng.below(sites.len() as u64) as usize]
    };
    let target = match permission.class() {
        PermissionClass::Section(_) => Target::Partner(key(PARTNER, world.partner_of_site(site))),
        PermissionClass::SiteMenu => Target::Site {
            site: key(SITE, site),
            device: None,
        },
        PermissionClass::Device => Target::Site {
            site: key(SITE, site),
            device: Some(key(
                DEVICE,
                site * size.devices_per_site + rng.below(size.devices_per_site),
            )),
        },
    };
    Question {
        technician: key(TECHNICIAN, t),
        permission,
        target,
    }
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn stats(name: &str, runs: &mut [Duration]) {
    runs.sort_unstable();
    println!(
        "  {name:<44} min {:>10.3?}  median {:>10.3?}  max {:>10.3?}",
        runs[0],
        percentile(runs, 0.5),
        runs[runs.len() - 1]
    );
}

fn run(size: Size) {
    println!("== {} ==", size.name);
    let mut rng = Rng(0x5173_3a7d);
    let (world, base_changes) = base(size, &mut rng);
    let assignment_changes = assignments(&world, &mut rng);
    let before = resident_bytes();
    let started = Instant::now();
    let mut index = Index::from_changes(base_changes);
    let after_base = resident_bytes();
    for change in assignment_changes {
        index.apply(change);
    }
    let after_all = resident_bytes();
    let stats_now = index.stats();
    println!(
        "  built in {:.2?}: {} accounts, {} sites, {} assignments, {} devices, {} departments, {} grants",
        started.elapsed(),
        stats_now.accounts,
        stats_now.sites,
        stats_now.assignments,
        stats_now.devices,
        stats_now.departments,
        stats_now.grants
    );
    // Resident-set deltas; at the small size the allocator may reuse pages it already had,
    // so a delta can come out at or below zero there, and only the large size is meaningful.
    let delta = |from: u64, to: u64| to as f64 - from as f64;
    println!(
        "  resident: whole index {:.1} MiB; assignments alone {:.0} bytes each (whole index {:.0} bytes per assignment)",
        delta(before, after_all) / (1 << 20) as f64,
        delta(after_base, after_all) / stats_now.assignments as f64,
        delta(before, after_all) / stats_now.assignments as f64,
    );

    let now = 1_800_000_000_000;
    let questions: Vec<Question> = (0..200_000).map(|_| question(&world, &mut rng)).collect();

    // Single checks, each timed on its own.
    let mut single = Vec::with_capacity(questions.len());
    let mut allowed = 0usize;
    for q in &questions {
        let started = Instant::now();
        let answer = black_box(index.check(black_box(q), now));
        single.push(started.elapsed());
        allowed += usize::from(answer.is_ok_and(|r| r.allows()));
    }
    single.sort_unstable();
    println!(
        "  single check ({} questions, {:.0}% allowed)   p50 {:?}  p99 {:?}  (timer overhead included)",
        questions.len(),
        allowed as f64 * 100.0 / questions.len() as f64,
        percentile(&single, 0.5),
        percentile(&single, 0.99),
    );

    // Bulk: 1,000 questions answered in one pass.
    let mut bulk: Vec<Duration> = questions
        .chunks_exact(1000)
        .map(|chunk| {
            let started = Instant::now();
            for q in chunk {
                black_box(index.check(black_box(q), now)).ok();
            }
            started.elapsed()
        })
        .collect();
    stats("bulk of 1,000 checks", &mut bulk);

    // Reachable sites for a technician (each has 10 assignments here).
    let mut lists: Vec<Duration> = (0..10_000)
        .map(|_| {
            let t = key(TECHNICIAN, rng.below(size.technicians));
            let started = Instant::now();
            black_box(index.reachable_sites(
                t,
                Permission::DashboardView,
                now,
                PageAt::first(1000),
                |_, _| true,
            ));
            started.elapsed()
        })
        .collect();
    lists.sort_unstable();
    println!(
        "  list reachable sites (10 assignments)       p50 {:?}  p99 {:?}",
        percentile(&lists, 0.5),
        percentile(&lists, 0.99)
    );

    // One change: lock one assignment.
    let mut changes: Vec<Duration> = (0..10_000)
        .map(|_| {
            let t = rng.below(size.technicians);
            let site = world.assigned[t as usize][0];
            let started = Instant::now();
            index.apply(Change::Assignment {
                site: key(SITE, site),
                account: key(TECHNICIAN, t),
                assignment: Some(Assignment {
                    level: PermissionLevel::DevicesOnly,
                    locked: true,
                    window: Window::ALWAYS,
                }),
            });
            started.elapsed()
        })
        .collect();
    changes.sort_unstable();
    println!(
        "  apply one change (lock an assignment)       p50 {:?}  p99 {:?}",
        percentile(&changes, 0.5),
        percentile(&changes, 0.99)
    );
    drop(index);
}

fn main() {
    let only_small = std::env::args().any(|a| a == "small");
    run(SMALL);
    if !only_small {
        run(LARGE);
    }
}
