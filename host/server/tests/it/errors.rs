//! Every error status the API uses, in the one error shape, and never a 500 for bad input.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use super::{PASSWORD, TestApp, snapshot_settings};

#[tokio::test]
async fn each_error_status_has_its_code_and_shape() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;

    // 400: not JSON.
    let request = Request::post("/v1/partners")
        .header("authorization", format!("Bearer {operator}"))
        .header("content-type", "application/json")
        .body(Body::from("{\"name\": "))
        .unwrap();
    let malformed = app.send(request).await;
    assert_eq!(
        (malformed.status, malformed.code()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );

    // 401: no token, or a token that is not one.
    let anonymous = app.call(Method::GET, "/v1/me", None, None).await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let forged = app
        .get("/v1/me", "sws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    // 403: same tenant, not allowed (a partner admin creating partners).
    let forbidden = app
        .post(
            "/v1/partners",
            &acme.owner_token,
            json!({ "name": "x", "super_admin": { "email": "a@b.example", "name": "A" } }),
        )
        .await;
    assert_eq!(
        (forbidden.status, forbidden.code()),
        (StatusCode::FORBIDDEN, "forbidden")
    );

    // 404: missing, malformed id, unknown route.
    let missing = app
        .get("/v1/partners/01ARZ3NDEKTSV4RRFFQ69G5FAV", &operator)
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(
        app.get("/v1/partners/not-an-id", &operator).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/v1/nothing-here", &operator).await.code(),
        "not_found"
    );

    // 405: a route that exists, with the wrong method.
    let method = app
        .call(Method::PUT, "/v1/partners", Some(&operator), None)
        .await;
    assert_eq!(
        (method.status, method.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );

    // 409: one account per email.
    let taken = app
        .post("/v1/partners", &operator, json!({
            "name": "Second", "super_admin": { "email": "owner@acme.example", "name": "O", "password": PASSWORD },
        }))
        .await;
    assert_eq!(
        (taken.status, taken.code()),
        (StatusCode::CONFLICT, "account_exists")
    );
    let twice = app
        .post(
            &format!("/v1/partners/{}/members", acme.id),
            &acme.owner_token,
            json!({
                "email": "owner@acme.example", "name": "O", "role": "admin",
            }),
        )
        .await;
    // An existing account is invited, never attached; one already here is said to be.
    assert_eq!(
        (twice.status, twice.body["results"][0]["outcome"].as_str()),
        (StatusCode::ACCEPTED, Some("already_member"))
    );

    // 413: a body over the limit.
    let huge = app
        .post(
            "/v1/partners",
            &operator,
            json!({ "name": "x".repeat(100_000) }),
        )
        .await;
    assert_eq!(
        (huge.status, huge.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );

    // Deeply nested JSON is refused as the bad input it is, wherever the nesting is, without
    // the parser running out of stack (every body is typed: the first value of the wrong shape
    // ends the parse).
    for (body, status, code) in [
        (
            format!("{{\"name\": {}{}}}", "[".repeat(20_000), "]".repeat(20_000)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            format!(
                "{{\"name\": \"n\", \"x\": {}1{}}}",
                "{\"a\":".repeat(10_000),
                "}".repeat(10_000)
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "[".repeat(20_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
    ] {
        let request = Request::post("/v1/partners")
            .header("authorization", format!("Bearer {operator}"))
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap();
        let reply = app.send(request).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{}",
            reply.body
        );
    }

    // 415: not declared as JSON.
    let request = Request::post("/v1/partners")
        .header("authorization", format!("Bearer {operator}"))
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        app.send(request).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn invalid_fields_are_named_even_when_nested() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let customer = app
        .post(
            &format!("/v1/partners/{}/customers", acme.id),
            &acme.owner_token,
            json!({ "name": "C" }),
        )
        .await;
    let cases = [
        (
            json!({ "name": "", "super_admin": { "email": "a@b.example", "name": "A", "password": PASSWORD } }),
            "name",
        ),
        (
            json!({ "name": "P", "super_admin": { "email": "not-an-email", "name": "A", "password": PASSWORD } }),
            "super_admin.email",
        ),
        (
            json!({ "name": "P", "super_admin": { "email": "a@b.example", "name": "A", "password": "short" } }),
            "super_admin.password",
        ),
        (
            json!({ "name": "P", "super_admin": { "email": "a@b.example", "name": "A" } }),
            "super_admin.password",
        ),
        (
            json!({ "name": "P", "super_admin": { "email": "a@b.example" } }),
            "super_admin.name",
        ),
        (
            json!({ "name": 7, "super_admin": { "email": "a@b.example", "name": "A" } }),
            "name",
        ),
        (
            json!({ "name": "P", "super_admin": { "email": "a@b.example", "name": "A" }, "colour": "red" }),
            "colour",
        ),
    ];
    for (body, field) in cases {
        let reply = app.post("/v1/partners", &operator, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} -> {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["field"], field,
            "{body} -> {}",
            reply.body
        );
    }
    let site = app
        .post(&format!("/v1/partners/{}/sites", acme.id), &acme.owner_token, json!({
            "customer_id": customer.str("id"), "name": "S", "admin": { "email": "bad", "name": "A", "password": PASSWORD },
        }))
        .await;
    assert_eq!(site.body["error"]["field"], "admin.email");
    let role = app
        .post(
            &format!("/v1/partners/{}/members", acme.id),
            &acme.owner_token,
            json!({
                "email": "x@acme.example", "name": "X", "password": PASSWORD, "role": "boss",
            }),
        )
        .await;
    assert_eq!(role.body["error"]["field"], "role");
    assert!(
        role.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("super_admin, admin, technician")
    );
    let limit = app
        .get(
            &format!("/v1/partners/{}/sites?limit=0", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(limit.body["error"]["field"], "limit");
    let cursor = app
        .get(
            &format!("/v1/partners/{}/sites?cursor=xyz", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(cursor.body["error"]["field"], "cursor");
}

#[tokio::test]
async fn the_error_shape_is_stable() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let reply = app
        .post(
            "/v1/partners",
            &operator,
            json!({ "name": "P", "super_admin": { "email": "nope", "name": "A" } }),
        )
        .await;
    snapshot_settings().bind(|| insta::assert_json_snapshot!("error_invalid_field", reply.body));
}
