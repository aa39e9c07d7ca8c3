//! Several hosts on one database: a permission change committed through one host is respected
//! by every other host's next request — hosts sharing the embedded engine in this process, and
//! two `siteward` processes on a real SurrealDB server over `ws://`.

use siteward_server::Settings;

use super::TestApp;
use super::technicians::{check, set_locked, site_with_technicians};

fn shared() -> Settings {
    Settings {
        shared_storage: true,
        ..Settings::defaults()
    }
}

/// The answer to "may the technician view devices at the site", and why.
async fn answer(app: &TestApp, admin: &str, site: &str, tech: &str) -> (bool, String) {
    let reply = check(app, admin, site, tech, "devices.view").await;
    (
        reply.body["allowed"].as_bool().unwrap(),
        reply.body["reason"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn hosts_sharing_a_database_follow_each_others_permission_changes() {
    let a = TestApp::with_settings(shared()).await;
    // The second host starts before anything exists: all it knows later, it learnt from the
    // change log.
    let b = a.another_host(shared()).await;
    let (_acme, site, admin, techs) = site_with_technicians(&a, 1).await;
    let tech = &techs[0];
    assert_eq!(answer(&b, &admin, &site, tech).await.1, "locked");

    set_locked(&a, &site, &admin, &techs, false).await;
    assert!(
        answer(&b, &admin, &site, tech).await.0,
        "unlocked through a"
    );
    set_locked(&b, &site, &admin, &techs, true).await;
    assert_eq!(
        answer(&a, &admin, &site, tech).await.1,
        "locked",
        "locked through b"
    );

    // A host whose missed changes were pruned from the log rebuilds its index from storage.
    set_locked(&a, &site, &admin, &techs, false).await;
    a.store
        .prune_access_changes(std::time::Duration::ZERO)
        .await
        .unwrap();
    assert!(
        a.store
            .access_changes_since(0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        answer(&b, &admin, &site, tech).await.0,
        "rebuilt with the unlock"
    );
    set_locked(&b, &site, &admin, &techs, true).await;
    assert_eq!(answer(&a, &admin, &site, tech).await.1, "locked");
}

#[tokio::test]
async fn the_change_log_holds_each_write_once_in_commit_order_and_only_when_shared() {
    let alone = TestApp::new().await;
    let (_, site, admin, techs) = site_with_technicians(&alone, 1).await;
    set_locked(&alone, &site, &admin, &techs, false).await;
    assert_eq!(
        alone.store.access_revision().await.unwrap(),
        0,
        "an embedded host logs nothing"
    );

    let app = TestApp::with_settings(shared()).await;
    let (_, site, admin, techs) = site_with_technicians(&app, 2).await;
    let before = app.store.access_revision().await.unwrap();
    set_locked(&app, &site, &admin, &techs, false).await;
    set_locked(&app, &site, &admin, &techs[..1], true).await;
    let logged = app.store.access_changes_since(before, 10).await.unwrap();
    assert_eq!(
        logged.iter().map(|l| l.revision).collect::<Vec<_>>(),
        [before + 1, before + 2]
    );
    assert_eq!(
        logged[0].changes.len(),
        2,
        "one change per technician unlocked"
    );
    assert_eq!(logged[1].changes.len(), 1);
    assert_eq!(app.store.access_revision().await.unwrap(), before + 2);
}
