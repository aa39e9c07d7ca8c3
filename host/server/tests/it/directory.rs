//! Directory import and sync against a real OpenLDAP server: a private `slapd` from Debian's
//! packages, with its own configuration and database in a temporary folder, on a free port on
//! loopback. It answers five entries at most to a search that does not page, so a directory of
//! a dozen people is read whole only through the paged results control. The tests drive the
//! console's real routes and change the directory behind the host's back with `ldap3`, as an
//! administrator would with their own tools.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use ldap3::{LdapConnAsync, Mod};
use serde_json::{Value, json};

use super::console::{open, signed_in};
use super::sso::{connection_of, settings};
use super::{Partner, TestApp};

pub(crate) const SUFFIX: &str = "dc=example,dc=test";
const ROOT_DN: &str = "cn=admin,dc=example,dc=test";
const ROOT_PASSWORD: &str = "admin-secret";
pub(crate) const READER_DN: &str = "cn=reader,dc=example,dc=test";
pub(crate) const READER_PASSWORD: &str = "reader-secret";

/// A private OpenLDAP server.
pub(crate) struct Slapd {
    child: Child,
    pub(crate) url: String,
    _folder: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub(crate) fn person(uid: &str, name: &str) -> String {
    format!(
        "dn: uid={uid},ou=People,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\n\
         sn: {uid}\ndisplayName: {name}\nmail: {uid}@example.test\n\n"
    )
}

pub(crate) fn group(cn: &str, members: &[String]) -> String {
    let members: String = members.iter().map(|m| format!("member: {m}\n")).collect();
    format!("dn: cn={cn},ou=Groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {cn}\n{members}\n")
}

pub(crate) fn person_dn(uid: &str) -> String {
    format!("uid={uid},ou=People,{SUFFIX}")
}

pub(crate) fn group_dn(cn: &str) -> String {
    format!("cn={cn},ou=Groups,{SUFFIX}")
}

/// One of OpenLDAP's server programs: in `/usr/sbin`, which is not on every user's `PATH`.
fn sbin(program: &str) -> std::path::PathBuf {
    let installed = std::path::Path::new("/usr/sbin").join(program);
    if installed.exists() {
        installed
    } else {
        program.into()
    }
}

impl Slapd {
    /// Loads the fixture's tree and `entries` (LDIF) into a new database and serves it.
    pub(crate) fn start(entries: &str) -> Self {
        let fixture =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ldap");
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path();
        std::fs::create_dir(dir.join("data")).unwrap();
        let config = std::fs::read_to_string(fixture.join("slapd.conf"))
            .unwrap()
            .replace("@DIR@", dir.to_str().unwrap());
        std::fs::write(dir.join("slapd.conf"), config).unwrap();
        let tree = std::fs::read_to_string(fixture.join("directory.ldif")).unwrap();
        std::fs::write(dir.join("load.ldif"), format!("{tree}\n{entries}")).unwrap();
        let loaded = Command::new(sbin("slapadd"))
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-l")
            .arg(dir.join("load.ldif"))
            .output()
            .expect("slapadd runs (Debian's slapd package)");
        assert!(
            loaded.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&loaded.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("ldap://127.0.0.1:{port}");
        // `-d 0` keeps it in the foreground, so the test owns the process.
        let mut child = Command::new(sbin("slapd"))
            .arg("-d")
            .arg("0")
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-h")
            .arg(format!("{url}/"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd runs");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self {
                    child,
                    url,
                    _folder: folder,
                };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.kill().ok();
        child.wait().ok();
        panic!("slapd did not start listening on {url}");
    }

    /// An administrator's connection, to change the directory.
    async fn admin(&self) -> ldap3::Ldap {
        let (conn, mut ldap) = LdapConnAsync::new(&self.url).await.unwrap();
        ldap3::drive!(conn);
        ldap.simple_bind(ROOT_DN, ROOT_PASSWORD)
            .await
            .unwrap()
            .success()
            .unwrap();
        ldap
    }
}

/// Presses *Sync now* on the directory page at `base`.
async fn sync_now(app: &TestApp, base: &str, (cookie, csrf): (&str, &str)) -> super::console::Page {
    let form = [("csrf", csrf)];
    let path = format!("{base}/sync");
    open(app, Method::POST, &path, Some(cookie), Some(&form)).await
}

/// Changes an entry as the directory's administrator.
async fn modify(ldap: &mut ldap3::Ldap, dn: &str, changes: Vec<Mod<&str>>) {
    ldap.modify(dn, changes).await.unwrap().success().unwrap();
}

/// The console's form for the directory's settings.
fn settings_form<'a>(
    csrf: &'a str,
    url: &'a str,
    password: &'a str,
    group: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("url", url),
        ("bind_dn", READER_DN),
        ("bind_password", password),
        ("base_dn", SUFFIX),
        ("filter", ""),
        ("email_attribute", "mail"),
        ("name_attribute", "displayName"),
        ("group", group),
        ("interval_minutes", "60"),
    ]
}

async fn members(app: &TestApp, partner: &Partner) -> Vec<Value> {
    let list = app
        .get(
            &format!("/v1/partners/{}/members?limit=200", partner.id),
            &partner.owner_token,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["items"].as_array().unwrap().clone()
}

fn standing(members: &[Value], email: &str) -> Option<(String, String)> {
    members.iter().find(|m| m["email"] == email).map(|m| {
        (
            m["status"].as_str().unwrap().to_owned(),
            m["name"].as_str().unwrap().to_owned(),
        )
    })
}

async fn department_members(app: &TestApp, partner: &Partner, department: &str) -> String {
    app.get(
        &format!(
            "/v1/partners/{}/departments/{department}/members",
            partner.id
        ),
        &partner.owner_token,
    )
    .await
    .body
    .to_string()
}

async fn trail(app: &TestApp, partner: &Partner, action: &str) -> Vec<Value> {
    app.get(
        &format!(
            "/v1/partners/{}/audit-events?limit=200&action={action}",
            partner.id
        ),
        &partner.owner_token,
    )
    .await
    .body["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_brings_people_in_follows_nested_groups_and_disables_those_who_left() {
    // Twelve technicians in `techs` (eight directly, four through the nested `field` group,
    // which is mapped to a department), one person outside it and one of another domain.
    let techs: Vec<String> = (0..12).map(|n| format!("t{n:02}")).collect();
    let mut ldif: String = techs
        .iter()
        .map(|uid| person(uid, &format!("Tech {uid}")))
        .collect();
    ldif.push_str(&person("outsider", "Out Sider"));
    ldif.push_str(
        "dn: uid=guest,ou=People,dc=example,dc=test\nobjectClass: inetOrgPerson\nuid: guest\n\
         cn: Guest\nsn: guest\nmail: guest@elsewhere.example\n\n",
    );
    let field: Vec<String> = techs[8..].iter().map(|u| person_dn(u)).collect();
    ldif.push_str(&group("field", &field));
    let mut direct: Vec<String> = techs[..8].iter().map(|u| person_dn(u)).collect();
    direct.push(group_dn("field"));
    direct.push(person_dn("guest"));
    ldif.push_str(&group("techs", &direct));
    let slapd = Slapd::start(&ldif);

    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    connection_of(&app, &acme, "example.test").await;
    // Ann was invited long ago and is in the directory: the sync adopts her.
    let ann_id = app.member(&acme, "t00@example.test", "technician").await;
    let field_department = app
        .post(
            &format!("/v1/partners/{}/departments", acme.id),
            &acme.owner_token,
            json!({ "name": "Field" }),
        )
        .await
        .str("id");

    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let base = format!("/partners/{}/identity/directory", acme.id);
    let techs_group = group_dn("techs");
    let form = settings_form(&csrf, &slapd.url, READER_PASSWORD, &techs_group);
    let saved = open(&app, Method::POST, &base, Some(&cookie), Some(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let mapping = [
        ("csrf", csrf.as_str()),
        ("group", &group_dn("field")),
        ("department", &field_department),
    ];
    let path = format!("{base}/mappings");
    let mapped = open(&app, Method::POST, &path, Some(&cookie), Some(&mapping)).await;
    assert_eq!(mapped.status, StatusCode::SEE_OTHER, "{}", mapped.html);

    // The preview reads the directory — through pages, as slapd answers five entries at most
    // otherwise — and changes nothing.
    let preview = open(
        &app,
        Method::GET,
        &format!("{base}?preview=1"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    for uid in &techs {
        assert!(
            preview.html.contains(&format!("{uid}@example.test")),
            "{uid}: {}",
            preview.html
        );
    }
    assert!(
        preview
            .html
            .contains("Already a member; synced from now on"),
        "{}",
        preview.html
    );
    assert!(
        preview
            .html
            .contains("guest@elsewhere.example is not in a domain the team claimed"),
        "{}",
        preview.html
    );
    assert!(!preview.html.contains("outsider@example.test"));
    assert_eq!(
        members(&app, &acme).await.len(),
        2,
        "the preview wrote nothing"
    );

    // The sync: eleven join, Ann is adopted, the field group's four are in its department.
    let signed = (cookie.as_str(), csrf.as_str());
    let synced = sync_now(&app, &base, signed).await;
    assert_eq!(synced.status, StatusCode::SEE_OTHER, "{}", synced.html);
    let now = members(&app, &acme).await;
    assert_eq!(now.len(), 13, "{now:?}");
    for uid in &techs {
        let email = format!("{uid}@example.test");
        let (status, _) = standing(&now, &email).unwrap_or_else(|| panic!("{email}: {now:?}"));
        assert_eq!(status, "active");
    }
    assert_eq!(standing(&now, "t03@example.test").unwrap().1, "Tech t03");
    let in_field = department_members(&app, &acme, &field_department).await;
    for uid in &techs[8..] {
        let id = now
            .iter()
            .find(|m| m["email"] == format!("{uid}@example.test"))
            .unwrap()["account_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(in_field.contains(&id), "{uid} is in Field: {in_field}");
    }
    assert!(!in_field.contains(&ann_id), "{in_field}");
    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    assert!(
        page.html.contains(
            "11 joined, 0 renamed, 0 disabled, 0 enabled, 4 department changes, 1 entries left out"
        ),
        "{}",
        page.html
    );
    let synced_events = trail(&app, &acme, "identity.directory_synced").await;
    assert_eq!(synced_events.len(), 1);
    let added = trail(&app, &acme, "member.added").await;
    let by_directory = added
        .iter()
        .filter(|e| e["changes"].to_string().contains("\"directory\""))
        .count();
    assert_eq!(by_directory, 11, "{added:?}");

    // In the directory: t01 leaves the group, t02 is deleted, t09 moves from the nested
    // group to the outer one (and out of the department), t03 is renamed and a newcomer
    // arrives in `field`.
    let mut ldap = slapd.admin().await;
    let techs_dn = group_dn("techs");
    modify(
        &mut ldap,
        &techs_dn,
        vec![
            Mod::Delete("member", [person_dn("t01").as_str()].into()),
            Mod::Add("member", [person_dn("t09").as_str()].into()),
        ],
    )
    .await;
    ldap.delete(&person_dn("t02"))
        .await
        .unwrap()
        .success()
        .unwrap();
    modify(
        &mut ldap,
        &techs_dn,
        vec![Mod::Delete("member", [person_dn("t02").as_str()].into())],
    )
    .await;
    modify(
        &mut ldap,
        &person_dn("t03"),
        vec![Mod::Replace("displayName", ["Tess Renamed"].into())],
    )
    .await;
    ldap.add(
        &person_dn("newcomer"),
        vec![
            ("objectClass", ["inetOrgPerson"].into()),
            ("uid", ["newcomer"].into()),
            ("cn", ["New Comer"].into()),
            ("sn", ["Comer"].into()),
            ("displayName", ["New Comer"].into()),
            ("mail", ["newcomer@example.test"].into()),
        ],
    )
    .await
    .unwrap()
    .success()
    .unwrap();
    let field_dn = group_dn("field");
    modify(
        &mut ldap,
        &field_dn,
        vec![
            Mod::Delete("member", [person_dn("t09").as_str()].into()),
            Mod::Add("member", [person_dn("newcomer").as_str()].into()),
        ],
    )
    .await;

    // The automatic sync runs when it is due, on the worker's round.
    assert_eq!(app.state.sync_due_directories().await.unwrap(), 0);
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(app.state.sync_due_directories().await.unwrap(), 1);
    let now = members(&app, &acme).await;
    assert_eq!(standing(&now, "t01@example.test").unwrap().0, "disabled");
    assert_eq!(standing(&now, "t02@example.test").unwrap().0, "disabled");
    assert_eq!(
        standing(&now, "t03@example.test").unwrap(),
        ("active".to_owned(), "Tess Renamed".to_owned())
    );
    assert_eq!(standing(&now, "newcomer@example.test").unwrap().0, "active");
    assert_eq!(standing(&now, "t09@example.test").unwrap().0, "active");
    let disabled: Vec<&Value> = now.iter().filter(|m| m["status"] == "disabled").collect();
    assert!(
        disabled.iter().all(|m| m["disabled_reason"] == "directory"),
        "{disabled:?}"
    );
    // The owner is not in the directory and is not the directory's to disable.
    assert_eq!(standing(&now, "owner@acme.example").unwrap().0, "active");
    let in_field = department_members(&app, &acme, &field_department).await;
    let id_of = |email: &str| {
        now.iter().find(|m| m["email"] == email).unwrap()["account_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(!in_field.contains(&id_of("t09@example.test")), "{in_field}");
    assert!(
        in_field.contains(&id_of("newcomer@example.test")),
        "{in_field}"
    );
    let events = trail(&app, &acme, "identity.directory_synced").await;
    assert_eq!(events.len(), 2);
    assert!(
        events.iter().any(|e| e["actor"]["kind"] == "system"),
        "{events:?}"
    );

    // t01 comes back to the group and is enabled again; a sync with nothing new changes
    // nothing.
    modify(
        &mut ldap,
        &techs_dn,
        vec![Mod::Add("member", [person_dn("t01").as_str()].into())],
    )
    .await;
    let synced = sync_now(&app, &base, signed).await;
    assert_eq!(synced.status, StatusCode::SEE_OTHER, "{}", synced.html);
    let now = members(&app, &acme).await;
    assert_eq!(standing(&now, "t01@example.test").unwrap().0, "active");
    let preview = open(
        &app,
        Method::GET,
        &format!("{base}?preview=1"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        preview.html.contains("Nothing to change."),
        "{}",
        preview.html
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_settings_and_a_refused_bind_say_what_is_wrong_and_change_nothing() {
    let slapd = Slapd::start(&person("ann", "Ann"));
    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    connection_of(&app, &acme, "example.test").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let base = format!("/partners/{}/identity/directory", acme.id);

    // Nothing to sync before a directory is set up.
    let signed = (cookie.as_str(), csrf.as_str());
    let early = sync_now(&app, &base, signed).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.html);
    assert!(early.html.contains("no directory yet"), "{}", early.html);

    // A URL that is not LDAP names its field; the form keeps what was typed.
    let bad = settings_form(&csrf, "https://dc.example.test", READER_PASSWORD, "");
    let page = open(&app, Method::POST, &base, Some(&cookie), Some(&bad)).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert!(
        page.html.contains("ldap://host or ldaps://host"),
        "{}",
        page.html
    );
    assert!(page.html.contains("value=\"https://dc.example.test\""));

    // A wrong password: the sync fails, says why, records it and creates nobody.
    let wrong = settings_form(&csrf, &slapd.url, "not the password", "");
    let saved = open(&app, Method::POST, &base, Some(&cookie), Some(&wrong)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let failed = sync_now(&app, &base, signed).await;
    assert_eq!(
        failed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        failed.html
    );
    assert!(
        failed.html.contains("invalid credentials"),
        "{}",
        failed.html
    );
    assert_eq!(members(&app, &acme).await.len(), 1);
    let events = trail(&app, &acme, "identity.directory_sync_failed").await;
    assert_eq!(events.len(), 1, "{events:?}");
    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    assert!(
        page.html.contains("failed and changed nothing"),
        "{}",
        page.html
    );

    // The password is never shown again, and an empty one keeps the stored one: the right
    // one, given once, makes the next sync work.
    assert!(!page.html.contains("not the password"));
    let right = settings_form(&csrf, &slapd.url, READER_PASSWORD, "");
    open(&app, Method::POST, &base, Some(&cookie), Some(&right)).await;
    let kept = settings_form(&csrf, &slapd.url, "", "");
    let saved = open(&app, Method::POST, &base, Some(&cookie), Some(&kept)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let synced = sync_now(&app, &base, signed).await;
    assert_eq!(synced.status, StatusCode::SEE_OTHER, "{}", synced.html);
    assert!(standing(&members(&app, &acme).await, "ann@example.test").is_some());

    // A directory refused by the address policy: only loopback is allowed in tests.
    let far = settings_form(&csrf, "ldap://169.254.169.254", "", "");
    open(&app, Method::POST, &base, Some(&cookie), Some(&far)).await;
    let refused = sync_now(&app, &base, signed).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.html.contains("allow_networks"), "{}", refused.html);

    // Another team's directory page is not there for Acme's owner.
    let theirs = format!("/partners/{}/identity/directory", globex.id);
    let hidden = open(&app, Method::GET, &theirs, Some(&cookie), None).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}
