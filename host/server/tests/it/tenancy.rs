//! Partners, members, customers, sites, site admins, API tokens and the audit trail.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::smtp::TestSmtp;
use super::{PASSWORD, TestApp};

#[tokio::test]
async fn an_operator_builds_a_tenancy_and_every_change_is_audited() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;

    // The site admin sees the site, not the partner.
    let site_admin = app.token("admin@customer.example").await;
    assert_eq!(
        app.get(&format!("/v1/sites/{site}"), &site_admin)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/partners/{}", acme.id), &site_admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // One email may be a technician of a partner and an admin of a site at once.
    let added = app
        .post(
            &format!("/v1/sites/{site}/admins"),
            &site_admin,
            json!({ "email": "tech@acme.example", "name": "ignored" }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.str("account_id"), tech);
    let me = app
        .get("/v1/me", &app.token("tech@acme.example").await)
        .await;
    assert_eq!(me.body["partners"][0]["role"], "technician");
    assert_eq!(me.body["site_admin_of"][0], site.as_str());

    // The partner's audit trail holds every change, in order, with the actor.
    let events = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=200", acme.id),
            &acme.owner_token,
        )
        .await;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "account.created",
            "partner.created",
            "member.added",
            "account.created",
            "member.added",
            "customer.created",
            "account.created",
            "site.created",
            "site_admin.added",
            // New sites start with Technician Access off; their admin switched it on.
            "site.technician_access_changed",
            "site_admin.added",
        ]
    );
    // The site's trail is the site's part of it.
    let site_events = app
        .get(&format!("/v1/sites/{site}/audit-events"), &site_admin)
        .await;
    assert_eq!(site_events.body["items"].as_array().unwrap().len(), 5);
    // Filter by actor: what the site admin did.
    let me = app.get("/v1/me", &site_admin).await.str("id");
    let by_admin = app
        .get(
            &format!("/v1/sites/{site}/audit-events?actor={me}"),
            &site_admin,
        )
        .await;
    let by_admin: Vec<&str> = by_admin.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(by_admin.len(), 2, "{by_admin:?}");
    assert!(by_admin.contains(&"site_admin.added"), "{by_admin:?}");
    assert!(
        by_admin.contains(&"site.technician_access_changed"),
        "{by_admin:?}"
    );
}

#[tokio::test]
async fn audit_lists_filter_by_action_and_time_and_page_with_cursors() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let start = app.clock.now_text();
    app.clock.advance(chrono::Duration::hours(1));
    let middle = app.clock.now_text();
    for n in 0..3 {
        app.member(&acme, &format!("tech{n}@acme.example"), "technician")
            .await;
    }
    let path = format!("/v1/partners/{}/audit-events", acme.id);
    let added = app
        .get(
            &format!("{path}?action=member.added&from={middle}"),
            &acme.owner_token,
        )
        .await;
    assert_eq!(added.body["items"].as_array().unwrap().len(), 3);
    let before = app
        .get(
            &format!("{path}?to={middle}&from={start}"),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        before.body["items"].as_array().unwrap().len(),
        3,
        "the partner's creation: account, partner, member"
    );

    let mut seen = Vec::new();
    let mut url = format!("{path}?limit=2");
    loop {
        let page = app.get(&url, &acme.owner_token).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 9);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    let bad = app
        .get(&format!("{path}?action=member.exploded"), &acme.owner_token)
        .await;
    assert_eq!(
        (bad.status, bad.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
    );
    assert_eq!(bad.body["error"]["field"], "action");
}

#[tokio::test]
async fn the_privilege_matrix_holds_on_member_endpoints() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "admin@acme.example", "admin").await;
    let tech = app
        .member(&acme, "promoted@acme.example", "technician")
        .await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let admin = app.token("admin@acme.example").await;
    let technician = app.token("tech@acme.example").await;
    let members = format!("/v1/partners/{}/members", acme.id);

    // Admins manage technicians and admins, but not Super Admins.
    let promote = app
        .call(
            Method::PATCH,
            &format!("{members}/{tech}"),
            Some(&admin),
            Some(json!({ "role": "super_admin" })),
        )
        .await;
    assert_eq!(
        (promote.status, promote.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let new_super = app
        .post(&members, &admin, json!({ "email": "x@acme.example", "name": "X", "password": PASSWORD, "role": "super_admin" }))
        .await;
    assert_eq!(new_super.status, StatusCode::FORBIDDEN);
    let changed = app
        .call(
            Method::PATCH,
            &format!("{members}/{tech}"),
            Some(&admin),
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(
        (changed.status, changed.body["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );

    // Technicians see their partner but manage nothing.
    assert_eq!(app.get(&members, &technician).await.status, StatusCode::OK);
    let denied = app
        .post(
            &format!("/v1/partners/{}/customers", acme.id),
            &technician,
            json!({ "name": "Nope" }),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(
            &format!("/v1/partners/{}/audit-events", acme.id),
            &technician
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_partner_keeps_one_active_super_admin() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let owner = app.get("/v1/me", &acme.owner_token).await.str("id");
    let path = format!("/v1/partners/{}/members/{owner}", acme.id);
    let demote = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(
        (demote.status, demote.code()),
        (StatusCode::CONFLICT, "last_super_admin")
    );
    let disable = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(
        (disable.status, disable.code()),
        (StatusCode::CONFLICT, "last_super_admin")
    );
    let remove = app
        .call(Method::DELETE, &path, Some(&acme.owner_token), None)
        .await;
    assert_eq!(
        (remove.status, remove.code()),
        (StatusCode::CONFLICT, "last_super_admin")
    );
}

#[tokio::test]
async fn a_disabled_technician_cannot_log_in_and_a_removed_one_keeps_the_account() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let path = format!("/v1/partners/{}/members/{tech}", acme.id);
    let session = app.token("tech@acme.example").await;

    let disabled = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(disabled.body["status"], "disabled");
    let login = app.login("tech@acme.example", PASSWORD).await;
    assert_eq!(
        (login.status, login.code()),
        (StatusCode::FORBIDDEN, "account_disabled")
    );
    // A session from before the change no longer reaches the partner.
    assert_eq!(
        app.get(&format!("/v1/partners/{}", acme.id), &session)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let removed = app
        .call(Method::DELETE, &path, Some(&acme.owner_token), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&path, &acme.owner_token).await.status,
        StatusCode::NOT_FOUND
    );
    // The account remains: with no memberships left it can still log in, and be added again
    // — by an invitation it accepts.
    assert_eq!(
        app.login("tech@acme.example", PASSWORD).await.status,
        StatusCode::OK
    );
    let again = super::technicians::rejoin(&app, &acme, "TECH@acme.example").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        app.get(&path, &acme.owner_token).await.body["account_id"],
        tech.as_str()
    );
}

#[tokio::test]
async fn api_tokens_act_within_their_scope_until_revoked() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;

    let created = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &acme.owner_token,
            json!({ "name": "PSA sync" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.str("token");
    assert!(secret.starts_with("swa_"));
    // Listed without the secret, and stored only as a hash.
    let listed = app
        .get(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &acme.owner_token,
        )
        .await;
    assert!(listed.body["items"][0].get("token").is_none());
    let stored = app
        .store
        .api_token_by_hash(&siteward_core::secret::token_hash(&secret))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.token_hash, secret);

    // The token acts as an Admin of its partner.
    assert_eq!(
        app.get(&format!("/v1/partners/{}/sites", acme.id), &secret)
            .await
            .status,
        StatusCode::OK
    );
    let customer = app
        .post(
            &format!("/v1/partners/{}/customers", acme.id),
            &secret,
            json!({ "name": "Via token" }),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED);
    // It cannot mint tokens, and it is not a person.
    let mint = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &secret,
            json!({ "name": "again" }),
        )
        .await;
    assert_eq!(mint.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/v1/me", &secret).await.code(), "session_required");
    // Its actions are audited as the token.
    let events = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=customer.created",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        events.body["items"][1]["actor"],
        json!({ "kind": "api_token", "id": created.str("id") })
    );

    let revoked = app
        .call(
            Method::DELETE,
            &format!("/v1/api-tokens/{}", created.str("id")),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = app
        .get(&format!("/v1/partners/{}/sites", acme.id), &secret)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);

    // A site token reads its site, and nothing of the partner.
    let site_admin = app.token("admin@customer.example").await;
    let site_token = app
        .post(
            &format!("/v1/sites/{site}/api-tokens"),
            &site_admin,
            json!({ "name": "door controller" }),
        )
        .await;
    assert_eq!(
        site_token.status,
        StatusCode::CREATED,
        "{}",
        site_token.body
    );
    let site_secret = site_token.str("token");
    assert_eq!(
        app.get(&format!("/v1/sites/{site}/admins"), &site_secret)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/partners/{}", acme.id), &site_secret)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn licences_cap_privileges_and_lowering_one_disables_the_newest_holders() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let members = format!("/v1/partners/{}/members", acme.id);
    let licences = format!("/v1/partners/{}/licences", acme.id);
    let set_seats = async |token: &str, seats: serde_json::Value| {
        app.call(Method::PUT, &licences, Some(token), Some(seats))
            .await
    };
    let mut techs = Vec::new();
    for n in 0..3 {
        techs.push(
            app.member(&acme, &format!("tech{n}@acme.example"), "technician")
                .await,
        );
        app.clock.advance(chrono::Duration::seconds(1));
    }
    // A new partner's first Super Admin holds every privilege (no licence limits them yet);
    // here they give remote support up, leaving its seats to the technicians.
    let owner_id = app.get("/v1/me", &acme.owner_token).await.str("id");
    let owner = app
        .get(&format!("{members}/{owner_id}"), &acme.owner_token)
        .await;
    assert_eq!(
        owner.body["privileges"],
        json!(["remote_support", "unattended_access"])
    );
    let given_up = app
        .call(
            Method::PATCH,
            &format!("{members}/{owner_id}"),
            Some(&acme.owner_token),
            Some(json!({ "privileges": ["unattended_access"] })),
        )
        .await;
    assert_eq!(given_up.status, StatusCode::OK, "{}", given_up.body);

    // Only the operator sells seats.
    let by_owner = set_seats(&acme.owner_token, json!({ "remote_support": 2 })).await;
    assert_eq!(by_owner.status, StatusCode::FORBIDDEN);
    let set = set_seats(&operator, json!({ "remote_support": 2 })).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(
        set.body["licences"][0],
        json!({ "privilege": "remote_support", "seats": 2, "in_use": 0 })
    );

    // Two technicians get remote support; a third is refused, and nothing changes for them.
    let grant_remote = async |tech: &String| {
        app.call(
            Method::PATCH,
            &format!("{members}/{tech}"),
            Some(&acme.owner_token),
            Some(json!({ "privileges": ["remote_support", "unattended_access"] })),
        )
        .await
    };
    for tech in &techs[..2] {
        let granted = grant_remote(tech).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    }
    let refused = grant_remote(&techs[2]).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "licence_exhausted")
    );
    let third = app
        .get(&format!("{members}/{}", techs[2]), &acme.owner_token)
        .await;
    assert_eq!(third.body["privileges"], json!(["unattended_access"]));

    // The privilege is what the Invitations section needs: technicians hold their own
    // invitations by role, once they hold remote support.
    let own_invitations = async |tech: &String| {
        app.post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": tech, "permission": "invitations.own", "partner_id": acme.id }),
        )
        .await
    };
    assert_eq!(
        own_invitations(&techs[1]).await.body["reason"],
        "granted_by_partner_role"
    );
    assert_eq!(
        own_invitations(&techs[2]).await.body["reason"],
        "privilege_not_held"
    );

    // Lowering to one seat disables the newest holder, audited, and the index sees it.
    let lowered = set_seats(&operator, json!({ "remote_support": 1 })).await;
    assert_eq!(lowered.status, StatusCode::OK, "{}", lowered.body);
    assert_eq!(lowered.body["disabled"], json!([techs[1]]));
    assert_eq!(lowered.body["licences"][0]["in_use"], 1);
    let newest = app
        .get(&format!("{members}/{}", techs[1]), &acme.owner_token)
        .await;
    assert_eq!(
        (&newest.body["status"], &newest.body["disabled_reason"]),
        (&json!("disabled"), &json!("licence"))
    );
    // The list tells those the licences disabled apart (reference 003's filter), and
    // `disabled` finds every disabled member, whatever the reason.
    let manual = app
        .call(
            Method::PATCH,
            &format!("{members}/{}", techs[0]),
            Some(&acme.owner_token),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(manual.status, StatusCode::OK, "{}", manual.body);
    let listed = |status: &'static str| {
        let app = &app;
        let path = format!("{members}?status={status}");
        let token = acme.owner_token.clone();
        async move {
            let reply = app.get(&path, &token).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let mut ids: Vec<String> = reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["account_id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(listed("disabled_by_licence").await, [techs[1].clone()]);
    let mut both = vec![techs[0].clone(), techs[1].clone()];
    both.sort();
    assert_eq!(listed("disabled").await, both);
    let enabled = app
        .call(
            Method::PATCH,
            &format!("{members}/{}", techs[0]),
            Some(&acme.owner_token),
            Some(json!({ "status": "active" })),
        )
        .await;
    assert_eq!(enabled.status, StatusCode::OK, "{}", enabled.body);
    assert_eq!(
        own_invitations(&techs[1]).await.body["reason"],
        "membership_disabled"
    );
    assert_eq!(
        app.login("tech1@acme.example", PASSWORD).await.code(),
        "account_disabled"
    );
    let audit = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=member.licence_disabled",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(audit.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(audit.body["items"][0]["target"]["id"], techs[1].as_str());

    // Re-enabling them needs a free seat.
    let reenable = app
        .call(
            Method::PATCH,
            &format!("{members}/{}", techs[1]),
            Some(&acme.owner_token),
            Some(json!({ "status": "active" })),
        )
        .await;
    assert_eq!(reenable.code(), "licence_exhausted");

    // The Super Admin is never disabled automatically: below them the operator is told why.
    let owner_remote = app
        .call(
            Method::PATCH,
            &format!("{members}/{owner_id}"),
            Some(&acme.owner_token),
            Some(json!({ "privileges": ["remote_support"] })),
        )
        .await;
    assert_eq!(owner_remote.code(), "licence_exhausted");
    let unlimited = set_seats(&operator, json!({ "remote_support": null })).await;
    assert_eq!(unlimited.body["licences"][0]["seats"], json!(null));
    let owner_remote = app
        .call(
            Method::PATCH,
            &format!("{members}/{owner_id}"),
            Some(&acme.owner_token),
            Some(json!({ "privileges": ["remote_support"] })),
        )
        .await;
    assert_eq!(owner_remote.status, StatusCode::OK, "{}", owner_remote.body);
    let too_low = set_seats(&operator, json!({ "remote_support": 0 })).await;
    assert_eq!(
        (too_low.status, too_low.code()),
        (StatusCode::CONFLICT, "licence_below_super_admins")
    );

    // A restarted host's index holds the same memberships, privileges and site admins.
    app.site(&acme, "admin@customer.example").await;
    let site_admin = app
        .get("/v1/me", &app.token("admin@customer.example").await)
        .await;
    let rebuilt = siteward_server::permissions::Permissions::load(&app.store, false)
        .await
        .unwrap();
    let now = app.clock.now_time().timestamp_millis();
    for account in techs.iter().chain([&owner_id, &site_admin.str("id")]) {
        let account = siteward_core::ids::AccountId::parse("account", account).unwrap();
        let principal = |index: &siteward_core::permission::index::Index| {
            siteward_core::access::AccountPrincipal::from_index(index, account.clone(), false, now)
        };
        assert_eq!(
            principal(&rebuilt.read()),
            principal(&app.state.permissions.read())
        );
    }
    assert_eq!(
        site_admin.body["site_admin_of"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn partner_endpoints_authorize_through_the_permission_engine() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let tech = app.member(&acme, "lead@acme.example", "technician").await;
    let admin = app.member(&acme, "admin@acme.example", "admin").await;
    let lead = app.token("lead@acme.example").await;
    let members = format!("/v1/partners/{}/members", acme.id);
    let add = async |token: &str, email: &str, role: &str| {
        app.post(
            &members,
            token,
            json!({ "email": email, "name": "New", "password": PASSWORD, "role": role }),
        )
        .await
    };
    assert_eq!(
        add(&lead, "a@acme.example", "technician").await.status,
        StatusCode::FORBIDDEN
    );

    // A Technician granted the team administrator role on the administration section manages
    // technicians — the engine's `admin.team` — but assigns no roles and touches no Admin.
    let grant = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            &acme.owner_token,
            json!({ "subject": { "kind": "technician", "id": tech },
                    "scope": { "kind": "section", "id": "administration" },
                    "role": "team_administrator" }),
        )
        .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.body);
    let me = app.get("/v1/me", &lead).await;
    assert_eq!(me.body["partners"][0]["permissions"], json!(["admin.team"]));
    let added = add(&lead, "b@acme.example", "technician").await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(
        add(&lead, "c@acme.example", "admin").await.status,
        StatusCode::FORBIDDEN
    );
    let disable_admin = app
        .call(
            Method::PATCH,
            &format!("{members}/{admin}"),
            Some(&lead),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(disable_admin.status, StatusCode::FORBIDDEN);
    let audit = app
        .get(&format!("/v1/partners/{}/audit-events", acme.id), &lead)
        .await;
    assert_eq!(
        audit.status,
        StatusCode::FORBIDDEN,
        "admin.audit_log is not held"
    );

    // Revoking the grant takes the privilege away on the next request.
    let revoked = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/grants/{}", acme.id, grant.str("id")),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    assert_eq!(
        add(&lead, "d@acme.example", "technician").await.status,
        StatusCode::FORBIDDEN
    );

    // Only a Super Admin sees billing among their permissions.
    let owner = app.get("/v1/me", &acme.owner_token).await;
    let admin_me = app
        .get("/v1/me", &app.token("admin@acme.example").await)
        .await;
    let holds = |me: &serde_json::Value, p: &str| {
        me["partners"][0]["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!(p))
    };
    assert!(holds(&owner.body, "admin.billing"));
    assert!(!holds(&admin_me.body, "admin.billing"));
    assert!(holds(&admin_me.body, "admin.team"));
}

#[tokio::test]
async fn a_removed_member_takes_nothing_back_when_added_again() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = super::technicians::site_with_technicians(&app, 1).await;
    let tech = &techs[0];
    let owner = &acme.owner_token;
    super::technicians::set_locked(&app, &site, &admin, &techs, false).await;
    let (group, till, department) =
        super::technicians::tills_for_a_department(&app, &acme, &site).await;
    let department_member = format!(
        "/v1/partners/{}/departments/{department}/members/{tech}",
        acme.id
    );
    let joined = app
        .call(Method::PUT, &department_member, Some(owner), None)
        .await;
    assert_eq!(joined.status, StatusCode::NO_CONTENT, "{}", joined.body);
    // A grant of their own too, beside the department's.
    let granted = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            owner,
            json!({ "subject": { "kind": "technician", "id": tech },
                    "scope": { "kind": "group", "id": group }, "role": "full_device_access" }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let check = |body: serde_json::Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let reply = app.post("/v1/check", &admin, body).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.body["reason"].as_str().unwrap().to_owned()
        }
    };
    let at_site = json!({ "technician_id": tech, "permission": "devices.view", "site_id": site });
    let on_till =
        json!({ "technician_id": tech, "permission": "device.reboot", "device_id": till });
    assert_eq!(check(at_site.clone()).await, "granted_by_level");
    assert_eq!(check(on_till.clone()).await, "granted_by_role");

    let removed = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/members/{tech}", acme.id),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(check(at_site.clone()).await, "not_a_member");
    // The site no longer lists them, no grant names them, no department holds them.
    let listed = app
        .get(&format!("/v1/sites/{site}/technicians"), &admin)
        .await;
    assert_eq!(listed.body["items"], json!([]), "{}", listed.body);
    let grants = app
        .get(&format!("/v1/partners/{}/grants", acme.id), owner)
        .await;
    let subjects: Vec<&serde_json::Value> = grants.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["subject"]["kind"])
        .collect();
    assert_eq!(subjects, [&json!("department")], "{}", grants.body);
    let members = app
        .get(
            &format!("/v1/partners/{}/departments/{department}/members", acme.id),
            owner,
        )
        .await;
    assert_eq!(members.body["account_ids"], json!([]));
    // Each removal is on the trail.
    for (action, scope) in [
        ("member.removed", format!("/v1/partners/{}", acme.id)),
        ("grant.deleted", format!("/v1/partners/{}", acme.id)),
        (
            "department.member_removed",
            format!("/v1/partners/{}", acme.id),
        ),
        ("assignment.deleted", format!("/v1/sites/{site}")),
    ] {
        let token = if scope.contains("/sites/") {
            &admin
        } else {
            owner
        };
        let events = app
            .get(&format!("{scope}/audit-events?action={action}"), token)
            .await;
        assert_eq!(
            events.body["items"].as_array().map(Vec::len),
            Some(1),
            "{action}: {}",
            events.body
        );
    }

    // Back as a member, they hold the membership and nothing else: no assignment, no grant,
    // no department — site access comes back only through a new invitation, Locked.
    let again = super::technicians::rejoin(&app, &acme, "tech0@acme.example").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(check(at_site).await, "not_assigned");
    assert_eq!(check(on_till).await, "not_assigned");
}

#[tokio::test]
async fn a_password_change_ends_the_accounts_other_sessions() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let here = app.token("tech@acme.example").await;
    let elsewhere = app.token("tech@acme.example").await;
    let changed = app
        .post(
            "/v1/me/password",
            &here,
            json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert_eq!(app.get("/v1/me", &here).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/v1/me", &elsewhere).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Another account's sessions are untouched.
    assert_eq!(
        app.get("/v1/me", &acme.owner_token).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_api_token_is_suspended_while_its_creator_may_not_hold_it() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let admin = app.member(&acme, "admin@acme.example", "admin").await;
    let admin_token = app.token("admin@acme.example").await;
    let created = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &admin_token,
            json!({ "name": "PSA sync" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["status"], "active");
    let secret = created.str("token");
    let sites = format!("/v1/partners/{}/sites", acme.id);
    let listed = || {
        let app = &app;
        let path = format!("/v1/partners/{}/api-tokens", acme.id);
        let owner = acme.owner_token.clone();
        async move {
            let reply = app.get(&path, &owner).await;
            let token = &reply.body["items"][0];
            (
                token["created_by"].as_str().unwrap().to_owned(),
                token["status"].as_str().unwrap().to_owned(),
            )
        }
    };
    assert_eq!(app.get(&sites, &secret).await.status, StatusCode::OK);
    assert_eq!(listed().await, (admin.clone(), "active".to_owned()));

    // The creator's account disabled: the token is suspended, and back when it is enabled.
    let account = format!("/v1/accounts/{admin}");
    for (status, works) in [("disabled", false), ("active", true)] {
        let reply = app
            .call(
                Method::PATCH,
                &account,
                Some(&operator),
                Some(json!({ "status": status })),
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.body);
        let used = app.get(&sites, &secret).await;
        if works {
            assert_eq!(used.status, StatusCode::OK, "{}", used.body);
            assert_eq!(listed().await.1, "active");
        } else {
            assert_eq!(
                (used.status, used.code()),
                (StatusCode::UNAUTHORIZED, "token_suspended")
            );
            assert_eq!(listed().await, (admin.clone(), "suspended".to_owned()));
        }
    }

    // The creator removed from the partner: suspended too.
    let removed = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/members/{admin}", acme.id),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(app.get(&sites, &secret).await.code(), "token_suspended");
    assert_eq!(listed().await.1, "suspended");
}

#[tokio::test]
async fn another_tenants_people_are_invited_never_attached_and_never_named() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    // Alpha exists, with its Super Admin `owner@alpha.example`.
    app.partner(&operator, "alpha").await;
    let b = app.partner(&operator, "beta").await;
    let add = |email: &str| {
        let app = &app;
        let path = format!("/v1/partners/{}/members", b.id);
        let token = b.owner_token.clone();
        let body = json!({ "email": email, "name": "Someone", "role": "technician" });
        async move { app.post(&path, &token, body).await }
    };
    // Alpha's Super Admin and an address nobody has get the same answer: an invitation.
    let known = add("owner@alpha.example").await;
    let unknown = add("nobody@alpha.example").await;
    for reply in [&known, &unknown] {
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        assert_eq!(reply.body["results"][0]["outcome"], "invited");
        assert!(!reply.body.to_string().contains("Owner"), "{}", reply.body);
    }
    let shape = |reply: &super::Reply| {
        let mut keys: Vec<String> = reply.body["results"][0]["invitation"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    assert_eq!(shape(&known), shape(&unknown));
    // Not a member of Beta until they accept.
    let members = app
        .get(&format!("/v1/partners/{}/members", b.id), &b.owner_token)
        .await;
    assert!(!members.body.to_string().contains("owner@alpha.example"));

    // A site admin: another tenant's account is invited, never attached, and the answer is
    // the one an address without an account gets (the site's own admin invites).
    let site = app.site(&b, "admin@customer.example").await;
    let site_admin_token = app.token("admin@customer.example").await;
    let site_admin = |email: &str| {
        let app = &app;
        let path = format!("/v1/sites/{site}/admins");
        let token = site_admin_token.clone();
        let body = json!({ "email": email, "name": "Someone" });
        async move { app.post(&path, &token, body).await }
    };
    let known = site_admin("owner@alpha.example").await;
    let unknown = site_admin("nobody@alpha.example").await;
    for reply in [&known, &unknown] {
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        assert_eq!(
            (reply.body["kind"].as_str(), reply.body["status"].as_str()),
            (Some("site_admin"), Some("pending")),
            "{}",
            reply.body
        );
        assert!(!reply.body.to_string().contains("Owner"), "{}", reply.body);
    }
    let mut known_keys: Vec<&String> = known.body.as_object().unwrap().keys().collect();
    let mut unknown_keys: Vec<&String> = unknown.body.as_object().unwrap().keys().collect();
    known_keys.sort();
    unknown_keys.sort();
    assert_eq!(known_keys, unknown_keys);
    let admins = || async {
        app.get(&format!("/v1/sites/{site}/admins"), &b.owner_token)
            .await
            .body
            .to_string()
    };
    assert!(
        !admins().await.contains("owner@alpha.example"),
        "not before they accept"
    );

    // Asked again: the open invitation, no second email.
    let again = site_admin("owner@alpha.example").await;
    assert_eq!(again.body["id"], known.body["id"]);

    // Alpha's owner accepts with their own account and is the site's admin; the link says
    // what it offers.
    let smtp = TestSmtp::start();
    siteward_server::mail::deliver_due(&app.state, &smtp.mailer())
        .await
        .unwrap();
    let inbox = smtp.to("owner@alpha.example");
    let mail = inbox
        .iter()
        .find(|m| m.subject().contains("administer"))
        .expect("the site-admin invitation");
    assert!(
        mail.subject()
            .contains("invites you to administer the site Head office"),
        "{}",
        mail.subject()
    );
    let token = mail.token();
    let preview = app
        .call(
            Method::GET,
            &format!("/v1/invitations/accept?token={token}"),
            None,
            None,
        )
        .await;
    assert_eq!(preview.body["role"], "site_admin", "{}", preview.body);
    let owner_alpha = app.token("owner@alpha.example").await;
    let accepted = app
        .post(
            "/v1/invitations/accept",
            &owner_alpha,
            json!({ "token": token }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert!(admins().await.contains("owner@alpha.example"));
    let me = app.get("/v1/me", &owner_alpha).await;
    assert_eq!(me.body["site_admin_of"][0], site.as_str(), "{}", me.body);
    let audit = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=site_admin.added"),
            &site_admin_token,
        )
        .await;
    assert!(
        audit.body.to_string().contains(&me.str("id")),
        "{}",
        audit.body
    );

    // The customer's own admin is added to the customer's next site without asking.
    let customer = app
        .get(&format!("/v1/sites/{site}"), &b.owner_token)
        .await
        .str("customer_id");
    let second = app
        .post(
            &format!("/v1/partners/{}/sites", b.id),
            &b.owner_token,
            json!({ "customer_id": customer, "name": "Warehouse",
                    "admin": { "email": "admin@customer.example", "name": "Site Admin" } }),
        )
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
}
