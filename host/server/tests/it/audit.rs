//! The tamper-evident audit trail through the API and the command line: every tenant's chain
//! verifies after real work, tampering is reported at the first broken link to whoever may
//! see it, and retention keeps what remains verifiable behind a signed checkpoint.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};

use siteward_server::{AuditSettings, Settings};
use siteward_storage::{Store, StoreConfig};

use super::plugins::siteward;
use super::technicians::site_with_technicians;
use super::{Reply, TestApp};

const KEY: &str = "a checkpoint key of at least 32 characters";

fn chain<'a>(report: &'a Reply, name: &str) -> &'a Value {
    report.body["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chain"] == name)
        .unwrap_or_else(|| panic!("no chain {name} in {}", report.body))
}

/// Changes a stored event behind the host's back.
async fn tamper(store: &Store, sql: &str, chain: &str) {
    store.tamper_with_chain(chain, sql).await;
}

#[tokio::test]
async fn every_tenant_chain_verifies_and_tampering_is_reported_to_those_who_may_see_it() {
    let app = TestApp::new().await;
    let (acme, site, site_admin, techs) = site_with_technicians(&app, 2).await;
    let locked = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            &site_admin,
            json!({ "account_ids": [techs[0]], "locked": false }),
        )
        .await;
    assert_eq!(locked.status, StatusCode::OK, "{}", locked.body);
    let operator = app.operator().await;
    let other = app.partner(&operator, "other").await;

    let report = app.get("/v1/audit-events/verify", &operator).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.body["intact"], true, "{}", report.body);
    let site_chain = format!("site/{site}");
    let partner_chain = format!("partner/{}", acme.id);
    for name in ["platform", partner_chain.as_str(), site_chain.as_str()] {
        let c = chain(&report, name);
        assert_eq!(c["intact"], true);
        assert!(c["events_checked"].as_u64().unwrap() > 0, "{c}");
        assert_eq!(c["events_checked"], c["head"]["seq"]);
    }

    // The site's chain holds what happened there: invitations, acceptances, the unlock.
    let site_events = chain(&report, &site_chain)["events_checked"]
        .as_u64()
        .unwrap();
    assert!(site_events >= 5, "{site_events}");

    // Who may see a chain may verify it; another partner's is invisible.
    let own = app
        .get(
            &format!("/v1/partners/{}/audit-events/verify", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        own.body["chains"].as_array().unwrap().len(),
        1,
        "{}",
        own.body
    );
    assert_eq!(own.body["chains"][0]["chain"], partner_chain.as_str());
    let at_site = app
        .get(
            &format!("/v1/sites/{site}/audit-events/verify"),
            &site_admin,
        )
        .await;
    assert_eq!(at_site.body["chains"][0]["chain"], site_chain.as_str());
    let foreign = app
        .get(
            &format!("/v1/partners/{}/audit-events/verify", acme.id),
            &other.owner_token,
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.body);
    let technician = app.token("tech0@acme.example").await;
    let refused = app.get("/v1/audit-events/verify", &technician).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    // An invitation's acceptance rewritten: found at its position, with the event named.
    tamper(
        &app.store,
        "UPDATE audit_event SET actor_id = 'someone-else' \
         WHERE chain = $chain AND action = 'invitation.accepted' AND seq > 1",
        &site_chain,
    )
    .await;
    let report = app.get("/v1/audit-events/verify", &operator).await;
    assert_eq!(report.body["intact"], false);
    assert_eq!(
        chain(&report, &partner_chain)["intact"],
        true,
        "other chains hold"
    );
    let broken = &chain(&report, &site_chain)["first_broken_link"];
    assert_eq!(broken["problem"], "altered", "{broken}");
    assert!(broken["event_id"].is_string());
    let listed = app
        .get(
            &format!("/v1/sites/{site}/audit-events?action=invitation.accepted"),
            &site_admin,
        )
        .await;
    let first_accepted = listed.body["items"][0]["id"].clone();
    assert_eq!(
        broken["event_id"], first_accepted,
        "the first rewritten event"
    );
    let at_site = app
        .get(
            &format!("/v1/sites/{site}/audit-events/verify"),
            &site_admin,
        )
        .await;
    assert_eq!(at_site.body["intact"], false);
}

fn retaining_settings(key: &str) -> Settings {
    Settings {
        audit: AuditSettings {
            checkpoint_key: Some(Arc::from(key.as_bytes())),
            retention: Some(chrono::Duration::days(30)),
        },
        ..Settings::defaults()
    }
}

#[tokio::test]
async fn retention_drops_old_events_behind_a_signed_checkpoint_and_the_rest_still_verifies() {
    let app = TestApp::with_settings(retaining_settings(KEY)).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "early@acme.example", "technician").await;
    app.clock.advance(chrono::Duration::days(31));
    let acme = super::Partner {
        owner_token: app.token("owner@acme.example").await,
        ..acme
    };
    let operator = app.operator().await;
    app.member(&acme, "late@acme.example", "technician").await;
    let path = format!("/v1/partners/{}/audit-events", acme.id);
    let before = app.get(&path, &acme.owner_token).await.body["items"]
        .as_array()
        .unwrap()
        .len();

    let dropped = siteward_server::audit::apply_retention(&app.state)
        .await
        .unwrap();
    assert!(dropped > 0);
    let again = siteward_server::audit::apply_retention(&app.state)
        .await
        .unwrap();
    assert_eq!(again, 0, "nothing more is old enough");

    let events = app.get(&path, &acme.owner_token).await;
    let actions: Vec<&str> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"audit.retention_applied"), "{actions:?}");
    assert!(
        actions.len() < before,
        "old events are gone: {actions:?} (had {before})"
    );
    let report = app.get("/v1/audit-events/verify", &operator).await;
    assert_eq!(report.body["intact"], true, "{}", report.body);
    let partner_chain = format!("partner/{}", acme.id);
    let checkpoint = &chain(&report, &partner_chain)["checkpoint"];
    assert!(checkpoint["seq"].as_u64().unwrap() > 0, "{checkpoint}");

    // Another key, or a checkpoint moved by hand, does not vouch for the cut.
    let forged = siteward_server::audit::verify(
        &app.store,
        &siteward_core::audit::AuditScope::Platform,
        Some(b"another key of at least 32 characters!"),
    )
    .await
    .unwrap();
    assert!(!forged.intact);
    tamper(
        &app.store,
        "UPDATE type::record('audit_checkpoint', $chain) SET seq = seq + 1",
        &partner_chain,
    )
    .await;
    let report = app.get("/v1/audit-events/verify", &operator).await;
    assert_eq!(
        chain(&report, &partner_chain)["first_broken_link"]["problem"],
        "forged_checkpoint",
        "{}",
        report.body
    );
}

#[test]
fn the_command_line_verifies_and_exits_with_1_on_a_broken_chain() {
    let data = tempfile::tempdir().unwrap();
    for n in 0..3 {
        let email = format!("ops{n}@siteward.example");
        let (ok, out) = siteward(data.path(), &["operator", "create", "--email", &email]);
        assert!(ok, "{out}");
    }
    let (ok, out) = siteward(data.path(), &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("platform  3 event(s) checked, head 3  intact"),
        "{out}"
    );
    assert!(out.contains("all 1 chain(s) intact"), "{out}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = StoreConfig {
            url: format!("surrealkv://{}", data.path().join("db").display()),
            ..StoreConfig::memory()
        };
        let store = Store::open(&config).await.unwrap();
        tamper(
            &store,
            "DELETE audit_event WHERE chain = $chain AND seq = 2",
            "platform",
        )
        .await;
        // The engine releases the folder in the background once the handle is gone.
        drop(store);
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    });
    drop(runtime);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let out = loop {
        let (ok, out) = siteward(data.path(), &["audit", "verify"]);
        if !out.contains("opening the database") || std::time::Instant::now() > deadline {
            assert!(!ok, "a broken chain exits with a failure: {out}");
            break out;
        }
    };
    assert!(out.contains("BROKEN at 2"), "{out}");
    assert!(out.contains("(missing)"), "{out}");
    let (_, json) = siteward(data.path(), &["audit", "verify", "--json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["chains"][0]["first_broken_link"]["seq"], 2);
}
