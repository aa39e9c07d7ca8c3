//! The stale-access property (with cancelled writes: most changes are first sent and
//! dropped part-way, as by a client closing its connection, then sent again in full — a
//! dropped write that committed must still reach the index, or the full one finds nothing to
//! change and the check stays wrong): after a lock, a delete, a disabled or removed member, a disabled
//! account, technician access switched off at the site, or an expiry, no check allows — until
//! the state is restored, and then exactly as before (a removed member added again gets back
//! nothing: their assignment went with the membership). Random sequences of those changes (seeded, so a failure names
//! the seed and the step that shows it) run against the real router, and after every step
//! each technician's answer is compared with a plain model of who may enter. The same for
//! just-in-time access: no check allows outside an approved window, ever.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::cancellation::send_and_drop;
use super::technicians::{check, rejoin, site_with_technicians};
use super::{Reply, TestApp};

/// What the model knows of one technician.
#[derive(Debug, Clone, Copy)]
struct Tech {
    /// A member of the partner (removing one ends their assignment too).
    member: bool,
    assigned: bool,
    locked: bool,
    member_active: bool,
    account_active: bool,
    /// Minutes from the start when the access ends, if it does.
    expires_at: Option<i64>,
}

/// A small deterministic generator (xorshift64*), so a failing sequence can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn ok(reply: &Reply, what: &str) {
    assert!(
        reply.status.is_success(),
        "{what}: {} {}",
        reply.status,
        reply.body
    );
}

#[tokio::test]
async fn no_check_allows_after_access_is_taken_away_until_it_is_given_back() {
    for seed in [0x5eed_0001_u64, 0x5eed_0002, 0x5eed_0003] {
        run(seed, 40).await;
    }
}

async fn run(seed: u64, steps: usize) {
    let app = TestApp::new().await;
    let (acme, site, admin, ids) = site_with_technicians(&app, 3).await;
    let operator = app.operator().await;
    let mut techs = [Tech {
        member: true,
        assigned: true,
        locked: true,
        member_active: true,
        account_active: true,
        expires_at: None,
    }; 3];
    let mut site_on = true;
    let mut minutes = 0_i64;
    let start = app.clock.now_time();
    let mut rng = Rng(seed);

    for step in 0..steps {
        let n = rng.below(3) as usize;
        let id = &ids[n];
        let what = rng.below(11);
        // Three in four idempotent changes are first sent and dropped after a few polls.
        let drop_after = (rng.below(4) != 0).then(|| rng.below(12) as usize);
        let label = format!(
            "seed {seed:#x} step {step}: change {what} on technician {n}, dropped first after {drop_after:?} polls"
        );
        let send = |method: Method, path: String, token: String, body: Value| {
            let app = &app;
            async move {
                if let Some(polls) = drop_after {
                    send_and_drop(
                        app,
                        method.clone(),
                        &path,
                        &token,
                        Some(body.clone()),
                        polls,
                    )
                    .await;
                }
                app.call(method, &path, Some(&token), Some(body)).await
            }
        };
        // Changes to a technician's access at the site are refused while the site has
        // technician access off (409) and once the access is deleted.
        let site_change = |reply: &Reply, tech: &mut Tech, apply: &dyn Fn(&mut Tech)| {
            if !site_on || !tech.assigned {
                assert!(reply.status.is_client_error(), "{label}: {}", reply.body);
            } else {
                ok(reply, &label);
                apply(tech);
            }
        };
        // Changes to a membership are answered 404 once the member was removed.
        let member_change = |reply: &Reply, tech: &mut Tech, apply: &dyn Fn(&mut Tech)| {
            if tech.member {
                ok(reply, &label);
                apply(tech);
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::NOT_FOUND,
                    "{label}: {}",
                    reply.body
                );
            }
        };
        match what {
            0 | 1 => {
                let locked = what == 0;
                let reply = send(
                    Method::POST,
                    format!("/v1/sites/{site}/technicians/lock"),
                    admin.clone(),
                    json!({ "account_ids": [id], "locked": locked }),
                )
                .await;
                site_change(&reply, &mut techs[n], &|t| t.locked = locked);
            }
            2 => {
                // Deleting is for good in this model (a new invitation would restore it).
                let reply = app
                    .post(
                        &format!("/v1/sites/{site}/technicians/remove"),
                        &admin,
                        json!({ "account_ids": [id] }),
                    )
                    .await;
                site_change(&reply, &mut techs[n], &|t| t.assigned = false);
            }
            3 | 4 => {
                let status = if what == 3 { "disabled" } else { "active" };
                let reply = send(
                    Method::PATCH,
                    format!("/v1/partners/{}/members/{id}", acme.id),
                    acme.owner_token.clone(),
                    json!({ "status": status }),
                )
                .await;
                member_change(&reply, &mut techs[n], &|t| t.member_active = what == 4);
            }
            5 => {
                let active = rng.below(2) == 0;
                let reply = send(
                    Method::PATCH,
                    format!("/v1/accounts/{id}"),
                    operator.clone(),
                    json!({ "status": if active { "active" } else { "disabled" } }),
                )
                .await;
                ok(&reply, &label);
                techs[n].account_active = active;
            }
            6 => {
                site_on = !site_on;
                let reply = send(
                    Method::PATCH,
                    format!("/v1/sites/{site}"),
                    admin.clone(),
                    json!({ "technician_access": site_on }),
                )
                .await;
                ok(&reply, &label);
            }
            7 => {
                // An end within the next hour, or none.
                let until = (rng.below(2) == 0).then(|| minutes + 1 + rng.below(60) as i64);
                let value = until.map_or(Value::Null, |m| {
                    json!((start + chrono::Duration::minutes(m)).to_rfc3339())
                });
                let reply = send(
                    Method::PATCH,
                    format!("/v1/sites/{site}/technicians/{id}"),
                    admin.clone(),
                    json!({ "expires_at": value }),
                )
                .await;
                site_change(&reply, &mut techs[n], &|t| t.expires_at = until);
            }
            9 => {
                let reply = app
                    .call(
                        Method::DELETE,
                        &format!("/v1/partners/{}/members/{id}", acme.id),
                        Some(&acme.owner_token),
                        None,
                    )
                    .await;
                member_change(&reply, &mut techs[n], &|t| {
                    t.member = false;
                    t.assigned = false;
                });
            }
            10 => {
                // A removed member comes back only by accepting an invitation (which takes
                // logging in: not while the account is disabled).
                if !techs[n].member && techs[n].account_active {
                    let reply = rejoin(&app, &acme, &format!("tech{n}@acme.example")).await;
                    ok(&reply, &label);
                    techs[n].member = true;
                    techs[n].member_active = true;
                }
            }
            _ => {
                let by = 1 + rng.below(45) as i64;
                app.clock.advance(chrono::Duration::minutes(by));
                minutes += by;
            }
        }

        for (n, tech) in techs.iter().enumerate() {
            let expected = site_on
                && tech.member
                && tech.assigned
                && !tech.locked
                && tech.member_active
                && tech.account_active
                && tech.expires_at.is_none_or(|end| minutes < end);
            let answer = check(&app, &admin, &site, &ids[n], "devices.view").await;
            assert_eq!(
                answer.body["allowed"], expected,
                "seed {seed:#x} after step {step}, technician {n} ({tech:?}, site on: {site_on}, minute {minutes}): {}",
                answer.body
            );
        }
    }
}

/// What the model knows of one technician's just-in-time access (they hold no standing
/// access: every entry is through a request).
#[derive(Debug, Clone, Default)]
struct Asked {
    /// The open request: its id, and whether it is approved (in force) or still waiting.
    open: Option<(String, bool)>,
    /// The approved window, in minutes from the start: `[from, until)`.
    window: Option<(i64, i64)>,
    /// The end of the asked window (minutes from the start), for a waiting request.
    asked_until: i64,
    /// Whether the site's admin has locked the assignment the access put in force.
    locked: bool,
}

/// The just-in-time property: random requests, approvals (some for less time), denials, early
/// ends, locks and unlocks, Technician Access switched off and on, and the clock moved (the
/// sweeper run after each move) — and after every step no technician may enter outside an
/// approved window, and every one may inside it (unless locked or the site is off).
#[tokio::test]
async fn no_check_allows_outside_an_approved_window_ever() {
    for seed in [0x0a11_0001_u64, 0x0a11_0002, 0x0a11_0003] {
        requests(seed, 60).await;
    }
}

async fn requests(seed: u64, steps: usize) {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let admin = app.token("admin@customer.example").await;
    let mut ids = Vec::new();
    let mut tokens = Vec::new();
    for n in 0..3 {
        let email = format!("tech{n}@acme.example");
        ids.push(app.member(&acme, &email, "technician").await);
        tokens.push(app.token(&email).await);
    }
    let start = app.clock.now_time();
    let at = |minutes: i64| start + chrono::Duration::minutes(minutes);
    let mut minutes = 0_i64;
    let mut site_on = true;
    let mut asked: Vec<Asked> = vec![Asked::default(); 3];
    let mut rng = Rng(seed);

    for step in 0..steps {
        let n = rng.below(3) as usize;
        let what = rng.below(9);
        let label = format!("seed {seed:#x} step {step}: change {what} on technician {n}");
        let tech = &mut asked[n];
        match what {
            0 | 1 => {
                let length = 1 + rng.below(120) as i64;
                let reply = app
                    .post(
                        &format!("/v1/sites/{site}/access-requests"),
                        &tokens[n],
                        json!({ "level": "devices_only", "minutes": length, "reason": label }),
                    )
                    .await;
                if !site_on || tech.open.is_some() {
                    assert_eq!(
                        reply.status,
                        StatusCode::CONFLICT,
                        "{label}: {}",
                        reply.body
                    );
                } else {
                    assert_eq!(reply.status, StatusCode::CREATED, "{label}: {}", reply.body);
                    tech.open = Some((reply.str("id"), false));
                    tech.window = None;
                    tech.asked_until = minutes + length;
                }
            }
            2 | 3 => {
                let Some((id, in_force)) = tech.open.clone() else {
                    continue;
                };
                // Half the approvals are for less time than asked.
                let shorter = (rng.below(2) == 0 && tech.asked_until - minutes > 1).then(|| {
                    minutes + 1 + rng.below((tech.asked_until - minutes - 1) as u64) as i64
                });
                let body = match shorter {
                    Some(until) => json!({ "ends_at": at(until).to_rfc3339() }),
                    None => json!({}),
                };
                let reply = app
                    .post(&format!("/v1/access-requests/{id}/approve"), &admin, body)
                    .await;
                if in_force {
                    assert_eq!(
                        reply.code(),
                        "request_not_pending",
                        "{label}: {}",
                        reply.body
                    );
                } else {
                    ok(&reply, &label);
                    tech.open = Some((id, true));
                    tech.window = Some((minutes, shorter.unwrap_or(tech.asked_until)));
                    tech.locked = false;
                }
            }
            4 => {
                let Some((id, in_force)) = tech.open.clone() else {
                    continue;
                };
                let reply = app
                    .post(
                        &format!("/v1/access-requests/{id}/deny"),
                        &admin,
                        json!({ "comment": "not now" }),
                    )
                    .await;
                if in_force {
                    assert_eq!(
                        reply.code(),
                        "request_not_pending",
                        "{label}: {}",
                        reply.body
                    );
                } else {
                    ok(&reply, &label);
                    tech.open = None;
                }
            }
            5 => {
                let Some((id, _)) = tech.open.clone() else {
                    continue;
                };
                let reply = app
                    .post(
                        &format!("/v1/access-requests/{id}/end"),
                        &tokens[n],
                        json!({}),
                    )
                    .await;
                ok(&reply, &label);
                tech.open = None;
                tech.window = None;
            }
            6 => {
                // The site's admin locks or unlocks what the access put in force, if anything.
                let locked = rng.below(2) == 0;
                let reply = app
                    .post(
                        &format!("/v1/sites/{site}/technicians/lock"),
                        &admin,
                        json!({ "account_ids": [ids[n]], "locked": locked }),
                    )
                    .await;
                if reply.status.is_success() {
                    tech.locked = locked;
                }
            }
            7 => {
                site_on = !site_on;
                let reply = app
                    .call(
                        Method::PATCH,
                        &format!("/v1/sites/{site}"),
                        Some(&admin),
                        Some(json!({ "technician_access": site_on })),
                    )
                    .await;
                ok(&reply, &label);
            }
            _ => {
                let by = 1 + rng.below(45) as i64;
                app.clock.advance(chrono::Duration::minutes(by));
                minutes += by;
                app.state.sweep_access_requests().await.unwrap();
                for tech in &mut asked {
                    let over = match (&tech.open, tech.window) {
                        (Some((_, true)), Some((_, until))) => until <= minutes,
                        (Some((_, false)), _) => tech.asked_until <= minutes,
                        _ => false,
                    };
                    if over {
                        tech.open = None;
                        tech.window = None;
                    }
                }
            }
        }

        for (n, tech) in asked.iter().enumerate() {
            let expected = site_on
                && !tech.locked
                && tech
                    .window
                    .is_some_and(|(from, until)| from <= minutes && minutes < until);
            let answer = check(&app, &admin, &site, &ids[n], "devices.view").await;
            assert_eq!(
                answer.body["allowed"], expected,
                "seed {seed:#x} after step {step}, technician {n} ({tech:?}, site on: {site_on}, minute {minutes}): {}",
                answer.body
            );
        }
    }
}
