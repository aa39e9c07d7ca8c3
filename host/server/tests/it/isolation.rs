//! Tenant isolation and privilege: a resource of another tenant is invisible (404) to every
//! route that can name it; within a tenant, a Technician (Locked at the site or not) is refused
//! (403) what its role does not allow; and no attempt changes anything.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PASSWORD, TestApp};

#[tokio::test]
async fn a_partner_admin_gets_404_for_every_resource_of_another_partner() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let a = app.partner(&operator, "alpha").await;
    let b = app.partner(&operator, "bravo").await;
    let b_tech = app.member(&b, "tech@bravo.example", "technician").await;
    let b_site = app.site(&b, "admin@bravo-customer.example").await;
    let b_customer = app
        .get(&format!("/v1/sites/{b_site}"), &b.owner_token)
        .await
        .str("customer_id");
    let b_token = app
        .post(
            &format!("/v1/partners/{}/api-tokens", b.id),
            &b.owner_token,
            json!({ "name": "b" }),
        )
        .await
        .str("id");
    let b_site_admin = app.token("admin@bravo-customer.example").await;
    let b_site_token = app
        .post(
            &format!("/v1/sites/{b_site}/api-tokens"),
            &b_site_admin,
            json!({ "name": "s" }),
        )
        .await
        .str("id");
    let before = app.get("/v1/audit-events?limit=200", &operator).await.body["items"]
        .as_array()
        .unwrap()
        .len();

    let p = &b.id;
    let person = json!({ "email": "intruder@alpha.example", "name": "I", "password": PASSWORD });
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/v1/partners/{p}"), None),
        (Method::GET, format!("/v1/partners/{p}/members"), None),
        (
            Method::POST,
            format!("/v1/partners/{p}/members"),
            Some(
                json!({ "email": "x@alpha.example", "name": "X", "password": PASSWORD, "role": "admin" }),
            ),
        ),
        (
            Method::GET,
            format!("/v1/partners/{p}/members/{b_tech}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/v1/partners/{p}/members/{b_tech}"),
            Some(json!({ "status": "disabled" })),
        ),
        (
            Method::DELETE,
            format!("/v1/partners/{p}/members/{b_tech}"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/partners/{p}/members/{b_tech}/totp-reset"),
            None,
        ),
        (Method::GET, format!("/v1/partners/{p}/customers"), None),
        (
            Method::POST,
            format!("/v1/partners/{p}/customers"),
            Some(json!({ "name": "X" })),
        ),
        (Method::GET, format!("/v1/customers/{b_customer}"), None),
        (Method::GET, format!("/v1/partners/{p}/sites"), None),
        (
            Method::POST,
            format!("/v1/partners/{p}/sites"),
            Some(json!({ "customer_id": b_customer, "name": "X", "admin": person })),
        ),
        (Method::GET, format!("/v1/sites/{b_site}"), None),
        (Method::GET, format!("/v1/sites/{b_site}/admins"), None),
        (
            Method::POST,
            format!("/v1/sites/{b_site}/admins"),
            Some(person.clone()),
        ),
        (
            Method::DELETE,
            format!("/v1/sites/{b_site}/admins/{b_tech}"),
            None,
        ),
        (Method::GET, format!("/v1/partners/{p}/api-tokens"), None),
        (
            Method::POST,
            format!("/v1/partners/{p}/api-tokens"),
            Some(json!({ "name": "x" })),
        ),
        (Method::GET, format!("/v1/sites/{b_site}/api-tokens"), None),
        (
            Method::POST,
            format!("/v1/sites/{b_site}/api-tokens"),
            Some(json!({ "name": "x" })),
        ),
        (Method::DELETE, format!("/v1/api-tokens/{b_token}"), None),
        (
            Method::DELETE,
            format!("/v1/api-tokens/{b_site_token}"),
            None,
        ),
        (Method::GET, format!("/v1/partners/{p}/audit-events"), None),
        (
            Method::GET,
            format!("/v1/sites/{b_site}/audit-events"),
            None,
        ),
    ];
    for (method, path, body) in attempts {
        let reply = app
            .call(method.clone(), &path, Some(&a.owner_token), body)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{method} {path}: {}",
            reply.body
        );
    }
    // Partner B does not even appear in A's partner list.
    let listed = app.get("/v1/partners", &a.owner_token).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["id"], a.id.as_str());

    // Nothing changed: no new audit events but A's own logins, none of B's.
    let after = app.get("/v1/audit-events?limit=200", &operator).await;
    let new_events: Vec<&Value> = after.body["items"].as_array().unwrap()[before..]
        .iter()
        .collect();
    assert!(
        new_events.iter().all(|e| e["action"] == "auth.login"),
        "{new_events:?}"
    );
    let b_tech_member = app
        .get(
            &format!("/v1/partners/{p}/members/{b_tech}"),
            &b.owner_token,
        )
        .await;
    assert_eq!(b_tech_member.body["status"], "active");
}

/// Fails with every wrong answer, or when too few routes were tried to mean anything.
fn all_right(wrong: &[String], checked: usize) {
    assert!(
        wrong.is_empty(),
        "{} of {checked} attempts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        checked > 100,
        "only {checked} attempts: is the OpenAPI document complete?"
    );
}

/// One partner's world with one resource of every kind a route can name, by path parameter.
async fn world(
    app: &TestApp,
) -> (
    super::Partner,
    std::collections::BTreeMap<&'static str, String>,
) {
    let (acme, site, site_admin, techs) = super::technicians::site_with_technicians(app, 2).await;
    // The second technician may work at the site; the first stays Locked.
    super::technicians::set_locked(app, &site, &site_admin, &techs[1..], false).await;
    let owner = &acme.owner_token;
    let created = |path: String, body: Value| async move {
        let reply = app.post(&path, owner, body).await;
        assert!(reply.status.is_success(), "{path}: {}", reply.body);
        reply.str("id")
    };
    let partner = &acme.id;
    let group = created(
        format!("/v1/sites/{site}/device-groups"),
        json!({ "name": "Tills" }),
    )
    .await;
    let device = created(
        format!("/v1/sites/{site}/devices"),
        json!({ "name": "Till 1", "group_id": group }),
    )
    .await;
    let department = created(
        format!("/v1/partners/{partner}/departments"),
        json!({ "name": "Field" }),
    )
    .await;
    let role = created(
        format!("/v1/partners/{partner}/roles"),
        json!({ "name": "Terminal", "purpose": "devices_and_groups", "permissions": ["device.terminal"] }),
    )
    .await;
    let grant = created(
        format!("/v1/partners/{partner}/grants"),
        json!({ "subject": { "kind": "department", "id": department },
                "scope": { "kind": "group", "id": group }, "role": "full_device_access" }),
    )
    .await;
    let token = created(
        format!("/v1/partners/{partner}/api-tokens"),
        json!({ "name": "sync" }),
    )
    .await;
    let invited = app
        .get(&format!("/v1/sites/{site}/invitations"), owner)
        .await;
    let invitation = invited.body["items"][0]["id"].as_str().unwrap().to_owned();
    let customer = app
        .get(&format!("/v1/sites/{site}"), owner)
        .await
        .str("customer_id");
    // The owner asks for access: a request that is neither technician's.
    let request = created(
        format!("/v1/sites/{site}/access-requests"),
        json!({ "level": "devices_only", "minutes": 60, "reason": "INC-1" }),
    )
    .await;
    let review = created(format!("/v1/sites/{site}/reviews"), json!({})).await;
    let ids = [
        ("partner_id", partner.clone()),
        ("site_id", site),
        ("customer_id", customer),
        ("account_id", techs[0].clone()),
        ("role_id", role),
        ("department_id", department),
        ("device_id", device),
        ("group_id", group),
        ("grant_id", grant),
        ("token_id", token),
        ("invitation_id", invitation),
        ("request_id", request),
        ("review_id", review),
    ];
    (acme, ids.into_iter().collect())
}

/// Every operation of the OpenAPI document: method, path template, whether it needs input
/// (a body or a required query parameter).
fn operations() -> Vec<(Method, String, bool)> {
    let doc = serde_json::to_value(siteward_server::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let required_query = operation["parameters"]
                .as_array()
                .is_some_and(|parameters| {
                    parameters
                        .iter()
                        .any(|p| p["in"] == "query" && p["required"] == true)
                });
            let needs_input = operation.get("requestBody").is_some() || required_query;
            operations.push((method, path.clone(), needs_input));
        }
    }
    operations
}

/// `template` with its parameters filled from `ids` (`name` is a plugin); `None` when it names
/// no tenant's resource.
fn fill(template: &str, ids: &std::collections::BTreeMap<&str, String>) -> Option<String> {
    if !template.contains('{') || template.starts_with("/v1/plugins") {
        return None;
    }
    let mut path = template.to_owned();
    while let Some(start) = path.find('{') {
        let end = path[start..].find('}').unwrap() + start;
        let name = &path[start + 1..end];
        let value = match name {
            "name" => "invitation-email".to_owned(),
            _ => ids
                .get(name)
                .unwrap_or_else(|| {
                    panic!("{template}: no resource for {{{name}}}; add one to world()")
                })
                .clone(),
        };
        path.replace_range(start..=end, &value);
    }
    Some(path)
}

#[tokio::test]
async fn every_route_that_names_a_resource_hides_it_from_another_partner_and_changes_nothing() {
    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let (_, ids) = world(&app).await;
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;
    app.site(&other, "admin@other-customer.example").await;
    let other_site_admin = app.token("admin@other-customer.example").await;
    // Ids of the same shape that name nothing: what "not found" looks like for each route.
    let nothing: std::collections::BTreeMap<&str, String> = ids
        .keys()
        .map(|key| (*key, "01ZZZZZZZZZZZZZZZZZZZZZZZZ".to_owned()))
        .collect();
    let heads = app.store.chain_heads().await.unwrap();

    let mut checked = 0;
    let mut wrong = Vec::new();
    for (method, template, needs_input) in operations() {
        let (Some(path), Some(absent)) = (fill(&template, &ids), fill(&template, &nothing)) else {
            continue;
        };
        let body = needs_input.then(|| json!({}));
        for (who, token) in [
            ("another partner's Super Admin", &other.owner_token),
            ("another site's admin", &other_site_admin),
        ] {
            let reply = app
                .call(method.clone(), &path, Some(token), body.clone())
                .await;
            let baseline = app
                .call(method.clone(), &absent, Some(token), body.clone())
                .await;
            let seen = (reply.status, reply.code().to_owned());
            if reply.status.is_success() || reply.status.is_server_error() {
                wrong.push(format!(
                    "{method} {template} as {who}: {} {}",
                    reply.status, reply.body
                ));
            } else if seen != (baseline.status, baseline.code().to_owned()) {
                // Told apart from a resource that does not exist.
                wrong.push(format!(
                    "{method} {template} as {who}: {seen:?}, for nothing {} {}",
                    baseline.status,
                    baseline.code()
                ));
            } else if !needs_input && reply.status != StatusCode::NOT_FOUND {
                // Without input to check first, another tenant's resource is not found.
                wrong.push(format!(
                    "{method} {template} as {who}: {} {}",
                    reply.status, reply.body
                ));
            }
            checked += 1;
        }
    }
    all_right(&wrong, checked);
    assert_eq!(
        app.store.chain_heads().await.unwrap(),
        heads,
        "an attempt changed something"
    );
}

#[tokio::test]
async fn no_route_answers_an_expired_session_a_revoked_token_or_a_disabled_account() {
    let app = TestApp::new().await;
    let (acme, ids) = world(&app).await;
    let operator = app.operator().await;
    // A session that has run out.
    let expired = app.token("tech0@acme.example").await;
    // An API token, revoked.
    let api = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &acme.owner_token,
            json!({ "name": "gone" }),
        )
        .await;
    let (api_id, api_token) = (api.str("id"), api.str("token"));
    let revoked = app
        .call(
            Method::DELETE,
            &format!("/v1/api-tokens/{api_id}"),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert!(revoked.status.is_success(), "{}", revoked.body);
    // A member whose account the operator disabled, with the session they had.
    let member = app.member(&acme, "leaver@acme.example", "admin").await;
    let leaver = app.token("leaver@acme.example").await;
    let disabled = app
        .call(
            Method::PATCH,
            &format!("/v1/accounts/{member}"),
            Some(&operator),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert!(disabled.status.is_success(), "{}", disabled.body);
    app.clock
        .advance(app.state.auth.session_ttl + chrono::Duration::minutes(1));
    let heads = app.store.chain_heads().await.unwrap();

    let doc = serde_json::to_value(siteward_server::openapi()).unwrap();
    let mut checked = 0;
    for (method, template, needs_input) in operations() {
        let secured = doc["paths"][&template][method.as_str().to_lowercase()]["security"]
            .as_array()
            .is_some_and(|s| !s.is_empty());
        if !secured {
            continue;
        }
        let path =
            fill(&template, &ids).unwrap_or_else(|| template.replace("{name}", "invitation-email"));
        let body = needs_input.then(|| json!({}));
        for (who, token) in [
            ("an expired session", &expired),
            ("a revoked API token", &api_token),
            ("a disabled account", &leaver),
        ] {
            let reply = app
                .call(method.clone(), &path, Some(token), body.clone())
                .await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{method} {template} with {who}: {}",
                reply.body
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} attempts");
    assert_eq!(
        app.store.chain_heads().await.unwrap(),
        heads,
        "an attempt changed something"
    );
}

/// What any member of a partner may read there, whatever its role: the partner, its customers,
/// sites and their admins and technicians, its members and its seats. Everything else under a
/// partner or site takes a privilege a Technician does not hold.
const MEMBERS_MAY_READ: &[&str] = &[
    "/v1/partners/{partner_id}",
    "/v1/partners/{partner_id}/customers",
    "/v1/customers/{customer_id}",
    "/v1/partners/{partner_id}/licences",
    "/v1/partners/{partner_id}/members",
    "/v1/partners/{partner_id}/members/{account_id}",
    "/v1/partners/{partner_id}/sites",
    "/v1/sites/{site_id}",
    "/v1/sites/{site_id}/admins",
    "/v1/sites/{site_id}/technicians",
    "/v1/sites/{site_id}/access-policy",
];

/// What any member of a partner may do there besides reading: ask for access to one of its
/// sites (`access_requests` tests what follows).
const MEMBERS_MAY_DO: &[(&str, &str)] = &[("POST", "/v1/sites/{site_id}/access-requests")];

/// A valid input for each route that needs one, so that what refuses a Technician is the
/// missing privilege and not the input.
fn valid_input(
    method: &Method,
    template: &str,
    ids: &std::collections::BTreeMap<&str, String>,
) -> (Option<Value>, &'static str) {
    let id = |name: &str| ids[name].clone();
    let tech = id("account_id");
    let body = match (method.as_str(), template) {
        ("GET", t) if t.ends_with("/audit-events/export") => return (None, "?format=ndjson"),
        ("PATCH", "/v1/accounts/{account_id}") => json!({ "status": "disabled" }),
        ("POST", t) if t.ends_with("/api-tokens") => json!({ "name": "mine" }),
        ("POST", "/v1/partners/{partner_id}/customers") => json!({ "name": "Mine" }),
        ("POST", "/v1/partners/{partner_id}/departments") => json!({ "name": "Mine" }),
        ("POST", "/v1/partners/{partner_id}/grants") => json!({
            "subject": { "kind": "technician", "id": tech },
            "scope": { "kind": "site", "id": id("site_id") }, "role": "full_device_access" }),
        ("POST", "/v1/partners/{partner_id}/invitations") => {
            json!({ "emails": ["new@acme.example"], "role": "technician" })
        }
        ("POST", "/v1/partners/{partner_id}/members") => json!({
            "email": "new@acme.example", "name": "New", "password": PASSWORD, "role": "admin" }),
        ("POST", "/v1/partners/{partner_id}/members/{account_id}/site-invitations") => {
            json!({ "site_ids": [id("site_id")], "level": "full" })
        }
        ("POST", "/v1/partners/{partner_id}/roles") => json!({
            "name": "Mine", "purpose": "devices_and_groups", "permissions": ["device.terminal"] }),
        ("POST", "/v1/partners/{partner_id}/sites") => {
            json!({ "customer_id": id("customer_id"), "name": "Mine",
                    "admin": { "email": "new@customer.example", "name": "New" } })
        }
        ("POST", "/v1/sites/{site_id}/admins") => {
            json!({ "email": "new@customer.example", "name": "New" })
        }
        ("POST", "/v1/sites/{site_id}/device-groups") => json!({ "name": "Mine" }),
        ("POST", "/v1/sites/{site_id}/invitations") => {
            json!({ "technicians": [{ "account_id": tech, "level": "full" }] })
        }
        ("POST", "/v1/sites/{site_id}/technicians/level") => {
            json!({ "account_ids": [tech], "level": "full" })
        }
        ("POST", "/v1/sites/{site_id}/technicians/lock") => {
            json!({ "account_ids": [tech], "locked": false })
        }
        ("POST", "/v1/sites/{site_id}/technicians/remove") => json!({ "account_ids": [tech] }),
        ("PUT", "/v1/sites/{site_id}/access-policy") => json!({ "max_minutes": 60 }),
        ("POST", "/v1/access-requests/{request_id}/deny") => json!({ "comment": "No" }),
        ("POST", "/v1/reviews/{review_id}/verdicts") => {
            json!({ "technicians": [tech], "verdict": "confirm" })
        }
        ("PUT", t) if t.ends_with("/plugins/{name}") => json!({ "enabled": false }),
        _ => json!({}),
    };
    (Some(body), "")
}

#[tokio::test]
async fn a_technician_locked_or_not_is_refused_what_its_role_does_not_allow_and_changes_nothing() {
    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let (_, ids) = world(&app).await;
    let locked = app.token("tech0@acme.example").await;
    let unlocked = app.token("tech1@acme.example").await;
    let heads = app.store.chain_heads().await.unwrap();

    let mut checked = 0;
    let mut wrong = Vec::new();
    for (method, template, needs_input) in operations() {
        let Some(path) = fill(&template, &ids) else {
            continue;
        };
        if MEMBERS_MAY_DO.contains(&(method.as_str(), template.as_str())) {
            continue;
        }
        let (body, query) = if needs_input {
            valid_input(&method, &template, &ids)
        } else {
            (None, "")
        };
        let expected = if method == Method::GET && MEMBERS_MAY_READ.contains(&template.as_str()) {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        for (who, token) in [
            ("a Locked technician", &locked),
            ("a technician", &unlocked),
        ] {
            let reply = app
                .call(
                    method.clone(),
                    &format!("{path}{query}"),
                    Some(token),
                    body.clone(),
                )
                .await;
            if reply.status != expected {
                wrong.push(format!(
                    "{method} {template} as {who}: {} {}, not {expected}",
                    reply.status, reply.body
                ));
            }
            checked += 1;
        }
    }
    all_right(&wrong, checked);
    assert_eq!(
        app.store.chain_heads().await.unwrap(),
        heads,
        "an attempt changed something"
    );
}
