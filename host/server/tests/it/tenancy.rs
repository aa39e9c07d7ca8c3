//! Partners, members, customers, sites, site admins, API tokens and the audit trail.

use axum::http::{Method, StatusCode};
use serde_json::json;

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
            "site_admin.added",
        ]
    );
    // The site's trail is the site's part of it.
    let site_events = app
        .get(&format!("/v1/sites/{site}/audit-events"), &site_admin)
        .await;
    assert_eq!(site_events.body["items"].as_array().unwrap().len(), 4);
    // Filter by actor: what the site admin did.
    let me = app.get("/v1/me", &site_admin).await.str("id");
    let by_admin = app
        .get(
            &format!("/v1/sites/{site}/audit-events?actor={me}"),
            &site_admin,
        )
        .await;
    assert_eq!(by_admin.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_admin.body["items"][0]["action"], "site_admin.added");
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
    // The account remains: with no memberships left it can still log in, and be added again.
    assert_eq!(
        app.login("tech@acme.example", PASSWORD).await.status,
        StatusCode::OK
    );
    let again = app
        .post(
            &format!("/v1/partners/{}/members", acme.id),
            &acme.owner_token,
            json!({
                "email": "TECH@acme.example", "name": "Tech", "role": "technician",
            }),
        )
        .await;
    assert_eq!(
        (again.status, again.str("account_id")),
        (StatusCode::CREATED, tech)
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
