//! Permission checks: Siteward's index beside Cedar, on the same world and the same
//! questions, which both must answer alike.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cedar_policy::{Authorizer, Decision, Request};
use siteward_core::permission::Permission;
use siteward_core::permission::index::{Index, PageAt, Question, Target};

use crate::Effort;
use crate::cedar::{CedarModel, Facts, access_entity};
use crate::report::{Figure, Section, Target as Goal, Unit, quantile, resident_bytes, thousands};
use crate::world::{HEAVY_TECHNICIANS, Kind, NOW, Rng, Size, World, key};

/// Runs the comparison at `size`; fails if the two engines disagree on any answer.
pub fn run(size: Size, effort: Effort) -> anyhow::Result<Section> {
    let mut section = Section::new(format!(
        "Permission checks — {} world, Siteward vs Cedar",
        size.name
    ));
    let started = Instant::now();
    let world = World::build(size);

    let before = resident_bytes();
    let mut index = Index::from_changes(world.changes.iter().copied());
    let index_bytes = resident_bytes().saturating_sub(before);
    let index_built = started.elapsed();
    let stats = index.stats();

    let started = Instant::now();
    let mut facts = Facts::from_changes(&world.changes);
    let before = resident_bytes();
    let mut cedar = CedarModel::encode(&facts)?;
    let cedar_bytes = resident_bytes().saturating_sub(before);
    let cedar_built = started.elapsed();
    section.note(format!(
        "{} technicians, {} sites, {} site assignments, {} devices, {} departments, {} grants \
         ({} of them time-bound). Siteward's index built in {index_built:.2?}; Cedar: {} entities \
         and {} policies (validated against the schema) built in {cedar_built:.2?}.",
        n(stats.accounts),
        n(stats.sites),
        n(stats.assignments),
        n(stats.devices),
        n(stats.departments),
        n(stats.grants),
        cedar.timed_policies,
        n(cedar.entity_count),
        cedar.policy_count,
    ));

    let mut rng = Rng::new(0xC0FF_EE00 ^ size.technicians);
    let questions: Vec<Question> = (0..effort.questions)
        .map(|_| world.question(&mut rng))
        .collect();
    let requests: Vec<Request> = questions.iter().map(|q| cedar.request(q, NOW)).collect();
    let authorizer = Authorizer::new();

    // Agreement on every question, before anything is timed.
    let mut allowed = 0;
    let mut disagreements = Vec::new();
    for (q, r) in questions.iter().zip(&requests) {
        let ours = index
            .check(q, NOW)
            .map_err(|e| anyhow::anyhow!("the world asked an invalid question {q:?}: {e}"))?;
        let theirs = authorizer.is_authorized(r, &cedar.policies, &cedar.entities);
        if let Some(error) = theirs.diagnostics().errors().next() {
            anyhow::bail!("Cedar failed to evaluate a policy for {q:?}: {error}");
        }
        allowed += usize::from(ours.allows());
        if ours.allows() != (theirs.decision() == Decision::Allow) && disagreements.len() < 5 {
            let reasons: Vec<String> = theirs
                .diagnostics()
                .reason()
                .map(|p| p.to_string())
                .collect();
            disagreements.push(format!(
                "{q:?}: Siteward {} ({ours:?}), Cedar {:?} {reasons:?}",
                ours.allows(),
                theirs.decision()
            ));
        }
    }
    if !disagreements.is_empty() {
        anyhow::bail!("Siteward and Cedar disagree:\n{}", disagreements.join("\n"));
    }
    section.note(format!(
        "Both engines answered the same {} questions alike ({:.0}% allowed: levels, roles, \
         departments, device groups, locks, windows, switches and memberships all decide some).",
        n(questions.len()),
        allowed as f64 * 100.0 / questions.len() as f64
    ));

    let cedar_sample = effort.questions.min(effort.cedar_questions);
    let mut ours_p50 = Vec::new();
    let mut ours_p99 = Vec::new();
    let mut theirs_p50 = Vec::new();
    let mut theirs_p99 = Vec::new();
    let mut ours_bulk = Vec::new();
    let mut theirs_bulk = Vec::new();
    let mut recording_p50 = Vec::new();
    let mut plain_chunk = Vec::new();
    let mut recording_chunk = Vec::new();
    for _ in 0..effort.rounds {
        let (p50, p99) = each(&questions, |q| {
            black_box(index.check(black_box(q), NOW)).ok();
        });
        ours_p50.push(p50);
        ours_p99.push(p99);
        // The check API's own call: the same answer, recording the minute of last use on the
        // assignment that allowed (a write the first time in a minute, a read after).
        let (p50, _) = each(&questions, |q| {
            black_box(index.check_and_record_use(black_box(q), NOW)).ok();
        });
        recording_p50.push(p50);
        plain_chunk.push(median_of_chunks(&questions, |q| {
            black_box(index.check(black_box(q), NOW)).ok();
        }));
        recording_chunk.push(median_of_chunks(&questions, |q| {
            black_box(index.check_and_record_use(black_box(q), NOW)).ok();
        }));
        let (p50, p99) = each(&requests[..cedar_sample], |r| {
            black_box(authorizer.is_authorized(black_box(r), &cedar.policies, &cedar.entities));
        });
        theirs_p50.push(p50);
        theirs_p99.push(p99);
        ours_bulk.push(median_of_chunks(&questions, |q| {
            black_box(index.check(black_box(q), NOW)).ok();
        }));
        theirs_bulk.push(median_of_chunks(&requests[..cedar_sample], |r| {
            black_box(authorizer.is_authorized(black_box(r), &cedar.policies, &cedar.entities));
        }));
    }
    let ratio = |ours: &[Duration], theirs: &[Duration]| -> Vec<f64> {
        ours.iter()
            .zip(theirs)
            .map(|(o, t)| t.as_secs_f64() / o.as_secs_f64())
            .collect()
    };
    section
        .add(Figure::times("single check p50 — Siteward", &ours_p50).target(Goal::AtMost(500e-9)));
    section.add(Figure::times("single check p99 — Siteward", &ours_p99));
    section.add(Figure::times(
        "single check p50 — Siteward, recording last use",
        &recording_p50,
    ));
    section.add(
        Figure::new(
            "recording last use: check p50 with it / without it",
            Unit::Times,
            recording_p50
                .iter()
                .zip(&ours_p50)
                .map(|(with, without)| with.as_secs_f64() / without.as_secs_f64())
                .collect(),
        )
        .target(Goal::AtMost(1.10)),
    );
    section.add(Figure::new(
        "recording last use: 1,000 checks with it / without it (no timer per check)",
        Unit::Times,
        recording_chunk
            .iter()
            .zip(&plain_chunk)
            .map(|(with, without)| with.as_secs_f64() / without.as_secs_f64())
            .collect(),
    ));
    section.add(Figure::times("single check p50 — Cedar", &theirs_p50));
    section.add(Figure::times("single check p99 — Cedar", &theirs_p99));
    section.add(
        Figure::new(
            "single check p50: Siteward faster than Cedar by",
            Unit::Times,
            ratio(&ours_p50, &theirs_p50),
        )
        .target(Goal::AtLeast(10.0)),
    );
    section.add(
        Figure::times("bulk of 1,000 checks — Siteward", &ours_bulk).target(Goal::AtMost(500e-6)),
    );
    section.add(Figure::times("bulk of 1,000 checks — Cedar", &theirs_bulk));
    section.add(Figure::new(
        "bulk of 1,000: Siteward faster than Cedar by",
        Unit::Times,
        ratio(&ours_bulk, &theirs_bulk),
    ));

    lists(&world, &index, &cedar, &authorizer, effort, &mut section)?;

    // Applying one change: lock one assignment.
    let mut ours_change = Vec::new();
    let mut theirs_change = Vec::new();
    let mut locked = Vec::new();
    for n in 0..effort.rounds {
        let mut times = Vec::new();
        for _ in 0..1000 {
            let t = rng.below(size.technicians);
            let change = world.lock(t);
            let started = Instant::now();
            index.apply(black_box(change));
            times.push(started.elapsed());
        }
        times.sort_unstable();
        ours_change.push(quantile(&times, 0.5));

        let t = (n as u64 * 7919) % size.technicians;
        let change = world.lock(t);
        facts.apply(&change);
        index.apply(change);
        let account = key(Kind::Technician, t);
        let started = Instant::now();
        let entity = access_entity(&facts, account);
        let entities = std::mem::replace(&mut cedar.entities, cedar_policy::Entities::empty());
        cedar.entities = entities.upsert_entities([entity], Some(&cedar.schema))?;
        theirs_change.push(started.elapsed());
        locked.push(change);
    }
    // The locks hold in both.
    for change in locked {
        let siteward_core::permission::index::Change::Assignment { site, account, .. } = change
        else {
            unreachable!("a lock is an assignment change");
        };
        let question = Question {
            technician: account,
            permission: Permission::DashboardView,
            target: Target::Site { site, device: None },
        };
        let ours = index
            .check(&question, NOW)
            .map(|r| r.allows())
            .unwrap_or(true);
        let theirs = authorizer.is_authorized(
            &cedar.request(&question, NOW),
            &cedar.policies,
            &cedar.entities,
        );
        if ours || theirs.decision() == Decision::Allow {
            anyhow::bail!(
                "a locked assignment still allows: Siteward {ours}, Cedar {:?}",
                theirs.decision()
            );
        }
    }
    section.add(Figure::times(
        "apply one change (lock an assignment), p50 — Siteward",
        &ours_change,
    ));
    section.add(Figure::times(
        "apply one change (lock an assignment) — Cedar (upsert + closure)",
        &theirs_change,
    ));
    section.add(Figure::new(
        "apply one change: Siteward faster than Cedar by",
        Unit::Times,
        ratio(&ours_change, &theirs_change),
    ));

    let assignments = stats.assignments as f64;
    section.add(Figure::new(
        "resident bytes per assignment — Siteward index (whole index ÷ assignments)",
        Unit::Bytes,
        vec![index_bytes as f64 / assignments],
    ));
    section.add(Figure::new(
        "resident bytes per assignment — Cedar entities (whole store ÷ assignments)",
        Unit::Bytes,
        vec![cedar_bytes as f64 / assignments],
    ));
    if size == Size::SMALL {
        section.note(
            "Resident bytes are the process's growth while each engine loads its whole model \
             (devices, grants and all) divided by the assignments; at the small size devices \
             outnumber assignments seven to one, so the large size's figure is the one to read.",
        );
    }
    Ok(section)
}

fn n(count: usize) -> String {
    thousands(count as f64)
}

/// "List accessible sites": Siteward's index lists; Cedar checks each of the partner's sites.
fn lists(
    world: &World,
    index: &Index,
    cedar: &CedarModel,
    authorizer: &Authorizer,
    effort: Effort,
    section: &mut Section,
) -> anyhow::Result<()> {
    let size = world.size;
    let mut rng = Rng::new(0x11575);
    let typical: Vec<u64> = (0..effort.lists)
        .map(|_| HEAVY_TECHNICIANS + rng.below(size.technicians - HEAVY_TECHNICIANS))
        .collect();
    let heavy: Vec<u64> = (0..effort.lists as u64)
        .map(|n| n % HEAVY_TECHNICIANS)
        .collect();
    let candidates = |technicians: &[u64]| -> Vec<Vec<(u128, Request)>> {
        technicians
            .iter()
            .map(|t| {
                world
                    .partner_sites(*t)
                    .into_iter()
                    .map(|site| {
                        let question = Question {
                            technician: key(Kind::Technician, *t),
                            permission: Permission::DashboardView,
                            target: Target::Site { site, device: None },
                        };
                        (site, cedar.request(&question, NOW))
                    })
                    .collect()
            })
            .collect()
    };
    let ours_list = |t: u64| {
        index
            .reachable_sites(
                key(Kind::Technician, t),
                Permission::DashboardView,
                NOW,
                PageAt::first(1000),
                |_, _| true,
            )
            .keys
    };
    let theirs_list = |candidates: &[(u128, Request)]| -> Vec<u128> {
        candidates
            .iter()
            .filter(|(_, r)| {
                authorizer
                    .is_authorized(r, &cedar.policies, &cedar.entities)
                    .decision()
                    == Decision::Allow
            })
            .map(|(site, _)| *site)
            .collect()
    };
    for (technicians, label) in [(&typical, "10 assignments"), (&heavy, "1,000 assignments")] {
        let candidates = candidates(technicians);
        for (t, candidates) in technicians.iter().zip(&candidates) {
            let mut ours = ours_list(*t);
            let mut theirs = theirs_list(candidates);
            ours.sort_unstable();
            ours.dedup();
            theirs.sort_unstable();
            if ours != theirs {
                anyhow::bail!(
                    "Siteward and Cedar list different sites for technician {t}: {ours:?} vs {theirs:?}"
                );
            }
        }
        let mut ours_p50 = Vec::new();
        let mut ours_p99 = Vec::new();
        let mut theirs_p50 = Vec::new();
        for _ in 0..effort.rounds {
            let (p50, p99) = each(technicians, |t| {
                black_box(ours_list(*t));
            });
            ours_p50.push(p50);
            ours_p99.push(p99);
            let (p50, _) = each(&candidates, |c| {
                black_box(theirs_list(c));
            });
            theirs_p50.push(p50);
        }
        section.add(Figure::times(
            format!("list accessible sites ({label}), p50 — Siteward"),
            &ours_p50,
        ));
        let p99 = Figure::times(
            format!("list accessible sites ({label}), p99 — Siteward"),
            &ours_p99,
        );
        // The target is for lists of up to 1,000 sites: held to the longest.
        section.add(if technicians == &heavy {
            p99.target(Goal::AtMost(1e-3))
        } else {
            p99
        });
        section.add(Figure::times(
            format!(
                "list accessible sites ({label}), p50 — Cedar (checks each of the partner's {} sites)",
                n(size.sites_per_partner() as usize)
            ),
            &theirs_p50,
        ));
    }
    Ok(())
}

/// Times `f` on each item on its own; returns (p50, p99), timer overhead included.
fn each<T>(items: &[T], mut f: impl FnMut(&T)) -> (Duration, Duration) {
    let mut times: Vec<Duration> = items
        .iter()
        .map(|item| {
            let started = Instant::now();
            f(item);
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    (quantile(&times, 0.5), quantile(&times, 0.99))
}

/// Times `f` over chunks of 1,000 items in one pass each; returns the median chunk.
fn median_of_chunks<T>(items: &[T], mut f: impl FnMut(&T)) -> Duration {
    let mut times: Vec<Duration> = items
        .chunks_exact(1000)
        .map(|chunk| {
            let started = Instant::now();
            chunk.iter().for_each(&mut f);
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    quantile(&times, 0.5)
}
