//! Logins, lockout, sessions, the second factor and passwords.

use axum::http::{Method, StatusCode};
use serde_json::json;

use siteward_core::totp;

use super::{OPERATOR_EMAIL, PASSWORD, TestApp};

#[tokio::test]
async fn failed_logins_lock_the_account_until_the_window_passes() {
    let app = TestApp::new().await;
    for _ in 0..4 {
        let reply = app.login(OPERATOR_EMAIL, "not the password at all").await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
    }
    let fifth = app.login(OPERATOR_EMAIL, "not the password at all").await;
    assert_eq!(fifth.code(), "invalid_credentials");
    // Locked: even the right password is refused, with a clear error.
    let locked = app.login(OPERATOR_EMAIL, PASSWORD).await;
    assert_eq!(
        (locked.status, locked.code()),
        (StatusCode::TOO_MANY_REQUESTS, "account_locked")
    );
    assert!(
        locked.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locked until")
    );
    app.clock.advance(chrono::Duration::minutes(15));
    assert_eq!(
        app.login(OPERATOR_EMAIL, PASSWORD).await.status,
        StatusCode::OK
    );

    // The trail shows the failures and the lockout.
    let token = app.operator().await;
    let locked_out = app
        .get("/v1/audit-events?action=auth.locked_out", &token)
        .await;
    assert_eq!(locked_out.body["items"].as_array().unwrap().len(), 1);
    let failed = app
        .get("/v1/audit-events?action=auth.login_failed", &token)
        .await;
    assert_eq!(failed.body["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn an_unknown_email_answers_like_a_wrong_password() {
    let app = TestApp::new().await;
    let unknown = app.login("nobody@siteward.example", PASSWORD).await;
    let wrong = app.login(OPERATOR_EMAIL, "wrong password here").await;
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (wrong.status, wrong.body)
    );
}

#[tokio::test]
async fn sessions_end_at_logout_and_at_expiry() {
    let app = TestApp::new().await;
    let token = app.operator().await;
    assert_eq!(app.get("/v1/me", &token).await.status, StatusCode::OK);
    let logout = app
        .call(Method::POST, "/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let after = app.get("/v1/me", &token).await;
    assert_eq!(
        (after.status, after.code()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );

    let token = app.operator().await;
    app.clock.advance(chrono::Duration::hours(12));
    assert_eq!(
        app.get("/v1/me", &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn session_tokens_are_stored_hashed() {
    let app = TestApp::new().await;
    let token = app.operator().await;
    let hash = siteward_core::secret::token_hash(&token);
    let session = app
        .store
        .session_by_hash(&hash, app.clock.now_time())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.token_hash, hash);
    assert!(
        app.store
            .session_by_hash(&token, app.clock.now_time())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_second_factor_is_enrolled_required_and_reset_by_an_admin() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let tech = app.token("tech@acme.example").await;

    let enrolment = app
        .call(Method::POST, "/v1/me/totp", Some(&tech), None)
        .await;
    assert_eq!(enrolment.status, StatusCode::OK, "{}", enrolment.body);
    let secret = enrolment.str("secret");
    assert!(
        enrolment
            .str("otpauth_uri")
            .starts_with("otpauth://totp/Siteward:tech%40acme.example?secret=")
    );
    let wrong = app
        .post("/v1/me/totp/confirm", &tech, json!({ "code": "000000" }))
        .await;
    assert_eq!(
        (wrong.status, wrong.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("code"))
    );
    let code =
        |app: &TestApp| totp::code_at_step(&secret, totp::step(app.clock.now_time())).unwrap();
    let confirmed = app
        .post("/v1/me/totp/confirm", &tech, json!({ "code": code(&app) }))
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.body
    );

    // Now the code is required at login, and a used code cannot be replayed.
    let missing = app.login("tech@acme.example", PASSWORD).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::UNAUTHORIZED, "totp_required")
    );
    app.clock.advance(chrono::Duration::seconds(30));
    let with_code =
        json!({ "email": "tech@acme.example", "password": PASSWORD, "totp": code(&app) });
    let ok = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(with_code.clone()),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let replay = app
        .call(Method::POST, "/v1/auth/login", None, Some(with_code))
        .await;
    assert_eq!(
        (replay.status, replay.code()),
        (StatusCode::UNAUTHORIZED, "invalid_totp")
    );

    // The technician lost the phone: an admin resets the factor.
    let tech_id = app.get("/v1/me", &tech).await.str("id");
    let reset = app
        .call(
            Method::POST,
            &format!("/v1/partners/{}/members/{tech_id}/totp-reset", acme.id),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login("tech@acme.example", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let app = TestApp::new().await;
    let token = app.operator().await;
    let wrong = app
        .post("/v1/me/password", &token, json!({ "current_password": "guess guess guess", "new_password": "a brand new passphrase" }))
        .await;
    assert_eq!(wrong.body["error"]["field"], "current_password");
    let short = app
        .post(
            "/v1/me/password",
            &token,
            json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(short.body["error"]["field"], "new_password");
    let changed = app
        .post(
            "/v1/me/password",
            &token,
            json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.login(OPERATOR_EMAIL, PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(OPERATOR_EMAIL, "a brand new passphrase")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_revoked_api_token_is_refused_at_once_here_and_within_the_cache_time_elsewhere() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let partner = app.partner(&operator, "acme").await;
    let customers = format!("/v1/partners/{}/customers", partner.id);
    let tokens = format!("/v1/partners/{}/api-tokens", partner.id);
    let create =
        |name: &'static str| app.post(&tokens, &partner.owner_token, json!({ "name": name }));

    // Revoked through this host: refused by the next request, though it was just used.
    let here = create("here").await;
    assert_eq!(here.status, StatusCode::CREATED, "{}", here.body);
    assert_eq!(
        app.get(&customers, &here.str("token")).await.status,
        StatusCode::OK
    );
    let revoke = app
        .call(
            Method::DELETE,
            &format!("/v1/api-tokens/{}", here.str("id")),
            Some(&partner.owner_token),
            None,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT, "{}", revoke.body);
    let refused = app.get(&customers, &here.str("token")).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);

    // Revoked through another host: this host trusts what it found for at most
    // `api_token_cache_seconds` (2 by default), then asks the database again.
    let elsewhere = create("elsewhere").await;
    let token = elsewhere.str("token");
    assert_eq!(app.get(&customers, &token).await.status, StatusCode::OK);
    // (Started now: a host's permission index sees other hosts' changes from its start.)
    let other = app.second_host().await;
    let revoke = other
        .call(
            Method::DELETE,
            &format!("/v1/api-tokens/{}", elsewhere.str("id")),
            Some(&partner.owner_token),
            None,
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT, "{}", revoke.body);
    assert_eq!(
        other.get(&customers, &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get(&customers, &token).await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::seconds(2));
    assert_eq!(
        app.get(&customers, &token).await.status,
        StatusCode::UNAUTHORIZED
    );
}
