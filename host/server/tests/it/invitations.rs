//! Invitations end to end: to a partner and to a site, their whole lifecycle on a moving
//! clock, bulk requests, idempotency keys, and delivery to a real SMTP server.

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use siteward_server::config::{MailConfig, MailSecurity};
use siteward_server::mail::{Mailer, deliver_due};
use siteward_server::sweeper::sweep_once;

use super::smtp::TestSmtp;
use super::{PASSWORD, Partner, Reply, TestApp};

fn mailer(smtp: &TestSmtp) -> Mailer {
    let config = MailConfig {
        smtp_host: "127.0.0.1".to_owned(),
        smtp_port: smtp.port,
        security: MailSecurity::None,
        max_attempts: 3,
        ..MailConfig::default()
    };
    Mailer::from_config(&config, PathBuf::new()).unwrap()
}

async fn deliver(app: &TestApp, mailer: &Mailer) -> usize {
    deliver_due(&app.state, mailer).await.unwrap()
}

async fn invite(app: &TestApp, partner: &Partner, emails: &[&str], role: &str) -> Reply {
    app.post(
        &format!("/v1/partners/{}/invitations", partner.id),
        &partner.owner_token,
        json!({ "emails": emails, "role": role }),
    )
    .await
}

async fn accept_signed_up(app: &TestApp, token: &str, name: &str) -> Reply {
    app.call(
        Method::POST,
        "/v1/invitations/accept",
        None,
        Some(json!({ "token": token, "name": name, "password": PASSWORD })),
    )
    .await
}

async fn accept_as(app: &TestApp, token: &str, session: &str) -> Reply {
    app.post("/v1/invitations/accept", session, json!({ "token": token }))
        .await
}

/// A partner with a technician member and a site; returns (partner, technician account id, site id).
async fn site_setup(app: &TestApp) -> (Partner, String, String) {
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;
    (acme, tech, site)
}

async fn invite_to_site(
    app: &TestApp,
    partner: &Partner,
    site: &str,
    account: &str,
    level: &str,
) -> Reply {
    app.post(
        &format!("/v1/sites/{site}/invitations"),
        &partner.owner_token,
        json!({
            "technicians": [{ "account_id": account, "level": level }],
        }),
    )
    .await
}

#[tokio::test]
async fn a_partner_invitation_arrives_by_smtp_and_a_new_person_signs_up_to_accept() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;

    let reply = invite(&app, &acme, &["new.tech@example.com"], "technician").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["results"][0]["outcome"], "invited");
    assert_eq!(deliver(&app, &mailer).await, 1);

    let inbox = smtp.to("new.tech@example.com");
    assert_eq!(inbox.len(), 1);
    let mail = &inbox[0];
    assert_eq!(mail.subject(), "Owner invites you to join acme Installers");
    assert!(mail.text().contains("as a Technician"));
    assert!(
        mail.text().contains("1 March 2026") || mail.text().contains("8 March 2026"),
        "{}",
        mail.text()
    );
    let token = mail.token();
    assert!(
        mail.html().contains(&format!(
            "http://127.0.0.1:8080/invitations/accept?token={token}"
        )),
        "the email's button opens the console's page"
    );
    assert!(mail.message_id().ends_with("@siteward.localhost"));
    // The token is only in the email: storage keeps its hash.
    let stored = app
        .store
        .invitation_by_token_hash(&siteward_core::secret::token_hash(&token))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.token_hash, token);

    // The link works: preview, then sign up and accept.
    let preview = app
        .call(
            Method::GET,
            &format!("/v1/invitations/accept?token={token}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (preview.status, preview.body["account_exists"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(preview.body["partner_name"], "acme Installers");
    let accepted = accept_signed_up(&app, &token, "New Tech").await;
    assert_eq!(
        (accepted.status, accepted.body["status"].as_str()),
        (StatusCode::OK, Some("accepted")),
        "{}",
        accepted.body
    );
    let me = app
        .get("/v1/me", &app.token("new.tech@example.com").await)
        .await;
    assert_eq!(
        me.body["partners"][0],
        json!({
            "partner_id": acme.id,
            "role": "technician",
            "status": "active",
            "privileges": ["unattended_access"],
            "permissions": []
        })
    );
    // The message body is gone from storage once sent.
    let sent = app
        .get(
            &format!("/v1/partners/{}/outbox?status=sent", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(sent.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invite_expire_resend_accept_on_a_moving_clock() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let (acme, tech, site) = site_setup(&app).await;

    let invited = invite_to_site(&app, &acme, &site, &tech, "devices_only").await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let id = invited.body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    deliver(&app, &mailer).await;
    let first = smtp.to("tech@acme.example")[0].token();

    // Seven days later, to the second, the link no longer works, and the sweeper records it.
    app.clock.advance(chrono::Duration::days(7));
    let tech_session = app.token("tech@acme.example").await;
    let owner = app.token("owner@acme.example").await;
    let late = accept_as(&app, &first, &tech_session).await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::CONFLICT, "invitation_expired")
    );
    assert_eq!(sweep_once(&app.state).await.unwrap(), 1);
    let expired = app
        .get(
            &format!("/v1/sites/{site}/invitations?status=expired"),
            &owner,
        )
        .await;
    assert_eq!(expired.body["items"][0]["id"], id.as_str());
    let events = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=invitation.expired"),
            &owner,
        )
        .await;
    assert_eq!(events.body["items"][0]["actor"]["kind"], "system");

    // Resend: a fresh link; the old one stops working.
    let resent = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{id}/resend"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        (resent.status, resent.body["status"].as_str()),
        (StatusCode::OK, Some("pending")),
        "{}",
        resent.body
    );
    deliver(&app, &mailer).await;
    let second = smtp.to("tech@acme.example")[1].token();
    assert_ne!(first, second);
    let old = accept_as(&app, &first, &tech_session).await;
    assert_eq!(
        (old.status, old.code()),
        (StatusCode::NOT_FOUND, "invitation_not_found")
    );
    let ok = accept_as(&app, &second, &tech_session).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    // The assignment exists, Locked, at the offered level.
    let technicians = app
        .get(
            &format!("/v1/sites/{site}/technicians"),
            &app.token("admin@customer.example").await,
        )
        .await;
    let assignment = &technicians.body["items"][0];
    assert_eq!(
        (
            assignment["account_id"].as_str(),
            assignment["locked"].as_bool()
        ),
        (Some(tech.as_str()), Some(true))
    );
    assert_eq!(assignment["level"], "devices_only");
}

#[tokio::test]
async fn revoke_then_resend_then_accept_and_a_link_works_once() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let (acme, tech, site) = site_setup(&app).await;
    let tech_session = app.token("tech@acme.example").await;
    let id = invite_to_site(&app, &acme, &site, &tech, "full_excluding_users")
        .await
        .body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    deliver(&app, &mailer).await;
    let revoked = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{id}/revoke"),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(revoked.body["status"], "revoked");
    let again = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{id}/revoke"),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "invitation_not_pending")
    );
    let revoked_link = smtp.to("tech@acme.example")[0].token();
    let refused = accept_as(&app, &revoked_link, &tech_session).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "invitation_revoked")
    );

    app.call(
        Method::POST,
        &format!("/v1/invitations/{id}/resend"),
        Some(&acme.owner_token),
        None,
    )
    .await;
    deliver(&app, &mailer).await;
    let token = smtp.to("tech@acme.example")[1].token();

    // Someone else's session cannot use the link.
    let other = app.token("admin@customer.example").await;
    let wrong = accept_as(&app, &token, &other).await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::FORBIDDEN, "invitation_email_mismatch")
    );

    assert_eq!(
        accept_as(&app, &token, &tech_session).await.status,
        StatusCode::OK
    );
    let twice = accept_as(&app, &token, &tech_session).await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::CONFLICT, "invitation_used")
    );
    // Signing up with the used link says the same at once (not "log in to accept").
    let sign_up_again = accept_signed_up(&app, &token, "Someone").await;
    assert_eq!(
        (sign_up_again.status, sign_up_again.code()),
        (StatusCode::CONFLICT, "invitation_used")
    );
    let resend_accepted = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{id}/resend"),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(resend_accepted.code(), "invitation_accepted");
}

#[tokio::test]
async fn a_bulk_invitation_of_1000_addresses_reports_each_exactly() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    for n in 0..5 {
        app.member(&acme, &format!("member{n}@acme.example"), "technician")
            .await;
    }
    let open = invite(&app, &acme, &["pending@acme.example"], "technician").await;
    let open_id = open.body["results"][0]["invitation"]["id"].clone();

    let mut emails = Vec::new();
    let mut expected = Vec::new();
    for n in 0..1000 {
        let (email, outcome) = match n {
            n if n % 100 == 7 => (format!("not an address {n}"), "invalid_address"),
            n if n % 100 == 13 => (format!("USER{}@Example.com", n - 1), "duplicate_in_request"),
            n if n < 5 => (format!("member{n}@acme.example"), "already_member"),
            5 => ("pending@acme.example".to_owned(), "already_invited"),
            n => (format!("user{n}@example.com"), "invited"),
        };
        emails.push(email);
        expected.push(outcome);
    }
    let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
    let reply = invite(&app, &acme, &refs, "technician").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let outcomes: Vec<&str> = reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, expected);
    assert_eq!(
        reply.body["results"][5]["invitation"]["id"], open_id,
        "the open invitation is returned, not a new one"
    );
    let invited = expected.iter().filter(|o| **o == "invited").count();
    let (pending, _, _) = app.store.outbox_counts().await.unwrap();
    assert_eq!(
        pending as usize,
        invited + 1,
        "one email per new invitation, plus the earlier one"
    );

    let too_many = invite(&app, &acme, &vec!["a@example.com"; 1001], "technician").await;
    assert_eq!(too_many.body["error"]["field"], "emails");
}

#[tokio::test]
async fn asking_again_answers_with_the_open_invitation_and_sends_no_second_email() {
    let app = TestApp::new().await;
    let (acme, tech, site) = site_setup(&app).await;
    let first = invite_to_site(&app, &acme, &site, &tech, "devices_only").await;
    let second = invite_to_site(&app, &acme, &site, &tech, "devices_only").await;
    assert_eq!(
        first.body["invitations"][0]["id"],
        second.body["invitations"][0]["id"]
    );
    let (pending, _, _) = app.store.outbox_counts().await.unwrap();
    assert_eq!(pending, 1);
}

#[tokio::test]
async fn idempotency_keys_make_retries_safe() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let send = |body: Value| {
        let request = axum::http::Request::post(format!("/v1/partners/{}/invitations", acme.id))
            .header("authorization", format!("Bearer {}", acme.owner_token))
            .header("content-type", "application/json")
            .header("idempotency-key", "batch-42")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        app.send(request)
    };
    let body = json!({ "emails": ["a@example.com", "b@example.com"], "role": "admin" });
    let first = send(body.clone()).await;
    let retry = send(body).await;
    assert_eq!(first.body, retry.body);
    assert_eq!(
        retry.body["results"][0]["outcome"], "invited",
        "the retry repeats the first answer"
    );
    let (pending, _, _) = app.store.outbox_counts().await.unwrap();
    assert_eq!(pending, 2);
    let different = send(json!({ "emails": ["c@example.com"], "role": "admin" })).await;
    assert_eq!(
        (different.status, different.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_idempotency_key_all_get_the_winners_answer() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    for round in 0..4 {
        let key = format!("batch-{round}");
        let emails: Vec<String> = (0..20)
            .map(|n| format!("p{round}-{n}@example.com"))
            .collect();
        let body = json!({ "emails": emails, "role": "technician" });
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let request =
                    axum::http::Request::post(format!("/v1/partners/{}/invitations", acme.id))
                        .header("authorization", format!("Bearer {}", acme.owner_token))
                        .header("content-type", "application/json")
                        .header("idempotency-key", key.as_str())
                        .body(axum::body::Body::from(body.to_string()))
                        .unwrap();
                let router = app.router.clone();
                tokio::spawn(async move {
                    use tower::ServiceExt;
                    let response = router.oneshot(request).await.unwrap();
                    let status = response.status();
                    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .unwrap();
                    (status, serde_json::from_slice::<Value>(&bytes).unwrap())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        for (status, body) in &answers {
            assert_eq!(*status, StatusCode::OK, "{body}");
            assert_eq!(body, &answers[0].1);
        }
    }
    let (pending, _, _) = app.store.outbox_counts().await.unwrap();
    assert_eq!(pending, 80, "each address invited once");
}

#[tokio::test]
async fn site_invitations_are_all_or_nothing_and_the_picker_excludes_who_cannot_be_invited() {
    let app = TestApp::new().await;
    let (acme, tech, site) = site_setup(&app).await;
    let second = app.member(&acme, "second@acme.example", "admin").await;
    let site_admin = app
        .get("/v1/me", &app.token("admin@customer.example").await)
        .await
        .str("id");

    let candidates = app
        .get(
            &format!("/v1/sites/{site}/technician-candidates"),
            &acme.owner_token,
        )
        .await;
    let ids: Vec<&str> = candidates.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["account_id"].as_str().unwrap())
        .collect();
    // Every active member not at the site yet, the Super Admin included.
    let owner = app.get("/v1/me", &acme.owner_token).await.str("id");
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&tech.as_str()) && ids.contains(&second.as_str()));
    assert!(ids.contains(&owner.as_str()));
    let searched = app
        .get(
            &format!("/v1/sites/{site}/technician-candidates?q=SECOND"),
            &acme.owner_token,
        )
        .await;
    assert_eq!(searched.body["items"][0]["account_id"], second.as_str());
    assert_eq!(searched.body["items"].as_array().unwrap().len(), 1);

    // One bad pick (a site admin) and nothing is sent.
    let mixed = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            json!({
                "level": "full_including_users",
                "technicians": [{ "account_id": tech }, { "account_id": site_admin }],
            }),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mixed.body["error"]["field"], "technicians[1].account_id");
    let none = app
        .get(&format!("/v1/sites/{site}/invitations"), &acme.owner_token)
        .await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);

    // Apply-to-all level with one override.
    let both = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            json!({
                "level": "full_including_users",
                "technicians": [{ "account_id": tech }, { "account_id": second, "level": "none" }],
            }),
        )
        .await;
    assert_eq!(both.status, StatusCode::CREATED, "{}", both.body);
    let levels: Vec<&str> = both.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["full_including_users", "none"]);
    let after = app
        .get(
            &format!("/v1/sites/{site}/technician-candidates"),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        after.body["items"].as_array().unwrap().len(),
        1,
        "invited members are no longer offered: only the Super Admin is left"
    );
    // Who invited whom, when, until when.
    let listed = app
        .get(
            &format!("/v1/partners/{}/invitations?status=pending", acme.id),
            &acme.owner_token,
        )
        .await;
    let first = &listed.body["items"][0];
    assert!(
        first["invited_by"].is_string()
            && first["expires_at"].is_string()
            && first["created_at"].is_string()
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_message_id_then_given_up_visibly() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    invite(&app, &acme, &["flaky@example.com"], "technician").await;

    smtp.refuse_next(1);
    deliver(&app, &mailer).await;
    assert!(smtp.to("flaky@example.com").is_empty());
    let pending = app
        .get(
            &format!("/v1/partners/{}/outbox?status=pending", acme.id),
            &acme.owner_token,
        )
        .await;
    let message = &pending.body["items"][0];
    assert_eq!(message["attempts"], 1);
    assert!(message["last_error"].as_str().unwrap().contains("451"));
    // Not due yet: nothing happens until the clock passes the backoff.
    assert_eq!(deliver(&app, &mailer).await, 0);
    app.clock.advance(chrono::Duration::seconds(30));
    deliver(&app, &mailer).await;
    let arrived = smtp.to("flaky@example.com");
    assert_eq!(arrived.len(), 1);
    assert_eq!(
        format!("<{}>", arrived[0].message_id()),
        message["message_id"].as_str().unwrap()
    );

    // Three refusals in a row: the message is marked failed and shown to admins.
    invite(&app, &acme, &["doomed@example.com"], "technician").await;
    smtp.refuse_next(3);
    for _ in 0..3 {
        deliver(&app, &mailer).await;
        app.clock.advance(chrono::Duration::hours(1));
    }
    let failed = app
        .get(
            &format!("/v1/partners/{}/outbox?status=failed", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(failed.body["items"][0]["recipient"], "doomed@example.com");
    assert_eq!(failed.body["items"][0]["attempts"], 3);
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_email_at_once_and_shows_on_the_invitation() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    invite(&app, &acme, &["nobody-here@example.com"], "technician").await;
    let invitations = format!("/v1/partners/{}/invitations", acme.id);
    let listed = app.get(&invitations, &acme.owner_token).await;
    assert_eq!(
        listed.body["items"][0]["delivery"]["status"], "pending",
        "{}",
        listed.body
    );

    smtp.reject_next(1);
    assert_eq!(deliver(&app, &mailer).await, 1);
    // One attempt, no retry: a 5xx reply will not change.
    app.clock.advance(chrono::Duration::hours(1));
    assert_eq!(deliver(&app, &mailer).await, 0);
    let listed = app.get(&invitations, &acme.owner_token).await;
    let invitation = &listed.body["items"][0];
    assert_eq!(invitation["status"], "pending");
    assert_eq!(invitation["delivery"]["status"], "failed");
    assert_eq!(invitation["delivery"]["attempts"], 1);
    let error = invitation["delivery"]["last_error"].as_str().unwrap();
    assert!(
        error.contains("550") && error.contains("No such mailbox"),
        "{error}"
    );
    let one = app
        .get(
            &format!("/v1/invitations/{}", invitation["id"].as_str().unwrap()),
            &acme.owner_token,
        )
        .await;
    assert_eq!(one.body["delivery"]["status"], "failed", "{}", one.body);

    // Resent, the new email is what the invitation shows.
    let resent = app
        .call(
            Method::POST,
            &format!(
                "/v1/invitations/{}/resend",
                invitation["id"].as_str().unwrap()
            ),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.body);
    deliver(&app, &mailer).await;
    let listed = app.get(&invitations, &acme.owner_token).await;
    assert_eq!(
        listed.body["items"][0]["delivery"]["status"], "sent",
        "{}",
        listed.body
    );
}

#[tokio::test]
async fn a_message_claimed_by_a_worker_that_died_is_delivered_after_its_lease() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    invite(&app, &acme, &["patient@example.com"], "technician").await;
    // A worker claims the message and dies before sending it.
    let now = app.clock.now_time();
    let claimed = app
        .store
        .claim_due_messages(now, now + chrono::Duration::minutes(5), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(deliver(&app, &mailer).await, 0, "claimed by someone else");
    app.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(deliver(&app, &mailer).await, 1);
    assert_eq!(smtp.to("patient@example.com").len(), 1);
}

#[tokio::test]
async fn without_smtp_mail_is_written_to_eml_files() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::from_config(&MailConfig::default(), dir.path().to_owned()).unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    invite(&app, &acme, &["offline@example.com"], "admin").await;
    assert_eq!(deliver(&app, &mailer).await, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("To: offline@example.com"));
    assert!(text.contains("Subject: Owner invites you to join acme Installers"));
}

#[tokio::test]
async fn the_expiry_is_configurable_per_partner_within_bounds() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let path = format!("/v1/partners/{}", acme.id);
    let bad = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({ "invitation_ttl_hours": 721 })),
        )
        .await;
    assert_eq!(bad.body["error"]["field"], "invitation_ttl_hours");
    let ok = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({ "invitation_ttl_hours": 1 })),
        )
        .await;
    assert_eq!(ok.body["invitation_ttl_hours"], 1);
    let invited = invite(&app, &acme, &["quick@example.com"], "technician").await;
    let expires = invited.body["results"][0]["invitation"]["expires_at"]
        .as_str()
        .unwrap();
    let expected = (app.clock.now_time() + chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    assert_eq!(expires, expected);
}

#[tokio::test]
async fn inviting_again_after_expiry_sends_a_new_invitation_even_before_the_sweeper_runs() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let first = invite(&app, &acme, &["late@example.com"], "technician").await;
    let first_id = first.body["results"][0]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(chrono::Duration::days(7));
    let owner = app.token("owner@acme.example").await;
    let again = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &owner,
            json!({ "emails": ["late@example.com"], "role": "technician" }),
        )
        .await;
    assert_eq!(
        again.body["results"][0]["outcome"], "invited",
        "{}",
        again.body
    );
    assert_ne!(
        again.body["results"][0]["invitation"]["id"],
        first_id.as_str()
    );
    let old = app
        .get(&format!("/v1/invitations/{first_id}"), &owner)
        .await;
    assert_eq!(old.body["status"], "expired");
    let expired_events = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=invitation.expired",
                acme.id
            ),
            &owner,
        )
        .await;
    assert_eq!(expired_events.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        sweep_once(&app.state).await.unwrap(),
        0,
        "nothing left for the sweeper"
    );
}

#[tokio::test]
async fn one_technician_is_invited_to_many_sites_at_once_all_or_nothing() {
    let app = TestApp::new().await;
    let (acme, tech, first) = site_setup(&app).await;
    let second = app.site(&acme, "admin2@customer.example").await;
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;
    let foreign = app.site(&other, "admin@foreign.example").await;
    let path = format!("/v1/partners/{}/members/{tech}/site-invitations", acme.id);

    let refused = app
        .post(
            &path,
            &acme.owner_token,
            json!({ "site_ids": [first, foreign], "level": "devices_only" }),
        )
        .await;
    assert_eq!(
        refused.body["error"]["field"], "site_ids[1]",
        "{}",
        refused.body
    );
    assert_eq!(
        app.store.outbox_counts().await.unwrap().0,
        0,
        "nothing was sent"
    );

    let sent = app
        .post(
            &path,
            &acme.owner_token,
            json!({ "site_ids": [first, second], "level": "devices_only" }),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let sites: Vec<&str> = sent.body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["site_id"].as_str().unwrap())
        .collect();
    assert_eq!(sites, [first.as_str(), second.as_str()]);
    assert_eq!(app.store.outbox_counts().await.unwrap().0, 2);
    let again = app
        .post(
            &path,
            &acme.owner_token,
            json!({ "site_ids": [second], "level": "devices_only" }),
        )
        .await;
    assert_eq!(
        again.body["invitations"][0]["id"], sent.body["invitations"][1]["id"],
        "the open invitation, no second email"
    );
    assert_eq!(app.store.outbox_counts().await.unwrap().0, 2);
}

#[tokio::test]
async fn an_invitation_sets_up_the_members_privileges_counted_against_licences_at_acceptance() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let seats = app
        .call(
            Method::PUT,
            &format!("/v1/partners/{}/licences", acme.id),
            Some(&operator),
            // One seat for the Super Admin, who holds every privilege, and one left.
            Some(json!({ "remote_support": 2 })),
        )
        .await;
    assert_eq!(seats.status, StatusCode::OK, "{}", seats.body);
    let invitations = format!("/v1/partners/{}/invitations", acme.id);

    let unknown = app
        .post(
            &invitations,
            &acme.owner_token,
            json!({ "emails": ["x@example.com"], "role": "technician", "privileges": ["root"] }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.body["error"]["field"], "privileges",
        "{}",
        unknown.body
    );

    // Two invitations carry remote support; the licence has one seat left, which is not
    // taken until someone accepts.
    let sent = app
        .post(
            &invitations,
            &acme.owner_token,
            json!({
                "emails": ["ana@example.com", "bo@example.com"],
                "role": "technician",
                "privileges": ["remote_support"],
            }),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    for result in sent.body["results"].as_array().unwrap() {
        assert_eq!(
            result["invitation"]["privileges"],
            json!(["remote_support"])
        );
    }
    assert_eq!(deliver(&app, &mailer).await, 2);
    let token = |address: &str| smtp.to(address)[0].token();

    // Ana accepts: she holds exactly what the invitation set up, and the trail says so.
    let ana = accept_signed_up(&app, &token("ana@example.com"), "Ana").await;
    assert_eq!(ana.status, StatusCode::OK, "{}", ana.body);
    let members = app
        .get(
            &format!("/v1/partners/{}/members?search=ana", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        members.body["items"][0]["privileges"],
        json!(["remote_support"]),
        "{}",
        members.body
    );
    let added = app
        .get("/v1/audit-events?action=member.added", &operator)
        .await;
    let changes = added.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["target"]["id"] == ana.body["accepted_by"])
        .map(|e| e["changes"].clone())
        .unwrap_or_else(|| panic!("Ana's member.added in {}", added.body));
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "privileges" && c["after"] == "remote_support"),
        "{changes}"
    );

    // Bo's acceptance would need a second seat: refused as a whole, nothing written, and his
    // invitation stays open for when a seat is free.
    let bo = accept_signed_up(&app, &token("bo@example.com"), "Bo").await;
    assert_eq!(bo.status, StatusCode::CONFLICT, "{}", bo.body);
    assert_eq!(bo.code(), "licence_exhausted");
    let pending = app
        .get(&format!("{invitations}?status=pending"), &acme.owner_token)
        .await;
    let open: Vec<&str> = pending.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(open, ["bo@example.com"]);
    assert_eq!(
        app.login("bo@example.com", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "no account was made for him"
    );
}

#[tokio::test]
async fn an_invitation_puts_the_new_member_in_its_departments_at_acceptance() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    let department = |partner: &Partner, name: &str| {
        let (path, token) = (
            format!("/v1/partners/{}/departments", partner.id),
            partner.owner_token.clone(),
        );
        let name = name.to_owned();
        let app = &app;
        async move {
            let made = app.post(&path, &token, json!({ "name": name })).await;
            assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
            made.body["id"].as_str().unwrap().to_owned()
        }
    };
    let night = department(&acme, "Night shift").await;
    let day = department(&acme, "Day shift").await;
    let theirs = department(&globex, "Globex field team").await;
    let invitations = format!("/v1/partners/{}/invitations", acme.id);
    let invite_into = |departments: Vec<&str>| {
        app.post(
            &invitations,
            &acme.owner_token,
            json!({ "emails": ["nina@example.com"], "role": "technician", "departments": departments }),
        )
    };

    // Another partner's department, or one listed twice, is refused by its place; nothing is sent.
    for (departments, field) in [
        (vec![night.as_str(), theirs.as_str()], "departments[1]"),
        (vec![day.as_str(), day.as_str()], "departments[1]"),
        (vec!["no-such-department"], "departments[0]"),
    ] {
        let refused = invite_into(departments).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.body["error"]["field"], field, "{}", refused.body);
    }
    assert_eq!(deliver(&app, &mailer).await, 0);

    let sent = invite_into(vec![night.as_str(), day.as_str()]).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let invitation = &sent.body["results"][0]["invitation"];
    assert_eq!(
        invitation["departments"],
        json!([night, day]),
        "{invitation}"
    );
    deliver(&app, &mailer).await;
    let members = |department: String| {
        let path = format!("/v1/partners/{}/departments/{department}/members", acme.id);
        let token = acme.owner_token.clone();
        let app = &app;
        async move { app.get(&path, &token).await.body["account_ids"].clone() }
    };
    assert_eq!(
        members(night.clone()).await,
        json!([]),
        "nothing before acceptance"
    );

    // The day shift is gone before Nina accepts: she joins the night shift alone.
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/v1/partners/{}/departments/{day}", acme.id),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let token = smtp.to("nina@example.com")[0].token();
    let accepted = accept_signed_up(&app, &token, "Nina").await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let nina = app.token("nina@example.com").await;
    let nina_id = app.get("/v1/me", &nina).await.str("id");
    assert_eq!(members(night.clone()).await, json!([nina_id]));
    let log = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=department.member_added",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().unwrap().len(),
        1,
        "the membership is audited: {}",
        log.body
    );
}

#[tokio::test]
async fn grants_configured_for_an_invitation_become_the_new_members_at_acceptance() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let (group, till, _) = crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let safe = app
        .post(
            &format!("/v1/sites/{site}/devices"),
            &acme.owner_token,
            json!({ "name": "Safe" }),
        )
        .await
        .str("id");
    let invitations = format!("/v1/partners/{}/invitations", acme.id);
    let grants = format!("/v1/partners/{}/grants", acme.id);
    let invite = |email: &'static str, carried: Value| {
        app.post(
            &invitations,
            &acme.owner_token,
            json!({ "emails": [email], "role": "technician", "grants": carried }),
        )
    };

    // A grant the invitation cannot carry is refused by its place; nothing is sent.
    for (carried, field) in [
        (
            json!([{ "scope": { "kind": "group", "id": group }, "role": "full_device_access" },
                   { "scope": { "kind": "group", "id": group }, "role": "all_invitations" }]),
            "grants[1].role",
        ),
        (
            json!([{ "scope": { "kind": "site", "id": "no-such-site" }, "role": "full_device_access" }]),
            "grants[0].scope.id",
        ),
    ] {
        let refused = invite("nina@example.com", carried).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert_eq!(refused.body["error"]["field"], field, "{}", refused.body);
    }
    assert_eq!(deliver(&app, &mailer).await, 0);

    // Sent with the tills' group; while Nina has not accepted, the safe is configured too.
    let sent = invite(
        "nina@example.com",
        json!([{ "scope": { "kind": "group", "id": group }, "role": "full_device_access" }]),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let invitation = sent.body["results"][0]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let for_invitation = json!({ "kind": "invitation", "id": invitation });
    let later = app
        .post(
            &grants,
            &acme.owner_token,
            json!({ "subject": for_invitation, "scope": { "kind": "device", "id": safe },
                    "role": "full_device_access" }),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
    assert_eq!(later.body["subject"], for_invitation);
    let waiting = |body: &Value| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["subject"]["kind"] == "invitation")
            .count()
    };
    assert_eq!(waiting(&app.get(&grants, &acme.owner_token).await.body), 2);

    // Another partner cannot name Acme's invitation; a revoked invitation takes no grants.
    let theirs = app
        .post(
            &format!("/v1/partners/{}/grants", globex.id),
            &globex.owner_token,
            json!({ "subject": for_invitation, "scope": { "kind": "section", "id": "invitations" },
                    "role": "all_invitations" }),
        )
        .await;
    assert_eq!(
        theirs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        theirs.body
    );
    assert_eq!(theirs.body["error"]["field"], "subject.id");
    let omar = invite(
        "omar@example.com",
        json!([{ "scope": { "kind": "device", "id": till }, "role": "full_device_access" }]),
    )
    .await;
    let omar = omar.body["results"][0]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = app
        .post(
            &format!("/v1/invitations/{omar}/revoke"),
            &acme.owner_token,
            json!({}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let refused = app
        .post(
            &grants,
            &acme.owner_token,
            json!({ "subject": { "kind": "invitation", "id": omar },
                    "scope": { "kind": "device", "id": safe }, "role": "full_device_access" }),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.message().contains("pending invitation"),
        "{}",
        refused.body
    );

    // Nina accepts: both grants are hers in the acceptance, and the check says so.
    deliver(&app, &mailer).await;
    let token = smtp.to("nina@example.com")[0].token();
    let accepted = accept_signed_up(&app, &token, "Nina").await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let nina = app
        .get("/v1/me", &app.token("nina@example.com").await)
        .await
        .str("id");
    let listed = app.get(&grants, &acme.owner_token).await.body;
    assert_eq!(
        waiting(&listed),
        1,
        "Omar's revoked invitation's grant never took effect: {listed}"
    );
    let hers = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["subject"] == json!({ "kind": "technician", "id": nina }))
        .count();
    assert_eq!(hers, 2, "{listed}");
    // Devices take an unlocked assignment at their site as well: given, the grants decide.
    let assigned = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            json!({ "technicians": [{ "account_id": nina, "level": "devices_only" }] }),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.body);
    deliver(&app, &mailer).await;
    let token = smtp.to("nina@example.com").last().unwrap().token();
    let accepted = accept_as(&app, &token, &app.token("nina@example.com").await).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let site_admin = app.token("admin@customer.example").await;
    crate::technicians::set_locked(&app, &site, &site_admin, std::slice::from_ref(&nina), false)
        .await;
    for device in [&till, &safe] {
        let answer = app
            .post(
                "/v1/check",
                &acme.owner_token,
                json!({ "technician_id": nina, "permission": "device.reboot", "device_id": device }),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body["allowed"], true, "{}", answer.body);
        assert_eq!(answer.body["reason"], "granted_by_role", "{}", answer.body);
    }
    let log = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=invitation.accepted",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    let changes = log.body["items"][0]["changes"].to_string();
    assert!(
        changes.contains("\"grants\""),
        "the acceptance names the grants: {}",
        log.body
    );
}

#[tokio::test]
async fn a_new_site_starts_with_technician_access_off_and_accepted_access_waits_for_it() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let customer = app
        .post(
            &format!("/v1/partners/{}/customers", acme.id),
            &acme.owner_token,
            json!({ "name": "Customer" }),
        )
        .await
        .str("id");
    let site = app
        .post(
            &format!("/v1/partners/{}/sites", acme.id),
            &acme.owner_token,
            json!({ "customer_id": customer, "name": "Head office",
                    "admin": { "email": "admin@customer.example", "name": "Kim", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(site.status, StatusCode::CREATED, "{}", site.body);
    assert_eq!(site.body["technician_access"], false, "{}", site.body);
    let site = site.str("id");

    // The partner still invites (an invitation is not technician management), and the
    // technician accepts; the link and the access say the site is closed for now.
    let invited = invite_to_site(&app, &acme, &site, &tech, "devices_only").await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    deliver(&app, &mailer).await;
    let token = smtp.to("tech@acme.example")[0].token();
    let preview = app
        .call(
            Method::GET,
            &format!("/v1/invitations/accept?token={token}"),
            None,
            None,
        )
        .await;
    assert_eq!(preview.body["technician_access"], false, "{}", preview.body);
    let accepted = app
        .post(
            "/v1/invitations/accept",
            &app.token("tech@acme.example").await,
            json!({ "token": token }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let mine = app
        .get("/v1/me/sites", &app.token("tech@acme.example").await)
        .await;
    assert_eq!(
        mine.body["items"][0]["technician_access"], false,
        "{}",
        mine.body
    );
    let asked = json!({ "technician_id": tech, "permission": "dashboard.view", "site_id": site });
    let check = app
        .post("/v1/check", &acme.owner_token, asked.clone())
        .await;
    assert_eq!(
        check.body["reason"], "technician_access_off",
        "{}",
        check.body
    );

    // The site's admin switches it on: the access is there, Locked, as any new access.
    let admin = app.token("admin@customer.example").await;
    let on = app
        .call(
            Method::PATCH,
            &format!("/v1/sites/{site}"),
            Some(&admin),
            Some(json!({ "technician_access": true })),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let check = app.post("/v1/check", &acme.owner_token, asked).await;
    assert_eq!(check.body["reason"], "locked", "{}", check.body);
}

#[tokio::test]
async fn a_sites_admins_are_not_its_technicians_and_they_read_and_revoke_its_invitations() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = mailer(&smtp);
    let (acme, tech, site) = site_setup(&app).await;
    let admin = app.token("admin@customer.example").await;
    let make_admin = |email: &'static str| {
        let app = &app;
        let admin = admin.clone();
        let path = format!("/v1/sites/{site}/admins");
        async move {
            app.post(&path, &admin, json!({ "email": email, "name": "Tech" }))
                .await
        }
    };

    // Invited, then made the site's admin before accepting: the acceptance is refused.
    let invited = invite_to_site(&app, &acme, &site, &tech, "devices_only").await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let invitation = invited.body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    deliver(&app, &mailer).await;
    let token = smtp.to("tech@acme.example")[0].token();
    let made = make_admin("tech@acme.example").await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let accepted = app
        .post(
            "/v1/invitations/accept",
            &app.token("tech@acme.example").await,
            json!({ "token": token }),
        )
        .await;
    assert_eq!(
        (accepted.status, accepted.code()),
        (StatusCode::CONFLICT, "already_site_admin"),
        "{}",
        accepted.body
    );

    // An assigned technician cannot be made the site's admin: the same rule the other way.
    let second = app.member(&acme, "second@acme.example", "technician").await;
    invite_to_site(&app, &acme, &site, &second, "devices_only").await;
    deliver(&app, &mailer).await;
    let token = smtp.to("second@acme.example")[0].token();
    let accepted = app
        .post(
            "/v1/invitations/accept",
            &app.token("second@acme.example").await,
            json!({ "token": token }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let refused = make_admin("second@acme.example").await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "already_technician"),
        "{}",
        refused.body
    );

    // The site's admin reads and revokes an invitation to their site, as they list it; the
    // partner alone resends it.
    let third = app.member(&acme, "third@acme.example", "technician").await;
    let invited = invite_to_site(&app, &acme, &site, &third, "devices_only").await;
    let pending = invited.body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app.get(&format!("/v1/invitations/{pending}"), &admin).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let resent = app
        .post(
            &format!("/v1/invitations/{pending}/resend"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(resent.status, StatusCode::NOT_FOUND, "{}", resent.body);
    let revoked = app
        .post(
            &format!("/v1/invitations/{pending}/revoke"),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["status"], "revoked", "{}", revoked.body);
    // Another site's admin sees none of it.
    let operator = app.operator().await;
    let globex = app.partner(&operator, "globex").await;
    app.site(&globex, "other@customer.example").await;
    let other = app.token("other@customer.example").await;
    let hidden = app
        .get(&format!("/v1/invitations/{invitation}"), &other)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}
