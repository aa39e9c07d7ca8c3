//! Upgrades from every released schema: each release leaves a backup of a small world in
//! `storage/tests/fixtures/<version>.surql` (with the ids the test asks about beside it, in
//! `<version>.json`). Each restores into a fresh database, migrates to this version, verifies
//! its audit chains, and serves: a host on it answers checks as the world was built to.
//!
//! The current version's fixture must exist. To write it (once per release, or after a
//! schema change before the release), run this test with `SITEWARD_WRITE_UPGRADE_FIXTURE=1`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::TimeZone;
use serde_json::{Value, json};
use siteward_server::{AppState, Settings, router};
use siteward_storage::{Store, StoreConfig};

use super::technicians::{check, set_locked, site_with_technicians};
use super::{ManualClock, PASSWORD, TestApp};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../storage/tests/fixtures")
}

/// The world a release's fixture holds: a partner, a site with its admin, a technician whose
/// access is unlocked and one whose access is still locked, a pending invitation, the audit
/// trail of all of it, and the first-party plugins as a host installs them.
async fn write_fixture(to: &Path) {
    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let (acme, site, admin, techs) = site_with_technicians(&app, 2).await;
    set_locked(&app, &site, &admin, &techs[..1], false).await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["pending@acme.example"], "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    siteward_server::backup::export_to(&app.store, to)
        .await
        .unwrap();
    let ids = json!({ "site": site, "unlocked": techs[0], "locked": techs[1] });
    std::fs::write(
        to.with_extension("json"),
        serde_json::to_string_pretty(&ids).unwrap() + "\n",
    )
    .unwrap();
}

#[tokio::test]
async fn every_released_schema_restores_migrates_to_this_one_and_serves_its_world() {
    let current = fixtures().join(format!("{}.surql", env!("CARGO_PKG_VERSION")));
    if std::env::var_os("SITEWARD_WRITE_UPGRADE_FIXTURE").is_some() {
        write_fixture(&current).await;
    }
    let mut releases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "surql"))
        .collect();
    releases.sort();
    assert!(
        releases.contains(&current),
        "version {} has no upgrade fixture: write it with SITEWARD_WRITE_UPGRADE_FIXTURE=1",
        env!("CARGO_PKG_VERSION")
    );
    for release in releases {
        let name = release.display().to_string();
        let store = Store::connect(&StoreConfig::memory()).await.unwrap();
        let restored = siteward_server::backup::restore(&store, &release, None)
            .await
            .unwrap();
        assert!(
            restored.intact && restored.chains > 0,
            "{name}: {restored:?}"
        );
        store.migrate().await.unwrap();
        assert!(
            store.pending_migrations().await.unwrap().is_empty(),
            "{name}"
        );
        let clock = Arc::new(ManualClock(Mutex::new(
            chrono::Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap(),
        )));
        let state = AppState::new(store.clone(), clock.clone(), Settings::defaults())
            .await
            .unwrap();
        let app = TestApp {
            router: router(state.clone(), 64 * 1024),
            state,
            store,
            clock,
        };
        let ids: Value =
            serde_json::from_str(&std::fs::read_to_string(release.with_extension("json")).unwrap())
                .unwrap();
        let text = |key: &str| ids[key].as_str().unwrap().to_owned();
        let admin = app.login("admin@customer.example", PASSWORD).await;
        assert_eq!(admin.status, StatusCode::OK, "{name}: {}", admin.body);
        let admin = admin.str("token");
        let allowed = check(
            &app,
            &admin,
            &text("site"),
            &text("unlocked"),
            "devices.edit",
        )
        .await;
        assert_eq!(
            (&allowed.body["allowed"], &allowed.body["reason"]),
            (&json!(true), &json!("granted_by_level")),
            "{name}"
        );
        let locked = check(&app, &admin, &text("site"), &text("locked"), "devices.view").await;
        assert_eq!(locked.body["reason"], "locked", "{name}");
        let owner = app.token("owner@acme.example").await;
        let partners = app.get("/v1/partners", &app.operator().await).await;
        assert_eq!(
            partners.body["items"][0]["name"], "acme Installers",
            "{name}"
        );
        let invitations = app
            .get(
                &format!(
                    "/v1/partners/{}/invitations?status=pending",
                    partners.body["items"][0]["id"].as_str().unwrap()
                ),
                &owner,
            )
            .await;
        assert_eq!(invitations.status, StatusCode::OK, "{name}");
        assert_eq!(
            invitations.body["items"][0]["email"], "pending@acme.example",
            "{name}: {}",
            invitations.body
        );

        // The seats in use (kept as counts since 0035) are the active members holding each
        // privilege, whichever schema the database came from.
        let partner = partners.body["items"][0]["id"].as_str().unwrap();
        let members = app
            .get(&format!("/v1/partners/{partner}/members"), &owner)
            .await;
        let licences = app
            .get(&format!("/v1/partners/{partner}/licences"), &owner)
            .await;
        for licence in licences.body["licences"].as_array().unwrap() {
            let holders = members.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| {
                    m["status"] == "active"
                        && m["privileges"]
                            .as_array()
                            .unwrap()
                            .contains(&licence["privilege"])
                })
                .count();
            assert_eq!(licence["in_use"], holders, "{name}: {licence}");
            assert!(
                holders > 0,
                "{name}: the fixture has holders of every privilege"
            );
        }
    }
}
