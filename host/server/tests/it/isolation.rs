//! Tenant isolation: a resource of another tenant is invisible (404) to every route that can
//! name it, and the attempt changes nothing.

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
