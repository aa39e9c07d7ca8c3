//! The console in a real browser: headless Chromium driven over WebDriver (`chromedriver`, from
//! Debian's packages; `.ci/run` installs both). Pages are checked with axe-core (vendored in
//! `tests/fixtures`), used by keyboard alone, and photographed for the README when
//! `SITEWARD_SCREENSHOTS` names a folder:
//!
//! ```sh
//! SITEWARD_SCREENSHOTS=$PWD/snapshots/console cargo test -p siteward-server --test it browser
//! ```

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use siteward_server::mail::deliver_due;

use super::smtp::TestSmtp;
use super::{PASSWORD, TestApp};

const AXE: &str = include_str!("../fixtures/axe-4.14.1.min.js");

/// `chromedriver` on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and a headless Chromium session in a fresh profile.
async fn browser() -> (Driver, Client) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (.ci/run installs Debian's chromium-driver)");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().unwrap(),
    };
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1100,900",
        &format!("--user-data-dir={}", driver._profile.path().display()),
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&driver.url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(error) if std::time::Instant::now() > deadline => {
                panic!("no WebDriver session: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The host on a real socket.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_on(listener, app)
}

/// The host on a socket bound already (its address is in the host's settings).
pub(crate) fn serve_on(listener: tokio::net::TcpListener, app: &TestApp) -> String {
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{address}")
}

/// A sign-in through a provider ended where a password's does: on the person's own page,
/// which names their team; the browser is closed.
async fn signed_in_at_home(client: Client, base: &str) {
    found(&client, Locator::Id("partners-heading")).await;
    let url = client.current_url().await.unwrap();
    assert_eq!(url.as_str(), format!("{base}/"));
    let page = client.source().await.unwrap();
    assert!(page.contains("acme Installers"), "{page}");
    client.close().await.unwrap();
}

/// A host for single sign-on in a browser, on a socket not served yet (its address is the
/// public URL providers send people back to), its clock at the real time (providers stamp
/// their answers with it, and their certificates were made recently).
async fn sso_host() -> (tokio::net::TcpListener, String, TestApp) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::with_settings(crate::sso::settings(&base)).await;
    app.clock.set(chrono::Utc::now());
    (listener, base, app)
}

/// Runs axe-core on the page: every violation, with its rule and the elements it found.
async fn axe_violations(client: &Client) -> Vec<Value> {
    client.execute(AXE, vec![]).await.unwrap();
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document).then(r => done(r.violations), e => done([{ id: 'axe-error', help: String(e) }]));",
            vec![],
        )
        .await
        .unwrap();
    result.as_array().cloned().unwrap_or_default()
}

/// Checks the page with axe-core and, when asked, saves its screenshot as `name.png`.
async fn check_page(client: &Client, name: &str) {
    let violations = axe_violations(client).await;
    assert!(
        violations.is_empty(),
        "{name}: axe-core found {}",
        serde_json::to_string_pretty(&violations).unwrap()
    );
    if let Ok(folder) = std::env::var("SITEWARD_SCREENSHOTS") {
        let png = client.screenshot().await.unwrap();
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(format!("{folder}/{name}.png"), png).unwrap();
    }
}

/// Types into whatever has the focus (WebDriver's key codes for Tab and Enter included).
async fn keys(client: &Client, text: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// What `locator` finds, once it is on the page. A search the browser answers with "aborted
/// by navigation" — a page that posts itself on, as an identity provider's answer does,
/// left while it was asked — is asked again on the next page.
async fn found(client: &Client, locator: Locator<'_>) -> fantoccini::elements::Element {
    let mut navigations = 0;
    loop {
        match client.wait().for_element(locator).await {
            Ok(element) => return element,
            Err(error) if navigations < 5 && error.to_string().contains("navigation") => {
                navigations += 1;
            }
            Err(error) => panic!("{locator:?}: {error}"),
        }
    }
}

/// Waits until `old` (a page's `main`) is gone: the next page arrived, by a full load or
/// htmx's swap in place — where the same button may be on both.
async fn until_replaced(old: fantoccini::elements::Element) {
    for _ in 0..200 {
        if old.text().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the page was not replaced");
}

/// Clicks what `locator` finds and waits for the page it leads to.
async fn follow(client: &Client, locator: Locator<'_>) {
    let before = found(client, Locator::Css("main")).await;
    click(client, locator).await;
    until_replaced(before).await;
}

/// Clicks what `locator` finds, once it is on the page.
async fn click(client: &Client, locator: Locator<'_>) {
    found(client, locator).await.click().await.unwrap();
}

/// Signs in on the sign-in page (shown now, or on its way) by keyboard.
async fn sign_in(client: &Client, email: &str) {
    let field = found(client, Locator::Id("email")).await;
    field.click().await.unwrap();
    keys(client, email).await;
    keys(client, TAB).await;
    keys(client, PASSWORD).await;
    keys(client, ENTER).await;
}

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

#[tokio::test]
async fn a_new_technician_accepts_an_invitation_in_a_browser_by_keyboard_alone() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["nina@example.com"], "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status.as_u16(), 200, "{}", invited.body);
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let mail = &smtp.to("nina@example.com")[0];
    let base = serve(&app).await;
    // The link as the email has it, pointed at this test's listener.
    let link = format!("{base}/invitations/accept?token={}", mail.token());
    let (_driver, client) = browser().await;

    client.goto(&link).await.unwrap();
    assert_eq!(
        client.title().await.unwrap(),
        "Invitation from acme Installers · Siteward"
    );
    check_page(&client, "invitation").await;

    // By keyboard alone: the skip link first, then the form's fields in order.
    keys(&client, TAB).await;
    let focused = client.active_element().await.unwrap();
    assert_eq!(focused.text().await.unwrap(), "Skip to the content");
    let name = client.find(Locator::Id("name")).await.unwrap();
    name.click().await.unwrap();
    keys(&client, "Nina Tech").await;
    keys(&client, TAB).await;
    keys(&client, "password1234").await;
    keys(&client, ENTER).await;
    // The weak password is named next to its field, and the page still passes.
    found(&client, Locator::Id("password-error")).await;
    check_page(&client, "invitation-error").await;

    let password = client.find(Locator::Id("password")).await.unwrap();
    password.click().await.unwrap();
    keys(&client, PASSWORD).await;
    keys(&client, ENTER).await;
    let done = found(&client, Locator::Css("[role=status]")).await;
    assert_eq!(
        done.text().await.unwrap(),
        "You joined acme Installers as Technician."
    );
    check_page(&client, "invitation-accepted").await;

    // The new technician's own page, then out and back in by keyboard.
    follow(&client, Locator::LinkText("See my access")).await;
    let heading = client.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "My access");
    let partners = client.find(Locator::Css("table")).await.unwrap();
    assert!(
        partners
            .text()
            .await
            .unwrap()
            .contains("acme Installers Technician Active")
    );
    check_page(&client, "my-access").await;
    follow(&client, Locator::Css("form.sign-out button")).await;
    let email = found(&client, Locator::Id("email")).await;
    check_page(&client, "sign-in").await;
    email.click().await.unwrap();
    keys(&client, "nina@example.com").await;
    keys(&client, TAB).await;
    keys(&client, PASSWORD).await;
    keys(&client, ENTER).await;
    found(&client, Locator::Id("partners-heading")).await;
    assert_eq!(
        client.current_url().await.unwrap().as_str(),
        format!("{base}/")
    );
    follow(&client, Locator::LinkText("Nina Tech")).await;
    found(&client, Locator::Id("current_password")).await;
    check_page(&client, "account").await;
    follow(&client, Locator::Css("form[action='/account/totp'] button")).await;
    let code = found(&client, Locator::Id("code")).await;
    check_page(&client, "totp-setup").await;
    // The key under the QR code is what an authenticator app would hold.
    let secret = found(&client, Locator::Css(".qr + .hint code"))
        .await
        .text()
        .await
        .unwrap();
    let code_now = |app: &TestApp| {
        siteward_core::totp::code_at_step(&secret, siteward_core::totp::step(app.clock.now_time()))
            .unwrap()
    };
    code.click().await.unwrap();
    keys(&client, &code_now(&app)).await;
    keys(&client, ENTER).await;
    found(&client, Locator::Css("form[action='/account/totp/remove']")).await;

    // The console in Korean, chosen on the account page; the next pages speak it.
    found(&client, Locator::Id("locale"))
        .await
        .select_by_value("ko")
        .await
        .unwrap();
    follow(
        &client,
        Locator::Css("form[action='/account/language'] button"),
    )
    .await;
    let heading = found(&client, Locator::Css("h1")).await;
    assert_eq!(heading.text().await.unwrap(), "내 계정");
    check_page(&client, "account-ko").await;
    follow(&client, Locator::LinkText("Siteward")).await;
    let heading = found(&client, Locator::Css("h1")).await;
    assert_eq!(heading.text().await.unwrap(), "내 접근");
    check_page(&client, "my-access-ko").await;

    // Signing in again takes the password, then the code on a step of its own.
    follow(&client, Locator::Css("form.sign-out button")).await;
    sign_in(&client, "nina@example.com").await;
    let code = found(&client, Locator::Id("code")).await;
    check_page(&client, "sign-in-code").await;
    app.clock.advance(chrono::Duration::seconds(31));
    code.click().await.unwrap();
    keys(&client, &code_now(&app)).await;
    keys(&client, ENTER).await;
    let heading = found(&client, Locator::Id("partners-heading")).await;
    assert_eq!(heading.text().await.unwrap(), "파트너");

    // The same link again: it worked once.
    client.goto(&link).await.unwrap();
    let heading = client.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(
        heading.text().await.unwrap(),
        "This invitation was already accepted"
    );
    check_page(&client, "invitation-used").await;

    // The checker itself finds what it is there to find.
    client
        .execute(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')",
            vec![],
        )
        .await
        .unwrap();
    let found = axe_violations(&client).await;
    assert!(
        found.iter().any(|v| v["id"] == "image-alt"),
        "an image without alt text is reported: {found:?}"
    );
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_super_admin_invites_from_the_team_page_by_keyboard() {
    let app = TestApp::new().await;
    // The first-party plugins, as a real host has them: Settings shows the ones partners set.
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    follow(&client, Locator::LinkText("Team")).await;
    found(&client, Locator::Id("emails")).await;
    check_page(&client, "team").await;
    follow(&client, Locator::LinkText("Member")).await;
    found(&client, Locator::Id("change-heading")).await;
    check_page(&client, "member").await;
    client.back().await.unwrap();
    let emails = found(&client, Locator::Id("emails")).await;

    // Forms happen in place (htmx): what the page's script holds survives sending one.
    client
        .execute("window.siteward_mark = 'kept'", vec![])
        .await
        .unwrap();
    emails.click().await.unwrap();
    keys(&client, "ana@example.com, bo@example.com").await;
    keys(&client, TAB).await; // the role: Technician stays
    keys(&client, TAB).await; // Remote support, checked with the space bar
    keys(&client, " ").await;
    keys(&client, TAB).await; // Unattended access stays checked
    keys(&client, TAB).await;
    keys(&client, ENTER).await;
    let sent = found(&client, Locator::Css("[role=status] table")).await;
    let text = sent.text().await.unwrap();
    assert!(
        text.contains("ana@example.com Invited") && text.contains("bo@example.com Invited"),
        "{text}"
    );
    check_page(&client, "team-sent").await;
    let sent = app
        .get(
            &format!("/v1/partners/{}/invitations?status=pending", acme.id),
            &acme.owner_token,
        )
        .await;
    for invitation in sent.body["items"].as_array().unwrap() {
        assert_eq!(
            invitation["privileges"],
            json!(["remote_support", "unattended_access"]),
            "{invitation}"
        );
    }
    let mark = client
        .execute("return window.siteward_mark || null", vec![])
        .await
        .unwrap();
    assert_eq!(
        mark,
        json!("kept"),
        "the page was updated in place, not reloaded"
    );

    client
        .execute(
            "document.getElementById('people-heading').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    check_page(&client, "team-people").await;
    follow(&client, Locator::Css("td.actions a[href$='/revoke']")).await;
    let heading = found(&client, Locator::Css("h1")).await;
    assert_eq!(heading.text().await.unwrap(), "Revoke this invitation?");
    check_page(&client, "revoke").await;

    // Customers and sites: a customer, then its first site with a new site admin.
    new_customer_and_site(&client, &base).await;
    check_page(&client, "customers").await;

    // Settings, with the invitation email's preview.
    client.goto(&format!("{base}/")).await.unwrap();
    follow(&client, Locator::LinkText("Settings")).await;
    found(&client, Locator::Id("preview-heading")).await;
    check_page(&client, "settings").await;
    // Team security, further down: a shorter session lifetime for every member.
    found(&client, Locator::Css("#session-hours option[value='8']"))
        .await
        .click()
        .await
        .unwrap();
    follow(
        &client,
        Locator::XPath("//button[text()='Save security settings']"),
    )
    .await;
    found(&client, Locator::Css("div.success[role='status']")).await;
    let settings = client.current_url().await.unwrap();
    let settings = settings.as_str().trim_end_matches("/security");
    client
        .goto(&format!("{settings}#team-security-heading"))
        .await
        .unwrap();
    let chosen = found(&client, Locator::Css("#session-hours option[selected]")).await;
    assert_eq!(chosen.text().await.unwrap(), "8 hours");
    check_page(&client, "team-security").await;

    // The partner's audit log: filtered to one person by keyboard, then the chain verified.
    client.goto(&format!("{base}/")).await.unwrap();
    follow(&client, Locator::LinkText("Audit log")).await;
    let person = found(&client, Locator::Id("person")).await;
    check_page(&client, "audit").await;
    person.click().await.unwrap();
    keys(&client, "owner@acme.example").await;
    // The filtered page has the same buttons: wait for it before pressing one.
    let unfiltered = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(unfiltered).await;
    follow(&client, Locator::Css("input[name=verify] + button")).await;
    let verdict = found(&client, Locator::Css("[role=status] .success")).await;
    assert!(verdict.text().await.unwrap().contains(": Intact"));
    let person = client.find(Locator::Id("person")).await.unwrap();
    assert_eq!(
        person.prop("value").await.unwrap().as_deref(),
        Some("owner@acme.example"),
        "verifying keeps the filters"
    );
    client
        .execute(
            "document.getElementById('chain-heading').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    check_page(&client, "audit-verified").await;
    client.close().await.unwrap();
}

/// Presses `keys` on what `locator` finds (a button, a link, a checkbox) and, when `leaves`,
/// waits for the page it leads to.
async fn press(client: &Client, locator: Locator<'_>, keys: &str, leaves: bool) {
    let before = found(client, Locator::Css("main")).await;
    found(client, locator).await.send_keys(keys).await.unwrap();
    if leaves {
        until_replaced(before).await;
    }
}

const SPACE: &str = "\u{e00d}";

/// Reference 002 end to end, by keyboard: the site admin switches Technician Access off and
/// on (the menu follows), unlocks a technician who accepted, changes a level after its
/// confirmation, locks a mixed selection, deletes one technician and reads the audit log.
#[tokio::test]
async fn a_site_admin_works_through_reference_002_by_keyboard() {
    let app = TestApp::new().await;
    let (acme, site, _, techs) = crate::technicians::site_with_technicians(&app, 3).await;
    let (_, _, department) = crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let joined = app
        .call(
            axum::http::Method::PUT,
            &format!(
                "/v1/partners/{}/departments/{department}/members/{}",
                acme.id, techs[0]
            ),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(joined.status.as_u16(), 204, "{}", joined.body);
    // Time passes between their acceptance and the admin's visit.
    app.clock.advance(chrono::Duration::minutes(5));
    let base = serve(&app).await;
    let (_driver, client) = browser().await;
    let who = |n: usize| format!("Member (tech{n}@acme.example)");

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "admin@customer.example").await;
    follow(&client, Locator::LinkText("Head office")).await;
    found(&client, Locator::Id("technicians-heading")).await;
    check_page(&client, "site-technicians").await;

    // Settings › Site › Security: off, the menu is Admin alone; on again, both tabs.
    follow(&client, Locator::LinkText("Settings › Site › Security")).await;
    press(&client, Locator::Css("input[value=off]"), SPACE, false).await;
    press(
        &client,
        Locator::Css("form button[type=submit]:not(.quiet)"),
        ENTER,
        true,
    )
    .await;
    found(&client, Locator::Css(".success")).await;
    let menu = found(&client, Locator::Css("nav.tabs"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !menu.contains("Technicians") && menu.contains("Admin"),
        "{menu}"
    );
    check_page(&client, "site-security").await;
    press(&client, Locator::Css("input[value=on]"), SPACE, false).await;
    press(
        &client,
        Locator::Css("form button[type=submit]:not(.quiet)"),
        ENTER,
        true,
    )
    .await;
    follow(
        &client,
        Locator::LinkText("Admins & Technicians › Technicians"),
    )
    .await;

    // Unlock the technician who accepted, from their row's toggle.
    let unlock = format!("button[aria-label='Unlock {}']", who(0));
    press(&client, Locator::Css(&unlock), ENTER, true).await;
    found(
        &client,
        Locator::Css(&format!("button[aria-label='Lock {}']", who(0))),
    )
    .await;

    // The Devices tab: the technician just unlocked reaches a till through their department.
    follow(&client, Locator::LinkText("Devices")).await;
    found(&client, Locator::Id("groups-heading")).await;
    check_page(&client, "site-devices").await;
    follow(&client, Locator::LinkText("Till 1")).await;
    let why = found(&client, Locator::Css("tbody"))
        .await
        .text()
        .await
        .unwrap();
    assert!(why.contains("through the department Field"), "{why}");
    check_page(&client, "device-reach").await;
    follow(&client, Locator::LinkText("← Devices")).await;
    follow(
        &client,
        Locator::LinkText("Admins & Technicians › Technicians"),
    )
    .await;

    // A level from the row's dropdown, after its confirmation.
    let level = format!("select[aria-label='Level of {}']", who(1));
    press(&client, Locator::Css(&level), "Devices", false).await;
    let change = format!("button[aria-label='Change the level of {}']", who(1));
    press(&client, Locator::Css(&change), ENTER, true).await;
    let question = found(&client, Locator::Css("main p"))
        .await
        .text()
        .await
        .unwrap();
    assert!(question.contains("to Devices Only"), "{question}");
    check_page(&client, "site-technician-level").await;
    press(
        &client,
        Locator::Css("main form button[type=submit]"),
        ENTER,
        true,
    )
    .await;
    let told = found(&client, Locator::Css(".success"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(told, "Level changed: 1 technician(s).");

    // A mixed selection (one unlocked, one locked) becomes all locked.
    for n in [0, 1] {
        let select = format!("input[aria-label='Select {}']", who(n));
        press(&client, Locator::Css(&select), SPACE, false).await;
    }
    press(&client, Locator::Css("button[value=lock]"), ENTER, true).await;
    let heading = found(&client, Locator::Css("h1"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Lock 2 technician(s)?");
    check_page(&client, "site-technicians-bulk-lock").await;
    press(
        &client,
        Locator::Css("main form button[type=submit]"),
        ENTER,
        true,
    )
    .await;
    let told = found(&client, Locator::Css(".success"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(told, "Locked: 2 technician(s).");
    let rows = found(&client, Locator::Css("tbody"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !rows.contains("Unlocked") && rows.contains("Devices Only"),
        "{rows}"
    );
    check_page(&client, "site-technicians-bulk-locked").await;

    // The end of one technician's access has a page of its own.
    let end = format!("a[aria-label='Change the dates of access of {}']", who(1));
    press(&client, Locator::Css(&end), ENTER, true).await;
    found(&client, Locator::Id("last_day")).await;
    check_page(&client, "site-technician-end").await;
    follow(&client, Locator::LinkText("Cancel")).await;

    // Deleting one, after its confirmation.
    let delete = format!("a[aria-label='Delete the access of {}']", who(2));
    press(&client, Locator::Css(&delete), ENTER, true).await;
    press(
        &client,
        Locator::Css("main form button.danger"),
        ENTER,
        true,
    )
    .await;
    let rows = found(&client, Locator::Css("tbody"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!rows.contains("tech2@acme.example"), "{rows}");

    // The Admins tab, and the audit log with what was done.
    follow(&client, Locator::LinkText("Admins & Technicians › Admins")).await;
    found(&client, Locator::Id("admins-heading")).await;
    check_page(&client, "site-admins").await;
    follow(&client, Locator::LinkText("Monitoring › Audit logs")).await;
    let log = found(&client, Locator::Css("main table"))
        .await
        .text()
        .await
        .unwrap();
    for action in [
        "assignment.deleted",
        "assignment.locked",
        "assignment.unlocked",
        "assignment.level_changed",
        "site.technician_access_changed",
    ] {
        assert!(log.contains(action), "{action} in {log}");
    }
    assert_eq!(site.len(), 26);
    client.close().await.unwrap();
}

/// Reference 003 by clicks: a custom role made (purpose first, then its checklist), edited,
/// and its deletion's dry run read before deleting it; a member added to a department; a
/// section given by email; the member's own and inherited grants.
#[tokio::test]
async fn a_partner_admin_works_through_reference_003_by_clicks() {
    let app = TestApp::new().await;
    let (acme, site, _, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let (group, _, department) =
        crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    follow(&client, Locator::LinkText("Roles")).await;
    found(&client, Locator::Id("system-heading")).await;
    check_page(&client, "roles").await;

    click(&client, Locator::Id("role_name")).await;
    keys(&client, "Tills crew").await;
    follow(&client, Locator::Css("form[action$='/roles/new'] button")).await;
    for permission in ["device.screen_view", "device.reboot"] {
        click(
            &client,
            Locator::Css(&format!("input[value='{permission}']")),
        )
        .await;
    }
    check_page(&client, "role-new").await;
    follow(&client, Locator::Css("main form button[type=submit]")).await;
    let told = found(&client, Locator::Css(".success"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(told, "The role was created.");

    follow(&client, Locator::LinkText("Tills crew")).await;
    click(&client, Locator::Css("input[value='device.chat']")).await;
    follow(&client, Locator::Css("main form button[type=submit]")).await;
    let row = found(&client, Locator::Css("main table tbody tr"))
        .await
        .text()
        .await
        .unwrap();
    assert!(row.contains("Screen view, Reboot, Chat"), "{row}");

    // Granted to a department, then the deletion's dry run names that grant; keeping it
    // changes nothing.
    let role = app
        .get(
            &format!("/v1/partners/{}/roles", acme.id),
            &acme.owner_token,
        )
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let granted = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            &acme.owner_token,
            json!({ "subject": { "kind": "department", "id": department },
                    "scope": { "kind": "group", "id": group }, "role": role }),
        )
        .await;
    assert_eq!(granted.status.as_u16(), 201, "{}", granted.body);
    follow(&client, Locator::Css("a[aria-label='Delete Tills crew']")).await;
    let grants = found(&client, Locator::Css("tbody"))
        .await
        .text()
        .await
        .unwrap();
    assert!(grants.contains("Department Field"), "{grants}");
    check_page(&client, "role-delete").await;
    follow(&client, Locator::LinkText("Keep it")).await;
    follow(&client, Locator::Css("a[aria-label='Delete Tills crew']")).await;
    follow(&client, Locator::Css("main form button.danger")).await;
    let told = found(&client, Locator::Css(".success"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(told, "The role was deleted, with its grants.");

    // Departments: Field's page, a member added by email, who then inherits its grant.
    client.goto(&format!("{base}/")).await.unwrap();
    follow(&client, Locator::LinkText("Departments")).await;
    check_page(&client, "departments").await;
    follow(&client, Locator::LinkText("Field")).await;
    click(&client, Locator::Id("email")).await;
    keys(&client, "tech0@acme.example").await;
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let members = found(&client, Locator::Css("main table"))
        .await
        .text()
        .await
        .unwrap();
    assert!(members.contains("tech0@acme.example"), "{members}");
    check_page(&client, "department").await;

    // Access: a section given to a technician by email.
    client.goto(&format!("{base}/")).await.unwrap();
    follow(&client, Locator::LinkText("Access")).await;
    click(&client, Locator::Id("grant-email")).await;
    keys(&client, "tech0@acme.example").await;
    follow(&client, Locator::Css("form[action$='/grants'] button")).await;
    let grants = found(&client, Locator::Css("main table"))
        .await
        .text()
        .await
        .unwrap();
    assert!(grants.contains("The Invitations section"), "{grants}");
    check_page(&client, "access").await;

    // The member's page: their own grant and the one inherited from Field, marked.
    client
        .goto(&format!("{base}/partners/{}/team/{}", acme.id, techs[0]))
        .await
        .unwrap();
    let held = found(&client, Locator::Css("#grants-heading + table"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        held.contains("Inherited Department Field") && held.contains("Their own"),
        "{held}"
    );
    client
        .execute(
            "document.getElementById('grants-heading').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    check_page(&client, "member-grants").await;

    // Licences: seats and seats in use per privilege.
    client.goto(&format!("{base}/")).await.unwrap();
    follow(&client, Locator::LinkText("Licences")).await;
    found(&client, Locator::Id("disabled-heading")).await;
    check_page(&client, "licences").await;
    client.close().await.unwrap();
}

/// The operator console: the partners with their seats, a new partner with its first Super
/// Admin (by keyboard), a plugin installed from its files and switched on for one partner, and
/// the platform's audit log.
#[tokio::test]
async fn the_operator_creates_a_partner_and_reads_the_platform_log_by_keyboard() {
    let app = TestApp::new().await;
    crate::technicians::site_with_technicians(&app, 1).await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "operator@siteward.example").await;
    follow(&client, Locator::Css("#operator-heading + p a")).await;
    click(&client, Locator::Id("partner_name")).await;
    for field in ["Globex", "boss@globex.example", "Boss", PASSWORD] {
        keys(&client, field).await;
        keys(&client, TAB).await;
    }
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let told = found(&client, Locator::Css(".success"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(told, "The partner was created with its Super Admin.");
    let rows = found(&client, Locator::Css("tbody"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        rows.contains("Globex") && rows.contains("acme Installers"),
        "{rows}"
    );
    check_page(&client, "operator-partners").await;
    follow(
        &client,
        Locator::Css("a[aria-label='Deliveries · acme Installers']"),
    )
    .await;
    let sent = found(&client, Locator::Css("#emails-heading ~ table"))
        .await
        .text()
        .await
        .unwrap();
    assert!(sent.contains("Sent"), "{sent}");
    check_page(&client, "deliveries").await;
    client
        .goto(&format!("{base}/operator/partners"))
        .await
        .unwrap();

    // A plugin installed from its files, then switched on for acme alone.
    follow(&client, Locator::LinkText("Plugins")).await;
    let component = crate::plugins::component("domain-policy");
    let manifest = crate::plugins::plugins_dir().join("domain-policy/siteward-plugin.toml");
    for (field, file) in [("component", &component), ("manifest", &manifest)] {
        found(&client, Locator::Id(field))
            .await
            .send_keys(&file.canonicalize().unwrap().display().to_string())
            .await
            .unwrap();
    }
    follow(&client, Locator::Css("form[enctype] button")).await;
    let told = found(&client, Locator::Css(".success"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(told, "The plugin was installed.");
    check_page(&client, "operator-plugins").await;
    follow(&client, Locator::LinkText("domain-policy")).await;
    press(&client, Locator::Id("scope"), "acme", false).await;
    click(&client, Locator::Id("setting-allowed_domains")).await;
    keys(&client, "acme.example").await;
    check_page(&client, "operator-plugin").await;
    follow(&client, Locator::Css("main form button[type=submit]")).await;
    let switched = found(&client, Locator::Css("tbody"))
        .await
        .text()
        .await
        .unwrap();
    assert!(switched.contains("acme Installers: On"), "{switched}");

    follow(&client, Locator::LinkText("Platform audit log")).await;
    let log = found(&client, Locator::Css("main table"))
        .await
        .text()
        .await
        .unwrap();
    assert!(log.contains("partner.created"), "{log}");
    check_page(&client, "platform-audit").await;
    client.close().await.unwrap();
}

/// Partner › Customers and sites, by keyboard: the customer Northwind, then its site Head
/// office with a new site admin, Kim.
async fn new_customer_and_site(client: &Client, base: &str) {
    client.goto(&format!("{base}/")).await.unwrap();
    follow(client, Locator::LinkText("Customers and sites")).await;
    click(client, Locator::Id("customer_name")).await;
    keys(client, "Northwind").await;
    keys(client, ENTER).await;
    click(client, Locator::Id("site_name")).await;
    for field in ["Head office", "kim@northwind.example", "Kim", PASSWORD] {
        keys(client, field).await;
        keys(client, TAB).await;
    }
    keys(client, ENTER).await;
    found(client, Locator::LinkText("Head office")).await;
}

/// Signs out from the page's header.
async fn sign_out(client: &Client) {
    follow(client, Locator::Css("form.sign-out button")).await;
    found(client, Locator::Id("email")).await;
}

/// The link in the newest email to `address`, pointed at this test's listener.
fn newest_link(smtp: &TestSmtp, base: &str, address: &str) -> String {
    let mail = smtp.to(address).pop().expect("an email");
    format!("{base}/invitations/accept?token={}", mail.token())
}

#[tokio::test]
async fn reference_001_from_a_new_partner_to_an_unlocked_technician_by_clicks() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let mailer = smtp.mailer();
    let operator = app.operator().await;
    // The operator creates the partner with its Super Admin (the operator console is #22).
    let acme = app.partner(&operator, "acme").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    // The Super Admin invites a technician to the partner, and creates a customer's site.
    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    follow(&client, Locator::LinkText("Team")).await;
    let emails = found(&client, Locator::Id("emails")).await;
    emails.click().await.unwrap();
    keys(&client, "nina@example.com").await;
    keys(&client, TAB).await;
    keys(&client, TAB).await;
    keys(&client, ENTER).await;
    found(&client, Locator::Css("[role=status] table")).await;
    new_customer_and_site(&client, &base).await;
    sign_out(&client).await;

    // The technician opens the email's link, from a real SMTP server, and signs up.
    deliver_due(&app.state, &mailer).await.unwrap();
    client
        .goto(&newest_link(&smtp, &base, "nina@example.com"))
        .await
        .unwrap();
    click(&client, Locator::Id("name")).await;
    keys(&client, "Nina Tech").await;
    keys(&client, TAB).await;
    keys(&client, PASSWORD).await;
    keys(&client, ENTER).await;
    found(&client, Locator::Css("[role=status]")).await;
    client.goto(&format!("{base}/")).await.unwrap();
    sign_out(&client).await;

    // The Super Admin assigns her to the site with the picker, by keyboard.
    sign_in(&client, "owner@acme.example").await;
    follow(&client, Locator::LinkText("Customers and sites")).await;
    follow(&client, Locator::LinkText("Head office")).await;
    follow(&client, Locator::LinkText("Invite technicians")).await;
    click(&client, Locator::Id("q")).await;
    keys(&client, "nina").await;
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let add = found(&client, Locator::Css("button[aria-label='Add Nina Tech']")).await;
    add.send_keys(ENTER).await.unwrap();
    let level = found(
        &client,
        Locator::Css("select[aria-label='Level for Nina Tech']"),
    )
    .await;
    check_page(&client, "picker").await;
    level.select_by_value("full_including_users").await.unwrap();
    let confirm = client
        .find(Locator::Css("button[value=review]"))
        .await
        .unwrap();
    confirm.send_keys(ENTER).await.unwrap();
    let apply = found(&client, Locator::Css("form[method=post] button[autofocus]")).await;
    assert_eq!(
        apply.text().await.unwrap(),
        "Apply and send the invitations (1)"
    );
    let review = client.find(Locator::Css("tbody")).await.unwrap();
    assert_eq!(
        review.text().await.unwrap(),
        "Nina Tech nina@example.com Full Including Users"
    );
    check_page(&client, "picker-review").await;
    // Apply has the focus: Enter sends.
    keys(&client, ENTER).await;
    let invitations = found(&client, Locator::Id("invitations-heading")).await;
    let list = invitations
        .find(Locator::XPath("following-sibling::table"))
        .await
        .unwrap();
    let text = list.text().await.unwrap();
    assert!(
        text.contains("nina@example.com A site, Full Including Users Pending"),
        "{text}"
    );
    check_page(&client, "site-invitations").await;
    sign_out(&client).await;

    // She accepts with her account; the site's admin unlocks her.
    deliver_due(&app.state, &mailer).await.unwrap();
    client
        .goto(&newest_link(&smtp, &base, "nina@example.com"))
        .await
        .unwrap();
    click(&client, Locator::Id("password")).await;
    keys(&client, PASSWORD).await;
    keys(&client, ENTER).await;
    let done = found(&client, Locator::Css("[role=status]")).await;
    assert_eq!(
        done.text().await.unwrap(),
        "You are a technician of Head office for acme Installers, with the level Full Including Users."
    );
    client.goto(&format!("{base}/")).await.unwrap();
    sign_out(&client).await;
    sign_in(&client, "kim@northwind.example").await;
    follow(&client, Locator::LinkText("Head office")).await;
    // A new site starts with Technician Access off (reference 002: its admins switch it
    // on); Nina's access waits until then.
    follow(&client, Locator::LinkText("Settings › Site › Security")).await;
    press(&client, Locator::Css("input[value=on]"), SPACE, false).await;
    press(
        &client,
        Locator::Css("form button[type=submit]:not(.quiet)"),
        ENTER,
        true,
    )
    .await;
    found(&client, Locator::Css(".success")).await;
    follow(
        &client,
        Locator::LinkText("Admins & Technicians › Technicians"),
    )
    .await;
    let unlock = found(
        &client,
        Locator::Css("button[aria-label='Unlock Nina Tech (nina@example.com)']"),
    )
    .await;
    unlock.send_keys(ENTER).await.unwrap();
    found(
        &client,
        Locator::Css("button[aria-label='Lock Nina Tech (nina@example.com)']"),
    )
    .await;

    // The check API agrees: Nina may use the site's menus her level grants.
    let nina = app.token("nina@example.com").await;
    let me = app.get("/v1/me", &nina).await;
    let site = client
        .current_url()
        .await
        .unwrap()
        .path()
        .split('/')
        .nth(2)
        .unwrap()
        .to_owned();
    let allowed = app
        .post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": me.body["id"], "permission": "users.view", "site_id": site }),
        )
        .await;
    assert_eq!(allowed.body["allowed"], true, "{}", allowed.body);

    // Reference 001's Lock Account toggle: now that the site's admin unlocked her, the
    // partner's Super Admin locks her from the site's Technicians List, by keyboard.
    sign_out(&client).await;
    sign_in(&client, "owner@acme.example").await;
    found(&client, Locator::Css("form.sign-out button")).await;
    client
        .goto(&format!("{base}/sites/{site}/technicians"))
        .await
        .unwrap();
    press(
        &client,
        Locator::Css("button[aria-label='Lock Nina Tech (nina@example.com)']"),
        ENTER,
        true,
    )
    .await;
    found(
        &client,
        Locator::Css("button[aria-label='Unlock Nina Tech (nina@example.com)']"),
    )
    .await;
    check_page(&client, "site-technicians-partner").await;
    let locked = app
        .post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": me.body["id"], "permission": "users.view", "site_id": site }),
        )
        .await;
    assert_eq!(locked.body["reason"], "locked", "{}", locked.body);
    client.close().await.unwrap();
}

#[tokio::test]
async fn a_person_resets_a_forgotten_password_by_keyboard() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    app.partner(&operator, "acme").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    follow(&client, Locator::LinkText("Forgotten your password?")).await;
    let email = found(&client, Locator::Id("email")).await;
    check_page(&client, "forgot-password").await;
    email.click().await.unwrap();
    keys(&client, "owner@acme.example").await;
    keys(&client, ENTER).await;
    found(&client, Locator::Css("[role=status]")).await;

    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let token = smtp.to("owner@acme.example")[0].token();
    client
        .goto(&format!("{base}/reset-password?token={token}"))
        .await
        .unwrap();
    click(&client, Locator::Id("password")).await;
    check_page(&client, "reset-password").await;
    keys(&client, "a brand new passphrase").await;
    keys(&client, ENTER).await;
    let heading = found(
        &client,
        Locator::XPath("//h1[text()='Your password was changed']"),
    )
    .await;
    assert!(heading.is_displayed().await.unwrap());
    check_page(&client, "password-reset").await;
    follow(&client, Locator::LinkText("Sign in")).await;
    click(&client, Locator::Id("email")).await;
    keys(&client, "owner@acme.example").await;
    keys(&client, TAB).await;
    keys(&client, "a brand new passphrase").await;
    keys(&client, ENTER).await;
    found(&client, Locator::Id("partners-heading")).await;
    client.close().await.unwrap();
}

/// Just-in-time access by keyboard: a technician asks for access on their own page, the
/// site's admin approves it from the site's Access requests tab, and the technician sees it in
/// force.
#[tokio::test]
async fn a_technician_asks_for_access_and_the_site_admin_approves_it_by_keyboard() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tom@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "tom@acme.example").await;
    click(&client, Locator::Id("request-reason")).await;
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, "INC-77: till 3 will not print").await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let row = found(
        &client,
        Locator::XPath("//td[text()='INC-77: till 3 will not print']/following-sibling::td[1]"),
    )
    .await;
    assert_eq!(row.text().await.unwrap(), "Waiting");
    client
        .execute(
            "document.getElementById('requests-heading').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    check_page(&client, "request-access").await;

    sign_out(&client).await;
    sign_in(&client, "admin@customer.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/sites/{site}/access-requests"))
        .await
        .unwrap();
    let comment = found(&client, Locator::Css("input[id^='approve-comment-']")).await;
    check_page(&client, "site-access-requests").await;
    comment.click().await.unwrap();
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, "Go ahead").await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    found(&client, Locator::Css("div.success[role='status']")).await;
    let status = found(
        &client,
        Locator::XPath("//td[text()='INC-77: till 3 will not print']/following-sibling::td[1]"),
    )
    .await;
    assert_eq!(status.text().await.unwrap(), "In force");

    sign_out(&client).await;
    sign_in(&client, "tom@acme.example").await;
    let end = found(&client, Locator::Css("form[action$='/end'] button")).await;
    assert_eq!(end.text().await.unwrap(), "End now");
    client
        .execute(
            "document.getElementById('requests-heading').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    check_page(&client, "request-approved").await;
    client.close().await.unwrap();
}

/// An access review by keyboard: the site's admin opens the Access reviews tab, ticks a
/// technician with the space bar and confirms them; the verdict names the admin.
#[tokio::test]
async fn a_site_admin_confirms_a_technician_in_a_review_by_keyboard() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = super::technicians::site_with_technicians(&app, 3).await;
    super::technicians::set_locked(&app, &site, &admin, &techs, false).await;
    // tech0 was let in by the check: the review shows when.
    let checked = app
        .post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": techs[0], "permission": "dashboard.view", "site_id": site }),
        )
        .await;
    assert_eq!(checked.body["allowed"], true, "{}", checked.body);
    let started = app
        .post(
            &format!("/v1/sites/{site}/reviews"),
            &admin,
            json!({ "days": 14 }),
        )
        .await;
    assert_eq!(
        started.status,
        axum::http::StatusCode::CREATED,
        "{}",
        started.body
    );
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "admin@customer.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/sites/{site}/reviews"))
        .await
        .unwrap();
    let tick = found(
        &client,
        Locator::Css(&format!("input[name='account'][value='{}']", techs[1])),
    )
    .await;
    // Focus without toggling, then the space bar ticks it.
    client
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(&tick).unwrap()],
        )
        .await
        .unwrap();
    keys(&client, SPACE).await;
    assert!(tick.is_selected().await.unwrap());
    let confirm = found(
        &client,
        Locator::XPath("//button[text()='Confirm selected']"),
    )
    .await;
    client
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(&confirm).unwrap()],
        )
        .await
        .unwrap();
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let verdict = found(
        &client,
        Locator::XPath("//td[text()='Member (tech1@acme.example)']/following-sibling::td[4]"),
    )
    .await;
    assert_eq!(verdict.text().await.unwrap(), "Confirmed (Site Admin)");
    check_page(&client, "site-reviews").await;
    client.close().await.unwrap();
}

/// An invitation held for approval, by keyboard: the partner's Super Admin finds it on the
/// site's Technicians tab, with the policy's reason, and approves it.
#[tokio::test]
async fn a_super_admin_approves_an_invitation_held_for_approval_by_keyboard() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "admin@acme.example", "admin").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let installed = app
        .install(
            &operator,
            "domain-policy",
            super::plugins::manifest("domain-policy"),
        )
        .await;
    assert_eq!(
        installed.status,
        axum::http::StatusCode::CREATED,
        "{}",
        installed.body
    );
    app.put(
        &format!("/v1/partners/{}/plugins/domain-policy", acme.id),
        &operator,
        json!({ "enabled": true, "config": { "allowed_domains": "acme.example", "approval_levels": "full_including_users" } }),
    )
    .await;
    let held = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &app.token("admin@acme.example").await,
            json!({ "level": "full_including_users", "technicians": [{ "account_id": tech }] }),
        )
        .await;
    assert_eq!(
        held.body["invitations"][0]["status"], "awaiting_approval",
        "{}",
        held.body
    );
    let base = serve(&app).await;
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/sites/{site}/technicians"))
        .await
        .unwrap();
    let approve = found(&client, Locator::Css("form[action$='/approve'] button")).await;
    client
        .execute(
            "document.getElementById('invitations-heading').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    check_page(&client, "invitation-approval").await;
    client
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(&approve).unwrap()],
        )
        .await
        .unwrap();
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let status = found(
        &client,
        Locator::XPath("//td[text()='tech@acme.example']/following-sibling::td[2]"),
    )
    .await;
    assert_eq!(status.text().await.unwrap(), "Pending");
    client.close().await.unwrap();
}

/// Single sign-on in a real browser against a real provider (`oidc-provider`, OpenID
/// Certified, from npm): the Super Admin's Identity page, then a technician signing in from
/// the sign-in page through the provider's own login form, by keyboard.
#[tokio::test]
async fn a_technician_signs_in_through_the_company_identity_provider_by_keyboard() {
    let (listener, base, app) = sso_host().await;
    let idp = crate::sso::RealIdp::start(
        &format!("{base}/sso/callback"),
        json!({ "ana@acme.example": { "email": "ana@acme.example", "email_verified": true, "name": "Ana Field" } }),
    );
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "ana@acme.example", "technician").await;
    crate::sso::connection_at(&app, &acme, &idp.issuer, "acme.example", (false, false)).await;
    serve_on(listener, &app);
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/partners/{}/identity", acme.id))
        .await
        .unwrap();
    found(&client, Locator::Id("register-heading")).await;
    check_page(&client, "identity").await;
    sign_out(&client).await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    follow(&client, Locator::LinkText("Sign in with single sign-on")).await;
    found(&client, Locator::Id("email")).await;
    check_page(&client, "sso-sign-in").await;
    click(&client, Locator::Id("email")).await;
    keys(&client, "ana@acme.example").await;
    keys(&client, ENTER).await;
    // The provider's own login form, on its own origin, with the address filled in from
    // the sign-in's login hint.
    let login = found(&client, Locator::Css("input[name=login]")).await;
    let hinted = login.prop("value").await.unwrap();
    assert_eq!(hinted.as_deref(), Some("ana@acme.example"));
    click(&client, Locator::Css("input[name=password]")).await;
    keys(&client, "the provider's password").await;
    keys(&client, ENTER).await;
    signed_in_at_home(client, &base).await;
}

/// SAML single sign-on in a real browser against a real identity provider (pysaml2): the
/// Super Admin's Identity page shows what to give the provider and tests the sign-in (the
/// claims received), then a technician signs in from the sign-in page through the
/// provider's form, which posts the answer back — all by keyboard.
#[tokio::test]
async fn a_technician_signs_in_through_a_saml_provider_by_keyboard() {
    let idp = crate::saml::SamlIdp::start(json!({
        "ana": { "email": "ana@acme.example", "name": "Ana Field", "groups": ["field"] },
    }));
    let (listener, base, app) = sso_host().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "ana@acme.example", "technician").await;
    let connection = crate::saml::saml_connection(&app, &acme, &idp, "acme.example").await;
    serve_on(listener, &app);
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/partners/{}/identity", acme.id))
        .await
        .unwrap();
    let entity_id = found(&client, Locator::Id(&format!("entity-id-{connection}"))).await;
    let shown = entity_id.prop("value").await.unwrap().unwrap();
    assert_eq!(shown, format!("{base}/sso/saml/{connection}/metadata"));
    entity_id.click().await.unwrap();
    check_page(&client, "identity-saml").await;
    let test = found(&client, Locator::XPath("//button[text()='Test sign-in']")).await;
    test.send_keys(ENTER).await.unwrap();
    click(&client, Locator::Id("login")).await;
    keys(&client, "ana").await;
    // The provider stamps its answer with the real time: the host's clock follows.
    app.clock.set(chrono::Utc::now());
    keys(&client, ENTER).await;
    // The provider's page posts the answer back; the test shows what it said.
    found(&client, Locator::XPath("//code[text()='NameID']")).await;
    let claims = client.source().await.unwrap();
    for said in ["ana@acme.example", "Ana Field", "field", &idp.entity_id] {
        assert!(claims.contains(said), "{said}: {claims}");
    }
    check_page(&client, "sso-test-saml").await;
    client
        .goto(&format!("{base}/partners/{}/identity", acme.id))
        .await
        .unwrap();
    sign_out(&client).await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    follow(&client, Locator::LinkText("Sign in with single sign-on")).await;
    click(&client, Locator::Id("email")).await;
    keys(&client, "ana@acme.example").await;
    keys(&client, ENTER).await;
    click(&client, Locator::Id("login")).await;
    keys(&client, "ana").await;
    // The provider stamps its answer with the real time: the host's clock follows.
    app.clock.set(chrono::Utc::now());
    keys(&client, ENTER).await;
    signed_in_at_home(client, &base).await;
}

/// A customer's single sign-on for its sites' admins, set up by the partner by keyboard: from
/// the customers list to the customer's Identity page, a group mapped to one of its sites.
#[tokio::test]
async fn a_partner_admin_maps_a_customers_provider_group_to_a_site_by_keyboard() {
    let idp = crate::saml::SamlIdp::start(json!({}));
    let (listener, base, app) = sso_host().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (customer, _, _) = crate::saml::customer_with_sites(
        &app,
        &acme,
        ("ian@initech.example", "dora@initech.example"),
    )
    .await;
    let connection =
        crate::saml::saml_connection_for(&app, (&acme, Some(&customer)), &idp, "initech.example")
            .await;
    serve_on(listener, &app);
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/partners/{}/sites", acme.id))
        .await
        .unwrap();
    follow(
        &client,
        Locator::LinkText("Single sign-on for Initech's site admins"),
    )
    .await;
    found(&client, Locator::Id(&format!("entity-id-{connection}"))).await;
    click(&client, Locator::Id(&format!("group-{connection}"))).await;
    keys(&client, "it-depot").await;
    keys(&client, TAB).await;
    // The site the group gives, chosen by keyboard.
    keys(&client, "Site admin: Depot").await;
    keys(&client, TAB).await;
    keys(&client, ENTER).await;
    found(&client, Locator::XPath("//code[text()='it-depot']")).await;
    let page = client.source().await.unwrap();
    assert!(page.contains("Site admin: Depot"), "{page}");
    assert!(
        !page.contains("SCIM"),
        "a customer's page has no provisioning: {page}"
    );
    // The mapping in view, for the screenshot.
    click(&client, Locator::Id(&format!("group-{connection}"))).await;
    check_page(&client, "customer-identity").await;
    client.close().await.unwrap();
}

/// Partner › Identity › Directory by keyboard, against a private OpenLDAP server: the Super
/// Admin sets the directory up, maps a group to a department, syncs, and previews.
#[tokio::test]
async fn a_super_admin_sets_up_the_directory_and_syncs_it_by_keyboard() {
    use crate::directory::{
        READER_DN, READER_PASSWORD, SUFFIX, Slapd, group, group_dn, person, person_dn,
    };

    let mut ldif: String = ["ana", "ben", "cleo"]
        .iter()
        .map(|uid| person(uid, &format!("{uid} Field")))
        .collect();
    ldif.push_str(&group("field", &[person_dn("ana"), person_dn("ben")]));
    let slapd = Slapd::start(&ldif);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::with_settings(crate::sso::settings(&base)).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    crate::sso::connection_of(&app, &acme, "example.test").await;
    let made = app
        .post(
            &format!("/v1/partners/{}/departments", acme.id),
            &acme.owner_token,
            json!({ "name": "Field" }),
        )
        .await;
    assert_eq!(
        made.status,
        axum::http::StatusCode::CREATED,
        "{}",
        made.body
    );
    serve_on(listener, &app);
    let (_driver, client) = browser().await;

    client.goto(&format!("{base}/sign-in")).await.unwrap();
    sign_in(&client, "owner@acme.example").await;
    found(&client, Locator::Id("partners-heading")).await;
    client
        .goto(&format!("{base}/partners/{}/identity", acme.id))
        .await
        .unwrap();
    follow(&client, Locator::LinkText("Set up the directory")).await;

    // The connection, field by field in tab order; Enter sends the form.
    click(&client, Locator::Id("directory-url")).await;
    keys(&client, &slapd.url).await;
    keys(&client, TAB).await; // StartTLS, left off
    keys(&client, TAB).await;
    keys(&client, READER_DN).await;
    keys(&client, TAB).await;
    keys(&client, READER_PASSWORD).await;
    keys(&client, TAB).await;
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, SUFFIX).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;
    let saved = client.source().await.unwrap();
    assert!(saved.contains("The directory is saved."), "{saved}");

    // A group mapped to the department: its DN, then Tab to the department and the button.
    click(&client, Locator::Id("mapping-group")).await;
    keys(&client, &group_dn("field")).await;
    keys(&client, TAB).await;
    keys(&client, TAB).await;
    let before = found(&client, Locator::Css("main")).await;
    keys(&client, ENTER).await;
    until_replaced(before).await;

    // Sync now, by keyboard: the button takes the focus and Enter presses it.
    let sync = found(&client, Locator::Css("form[action$='/sync'] button")).await;
    let before = found(&client, Locator::Css("main")).await;
    sync.send_keys(ENTER).await.unwrap();
    until_replaced(before).await;
    let synced = client.source().await.unwrap();
    assert!(
        synced.contains("3 joined, 0 renamed, 0 disabled, 0 enabled, 2 department changes"),
        "{synced}"
    );

    // Cleo leaves the directory; the preview says what the next sync would do.
    let (conn, mut ldap) = ldap3::LdapConnAsync::new(&slapd.url).await.unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind(&format!("cn=admin,{SUFFIX}"), "admin-secret")
        .await
        .unwrap()
        .success()
        .unwrap();
    ldap.delete(&person_dn("cleo"))
        .await
        .unwrap()
        .success()
        .unwrap();
    follow(&client, Locator::LinkText("Preview the changes")).await;
    let preview = client.source().await.unwrap();
    assert!(
        preview.contains("Disabled: left the directory or its group"),
        "{preview}"
    );
    check_page(&client, "directory").await;
    client.close().await.unwrap();
}
