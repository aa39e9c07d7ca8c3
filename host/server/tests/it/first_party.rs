//! The first-party plugins the host ships with: offered once to a fresh database and switched
//! on for everyone, the operator in charge afterwards; the invitation email arriving at a real
//! SMTP server in the partner's (or the request's) language with the partner's branding.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use siteward_server::mail::{Mailer, deliver_due};
use siteward_server::plugins::bundled::{Offer, ensure};

use super::smtp::TestSmtp;
use super::technicians::set_locked;
use super::{Partner, TestApp};

fn smtp_mailer() -> (TestSmtp, Mailer) {
    let smtp = TestSmtp::start();
    let mailer = smtp.mailer();
    (smtp, mailer)
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
    let installed = |version: &str, switched_on| Offer::Installed {
        version: version.to_owned(),
        switched_on,
    };
    assert!(
        offers.contains(&("invitation-email", installed("1.1.0", true))),
        "{offers:?}"
    );
    assert!(
        offers.contains(&("webhook", installed("1.1.0", false))),
        "the webhook hook waits for a target: {offers:?}"
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
    let webhook = app.get("/v1/plugins/webhook", &operator).await;
    assert_eq!(webhook.status, StatusCode::OK, "{}", webhook.body);
    assert_eq!(webhook.body["bindings"], json!([]), "{}", webhook.body);

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
        set_locked(&app, &site, &site_admin, &techs, locked).await;
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
    // People and places by name, with links to where the reader acts and to their alerts.
    let text = owner[0].text();
    for expected in [
        "A technician was locked by Site Admin (admin@customer.example).",
        "Who: Member (tech0@acme.example)",
        "Site: Head office",
        "locked: false -> true",
        &format!("Review: http://127.0.0.1:8080/sites/{site}/technicians"),
        "You receive this as a Super Admin of acme Installers.",
        &format!(
            "Choose whether you get these alerts: http://127.0.0.1:8080/partners/{}/settings",
            acme.id
        ),
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    let waiting = smtp.to("admin@customer.example");
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0].subject(),
        "Member (tech0@acme.example) waits for you to unlock their access to Head office"
    );
    let text = waiting[0].text();
    for expected in [
        "Member (tech0@acme.example) accepted access to Head office for acme Installers",
        &format!("Unlock: http://127.0.0.1:8080/sites/{site}/technicians"),
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
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

/// A webhook receiver on loopback: it keeps every request and answers 503 to the first.
#[derive(Clone, Default)]
pub struct Receiver(std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>);

impl Receiver {
    pub async fn start() -> (Self, u16) {
        let receiver = Self::default();
        let kept = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let kept = kept.clone();
                async move {
                    let mut requests = kept.0.lock().unwrap();
                    requests.push((headers, body));
                    if requests.len() == 1 {
                        StatusCode::SERVICE_UNAVAILABLE
                    } else {
                        StatusCode::NO_CONTENT
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, port)
    }

    pub fn requests(&self) -> Vec<(axum::http::HeaderMap, String)> {
        self.0.lock().unwrap().clone()
    }
}

/// Checks a `Siteward-Signature` as a receiver would, from the README's description alone.
pub fn signature_holds(secret: &str, header: &str, body: &str) -> bool {
    use hmac::{Hmac, Mac};
    let Some((t, v1)) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    data_encoding::HEXLOWER
        .decode(v1.as_bytes())
        .is_ok_and(|sent| mac.verify_slice(&sent).is_ok())
}

#[tokio::test]
async fn a_webhook_arrives_signed_is_retried_and_refused_where_it_must_not_go() {
    use siteward_server::config::{WebhookTargetConfig, WebhooksConfig};
    use siteward_server::notify::notify_once;
    use siteward_server::webhooks::{Deliverer, deliver_due};

    const SECRET: &str = "a-secret-shared-with-the-receiver";
    let (receiver, port) = Receiver::start().await;
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let (acme, site, site_admin, techs) = super::technicians::site_with_technicians(&app, 1).await;
    let operator = app.operator().await;
    let target = |name: &str, url: String, partners: &[&str]| WebhookTargetConfig {
        name: name.to_owned(),
        url,
        secret: SECRET.to_owned(),
        partners: partners.iter().map(|p| (*p).to_owned()).collect(),
    };
    let targets = vec![
        target("siem", format!("http://127.0.0.1:{port}/hook"), &[&acme.id]),
        target("named", format!("http://localhost:{port}/hook"), &["*"]),
        target(
            "elsewhere",
            format!("http://127.0.0.1:{port}/hook"),
            &["ptn_other"],
        ),
    ];
    // The test's receiver is on loopback: one deliverer is allowed to call it, one is not.
    let allowed = Deliverer::from_config(&WebhooksConfig {
        targets: targets.clone(),
        allow_networks: vec!["127.0.0.1/32".to_owned()],
        retry_initial_seconds: 0,
        ..WebhooksConfig::default()
    })
    .unwrap();
    let guarded = Deliverer::from_config(&WebhooksConfig {
        targets,
        ..WebhooksConfig::default()
    })
    .unwrap();
    let lock = |locked| set_locked(&app, &site, &site_admin, &techs, locked);
    let point_at = |target: &'static str| {
        let (app, operator, acme) = (&app, &operator, &acme);
        async move {
            let reply = app
                .call(
                    Method::PUT,
                    &format!("/v1/partners/{}/plugins/webhook", acme.id),
                    Some(operator),
                    Some(json!({ "enabled": true, "config": { "target": target, "events": "assignment.*" } })),
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
    };

    // Delivered, signed, after one retry; both attempts carry the same delivery id.
    notify_once(&app.state).await.unwrap();
    point_at("siem").await;
    lock(false).await;
    notify_once(&app.state).await.unwrap();
    assert_eq!(deliver_due(&app.state, &allowed).await.unwrap(), 2);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 2, "a 503, then a retry");
    let (headers, body) = &requests[1];
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    assert_eq!(
        header("siteward-delivery"),
        requests[0].0["siteward-delivery"]
    );
    assert_eq!(header("siteward-event"), "assignment.unlocked");
    assert_eq!(header("content-type"), "application/json");
    assert!(
        signature_holds(SECRET, &header("siteward-signature"), body),
        "{}",
        header("siteward-signature")
    );
    assert!(!signature_holds(
        "another-secret-of-some-length",
        &header("siteward-signature"),
        body
    ));
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "assignment.unlocked");
    assert_eq!(event["site_id"], site.as_str());
    assert_eq!(event["target"]["id"], techs[0].as_str());
    assert_eq!(
        event["changes"][0],
        json!({ "field": "locked", "before": "true", "after": "false" })
    );

    // A name that resolves to loopback is refused when no allowed block covers it.
    point_at("named").await;
    lock(true).await;
    notify_once(&app.state).await.unwrap();
    assert_eq!(deliver_due(&app.state, &guarded).await.unwrap(), 1);
    // A target whose allow-list does not name the partner is not called either.
    point_at("elsewhere").await;
    lock(false).await;
    notify_once(&app.state).await.unwrap();
    assert_eq!(deliver_due(&app.state, &allowed).await.unwrap(), 1);
    assert_eq!(
        receiver.requests().len(),
        2,
        "nothing more reached the receiver"
    );

    let log = app
        .get(
            &format!("/v1/partners/{}/webhook-deliveries", acme.id),
            &operator,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{}", log.body);
    assert_eq!(items[0]["status"], "delivered");
    assert_eq!(items[0]["attempts"], 2);
    assert_eq!(items[0]["last_status"], 204);
    assert_eq!(items[1]["status"], "failed");
    assert_eq!(items[1]["attempts"], 1, "a refusal is not retried");
    let refusal = items[1]["last_error"].as_str().unwrap();
    assert!(
        refusal.contains("localhost resolves to") && refusal.contains("loopback"),
        "{refusal}"
    );
    assert_eq!(items[2]["status"], "failed");
    let refusal = items[2]["last_error"].as_str().unwrap();
    assert!(
        refusal.contains("does not accept this partner"),
        "{refusal}"
    );

    let failed = app
        .get(
            &format!(
                "/v1/partners/{}/webhook-deliveries?status=failed&target=named",
                acme.id
            ),
            &operator,
        )
        .await;
    assert_eq!(
        failed.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        failed.body
    );
    let bad = app
        .get(
            &format!("/v1/partners/{}/webhook-deliveries?status=lost", acme.id),
            &operator,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let other = app.partner(&operator, "other").await;
    let hidden = app
        .get(
            &format!("/v1/partners/{}/webhook-deliveries", acme.id),
            &other.owner_token,
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
}

#[tokio::test]
async fn a_digest_gathers_a_recipients_notifications_over_its_window() {
    use siteward_server::notify::{notify_once, send_digests};

    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let (acme, site, site_admin, techs) = super::technicians::site_with_technicians(&app, 1).await;
    notify_once(&app.state).await.unwrap();
    let (smtp, mailer) = smtp_mailer();
    deliver_due(&app.state, &mailer).await.unwrap();
    let before = smtp.to("owner@acme.example").len();
    let operator = app.operator().await;
    let reply = app
        .call(
            Method::PUT,
            &format!("/v1/partners/{}/plugins/owner-notifier", acme.id),
            Some(&operator),
            Some(json!({ "enabled": true, "config": { "digest_minutes": "30" } })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for locked in [false, true, false, true] {
        set_locked(&app, &site, &site_admin, &techs, locked).await;
    }
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        2,
        "two locks held for the Super Admin"
    );
    assert_eq!(
        send_digests(&app.state).await.unwrap(),
        0,
        "the window is open"
    );
    assert_eq!(deliver_due(&app.state, &mailer).await.unwrap(), 0);

    app.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(send_digests(&app.state).await.unwrap(), 1);
    assert_eq!(send_digests(&app.state).await.unwrap(), 0, "sent once");
    assert_eq!(
        send_digests(&app.second_host().await.state).await.unwrap(),
        0,
        "not by another host either"
    );
    assert_eq!(deliver_due(&app.state, &mailer).await.unwrap(), 1);
    let owner = smtp.to("owner@acme.example");
    assert_eq!(owner.len(), before + 1);
    let digest = owner.last().unwrap();
    assert_eq!(digest.subject(), "2 notifications for acme Installers");
    let text = digest.text();
    assert!(
        text.contains("1. Technician management: a technician was locked")
            && text.contains("2. Technician management: a technician was locked"),
        "{text}"
    );
}

#[tokio::test]
async fn a_partner_sets_the_settings_its_plugins_let_partners_set_and_no_others() {
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    let settings = format!("/v1/partners/{}/plugins/invitation-email/settings", acme.id);
    let put = |token: &str, body: Value| {
        let app = &app;
        let settings = settings.clone();
        let token = token.to_owned();
        async move {
            app.call(Method::PUT, &settings, Some(&token), Some(body))
                .await
        }
    };

    // The footer is the partner's to set; the next email carries it.
    let saved = put(
        &acme.owner_token,
        json!({ "config": { "footer": "Acme Installers, 1 Main St" } }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["enabled"], true, "still running: {}", saved.body);
    assert_eq!(saved.body["config"]["footer"], "Acme Installers, 1 Main St");
    app.invite(&acme, &["new@acme.example"]).await;
    let (smtp, mailer) = smtp_mailer();
    deliver_due(&app.state, &mailer).await.unwrap();
    let text = smtp.to("new@acme.example")[0].text();
    assert!(text.contains("Acme Installers, 1 Main St"), "{text}");

    // A setting the manifest keeps for the operator is refused, naming it; nothing changes.
    let refused = put(
        &acme.owner_token,
        json!({ "config": { "footer": "changed", "console_url": "https://evil.example" } }),
    )
    .await;
    assert_eq!(
        (refused.status, refused.body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("config.console_url")),
        "{}",
        refused.body
    );
    let refused = app
        .call(
            Method::PUT,
            &format!("/v1/partners/{}/plugins/owner-notifier/settings", acme.id),
            Some(&acme.owner_token),
            Some(json!({ "config": { "console_url": "https://evil.example" } })),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );

    // Not for a technician of the partner, and another partner does not see it.
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    assert!(!tech.is_empty());
    let tech = app.token("tech@acme.example").await;
    let forbidden = put(&tech, json!({ "config": { "footer": "x" } })).await;
    assert_eq!(
        forbidden.status,
        StatusCode::FORBIDDEN,
        "{}",
        forbidden.body
    );
    let hidden = put(&globex.owner_token, json!({ "config": { "footer": "x" } })).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    let audit = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=plugin.binding_changed",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        audit.body
    );
}
