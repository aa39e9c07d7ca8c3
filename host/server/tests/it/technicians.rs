//! The site admin's side: unlocking, levels, locks, deleting access, Technician Access, and the
//! check API that answers with the reason.

use axum::http::{Method, StatusCode};
use serde_json::json;

use siteward_server::mail::deliver_due;

use super::smtp::TestSmtp;
use super::{Partner, Reply, TestApp};

/// Locks or unlocks `techs` at `site` as its admin, expecting success.
pub(crate) async fn set_locked(
    app: &TestApp,
    site: &str,
    site_admin: &str,
    techs: &[String],
    locked: bool,
) {
    let reply = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            site_admin,
            json!({ "account_ids": techs, "locked": locked }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// The invitation token an existing account gets when a partner adds it as a member (which
/// is an invitation: `202`; one still open is sent again), read from the email it is sent.
pub(crate) async fn member_invitation(app: &TestApp, partner: &Partner, email: &str) -> String {
    let smtp = TestSmtp::start();
    let mailer = smtp.mailer();
    let added = app
        .post(
            &format!("/v1/partners/{}/members", partner.id),
            &partner.owner_token,
            json!({ "email": email, "name": "Member", "role": "technician" }),
        )
        .await;
    assert_eq!(added.status, StatusCode::ACCEPTED, "{}", added.body);
    let result = &added.body["results"][0];
    if result["outcome"] == "already_invited" {
        // Still open from before: sent again, with a fresh link.
        let id = result["invitation"]["id"].as_str().unwrap();
        let resent = app
            .call(
                Method::POST,
                &format!("/v1/invitations/{id}/resend"),
                Some(&partner.owner_token),
                None,
            )
            .await;
        assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    } else {
        assert_eq!(result["outcome"], "invited", "{}", added.body);
    }
    deliver_due(&app.state, &mailer).await.unwrap();
    smtp.to(email).last().expect("the invitation email").token()
}

/// An existing account joins a partner again: invited, and accepting.
pub(crate) async fn rejoin(app: &TestApp, partner: &Partner, email: &str) -> Reply {
    let token = member_invitation(app, partner, email).await;
    app.post(
        "/v1/invitations/accept",
        &app.token(email).await,
        json!({ "token": token }),
    )
    .await
}

/// Tills at `site`: a device group with one device, and a department of the partner whose
/// members get `full_device_access` on the group. Returns the group, the till and the
/// department.
pub(crate) async fn tills_for_a_department(
    app: &TestApp,
    partner: &Partner,
    site: &str,
) -> (String, String, String) {
    let owner = &partner.owner_token;
    let group = app
        .post(
            &format!("/v1/sites/{site}/device-groups"),
            owner,
            json!({ "name": "Tills" }),
        )
        .await
        .str("id");
    let till = app
        .post(
            &format!("/v1/sites/{site}/devices"),
            owner,
            json!({ "name": "Till 1", "group_id": group }),
        )
        .await
        .str("id");
    let department = app
        .post(
            &format!("/v1/partners/{}/departments", partner.id),
            owner,
            json!({ "name": "Field" }),
        )
        .await
        .str("id");
    let granted = app
        .post(
            &format!("/v1/partners/{}/grants", partner.id),
            owner,
            json!({ "subject": { "kind": "department", "id": department },
                    "scope": { "kind": "group", "id": group }, "role": "full_device_access" }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    (group, till, department)
}

/// A site with technicians who accepted their invitations (Locked); returns the partner, the
/// site id, the site admin's session and the technicians' account ids.
pub(crate) async fn site_with_technicians(
    app: &TestApp,
    count: usize,
) -> (Partner, String, String, Vec<String>) {
    let smtp = TestSmtp::start();
    let mailer = smtp.mailer();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let mut technicians = Vec::new();
    for n in 0..count {
        let email = format!("tech{n}@acme.example");
        let id = app.member(&acme, &email, "technician").await;
        let invited = app
            .post(
                &format!("/v1/sites/{site}/invitations"),
                &acme.owner_token,
                json!({
                    "technicians": [{ "account_id": id, "level": "full_excluding_users" }],
                }),
            )
            .await;
        assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
        deliver_due(&app.state, &mailer).await.unwrap();
        let token = smtp.to(&email)[0].token();
        let accepted = app
            .post(
                "/v1/invitations/accept",
                &app.token(&email).await,
                json!({ "token": token }),
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        technicians.push(id);
    }
    let site_admin = app.token("admin@customer.example").await;
    (acme, site, site_admin, technicians)
}

pub(crate) async fn check(
    app: &TestApp,
    token: &str,
    site: &str,
    technician: &str,
    permission: &str,
) -> Reply {
    let reply = app
        .post(
            "/v1/check",
            token,
            json!({ "technician_id": technician, "permission": permission, "site_id": site }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply
}

#[tokio::test]
async fn a_bulk_check_of_the_documented_ten_thousand_questions_fits_its_body_limit() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 1).await;
    let question =
        json!({ "technician_id": techs[0], "permission": "devices.view", "site_id": site });
    let body = json!({ "questions": vec![question; 10_000] });
    assert!(
        body.to_string().len() > 1024 * 1024,
        "more than the default body limit"
    );
    let reply = app.post("/v1/check/bulk", &admin, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["answers"].as_array().unwrap().len(), 10_000);
}

#[tokio::test]
async fn a_new_technician_is_locked_until_a_site_admin_unlocks() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    let locked = check(&app, &admin, &site, tech, "devices.view").await;
    assert_eq!(
        (
            locked.body["allowed"].as_bool(),
            locked.body["reason"].as_str()
        ),
        (Some(false), Some("locked"))
    );

    // The partner set the level; only a site admin may change it or unlock new access.
    let path = format!("/v1/sites/{site}/technicians/{tech}");
    let by_partner = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({ "locked": false })),
        )
        .await;
    assert_eq!(
        (by_partner.status, by_partner.code()),
        (StatusCode::CONFLICT, "awaiting_site_admin")
    );
    let unlocked = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "locked": false })),
        )
        .await;
    assert_eq!(
        (unlocked.status, unlocked.body["locked"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{}",
        unlocked.body
    );

    let allowed = check(&app, &admin, &site, tech, "devices.edit").await;
    assert_eq!(
        (
            allowed.body["allowed"].as_bool(),
            allowed.body["reason"].as_str()
        ),
        (Some(true), Some("granted_by_level"))
    );
    // Full levels only view the two settings pages; Full Excluding Users has no user management.
    assert_eq!(
        check(&app, &admin, &site, tech, "settings.site.view")
            .await
            .body["allowed"],
        true
    );
    assert_eq!(
        check(&app, &admin, &site, tech, "settings.site.edit")
            .await
            .body["reason"],
        "not_in_level"
    );
    assert_eq!(
        check(&app, &acme.owner_token, &site, tech, "users.view")
            .await
            .body["reason"],
        "not_in_level"
    );

    let level = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "level": "devices_only" })),
        )
        .await;
    assert_eq!(level.body["level"], "devices_only");
    assert_eq!(
        check(&app, &admin, &site, tech, "monitoring.event_logs.view")
            .await
            .body["allowed"],
        false
    );
    let events = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.unlocked"),
            &admin,
        )
        .await;
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_mixed_selection_becomes_all_locked_and_each_change_is_audited() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 3).await;
    let unlock_one = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            &admin,
            json!({ "account_ids": [techs[0]], "locked": false }),
        )
        .await;
    assert_eq!(unlock_one.status, StatusCode::OK, "{}", unlock_one.body);
    let unlocked = app
        .get(
            &format!("/v1/sites/{site}/technicians?locked=false"),
            &admin,
        )
        .await;
    assert_eq!(unlocked.body["items"].as_array().unwrap().len(), 1);

    let all = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            &admin,
            json!({ "account_ids": techs, "locked": true }),
        )
        .await;
    assert!(
        all.body
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["locked"] == true)
    );
    let locks = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.locked"),
            &admin,
        )
        .await;
    assert_eq!(
        locks.body["items"].as_array().unwrap().len(),
        1,
        "only the one that changed"
    );

    // All or nothing: one id that is no technician here and nothing changes.
    let stranger = app.get("/v1/me", &admin).await.str("id");
    let mixed = app
        .post(
            &format!("/v1/sites/{site}/technicians/level"),
            &admin,
            json!({ "account_ids": [techs[0], stranger], "level": "none" }),
        )
        .await;
    assert_eq!(mixed.body["error"]["field"], "account_ids[1]");
    let none = app
        .get(&format!("/v1/sites/{site}/technicians?level=none"), &admin)
        .await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    let levels = app
        .post(
            &format!("/v1/sites/{site}/technicians/level"),
            &admin,
            json!({ "account_ids": [techs[0], techs[1]], "level": "none" }),
        )
        .await;
    assert_eq!(levels.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/v1/sites/{site}/technicians?level=none"), &admin)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn technician_access_off_denies_every_check_and_on_restores_the_previous_state() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    app.call(
        Method::PATCH,
        &format!("/v1/sites/{site}/technicians/{tech}"),
        Some(&admin),
        Some(json!({ "locked": false })),
    )
    .await;
    assert_eq!(
        check(&app, &admin, &site, tech, "dashboard.view")
            .await
            .body["allowed"],
        true
    );

    let off = app
        .call(
            Method::PATCH,
            &format!("/v1/sites/{site}"),
            Some(&admin),
            Some(json!({ "technician_access": false })),
        )
        .await;
    assert_eq!(off.body["technician_access"], false);
    assert_eq!(
        check(&app, &admin, &site, tech, "dashboard.view")
            .await
            .body["reason"],
        "technician_access_off"
    );
    let managed = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            &admin,
            json!({ "account_ids": [tech], "locked": true }),
        )
        .await;
    assert_eq!(
        (managed.status, managed.code()),
        (StatusCode::CONFLICT, "technician_access_off")
    );

    app.call(
        Method::PATCH,
        &format!("/v1/sites/{site}"),
        Some(&admin),
        Some(json!({ "technician_access": true })),
    )
    .await;
    assert_eq!(
        check(&app, &admin, &site, tech, "dashboard.view")
            .await
            .body["allowed"],
        true,
        "unlocked, as before"
    );
}

#[tokio::test]
async fn deleting_access_keeps_the_account_and_a_disabled_member_is_denied() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 2).await;
    app.post(
        &format!("/v1/sites/{site}/technicians/lock"),
        &admin,
        json!({ "account_ids": techs, "locked": false }),
    )
    .await;

    let removed = app
        .post(
            &format!("/v1/sites/{site}/technicians/remove"),
            &admin,
            json!({ "account_ids": [techs[0]] }),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        check(&app, &admin, &site, &techs[0], "dashboard.view")
            .await
            .body["reason"],
        "not_assigned"
    );
    assert_eq!(
        app.login("tech0@acme.example", super::PASSWORD)
            .await
            .status,
        StatusCode::OK,
        "the account remains"
    );
    // Re-inviting is possible again: the technician is a candidate once more.
    let candidates = app
        .get(
            &format!("/v1/sites/{site}/technician-candidates"),
            &acme.owner_token,
        )
        .await;
    assert!(
        candidates.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["account_id"] == techs[0].as_str())
    );

    let member = format!("/v1/partners/{}/members/{}", acme.id, techs[1]);
    app.call(
        Method::PATCH,
        &member,
        Some(&acme.owner_token),
        Some(json!({ "status": "disabled" })),
    )
    .await;
    assert_eq!(
        check(&app, &admin, &site, &techs[1], "dashboard.view")
            .await
            .body["reason"],
        "membership_disabled"
    );
}

#[tokio::test]
async fn an_account_the_operator_disables_is_denied_everywhere() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    app.post(
        &format!("/v1/sites/{site}/technicians/lock"),
        &admin,
        json!({ "account_ids": [tech], "locked": false }),
    )
    .await;
    let session = app.token("tech0@acme.example").await;
    let operator = app.operator().await;
    let path = format!("/v1/accounts/{tech}");
    let by_admin = app
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(by_admin.status, StatusCode::FORBIDDEN);
    let disabled = app
        .call(
            Method::PATCH,
            &path,
            Some(&operator),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT);
    assert_eq!(
        check(&app, &admin, &site, tech, "dashboard.view")
            .await
            .body["reason"],
        "account_disabled"
    );
    assert_eq!(
        app.get("/v1/me", &session).await.status,
        StatusCode::UNAUTHORIZED,
        "its sessions ended"
    );
    let login = app.login("tech0@acme.example", super::PASSWORD).await;
    assert_eq!(
        (login.status, login.code()),
        (StatusCode::FORBIDDEN, "account_disabled")
    );
    app.call(
        Method::PATCH,
        &path,
        Some(&operator),
        Some(json!({ "status": "active" })),
    )
    .await;
    assert_eq!(
        check(&app, &admin, &site, tech, "dashboard.view")
            .await
            .body["allowed"],
        true
    );
}

#[tokio::test]
async fn the_check_names_bad_input_and_hides_other_tenants() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 1).await;
    let bad = app
        .post(
            "/v1/check",
            &admin,
            json!({ "technician_id": techs[0], "permission": "devices.fly", "site_id": site }),
        )
        .await;
    assert_eq!(bad.body["error"]["field"], "permission");
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;
    let hidden = app
        .post(
            "/v1/check",
            &other.owner_token,
            json!({ "technician_id": techs[0], "permission": "devices.view", "site_id": site }),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn who_can_reach_a_site_and_which_sites_a_technician_can_reach() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 2).await;
    app.post(
        &format!("/v1/sites/{site}/technicians/lock"),
        &admin,
        json!({ "account_ids": [techs[0]], "locked": false }),
    )
    .await;

    let reaching = app
        .get(&format!("/v1/sites/{site}/reachable-by"), &admin)
        .await;
    let ids: Vec<&str> = reaching.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [techs[0].as_str()], "the locked one cannot");
    let users = app
        .get(
            &format!("/v1/sites/{site}/reachable-by?permission=users.view"),
            &admin,
        )
        .await;
    assert_eq!(
        users.body["items"].as_array().unwrap().len(),
        0,
        "Full Excluding Users"
    );

    let sites = app
        .get(
            &format!(
                "/v1/partners/{}/members/{}/reachable-sites",
                acme.id, techs[0]
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        sites.body["items"][0]["site_id"],
        site.as_str(),
        "{}",
        sites.body
    );
    assert_eq!(sites.body["items"][0]["level"], "full_excluding_users");
    let none = app
        .get(
            &format!(
                "/v1/partners/{}/members/{}/reachable-sites",
                acme.id, techs[1]
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    let technician = app.token("tech1@acme.example").await;
    let forbidden = app
        .get(&format!("/v1/sites/{site}/reachable-by"), &technician)
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

/// Devices, a group, a department and grants over HTTP: a department's grant on a group
/// reaches the group's devices with the path explained; leaving the department ends it at
/// once; a time-bound grant ends at its exact millisecond; deleting a role lists, then
/// removes, the grants that use it; a bulk check answers from one state; and a restarted
/// host rebuilds the same answers from storage.
#[tokio::test]
async fn roles_departments_devices_and_grants_decide_device_actions() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    let owner = &acme.owner_token;
    let unlocked = app
        .call(
            Method::PATCH,
            &format!("/v1/sites/{site}/technicians/{tech}"),
            Some(&admin),
            Some(json!({ "locked": false })),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);

    let group = app
        .post(
            &format!("/v1/sites/{site}/device-groups"),
            owner,
            json!({ "name": "Tills" }),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let group = group.str("id");
    let till = app
        .post(
            &format!("/v1/sites/{site}/devices"),
            owner,
            json!({ "name": "Till 1", "group_id": group }),
        )
        .await
        .str("id");
    let server = app
        .post(
            &format!("/v1/sites/{site}/devices"),
            &admin,
            json!({ "name": "Server" }),
        )
        .await
        .str("id");
    let department = app
        .post(
            &format!("/v1/partners/{}/departments", acme.id),
            owner,
            json!({ "name": "Field" }),
        )
        .await
        .str("id");
    let joined = app
        .call(
            Method::PUT,
            &format!(
                "/v1/partners/{}/departments/{department}/members/{tech}",
                acme.id
            ),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::NO_CONTENT, "{}", joined.body);

    let device_check = |device: String, permission: &'static str| {
        let app = &app;
        let admin = admin.clone();
        let tech = tech.clone();
        async move {
            let reply = app
                .post(
                    "/v1/check",
                    &admin,
                    json!({ "technician_id": tech, "permission": permission, "device_id": device, "explain": true }),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.body
        }
    };
    assert_eq!(
        device_check(till.clone(), "device.reboot").await["reason"],
        "no_grant"
    );

    // A role of the wrong purpose for the scope is refused, naming the field.
    let wrong = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            owner,
            json!({ "subject": { "kind": "department", "id": department },
                    "scope": { "kind": "group", "id": group }, "role": "auditor" }),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert_eq!(wrong.body["error"]["field"], "role");

    let granted = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            owner,
            json!({ "subject": { "kind": "department", "id": department },
                    "scope": { "kind": "group", "id": group }, "role": "full_device_access" }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let answer = device_check(till.clone(), "device.reboot").await;
    assert_eq!(answer["allowed"], true, "{answer}");
    assert_eq!(answer["path"]["department_id"], department.as_str());
    assert_eq!(answer["path"]["role"], "full_device_access");
    assert_eq!(answer["path"]["scope"]["kind"], "group");
    assert_eq!(
        device_check(server.clone(), "device.reboot").await["reason"],
        "no_grant",
        "the group's grant does not reach a device outside it"
    );

    // A custom role, time-bound, on the server; then its deletion with a dry run first.
    let role = app
        .post(
            &format!("/v1/partners/{}/roles", acme.id),
            owner,
            json!({ "name": "Terminal only", "purpose": "devices_and_groups", "permissions": ["device.terminal"] }),
        )
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.body);
    let role = role.str("id");
    let until = app.clock.now_time() + chrono::Duration::hours(1);
    let timed = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            owner,
            json!({ "subject": { "kind": "technician", "id": tech },
                    "scope": { "kind": "device", "id": server }, "role": role,
                    "expires_at": until.to_rfc3339() }),
        )
        .await;
    assert_eq!(timed.status, StatusCode::CREATED, "{}", timed.body);
    let timed = timed.str("id");
    assert_eq!(
        device_check(server.clone(), "device.terminal").await["allowed"],
        true
    );
    // Changing the role's permissions changes what its grants allow, at once.
    let patch_role = |permissions: serde_json::Value| {
        let app = &app;
        let path = format!("/v1/partners/{}/roles/{role}", acme.id);
        async move {
            app.call(
                Method::PATCH,
                &path,
                Some(owner),
                Some(json!({ "permissions": permissions })),
            )
            .await
        }
    };
    let narrowed = patch_role(json!(["device.file_manager"])).await;
    assert_eq!(narrowed.status, StatusCode::OK, "{}", narrowed.body);
    assert_eq!(
        device_check(server.clone(), "device.terminal").await["reason"],
        "no_grant"
    );
    assert_eq!(
        device_check(server.clone(), "device.file_manager").await["allowed"],
        true
    );
    let wrong_purpose = patch_role(json!(["admin.billing"])).await;
    assert_eq!(wrong_purpose.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_purpose.body["error"]["field"], "permissions[0]");
    assert_eq!(
        patch_role(json!(["device.terminal"])).await.status,
        StatusCode::OK
    );
    app.clock
        .advance(chrono::Duration::hours(1) - chrono::Duration::milliseconds(1));
    assert_eq!(
        device_check(server.clone(), "device.terminal").await["allowed"],
        true
    );
    app.clock.advance(chrono::Duration::milliseconds(1));
    assert_eq!(
        device_check(server.clone(), "device.terminal").await["reason"],
        "grant_outside_window"
    );

    let dry = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/roles/{role}?dry_run=true", acme.id),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(dry.body["deleted"], false);
    assert_eq!(dry.body["grants"][0]["id"], timed.as_str());
    let system = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/roles/full_device_access", acme.id),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(
        (system.status, system.code()),
        (StatusCode::CONFLICT, "system_role")
    );

    // A bulk check from one state, before the role's deletion and the member's departure.
    let bulk = app
        .post(
            "/v1/check/bulk",
            &admin,
            json!({ "questions": [
                { "technician_id": tech, "permission": "device.chat", "device_id": till },
                { "technician_id": tech, "permission": "devices.view", "site_id": site },
                { "technician_id": tech, "permission": "users.view", "site_id": site },
            ] }),
        )
        .await;
    assert_eq!(bulk.status, StatusCode::OK, "{}", bulk.body);
    let reasons: Vec<&str> = bulk.body["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["granted_by_role", "granted_by_level", "not_in_level"]
    );

    // The index a restarted host builds from storage answers the same.
    let rebuilt = siteward_server::permissions::Permissions::load(&app.store, false)
        .await
        .unwrap();
    let question = siteward_core::permission::index::Question {
        technician: siteward_core::ids::AccountId::parse("t", tech)
            .unwrap()
            .key(),
        permission: siteward_core::permission::Permission::Reboot,
        target: siteward_core::permission::index::Target::Site {
            site: siteward_core::ids::SiteId::parse("s", &site).unwrap().key(),
            device: Some(
                siteward_core::ids::DeviceId::parse("d", &till)
                    .unwrap()
                    .key(),
            ),
        },
    };
    let now = app.clock.now_time().timestamp_millis();
    assert_eq!(
        rebuilt.read().check(&question, now),
        app.state.permissions.read().check(&question, now)
    );
    // Read a row at a time (a host reads 10,000), every page boundary a row's: the same facts.
    let mut one_by_one = siteward_core::permission::index::Index::default();
    app.store
        .permission_facts(1, |changes| {
            for change in changes {
                one_by_one.apply(change);
            }
        })
        .await
        .unwrap();
    {
        let live = app.state.permissions.read();
        assert_eq!(one_by_one.stats(), live.stats());
        assert!(live.stats().grants > 1 && live.stats().devices > 1);
        assert_eq!(one_by_one.check(&question, now), live.check(&question, now));
    }

    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/roles/{role}", acme.id),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(deleted.body["deleted"], true, "{}", deleted.body);
    let grants = app
        .get(&format!("/v1/partners/{}/grants", acme.id), owner)
        .await;
    assert_eq!(
        grants.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        grants.body
    );

    let reaching = app
        .get(
            &format!("/v1/sites/{site}/devices/{till}/reachable-by?permission=device.reboot"),
            &admin,
        )
        .await;
    assert_eq!(
        reaching.body["items"][0]["account_id"],
        tech.as_str(),
        "{}",
        reaching.body
    );
    let devices = app
        .get(
            &format!(
                "/v1/sites/{site}/technicians/{tech}/reachable-devices?permission=device.reboot"
            ),
            &admin,
        )
        .await;
    assert_eq!(
        devices.body["items"][0]["device_id"],
        till.as_str(),
        "{}",
        devices.body
    );

    let left = app
        .call(
            Method::DELETE,
            &format!(
                "/v1/partners/{}/departments/{department}/members/{tech}",
                acme.id
            ),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(left.status, StatusCode::NO_CONTENT);
    assert_eq!(
        device_check(till.clone(), "device.reboot").await["reason"],
        "no_grant"
    );

    let devices = app
        .get(
            &format!("/v1/sites/{site}/technicians/{tech}/reachable-devices"),
            &admin,
        )
        .await;
    assert_eq!(
        devices.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        devices.body
    );

    // Time-bound site access: the assignment ends at its exact millisecond; `null` lifts it.
    let set_expiry = |expires_at: serde_json::Value| {
        let app = &app;
        let admin = admin.clone();
        let path = format!("/v1/sites/{site}/technicians/{tech}");
        async move {
            let reply = app
                .call(
                    Method::PATCH,
                    &path,
                    Some(&admin),
                    Some(json!({ "expires_at": expires_at })),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.body
        }
    };
    let end = app.clock.now_time() + chrono::Duration::minutes(1);
    let view = set_expiry(json!(end.to_rfc3339())).await;
    assert!(view["expires_at"].is_string(), "{view}");
    assert_eq!(
        check(&app, &admin, &site, tech, "devices.view").await.body["allowed"],
        true
    );
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(
        check(&app, &admin, &site, tech, "devices.view").await.body["reason"],
        "expired"
    );
    set_expiry(serde_json::Value::Null).await;
    assert_eq!(
        check(&app, &admin, &site, tech, "devices.view").await.body["allowed"],
        true
    );
    let audit = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.expiry_changed"),
            &admin,
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        audit.body
    );

    // Another partner's admin sees none of it.
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;
    let hidden = app
        .post(
            "/v1/check",
            &other.owner_token,
            json!({ "technician_id": tech, "permission": "device.reboot", "device_id": till }),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let hidden = app
        .get(
            &format!("/v1/partners/{}/grants", acme.id),
            &other.owner_token,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn last_activity_is_the_technicians_newest_action_at_the_site_not_their_admins() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    let last_activity = || async {
        let listed = app
            .get(&format!("/v1/sites/{site}/technicians"), &admin)
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        listed.body["items"][0]["last_activity_at"].clone()
    };

    // Accepting the invitation was their newest action at the site.
    let events = app
        .get(
            &format!("/v1/sites/{site}/audit-events?actor={tech}"),
            &admin,
        )
        .await;
    let times: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    let newest = times
        .iter()
        .max()
        .expect("the acceptance is in the site's log");
    let recorded = last_activity().await;
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(recorded.as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(newest).unwrap(),
        "{recorded}"
    );

    // The site admin's change an hour later is the admin's activity, not the technician's.
    app.clock.advance(chrono::Duration::hours(1));
    set_locked(&app, &site, &admin, std::slice::from_ref(tech), false).await;
    assert_eq!(last_activity().await, recorded);
}

#[tokio::test]
async fn access_can_begin_later_and_times_are_exact_to_the_millisecond() {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    let path = format!("/v1/sites/{site}/technicians/{tech}");
    let patch = |body: serde_json::Value| app.call(Method::PATCH, &path, Some(&admin), Some(body));
    let unlocked = patch(json!({ "locked": false })).await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);

    // Access that begins in an hour: `not_yet_valid` until then, allowed from its millisecond.
    let start = app.clock.now_time() + chrono::Duration::hours(1);
    let later = patch(json!({ "starts_at": start.to_rfc3339() })).await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.body);
    assert_eq!(
        later.body["starts_at"]
            .as_str()
            .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()),
        Some(start)
    );
    let early = check(&app, &admin, &site, tech, "devices.view").await;
    assert_eq!(
        (
            early.body["allowed"].as_bool(),
            early.body["reason"].as_str()
        ),
        (Some(false), Some("not_yet_valid"))
    );
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(
        check(&app, &admin, &site, tech, "devices.view").await.body["reason"],
        "granted_by_level"
    );

    // A window that ends before it begins, or a time finer than a millisecond, is refused.
    let backwards = patch(json!({ "expires_at": start.to_rfc3339() })).await;
    assert_eq!(
        (backwards.status, backwards.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("expires_at")),
        "{}",
        backwards.body
    );
    let fine = patch(json!({ "starts_at": "2027-01-01T09:00:00.123456Z" })).await;
    assert_eq!(
        (fine.status, fine.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("starts_at")),
        "{}",
        fine.body
    );
    let milli = patch(json!({ "starts_at": "2027-01-01T09:00:00.123Z", "expires_at": null })).await;
    assert_eq!(milli.status, StatusCode::OK, "{}", milli.body);
    let audit = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.start_changed"),
            &admin,
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        audit.body
    );

    // The level that decided is named, the level None included.
    patch(json!({ "starts_at": null, "level": "none" })).await;
    let none = check(&app, &admin, &site, tech, "dashboard.view").await;
    assert_eq!(
        (none.body["reason"].as_str(), none.body["level"].as_str()),
        (Some("level_none"), Some("none"))
    );
}

#[tokio::test]
async fn a_partner_role_wins_over_a_grant_and_is_explained_and_a_refused_bulk_question_is_named() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 1).await;
    let owner = app.get("/v1/me", &acme.owner_token).await.body["id"].clone();
    let asked = app
        .post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": owner, "permission": "admin.audit_log",
                    "partner_id": acme.id, "explain": true }),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert_eq!(asked.body["reason"], "granted_by_partner_role");
    assert_eq!(
        asked.body["path"],
        json!({ "via": "partner_role", "department_id": null, "role": "super_admin",
                "scope": { "kind": "section", "id": "administration" } })
    );

    // The site admin may ask about their site, not about the partner: the second question
    // fails the request and is named.
    let bulk = app
        .post(
            "/v1/check/bulk",
            &admin,
            json!({ "questions": [
                { "technician_id": techs[0], "permission": "devices.view", "site_id": site },
                { "technician_id": techs[0], "permission": "admin.team", "partner_id": acme.id },
            ] }),
        )
        .await;
    assert_eq!(
        (bulk.status, bulk.body["error"]["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("questions[1]")),
        "{}",
        bulk.body
    );
}

#[tokio::test]
async fn the_partner_locks_unlocks_and_deletes_access_once_the_site_unlocked_it() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = site_with_technicians(&app, 3).await;
    let partner = acme.owner_token.as_str();
    let lock = |token: &str, ids: Vec<&String>, locked: bool| {
        let token = token.to_owned();
        let body = json!({ "account_ids": ids, "locked": locked });
        let path = format!("/v1/sites/{site}/technicians/lock");
        let app = &app;
        async move { app.post(&path, &token, body).await }
    };

    // New access waits for the site: the partner cannot unlock it, alone or in a bulk.
    let early = lock(partner, vec![&techs[0], &techs[1]], false).await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "awaiting_site_admin"),
        "{}",
        early.body
    );
    let first = lock(&admin, vec![&techs[0], &techs[1]], false).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body[0]["first_unlocked_at"].is_string(),
        "{}",
        first.body
    );

    // From then on the partner locks and unlocks it too, and deletes access.
    let locked = lock(partner, vec![&techs[0]], true).await;
    assert_eq!(
        (locked.status, locked.body[0]["locked"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{}",
        locked.body
    );
    assert_eq!(
        check(&app, &admin, &site, &techs[0], "dashboard.view")
            .await
            .body["reason"],
        "locked"
    );
    let unlocked = app
        .call(
            Method::PATCH,
            &format!("/v1/sites/{site}/technicians/{}", techs[0]),
            Some(partner),
            Some(json!({ "locked": false })),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    assert_eq!(
        check(&app, &admin, &site, &techs[0], "dashboard.view")
            .await
            .body["allowed"],
        true
    );

    // Levels and dates stay with the site's admins.
    for change in [
        json!({ "level": "devices_only" }),
        json!({ "locked": true, "expires_at": null }),
    ] {
        let refused = app
            .call(
                Method::PATCH,
                &format!("/v1/sites/{site}/technicians/{}", techs[0]),
                Some(partner),
                Some(change),
            )
            .await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::FORBIDDEN, "site_admins_only")
        );
    }
    let level = app
        .post(
            &format!("/v1/sites/{site}/technicians/level"),
            partner,
            json!({ "account_ids": [techs[0]], "level": "none" }),
        )
        .await;
    assert_eq!(level.status, StatusCode::FORBIDDEN, "{}", level.body);

    // Delete, even access still waiting for the site.
    let removed = app
        .post(
            &format!("/v1/sites/{site}/technicians/remove"),
            partner,
            json!({ "account_ids": [techs[1], techs[2]] }),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let left = app
        .get(&format!("/v1/sites/{site}/technicians"), &admin)
        .await;
    assert_eq!(left.body["items"].as_array().unwrap().len(), 1);

    // The audit says who did it: the partner's owner, in the site's log.
    let owner = app.get("/v1/me", partner).await.body["id"].clone();
    let deleted = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=assignment.deleted"),
            &admin,
        )
        .await;
    let events = deleted.body["items"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{}", deleted.body);
    assert!(
        events.iter().all(|e| e["actor"]["id"] == owner),
        "{}",
        deleted.body
    );

    // A technician of the partner, without team administration, may not.
    let tech = app.token("tech0@acme.example").await;
    let refused = lock(&tech, vec![&techs[0]], true).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}
