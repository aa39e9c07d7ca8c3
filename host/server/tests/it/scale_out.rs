//! Several hosts on one database: a permission change committed through one host is respected
//! by every other host's next request — hosts sharing the embedded engine in this process, and
//! two `siteward` processes on a real SurrealDB server over `ws://`.

use serde_json::{Value, json};
use siteward_server::Settings;
use siteward_storage::test_server::{Profile, SurrealServer};

use super::technicians::{check, set_locked, site_with_technicians};
use super::{TestApp, socket};

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

/// The server's id of the session `db` speaks in.
async fn session_id(
    db: &surrealdb::Surreal<surrealdb::engine::any::Any>,
) -> surrealdb::types::Value {
    db.query("RETURN $session.id")
        .await
        .and_then(|mut r| r.take::<surrealdb::types::Value>(0))
        .unwrap()
}

#[tokio::test]
async fn clones_of_a_store_on_a_surrealdb_server_speak_in_its_one_session() {
    let server = tokio::task::spawn_blocking(|| SurrealServer::start(Profile::Debug))
        .await
        .unwrap();
    let store = siteward_storage::Store::connect(&server.config())
        .await
        .unwrap();
    let first = session_id(store.surreal()).await;
    // A clone of SurrealDB's own handle is a session of its own, signed in again: the server
    // verifies the root password (argon2) once more. Every request clones the store.
    let own = store.surreal().clone();
    assert_ne!(session_id(&own).await, first);
    let clone = store.clone();
    let elsewhere = tokio::spawn(async move { session_id(clone.surreal()).await });
    assert_eq!(elsewhere.await.unwrap(), first);
    assert_eq!(session_id(store.clone().surreal()).await, first);
}

#[test]
fn two_siteward_processes_on_a_surrealdb_server_respect_each_others_changes_at_once() {
    let server = SurrealServer::start(Profile::Debug);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let host_a = socket::start_with(dir_a.path(), &server.host_env());
    // The second host starts once the first has set the database up (migrations, operator).
    let host_b = socket::start_with(dir_b.path(), &server.host_env());
    let (a, b) = (host_a.address.as_str(), host_b.address.as_str());

    let operator = socket::login(a, &socket::first_password(&host_a));
    let partner = socket::create_partner(a, &operator, "Acme", "owner@acme.example");
    let id = partner["id"].as_str().unwrap();
    let owner = socket::login_as(b, "owner@acme.example", "correct horse battery");
    let (status, body) = socket::request(
        b,
        "POST",
        &format!("/v1/partners/{id}/members"),
        Some(&owner),
        Some(&json!({
            "email": "x@acme.example", "name": "X", "password": "correct horse battery", "role": "admin",
        })),
    );
    assert_eq!(status, 201, "{body}");
    let x = body["account_id"].as_str().unwrap().to_owned();
    let x_session = socket::login_as(a, "x@acme.example", "correct horse battery");
    let member = format!("/v1/partners/{id}/members/{x}");
    // Reading the webhook delivery log takes managing members: Admins may, Technicians not.
    let deliveries = format!("/v1/partners/{id}/webhook-deliveries");
    let lists = |host: &str| socket::request(host, "GET", &deliveries, Some(&x_session), None).0;
    let change = |host: &str, change: Value| {
        socket::request(host, "PATCH", &member, Some(&owner), Some(&change)).0
    };

    // Created through b, an Admin at once through a.
    assert_eq!(lists(a), 200);
    // Made a Technician through a: b refuses the very next request.
    assert_eq!(change(a, json!({ "role": "technician" })), 200);
    assert_eq!(lists(b), 403);
    // Made an Admin again through b: a lets the very next request through.
    assert_eq!(change(b, json!({ "role": "admin" })), 200);
    assert_eq!(lists(a), 200);
    // Disabled through a: refused by b.
    assert_eq!(change(a, json!({ "status": "disabled" })), 200);
    assert_ne!(lists(b), 200);

    // Requests that arrive together share a read of the change log's revision: 64 requests
    // from 16 clients at once make at most one read each (fewer when they overlap: the figure
    // is printed), and each still saw the change made through the other host just before.
    let reads = || revision_reads(a, &operator);
    let before = reads();
    assert_eq!(change(b, json!({ "status": "active" })), 200);
    let answered: Vec<u16> = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..16)
            .map(|_| scope.spawn(|| (0..4).map(|_| lists(a)).collect::<Vec<_>>()))
            .collect();
        clients
            .into_iter()
            .flat_map(|client| client.join().unwrap())
            .collect()
    });
    assert_eq!(answered, vec![200; 64]);
    let made = reads() - before;
    eprintln!("64 concurrent requests made {made} reads of the revision");
    assert!((1..=64).contains(&made), "{made} reads");
}

/// What `siteward_permission_revision_reads_total` says on `host`.
fn revision_reads(host: &str, operator: &str) -> u64 {
    let (status, text) = socket::get_text(host, "/metrics", Some(operator));
    assert_eq!(status, 200, "{text}");
    text.lines()
        .find_map(|line| line.strip_prefix("siteward_permission_revision_reads_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no revision reads in {text}"))
}

#[tokio::test]
async fn a_host_watching_the_audit_chains_on_a_surrealdb_server_hears_of_another_hosts_writes() {
    use futures_util::StreamExt;

    let server = tokio::task::spawn_blocking(|| SurrealServer::start(Profile::Debug))
        .await
        .unwrap();
    let writer = siteward_storage::Store::open(&server.config())
        .await
        .unwrap();
    let watcher = siteward_storage::Store::connect(&server.config())
        .await
        .unwrap();
    let mut changes = watcher.watch_audit_chains().await.unwrap();
    siteward_server::operator::create_operator(
        &writer,
        "ops@watch.example",
        "Ops",
        "correct horse battery",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let change = tokio::time::timeout(std::time::Duration::from_secs(10), changes.next())
        .await
        .expect("the watching host heard of the write within 10 s");
    assert!(matches!(change, Some(Ok(()))), "{change:?}");
}
