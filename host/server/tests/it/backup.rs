//! `siteward backup` and `siteward restore` with the real binary: a backup downloaded from a
//! host while it writes restores elsewhere consistent and with every audit chain verifying;
//! one taken of a stopped host restores equal, table by table.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::json;
use siteward_storage::{Store, StoreConfig};

use super::socket::{
    create_partner, first_password, login, login_as, request, start_with, terminate,
};

fn siteward(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_siteward"))
        .args(args)
        .env("SITEWARD_DATA_DIR", data_dir)
        .envs(env.iter().copied())
        .output()
        .expect("the siteward binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The embedded database of a stopped host.
async fn open(data_dir: &Path) -> Store {
    Store::connect(&StoreConfig {
        url: format!("surrealkv://{}", data_dir.join("db").display()),
        namespace: "siteward".to_owned(),
        database: "siteward".to_owned(),
        credentials: None,
    })
    .await
    .unwrap()
}

/// Every table's records, in id order, as SurrealQL text.
async fn tables(store: &Store) -> std::collections::BTreeMap<String, String> {
    let db = store.surreal();
    let names: Vec<String> = db
        .query("RETURN object::keys((INFO FOR DB).tables)")
        .await
        .unwrap()
        .take(0)
        .unwrap();
    let mut tables = std::collections::BTreeMap::new();
    for name in names {
        let rows: Option<String> = db
            .query("RETURN <string> (SELECT * FROM type::table($table) ORDER BY id)")
            .bind(("table", name.clone()))
            .await
            .unwrap()
            .take(0)
            .unwrap();
        tables.insert(name, rows.unwrap());
    }
    tables
}

async fn count(store: &Store, sql: &str) -> i64 {
    store
        .surreal()
        .query(sql)
        .await
        .unwrap()
        .take::<Option<i64>>(0)
        .unwrap()
        .unwrap()
}

#[test]
fn a_backup_taken_while_the_host_writes_restores_whole_and_every_chain_verifies() {
    let folder = tempfile::tempdir().unwrap();
    let source = folder.path().join("source");
    let host = start_with(&source, &[]);
    let operator = login(&host.address, &first_password(&host));
    // Partners with sites and invitations; the first-party plugins came installed.
    let mut owners = Vec::new();
    for n in 0..3 {
        let owner = format!("owner@p{n}.example");
        let partner = create_partner(&host.address, &operator, &format!("P{n}"), &owner);
        let owner_token = login_as(&host.address, &owner, "correct horse battery");
        let id = partner["id"].as_str().unwrap().to_owned();
        let (status, customer) = request(
            &host.address,
            "POST",
            &format!("/v1/partners/{id}/customers"),
            Some(&owner_token),
            Some(&json!({ "name": "Customer" })),
        );
        assert_eq!(status, 201, "{customer}");
        let (status, site) = request(
            &host.address,
            "POST",
            &format!("/v1/partners/{id}/sites"),
            Some(&owner_token),
            Some(&json!({ "customer_id": customer["id"], "name": "Office",
                "admin": { "email": format!("admin@c{n}.example"), "name": "A", "password": "correct horse battery" } })),
        );
        assert_eq!(status, 201, "{site}");
        let emails: Vec<String> = (0..20).map(|i| format!("t{i}@p{n}.example")).collect();
        let (status, body) = request(
            &host.address,
            "POST",
            &format!("/v1/partners/{id}/invitations"),
            Some(&owner_token),
            Some(&json!({ "emails": emails, "role": "technician" })),
        );
        assert_eq!(status, 200, "{body}");
        owners.push((id, owner_token));
    }

    // Invitations go on being written while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written) = (stop.clone(), written.clone());
        let address = host.address.clone();
        let (partner, token) = owners[0].clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed);
                let (status, body) = request(
                    &address,
                    "POST",
                    &format!("/v1/partners/{partner}/invitations"),
                    Some(&token),
                    Some(
                        &json!({ "emails": [format!("late{n}@p0.example")], "role": "technician" }),
                    ),
                );
                assert_eq!(status, 200, "{body}");
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 3 {
        std::thread::yield_now();
    }
    let before = written.load(Ordering::Relaxed);
    let file = folder.path().join("during.surql");
    // Without the operator's token the host refuses.
    let refused = siteward(
        &source,
        &[
            "backup",
            "--to",
            file.to_str().unwrap(),
            "--from-host",
            &format!("http://{}", host.address),
        ],
        &[("SITEWARD_TOKEN", &owners[0].1)],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("403"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!file.exists());
    let backup = siteward(
        &source,
        &[
            "backup",
            "--to",
            file.to_str().unwrap(),
            "--from-host",
            &format!("http://{}", host.address),
        ],
        &[("SITEWARD_TOKEN", &operator)],
    );
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(
        text(&backup.stderr).contains("MiB in"),
        "{}",
        text(&backup.stderr)
    );
    let during = written.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(during > before, "the host wrote while the backup was taken");
    terminate(host);

    // Restored into a new folder: consistent, and every chain verifies.
    let restored = folder.path().join("restored");
    let restore = siteward(
        &restored,
        &["restore", "--from", file.to_str().unwrap()],
        &[],
    );
    assert!(
        restore.status.success(),
        "{}{}",
        text(&restore.stdout),
        text(&restore.stderr)
    );
    assert!(
        text(&restore.stdout).contains("audit chain(s) verified"),
        "{}",
        text(&restore.stdout)
    );
    // A second restore into the same (no longer empty) database is refused.
    let again = siteward(
        &restored,
        &["restore", "--from", file.to_str().unwrap()],
        &[],
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("not empty"),
        "{}",
        text(&again.stderr)
    );

    // A backup of the stopped host, offline, restores equal table by table.
    let offline = folder.path().join("after.surql");
    let backup = siteward(&source, &["backup", "--to", offline.to_str().unwrap()], &[]);
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    let again = folder.path().join("again");
    let restore = siteward(
        &again,
        &["restore", "--from", offline.to_str().unwrap()],
        &[],
    );
    assert!(restore.status.success(), "{}", text(&restore.stderr));
    // (Each folder is opened once, here: the host and the commands are done with them.)
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let (original, copy, offline) = (
            open(&source).await,
            open(&restored).await,
            open(&again).await,
        );
        let (all, some) = (tables(&original).await, tables(&copy).await);
        // What nobody changed while the backup was taken came back exactly.
        for table in [
            "partner", "site", "customer", "site_admin", "account", "partner_member", "plugin",
            "bundled_plugin", "migration",
        ] {
            assert!(all.contains_key(table), "{table}");
            assert_eq!(some.get(table), all.get(table), "{table}");
        }
        // The snapshot is one moment: each invitation in it has its creation event (written
        // in the invitation's transaction), whatever the writer was doing.
        let invitations = count(&copy, "RETURN array::len(SELECT VALUE id FROM invitation)").await;
        let created = count(
            &copy,
            "RETURN array::len(SELECT VALUE id FROM audit_event WHERE action = 'invitation.created')",
        )
        .await;
        assert_eq!(invitations, created);
        let in_source = count(&original, "RETURN array::len(SELECT VALUE id FROM invitation)").await;
        assert!((60..=in_source).contains(&invitations), "{invitations} of {in_source}");
        // The offline backup's copy is the source, table by table.
        assert_eq!(tables(&offline).await, all);
        // Seats in use are kept by an event on memberships, which a restore does not run:
        // the counts come back as they were, not counted twice, and match the members.
        let held = "RETURN math::sum(SELECT VALUE held FROM licence_use)";
        let holders = "RETURN math::sum(SELECT VALUE array::len(privileges) FROM partner_member \
                       WHERE status = 'active')";
        for store in [&original, &copy, &offline] {
            assert_eq!(count(store, held).await, count(&original, holders).await);
        }
        assert!(count(&original, held).await > 0);
    });

    // A file cut short is refused before anything is loaded.
    let cut = folder.path().join("cut.surql");
    let bytes = std::fs::read(&offline).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let empty = folder.path().join("empty");
    let refused = siteward(&empty, &["restore", "--from", cut.to_str().unwrap()], &[]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("cut short"),
        "{}",
        text(&refused.stderr)
    );
}
