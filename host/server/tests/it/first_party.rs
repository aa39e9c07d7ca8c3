//! The first-party plugins the host ships with: offered once to a fresh database and switched
//! on for everyone, the operator in charge afterwards; the invitation email arriving at a real
//! SMTP server in the partner's (or the request's) language with the partner's branding.

use std::path::PathBuf;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use siteward_server::config::{MailConfig, MailSecurity};
use siteward_server::mail::{Mailer, deliver_due};
use siteward_server::plugins::bundled::{Offer, ensure};

use super::smtp::TestSmtp;
use super::{Partner, TestApp};

fn smtp_mailer() -> (TestSmtp, Mailer) {
    let smtp = TestSmtp::start();
    let config = MailConfig {
        smtp_host: "127.0.0.1".to_owned(),
        smtp_port: smtp.port,
        security: MailSecurity::None,
        ..MailConfig::default()
    };
    (smtp, Mailer::from_config(&config, PathBuf::new()).unwrap())
}

async fn invite_technician(app: &TestApp, acme: &Partner, site: &str, email: &str, extra: Value) {
    let id = app.member(acme, email, "technician").await;
    let mut body = json!({ "technicians": [{ "account_id": id, "level": "devices_only" }] });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let invited = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            body,
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
}

#[tokio::test]
async fn a_site_invitation_arrives_in_the_partners_language_with_its_branding() {
    let app = TestApp::new().await;
    let offers = ensure(&app.state).await.unwrap();
    assert!(
        offers.contains(&("invitation-email", Offer::Installed("1.0.0".to_owned()))),
        "{offers:?}"
    );
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let path = format!("/v1/partners/{}", acme.id);

    for (body, field) in [
        (
            json!({ "branding": { "accent_colour": "green" } }),
            "branding.accent_colour",
        ),
        (
            json!({ "branding": { "logo_url": "http://acme.example/logo.png" } }),
            "branding.logo_url",
        ),
        (
            json!({ "branding": { "support_contact": "call us" } }),
            "branding.support_contact",
        ),
        (json!({ "locale": "korean!" }), "locale"),
    ] {
        let refused = app
            .call(Method::PATCH, &path, Some(&acme.owner_token), Some(body))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(refused.body.to_string().contains(field), "{}", refused.body);
    }
    let branded = app
        .call(
            Method::PATCH,
            &path,
            Some(&acme.owner_token),
            Some(json!({
                "locale": "ko",
                "branding": {
                    "display_name": "Acme Korea",
                    "logo_url": "https://acme.example/logo.png",
                    "accent_colour": "#0A7D4F",
                    "support_contact": "help@acme.example",
                },
            })),
        )
        .await;
    assert_eq!(branded.status, StatusCode::OK, "{}", branded.body);
    assert_eq!(branded.body["branding"]["accent_colour"], "#0a7d4f");
    assert_eq!(branded.body["locale"], "ko");

    let (smtp, mailer) = smtp_mailer();
    let site = app.site(&acme, "admin@customer.example").await;
    invite_technician(&app, &acme, &site, "jun@acme.example", json!({})).await;
    invite_technician(
        &app,
        &acme,
        &site,
        "lena@acme.example",
        json!({ "locale": "de-AT" }),
    )
    .await;
    assert_eq!(deliver_due(&app.state, &mailer).await.unwrap(), 2);

    let mail = &smtp.to("jun@acme.example")[0];
    assert_eq!(
        mail.subject(),
        "Acme Korea에서 Head office 사이트에 초대합니다"
    );
    assert!(
        mail.text().contains("장치 전용 권한 수준"),
        "{}",
        mail.text()
    );
    assert!(mail.text().contains("까지 유효합니다"), "{}", mail.text());
    let html = mail.html();
    for part in [
        "lang=\"ko\"",
        "https://acme.example/logo.png",
        "#0a7d4f",
        "mailto:help@acme.example",
        "초대 수락",
    ] {
        assert!(html.contains(part), "{part} in {html}");
    }
    let german = &smtp.to("lena@acme.example")[0];
    assert_eq!(
        german.subject(),
        "Acme Korea lädt Sie zum Standort Head office ein"
    );

    // The link in the localized email works.
    let accepted = app
        .post(
            "/v1/invitations/accept",
            &app.token("jun@acme.example").await,
            json!({ "token": mail.token() }),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);

    let audit = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=partner.updated",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    let changes = audit.body["items"][0]["changes"].to_string();
    assert!(changes.contains("branding.accent_colour"), "{changes}");
    assert!(changes.contains("\"after\":\"ko\""), "{changes}");
}

#[tokio::test]
async fn first_party_plugins_are_offered_once_and_the_operator_stays_in_charge() {
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let operator = app.operator().await;
    let listed = app.get("/v1/plugins/invitation-email", &operator).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["bindings"][0]["scope"], "all");
    assert_eq!(listed.body["bindings"][0]["enabled"], true);

    let again = ensure(&app.state).await.unwrap();
    assert!(
        again.iter().all(|(_, offer)| *offer == Offer::Kept),
        "{again:?}"
    );

    let removed = app
        .call(
            Method::DELETE,
            "/v1/plugins/invitation-email",
            Some(&operator),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    ensure(&app.state).await.unwrap();
    let gone = app.get("/v1/plugins/invitation-email", &operator).await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "removed stays removed: {}",
        gone.body
    );
}

#[tokio::test]
async fn a_lock_reaches_the_super_admins_inbox_and_an_acceptance_the_site_admins() {
    use siteward_server::notify::notify_once;

    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    // The hooks start reading here.
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let (acme, site, site_admin, techs) = super::technicians::site_with_technicians(&app, 1).await;
    app.member(&acme, "admin@acme.example", "admin").await;
    for locked in [false, true] {
        let reply = app
            .post(
                &format!("/v1/sites/{site}/technicians/lock"),
                &site_admin,
                json!({ "account_ids": techs, "locked": locked }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    let queued = notify_once(&app.state).await.unwrap();
    assert_eq!(
        queued, 2,
        "the lock to the Super Admin, the acceptance to the site admin"
    );
    let (smtp, mailer) = smtp_mailer();
    assert_eq!(deliver_due(&app.state, &mailer).await.unwrap(), 2);

    let owner = smtp.to("owner@acme.example");
    assert_eq!(
        owner.len(),
        1,
        "the Super Admin hears of the lock, not of their own changes"
    );
    assert_eq!(
        owner[0].subject(),
        "Technician management: a technician was locked"
    );
    assert!(owner[0].text().contains(&site), "{}", owner[0].text());
    assert!(
        owner[0].text().contains("locked: false -> true"),
        "{}",
        owner[0].text()
    );
    let waiting = smtp.to("admin@customer.example");
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0].subject(),
        "A technician is waiting for you to unlock their access"
    );
    assert!(
        smtp.to("admin@acme.example").is_empty(),
        "an Admin is not a Super Admin"
    );

    // Nothing twice: not on this host, not on another one sharing the database.
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    assert_eq!(
        notify_once(&app.second_host().await.state).await.unwrap(),
        0
    );
}
