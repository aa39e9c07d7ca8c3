//! Just-in-time access over HTTP, with the bundled notifier and a real SMTP server: a
//! technician asks, the site's approvers are told, one approves, the access works and ends on
//! the millisecond, what the technician held before comes back, and the audit log tells who
//! let them in; the site's policy approves within its rule and refuses beyond it; two
//! approvers at once yield one decision; a requests-only site keeps no standing access.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use serde_json::{Value, json};

use siteward_server::mail::deliver_due;
use siteward_server::notify::notify_once;
use siteward_server::plugins::bundled::ensure;

use super::smtp::TestSmtp;
use super::technicians::{set_locked, site_with_technicians};
use super::{Partner, TestApp};

/// A partner with a site (whose admin is `admin@customer.example`) and a technician who has
/// no access there: (partner, site, site admin's token, technician's id and token).
async fn world(app: &TestApp) -> (Partner, String, String, (String, String)) {
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let admin = app.token("admin@customer.example").await;
    let tech = app.member(&acme, "tom@acme.example", "technician").await;
    let token = app.token("tom@acme.example").await;
    (acme, site, admin, (tech, token))
}

/// Whether the technician may `permission` at the site now, and why.
async fn check(
    app: &TestApp,
    partner: &Partner,
    tech: &str,
    site: &str,
    permission: &str,
) -> (bool, String) {
    let reply = app
        .post(
            "/v1/check",
            &partner.owner_token,
            json!({ "technician_id": tech, "permission": permission, "site_id": site }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    (
        reply.body["allowed"].as_bool().unwrap(),
        reply.str("reason"),
    )
}

async fn ask(app: &TestApp, token: &str, site: &str, body: Value) -> super::Reply {
    app.post(&format!("/v1/sites/{site}/access-requests"), token, body)
        .await
}

async fn put_policy(app: &TestApp, admin: &str, site: &str, policy: Value) {
    let reply = app
        .call(
            Method::PUT,
            &format!("/v1/sites/{site}/access-policy"),
            Some(admin),
            Some(policy),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// The site's audit events about `request`, oldest first, as `(action, actor_id)`.
async fn trail(
    app: &TestApp,
    admin: &str,
    site: &str,
    request: &str,
) -> Vec<(String, Option<String>)> {
    let log = app
        .get(&format!("/v1/sites/{site}/audit-events?limit=200"), admin)
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"]["id"] == request)
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"]["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_approved_request_opens_the_site_until_exactly_its_end_and_the_log_says_who() {
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let smtp = TestSmtp::start();
    let mailer = smtp.mailer();
    let (acme, site, admin, (tech, token)) = world(&app).await;
    notify_once(&app.state).await.unwrap();
    deliver_due(&app.state, &mailer).await.unwrap();
    assert_eq!(
        check(&app, &acme, &tech, &site, "devices.view").await,
        (false, "not_assigned".to_owned())
    );

    let asked = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 120, "reason": "INC-4711: till 3 will not print" }),
    )
    .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    assert_eq!(asked.body["status"], "pending");
    let id = asked.str("id");
    assert!(
        !check(&app, &acme, &tech, &site, "devices.view").await.0,
        "nothing until approved"
    );

    // The site's admin is told, with the reason and a link to decide.
    notify_once(&app.state).await.unwrap();
    deliver_due(&app.state, &mailer).await.unwrap();
    let told = smtp.to("admin@customer.example");
    let email = told.last().expect("the site's admin is told");
    assert_eq!(
        email.subject(),
        "Member (tom@acme.example) asks for access to Head office"
    );
    let text = email.text();
    assert!(
        text.contains("INC-4711: till 3 will not print")
            && text.contains(&format!("/sites/{site}/access-requests"))
            && text.contains("Devices Only"),
        "{text}"
    );

    // The queue shows it; the technician cannot approve their own, the partner's Super
    // Admin may not (the site has not let them), another partner sees nothing.
    let queue = app
        .get(
            &format!("/v1/sites/{site}/access-requests?status=pending"),
            &admin,
        )
        .await;
    assert_eq!(queue.body["items"][0]["id"], id.as_str(), "{}", queue.body);
    let approve = format!("/v1/access-requests/{id}/approve");
    let own = app.post(&approve, &token, json!({})).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    let owner = app.post(&approve, &acme.owner_token, json!({})).await;
    assert_eq!(owner.status, StatusCode::FORBIDDEN, "{}", owner.body);
    let operator = app.operator().await;
    let globex = app.partner(&operator, "globex").await;
    let hidden = app.post(&approve, &globex.owner_token, json!({})).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);

    let approved = app
        .post(&approve, &admin, json!({ "comment": "Go ahead" }))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "active");
    assert_eq!(approved.body["decisions"][0]["by_name"], "Site Admin");
    let end = approved.str("ends_at");
    assert_eq!(
        check(&app, &acme, &tech, &site, "devices.view").await,
        (true, "granted_by_level".to_owned())
    );
    assert!(
        !check(&app, &acme, &tech, &site, "users.view").await.0,
        "no more than the level asked"
    );
    notify_once(&app.state).await.unwrap();
    deliver_due(&app.state, &mailer).await.unwrap();
    let to_tom = smtp.to("tom@acme.example");
    let email = to_tom.last().expect("the technician is told");
    assert_eq!(email.subject(), "Your access to Head office is approved");
    assert!(email.text().contains("Go ahead"), "{}", email.text());

    // A millisecond before its end it works; at its end it does not, whatever the sweeper.
    app.clock
        .advance(Duration::minutes(120) - Duration::milliseconds(1));
    assert!(check(&app, &acme, &tech, &site, "devices.view").await.0);
    app.clock.advance(Duration::milliseconds(1));
    assert_eq!(
        Some(app.clock.now_time()),
        end.parse::<chrono::DateTime<chrono::Utc>>().ok()
    );
    assert_eq!(
        check(&app, &acme, &tech, &site, "devices.view").await,
        (false, "expired".to_owned())
    );
    assert_eq!(
        app.state.sweep_access_requests().await.unwrap(),
        1,
        "one request moved"
    );
    let ended = app.get(&format!("/v1/access-requests/{id}"), &token).await;
    assert_eq!(ended.body["status"], "ended", "{}", ended.body);
    // They held nothing before, so nothing is left.
    assert_eq!(
        check(&app, &acme, &tech, &site, "devices.view").await,
        (false, "not_assigned".to_owned())
    );

    // Who let them in, when, for what: every step under the request's id.
    let admin_id = app.get("/v1/me", &admin).await.str("id");
    assert_eq!(
        trail(&app, &admin, &site, &id).await,
        vec![
            ("access_request.created".to_owned(), Some(tech.clone())),
            ("access_request.approved".to_owned(), Some(admin_id)),
            ("access_request.ended".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn the_policy_approves_within_its_rule_refuses_beyond_it_and_what_is_held_is_not_asked_again()
{
    let app = TestApp::new().await;
    let (acme, site, admin, (tech, token)) = world(&app).await;
    put_policy(
        &app,
        &admin,
        &site,
        json!({ "max_minutes": 480,
                "automatic": { "up_to": "devices_only", "max_minutes": 240 } }),
    )
    .await;

    let beyond = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 481, "reason": "all day" }),
    )
    .await;
    assert_eq!(
        (beyond.status, beyond.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "beyond_policy"),
        "{}",
        beyond.body
    );
    assert!(beyond.message().contains("480 minutes"), "{}", beyond.body);

    let auto = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 60, "reason": "INC-1" }),
    )
    .await;
    assert_eq!(auto.status, StatusCode::CREATED, "{}", auto.body);
    assert_eq!(auto.body["status"], "active", "{}", auto.body);
    assert_eq!(auto.body["decisions"][0]["by_kind"], "system");
    assert!(check(&app, &acme, &tech, &site, "dashboard.view").await.0);

    // They hold Devices Only for that hour already; another open request waits its turn.
    let held = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 30, "reason": "again" }),
    )
    .await;
    assert_eq!(held.code(), "already_has_access", "{}", held.body);
    let open = ask(
        &app,
        &token,
        &site,
        json!({ "level": "full_including_users", "minutes": 30, "reason": "more" }),
    )
    .await;
    assert_eq!(
        (open.status, open.code()),
        (StatusCode::CONFLICT, "already_requested"),
        "{}",
        open.body
    );

    // The technician ends it early: the access stops at once.
    let id = auto.str("id");
    let ended = app
        .post(&format!("/v1/access-requests/{id}/end"), &token, json!({}))
        .await;
    assert_eq!(ended.body["status"], "ended", "{}", ended.body);
    assert!(!check(&app, &acme, &tech, &site, "dashboard.view").await.0);

    // Higher than the rule: it waits for an approver.
    let higher = ask(
        &app,
        &token,
        &site,
        json!({ "level": "full_including_users", "minutes": 30, "reason": "users" }),
    )
    .await;
    assert_eq!(higher.body["status"], "pending", "{}", higher.body);
    // Nobody decides in time: it expires, and the technician can ask again at once, before
    // the sweeper has come round.
    app.clock.advance(Duration::minutes(30));
    let expired = app
        .get(&format!("/v1/access-requests/{}", higher.str("id")), &token)
        .await;
    assert_eq!(expired.body["status"], "expired", "{}", expired.body);
    let anew = ask(
        &app,
        &token,
        &site,
        json!({ "level": "full_including_users", "minutes": 30, "reason": "users, again" }),
    )
    .await;
    assert_eq!(anew.status, StatusCode::CREATED, "{}", anew.body);
    assert_eq!(
        app.state.sweep_access_requests().await.unwrap(),
        0,
        "closed on the way"
    );
    let mine = app.get("/v1/me/access-requests", &token).await;
    assert_eq!(
        mine.body["items"].as_array().unwrap().len(),
        3,
        "{}",
        mine.body
    );
}

#[tokio::test]
async fn standing_access_comes_back_after_a_raised_level_and_two_approvers_are_two_people() {
    let app = TestApp::new().await;
    // tech0 holds Full Excluding Users, unlocked.
    let (acme, site, admin, techs) = site_with_technicians(&app, 1).await;
    set_locked(&app, &site, &admin, &techs, false).await;
    let tech = &techs[0];
    let token = app.token("tech0@acme.example").await;
    put_policy(
        &app,
        &admin,
        &site,
        json!({ "max_minutes": 480, "two_approvers": true,
                "super_admins_up_to": "full_including_users" }),
    )
    .await;
    assert_eq!(
        check(&app, &acme, tech, &site, "users.view").await,
        (false, "not_in_level".to_owned())
    );
    let asked = ask(
        &app,
        &token,
        &site,
        json!({ "level": "full_including_users", "minutes": 60, "reason": "add a user" }),
    )
    .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let id = asked.str("id");
    let approve = format!("/v1/access-requests/{id}/approve");
    let first = app.post(&approve, &admin, json!({})).await;
    assert_eq!(first.body["status"], "pending", "{}", first.body);
    let again = app.post(&approve, &admin, json!({})).await;
    assert_eq!(again.code(), "already_approved", "{}", again.body);
    assert!(
        !check(&app, &acme, tech, &site, "users.view").await.0,
        "one approval of two gives nothing"
    );
    // The partner's Super Admin is the second approver (the site lets them, up to this
    // level), shortening it to half an hour.
    let half = app.clock.now_time() + Duration::minutes(30);
    let second = app
        .post(
            &approve,
            &acme.owner_token,
            json!({ "ends_at": half.to_rfc3339(), "comment": "half an hour will do" }),
        )
        .await;
    assert_eq!(second.body["status"], "active", "{}", second.body);
    assert!(check(&app, &acme, tech, &site, "users.view").await.0);

    app.clock.advance(Duration::minutes(30));
    assert_eq!(
        check(&app, &acme, tech, &site, "users.view").await,
        (false, "expired".to_owned())
    );
    assert_eq!(
        app.state.sweep_access_requests().await.unwrap(),
        1,
        "one request moved"
    );
    // What they held before is theirs again.
    assert_eq!(
        check(&app, &acme, tech, &site, "users.view").await,
        (false, "not_in_level".to_owned())
    );
    assert_eq!(
        check(&app, &acme, tech, &site, "settings.site.view").await,
        (true, "granted_by_level".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_approvers_deciding_at_once_yield_one_decision() {
    let app = TestApp::new().await;
    let (acme, site, admin, (tech, token)) = world(&app).await;
    let second_admin = app
        .post(
            &format!("/v1/sites/{site}/admins"),
            &admin,
            json!({ "email": "it@customer.example", "name": "IT", "password": super::PASSWORD }),
        )
        .await;
    assert!(second_admin.status.is_success(), "{}", second_admin.body);
    let it = app.token("it@customer.example").await;
    for round in 0..5 {
        let asked = ask(
            &app,
            &token,
            &site,
            json!({ "level": "devices_only", "minutes": 60, "reason": format!("round {round}") }),
        )
        .await;
        assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
        let id = asked.str("id");
        let approve = format!("/v1/access-requests/{id}/approve");
        let deny = format!("/v1/access-requests/{id}/deny");
        let (a, b) = tokio::join!(
            app.post(&approve, &admin, json!({})),
            app.post(&deny, &it, json!({ "comment": "not now" })),
        );
        let statuses = [a.status, b.status];
        assert!(
            statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT),
            "round {round}: {} {} / {} {}",
            a.status,
            a.body,
            b.status,
            b.body
        );
        let loser = if a.status == StatusCode::CONFLICT {
            &a
        } else {
            &b
        };
        assert_eq!(loser.code(), "request_not_pending", "{}", loser.body);
        let decided = app.get(&format!("/v1/access-requests/{id}"), &admin).await;
        assert_eq!(
            decided.body["decisions"].as_array().unwrap().len(),
            1,
            "{}",
            decided.body
        );
        let allowed = check(&app, &acme, &tech, &site, "devices.view").await.0;
        assert_eq!(
            allowed,
            a.status == StatusCode::OK,
            "the winner's decision holds"
        );
        if allowed {
            let ended = app
                .post(&format!("/v1/access-requests/{id}/end"), &token, json!({}))
                .await;
            assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
        }
        let steps = trail(&app, &admin, &site, &id).await;
        assert_eq!(
            steps
                .iter()
                .filter(|(action, _)| action == "access_request.approved"
                    || action == "access_request.denied")
                .count(),
            1,
            "{steps:?}"
        );
    }
}

#[tokio::test]
async fn a_requests_only_site_locks_standing_access_and_lets_in_through_requests_alone() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 2).await;
    set_locked(&app, &site, &admin, &techs, false).await;
    let token = app.token("tech0@acme.example").await;
    let asked = ask(
        &app,
        &token,
        &site,
        json!({ "level": "full_including_users", "minutes": 60, "reason": "INC-9" }),
    )
    .await;
    let id = asked.str("id");
    let approved = app
        .post(
            &format!("/v1/access-requests/{id}/approve"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(approved.body["status"], "active", "{}", approved.body);

    put_policy(
        &app,
        &admin,
        &site,
        json!({ "max_minutes": 240, "requests_only": true }),
    )
    .await;
    // tech1's standing access is locked; tech0's approved request stands.
    assert_eq!(
        check(&app, &acme, &techs[1], &site, "dashboard.view").await,
        (false, "locked".to_owned())
    );
    assert!(check(&app, &acme, &techs[0], &site, "users.view").await.0);
    let unlock = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            &admin,
            json!({ "account_ids": [techs[1]], "locked": false }),
        )
        .await;
    assert_eq!(
        (unlock.status, unlock.code()),
        (StatusCode::CONFLICT, "requests_only"),
        "{}",
        unlock.body
    );
    let log = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.locked"),
            &admin,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        log.body
    );

    // When tech0's access ends, what they held before comes back: locked, as the site now
    // keeps everyone who is not in through a request.
    app.clock.advance(Duration::minutes(60));
    assert_eq!(
        app.state.sweep_access_requests().await.unwrap(),
        1,
        "one request moved"
    );
    assert!(
        !check(&app, &acme, &techs[0], &site, "dashboard.view")
            .await
            .0
    );
}

#[tokio::test]
async fn a_device_role_asked_with_the_level_holds_for_the_window_and_goes_with_it() {
    let app = TestApp::new().await;
    let (acme, site, admin, (tech, token)) = world(&app).await;
    let made = |path: String, body: Value| {
        let (app, owner) = (&app, acme.owner_token.clone());
        async move {
            let reply = app.post(&path, &owner, body).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
            reply.str("id")
        }
    };
    let group = made(
        format!("/v1/sites/{site}/device-groups"),
        json!({ "name": "Tills" }),
    )
    .await;
    let device = made(
        format!("/v1/sites/{site}/devices"),
        json!({ "name": "Till 3", "group_id": group }),
    )
    .await;
    let on_device = |permission: &'static str| {
        let (app, acme, tech, site, device) =
            (&app, &acme, tech.clone(), site.clone(), device.clone());
        async move {
            let reply = app
                .post(
                    "/v1/check",
                    &acme.owner_token,
                    json!({ "technician_id": tech, "permission": permission,
                            "site_id": site, "device_id": device }),
                )
                .await;
            (
                reply.body["allowed"].as_bool().unwrap(),
                reply.str("reason"),
            )
        }
    };

    // The device must be the site's, the role one for devices.
    let elsewhere = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 60, "reason": "till",
                "scope": { "kind": "device", "id": site }, "role": "device_connection_only" }),
    )
    .await;
    assert_eq!(
        elsewhere.body["error"]["field"], "scope.id",
        "{}",
        elsewhere.body
    );
    let wrong_role = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 60, "reason": "till",
                "scope": { "kind": "group", "id": group }, "role": "team_administrator" }),
    )
    .await;
    assert_eq!(
        wrong_role.body["error"]["field"], "role",
        "{}",
        wrong_role.body
    );

    let asked = ask(
        &app,
        &token,
        &site,
        json!({ "level": "devices_only", "minutes": 60, "reason": "INC-3: till 3",
                "scope": { "kind": "device", "id": device }, "role": "device_connection_only" }),
    )
    .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    assert_eq!(
        asked.body["scope"],
        json!({ "kind": "device", "id": device })
    );
    let grant = asked.str("grant_id");
    assert_eq!(on_device("device.screen_control").await.1, "not_assigned");
    let id = asked.str("id");
    let approved = app
        .post(
            &format!("/v1/access-requests/{id}/approve"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(approved.body["status"], "active", "{}", approved.body);
    assert_eq!(
        on_device("device.screen_control").await,
        (true, "granted_by_role".to_owned())
    );
    assert!(
        !on_device("device.reboot").await.0,
        "no more than the role asked"
    );
    let grants = app
        .get(
            &format!("/v1/partners/{}/grants", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        grants.body["items"][0]["id"],
        grant.as_str(),
        "{}",
        grants.body
    );

    // Ended early: the level and the role go together.
    let ended = app
        .post(&format!("/v1/access-requests/{id}/end"), &token, json!({}))
        .await;
    assert_eq!(ended.body["status"], "ended", "{}", ended.body);
    assert_eq!(on_device("device.screen_control").await.1, "not_assigned");
    let grants = app
        .get(
            &format!("/v1/partners/{}/grants", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(grants.body["items"], json!([]), "{}", grants.body);
}

#[tokio::test]
async fn access_unused_for_the_sites_days_is_locked_by_the_host() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 2).await;
    set_locked(&app, &site, &admin, &techs, false).await;
    put_policy(
        &app,
        &admin,
        &site,
        json!({ "max_minutes": 480, "lock_unused_days": 7 }),
    )
    .await;
    // tech1 acts at the site on day 5 (asks for access, then thinks better of it); tech0 does
    // nothing after the unlock.
    app.clock.advance(Duration::days(5));
    let token = app.token("tech1@acme.example").await;
    let asked = ask(
        &app,
        &token,
        &site,
        json!({ "level": "full_including_users", "minutes": 60, "reason": "users" }),
    )
    .await;
    let id = asked.str("id");
    let cancelled = app
        .post(&format!("/v1/access-requests/{id}/end"), &token, json!({}))
        .await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.body);
    app.clock.advance(Duration::days(2));
    assert_eq!(
        app.state.lock_unused_access().await.unwrap(),
        0,
        "7 days to the millisecond"
    );
    app.clock.advance(Duration::days(1));
    assert_eq!(app.state.lock_unused_access().await.unwrap(), 1);
    // Eight days on, the sessions of day 0 are over: sign in again.
    let acme = Partner {
        id: acme.id.clone(),
        owner_token: app.token("owner@acme.example").await,
    };
    let admin = app.token("admin@customer.example").await;
    assert_eq!(
        check(&app, &acme, &techs[0], &site, "dashboard.view").await,
        (false, "locked".to_owned())
    );
    assert!(
        check(&app, &acme, &techs[1], &site, "dashboard.view")
            .await
            .0
    );
    let log = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.locked"),
            &admin,
        )
        .await;
    let locks = log.body["items"].as_array().unwrap();
    let by_host = locks
        .iter()
        .find(|e| e["actor"]["kind"] == "system")
        .expect("the host's lock is audited");
    assert_eq!(by_host["target"]["id"], techs[0].as_str());
    assert_eq!(
        by_host["changes"][1]["after"], "unused for 7 days",
        "{by_host}"
    );
    let refused = app
        .call(
            Method::PUT,
            &format!("/v1/sites/{site}/access-policy"),
            Some(&admin),
            Some(json!({ "max_minutes": 480, "lock_unused_days": 0 })),
        )
        .await;
    assert_eq!(
        refused.body["error"]["field"], "lock_unused_days",
        "{}",
        refused.body
    );
}
