//! SCIM 2.0 provisioning through the real router, as Okta and Entra ID drive it: discovery,
//! a lookup by `userName` before creating, creation, deactivation (Entra's `"False"`
//! strings included), `If-Match`, deletion — and what a directory may not do.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use super::{Partner, Reply, TestApp};

/// A SCIM request with the team's token.
async fn scim(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    (body, if_match): (Option<Value>, Option<&str>),
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/scim+json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => request.body(Body::empty()).unwrap(),
    };
    app.send(request).await
}

/// The partner's SCIM token, made as the Identity page makes it (a partner API token).
async fn scim_token(app: &TestApp, partner: &Partner) -> String {
    let made = app
        .post(
            &format!("/v1/partners/{}/api-tokens", partner.id),
            &partner.owner_token,
            json!({ "name": "SCIM provisioning" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    made.str("token")
}

#[tokio::test]
async fn a_directory_provisions_deactivates_and_removes_members_in_its_own_domains() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    crate::sso::connection_of(&app, &acme, "acme.example").await;
    let token = scim_token(&app, &acme).await;

    let config = scim(
        &app,
        Method::GET,
        "/scim/v2/ServiceProviderConfig",
        &token,
        (None, None),
    )
    .await;
    assert_eq!(config.status, StatusCode::OK, "{}", config.body);
    assert_eq!(config.body["patch"]["supported"], true);
    let types = scim(
        &app,
        Method::GET,
        "/scim/v2/ResourceTypes",
        &token,
        (None, None),
    )
    .await;
    assert_eq!(types.body["Resources"][0]["endpoint"], "/Users");

    // Okta looks the person up first.
    let lookup = "/scim/v2/Users?filter=userName%20eq%20%22new%40acme.example%22";
    let none = scim(&app, Method::GET, lookup, &token, (None, None)).await;
    assert_eq!(none.status, StatusCode::OK, "{}", none.body);
    assert_eq!(none.body["totalResults"], 0);

    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "new@acme.example",
        "name": { "givenName": "Nia", "familyName": "Field" },
        "emails": [{ "value": "new@acme.example", "primary": true }],
        "active": true,
    });
    let created = scim(
        &app,
        Method::POST,
        "/scim/v2/Users",
        &token,
        (Some(user.clone()), None),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.str("id");
    assert_eq!(created.body["userName"], "new@acme.example");
    assert_eq!(created.body["displayName"], "Nia Field");
    assert_eq!(created.body["active"], true);
    let version = created.body["meta"]["version"].as_str().unwrap().to_owned();

    let again = scim(
        &app,
        Method::POST,
        "/scim/v2/Users",
        &token,
        (Some(user), None),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["scimType"], "uniqueness");
    assert_eq!(
        again.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );

    let found = scim(&app, Method::GET, lookup, &token, (None, None)).await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);
    assert_eq!(found.body["Resources"][0]["id"], id.as_str());
    let listed = scim(
        &app,
        Method::GET,
        "/scim/v2/Users?startIndex=1&count=10",
        &token,
        (None, None),
    )
    .await;
    assert_eq!(
        listed.body["totalResults"], 2,
        "the owner and the new member: {}",
        listed.body
    );
    let second = scim(
        &app,
        Method::GET,
        "/scim/v2/Users?startIndex=2&count=10",
        &token,
        (None, None),
    )
    .await;
    assert_eq!(second.body["itemsPerPage"], 1, "{}", second.body);

    // The member is there for the team, as a technician.
    let member = app
        .get(
            &format!("/v1/partners/{}/members/{id}", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(member.str("role"), "technician");

    // Entra deactivates with a string; a stale If-Match is refused first.
    let deactivate = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "Replace", "path": "active", "value": "False" }],
    });
    let path = format!("/scim/v2/Users/{id}");
    let stale = scim(
        &app,
        Method::PATCH,
        &path,
        &token,
        (Some(deactivate.clone()), Some("W/\"0\"")),
    )
    .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    let off = scim(
        &app,
        Method::PATCH,
        &path,
        &token,
        (Some(deactivate), Some(&version)),
    )
    .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["active"], false);
    assert_ne!(off.body["meta"]["version"], version.as_str());
    let member = app
        .get(
            &format!("/v1/partners/{}/members/{id}", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(member.str("status"), "disabled");

    // Okta reactivates with a PUT of the whole User; userName cannot change.
    let put = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "new@acme.example",
        "active": true,
    });
    let on = scim(&app, Method::PUT, &path, &token, (Some(put), None)).await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(on.body["active"], true);
    let renamed = json!({ "userName": "other@acme.example", "active": true });
    let refused = scim(&app, Method::PUT, &path, &token, (Some(renamed), None)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.body["scimType"], "mutability");

    // What a directory may not do: another company's address, another team's member, a
    // filter it does not know, a person's session instead of the team's token.
    let outside = json!({ "userName": "boss@globex.example", "active": true });
    let outside = scim(
        &app,
        Method::POST,
        "/scim/v2/Users",
        &token,
        (Some(outside), None),
    )
    .await;
    assert_eq!(outside.status, StatusCode::BAD_REQUEST, "{}", outside.body);
    assert!(
        outside.body["detail"].as_str().unwrap().contains("domain"),
        "{}",
        outside.body
    );
    let globex = app.partner(&operator, "globex").await;
    let their_token = scim_token(&app, &globex).await;
    let hidden = scim(&app, Method::GET, &path, &their_token, (None, None)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    let gone_for_them = scim(&app, Method::DELETE, &path, &their_token, (None, None)).await;
    assert_eq!(
        gone_for_them.status,
        StatusCode::NOT_FOUND,
        "{}",
        gone_for_them.body
    );
    let odd = scim(
        &app,
        Method::GET,
        "/scim/v2/Users?filter=title%20eq%20%22x%22",
        &token,
        (None, None),
    )
    .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST, "{}", odd.body);
    assert_eq!(odd.body["scimType"], "invalidFilter");
    let session = app.token("owner@acme.example").await;
    let person = scim(&app, Method::GET, "/scim/v2/Users", &session, (None, None)).await;
    assert_eq!(person.status, StatusCode::UNAUTHORIZED, "{}", person.body);

    // Removed: the membership goes, the account stays (it may belong to other teams).
    let deleted = scim(&app, Method::DELETE, &path, &token, (None, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let gone = scim(&app, Method::GET, &path, &token, (None, None)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);

    // Every change is on the team's trail, by the token.
    let trail = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=100", acme.id),
            &acme.owner_token,
        )
        .await
        .body
        .to_string();
    for action in [
        "account.created",
        "member.added",
        "member.updated",
        "member.removed",
    ] {
        assert!(trail.contains(action), "{action}: {trail}");
    }
    assert!(trail.contains("api_token"), "{trail}");
}

#[tokio::test]
async fn a_directory_pushes_groups_as_departments_with_their_members() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    crate::sso::connection_of(&app, &acme, "acme.example").await;
    let token = scim_token(&app, &acme).await;
    let person = async |email: &str| {
        let user = json!({ "userName": email, "active": true });
        let made = scim(
            &app,
            Method::POST,
            "/scim/v2/Users",
            &token,
            (Some(user), None),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        made.str("id")
    };
    let (ana, ben) = (
        person("ana@acme.example").await,
        person("ben@acme.example").await,
    );
    let globex = app.partner(&operator, "globex").await;
    let outsider = app
        .member(&globex, "tech@globex.example", "technician")
        .await;

    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Field North",
        "members": [{ "value": ana }],
    });
    let made = scim(
        &app,
        Method::POST,
        "/scim/v2/Groups",
        &token,
        (Some(group), None),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let id = made.str("id");
    assert_eq!(made.body["members"][0]["value"], ana.as_str());
    let members = async || {
        app.get(
            &format!("/v1/partners/{}/departments/{id}/members", acme.id),
            &acme.owner_token,
        )
        .await
        .body
        .to_string()
    };
    assert!(members().await.contains(&ana), "the department has Ana");

    let lookup = "/scim/v2/Groups?filter=displayName%20eq%20%22Field%20North%22";
    let found = scim(&app, Method::GET, lookup, &token, (None, None)).await;
    assert_eq!(found.body["totalResults"], 1, "{}", found.body);

    // Entra's way: one member removed by a filter path, another added.
    let path = format!("/scim/v2/Groups/{id}");
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            { "op": "Add", "path": "members", "value": [{ "value": ben }] },
            { "op": "Remove", "path": format!("members[value eq \"{ana}\"]") },
        ],
    });
    let patched = scim(&app, Method::PATCH, &path, &token, (Some(patch), None)).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let now = members().await;
    assert!(now.contains(&ben) && !now.contains(&ana), "{now}");

    // Someone who is not the team's member is refused, and nothing changes.
    let foreign = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "add", "path": "members", "value": [{ "value": outsider }] }],
    });
    let refused = scim(&app, Method::PATCH, &path, &token, (Some(foreign), None)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(!members().await.contains(&outsider));

    // Okta's way: the whole Group, renamed and emptied.
    let put = json!({ "displayName": "Field North-East", "members": [] });
    let replaced = scim(&app, Method::PUT, &path, &token, (Some(put), None)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(replaced.body["displayName"], "Field North-East");
    assert_eq!(replaced.body["members"], json!([]));

    let deleted = scim(&app, Method::DELETE, &path, &token, (None, None)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let gone = scim(&app, Method::GET, &path, &token, (None, None)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);
    let trail = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=100", acme.id),
            &acme.owner_token,
        )
        .await
        .body
        .to_string();
    for action in [
        "department.created",
        "department.member_added",
        "department.member_removed",
        "department.renamed",
        "department.deleted",
    ] {
        assert!(trail.contains(action), "{action}: {trail}");
    }
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scim")
}

/// The Python of a virtual environment with `scim2-tester`, at the versions
/// `tests/fixtures/scim/requirements.txt` pins.
fn scim2_tester() -> std::path::PathBuf {
    crate::python_with("scim2-tester-0.5.2", &fixtures().join("requirements.txt"))
}

/// `scim2-tester` from PyPI, the SCIM compliance checker, against the endpoint on a socket:
/// every check it makes passes (or is skipped as not applicable).
#[tokio::test]
async fn scim2_tester_finds_the_endpoint_compliant() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::with_settings(siteward_server::Settings {
        public_url: base.clone(),
        ..siteward_server::Settings::defaults()
    })
    .await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    crate::sso::connection_of(&app, &acme, "acme.example").await;
    let token = scim_token(&app, &acme).await;
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let python = scim2_tester();
    let script = fixtures().join("check.py");
    // The host answers on this test's runtime, so the checker is waited for off it.
    let base_url = format!("{base}/scim/v2");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(base_url)
            .arg(token)
            .arg("acme.example")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{printed}\n{errors}");
    // The checks ran: discovery and the User's whole life.
    for check in [
        "object_creation",
        "object_replacement",
        "object_deletion",
        "check_add_attribute",
    ] {
        assert!(
            printed
                .lines()
                .any(|l| l.starts_with("SUCCESS") && l.contains(check)),
            "{check}: {printed}"
        );
    }
}
