//! What a notification hook may ask for, with a real component (`test-noisy-hook`) and a real
//! SMTP server: only its partner's people and the operator's allowed addresses, within a limit
//! per event and per hour, a refusal audited as the hook's failure; and one partner's spinning
//! hook does not hold up another's notifications.

use axum::http::StatusCode;
use serde_json::{Value, json};

use siteward_server::Settings;
use siteward_server::mail::deliver_due;
use siteward_server::notify::{Notifier, notify_once};
use siteward_server::plugins::hooks::{AllowedRecipients, HookSettings};

use super::plugins::manifest;
use super::smtp::TestSmtp;
use super::{Partner, TestApp};

async fn app_with(hooks: HookSettings) -> (TestApp, String) {
    app_installed(Settings {
        hooks,
        ..Settings::defaults()
    })
    .await
}

/// A host with these settings and `test-noisy-hook` installed; its operator's token.
async fn app_installed(settings: Settings) -> (TestApp, String) {
    let app = TestApp::with_settings(settings).await;
    let operator = app.operator().await;
    let installed = app
        .install(&operator, "test-noisy-hook", manifest("test-noisy-hook"))
        .await;
    assert_eq!(installed.status, StatusCode::CREATED, "{}", installed.body);
    (app, operator)
}

/// Switches `test-noisy-hook` on for `partner` with `config`.
async fn bind(app: &TestApp, operator: &str, partner: &Partner, config: Value) {
    let reply = app
        .call(
            axum::http::Method::PUT,
            &format!("/v1/partners/{}/plugins/test-noisy-hook", partner.id),
            Some(operator),
            Some(json!({ "enabled": true, "config": config })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// The partner's `plugin.call_failed` events, as text.
async fn failures(app: &TestApp, partner: &Partner) -> Vec<String> {
    let log = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=plugin.call_failed",
                partner.id
            ),
            &partner.owner_token,
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect()
}

#[tokio::test]
async fn a_hook_writes_to_its_partners_people_and_the_allowed_addresses_only() {
    let (app, operator) = app_with(HookSettings {
        allowed: AllowedRecipients::parse(&["@noc.example"]).unwrap(),
        ..HookSettings::default()
    })
    .await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    app.member(&globex, "tech@globex.example", "technician")
        .await;
    app.site(&acme, "admin@acme-site.example").await;
    bind(
        &app,
        &operator,
        &acme,
        json!({ "to": "tech@acme.example, admin@acme-site.example, desk@noc.example, \
                       tech@globex.example, anyone@elsewhere.example" }),
    )
    .await;
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        0,
        "hooks start here"
    );

    let invited = app.invite(&acme, &["new@acme.example"]).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        3,
        "a member, an admin of a site the partner serves, an allowed address"
    );
    let smtp = TestSmtp::start();
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    for address in [
        "tech@acme.example",
        "admin@acme-site.example",
        "desk@noc.example",
    ] {
        assert_eq!(smtp.to(address).len(), 1, "{address}");
    }
    for address in ["tech@globex.example", "anyone@elsewhere.example"] {
        assert!(smtp.to(address).is_empty(), "{address} is not acme's");
    }
    // The refusal is audited as the hook's failure, naming whom it was refused.
    let failed = failures(&app, &acme).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    for expected in [
        "refused",
        "tech@globex.example",
        "anyone@elsewhere.example",
        "hook_allowed_recipients",
    ] {
        assert!(failed[0].contains(expected), "{expected} in {}", failed[0]);
    }
}

#[tokio::test]
async fn a_hook_is_held_to_its_deliveries_per_event_and_per_hour() {
    let (app, operator) = app_with(HookSettings {
        per_event: 10,
        per_hour: 25,
        ..HookSettings::default()
    })
    .await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    app.member(&globex, "tech@globex.example", "technician")
        .await;
    bind(
        &app,
        &operator,
        &acme,
        json!({ "to": "tech@acme.example", "count": "11" }),
    )
    .await;
    bind(
        &app,
        &operator,
        &globex,
        json!({ "to": "tech@globex.example", "count": "5" }),
    )
    .await;
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        0,
        "hooks start here"
    );

    // Eleven emails for one event: none of them.
    app.invite(&acme, &["a@acme.example"]).await;
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let failed = failures(&app, &acme).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].contains("refused")
            && failed[0].contains("more than 10 deliveries for one event"),
        "{}",
        failed[0]
    );

    // Five events of five: the hour's 25 go out; the sixth event's would pass it.
    let five: Vec<String> = (0..5).map(|n| format!("n{n}@globex.example")).collect();
    let five: Vec<&str> = five.iter().map(String::as_str).collect();
    app.invite(&globex, &five).await;
    assert_eq!(notify_once(&app.state).await.unwrap(), 25);
    app.invite(&globex, &["sixth@globex.example"]).await;
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let failed = failures(&app, &globex).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].contains("limit of 25 an hour") && failed[0].contains("25 so far"),
        "{}",
        failed[0]
    );
    // Each partner's volume is its own, and the next hour starts again.
    app.clock.advance(chrono::Duration::hours(1));
    app.invite(&globex, &["later@globex.example"]).await;
    assert_eq!(notify_once(&app.state).await.unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partners_spinning_hook_does_not_hold_up_another_partners_notifications() {
    let (app, operator) = app_with(HookSettings::default()).await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    app.member(&globex, "tech@globex.example", "technician")
        .await;
    bind(&app, &operator, &acme, json!({ "mode": "spin" })).await;
    bind(
        &app,
        &operator,
        &globex,
        json!({ "to": "tech@globex.example" }),
    )
    .await;
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        0,
        "hooks start here"
    );
    // Each of acme's events spins to the hook's 1 s deadline, until it is quarantined (5).
    let six: Vec<String> = (0..6).map(|n| format!("n{n}@acme.example")).collect();
    let six: Vec<&str> = six.iter().map(String::as_str).collect();
    app.invite(&acme, &six).await;
    app.invite(&globex, &["new@globex.example"]).await;

    let round = tokio::spawn({
        let state = app.state.clone();
        async move { notify_once(&state).await.unwrap() }
    });
    // globex's notification is queued while acme's hook is still spinning.
    let notified = "invitation.created (0)".to_owned();
    let mut waited = 0;
    while !app.subjects(&globex).await.contains(&notified) {
        assert!(
            !round.is_finished(),
            "globex's notification waited for acme's hook"
        );
        assert!(waited < 400, "globex's notification never came");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        waited += 1;
    }
    assert!(
        !round.is_finished(),
        "globex's notification waited for acme's hook"
    );
    assert_eq!(round.await.unwrap(), 1);
    let failed = failures(&app, &acme).await;
    assert_eq!(failed.len(), 5, "{failed:?}");
    assert!(failed.iter().all(|f| f.contains("deadline")), "{failed:?}");
}

#[tokio::test]
async fn hook_rounds_run_only_when_an_event_was_written_since_the_last_caught_up() {
    let (app, operator) = app_with(HookSettings::default()).await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    bind(&app, &operator, &acme, json!({ "to": "tech@acme.example" })).await;
    let mut notifier = Notifier::default();
    // The first round starts the hook's feed (it does not replay history); the second finds
    // nothing new and is caught up; nothing is read after that until an event is written.
    assert_eq!(notifier.tick(&app.state).await.unwrap(), Some(0));
    assert_eq!(notifier.tick(&app.state).await.unwrap(), Some(0));
    assert_eq!(notifier.tick(&app.state).await.unwrap(), None);

    let invited = app.invite(&acme, &["new@acme.example"]).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert_eq!(notifier.tick(&app.state).await.unwrap(), Some(1));
    assert_eq!(notifier.tick(&app.state).await.unwrap(), None);

    // More events on one chain than a round reads: the rounds go on without a new write.
    let addresses: Vec<String> = (0..250).map(|n| format!("bulk{n}@acme.example")).collect();
    let addresses: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let invited = app.invite(&acme, &addresses).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let first = notifier.tick(&app.state).await.unwrap().unwrap();
    assert!(first < 250, "a round reads a batch per chain: {first}");
    let rest = notifier.tick(&app.state).await.unwrap().unwrap();
    assert_eq!(first + rest, 250);
    assert_eq!(notifier.tick(&app.state).await.unwrap(), None);
}

#[tokio::test]
async fn on_a_shared_database_hook_rounds_run_when_any_host_wrote_an_event() {
    let shared = || Settings {
        shared_storage: true,
        ..Settings::defaults()
    };
    let (a, operator) = app_installed(shared()).await;
    let acme = a.partner(&operator, "acme").await;
    a.member(&acme, "tech@acme.example", "technician").await;
    bind(&a, &operator, &acme, json!({ "to": "tech@acme.example" })).await;
    // The hooks run on another host than the one the events are written through.
    let b = a.another_host(shared()).await;
    let mut notifier = Notifier::default();
    assert_eq!(notifier.tick(&b.state).await.unwrap(), Some(0));
    assert_eq!(notifier.tick(&b.state).await.unwrap(), Some(0));
    assert_eq!(notifier.tick(&b.state).await.unwrap(), None);

    let invited = a.invite(&acme, &["new@acme.example"]).await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    // The database tells the watching host after the commit: soon, not at once.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let queued = loop {
        if let Some(queued) = notifier.tick(&b.state).await.unwrap() {
            break queued;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no round ran after another host wrote an event"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert_eq!(queued, 1);
    // Caught up: nothing runs until the next write.
    let mut more = 0;
    while let Some(queued) = notifier.tick(&b.state).await.unwrap() {
        more += queued;
    }
    assert_eq!(more, 0);
    assert_eq!(notifier.tick(&b.state).await.unwrap(), None);
}
