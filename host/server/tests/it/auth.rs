//! Logins, lockout, sessions, the second factor and passwords.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;

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
            .contains("try again after")
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

/// Sends login attempts all at once, each `(email, password, client address)`, and returns
/// their statuses and codes in the order given.
async fn burst(
    app: &TestApp,
    attempts: Vec<(String, String, [u8; 4])>,
) -> Vec<(StatusCode, String)> {
    let tasks: Vec<_> = attempts
        .into_iter()
        .map(|(email, password, address)| {
            let mut request = Request::post("/v1/auth/login")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({ "email": email, "password": password }).to_string(),
                ))
                .unwrap();
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from((address, 40_000))));
            let router = app.router.clone();
            tokio::spawn(async move {
                let response = router.oneshot(request).await.unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .unwrap();
                let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
                (
                    status,
                    body["error"]["code"].as_str().unwrap_or("").to_owned(),
                )
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

/// How many attempts had their password checked: refusals before checking are `429`.
fn checked(answers: &[(StatusCode, String)]) -> usize {
    answers
        .iter()
        .filter(|(status, _)| *status != StatusCode::TOO_MANY_REQUESTS)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_concurrent_guesses_checks_at_most_the_lockout_limit() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let limit = app.state.auth.lockout.max_failures as usize;
    // A hundred guesses at once from ten addresses, the right password last.
    let mut attempts: Vec<_> = (0..99_u8)
        .map(|n| {
            (
                OPERATOR_EMAIL.to_owned(),
                format!("wrong guess number {n}"),
                [127, 0, 0, n % 10 + 1],
            )
        })
        .collect();
    attempts.push((
        OPERATOR_EMAIL.to_owned(),
        PASSWORD.to_owned(),
        [127, 0, 0, 10],
    ));
    let answers = burst(&app, attempts).await;
    assert!(
        checked(&answers) <= limit,
        "{} checked: {answers:?}",
        checked(&answers)
    );
    let refused = answers
        .iter()
        .filter(|(status, code)| {
            *status == StatusCode::TOO_MANY_REQUESTS && code == "account_locked"
        })
        .count();
    assert!(refused >= answers.len() - limit, "{answers:?}");
    // Every checked failure is on the trail, and the lockout once — unless the right
    // password happened to be among the checked ones, which ends it.
    let failed = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::UNAUTHORIZED)
        .count();
    let events = |action: &'static str| {
        let app = &app;
        let operator = operator.clone();
        async move {
            app.get(&format!("/v1/audit-events?action={action}"), &operator)
                .await
                .body["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(events("auth.login_failed").await, failed);
    if failed == limit {
        assert_eq!(events("auth.locked_out").await, 1);
        // A second burst, all while locked: nothing is checked.
        let again: Vec<_> = (0..30_u8)
            .map(|n| {
                (
                    OPERATOR_EMAIL.to_owned(),
                    format!("another guess {n}"),
                    [127, 0, 1, n % 10 + 1],
                )
            })
            .collect();
        assert_eq!(checked(&burst(&app, again).await), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_from_one_address_checks_at_most_its_per_minute_limit() {
    let app = TestApp::new().await;
    let limit = app.state.auth.max_failures_per_address as usize;
    // Eighty guesses at once from one address, each at another email so no account locks.
    let attempts: Vec<_> = (0..80)
        .map(|n| {
            (
                format!("person{n}@example.com"),
                "a wrong password".to_owned(),
                [127, 0, 0, 9],
            )
        })
        .collect();
    let answers = burst(&app, attempts).await;
    assert_eq!(checked(&answers), limit, "{answers:?}");
    assert!(
        answers.iter().all(
            |(status, code)| *status == StatusCode::UNAUTHORIZED || code == "too_many_attempts"
        )
    );
}

#[tokio::test]
async fn an_unknown_email_locks_out_like_a_known_one() {
    let app = TestApp::new().await;
    let limit = app.state.auth.lockout.max_failures;
    for email in [OPERATOR_EMAIL, "nobody@siteward.example"] {
        for _ in 0..limit {
            let reply = app.login(email, "not the password at all").await;
            assert_eq!(reply.code(), "invalid_credentials", "{email}");
        }
    }
    let known = app.login(OPERATOR_EMAIL, "not the password at all").await;
    let unknown = app
        .login("nobody@siteward.example", "not the password at all")
        .await;
    assert_eq!(
        (known.status, known.code()),
        (StatusCode::TOO_MANY_REQUESTS, "account_locked")
    );
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (known.status, known.body)
    );

    // The unknown address's failures are on the platform's trail, under its hash only.
    app.clock.advance(chrono::Duration::minutes(15));
    let operator = app.operator().await;
    let failed = app
        .get("/v1/audit-events?action=auth.login_failed", &operator)
        .await;
    let targets: Vec<&str> = failed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"]["kind"] == "login")
        .map(|e| e["target"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(targets.len(), limit as usize, "{}", failed.body);
    assert!(targets.iter().all(|id| !id.contains("nobody")));
}

#[tokio::test]
async fn new_passwords_follow_nist_and_look_alike_addresses_are_refused() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let add = |email: &str, name: &str, password: &str| {
        let app = &app;
        let path = format!("/v1/partners/{}/members", acme.id);
        let owner = acme.owner_token.clone();
        let body =
            json!({ "email": email, "name": name, "password": password, "role": "technician" });
        async move { app.post(&path, &owner, body).await }
    };
    // Too short once spaces are folded, common, the address itself, a control character.
    for password in [
        " ".repeat(12),
        "password1234".to_owned(),
        "qwertyuiop123".to_owned(),
        "jamie.doe@acme.example".to_owned(),
        "jamie doe jamie doe".to_owned(),
        "correct horse\0battery staple".to_owned(),
    ] {
        let reply = add("jamie.doe@acme.example", "Jamie Doe", &password).await;
        assert_eq!(
            (reply.status, reply.body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("password")),
            "{password:?}: {}",
            reply.body
        );
    }
    let added = add("jamie.doe@acme.example", "Jamie Doe", PASSWORD).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);

    // A full-width or ligature spelling is the same address; a mixed-script one is refused.
    let fullwidth = add("ｊａｍｉｅ.doe@acme.example", "Jamie Doe", PASSWORD).await;
    assert_eq!(
        (
            fullwidth.status,
            fullwidth.body["results"][0]["outcome"].as_str()
        ),
        (StatusCode::ACCEPTED, Some("already_member")),
        "{}",
        fullwidth.body
    );
    let cyrillic = add("j\u{430}mie.doe@acme.example", "Jamie Doe", PASSWORD).await;
    assert_eq!(
        cyrillic.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        cyrillic.body
    );
    assert_eq!(cyrillic.body["error"]["field"], "email");
    // One script throughout, but confusable with an existing address: taken.
    let owner_look_alike = add("\u{43e}wner@acme.example", "Owner", PASSWORD).await;
    assert_eq!(
        owner_look_alike.body["error"]["field"], "email",
        "{}",
        owner_look_alike.body
    );
    let skeleton_twin = add("\u{430}\u{441}\u{435}@acme.example", "Ace", PASSWORD).await;
    assert_eq!(
        skeleton_twin.status,
        StatusCode::CREATED,
        "{}",
        skeleton_twin.body
    );
    let latin_twin = add("ace@acme.example", "Ace", PASSWORD).await;
    assert_eq!(
        (latin_twin.status, latin_twin.code()),
        (StatusCode::CONFLICT, "email_taken"),
        "{}",
        latin_twin.body
    );

    // Names with a direction override, a zero-width space or a byte-order mark are refused.
    for name in ["Ana\u{202E}gpj.exe", "Ana\u{200B}Silva", "\u{FEFF}Ana"] {
        let reply = add("ana@acme.example", name, PASSWORD).await;
        assert_eq!(
            reply.body["error"]["field"], "name",
            "{name:?}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn a_person_reads_their_own_sites_waiting_invitations_and_activity() {
    let app = TestApp::new().await;
    let (acme, site, _, _) = crate::technicians::site_with_technicians(&app, 1).await;
    let operator = app.operator().await;
    let globex = app.partner(&operator, "globex").await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", globex.id),
            &globex.owner_token,
            json!({ "emails": ["tech0@acme.example", "someone@else.example"], "role": "admin" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let tech = app.token("tech0@acme.example").await;

    let sites = app.get("/v1/me/sites", &tech).await;
    assert_eq!(sites.status, StatusCode::OK, "{}", sites.body);
    assert_eq!(
        sites.body["items"],
        json!([{
            "site_id": site, "site_name": "Head office", "partner_id": acme.id,
            "partner_name": "acme Installers", "level": "full_excluding_users", "locked": true,
            "technician_access": true, "starts_at": null, "expires_at": null,
        }])
    );

    // Only what waits for this address: Globex's offer, not the other address's.
    let waiting = app.get("/v1/me/invitations", &tech).await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.body);
    let items = waiting.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", waiting.body);
    assert_eq!(items[0]["partner_name"], "globex Installers");
    assert_eq!(items[0]["invitation"]["email"], "tech0@acme.example");
    assert_eq!(items[0]["invitation"]["role"], "admin");
    assert_eq!(items[0]["invitation"]["status"], "pending");

    // Their own actions, newest first: signing in just now, then accepting.
    let tech_id = app.get("/v1/me", &tech).await.str("id");
    let mine = app.get("/v1/me/audit-events?limit=1", &tech).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["items"][0]["action"], "auth.login");
    let cursor = mine.str("next_cursor");
    let older = app
        .get(&format!("/v1/me/audit-events?cursor={cursor}"), &tech)
        .await;
    let actions: Vec<&str> = older.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in ["assignment.created", "invitation.accepted"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let owner = app.get("/v1/me/audit-events", &acme.owner_token).await;
    let owners = owner.body["items"].as_array().unwrap();
    assert!(!owners.is_empty());
    assert!(
        owners.iter().all(|e| e["actor"]["id"] != tech_id.as_str()),
        "only the caller's own: {}",
        owner.body
    );

    // An API token has no own page.
    let token = app
        .post(
            &format!("/v1/partners/{}/api-tokens", acme.id),
            &acme.owner_token,
            json!({ "name": "robot" }),
        )
        .await
        .str("token");
    for path in ["/v1/me/sites", "/v1/me/invitations", "/v1/me/audit-events"] {
        let refused = app.get(path, &token).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            refused.body
        );
    }
}

#[tokio::test]
async fn a_partner_holds_its_members_to_two_step_sign_in_a_shorter_session_and_a_fresh_sign_in() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    let tech_id = app.member(&acme, "tech@acme.example", "technician").await;
    let early = app.token("tech@acme.example").await;
    let security = format!("/v1/partners/{}/security", acme.id);
    let put = async |token: &str, body: serde_json::Value| {
        app.call(Method::PUT, &security, Some(token), Some(body))
            .await
    };

    // Nothing is asked until the partner asks; bad settings are refused by name; another
    // partner sees nothing, and a technician may not change them.
    assert_eq!(
        app.get(&security, &acme.owner_token).await.body,
        json!({ "require_two_factor": false, "session_hours": null, "fresh_sign_in_minutes": null })
    );
    for (body, field) in [
        (json!({ "session_hours": 0 }), "session_hours"),
        (json!({ "session_hours": 10_000 }), "session_hours"),
        (
            json!({ "fresh_sign_in_minutes": 1 }),
            "fresh_sign_in_minutes",
        ),
    ] {
        let refused = put(&acme.owner_token, body).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.body["error"]["field"], field);
    }
    assert_eq!(
        app.get(&security, &globex.owner_token).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        put(&early, json!({ "require_two_factor": true }))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let set = put(
        &acme.owner_token,
        json!({ "require_two_factor": true, "session_hours": 2, "fresh_sign_in_minutes": 15 }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let log = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=partner.security_changed",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        log.body
    );

    // The technician signs in without a second factor: the session may only enrol.
    let signed_in = app.login("tech@acme.example", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!(signed_in.body["must_enrol"], true);
    let expires = chrono::DateTime::parse_from_rfc3339(&signed_in.str("expires_at")).unwrap();
    assert_eq!(
        expires.with_timezone(&chrono::Utc) - app.clock.now_time(),
        chrono::Duration::hours(2),
        "the team's lifetime, not the host's"
    );
    let tech = signed_in.str("token");
    let me = app.get("/v1/me", &tech).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(
        me.body["security"]["required_by"],
        json!([{ "kind": "partner", "id": acme.id }])
    );
    assert_eq!(
        (
            &me.body["security"]["two_factor_required"],
            &me.body["security"]["must_enrol"],
            &me.body["security"]["session_hours"],
            &me.body["security"]["fresh_sign_in_minutes"]
        ),
        (&json!(true), &json!(true), &json!(2), &json!(15))
    );
    let held_back = app.get("/v1/me/sites", &tech).await;
    assert_eq!(
        (held_back.status, held_back.code()),
        (StatusCode::FORBIDDEN, "two_factor_enrolment_required")
    );
    let enrolment = app
        .call(Method::POST, "/v1/me/totp", Some(&tech), None)
        .await;
    assert_eq!(enrolment.status, StatusCode::OK, "{}", enrolment.body);
    let secret = enrolment.str("secret");
    let code = totp::code_at_step(&secret, totp::step(app.clock.now_time())).unwrap();
    let confirmed = app
        .post("/v1/me/totp/confirm", &tech, json!({ "code": code }))
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.body
    );
    assert_eq!(
        app.get("/v1/me/sites", &tech).await.status,
        StatusCode::OK,
        "enrolled: the same session goes on"
    );
    app.clock.advance(chrono::Duration::seconds(30));
    let code = totp::code_at_step(&secret, totp::step(app.clock.now_time())).unwrap();
    let kept = app
        .call(
            Method::DELETE,
            "/v1/me/totp",
            Some(&tech),
            Some(json!({ "code": code })),
        )
        .await;
    assert_eq!(
        (kept.status, kept.code()),
        (StatusCode::CONFLICT, "two_factor_required")
    );

    // The session held before the lifetime was set ends two hours after its sign-in.
    assert_eq!(app.get("/v1/me", &early).await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(125));
    assert_eq!(
        app.get("/v1/me", &early).await.status,
        StatusCode::UNAUTHORIZED,
        "cut to the team's lifetime"
    );

    assert_eq!(
        app.get("/v1/me", &acme.owner_token).await.status,
        StatusCode::UNAUTHORIZED,
        "the owner is a member too"
    );

    // Sensitive changes take a sign-in at most 15 minutes old.
    let member = format!("/v1/partners/{}/members/{tech_id}", acme.id);
    let owner = app.token("owner@acme.example").await;
    let enrolment = app
        .call(Method::POST, "/v1/me/totp", Some(&owner), None)
        .await;
    let owner_secret = enrolment.str("secret");
    let owner_code = |app: &TestApp| {
        totp::code_at_step(&owner_secret, totp::step(app.clock.now_time())).unwrap()
    };
    let confirmed = app
        .post(
            "/v1/me/totp/confirm",
            &owner,
            json!({ "code": owner_code(&app) }),
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{}",
        confirmed.body
    );
    app.clock.advance(chrono::Duration::minutes(20));
    let stale = app
        .call(
            Method::PATCH,
            &member,
            Some(&owner),
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::FORBIDDEN, "fresh_sign_in_required"),
        "{}",
        stale.body
    );
    let signed_in = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(json!({ "email": "owner@acme.example", "password": PASSWORD, "totp": owner_code(&app) })),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    let owner = signed_in.str("token");
    let fresh = app
        .call(
            Method::PATCH,
            &member,
            Some(&owner),
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    assert_eq!(
        app.get(&security, &owner).await.body["fresh_sign_in_minutes"],
        15
    );
}

#[tokio::test]
async fn a_site_holds_its_admins_to_two_step_sign_in() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let admin = app.token("admin@customer.example").await;
    let set = app
        .call(
            Method::PUT,
            &format!("/v1/sites/{site}/security"),
            Some(&admin),
            Some(json!({ "require_two_factor": true })),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let log = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=site.security_changed"),
            &admin,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        log.body
    );
    let signed_in = app.login("admin@customer.example", PASSWORD).await;
    assert_eq!(signed_in.body["must_enrol"], true, "{}", signed_in.body);
    let refused = app
        .get(
            &format!("/v1/sites/{site}/technicians"),
            &signed_in.str("token"),
        )
        .await;
    assert_eq!(refused.code(), "two_factor_enrolment_required");
    // The partner's owner is not the site's admin: nothing is asked of them.
    let owner = app.login("owner@acme.example", PASSWORD).await;
    assert_eq!(owner.body["must_enrol"], false);
}
