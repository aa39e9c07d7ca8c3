//! Workers told to stop — what SIGTERM does to each (the binary's own SIGTERM is tested in
//! `socket`, with email delivery, and `export` has the audit stream): the notification hooks
//! and the sweeper finish the round in hand, and what follows finds nothing left undone and
//! does nothing twice.

use std::time::Duration;

use axum::http::StatusCode;
use tokio_util::sync::CancellationToken;

use siteward_server::mail::deliver_due;
use siteward_server::notify::{notify_once, run_notifications};
use siteward_server::plugins::bundled::ensure;
use siteward_server::sweeper::{run_sweeper, sweep_once};

use super::TestApp;
use super::smtp::TestSmtp;
use super::technicians::{set_locked, site_with_technicians};

/// Runs a worker, tells it to stop as soon as it has started its round, and waits for it.
async fn stopped_mid_round(
    worker: impl Future<Output = ()> + Send + 'static,
    stop: &CancellationToken,
) {
    let task = tokio::spawn(worker);
    tokio::task::yield_now().await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(120), task)
        .await
        .expect("a worker told to stop ends after its round")
        .unwrap();
}

#[tokio::test]
async fn the_hooks_told_to_stop_finish_their_round_and_nothing_is_sent_twice() {
    let app = TestApp::new().await;
    ensure(&app.state).await.unwrap();
    assert_eq!(
        notify_once(&app.state).await.unwrap(),
        0,
        "the hooks start here"
    );
    let (_, site, site_admin, techs) = site_with_technicians(&app, 3).await;
    for locked in [false, true, false, true] {
        set_locked(&app, &site, &site_admin, &techs, locked).await;
    }
    let stop = CancellationToken::new();
    stopped_mid_round(
        run_notifications(app.state.clone(), Duration::from_secs(3600), stop.clone()),
        &stop,
    )
    .await;
    // The round was whole: nothing is left for the next one, and nothing is redone.
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let smtp = TestSmtp::start();
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let to_owner = smtp.to("owner@acme.example");
    assert_eq!(
        to_owner.len(),
        6,
        "two locks of three technicians, each told once"
    );
    let ids: std::collections::BTreeSet<String> = to_owner.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), 6);
}

#[tokio::test]
async fn the_sweeper_told_to_stop_finishes_its_round_and_expires_each_invitation_once() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    // More than two of the sweeper's batches (500 each).
    app.invite_many(&acme, "t", "acme.example", 1_200).await;
    app.clock.advance(chrono::Duration::days(8));
    let stop = CancellationToken::new();
    stopped_mid_round(
        run_sweeper(app.state.clone(), Duration::from_secs(3600), stop.clone()),
        &stop,
    )
    .await;
    assert_eq!(
        sweep_once(&app.state).await.unwrap(),
        0,
        "nothing left undone"
    );
    // Each invitation expired once: one event each.
    let owner = app.token("owner@acme.example").await;
    let mut expired = std::collections::BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!(
                    "/v1/partners/{}/audit-events?action=invitation.expired&limit=200{cursor}",
                    acme.id
                ),
                &owner,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for event in page.body["items"].as_array().unwrap() {
            assert!(expired.insert(event["target"]["id"].as_str().unwrap().to_owned()));
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(expired.len(), 1_200);
}
