//! The console's invitation page, through the real router: the email's button opens a page,
//! not JSON; a person signs up or signs in there and accepts; a link that does not work says
//! why; pages carry their security headers and forms their CSRF token.

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt;

use siteward_core::totp;
use siteward_server::mail::deliver_due;

use super::smtp::TestSmtp;
use super::{PASSWORD, TestApp};

/// A page as a browser gets it.
pub(super) struct Page {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) html: String,
}

impl Page {
    /// The value of the input `name`.
    pub(super) fn input(&self, name: &str) -> String {
        let at = self
            .html
            .find(&format!("name=\"{name}\""))
            .unwrap_or_else(|| panic!("no input {name} in {}", self.html));
        let tag = &self.html[at..at + self.html[at..].find('>').unwrap()];
        let start = tag
            .find("value=\"")
            .unwrap_or_else(|| panic!("input {name} has no value: {tag}"))
            + "value=\"".len();
        tag[start..start + tag[start..].find('"').unwrap()].to_owned()
    }

    /// The value a `Set-Cookie` header gives cookie `name`, with its attributes.
    pub(super) fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

/// The value of `name=value; …`.
pub(super) fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value)
        .unwrap()
}

pub(super) async fn open(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Page {
    open_with(app, method, path, cookie, form, None).await
}

/// `GET path` from a browser that asks for `accept_language`.
async fn open_in(app: &TestApp, accept_language: &str, path: &str, cookie: Option<&str>) -> Page {
    open_with(app, Method::GET, path, cookie, None, Some(accept_language)).await
}

async fn open_with(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
    accept_language: Option<&str>,
) -> Page {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(languages) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, languages);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let request = match form {
        Some(fields) => request
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
            .unwrap(),
        None => request.body(Body::empty()).unwrap(),
    };
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Page {
        status,
        headers,
        html: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

/// The path of the console link in the only email to `address`.
fn link_in_email(smtp: &TestSmtp, address: &str) -> String {
    let mail = &smtp.to(address)[0];
    let html = mail.html();
    let start = html
        .find("http://127.0.0.1:8080/invitations/accept?token=")
        .unwrap_or_else(|| panic!("no console link in {html}"));
    let end = html[start..].find('"').unwrap() + start;
    html[start + "http://127.0.0.1:8080".len()..end].to_owned()
}

#[tokio::test]
async fn the_emails_button_opens_a_page_where_a_new_person_signs_up_and_accepts() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["new.tech@example.com"], "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let link = link_in_email(&smtp, "new.tech@example.com");

    let page = open(&app, Method::GET, &link, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    for expected in [
        "acme Installers invites you",
        "new.tech@example.com",
        "Technician",
        "Create your account to accept",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "scripts only from the host, none inline: {csp}"
    );
    // The one script, htmx, embedded and served under its hash.
    let script = page.html.split("<script src=\"").nth(1).unwrap();
    let script = &script[..script.find('"').unwrap()];
    assert!(script.starts_with("/assets/htmx."), "{script}");
    let js = open(&app, Method::GET, script, None, None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(
        js.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(js.html.starts_with("var htmx="), "htmx itself");
    assert!(page.html.contains("<body hx-boost=\"true\">"));
    assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(
        page.headers[header::REFERRER_POLICY],
        "no-referrer",
        "the link's token never leaves in a Referer"
    );
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    let csrf_cookie = page.set_cookie("siteward_csrf").expect("a CSRF cookie");
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"),
        "{csrf_cookie}"
    );
    let csrf = page.input("csrf");
    assert_eq!(csrf, cookie_value(&csrf_cookie));
    let token = page.input("token");

    // The stylesheet is embedded, named by its content and kept for a year.
    let start = page.html.find("/assets/siteward.").unwrap();
    let end = page.html[start..].find('"').unwrap() + start;
    let css = open(&app, Method::GET, &page.html[start..end], None, None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(
        css.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let stale = open(
        &app,
        Method::GET,
        "/assets/siteward.0123456789abcdef.css",
        None,
        None,
    )
    .await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);

    // A form that did not come from this browser's visit is refused, and nothing happens.
    let cookie = format!("siteward_csrf={csrf}");
    let forged = [
        ("token", token.as_str()),
        ("csrf", "x".repeat(43).leak() as &str),
        ("name", "Nina"),
        ("password", PASSWORD),
    ];
    let refused = open(
        &app,
        Method::POST,
        "/invitations/accept",
        Some(&cookie),
        Some(&forged),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    let no_cookie = [
        ("token", token.as_str()),
        ("csrf", csrf.as_str()),
        ("name", "Nina"),
        ("password", PASSWORD),
    ];
    let refused = open(
        &app,
        Method::POST,
        "/invitations/accept",
        None,
        Some(&no_cookie),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A weak password is named next to its field, and the name typed stays.
    let weak = [
        ("token", token.as_str()),
        ("csrf", csrf.as_str()),
        ("name", "Nina Tech"),
        ("password", "password1234"),
    ];
    let again = open(
        &app,
        Method::POST,
        "/invitations/accept",
        Some(&cookie),
        Some(&weak),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.html
    );
    assert!(
        again.html.contains("id=\"password-error\""),
        "{}",
        again.html
    );
    assert!(again.html.contains("aria-invalid=\"true\""));
    assert_eq!(again.input("name"), "Nina Tech");

    let good = [
        ("token", token.as_str()),
        ("csrf", csrf.as_str()),
        ("name", "Nina Tech"),
        ("password", PASSWORD),
    ];
    let done = open(
        &app,
        Method::POST,
        "/invitations/accept",
        Some(&cookie),
        Some(&good),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(
        done.html
            .contains("You joined acme Installers as Technician."),
        "{}",
        done.html
    );
    let session = done
        .set_cookie("siteward_session")
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http here: {session}");

    // The session is a real one: the new member is who it says.
    let me = app.get("/v1/me", cookie_value(&session)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["email"], "new.tech@example.com", "{}", me.body);
    assert_eq!(me.body["partners"][0]["role"], "technician", "{}", me.body);

    // The link worked once.
    let used = open(&app, Method::GET, &link, None, None).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert!(used.html.contains("already accepted"), "{}", used.html);
}

#[tokio::test]
async fn an_existing_account_signs_in_on_the_page_to_accept_a_site_invitation() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let tech = app.member(&acme, "tech@acme.example", "technician").await;
    let invited = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            json!({ "technicians": [{ "account_id": tech, "level": "devices_only" }] }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let link = link_in_email(&smtp, "tech@acme.example");

    let page = open(&app, Method::GET, &link, None, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in ["Sign in to accept", "Devices Only", "stays Locked"] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    let csrf = page.input("csrf");
    let token = page.input("token");
    let cookie = format!("siteward_csrf={csrf}");

    let wrong = [
        ("token", token.as_str()),
        ("csrf", csrf.as_str()),
        ("password", "not the password at all"),
    ];
    let again = open(
        &app,
        Method::POST,
        "/invitations/accept",
        Some(&cookie),
        Some(&wrong),
    )
    .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.html);
    assert!(
        again.html.contains("id=\"password-error\""),
        "{}",
        again.html
    );

    let right = [
        ("token", token.as_str()),
        ("csrf", csrf.as_str()),
        ("password", PASSWORD),
    ];
    let done = open(
        &app,
        Method::POST,
        "/invitations/accept",
        Some(&cookie),
        Some(&right),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(
        done.html.contains("with the level Devices Only"),
        "{}",
        done.html
    );
    let technicians = app
        .get(
            &format!("/v1/sites/{site}/technicians"),
            &app.token("admin@customer.example").await,
        )
        .await;
    assert_eq!(
        technicians.body["items"][0]["account_id"],
        tech.as_str(),
        "{}",
        technicians.body
    );
    assert_eq!(
        technicians.body["items"][0]["locked"], true,
        "new assignments start Locked"
    );
}

#[tokio::test]
async fn a_link_that_no_longer_works_says_why_and_what_to_do() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["one@example.com", "two@example.com"], "role": "admin" }),
        )
        .await;
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let revoked_id = invited.body["results"][0]["invitation"]["id"]
        .as_str()
        .unwrap();
    let revoke = app
        .post(
            &format!("/v1/invitations/{revoked_id}/revoke"),
            &acme.owner_token,
            json!({}),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.body);

    let unknown = open(
        &app,
        Method::GET,
        "/invitations/accept?token=inv_nothing",
        None,
        None,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.html.contains("not valid"), "{}", unknown.html);
    let bare = open(&app, Method::GET, "/invitations/accept", None, None).await;
    assert_eq!(bare.status, StatusCode::NOT_FOUND);

    let withdrawn = open(
        &app,
        Method::GET,
        &link_in_email(&smtp, "one@example.com"),
        None,
        None,
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::GONE);
    assert!(
        withdrawn.html.contains("withdrawn") && withdrawn.html.contains("acme Installers"),
        "{}",
        withdrawn.html
    );

    app.clock.advance(chrono::Duration::days(8));
    let expired = open(
        &app,
        Method::GET,
        &link_in_email(&smtp, "two@example.com"),
        None,
        None,
    )
    .await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(
        expired.html.contains("has expired") && expired.html.contains("send it again"),
        "{}",
        expired.html
    );
}

#[tokio::test]
async fn a_person_signs_in_sees_their_own_access_and_signs_out() {
    // tech0 is a Technician of acme, assigned (Locked) to one of its sites.
    let app = TestApp::new().await;
    let (_, _, _, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    assert_eq!(techs.len(), 1);

    // Signed out, the own page sends to the sign-in page.
    let away = open(&app, Method::GET, "/", None, None).await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(away.headers[header::LOCATION], "/sign-in");

    let page = open(&app, Method::GET, "/sign-in", None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.input("csrf");
    let cookie = format!("siteward_csrf={csrf}");

    let wrong = [
        ("csrf", csrf.as_str()),
        ("email", "tech0@acme.example"),
        ("password", "not the password at all"),
    ];
    let refused = open(&app, Method::POST, "/sign-in", Some(&cookie), Some(&wrong)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.html);
    assert!(
        refused.html.contains("The email or password is wrong."),
        "{}",
        refused.html
    );
    assert_eq!(
        refused.input("email"),
        "tech0@acme.example",
        "the email stays"
    );

    let right = [
        ("csrf", csrf.as_str()),
        ("email", "tech0@acme.example"),
        ("password", PASSWORD),
    ];
    let signed_in = open(&app, Method::POST, "/sign-in", Some(&cookie), Some(&right)).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    assert_eq!(signed_in.headers[header::LOCATION], "/");
    let session = signed_in.set_cookie("siteward_session").expect("a session");
    let both = format!("{cookie}; siteward_session={}", cookie_value(&session));

    let mine = open(&app, Method::GET, "/", Some(&both), None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.html);
    for expected in [
        "My access",
        "acme Installers",
        "Technician",
        "Head office",
        "Full Excluding Users",
        "Locked",
        "No end",
    ] {
        assert!(mine.html.contains(expected), "{expected} in {}", mine.html);
    }

    // Signing out ends the session itself, not only the cookie.
    let out = [("csrf", csrf.as_str())];
    let signed_out = open(&app, Method::POST, "/sign-out", Some(&both), Some(&out)).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert!(
        signed_out
            .set_cookie("siteward_session")
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        app.get("/v1/me", cookie_value(&session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let after = open(&app, Method::GET, "/", Some(&both), None).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_account_with_two_step_sign_in_is_asked_for_its_code() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let enrolled = app
        .call(Method::POST, "/v1/me/totp", Some(&acme.owner_token), None)
        .await;
    assert_eq!(enrolled.status.as_u16() / 100, 2, "{}", enrolled.body);
    let secret = enrolled.str("secret");
    let code_at =
        |app: &TestApp| totp::code_at_step(&secret, totp::step(app.clock.now_time())).unwrap();
    let code_now = code_at(&app);
    let confirmed = app
        .post(
            "/v1/me/totp/confirm",
            &acme.owner_token,
            json!({ "code": code_now }),
        )
        .await;
    assert_eq!(confirmed.status.as_u16() / 100, 2, "{}", confirmed.body);

    // The password first: right, so the code is asked for on a step of its own, and nobody
    // is signed in yet.
    let page = open(&app, Method::GET, "/sign-in", None, None).await;
    assert!(
        !page.html.contains("name=\"totp\""),
        "the code is not asked yet"
    );
    let csrf = page.input("csrf");
    let cookie = format!("siteward_csrf={csrf}");
    let password = [
        ("csrf", csrf.as_str()),
        ("email", "owner@acme.example"),
        ("password", PASSWORD),
    ];
    let asked = open(
        &app,
        Method::POST,
        "/sign-in",
        Some(&cookie),
        Some(&password),
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
    assert_eq!(asked.headers[header::LOCATION], "/sign-in/code");
    assert!(asked.set_cookie("siteward_session").is_none());
    let challenge = asked.set_cookie("siteward_sign_in").expect("a challenge");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/sign-in/code",
        "Max-Age=300",
    ] {
        assert!(challenge.contains(attribute), "{attribute} in {challenge}");
    }
    let held = format!("{cookie}; siteward_sign_in={}", cookie_value(&challenge));
    let step = open(&app, Method::GET, "/sign-in/code", Some(&held), None).await;
    assert_eq!(step.status, StatusCode::OK);
    assert!(
        step.html.contains("autocomplete=\"one-time-code\""),
        "{}",
        step.html
    );
    // Without a challenge there is no second step to take.
    let none = open(&app, Method::GET, "/sign-in/code", Some(&cookie), None).await;
    assert_eq!(none.headers[header::LOCATION], "/sign-in");

    // A wrong code is said next to the field; the same step takes another.
    let wrong = [("csrf", csrf.as_str()), ("code", "000000")];
    let refused = open(
        &app,
        Method::POST,
        "/sign-in/code",
        Some(&held),
        Some(&wrong),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"code-error\""),
        "{}",
        refused.html
    );

    // The code used to turn it on was used once; the next one signs in, once.
    app.clock.advance(chrono::Duration::seconds(31));
    let code = code_at(&app);
    let right = [("csrf", csrf.as_str()), ("code", code.as_str())];
    let signed_in = open(
        &app,
        Method::POST,
        "/sign-in/code",
        Some(&held),
        Some(&right),
    )
    .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    assert_eq!(signed_in.headers[header::LOCATION], "/");
    let session = signed_in.set_cookie("siteward_session").expect("a session");
    assert!(
        signed_in
            .set_cookie("siteward_sign_in")
            .unwrap()
            .contains("Max-Age=0")
    );
    let both = format!("{cookie}; siteward_session={}", cookie_value(&session));
    assert_eq!(
        open(&app, Method::GET, "/", Some(&both), None).await.status,
        StatusCode::OK
    );
    let replayed = open(
        &app,
        Method::POST,
        "/sign-in/code",
        Some(&held),
        Some(&right),
    )
    .await;
    assert!(
        replayed.html.contains("enter your password again"),
        "a challenge starts one session: {}",
        replayed.html
    );

    // A challenge lasts five minutes.
    let asked = open(
        &app,
        Method::POST,
        "/sign-in",
        Some(&cookie),
        Some(&password),
    )
    .await;
    let challenge = asked.set_cookie("siteward_sign_in").unwrap();
    let held = format!("{cookie}; siteward_sign_in={}", cookie_value(&challenge));
    app.clock.advance(chrono::Duration::minutes(6));
    let code = code_at(&app);
    let late = [("csrf", csrf.as_str()), ("code", code.as_str())];
    let late = open(
        &app,
        Method::POST,
        "/sign-in/code",
        Some(&held),
        Some(&late),
    )
    .await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert!(late.html.contains("took too long"), "{}", late.html);
    assert!(
        late.html.contains("name=\"password\""),
        "back at the password"
    );

    // Wrong codes count against the account's lockout like wrong passwords: five end it.
    let asked = open(
        &app,
        Method::POST,
        "/sign-in",
        Some(&cookie),
        Some(&password),
    )
    .await;
    let challenge = asked.set_cookie("siteward_sign_in").unwrap();
    let held = format!("{cookie}; siteward_sign_in={}", cookie_value(&challenge));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let refused = open(
            &app,
            Method::POST,
            "/sign-in/code",
            Some(&held),
            Some(&wrong),
        )
        .await;
        statuses.push(refused.status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "the lockout starts: {statuses:?}"
    );
    let code = code_at(&app);
    let right = [("csrf", csrf.as_str()), ("code", code.as_str())];
    let locked = open(
        &app,
        Method::POST,
        "/sign-in/code",
        Some(&held),
        Some(&right),
    )
    .await;
    assert_ne!(locked.status, StatusCode::SEE_OTHER, "{}", locked.html);
}

/// Signs in through the console's form: the cookies a browser would then send.
pub(super) async fn signed_in(app: &TestApp, email: &str) -> (String, String) {
    signed_in_with(app, email, PASSWORD).await
}

/// Signs in with this password.
async fn signed_in_with(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let page = open(app, Method::GET, "/sign-in", None, None).await;
    let csrf = page.input("csrf");
    let cookie = format!("siteward_csrf={csrf}");
    let form = [
        ("csrf", csrf.as_str()),
        ("email", email),
        ("password", password),
    ];
    let done = open(app, Method::POST, "/sign-in", Some(&cookie), Some(&form)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let session = done.set_cookie("siteward_session").unwrap();
    (
        format!("{cookie}; siteward_session={}", cookie_value(&session)),
        csrf,
    )
}

#[tokio::test]
async fn a_partner_admin_invites_resends_and_revokes_from_the_team_page() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let team = format!("/partners/{}/team", acme.id);

    let mine = open(&app, Method::GET, "/", Some(&cookie), None).await;
    assert!(
        mine.html.contains(&format!("href=\"{team}\"")),
        "the Super Admin's own page links the team: {}",
        mine.html
    );
    let page = open(&app, Method::GET, &team, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("tech@acme.example") && page.html.contains("owner@acme.example"),
        "{}",
        page.html
    );

    let form = [
        ("csrf", csrf.as_str()),
        (
            "emails",
            "new@acme.example,\nnot an address\ntech@acme.example",
        ),
        ("role", "technician"),
    ];
    let sent = open(
        &app,
        Method::POST,
        &format!("{team}/invitations"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    for expected in [
        "new@acme.example</td><td>Invited",
        "not an address</td><td>Not a valid address",
        "tech@acme.example</td><td>Already a member",
    ] {
        assert!(sent.html.contains(expected), "{expected} in {}", sent.html);
    }
    let listed = app
        .get(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
        )
        .await;
    let id = listed.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed.body["items"][0]["email"], "new@acme.example");

    let resent = open(
        &app,
        Method::POST,
        &format!("/invitations/{id}/resend"),
        Some(&cookie),
        Some(&[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    assert_eq!(resent.headers[header::LOCATION], team.as_str());
    let read = app
        .get(&format!("/v1/invitations/{id}"), &acme.owner_token)
        .await;
    assert_eq!(read.body["resend_count"], 1, "{}", read.body);

    // Revoking asks first; the question names the address.
    let ask = open(
        &app,
        Method::GET,
        &format!("/invitations/{id}/revoke"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(
        ask.html
            .contains("The invitation of new@acme.example stops working"),
        "{}",
        ask.html
    );
    let forged = open(
        &app,
        Method::POST,
        &format!("/invitations/{id}/revoke"),
        Some(&cookie),
        Some(&[("csrf", "forged")]),
    )
    .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/v1/invitations/{id}"), &acme.owner_token)
            .await
            .body["status"],
        "pending",
        "a forged form changes nothing"
    );
    let revoked = open(
        &app,
        Method::POST,
        &format!("/invitations/{id}/revoke"),
        Some(&cookie),
        Some(&[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&format!("/v1/invitations/{id}"), &acme.owner_token)
            .await
            .body["status"],
        "revoked"
    );
    let filtered = open(
        &app,
        Method::GET,
        &format!("{team}?status=revoked"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        filtered.html.contains("new@acme.example") && filtered.html.contains("Revoked"),
        "{}",
        filtered.html
    );

    // Another partner's Super Admin and a technician: nothing to see, nothing to do.
    let (outsider, outsider_csrf) = signed_in(&app, "owner@globex.example").await;
    for path in [
        team.clone(),
        format!("/invitations/{id}/revoke"),
        "/partners/not-an-id/team".to_owned(),
    ] {
        let hidden = open(&app, Method::GET, &path, Some(&outsider), None).await;
        assert_eq!(
            hidden.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            hidden.html
        );
    }
    let hidden = open(
        &app,
        Method::POST,
        &format!("/invitations/{id}/resend"),
        Some(&outsider),
        Some(&[("csrf", outsider_csrf.as_str())]),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let _ = globex;
    let (tech, _) = signed_in(&app, "tech@acme.example").await;
    let refused = open(&app, Method::GET, &team, Some(&tech), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert_eq!(
        app.get(&format!("/v1/invitations/{id}"), &acme.owner_token)
            .await
            .body["resend_count"],
        1,
        "nothing changed"
    );
}

#[tokio::test]
async fn the_invite_dialog_offers_the_partners_departments() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let made = app
        .post(
            &format!("/v1/partners/{}/departments", acme.id),
            &acme.owner_token,
            json!({ "name": "Night shift" }),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let night = made.body["id"].as_str().unwrap().to_owned();
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let team = format!("/partners/{}/team", acme.id);
    let page = open(&app, Method::GET, &team, Some(&cookie), None).await;
    let offered =
        format!("<input type=\"checkbox\" name=\"department\" value=\"{night}\"> Night shift");
    assert!(page.html.contains(&offered), "{}", page.html);

    let form = [
        ("csrf", csrf.as_str()),
        ("emails", "nina@example.com"),
        ("role", "technician"),
        ("unattended_access", "on"),
        ("department", night.as_str()),
    ];
    let sent = open(
        &app,
        Method::POST,
        &format!("{team}/invitations"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    let invitations = app
        .get(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        invitations.body["items"][0]["departments"],
        json!([night]),
        "{}",
        invitations.body
    );
}

#[tokio::test]
async fn a_site_admin_unlocks_a_new_technician_from_the_sites_page() {
    let app = TestApp::new().await;
    let (acme, site, _, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let operator = app.operator().await;
    app.partner(&operator, "globex").await;
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let page_path = format!("/sites/{site}/technicians");

    let mine = open(&app, Method::GET, "/", Some(&cookie), None).await;
    assert!(
        mine.html.contains(&format!("href=\"{page_path}\"")),
        "{}",
        mine.html
    );
    let page = open(&app, Method::GET, &page_path, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "tech0@acme.example",
        "Full Excluding Users",
        "Locked",
        "class=\"waiting\"",
        ">Unlock<",
        // Their last activity (accepting), linked to the site's log of their actions.
        "<th scope=\"col\">Last activity</th>",
        format!("<a href=\"/sites/{site}/audit?person=tech0%40acme.example\">").as_str(),
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    let check = || async {
        app.post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": techs[0], "permission": "dashboard.view", "site_id": site }),
        )
        .await
        .body["allowed"]
            .clone()
    };
    assert_eq!(check().await, false, "Locked until a site admin unlocks it");

    let lock_path = format!("/sites/{site}/technicians/{}/lock", techs[0]);
    let unlock = [("csrf", csrf.as_str()), ("locked", "false")];
    let done = open(&app, Method::POST, &lock_path, Some(&cookie), Some(&unlock)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(check().await, true, "unlocked: the check allows at once");
    let page = open(&app, Method::GET, &page_path, Some(&cookie), None).await;
    assert!(
        page.html.contains("Unlocked") && !page.html.contains("class=\"waiting\""),
        "{}",
        page.html
    );

    // Another partner's Super Admin sees nothing; the technician may look but not unlock.
    let (outsider, outsider_csrf) = signed_in(&app, "owner@globex.example").await;
    let hidden = open(&app, Method::GET, &page_path, Some(&outsider), None).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let lock = [("csrf", outsider_csrf.as_str()), ("locked", "true")];
    let hidden = open(&app, Method::POST, &lock_path, Some(&outsider), Some(&lock)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let (tech, tech_csrf) = signed_in(&app, "tech0@acme.example").await;
    let lock = [("csrf", tech_csrf.as_str()), ("locked", "true")];
    let refused = open(&app, Method::POST, &lock_path, Some(&tech), Some(&lock)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert_eq!(check().await, true, "nothing changed");
}

#[tokio::test]
async fn the_partner_locks_and_deletes_from_the_sites_technicians_but_new_access_waits_for_the_site()
 {
    let app = TestApp::new().await;
    let (_, site, admin, techs) = crate::technicians::site_with_technicians(&app, 2).await;
    // The site's admins unlocked the first technician once; the second is new.
    let unlocked = app
        .post(
            &format!("/v1/sites/{site}/technicians/lock"),
            &admin,
            json!({ "account_ids": [techs[0]], "locked": false }),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let page_path = format!("/sites/{site}/technicians");
    let page = open(&app, Method::GET, &page_path, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        // (Askama writes the apostrophe as `&#39;`.)
        "Waits for the site&#39;s admins",
        "admins unlock new access first",
        format!("action=\"/sites/{site}/technicians/{}/lock\"", techs[0]).as_str(),
        format!("href=\"/sites/{site}/technicians/{}/remove\"", techs[1]).as_str(),
        "value=\"delete\"",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    for absent in [
        format!("action=\"/sites/{site}/technicians/{}/lock\"", techs[1]),
        format!("action=\"/sites/{site}/technicians/{}/level\"", techs[0]),
        format!("href=\"/sites/{site}/technicians/{}/end\"", techs[0]),
        "id=\"bulk-level\"".to_owned(),
    ] {
        assert!(!page.html.contains(&absent), "{absent} in {}", page.html);
    }

    // Lock the unlocked one; unlocking the new one is refused with the reason.
    let lock = [("csrf", csrf.as_str()), ("locked", "true")];
    let path = format!("/sites/{site}/technicians/{}/lock", techs[0]);
    let done = open(&app, Method::POST, &path, Some(&cookie), Some(&lock)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let unlock = [("csrf", csrf.as_str()), ("locked", "false")];
    let path = format!("/sites/{site}/technicians/{}/lock", techs[1]);
    let refused = open(&app, Method::POST, &path, Some(&cookie), Some(&unlock)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(refused.html.contains("unlock it"), "{}", refused.html);
    let listed = app
        .get(&format!("/v1/sites/{site}/technicians"), &admin)
        .await;
    let locked: Vec<bool> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["locked"].as_bool().unwrap())
        .collect();
    assert_eq!(locked, [true, true], "{}", listed.body);

    // Delete after the confirmation.
    let remove = format!("/sites/{site}/technicians/{}/remove", techs[1]);
    let confirm = open(&app, Method::GET, &remove, Some(&cookie), None).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    let form = [("csrf", csrf.as_str())];
    let done = open(&app, Method::POST, &remove, Some(&cookie), Some(&form)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let listed = app
        .get(&format!("/v1/sites/{site}/technicians"), &admin)
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn my_access_lists_the_invitations_waiting_for_me_and_what_i_did() {
    let app = TestApp::new().await;
    let (_, _, _, _) = crate::technicians::site_with_technicians(&app, 1).await;
    let operator = app.operator().await;
    let globex = app.partner(&operator, "globex").await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", globex.id),
            &globex.owner_token,
            json!({ "emails": ["tech0@acme.example"], "role": "admin" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let (cookie, _) = signed_in(&app, "tech0@acme.example").await;

    let page = open(&app, Method::GET, "/", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let waiting = &page.html[page.html.find("Invitations waiting for me").unwrap()..];
    assert!(
        waiting.contains("<td>globex Installers</td><td>Admin</td>"),
        "{waiting}"
    );
    let activity = &page.html[page.html.find("My activity").unwrap()..];
    for action in ["auth.login", "invitation.accepted", "assignment.created"] {
        assert!(
            activity.contains(&format!("<code>{action}</code>")),
            "{action} in {activity}"
        );
    }
    assert!(
        activity.find("auth.login") < activity.find("invitation.accepted"),
        "newest first"
    );
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_a_link_by_email() {
    const NEW: &str = "a brand new passphrase";
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    app.partner(&operator, "acme").await;
    let (console_session, _) = signed_in(&app, "owner@acme.example").await;
    let api_session = app.token("owner@acme.example").await;

    // The same answer for an address with an account and one without; only one gets mail.
    let form = open(&app, Method::GET, "/forgot-password", None, None).await;
    let csrf = form.input("csrf");
    let cookie = format!("siteward_csrf={csrf}");
    let ask = |email: &'static str| {
        let (app, cookie, csrf) = (&app, cookie.clone(), csrf.clone());
        async move {
            let fields = [("csrf", csrf.as_str()), ("email", email)];
            open(
                app,
                Method::POST,
                "/forgot-password",
                Some(&cookie),
                Some(&fields),
            )
            .await
        }
    };
    let known = ask("owner@acme.example").await;
    let unknown = ask("nobody@example.com").await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.html);
    assert!(known.html.contains("If an account uses owner@acme.example"));
    assert_eq!(
        known.html.replace("owner@acme.example", "…"),
        unknown.html.replace("nobody@example.com", "…")
    );
    ask("owner@acme.example").await;
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    assert!(smtp.to("nobody@example.com").is_empty());
    let mails = smtp.to("owner@acme.example");
    assert_eq!(mails.len(), 1, "asking again at once sends nothing more");
    assert_eq!(mails[0].subject(), "Reset your Siteward password");
    assert!(
        mails[0]
            .html()
            .contains("http://127.0.0.1:8080/reset-password?token=swr_")
    );
    let token = mails[0].token();
    let link = format!("/reset-password?token={token}");

    let page = open(&app, Method::GET, &link, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("For owner@acme.example."),
        "{}",
        page.html
    );
    let set = |password: &'static str| {
        let (app, cookie, csrf, token) = (&app, cookie.clone(), csrf.clone(), token.clone());
        async move {
            let fields = [
                ("csrf", csrf.as_str()),
                ("token", token.as_str()),
                ("password", password),
            ];
            open(
                app,
                Method::POST,
                "/reset-password",
                Some(&cookie),
                Some(&fields),
            )
            .await
        }
    };
    let weak = set("password1234").await;
    assert_eq!(
        weak.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        weak.html
    );
    assert!(weak.html.contains("id=\"password-error\""), "{}", weak.html);
    let done = set(NEW).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(
        done.html.contains("Your password was changed"),
        "{}",
        done.html
    );

    // Every session ended; the old password is gone; the link worked once.
    let signed_out = open(&app, Method::GET, "/", Some(&console_session), None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/v1/me", &api_session).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("owner@acme.example", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("owner@acme.example", NEW).await.status,
        StatusCode::OK
    );
    let used = open(&app, Method::GET, &link, Some(&cookie), None).await;
    assert_eq!(used.status, StatusCode::CONFLICT, "{}", used.html);
    assert!(
        used.html.contains("This link no longer works"),
        "{}",
        used.html
    );
    assert_eq!(set(NEW).await.status, StatusCode::CONFLICT);

    // A new link a while later; after its hour it no longer works.
    app.clock.advance(chrono::Duration::minutes(6));
    ask("owner@acme.example").await;
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let second = smtp.to("owner@acme.example")[1].token();
    let second = format!("/reset-password?token={second}");
    let fresh = open(&app, Method::GET, &second, Some(&cookie), None).await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.html);
    app.clock.advance(chrono::Duration::minutes(61));
    let expired = open(&app, Method::GET, &second, Some(&cookie), None).await;
    assert_eq!(expired.status, StatusCode::CONFLICT, "{}", expired.html);
    let mangled = open(&app, Method::GET, "/reset-password?token=nope", None, None).await;
    assert!(
        mangled.html.contains("This link no longer works"),
        "{}",
        mangled.html
    );

    // Both are on the platform's trail.
    let trail = app
        .get("/v1/audit-events?action=account.password_reset", &operator)
        .await;
    assert_eq!(
        trail.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        trail.body
    );
    let asked = app
        .get(
            "/v1/audit-events?action=account.password_reset_requested",
            &operator,
        )
        .await;
    assert_eq!(
        asked.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        asked.body
    );
}

#[tokio::test]
async fn a_person_sees_where_they_are_signed_in_and_signs_out_elsewhere() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    app.partner(&operator, "acme").await;
    let (here, csrf) = signed_in(&app, "owner@acme.example").await;
    let (phone, _) = signed_in(&app, "owner@acme.example").await;
    let (tablet, _) = signed_in(&app, "owner@acme.example").await;
    let api = app.token("owner@acme.example").await;

    let page = open(&app, Method::GET, "/account", Some(&here), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    // Three here, the API's, and the one the test's setup signed in with.
    assert_eq!(page.html.matches("<tr>").count() - 1, 5, "{}", page.html);
    assert_eq!(page.html.matches("This one").count(), 1);
    assert!(page.html.contains("Sign out everywhere else"));

    // One by its own button: the phone's is the one its own page has no button for.
    let others = |html: &str| -> Vec<String> {
        html.match_indices("/account/sessions/")
            .map(|(at, _)| html[at + 18..at + 18 + 26].to_owned())
            .filter(|id| !id.starts_with("others"))
            .collect()
    };
    let from_here = others(&page.html);
    assert_eq!(from_here.len(), 4, "a button for each other session");
    let phone_page = open(&app, Method::GET, "/account", Some(&phone), None).await;
    let from_phone = others(&phone_page.html);
    let phones = from_here
        .iter()
        .find(|id| !from_phone.contains(id))
        .unwrap();
    let form = [("csrf", csrf.as_str())];
    let end = format!("/account/sessions/{phones}/end");
    let ended = open(&app, Method::POST, &end, Some(&here), Some(&form)).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.html);
    let gone = open(&app, Method::GET, "/", Some(&phone), None).await;
    assert_eq!(
        gone.status,
        StatusCode::SEE_OTHER,
        "the phone is signed out"
    );
    let kept = open(&app, Method::GET, "/", Some(&tablet), None).await;
    assert_eq!(kept.status, StatusCode::OK, "the tablet is not");
    let again = open(&app, Method::POST, &end, Some(&here), Some(&form)).await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "an ended session is gone"
    );

    // Everywhere else at once: the API's session too; this one stays.
    let all = open(
        &app,
        Method::POST,
        "/account/sessions/others",
        Some(&here),
        Some(&form),
    )
    .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.html);
    assert!(
        all.html.contains("Every other session is signed out"),
        "{}",
        all.html
    );
    assert!(!all.html.contains("Sign out everywhere else"));
    for cookie in [&phone, &tablet] {
        let page = open(&app, Method::GET, "/", Some(cookie), None).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.get("/v1/me", &api).await.status,
        StatusCode::UNAUTHORIZED
    );
    let still = open(&app, Method::GET, "/", Some(&here), None).await;
    assert_eq!(still.status, StatusCode::OK);
}

#[tokio::test]
async fn a_partner_admin_manages_one_member_from_their_page() {
    let app = TestApp::new().await;
    let (acme, site, site_admin, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let member = format!("/partners/{}/team/{}", acme.id, techs[0]);

    let team = open(
        &app,
        Method::GET,
        &format!("/partners/{}/team", acme.id),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        team.html.contains(&format!("href=\"{member}\"")),
        "{}",
        team.html
    );
    let page = open(&app, Method::GET, &member, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "tech0@acme.example",
        "<option value=\"technician\" selected>",
        "None: no unlocked assignment",
        "audit?person=tech0%40acme.example",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    // Unlocked by the site's admin, the site is one they reach, with its level.
    let unlocked = app
        .call(
            Method::PATCH,
            &format!("/v1/sites/{site}/technicians/{}", techs[0]),
            Some(&site_admin),
            Some(json!({ "locked": false })),
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::OK, "{}", unlocked.body);
    let page = open(&app, Method::GET, &member, Some(&cookie), None).await;
    assert!(
        page.html
            .contains("Head office</a></td><td>Full Excluding Users"),
        "{}",
        page.html
    );

    // Role, status and privileges in one form.
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let (app, cookie, member, csrf) = (&app, cookie.clone(), member.clone(), csrf.clone());
        async move {
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields);
            open(app, Method::POST, &member, Some(&cookie), Some(&form)).await
        }
    };
    let saved = save(vec![
        ("role", "admin"),
        ("status", "active"),
        ("remote_support", "on"),
    ])
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Saved."), "{}", saved.html);
    let api = app
        .get(
            &format!("/v1/partners/{}/members/{}", acme.id, techs[0]),
            &acme.owner_token,
        )
        .await;
    assert_eq!(api.body["role"], "admin", "{}", api.body);
    assert_eq!(
        api.body["privileges"],
        json!(["remote_support"]),
        "{}",
        api.body
    );
    let refused = save(vec![("role", "admin"), ("status", "sleeping")]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(refused.html.contains("role=\"alert\""), "{}", refused.html);

    // Reset two-step sign-in and remove, each after asking.
    let asked = open(
        &app,
        Method::GET,
        &format!("{member}/totp-reset"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        asked.html.contains("Reset two-step sign-in?"),
        "{}",
        asked.html
    );
    let form = [("csrf", csrf.as_str())];
    let reset = open(
        &app,
        Method::POST,
        &format!("{member}/totp-reset"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.html);
    let asked = open(
        &app,
        Method::GET,
        &format!("{member}/remove"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(asked.html.contains("Remove this member?"), "{}", asked.html);
    let removed = open(
        &app,
        Method::POST,
        &format!("{member}/remove"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    assert_eq!(
        removed.headers[header::LOCATION],
        format!("/partners/{}/team", acme.id).as_str()
    );
    let gone = app
        .get(
            &format!("/v1/partners/{}/members/{}", acme.id, techs[0]),
            &acme.owner_token,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let page = open(&app, Method::GET, &member, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_team_searches_and_filters_members_on_the_server() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    named_member(&app, &acme, "ana@acme.example", "Ana Alvarez", "admin").await;
    let bo = named_member(&app, &acme, "bo@acme.example", "Bo Berg", "technician").await;
    named_member(&app, &acme, "cy@acme.example", "Cy Alvarado", "technician").await;
    let disabled = app
        .call(
            Method::PATCH,
            &format!("/v1/partners/{}/members/{bo}", acme.id),
            Some(&acme.owner_token),
            Some(json!({ "status": "disabled" })),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    let emails = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["email"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |query: &'static str| {
        let (app, token, id) = (&app, acme.owner_token.clone(), acme.id.clone());
        async move {
            app.get(&format!("/v1/partners/{id}/members?{query}"), &token)
                .await
        }
    };
    let mut found = emails(&list("search=ALVA").await.body);
    found.sort();
    assert_eq!(found, ["ana@acme.example", "cy@acme.example"]);
    assert_eq!(
        emails(&list("search=bo%40").await.body),
        ["bo@acme.example"]
    );
    let technicians = list("role=technician&status=active").await;
    assert_eq!(emails(&technicians.body), ["cy@acme.example"]);
    assert_eq!(
        list("status=sleeping").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The console's Team: members and invitations to join in one list, searched and
    // filtered on the server by role, state and status.
    let addresses: Vec<String> = (0..60).map(|n| format!("new{n:02}@example.com")).collect();
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": addresses, "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let admin_invite = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["alva.boss@example.com"], "role": "admin" }),
        )
        .await;
    assert_eq!(admin_invite.status, StatusCode::OK, "{}", admin_invite.body);
    let (cookie, _) = signed_in(&app, "owner@acme.example").await;
    let team = format!("/partners/{}/team", acme.id);
    let people = |page: &Page| -> Vec<String> {
        let list = &page.html[page.html.find("people-heading").unwrap()..];
        list.split("<tr><td>")
            .skip(1)
            .map(|row| {
                let cells: Vec<&str> = row.split("</td><td>").collect();
                cells[1].to_owned()
            })
            .collect()
    };
    let get = async |query: &str| {
        let page = open(
            &app,
            Method::GET,
            &format!("{team}?{query}"),
            Some(&cookie),
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.html);
        page
    };

    let page = get("search=alva&role=&state=&status=").await;
    let mut found = people(&page);
    found.sort();
    assert_eq!(
        found,
        [
            "alva.boss@example.com",
            "ana@acme.example",
            "cy@acme.example"
        ],
        "members and an invitation alike"
    );
    assert!(page.html.contains("<td>Invitation</td>"), "{}", page.html);
    assert_eq!(people(&get("status=disabled").await), ["bo@acme.example"]);
    assert_eq!(
        people(&get("role=admin&state=invitation").await),
        ["alva.boss@example.com"]
    );
    let members = people(&get("state=member").await);
    assert_eq!(members.len(), 4, "{members:?}");
    assert!(get("search=nobody").await.html.contains("No one matches."));

    // One list, paged on the server: the members, then the invitations, 50 to a page.
    let first = get("").await;
    let on_first = people(&first);
    assert_eq!(on_first.len(), 50);
    assert_eq!(&on_first[..4], &members[..], "members first");
    let next = first
        .html
        .split(&format!("href=\"{team}?"))
        .nth(1)
        .expect("a next page");
    // The attribute as a browser reads it.
    let next = next[..next.find('"').unwrap()].replace("&#38;", "&");
    let second = get(&next).await;
    let on_second = people(&second);
    assert_eq!(on_second.len(), 65 - 50, "{on_second:?}");
    assert!(!second.html.contains("Next people"), "the last page");
    let mut everyone: Vec<String> = on_first.into_iter().chain(on_second).collect();
    everyone.sort();
    everyone.dedup();
    assert_eq!(everyone.len(), 65, "nobody twice, nobody missing");

    // A filter that contradicts itself is refused, not guessed at.
    let refused = open(
        &app,
        Method::GET,
        &format!("{team}?status=sleeping"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_partner_admin_sets_invitations_and_branding_and_previews_the_email() {
    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let settings = format!("/partners/{}/settings", acme.id);

    let page = open(&app, Method::GET, &settings, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.input("ttl_hours"), "168");
    assert!(
        page.html
            .contains("<option value=\"en\" lang=\"en\" selected>"),
        "{}",
        page.html
    );
    let preview = &page.html[page.html.find("preview-heading").unwrap()..];
    assert!(
        preview.contains("written by the invitation-email plugin")
            && preview.contains("Owner invites you to join acme Installers"),
        "the bundled renderer writes it: {preview}"
    );

    let save = |fields: Vec<(&'static str, &'static str)>| {
        let (app, cookie, csrf, settings) = (&app, cookie.clone(), csrf.clone(), settings.clone());
        async move {
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields);
            open(app, Method::POST, &settings, Some(&cookie), Some(&form)).await
        }
    };
    let refused = save(vec![
        ("ttl_hours", "72"),
        ("locale", "de"),
        ("accent_colour", "blue"),
    ])
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"accent-error\""),
        "{}",
        refused.html
    );
    assert_eq!(refused.input("ttl_hours"), "72", "what was typed stays");
    let too_long = save(vec![("ttl_hours", "9000"), ("locale", "de")]).await;
    assert!(
        too_long.html.contains("id=\"ttl-error\""),
        "{}",
        too_long.html
    );
    let saved = save(vec![
        ("ttl_hours", "72"),
        ("locale", "de"),
        ("display_name", "Acme Field Service"),
        ("accent_colour", "#0055aa"),
        ("support_contact", "help@acme.example"),
    ])
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(saved.html.contains("Saved."), "{}", saved.html);
    assert_eq!(saved.input("ttl_hours"), "72");
    let partner = app
        .get(&format!("/v1/partners/{}", acme.id), &acme.owner_token)
        .await;
    assert_eq!(partner.body["invitation_ttl_hours"], 72, "{}", partner.body);
    assert_eq!(partner.body["locale"], "de");
    assert_eq!(
        partner.body["branding"]["display_name"],
        "Acme Field Service"
    );
    let preview = &saved.html[saved.html.find("preview-heading").unwrap()..];
    assert!(
        preview.contains("Owner lädt Sie ein, Acme Field Service beizutreten")
            && preview.contains("help@acme.example"),
        "in German, with the branding: {preview}"
    );

    // The HTML on its own page, under a policy that lets inline styles through and no script.
    let html = open(
        &app,
        Method::GET,
        &format!("{settings}/preview"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.html);
    assert!(html.html.contains("Acme Field Service"), "{}", html.html);
    let policy = html.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("style-src 'unsafe-inline'") && !policy.contains("script"),
        "{policy}"
    );
    assert_eq!(html.headers[header::X_FRAME_OPTIONS], "DENY");

    // A technician of the partner may not.
    app.member(&acme, "tech@acme.example", "technician").await;
    let (tech, _) = signed_in(&app, "tech@acme.example").await;
    let refused = open(&app, Method::GET, &settings, Some(&tech), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
}

#[tokio::test]
async fn a_partner_admin_sets_the_email_and_alert_settings_partners_may_set() {
    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let settings = format!("/partners/{}/settings", acme.id);
    let page = open(&app, Method::GET, &settings, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "Email and alert settings",
        "<legend><code>invitation-email</code></legend>",
        "id=\"invitation-email-footer\" name=\"footer\"",
        "id=\"owner-notifier-digest_minutes\" name=\"digest_minutes\" type=\"text\" value=\"0\"",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    assert!(
        !page.html.contains("name=\"console_url\""),
        "the operator's setting"
    );

    let save = format!("{settings}/plugins/invitation-email");
    let form = [
        ("csrf", csrf.as_str()),
        ("footer", "Acme, 1 Main St"),
        ("default_locale", "de"),
    ];
    let saved = open(&app, Method::POST, &save, Some(&cookie), Some(&form)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    assert!(
        saved.html.contains("value=\"Acme, 1 Main St\""),
        "{}",
        saved.html
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("console_url", "https://evil.example"),
    ];
    let refused = open(&app, Method::POST, &save, Some(&cookie), Some(&form)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(refused.html.contains("role=\"alert\""), "{}", refused.html);
}

#[tokio::test]
async fn a_super_admin_stops_technician_management_alerts_for_themselves() {
    use siteward_server::notify::notify_once;

    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    assert_eq!(notify_once(&app.state).await.unwrap(), 0);
    let (acme, site, site_admin, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    named_member(&app, &acme, "second@acme.example", "Second", "super_admin").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let settings = format!("/partners/{}/settings", acme.id);

    let page = open(&app, Method::GET, &settings, Some(&cookie), None).await;
    let alerts = &page.html
        [page.html.find("alerts-heading").unwrap()..page.html.find("preview-heading").unwrap()];
    assert_eq!(alerts.matches("<td>Yes</td>").count(), 2, "{alerts}");
    assert_eq!(
        alerts.matches("Stop notifying me").count(),
        1,
        "only my own switch: {alerts}"
    );
    let form = [("csrf", csrf.as_str()), ("on", "false")];
    let off = open(
        &app,
        Method::POST,
        &format!("{settings}/alerts"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.html);
    let page = open(&app, Method::GET, &settings, Some(&cookie), None).await;
    assert!(
        page.html
            .contains("<td>Owner (owner@acme.example)</td>\n<td>No</td>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Notify me"));

    // A lock now reaches the other Super Admin only.
    for locked in [false, true] {
        let set = app
            .call(
                Method::PATCH,
                &format!("/v1/sites/{site}/technicians/{}", techs[0]),
                Some(&site_admin),
                Some(json!({ "locked": locked })),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    }
    notify_once(&app.state).await.unwrap();
    let smtp = TestSmtp::start();
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    assert!(
        smtp.to("owner@acme.example").is_empty(),
        "alerts are off for the owner"
    );
    let second: Vec<String> = smtp
        .to("second@acme.example")
        .iter()
        .map(|mail| mail.subject())
        .collect();
    assert!(
        second.contains(&"Technician management: a technician was locked".to_owned()),
        "{second:?}"
    );
}

#[tokio::test]
async fn the_picker_pages_through_many_candidates() {
    let app = TestApp::new().await;
    let (acme, site, _, _) = crate::technicians::site_with_technicians(&app, 1).await;
    // 23 technicians and the Super Admin: 24 candidates.
    for n in 0..23 {
        app.member(&acme, &format!("m{n:02}@acme.example"), "technician")
            .await;
    }
    let (cookie, _) = signed_in(&app, "owner@acme.example").await;
    let picker = format!("/sites/{site}/invite");
    let first = open(&app, Method::GET, &picker, Some(&cookie), None).await;
    assert_eq!(
        first.html.matches("aria-label=\"Add ").count(),
        20,
        "{}",
        first.html
    );
    let more = first
        .html
        .split("name=\"after\" value=\"")
        .nth(1)
        .expect("a next page");
    let cursor = &more[..more.find('"').unwrap()];
    let second = open(
        &app,
        Method::GET,
        &format!("{picker}?after={cursor}"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(
        second.html.matches("aria-label=\"Add ").count(),
        4,
        "{}",
        second.html
    );
    assert!(!second.html.contains("name=\"after\""), "the last page");
    let json = app
        .get(
            &format!("/v1/sites/{site}/technician-candidates?limit=24"),
            &acme.owner_token,
        )
        .await;
    assert_eq!(
        json.body["items"].as_array().unwrap().len(),
        24,
        "{}",
        json.body
    );
    assert!(json.body["next_cursor"].is_null(), "{}", json.body);
}

/// A member of `partner` with their own name; their account id.
pub(crate) async fn named_member(
    app: &TestApp,
    partner: &super::Partner,
    email: &str,
    name: &str,
    role: &str,
) -> String {
    let reply = app
        .post(
            &format!("/v1/partners/{}/members", partner.id),
            &partner.owner_token,
            json!({ "email": email, "name": name, "password": PASSWORD, "role": role }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.str("account_id")
}

#[tokio::test]
async fn a_partner_admin_picks_technicians_for_a_site_and_applies() {
    let app = TestApp::new().await;
    let (acme, site, _, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let ana = named_member(&app, &acme, "ana@acme.example", "Ana Alvarez", "technician").await;
    let bo = named_member(&app, &acme, "bo@acme.example", "Bo Berg", "admin").await;
    let cy = named_member(&app, &acme, "cy@acme.example", "Cy Chen", "technician").await;
    let invited = app
        .post(
            &format!("/v1/sites/{site}/invitations"),
            &acme.owner_token,
            json!({ "technicians": [{ "account_id": cy, "level": "devices_only" }] }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let get = |path: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move { open(app, Method::GET, &path, Some(&cookie), None).await }
    };
    let picker = format!("/sites/{site}/invite");

    // The site's page: its invitations with their status, and the way to the picker.
    let panel = get(format!("/sites/{site}/technicians")).await;
    for expected in [
        format!("href=\"{picker}\""),
        "Invitations List".to_owned(),
        "cy@acme.example".to_owned(),
        "<span class=\"badge pending\">Pending</span>".to_owned(),
    ] {
        assert!(
            panel.html.contains(&expected),
            "{expected} in {}",
            panel.html
        );
    }

    // Only who could be invited — the Super Admin too, as the API allows — not the site's
    // technician, not Cy (already invited); a search narrows by name or email, in any case.
    let page = get(picker.clone()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("Ana Alvarez") && page.html.contains("Bo Berg"));
    assert!(page.html.contains("owner@acme.example"), "{}", page.html);
    for absent in ["tech0@acme.example", "Cy Chen"] {
        assert!(!page.html.contains(absent), "{absent} in {}", page.html);
    }
    assert!(page.html.contains("Selected (0)"));
    let page = get(format!("{picker}?q=ALVA&op=search")).await;
    assert!(page.html.contains("Ana Alvarez") && !page.html.contains("Bo Berg"));
    let page = get(format!("{picker}?q=nobody&op=search")).await;
    assert!(page.html.contains("Nobody matches"), "{}", page.html);

    // Adding: the person moves to Selected at Devices Only, their level kept as changed.
    let page = get(format!("{picker}?add={ana}")).await;
    assert!(page.html.contains("Selected (1)"), "{}", page.html);
    assert!(!page.html.contains(&format!("name=\"add\" value=\"{ana}\"")));
    assert!(page.html.contains(&format!(
        "name=\"level.{ana}\" aria-label=\"Level for Ana Alvarez\"><option value=\"none\">None</option><option value=\"devices_only\" selected>"
    )));
    let both = format!("{picker}?pick={ana}&level.{ana}=full_including_users&add={bo}");
    let page = get(both).await;
    assert!(page.html.contains("Selected (2)"), "{}", page.html);
    assert!(
        page.html
            .contains("<option value=\"full_including_users\" selected>")
    );

    // Apply to all asks first; only Yes changes the levels.
    let selection = format!(
        "pick={ana}&level.{ana}=full_including_users&pick={bo}&level.{bo}=devices_only&all=none"
    );
    let asked = get(format!("{picker}?{selection}&op=all")).await;
    assert!(
        asked
            .html
            .contains("Give everyone selected (2) the level None?"),
        "{}",
        asked.html
    );
    assert!(
        asked
            .html
            .contains("<option value=\"full_including_users\" selected>")
    );
    let applied = get(format!("{picker}?{selection}&op=all_yes")).await;
    assert!(
        !applied
            .html
            .contains("<option value=\"full_including_users\" selected>")
    );
    assert!(
        !applied
            .html
            .contains("<option value=\"devices_only\" selected>")
    );
    let removed = get(format!("{picker}?{selection}&remove={bo}")).await;
    assert!(removed.html.contains("Selected (1)"), "{}", removed.html);

    // Confirm shows what Apply will send; with nobody selected it says so instead.
    let empty = get(format!("{picker}?op=review")).await;
    assert!(
        empty.html.contains("Add at least one person"),
        "{}",
        empty.html
    );
    let review = get(format!("{picker}?{selection}&op=review")).await;
    assert!(
        review.html.contains("Apply and send the invitations (2)"),
        "{}",
        review.html
    );
    assert!(review.html.contains("Full Including Users") && review.html.contains("Devices Only"));

    let sent_so_far = || async {
        app.get(&format!("/v1/sites/{site}/invitations"), &acme.owner_token)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let fields = |csrf: &'static str| -> Vec<(String, String)> {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("pick".to_owned(), ana.clone()),
            (format!("level.{ana}"), "full_including_users".to_owned()),
            ("pick".to_owned(), bo.clone()),
            (format!("level.{bo}"), "devices_only".to_owned()),
        ]
    };
    let post = |fields: Vec<(String, String)>| {
        let cookie = cookie.clone();
        let app = &app;
        let picker = picker.clone();
        async move {
            let form: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            open(app, Method::POST, &picker, Some(&cookie), Some(&form)).await
        }
    };

    // Without the form's token nothing is sent.
    let forged = post(fields("forged")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.html);
    assert_eq!(sent_so_far().await, 2, "the setup's two invitations only");

    // All or nothing: with the site's own technician picked, nobody is invited.
    let mut with_tech = fields("");
    with_tech[0].1.clone_from(&csrf);
    with_tech.push(("pick".to_owned(), techs[0].clone()));
    with_tech.push((format!("level.{}", techs[0]), "none".to_owned()));
    let refused = post(with_tech).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused
            .html
            .contains("Someone selected is already an admin or a technician of this site"),
        "{}",
        refused.html
    );
    assert_eq!(sent_so_far().await, 2, "nothing was sent");

    let mut good = fields("");
    good[0].1.clone_from(&csrf);
    let done = post(good).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        done.headers[header::LOCATION],
        format!("/sites/{site}/technicians").as_str()
    );
    let listed = app
        .get(&format!("/v1/sites/{site}/invitations"), &acme.owner_token)
        .await;
    let levels: Vec<(String, String)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["email"].as_str().unwrap().to_owned(),
                i["level"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("ana@acme.example", "full_including_users"),
        ("bo@acme.example", "devices_only"),
    ] {
        assert!(
            levels
                .iter()
                .any(|(e, l)| e == expected.0 && l == expected.1),
            "{expected:?} in {levels:?}"
        );
    }
    // Only the Super Admin is left to invite.
    let page = get(picker.clone()).await;
    assert_eq!(
        page.html.matches("aria-label=\"Add ").count(),
        1,
        "{}",
        page.html
    );
    assert!(page.html.contains("owner@acme.example"), "{}", page.html);

    // The site admin sees the list and may revoke, but neither the picker nor resending.
    let (site_admin, site_admin_csrf) = signed_in(&app, "admin@customer.example").await;
    let panel = open(
        &app,
        Method::GET,
        &format!("/sites/{site}/technicians"),
        Some(&site_admin),
        None,
    )
    .await;
    assert!(panel.html.contains("ana@acme.example"), "{}", panel.html);
    assert!(!panel.html.contains(&format!("href=\"{picker}\"")));
    assert!(!panel.html.contains("Resend to"));
    assert!(
        panel.html.contains("aria-label=\"Revoke the invitation of"),
        "{}",
        panel.html
    );
    let revoke = panel
        .html
        .split("href=\"/invitations/")
        .nth(1)
        .map(|rest| format!("/invitations/{}", &rest[..rest.find('"').unwrap()]))
        .expect("a revoke link");
    let asked = open(&app, Method::GET, &revoke, Some(&site_admin), None).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    let form = [("csrf", site_admin_csrf.as_str())];
    let done = open(&app, Method::POST, &revoke, Some(&site_admin), Some(&form)).await;
    assert_eq!(
        location(&done),
        format!("/sites/{site}/technicians"),
        "{}",
        done.html
    );
    // The partner is not the customer's to see: its people are not listed to them.
    let refused = open(&app, Method::GET, &picker, Some(&site_admin), None).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.html);
}

#[tokio::test]
async fn a_site_admin_deletes_a_technicians_access_after_confirming() {
    let app = TestApp::new().await;
    let (acme, site, site_admin_token, techs) =
        crate::technicians::site_with_technicians(&app, 2).await;
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let remove = format!("/sites/{site}/technicians/{}/remove", techs[0]);

    let asked = open(&app, Method::GET, &remove, Some(&cookie), None).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    assert!(
        asked
            .html
            .contains("<h1>Delete this technician&#39;s access?</h1>"),
        "{}",
        asked.html
    );
    assert!(asked.html.contains("tech0@acme.example"));
    let count = || async {
        app.get(&format!("/v1/sites/{site}/technicians"), &site_admin_token)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count().await, 2, "asking changes nothing");
    let forged = [("csrf", "forged")];
    open(&app, Method::POST, &remove, Some(&cookie), Some(&forged)).await;
    assert_eq!(count().await, 2, "a forged form changes nothing");
    let form = [("csrf", csrf.as_str())];
    let done = open(&app, Method::POST, &remove, Some(&cookie), Some(&form)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(count().await, 1);
    let gone = open(&app, Method::GET, &remove, Some(&cookie), None).await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "no longer a technician here"
    );

    // A technician may see the site but not delete anyone.
    let (tech, tech_csrf) = signed_in(&app, "tech1@acme.example").await;
    let other = format!("/sites/{site}/technicians/{}/remove", techs[1]);
    let form = [("csrf", tech_csrf.as_str())];
    let refused = open(&app, Method::POST, &other, Some(&tech), Some(&form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert_eq!(count().await, 1);
    let _ = acme;
}

/// The path a redirect leads to.
pub(super) fn location(page: &Page) -> &str {
    page.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_site_admin_switches_technician_access_and_the_menu_follows() {
    let app = TestApp::new().await;
    let (acme, site, _, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let security = format!("/sites/{site}/security");
    let technicians = format!("/sites/{site}/technicians");
    let check = || async {
        app.post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": techs[0], "permission": "dashboard.view", "site_id": site }),
        )
        .await
        .body["reason"]
            .clone()
    };
    let unlock = [("csrf", csrf.as_str()), ("locked", "false")];
    let lock_path = format!("/sites/{site}/technicians/{}/lock", techs[0]);
    open(&app, Method::POST, &lock_path, Some(&cookie), Some(&unlock)).await;
    assert_eq!(check().await, "granted_by_level");

    let page = open(&app, Method::GET, &security, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "Admins &#38; Technicians › Admins",
        "Admins &#38; Technicians › Technicians",
        "aria-current=\"page\">Settings › Site › Security",
        "value=\"on\" checked",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }

    let off = [("csrf", csrf.as_str()), ("technician_access", "off")];
    let saved = open(&app, Method::POST, &security, Some(&cookie), Some(&off)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(location(&saved), format!("{security}?saved=1"));
    assert_eq!(
        check().await,
        "technician_access_off",
        "the check follows at once"
    );
    let page = open(&app, Method::GET, location(&saved), Some(&cookie), None).await;
    assert!(page.html.contains("Saved."), "{}", page.html);
    assert!(page.html.contains("value=\"off\" checked"), "{}", page.html);
    assert!(
        page.html.contains(">Admin</a>") && !page.html.contains("› Technicians"),
        "off, the menu is Admin alone: {}",
        page.html
    );
    // The technicians' tab says why it cannot be used, and offers no action.
    let list = open(&app, Method::GET, &technicians, Some(&cookie), None).await;
    assert!(
        list.html.contains("Technician Access is off for this site"),
        "{}",
        list.html
    );
    assert!(
        list.html.contains(&format!("href=\"{security}\"")),
        "{}",
        list.html
    );
    assert!(!list.html.contains(">Lock<") && !list.html.contains("id=\"bulk\""));

    // A technician of the partner reads the switch but has no form; their post is refused.
    let (tech, tech_csrf) = signed_in(&app, "tech0@acme.example").await;
    let read = open(&app, Method::GET, &security, Some(&tech), None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.html);
    assert!(
        !read.html.contains("name=\"technician_access\""),
        "{}",
        read.html
    );
    let on = [("csrf", tech_csrf.as_str()), ("technician_access", "on")];
    let refused = open(&app, Method::POST, &security, Some(&tech), Some(&on)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert_eq!(check().await, "technician_access_off");

    let on = [("csrf", csrf.as_str()), ("technician_access", "on")];
    open(&app, Method::POST, &security, Some(&cookie), Some(&on)).await;
    assert_eq!(
        check().await,
        "granted_by_level",
        "turned on again, access is as it was"
    );
}

#[tokio::test]
async fn a_site_admin_changes_levels_and_locks_many_after_confirming() {
    let app = TestApp::new().await;
    let (_, site, admin_token, techs) = crate::technicians::site_with_technicians(&app, 3).await;
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let listed = || async {
        let body = app
            .get(&format!("/v1/sites/{site}/technicians"), &admin_token)
            .await
            .body;
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["account_id"].as_str().unwrap().to_owned(),
                    t["level"].as_str().unwrap().to_owned(),
                    t["locked"].as_bool().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let state_of = |all: &[(String, String, bool)], id: &str| {
        all.iter().find(|(a, _, _)| a == id).cloned().unwrap()
    };

    // The list offers the selection, the level of each row and the bulk actions.
    let page = open(
        &app,
        Method::GET,
        &format!("/sites/{site}/technicians"),
        Some(&cookie),
        None,
    )
    .await;
    for expected in [
        "form=\"bulk\" name=\"account\"",
        "aria-label=\"Select Member (tech0@acme.example)\"",
        "name=\"do\" value=\"lock\"",
        "name=\"do\" value=\"delete\"",
        "value=\"full_excluding_users\" selected",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }

    // One row's level: asked first, then changed.
    let level_path = format!("/sites/{site}/technicians/{}/level", techs[0]);
    let asked = open(
        &app,
        Method::GET,
        &format!("{level_path}?level=devices_only"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    assert!(
        asked
            .html
            .contains("from Full Excluding Users to Devices Only"),
        "{}",
        asked.html
    );
    assert_eq!(
        state_of(&listed().await, &techs[0]).1,
        "full_excluding_users"
    );
    let form = [("csrf", csrf.as_str()), ("level", "devices_only")];
    let done = open(&app, Method::POST, &level_path, Some(&cookie), Some(&form)).await;
    assert_eq!(
        location(&done),
        format!("/sites/{site}/technicians?done=level&n=1")
    );
    assert_eq!(state_of(&listed().await, &techs[0]).1, "devices_only");
    let told = open(&app, Method::GET, location(&done), Some(&cookie), None).await;
    assert!(
        told.html.contains("Level changed: 1 technician(s)."),
        "{}",
        told.html
    );

    // A mixed selection becomes all locked, after a confirmation that names them.
    let unlock = [("csrf", csrf.as_str()), ("locked", "false")];
    let lock_path = format!("/sites/{site}/technicians/{}/lock", techs[0]);
    open(&app, Method::POST, &lock_path, Some(&cookie), Some(&unlock)).await;
    let bulk = format!(
        "/sites/{site}/technicians/bulk?do=lock&account={}&account={}",
        techs[0], techs[1]
    );
    let asked = open(&app, Method::GET, &bulk, Some(&cookie), None).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    assert!(
        asked.html.contains("<h1>Lock 2 technician(s)?</h1>"),
        "{}",
        asked.html
    );
    assert!(asked.html.contains("tech0@acme.example") && asked.html.contains("tech1@acme.example"));
    assert!(!asked.html.contains("tech2@acme.example"));
    assert!(
        !state_of(&listed().await, &techs[0]).2,
        "asking changes nothing"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("do", "lock"),
        ("account", techs[0].as_str()),
        ("account", techs[1].as_str()),
    ];
    let post = format!("/sites/{site}/technicians/bulk");
    let done = open(&app, Method::POST, &post, Some(&cookie), Some(&form)).await;
    assert_eq!(
        location(&done),
        format!("/sites/{site}/technicians?done=locked&n=2")
    );
    let now = listed().await;
    assert!(state_of(&now, &techs[0]).2 && state_of(&now, &techs[1]).2);

    // Many at one level, then unlocked.
    let form = [
        ("csrf", csrf.as_str()),
        ("do", "level"),
        ("level", "full_including_users"),
        ("account", techs[1].as_str()),
        ("account", techs[2].as_str()),
    ];
    open(&app, Method::POST, &post, Some(&cookie), Some(&form)).await;
    let now = listed().await;
    assert_eq!(state_of(&now, &techs[1]).1, "full_including_users");
    assert_eq!(state_of(&now, &techs[2]).1, "full_including_users");
    assert_eq!(state_of(&now, &techs[0]).1, "devices_only", "not selected");

    // Nothing selected, or an action that does not exist, says so and changes nothing.
    let none = format!("/sites/{site}/technicians/bulk?do=lock");
    let refused = open(&app, Method::GET, &none, Some(&cookie), None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("No technician selected"),
        "{}",
        refused.html
    );
    let odd = [
        ("csrf", csrf.as_str()),
        ("do", "promote"),
        ("account", techs[0].as_str()),
    ];
    let refused = open(&app, Method::POST, &post, Some(&cookie), Some(&odd)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let forged = [
        ("csrf", "forged"),
        ("do", "delete"),
        ("account", techs[0].as_str()),
    ];
    open(&app, Method::POST, &post, Some(&cookie), Some(&forged)).await;
    assert_eq!(listed().await, now, "nothing changed");

    // Deleting two after a red confirmation.
    let asked = open(
        &app,
        Method::GET,
        &format!("{post}?do=delete&account={}&account={}", techs[1], techs[2]),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        asked.html.contains("Delete the access of 2 technician(s)?"),
        "{}",
        asked.html
    );
    assert!(asked.html.contains("class=\"danger\""));
    let form = [
        ("csrf", csrf.as_str()),
        ("do", "delete"),
        ("account", techs[1].as_str()),
        ("account", techs[2].as_str()),
    ];
    open(&app, Method::POST, &post, Some(&cookie), Some(&form)).await;
    let left: Vec<String> = listed().await.into_iter().map(|(id, _, _)| id).collect();
    assert_eq!(left, vec![techs[0].clone()]);

    // A technician may read the list, but it offers them nothing and refuses their posts.
    let (tech, tech_csrf) = signed_in(&app, "tech0@acme.example").await;
    let theirs = open(
        &app,
        Method::GET,
        &format!("/sites/{site}/technicians"),
        Some(&tech),
        None,
    )
    .await;
    assert!(!theirs.html.contains("id=\"bulk\""), "{}", theirs.html);
    let form = [
        ("csrf", tech_csrf.as_str()),
        ("do", "unlock"),
        ("account", techs[0].as_str()),
    ];
    let refused = open(&app, Method::POST, &post, Some(&tech), Some(&form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert!(state_of(&listed().await, &techs[0]).2, "still locked");
}

#[tokio::test]
async fn a_site_admin_sets_the_first_and_last_day_of_a_technicians_access() {
    let app = TestApp::new().await;
    let (_, site, admin_token, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let end = format!("/sites/{site}/technicians/{}/end", techs[0]);
    let expires = || async {
        app.get(&format!("/v1/sites/{site}/technicians"), &admin_token)
            .await
            .body["items"][0]["expires_at"]
            .clone()
    };
    let page = open(&app, Method::GET, &end, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("type=\"date\" value=\"\""),
        "{}",
        page.html
    );

    let last_day = (app.state.now() + chrono::Days::new(30)).date_naive();
    let day = last_day.format("%Y-%m-%d").to_string();
    let form = [("csrf", csrf.as_str()), ("last_day", day.as_str())];
    let saved = open(&app, Method::POST, &end, Some(&cookie), Some(&form)).await;
    assert_eq!(
        location(&saved),
        format!("/sites/{site}/technicians?done=end&n=1")
    );
    let expected = last_day
        .succ_opt()
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let stored: chrono::DateTime<chrono::Utc> = expires().await.as_str().unwrap().parse().unwrap();
    assert_eq!(stored, expected, "access ends when the last day ends, UTC");
    let page = open(&app, Method::GET, &end, Some(&cookie), None).await;
    assert!(
        page.html.contains(&format!("value=\"{day}\"")),
        "the form shows it back"
    );

    // A day already over, or not a day, is refused next to the field.
    let yesterday = (app.state.now() - chrono::Days::new(1)).date_naive();
    let past = yesterday.format("%Y-%m-%d").to_string();
    for (sent, says) in [
        (past.as_str(), "That day is over already"),
        ("31/12/2099", "YYYY-MM-DD"),
    ] {
        let form = [("csrf", csrf.as_str()), ("last_day", sent)];
        let refused = open(&app, Method::POST, &end, Some(&cookie), Some(&form)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.html
        );
        assert!(refused.html.contains(says), "{says} in {}", refused.html);
        assert!(refused.html.contains("aria-invalid=\"true\""));
    }
    let stored: chrono::DateTime<chrono::Utc> = expires().await.as_str().unwrap().parse().unwrap();
    assert_eq!(stored, expected, "unchanged");

    // A first day: access begins when it begins, and the list says from when. A last day
    // before the first is refused next to the last day.
    let first_day = (app.state.now() + chrono::Days::new(10)).date_naive();
    let first = first_day.format("%Y-%m-%d").to_string();
    let too_early = (app.state.now() + chrono::Days::new(5)).date_naive();
    let early = too_early.format("%Y-%m-%d").to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("first_day", first.as_str()),
        ("last_day", early.as_str()),
    ];
    let refused = open(&app, Method::POST, &end, Some(&cookie), Some(&form)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("must not be before the first day"),
        "{}",
        refused.html
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("first_day", first.as_str()),
        ("last_day", day.as_str()),
    ];
    let saved = open(&app, Method::POST, &end, Some(&cookie), Some(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let starts = app
        .get(&format!("/v1/sites/{site}/technicians"), &admin_token)
        .await
        .body["items"][0]["starts_at"]
        .clone();
    let starts: chrono::DateTime<chrono::Utc> = starts.as_str().unwrap().parse().unwrap();
    assert_eq!(starts, first_day.and_hms_opt(0, 0, 0).unwrap().and_utc());
    let list = open(
        &app,
        Method::GET,
        &format!("/sites/{site}/technicians"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(list.html.contains("From "), "{}", list.html);
    let page = open(&app, Method::GET, &end, Some(&cookie), None).await;
    assert!(
        page.html.contains(&format!("value=\"{first}\"")),
        "the form shows it back"
    );

    // Empty: at once, and no end.
    let form = [("csrf", csrf.as_str()), ("first_day", ""), ("last_day", "")];
    open(&app, Method::POST, &end, Some(&cookie), Some(&form)).await;
    assert!(expires().await.is_null());
}

#[tokio::test]
async fn a_site_admin_adds_and_removes_site_admins() {
    let app = TestApp::new().await;
    let (acme, site, _, _) = crate::technicians::site_with_technicians(&app, 1).await;
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let admins = format!("/sites/{site}/admins");
    let listed = || async {
        app.get(&format!("/v1/sites/{site}/admins"), &acme.owner_token)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["email"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let page = open(&app, Method::GET, &admins, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("admin@customer.example"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("aria-current=\"page\">Admins &#38; Technicians › Admins")
    );

    // Someone of another organisation is not pulled in by their email alone: they are sent
    // an invitation, and the page says so.
    let operator = app.operator().await;
    app.partner(&operator, "globex").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "owner@globex.example"),
        ("name", "Globex Owner"),
        ("password", ""),
    ];
    let invited = open(&app, Method::POST, &admins, Some(&cookie), Some(&form)).await;
    assert_eq!(location(&invited), format!("{admins}?done=invited"));
    let page = open(&app, Method::GET, location(&invited), Some(&cookie), None).await;
    assert!(
        page.html.contains("An invitation was sent"),
        "{}",
        page.html
    );
    assert!(
        !listed().await.contains(&"owner@globex.example".to_owned()),
        "not an admin before accepting"
    );

    // A new account with a password.
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "deputy@customer.example"),
        ("name", "Deputy"),
        ("password", "a long enough pass phrase"),
    ];
    let added = open(&app, Method::POST, &admins, Some(&cookie), Some(&form)).await;
    assert_eq!(location(&added), format!("{admins}?done=added"));
    assert_eq!(listed().await.len(), 2, "{:?}", listed().await);
    assert!(
        listed()
            .await
            .contains(&"deputy@customer.example".to_owned())
    );

    // Removed after a confirmation.
    let deputy = app
        .get(&format!("/v1/sites/{site}/admins"), &acme.owner_token)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "deputy@customer.example")
        .unwrap()["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let remove = format!("{admins}/{deputy}/remove");
    let asked = open(&app, Method::GET, &remove, Some(&cookie), None).await;
    assert!(
        asked.html.contains("Deputy (deputy@customer.example)"),
        "{}",
        asked.html
    );
    assert_eq!(listed().await.len(), 2, "asking changes nothing");
    let form = [("csrf", csrf.as_str())];
    let done = open(&app, Method::POST, &remove, Some(&cookie), Some(&form)).await;
    assert_eq!(location(&done), format!("{admins}?done=removed"));
    assert_eq!(listed().await, vec!["admin@customer.example".to_owned()]);

    // A technician reads the list without its forms, and may not add anyone.
    let (tech, tech_csrf) = signed_in(&app, "tech0@acme.example").await;
    let read = open(&app, Method::GET, &admins, Some(&tech), None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.html);
    assert!(!read.html.contains("name=\"password\""), "{}", read.html);
    let form = [
        ("csrf", tech_csrf.as_str()),
        ("email", "tech0@acme.example"),
        ("name", "Me"),
    ];
    let refused = open(&app, Method::POST, &admins, Some(&tech), Some(&form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert_eq!(listed().await.len(), 1);
}

#[tokio::test]
async fn a_site_admin_keeps_devices_and_sees_who_reaches_each_and_why() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = crate::technicians::site_with_technicians(&app, 2).await;
    crate::technicians::set_locked(&app, &site, &admin, &techs, false).await;
    let (_, till, department) =
        crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let owner = &acme.owner_token;
    let joined = app
        .call(
            Method::PUT,
            &format!(
                "/v1/partners/{}/departments/{department}/members/{}",
                acme.id, techs[0]
            ),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::NO_CONTENT, "{}", joined.body);
    let granted = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            owner,
            json!({ "subject": { "kind": "technician", "id": techs[1] },
                    "scope": { "kind": "device", "id": till }, "role": "device_connection_only" }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let (cookie, csrf) = signed_in(&app, "admin@customer.example").await;
    let devices = format!("/sites/{site}/devices");

    let page = open(&app, Method::GET, &devices, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in ["Till 1", "Tills", "aria-current=\"page\">Devices"] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }

    // Who reaches the till, and why: a department's grant on its group, a grant on itself.
    let reach = format!("{devices}/{till}");
    let page = open(&app, Method::GET, &reach, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "<td>tech0@acme.example</td><td>The role Full device access on the group Tills, through the department Field</td>",
        "<td>tech1@acme.example</td><td>The role Device connection only on this device</td>",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    let reboot = open(
        &app,
        Method::GET,
        &format!("{reach}?permission=device.reboot"),
        Some(&cookie),
        None,
    )
    .await;
    assert!(
        reboot.html.contains("tech0@acme.example"),
        "{}",
        reboot.html
    );
    assert!(
        !reboot.html.contains("tech1@acme.example"),
        "connecting only does not reboot: {}",
        reboot.html
    );
    assert!(reboot.html.contains("value=\"device.reboot\" selected"));

    // A group and a device in it, made from the page; a nameless device is refused.
    let form = [("csrf", csrf.as_str()), ("name", "Lobby")];
    let made = open(
        &app,
        Method::POST,
        &format!("/sites/{site}/device-groups"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let groups = app
        .get(&format!("/v1/sites/{site}/device-groups"), owner)
        .await
        .body;
    let lobby = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Lobby")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Door"),
        ("group_id", lobby.as_str()),
    ];
    let made = open(&app, Method::POST, &devices, Some(&cookie), Some(&form)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let page = open(&app, Method::GET, &devices, Some(&cookie), None).await;
    assert!(page.html.contains("<td>Lobby</td>"), "{}", page.html);
    let form = [("csrf", csrf.as_str()), ("name", "  ")];
    let refused = open(&app, Method::POST, &devices, Some(&cookie), Some(&form)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"device-name-error\""),
        "{}",
        refused.html
    );

    // Deleting the group asks first and keeps its device, without a group.
    let remove = format!("/sites/{site}/device-groups/{lobby}/remove");
    let asked = open(&app, Method::GET, &remove, Some(&cookie), None).await;
    assert!(asked.html.contains("Lobby is deleted"), "{}", asked.html);
    let form = [("csrf", csrf.as_str())];
    open(&app, Method::POST, &remove, Some(&cookie), Some(&form)).await;
    let listed = app
        .get(&format!("/v1/sites/{site}/devices"), owner)
        .await
        .body;
    let door = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Door")
        .unwrap();
    assert!(door["group_id"].is_null(), "{door}");
    let door = door["id"].as_str().unwrap().to_owned();
    let remove = format!("{devices}/{door}/remove");
    let asked = open(&app, Method::GET, &remove, Some(&cookie), None).await;
    assert!(asked.html.contains("Door is deleted"), "{}", asked.html);
    open(&app, Method::POST, &remove, Some(&cookie), Some(&form)).await;
    let listed = app
        .get(&format!("/v1/sites/{site}/devices"), owner)
        .await
        .body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");

    // A technician has no Devices tab: the pages refuse them.
    let (tech, _) = signed_in(&app, "tech0@acme.example").await;
    let refused = open(&app, Method::GET, &devices, Some(&tech), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    let refused = open(&app, Method::GET, &reach, Some(&tech), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
}

#[tokio::test]
async fn a_partner_admin_makes_edits_and_deletes_a_role_after_seeing_its_grants() {
    let app = TestApp::new().await;
    let (acme, site, _, _) = crate::technicians::site_with_technicians(&app, 1).await;
    let (group, _, department) =
        crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let owner = &acme.owner_token;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let roles = format!("/partners/{}/roles", acme.id);
    let custom = || async {
        app.get(&format!("/v1/partners/{}/roles", acme.id), owner)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .clone()
    };

    let page = open(&app, Method::GET, &roles, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "Full device access <span class=\"badge expired\">System</span>",
        "Level: Devices Only",
        "No custom role yet.",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }

    // The purpose first, then the checklist it allows.
    let new = format!("{roles}/new?name=Tills+crew&purpose=devices_and_groups");
    let form = open(&app, Method::GET, &new, Some(&cookie), None).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(
        form.html.contains("value=\"device.reboot\""),
        "{}",
        form.html
    );
    assert!(
        !form.html.contains("value=\"dashboard.view\""),
        "only device permissions"
    );
    assert!(form.html.contains("value=\"Tills crew\""));
    let odd = open(
        &app,
        Method::GET,
        &format!("{roles}/new?name=x&purpose=site_level"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(
        odd.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "system purposes only"
    );

    // A permission the purpose does not allow is refused next to the checklist.
    let wrong = [
        ("csrf", csrf.as_str()),
        ("name", "Tills crew"),
        ("purpose", "devices_and_groups"),
        ("permissions", "admin.team"),
    ];
    let refused = open(&app, Method::POST, &roles, Some(&cookie), Some(&wrong)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"permissions-error\""),
        "{}",
        refused.html
    );
    assert!(custom().await.is_empty());
    let made = [
        ("csrf", csrf.as_str()),
        ("name", "Tills crew"),
        ("purpose", "devices_and_groups"),
        ("permissions", "device.screen_view"),
        ("permissions", "device.reboot"),
    ];
    let created = open(&app, Method::POST, &roles, Some(&cookie), Some(&made)).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let listed = custom().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["permissions"],
        json!(["device.screen_view", "device.reboot"])
    );
    let role = listed[0]["id"].as_str().unwrap().to_owned();

    // Edited: renamed, one permission more; the purpose stays.
    let edit = format!("{roles}/{role}");
    let form = open(&app, Method::GET, &edit, Some(&cookie), None).await;
    assert!(
        form.html.contains("value=\"device.reboot\" checked"),
        "{}",
        form.html
    );
    assert!(form.html.contains("Devices and device groups"));
    let changed = [
        ("csrf", csrf.as_str()),
        ("name", "Till crew"),
        ("permissions", "device.screen_view"),
        ("permissions", "device.reboot"),
        ("permissions", "device.chat"),
    ];
    let saved = open(&app, Method::POST, &edit, Some(&cookie), Some(&changed)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let listed = custom().await;
    assert_eq!(listed[0]["name"], "Till crew");
    assert_eq!(listed[0]["purpose"], "devices_and_groups");
    assert_eq!(listed[0]["permissions"].as_array().unwrap().len(), 3);

    // Deleting shows the grants it takes first, by name; then takes them.
    let granted = app
        .post(
            &format!("/v1/partners/{}/grants", acme.id),
            owner,
            json!({ "subject": { "kind": "department", "id": department },
                    "scope": { "kind": "group", "id": group }, "role": role }),
        )
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    let grants = || async {
        app.get(&format!("/v1/partners/{}/grants", acme.id), owner)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["role"] == role.as_str())
            .count()
    };
    let delete = format!("{edit}/delete");
    let asked = open(&app, Method::GET, &delete, Some(&cookie), None).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    assert!(
        asked
            .html
            .contains("<td>Department Field</td><td>The group Tills at Head office</td>"),
        "{}",
        asked.html
    );
    assert_eq!(grants().await, 1, "the dry run changes nothing");
    let form = [("csrf", csrf.as_str())];
    let deleted = open(&app, Method::POST, &delete, Some(&cookie), Some(&form)).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.html);
    assert!(custom().await.is_empty());
    assert_eq!(grants().await, 0, "its grants went with it");

    // System roles cannot be opened for change; a technician has no role manager.
    let system = open(
        &app,
        Method::GET,
        &format!("{roles}/full_device_access"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(system.status, StatusCode::CONFLICT, "{}", system.html);
    let (tech, _) = signed_in(&app, "tech0@acme.example").await;
    let refused = open(&app, Method::GET, &roles, Some(&tech), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
}

#[tokio::test]
async fn a_partner_admin_keeps_departments_and_gives_access_by_grants() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = crate::technicians::site_with_technicians(&app, 2).await;
    crate::technicians::set_locked(&app, &site, &admin, &techs, false).await;
    let (_, till, field) = crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let owner = &acme.owner_token;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let departments = format!("/partners/{}/departments", acme.id);
    let grants = || async {
        app.get(&format!("/v1/partners/{}/grants", acme.id), owner)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .clone()
    };

    let page = open(&app, Method::GET, &departments, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains(">Field</a>"), "{}", page.html);
    let form = [("csrf", csrf.as_str()), ("name", "Night shift")];
    let made = open(&app, Method::POST, &departments, Some(&cookie), Some(&form)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let night = location(&made).rsplit('/').next().unwrap().to_owned();

    // Field: a member added by email; its grant, which that member inherits.
    let field_page = format!("{departments}/{field}");
    let add = format!("{field_page}/members");
    let form = [("csrf", csrf.as_str()), ("email", "tech0@acme.example")];
    let added = open(&app, Method::POST, &add, Some(&cookie), Some(&form)).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let page = open(&app, Method::GET, &field_page, Some(&cookie), None).await;
    for expected in [
        "<td>tech0@acme.example</td>",
        "<td>Full device access</td><td>The group Tills at Head office</td><td>Always</td>",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    for nobody in [
        "nobody@acme.example",
        "owner@globex.example",
        "not an address",
    ] {
        let form = [("csrf", csrf.as_str()), ("email", nobody)];
        let refused = open(&app, Method::POST, &add, Some(&cookie), Some(&form)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.html
        );
        assert!(
            refused.html.contains("id=\"email-error\""),
            "{}",
            refused.html
        );
    }
    let member = format!("/partners/{}/team/{}", acme.id, techs[0]);
    let page = open(&app, Method::GET, &member, Some(&cookie), None).await;
    assert!(
        page.html
            .contains("<span class=\"badge pending\">Inherited</span> Department Field"),
        "{}",
        page.html
    );
    // Their departments, each linked to its page.
    assert!(
        page.html.contains(&format!(
            "<li><a href=\"{departments}/{field}\">Field</a></li>"
        )),
        "{}",
        page.html
    );

    // Access: a section granted to a technician by email; a device, from its page, to a
    // department for a week; a role that does not fit its place is refused and says why.
    let access = format!("/partners/{}/access", acme.id);
    let create = format!("/partners/{}/grants", acme.id);
    let form = [
        ("csrf", csrf.as_str()),
        ("back", access.as_str()),
        ("place", "section:invitations"),
        ("holder", "technician"),
        ("email", "tech1@acme.example"),
        ("role", "own_invitations"),
    ];
    let given = open(&app, Method::POST, &create, Some(&cookie), Some(&form)).await;
    assert_eq!(location(&given), access);
    let device_page = format!("/sites/{site}/devices/{till}");
    let place = format!("device:{till}");
    let holder = format!("department:{night}");
    let today = app.state.now().date_naive();
    let (from, until) = (
        today.format("%Y-%m-%d").to_string(),
        (today + chrono::Days::new(6))
            .format("%Y-%m-%d")
            .to_string(),
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("back", device_page.as_str()),
        ("place", place.as_str()),
        ("holder", holder.as_str()),
        ("role", "device_connection_only"),
        ("from", from.as_str()),
        ("until", until.as_str()),
    ];
    let given = open(&app, Method::POST, &create, Some(&cookie), Some(&form)).await;
    assert_eq!(location(&given), device_page, "back where the form was");
    let week = grants()
        .await
        .into_iter()
        .find(|g| g["subject"]["id"] == night.as_str())
        .unwrap();
    assert_eq!(
        week["expires_at"].as_str().unwrap().get(..10),
        Some(
            (today + chrono::Days::new(7))
                .format("%Y-%m-%d")
                .to_string()
                .as_str()
        )
    );
    let wrong = [
        ("csrf", csrf.as_str()),
        ("back", "https://evil.example/"),
        ("place", "section:administration"),
        ("holder", "technician"),
        ("email", "tech1@acme.example"),
        ("role", "full_device_access"),
    ];
    let refused = open(&app, Method::POST, &create, Some(&cookie), Some(&wrong)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(refused.html.contains("role=\"alert\""), "{}", refused.html);
    assert!(
        refused.html.contains("href=\"/\""),
        "never back to another site: {}",
        refused.html
    );
    assert_eq!(grants().await.len(), 3);
    let page = open(&app, Method::GET, &access, Some(&cookie), None).await;
    for expected in [
        "<td>Member (tech1@acme.example)</td><td>Own invitations</td><td>The Invitations section</td><td>Always</td>",
        "<td>Department Night shift</td><td>Device connection only</td><td>The device Till 1 at Head office</td>",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }

    // Someone invited who has not accepted yet is configured by their address too (reference
    // 003); an address that is neither a member's nor invited is refused and says so.
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            owner,
            json!({ "emails": ["newbie@acme.example"], "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    for (email, status) in [
        ("newbie@acme.example", StatusCode::SEE_OTHER),
        (
            "stranger@elsewhere.example",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("back", access.as_str()),
            ("place", "section:invitations"),
            ("holder", "technician"),
            ("email", email),
            ("role", "all_invitations"),
        ];
        let given = open(&app, Method::POST, &create, Some(&cookie), Some(&form)).await;
        assert_eq!(given.status, status, "{email}: {}", given.html);
    }
    let page = open(&app, Method::GET, &access, Some(&cookie), None).await;
    let waiting =
        "<td>newbie@acme.example (invited, waits for acceptance)</td><td>All invitations</td>";
    assert!(page.html.contains(waiting), "{}", page.html);

    // A grant deleted after its confirmation; a department's member taken out; a department
    // deleted after a confirmation that counts what it takes.
    let section = grants()
        .await
        .into_iter()
        .find(|g| g["role"] == "own_invitations")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let delete = format!("/partners/{}/grants/{section}/delete", acme.id);
    let asked = open(&app, Method::GET, &delete, Some(&cookie), None).await;
    assert!(
        asked
            .html
            .contains("loses Own invitations on The Invitations section"),
        "{}",
        asked.html
    );
    let form = [("csrf", csrf.as_str())];
    open(&app, Method::POST, &delete, Some(&cookie), Some(&form)).await;
    assert_eq!(grants().await.len(), 3);
    let remove = format!("{field_page}/members/{}/remove", techs[0]);
    open(&app, Method::POST, &remove, Some(&cookie), Some(&form)).await;
    let page = open(&app, Method::GET, &field_page, Some(&cookie), None).await;
    assert!(!page.html.contains("tech0@acme.example"), "{}", page.html);
    let delete = format!("{departments}/{night}/delete");
    let asked = open(&app, Method::GET, &delete, Some(&cookie), None).await;
    assert!(
        asked.html.contains("its 0 member(s)") && asked.html.contains("its 1 grant(s)"),
        "{}",
        asked.html
    );
    open(&app, Method::POST, &delete, Some(&cookie), Some(&form)).await;
    assert_eq!(grants().await.len(), 2, "its grant went with it");

    // The site's admin sees the devices without a grant form; a technician has no Access.
    let (site_admin, _) = signed_in(&app, "admin@customer.example").await;
    let page = open(&app, Method::GET, &device_page, Some(&site_admin), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(!page.html.contains("name=\"holder\""), "{}", page.html);
    let (tech, _) = signed_in(&app, "tech0@acme.example").await;
    for path in [&access, &departments] {
        let refused = open(&app, Method::GET, path, Some(&tech), None).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            refused.html
        );
    }
}

#[tokio::test]
async fn the_operator_sets_seats_and_the_licences_page_names_who_they_disabled() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    // The first Super Admin holds every privilege; here they leave remote support's seats to
    // the technicians.
    let owner_id = app.get("/v1/me", &acme.owner_token).await.str("id");
    let given_up = app
        .call(
            Method::PATCH,
            &format!("/v1/partners/{}/members/{owner_id}", acme.id),
            Some(&acme.owner_token),
            Some(json!({ "privileges": ["unattended_access"] })),
        )
        .await;
    assert_eq!(given_up.status, StatusCode::OK, "{}", given_up.body);
    let mut techs = Vec::new();
    for n in 0..2 {
        let tech = app
            .member(&acme, &format!("tech{n}@acme.example"), "technician")
            .await;
        let granted = app
            .call(
                Method::PATCH,
                &format!("/v1/partners/{}/members/{tech}", acme.id),
                Some(&acme.owner_token),
                Some(json!({ "privileges": ["remote_support", "unattended_access"] })),
            )
            .await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        techs.push(tech);
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let licences = format!("/partners/{}/licences", acme.id);

    // The partner's admin reads the seats; only the operator has the form.
    let (owner, owner_csrf) = signed_in(&app, "owner@acme.example").await;
    let page = open(&app, Method::GET, &licences, Some(&owner), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html
            .contains("<td>Remote support</td><td>Unlimited</td><td>2</td>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Nobody was disabled by the licences."));
    assert!(!page.html.contains("name=\"remote_support\""));
    let form = [("csrf", owner_csrf.as_str()), ("remote_support", "0")];
    let refused = open(&app, Method::POST, &licences, Some(&owner), Some(&form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);

    let (ops, csrf) = signed_in(&app, "operator@siteward.example").await;
    let page = open(&app, Method::GET, &licences, Some(&ops), None).await;
    assert!(
        page.html.contains("name=\"remote_support\""),
        "{}",
        page.html
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("remote_support", "many"),
        ("unattended_access", ""),
    ];
    let refused = open(&app, Method::POST, &licences, Some(&ops), Some(&form)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("whole number of seats"),
        "{}",
        refused.html
    );

    // One seat for two holders: the newest is disabled, and the page says who and why.
    let form = [
        ("csrf", csrf.as_str()),
        ("remote_support", "1"),
        ("unattended_access", ""),
    ];
    let saved = open(&app, Method::POST, &licences, Some(&ops), Some(&form)).await;
    assert_eq!(location(&saved), format!("{licences}?disabled=1"));
    let page = open(&app, Method::GET, location(&saved), Some(&owner), None).await;
    for expected in [
        "Members disabled by the change: 1.",
        "<td>Remote support</td><td>1</td><td>1</td>",
        &format!("href=\"/partners/{}/team/{}\"", acme.id, techs[1]),
        "The licence was lowered below its holders (Remote support, Unattended access)",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    assert!(
        !page.html.contains(&techs[0]),
        "the older holder keeps their seat"
    );
}

#[tokio::test]
async fn the_operator_lists_partners_creates_one_and_disables_an_account_everywhere() {
    let app = TestApp::new().await;
    let (acme, site, admin, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    crate::technicians::set_locked(&app, &site, &admin, &techs, false).await;
    let (ops, csrf) = signed_in(&app, "operator@siteward.example").await;
    let partners = "/operator/partners";

    let mine = open(&app, Method::GET, "/", Some(&ops), None).await;
    assert!(
        mine.html.contains("href=\"/operator/partners\""),
        "{}",
        mine.html
    );
    let page = open(&app, Method::GET, partners, Some(&ops), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains(
            "<td>acme Installers</td><td>2</td><td>1</td><td>Remote support: 1 / Unlimited<br>"
        ),
        "members, sites and seats: {}",
        page.html
    );

    // A new partner with its first Super Admin; a nameless one is refused next to its field.
    let form = [
        ("csrf", csrf.as_str()),
        ("name", ""),
        ("admin_email", "boss@globex.example"),
        ("admin_name", "Boss"),
        ("admin_password", PASSWORD),
    ];
    let refused = open(&app, Method::POST, partners, Some(&ops), Some(&form)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"partner-name-error\""),
        "{}",
        refused.html
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Globex"),
        ("admin_email", "boss@globex.example"),
        ("admin_name", "Boss"),
        ("admin_password", PASSWORD),
    ];
    let made = open(&app, Method::POST, partners, Some(&ops), Some(&form)).await;
    assert_eq!(location(&made), "/operator/partners?done=created");
    let page = open(&app, Method::GET, location(&made), Some(&ops), None).await;
    assert!(
        page.html.contains("<td>Globex</td><td>1</td><td>0</td>"),
        "{}",
        page.html
    );
    assert!(page.html.contains("The partner was created"));
    let (boss, _) = signed_in(&app, "boss@globex.example").await;
    let theirs = open(&app, Method::GET, "/", Some(&boss), None).await;
    assert!(theirs.html.contains("Globex"), "{}", theirs.html);

    // An account disabled everywhere: the check denies at once; enabled again, it allows.
    let check = || async {
        app.post(
            "/v1/check",
            &acme.owner_token,
            json!({ "technician_id": techs[0], "permission": "dashboard.view", "site_id": site }),
        )
        .await
        .body["reason"]
            .clone()
    };
    assert_eq!(check().await, "granted_by_level");
    let accounts = "/operator/accounts";
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "tech0@acme.example"),
        ("status", "disabled"),
    ];
    let done = open(&app, Method::POST, accounts, Some(&ops), Some(&form)).await;
    assert_eq!(location(&done), "/operator/partners?done=disabled");
    assert_eq!(check().await, "account_disabled");
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "tech0@acme.example"),
        ("status", "active"),
    ];
    open(&app, Method::POST, accounts, Some(&ops), Some(&form)).await;
    assert_eq!(check().await, "granted_by_level");
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "nobody@nowhere.example"),
        ("status", "disabled"),
    ];
    let refused = open(&app, Method::POST, accounts, Some(&ops), Some(&form)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"account-email-error\""),
        "{}",
        refused.html
    );

    // The platform's audit log, every chain verified on request.
    let audit = open(
        &app,
        Method::GET,
        "/operator/audit?verify=1",
        Some(&ops),
        None,
    )
    .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.html);
    assert!(
        audit.html.contains("<h1>Platform audit log</h1>"),
        "{}",
        audit.html
    );
    assert!(
        audit.html.contains("account.status_changed"),
        "{}",
        audit.html
    );
    assert!(audit.html.contains("Intact"), "{}", audit.html);

    // Nobody else has the operator console.
    let (owner, owner_csrf) = signed_in(&app, "owner@acme.example").await;
    for path in [partners, "/operator/audit"] {
        let refused = open(&app, Method::GET, path, Some(&owner), None).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            refused.html
        );
    }
    let form = [
        ("csrf", owner_csrf.as_str()),
        ("email", "tech0@acme.example"),
        ("status", "disabled"),
    ];
    let refused = open(&app, Method::POST, accounts, Some(&owner), Some(&form)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    assert_eq!(check().await, "granted_by_level");
}

#[tokio::test]
async fn a_partner_admin_reads_what_was_sent_what_waits_and_what_failed() {
    let app = TestApp::new().await;
    let smtp = TestSmtp::start();
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["one@example.com", "two@example.com", "three@example.com"], "role": "technician" }),
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let (cookie, _) = signed_in(&app, "owner@acme.example").await;
    let deliveries = format!("/partners/{}/deliveries", acme.id);
    let page = open(&app, Method::GET, &deliveries, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.html
            .matches("<span class=\"badge pending\">Waiting</span>")
            .count(),
        3,
        "{}",
        page.html
    );
    assert!(page.html.contains("Next try"), "{}", page.html);

    // One refused for good by the server, one for now, one sent.
    smtp.reject_next(1);
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    smtp.refuse_next(1);
    deliver_due(&app.state, &smtp.mailer()).await.unwrap();
    let page = open(&app, Method::GET, &deliveries, Some(&cookie), None).await;
    for expected in ["Failed</span>", "Sent</span>", "550"] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    let failed = open(
        &app,
        Method::GET,
        &format!("{deliveries}?email_status=failed"),
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(
        failed.html.matches("<tr><td>").count(),
        1,
        "{}",
        failed.html
    );
    assert!(failed.html.contains("value=\"failed\" selected"));

    // A technician has no deliveries.
    app.member(&acme, "tech@acme.example", "technician").await;
    let (theirs, _) = signed_in(&app, "tech@acme.example").await;
    let refused = open(&app, Method::GET, &deliveries, Some(&theirs), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
}

/// `POST path` as a browser sends a form with files: `multipart/form-data`.
async fn upload(
    app: &TestApp,
    path: &str,
    cookie: &str,
    parts: &[(&str, Option<&str>, Vec<u8>)],
) -> Page {
    let boundary = "siteward-test-boundary";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(filename) = filename {
            body.extend_from_slice(
                format!("; filename=\"{filename}\"\r\nContent-Type: application/octet-stream")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Page {
        status,
        headers,
        html: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

#[tokio::test]
async fn the_operator_switches_a_quarantined_plugin_on_again_for_its_partner_from_the_console() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let bravo = app.partner(&operator, "bravo").await;
    let installed = app
        .install(
            &operator,
            "test-hostile",
            crate::plugins::manifest("test-hostile"),
        )
        .await;
    assert_eq!(installed.status, StatusCode::CREATED, "{}", installed.body);
    app.bind_hostile(&operator, &acme, "trap").await;
    app.bind_hostile(&operator, &bravo, "ok").await;
    let emails: Vec<String> = (0..6).map(|n| format!("t{n}@acme.example")).collect();
    let emails: Vec<&str> = emails.iter().map(String::as_str).collect();
    app.invite(&acme, &emails).await;
    let quarantined = || async {
        app.get("/v1/plugins/test-hostile", &operator).await.body["quarantined_for"].clone()
    };
    assert_eq!(quarantined().await, json!([acme.id]));

    // The plugins page names the partner it is quarantined for, with a button for it alone.
    let (ops, csrf) = signed_in(&app, "operator@siteward.example").await;
    let page = open(&app, Method::GET, "/operator/plugins", Some(&ops), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let resume = format!("/operator/plugins/test-hostile/partners/{}/resume", acme.id);
    assert!(
        page.html.contains(&format!("action=\"{resume}\"")),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("aria-label=\"Switch on again for acme Installers\"")
            && !page.html.contains("Switch on again for bravo"),
        "{}",
        page.html
    );

    // A form from elsewhere changes nothing; the operator's own switches it on again.
    let forged = [("csrf", "not-the-token")];
    let refused = open(&app, Method::POST, &resume, Some(&ops), Some(&forged)).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(quarantined().await, json!([acme.id]));
    let switches = app.actions(&operator, "plugin.binding_changed").await.len();
    let done = open(
        &app,
        Method::POST,
        &resume,
        Some(&ops),
        Some(&[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        done.headers["location"].to_str().unwrap(),
        "/operator/plugins?done=switched"
    );
    assert_eq!(quarantined().await, json!([]));
    let page = open(&app, Method::GET, "/operator/plugins", Some(&ops), None).await;
    assert!(!page.html.contains(&resume), "{}", page.html);
    assert!(
        app.actions(&operator, "plugin.binding_changed").await.len() > switches,
        "the switch is audited"
    );

    // A partner admin cannot do it.
    let (owner, owner_csrf) = signed_in(&app, "owner@acme.example").await;
    let by_partner = open(
        &app,
        Method::POST,
        &resume,
        Some(&owner),
        Some(&[("csrf", owner_csrf.as_str())]),
    )
    .await;
    assert!(by_partner.status.is_client_error(), "{}", by_partner.html);
}

#[tokio::test]
async fn the_operator_installs_a_plugin_from_its_files_and_switches_it_on_for_one_partner() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (ops, csrf) = signed_in(&app, "operator@siteward.example").await;
    let plugins = "/operator/plugins";
    let page = open(&app, Method::GET, plugins, Some(&ops), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("No plugin is installed."),
        "{}",
        page.html
    );

    let component = std::fs::read(crate::plugins::component("domain-policy")).unwrap();
    let manifest =
        std::fs::read(crate::plugins::plugins_dir().join("domain-policy/siteward-plugin.toml"))
            .unwrap();
    let broken = b"name = \"domain-policy\"\nversion = 1\n".to_vec();
    let refused = upload(
        &app,
        plugins,
        &ops,
        &[
            ("csrf", None, csrf.as_bytes().to_vec()),
            ("component", Some("domain_policy.wasm"), component.clone()),
            ("manifest", Some("siteward-plugin.toml"), broken),
        ],
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("The manifest was refused"),
        "{}",
        refused.html
    );
    let installed = upload(
        &app,
        plugins,
        &ops,
        &[
            ("csrf", None, csrf.as_bytes().to_vec()),
            ("component", Some("domain_policy.wasm"), component),
            ("manifest", Some("siteward-plugin.toml"), manifest),
        ],
    )
    .await;
    assert_eq!(
        location(&installed),
        "/operator/plugins?done=installed",
        "{}",
        installed.html
    );
    let page = open(&app, Method::GET, location(&installed), Some(&ops), None).await;
    assert!(
        page.html.contains(">domain-policy</a> 0.2.0"),
        "{}",
        page.html
    );
    assert!(page.html.contains("Off everywhere"), "{}", page.html);

    // Switched on for acme alone, with a setting from the manifest's form.
    let one = format!("{plugins}/domain-policy");
    let form_page = open(&app, Method::GET, &one, Some(&ops), None).await;
    assert!(
        form_page.html.contains("name=\"setting.allowed_domains\""),
        "{}",
        form_page.html
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("scope", acme.id.as_str()),
        ("enabled", "on"),
        ("setting.allowed_domains", "acme.example"),
        ("setting.approval_levels", ""),
    ];
    let switched = open(&app, Method::POST, &one, Some(&ops), Some(&form)).await;
    assert_eq!(
        location(&switched),
        "/operator/plugins?done=switched",
        "{}",
        switched.html
    );
    let view = app.get("/v1/plugins/domain-policy", &operator).await;
    assert_eq!(
        view.body["bindings"],
        json!([{ "scope": "partner", "partner_id": acme.id, "enabled": true,
                 "config": { "allowed_domains": "acme.example" } }]),
        "{}",
        view.body
    );
    let denied = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["someone@elsewhere.example"], "role": "technician" }),
        )
        .await;
    assert_eq!(
        denied.body["results"][0]["outcome"], "denied",
        "{}",
        denied.body
    );

    // Nobody but the operator has these pages.
    let (owner, _) = signed_in(&app, "owner@acme.example").await;
    for path in [plugins, one.as_str()] {
        let refused = open(&app, Method::GET, path, Some(&owner), None).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            refused.html
        );
    }

    // Removed after a confirmation.
    let remove = format!("{one}/remove");
    let asked = open(&app, Method::GET, &remove, Some(&ops), None).await;
    assert!(
        asked.html.contains("domain-policy stops everywhere"),
        "{}",
        asked.html
    );
    let form = [("csrf", csrf.as_str())];
    let removed = open(&app, Method::POST, &remove, Some(&ops), Some(&form)).await;
    assert_eq!(location(&removed), "/operator/plugins?done=removed");
    assert_eq!(
        app.get("/v1/plugins/domain-policy", &operator).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_partner_admin_reads_filters_exports_and_verifies_the_audit_log() {
    let app = TestApp::new().await;
    siteward_server::plugins::bundled::ensure(&app.state)
        .await
        .unwrap();
    let (acme, site, _, _) = crate::technicians::site_with_technicians(&app, 1).await;
    named_member(&app, &acme, "ana@acme.example", "Ana Alvarez", "admin").await;
    let (cookie, _) = signed_in(&app, "owner@acme.example").await;
    let log = format!("/partners/{}/audit", acme.id);
    let get = |path: String| {
        let cookie = cookie.clone();
        let app = &app;
        async move { open(app, Method::GET, &path, Some(&cookie), None).await }
    };

    // Newest first, with who did it by name.
    let page = get(log.clone()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let first_row = &page.html[page.html.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(
        first_row.contains("Owner (owner@acme.example)")
            && first_row.contains("<code>member.added</code>"),
        "the newest event first: {first_row}"
    );
    assert!(page.html.contains("<code>partner.created</code>"));
    let team = get(format!("/partners/{}/team", acme.id)).await;
    assert!(
        team.html
            .contains(&format!("href=\"{log}?person=ana%40acme.example\"")),
        "each member links their own actions: {}",
        team.html
    );

    // Filters: a person, an action, days; a person without an account has no events.
    let ana = get(format!(
        "{log}?person=owner%40acme.example&action=member.added"
    ))
    .await;
    let rows = ana.html.matches("<tr>").count() - 1;
    assert_eq!(rows, 2, "the owner added tech0 and Ana: {}", ana.html);
    let tech = get(format!("{log}?person=tech0%40acme.example")).await;
    assert!(tech.html.contains("<code>invitation.accepted</code>"));
    assert!(
        !tech.html.contains("<code>member.added</code>"),
        "{}",
        tech.html
    );
    let nobody = get(format!("{log}?person=nobody%40example.com")).await;
    assert!(nobody.html.contains("No event matches."), "{}", nobody.html);
    let before = get(format!("{log}?to=2000-01-01")).await;
    assert!(before.html.contains("No event matches."), "{}", before.html);
    let wrong = get(format!(
        "{log}?person=not-an-email&from=2026-13-01&action=nope"
    ))
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.html
    );
    for id in ["from-error", "action-error"] {
        assert!(
            wrong.html.contains(&format!("id=\"{id}\"")),
            "{id}: {}",
            wrong.html
        );
    }
    let person = get(format!("{log}?person=not-an-email")).await;
    assert!(
        person.html.contains("id=\"person-error\""),
        "{}",
        person.html
    );
    let reversed = get(format!("{log}?from=2026-03-09&to=2026-03-08")).await;
    assert!(
        reversed
            .html
            .contains("The last day comes before the first.")
    );

    // The export carries the filters; the chain verifies on request.
    let export = get(format!(
        "{log}/export?format=ndjson&action=member.added&person=&from=&to="
    ))
    .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.html);
    assert!(
        export.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(
        export.html.lines().count(),
        3,
        "three members added: {}",
        export.html
    );
    assert!(
        page.html.contains("<option value=\"ndjson\">"),
        "{}",
        page.html
    );
    let unknown = get(format!("{log}/export?format=pdf")).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.html
    );
    assert!(!page.html.contains("Intact"));
    let verified = get(format!("{log}?verify=1")).await;
    assert!(
        verified
            .html
            .contains(&format!("partner/{}</strong>: Intact", acme.id)),
        "{}",
        verified.html
    );

    // The site's admin reads the site's log; a technician reads neither.
    let (site_admin, _) = signed_in(&app, "admin@customer.example").await;
    let site_log = open(
        &app,
        Method::GET,
        &format!("/sites/{site}/audit"),
        Some(&site_admin),
        None,
    )
    .await;
    assert_eq!(site_log.status, StatusCode::OK, "{}", site_log.html);
    assert!(
        site_log.html.contains("assignment.created")
            || site_log.html.contains("invitation.accepted"),
        "{}",
        site_log.html
    );
    let (tech, _) = signed_in(&app, "tech0@acme.example").await;
    let refused = open(&app, Method::GET, &log, Some(&tech), None).await;
    assert!(refused.status.is_client_error(), "{}", refused.html);
    assert!(!refused.html.contains("<code>member.added</code>"));
}

/// Every console route that names a tenant's resource, as `(method, path template)`; the
/// matrix below fills in the ids. A new route with an id must be added here: the test reads
/// `ui/mod.rs` and fails on one it does not know.
const TENANT_ROUTES: &[(&str, &str)] = &[
    ("GET", "/partners/{partner_id}/team"),
    ("GET", "/partners/{partner_id}/sites"),
    ("POST", "/partners/{partner_id}/sites"),
    ("POST", "/partners/{partner_id}/customers"),
    ("POST", "/partners/{partner_id}/team/invitations"),
    ("POST", "/invitations/{invitation_id}/resend"),
    ("POST", "/invitations/{invitation_id}/approve"),
    ("POST", "/invitations/{invitation_id}/deny"),
    ("GET", "/invitations/{invitation_id}/revoke"),
    ("POST", "/invitations/{invitation_id}/revoke"),
    ("GET", "/sites/{site_id}/technicians"),
    ("POST", "/sites/{site_id}/technicians/{account_id}/lock"),
    ("GET", "/sites/{site_id}/invite"),
    ("POST", "/account/sessions/{session_id}/end"),
    ("GET", "/partners/{partner_id}/settings"),
    ("GET", "/partners/{partner_id}/identity"),
    ("POST", "/partners/{partner_id}/identity"),
    (
        "GET",
        "/partners/{partner_id}/customers/{customer_id}/identity",
    ),
    (
        "POST",
        "/partners/{partner_id}/customers/{customer_id}/identity",
    ),
    ("POST", "/partners/{partner_id}/identity/domains/release"),
    ("POST", "/partners/{partner_id}/identity/scim-token"),
    ("POST", "/partners/{partner_id}/identity/{connection_id}"),
    (
        "POST",
        "/partners/{partner_id}/identity/{connection_id}/domains",
    ),
    (
        "POST",
        "/partners/{partner_id}/identity/{connection_id}/delete",
    ),
    (
        "POST",
        "/partners/{partner_id}/identity/{connection_id}/test",
    ),
    (
        "POST",
        "/partners/{partner_id}/identity/{connection_id}/groups",
    ),
    (
        "POST",
        "/partners/{partner_id}/identity/groups/{rule_id}/delete",
    ),
    ("GET", "/partners/{partner_id}/identity/directory"),
    ("POST", "/partners/{partner_id}/identity/directory"),
    ("POST", "/partners/{partner_id}/identity/directory/sync"),
    ("POST", "/partners/{partner_id}/identity/directory/mappings"),
    (
        "POST",
        "/partners/{partner_id}/identity/directory/mappings/delete",
    ),
    ("POST", "/partners/{partner_id}/identity/directory/delete"),
    ("POST", "/partners/{partner_id}/settings"),
    ("GET", "/partners/{partner_id}/settings/preview"),
    ("POST", "/partners/{partner_id}/settings/alerts"),
    ("POST", "/partners/{partner_id}/settings/security"),
    ("POST", "/partners/{partner_id}/settings/plugins/{name}"),
    ("GET", "/partners/{partner_id}/team/{account_id}"),
    ("POST", "/partners/{partner_id}/team/{account_id}"),
    ("GET", "/partners/{partner_id}/team/{account_id}/totp-reset"),
    (
        "POST",
        "/partners/{partner_id}/team/{account_id}/totp-reset",
    ),
    ("GET", "/partners/{partner_id}/team/{account_id}/remove"),
    ("POST", "/partners/{partner_id}/team/{account_id}/remove"),
    ("GET", "/partners/{partner_id}/audit"),
    ("GET", "/partners/{partner_id}/audit/export"),
    ("GET", "/sites/{site_id}/audit"),
    ("GET", "/sites/{site_id}/audit/export"),
    ("POST", "/sites/{site_id}/invite"),
    ("GET", "/sites/{site_id}/technicians/{account_id}/remove"),
    ("POST", "/sites/{site_id}/technicians/{account_id}/remove"),
    ("GET", "/sites/{site_id}/technicians/bulk"),
    ("POST", "/sites/{site_id}/technicians/bulk"),
    ("GET", "/sites/{site_id}/technicians/{account_id}/level"),
    ("POST", "/sites/{site_id}/technicians/{account_id}/level"),
    ("GET", "/sites/{site_id}/technicians/{account_id}/end"),
    ("POST", "/sites/{site_id}/technicians/{account_id}/end"),
    ("GET", "/sites/{site_id}/security"),
    ("POST", "/sites/{site_id}/security"),
    ("POST", "/sites/{site_id}/security/admins"),
    ("GET", "/sites/{site_id}/admins"),
    ("POST", "/sites/{site_id}/admins"),
    ("GET", "/sites/{site_id}/admins/{account_id}/remove"),
    ("POST", "/sites/{site_id}/admins/{account_id}/remove"),
    ("GET", "/partners/{partner_id}/licences"),
    ("POST", "/partners/{partner_id}/licences"),
    ("GET", "/partners/{partner_id}/deliveries"),
    ("GET", "/partners/{partner_id}/access"),
    ("POST", "/partners/{partner_id}/grants"),
    ("GET", "/partners/{partner_id}/grants/{grant_id}/delete"),
    ("POST", "/partners/{partner_id}/grants/{grant_id}/delete"),
    ("GET", "/partners/{partner_id}/departments"),
    ("POST", "/partners/{partner_id}/departments"),
    ("GET", "/partners/{partner_id}/departments/{department_id}"),
    (
        "POST",
        "/partners/{partner_id}/departments/{department_id}/members",
    ),
    (
        "POST",
        "/partners/{partner_id}/departments/{department_id}/members/{account_id}/remove",
    ),
    (
        "GET",
        "/partners/{partner_id}/departments/{department_id}/delete",
    ),
    (
        "POST",
        "/partners/{partner_id}/departments/{department_id}/delete",
    ),
    ("GET", "/partners/{partner_id}/roles"),
    ("POST", "/partners/{partner_id}/roles"),
    ("GET", "/partners/{partner_id}/roles/new"),
    ("GET", "/partners/{partner_id}/roles/{role_id}"),
    ("POST", "/partners/{partner_id}/roles/{role_id}"),
    ("GET", "/partners/{partner_id}/roles/{role_id}/delete"),
    ("POST", "/partners/{partner_id}/roles/{role_id}/delete"),
    ("GET", "/sites/{site_id}/devices"),
    ("POST", "/sites/{site_id}/devices"),
    ("POST", "/sites/{site_id}/device-groups"),
    ("GET", "/sites/{site_id}/devices/{device_id}"),
    ("GET", "/sites/{site_id}/devices/{device_id}/remove"),
    ("POST", "/sites/{site_id}/devices/{device_id}/remove"),
    ("GET", "/sites/{site_id}/device-groups/{group_id}/remove"),
    ("POST", "/sites/{site_id}/device-groups/{group_id}/remove"),
    ("GET", "/sites/{site_id}/access-requests"),
    ("POST", "/sites/{site_id}/access-policy"),
    ("POST", "/access-requests/{request_id}/approve"),
    ("POST", "/access-requests/{request_id}/deny"),
    ("POST", "/access-requests/{request_id}/end"),
    ("GET", "/sites/{site_id}/reviews"),
    ("POST", "/sites/{site_id}/reviews"),
    ("POST", "/sites/{site_id}/review-schedule"),
    ("POST", "/reviews/{review_id}/verdicts"),
    ("GET", "/reviews/{review_id}/export.csv"),
];

#[tokio::test]
async fn every_console_route_hides_another_tenants_resources_and_changes_nothing() {
    // The list is complete: every routed path with an id in `ui/mod.rs` is in it.
    let source = include_str!("../../src/ui/mod.rs");
    let routed: Vec<&str> = source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"'))
        .filter_map(|rest| rest.split('"').next())
        // The operator console's paths name the platform's own things, not a tenant's: they
        // refuse everyone but the operator (tested with the console's operator pages).
        // A connection's sign-in link is public by design (anyone may start a sign-in there;
        // what the provider answers is what is checked), tested with single sign-on; so is a
        // SAML connection's metadata (its identity provider reads it; it holds nothing
        // secret), tested with SAML.
        .filter(|path| {
            path.contains('{')
                && !path.starts_with("/assets/")
                && !path.starts_with("/operator/")
                && !path.starts_with("/sign-in/sso/")
                && !path.starts_with("/sso/saml/")
        })
        .collect();
    for path in &routed {
        assert!(
            TENANT_ROUTES.iter().any(|(_, known)| known == path),
            "{path} is routed but not in the console's isolation matrix"
        );
    }

    let app = TestApp::new().await;
    let (acme, site, _, techs) = crate::technicians::site_with_technicians(&app, 1).await;
    let operator = app.operator().await;
    let globex = app.partner(&operator, "globex").await;
    let globex_member = app
        .member(&globex, "tech@globex.example", "technician")
        .await;
    let invited = app
        .post(
            &format!("/v1/partners/{}/invitations", acme.id),
            &acme.owner_token,
            json!({ "emails": ["pending@acme.example"], "role": "technician" }),
        )
        .await;
    let invitation = invited.body["results"][0]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (group, device, department) =
        crate::technicians::tills_for_a_department(&app, &acme, &site).await;
    let connection = crate::sso::connection_of(&app, &acme, "acme.example").await;
    let rule_id = crate::sso::group_rule_of(&app, &acme, &connection).await;
    let role = app
        .post(
            &format!("/v1/partners/{}/roles", acme.id),
            &acme.owner_token,
            json!({ "name": "Crew", "purpose": "devices_and_groups", "permissions": ["device.chat"] }),
        )
        .await
        .str("id");
    let grant = app
        .get(
            &format!("/v1/partners/{}/grants", acme.id),
            &acme.owner_token,
        )
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let joined = app
        .call(
            Method::PUT,
            &format!(
                "/v1/partners/{}/departments/{department}/members/{}",
                acme.id, techs[0]
            ),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::NO_CONTENT, "{}", joined.body);
    let request = app
        .post(
            &format!("/v1/sites/{site}/access-requests"),
            &app.token("tech0@acme.example").await,
            json!({ "level": "devices_only", "minutes": 60, "reason": "INC-1" }),
        )
        .await
        .str("id");
    let review = app
        .post(
            &format!("/v1/sites/{site}/reviews"),
            &app.token("admin@customer.example").await,
            json!({}),
        )
        .await
        .str("id");
    let state_of_things = async || {
        let invitation = app
            .get(&format!("/v1/invitations/{invitation}"), &acme.owner_token)
            .await;
        let technicians = app
            .get(
                &format!("/v1/sites/{site}/technicians"),
                &app.token("admin@customer.example").await,
            )
            .await;
        let team = app
            .get(
                &format!("/v1/partners/{}/invitations", acme.id),
                &acme.owner_token,
            )
            .await;
        let site_now = app
            .get(&format!("/v1/sites/{site}"), &acme.owner_token)
            .await;
        let admins = app
            .get(&format!("/v1/sites/{site}/admins"), &acme.owner_token)
            .await;
        let devices = app
            .get(&format!("/v1/sites/{site}/devices"), &acme.owner_token)
            .await;
        let groups = app
            .get(
                &format!("/v1/sites/{site}/device-groups"),
                &acme.owner_token,
            )
            .await;
        let roles = app
            .get(
                &format!("/v1/partners/{}/roles", acme.id),
                &acme.owner_token,
            )
            .await;
        let grants = app
            .get(
                &format!("/v1/partners/{}/grants", acme.id),
                &acme.owner_token,
            )
            .await;
        let departments = app
            .get(
                &format!("/v1/partners/{}/departments", acme.id),
                &acme.owner_token,
            )
            .await;
        let members = app
            .get(
                &format!("/v1/partners/{}/departments/{department}/members", acme.id),
                &acme.owner_token,
            )
            .await;
        let access_request = app
            .get(&format!("/v1/access-requests/{request}"), &acme.owner_token)
            .await;
        let access_policy = app
            .get(
                &format!("/v1/sites/{site}/access-policy"),
                &acme.owner_token,
            )
            .await;
        let review = app
            .get(
                &format!("/v1/reviews/{review}/technicians"),
                &acme.owner_token,
            )
            .await;
        let reviews = app
            .get(&format!("/v1/sites/{site}/reviews"), &acme.owner_token)
            .await;
        let acme_id = siteward_core::ids::PartnerId::from_trusted(acme.id.clone());
        let identity = (
            app.store.identity_connections(&acme_id).await.unwrap(),
            app.store.claimed_domains(&acme_id).await.unwrap(),
            app.store
                .group_rules(std::slice::from_ref(&connection))
                .await
                .unwrap(),
        );
        (
            identity,
            (
                access_request.body,
                access_policy.body,
                review.body,
                reviews.body,
            ),
            invitation.body,
            technicians.body,
            team.body,
            (
                site_now.body,
                admins.body,
                devices.body,
                groups.body,
                roles.body,
            ),
            (grants.body, departments.body, members.body),
        )
    };
    let (owner_session, _) = signed_in(&app, "owner@acme.example").await;
    let owners_page = open(&app, Method::GET, "/account", Some(&owner_session), None).await;
    let at = owners_page.html.find("/account/sessions/").unwrap() + "/account/sessions/".len();
    let session = owners_page.html[at..at + 26].to_owned();
    let before = state_of_things().await;

    let (outsider, csrf) = signed_in(&app, "owner@globex.example").await;
    // A site's admin where a path names one: the real thing, not merely someone absent.
    let admin_id = app
        .get(&format!("/v1/sites/{site}/admins"), &acme.owner_token)
        .await
        .body["items"][0]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = app
        .get(&format!("/v1/sites/{site}"), &acme.owner_token)
        .await
        .body["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (method, template) in TENANT_ROUTES {
        let account = match template.starts_with("/sites/{site_id}/admins/") {
            true => &admin_id,
            false => &techs[0],
        };
        let path = template
            .replace("{partner_id}", &acme.id)
            .replace("{invitation_id}", &invitation)
            .replace("{site_id}", &site)
            .replace("{customer_id}", &customer)
            .replace("{account_id}", account)
            .replace("{session_id}", &session)
            .replace("{device_id}", &device)
            .replace("{group_id}", &group)
            .replace("{role_id}", &role)
            .replace("{grant_id}", &grant)
            .replace("{department_id}", &department)
            .replace("{request_id}", &request)
            .replace("{review_id}", &review)
            .replace("{connection_id}", connection.as_str())
            .replace("{rule_id}", rule_id.as_str())
            .replace("{name}", "invitation-email");
        let form: &[(&str, &str)] = &[
            ("csrf", csrf.as_str()),
            ("emails", "someone@globex.example"),
            ("role", "technician"),
            ("locked", "false"),
            ("name", "Globex's own"),
            ("admin_email", "it@globex.example"),
            ("admin_name", "It"),
            ("pick", globex_member.as_str()),
            ("status", "disabled"),
            ("ttl_hours", "2"),
            ("locale", "de"),
            ("do", "lock"),
            ("account", techs[0].as_str()),
            ("level", "none"),
            ("last_day", "2099-01-01"),
            ("technician_access", "off"),
            ("email", "it@globex.example"),
            ("password", "a long enough pass phrase"),
            ("comment", "Globex says no"),
            ("max_minutes", "60"),
            ("verdict", "remove"),
            ("reason", "Globex says no"),
            ("every_days", "30"),
            ("days", "7"),
            ("domain", "acme.example"),
            ("issuer", "https://idp.globex.example"),
            ("client_id", "globex"),
            ("client_secret", "globex-secret"),
            ("group", "Globex admins"),
            ("grant", "role:super_admin"),
        ];
        let page = match *method {
            "GET" => open(&app, Method::GET, &path, Some(&outsider), None).await,
            _ => open(&app, Method::POST, &path, Some(&outsider), Some(form)).await,
        };
        assert_eq!(
            page.status,
            StatusCode::NOT_FOUND,
            "{method} {path}: {}",
            page.html
        );
        assert!(
            page.html.contains("Not found"),
            "{method} {path}: {}",
            page.html
        );
        assert!(
            !page.html.contains("acme"),
            "{method} {path} names nothing of acme: {}",
            page.html
        );
    }
    assert_eq!(state_of_things().await, before, "nothing changed");
    let still = open(&app, Method::GET, "/account", Some(&owner_session), None).await;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "acme's owner is still signed in"
    );
}

#[tokio::test]
async fn a_person_changes_their_password_and_their_other_sessions_end() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;

    let page = open(&app, Method::GET, "/account", Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("owner@acme.example"), "{}", page.html);

    let wrong = [
        ("csrf", csrf.as_str()),
        ("current_password", "not the password at all"),
        ("new_password", "a brand new passphrase here"),
    ];
    let refused = open(
        &app,
        Method::POST,
        "/account/password",
        Some(&cookie),
        Some(&wrong),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"current-error\""),
        "{}",
        refused.html
    );

    let right = [
        ("csrf", csrf.as_str()),
        ("current_password", PASSWORD),
        ("new_password", "a brand new passphrase here"),
    ];
    let changed = open(
        &app,
        Method::POST,
        "/account/password",
        Some(&cookie),
        Some(&right),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.html);
    assert!(
        changed.html.contains("Your password is changed"),
        "{}",
        changed.html
    );
    // The API session made before is another session: it ended; the console's own stays.
    assert_eq!(
        app.get("/v1/me", &acme.owner_token).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        open(&app, Method::GET, "/account", Some(&cookie), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.login("owner@acme.example", "a brand new passphrase here")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_person_turns_two_step_sign_in_on_with_a_qr_code_and_off_again() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    app.partner(&operator, "acme").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let form = |code: &str, secret: &str, uri: &str| {
        vec![
            ("csrf".to_owned(), csrf.clone()),
            ("code".to_owned(), code.to_owned()),
            ("secret".to_owned(), secret.to_owned()),
            ("uri".to_owned(), uri.to_owned()),
        ]
    };
    let post = async |path: &str, fields: Vec<(String, String)>| {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        open(&app, Method::POST, path, Some(&cookie), Some(&fields)).await
    };

    let setup = post("/account/totp", form("", "", "")).await;
    assert_eq!(setup.status, StatusCode::OK, "{}", setup.html);
    assert!(
        setup
            .html
            .contains("<svg role=\"img\" aria-label=\"QR code for your authenticator app\""),
        "{}",
        setup.html
    );
    let secret = setup.input("secret");
    let uri = setup.input("uri");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(setup.html.contains(&format!("<code>{secret}</code>")));

    // A wrong code keeps the same secret on the page: nothing to scan again.
    let wrong = post("/account/totp/confirm", form("000000", &secret, &uri)).await;
    assert_ne!(wrong.status, StatusCode::OK, "{}", wrong.html);
    assert!(
        wrong.html.contains("That code is not right"),
        "{}",
        wrong.html
    );
    assert_eq!(wrong.input("secret"), secret);

    let code = totp::code_at_step(&secret, totp::step(app.clock.now_time())).unwrap();
    let on = post("/account/totp/confirm", form(&code, &secret, &uri)).await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.html);
    assert_eq!(on.headers[header::LOCATION], "/account?saved=totp_on");
    let on = open(
        &app,
        Method::GET,
        "/account?saved=totp_on",
        Some(&cookie),
        None,
    )
    .await;
    assert!(on.html.contains("Two-step sign-in is on"), "{}", on.html);
    assert!(
        on.html.contains("action=\"/account/totp/remove\""),
        "the page shows it on: {}",
        on.html
    );
    assert_eq!(
        app.login("owner@acme.example", PASSWORD).await.code(),
        "totp_required",
        "signing in now needs a code"
    );

    app.clock.advance(chrono::Duration::seconds(31));
    let code = totp::code_at_step(&secret, totp::step(app.clock.now_time())).unwrap();
    let off = post("/account/totp/remove", form(&code, "", "")).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.html);
    let off = open(
        &app,
        Method::GET,
        "/account?saved=totp_off",
        Some(&cookie),
        None,
    )
    .await;
    assert!(off.html.contains("Two-step sign-in is off"), "{}", off.html);
    assert!(
        off.html.contains("action=\"/account/totp\""),
        "{}",
        off.html
    );
    assert_eq!(
        app.login("owner@acme.example", PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_partner_admin_creates_a_customer_and_a_site_with_its_first_admin() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let page_path = format!("/partners/{}/sites", acme.id);

    let page = open(&app, Method::GET, &page_path, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("create the customer first"),
        "{}",
        page.html
    );

    let customer = [("csrf", csrf.as_str()), ("name", "Northwind")];
    let made = open(
        &app,
        Method::POST,
        &format!("/partners/{}/customers", acme.id),
        Some(&cookie),
        Some(&customer),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let customers = app
        .get(
            &format!("/v1/partners/{}/customers", acme.id),
            &acme.owner_token,
        )
        .await;
    let customer_id = customers.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let weak = [
        ("csrf", csrf.as_str()),
        ("customer_id", customer_id.as_str()),
        ("name", "Head office"),
        ("admin_email", "kim@northwind.example"),
        ("admin_name", "Kim"),
        ("admin_password", "password1234"),
    ];
    let refused = open(&app, Method::POST, &page_path, Some(&cookie), Some(&weak)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(
        refused.html.contains("id=\"admin-password-error\""),
        "{}",
        refused.html
    );
    assert_eq!(
        app.get(
            &format!("/v1/partners/{}/sites", acme.id),
            &acme.owner_token
        )
        .await
        .body["items"]
            .as_array()
            .unwrap()
            .len(),
        0,
        "nothing half-made"
    );

    let site = [
        ("csrf", csrf.as_str()),
        ("customer_id", customer_id.as_str()),
        ("name", "Head office"),
        ("admin_email", "kim@northwind.example"),
        ("admin_name", "Kim"),
        ("admin_password", "another long passphrase"),
    ];
    let made = open(&app, Method::POST, &page_path, Some(&cookie), Some(&site)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let page = open(&app, Method::GET, &page_path, Some(&cookie), None).await;
    assert!(
        page.html
            .contains(">Head office</a></td><td>Northwind</td><td>Off</td>"),
        "{}",
        page.html
    );
    // The new site admin signs in and finds the site on their own page.
    let (kim, _) = signed_in_with(&app, "kim@northwind.example", "another long passphrase").await;
    let mine = open(&app, Method::GET, "/", Some(&kim), None).await;
    assert!(
        mine.html.contains("Head office</a> — its technicians"),
        "{}",
        mine.html
    );
}

#[tokio::test]
async fn pages_speak_the_browsers_language_until_the_account_chooses_its_own() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;

    // Signed out, the browser's Accept-Language chooses; one the console does not speak
    // gives English.
    let korean = open_in(&app, "fr-CH, ko;q=0.9, en;q=0.5", "/sign-in", None).await;
    assert!(
        korean.html.contains(r#"<html lang="ko">"#),
        "{}",
        korean.html
    );
    assert!(korean.html.contains("<h1>Siteward에 로그인</h1>"));
    let french = open_in(&app, "fr-FR", "/sign-in", None).await;
    assert!(french.html.contains(r#"<html lang="en">"#));
    assert!(french.html.contains("<h1>Sign in to Siteward</h1>"));

    // Signed in with no choice of their own, still the browser's.
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let german = open_in(&app, "de-AT", "/account", Some(&cookie)).await;
    assert!(
        german.html.contains("<h1>Mein Konto</h1>"),
        "{}",
        german.html
    );
    assert!(
        german
            .html
            .contains(r#"<option value="" selected>Wie mein Browser es wünscht</option>"#),
        "{}",
        german.html
    );

    // The account chooses Japanese: every page of every session is Japanese, whatever the
    // browser asks, dates included.
    let form = [("csrf", csrf.as_str()), ("locale", "ja")];
    let saved = open(
        &app,
        Method::POST,
        "/account/language",
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.headers[header::LOCATION], "/account?saved=language");
    let account = open_in(&app, "de", "/account?saved=language", Some(&cookie)).await;
    assert!(account.html.contains(r#"<html lang="ja">"#));
    assert!(
        account
            .html
            .contains("コンソールは選んだ言語で表示されます")
    );
    assert!(
        account
            .html
            .contains(r#"<option value="ja" lang="ja" selected>日本語</option>"#)
    );
    let this_year = app.state.now().format("%Y年").to_string();
    assert!(account.html.contains(&this_year), "{}", account.html);
    let (elsewhere, _) = signed_in(&app, "owner@acme.example").await;
    let mine = open_in(&app, "es", "/", Some(&elsewhere)).await;
    assert!(
        mine.html.contains("<h1>自分のアクセス</h1>"),
        "{}",
        mine.html
    );
    // Error pages too: another tenant's team is not found, in Japanese.
    let theirs = format!("/partners/{}/team", globex.id);
    let missing = open_in(&app, "es", &theirs, Some(&cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.html.contains("<h1>見つかりません</h1>"),
        "{}",
        missing.html
    );

    // The choice is on the account's trail.
    let trail = app
        .get("/v1/audit-events?action=account.updated", &operator)
        .await;
    let items = trail.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", trail.body);
    assert_eq!(items[0]["changes"][0]["field"], "locale");
    assert_eq!(items[0]["changes"][0]["after"], "ja");

    // A language the console does not speak is refused next to the field; nothing changes.
    let form = [("csrf", csrf.as_str()), ("locale", "fr")];
    let refused = open(
        &app,
        Method::POST,
        "/account/language",
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .html
            .contains(r#"<p class="error" id="locale-error">一覧から言語を選んでください。</p>"#),
        "{}",
        refused.html
    );
    assert!(refused.html.contains(r#"<html lang="ja">"#));

    // Following the browser again.
    let form = [("csrf", csrf.as_str()), ("locale", "")];
    let cleared = open(
        &app,
        Method::POST,
        "/account/language",
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let spanish = open_in(&app, "es-MX", "/", Some(&cookie)).await;
    assert!(spanish.html.contains(r#"<html lang="es">"#));
    assert!(spanish.html.contains("<h1>Mi acceso</h1>"));

    // The app's failures are said in the page's language too: a lockout, in Korean.
    let page = open_in(&app, "ko", "/sign-in", None).await;
    let csrf = page.input("csrf");
    let browser = format!("siteward_csrf={csrf}");
    let wrong = [
        ("csrf", csrf.as_str()),
        ("email", "owner@globex.example"),
        ("password", "not the password at all"),
    ];
    let mut last = None;
    for _ in 0..6 {
        let cookie = Some(browser.as_str());
        let form = Some(&wrong[..]);
        last = Some(open_with(&app, Method::POST, "/sign-in", cookie, form, Some("ko")).await);
    }
    let locked = last.unwrap();
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.html
    );
    assert!(
        locked
            .html
            .contains("이 이메일의 로그인 실패가 너무 많습니다"),
        "{}",
        locked.html
    );
}

#[tokio::test]
async fn team_security_is_set_in_the_console_and_a_member_without_two_step_sees_only_enrolment() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tech@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let settings = format!("/partners/{}/settings", acme.id);

    // Partner › Settings › Team security: the form, then the settings saved and shown.
    let page = open(&app, Method::GET, &settings, Some(&cookie), None).await;
    for expected in [
        "id=\"team-security-heading\"",
        &format!("action=\"{settings}/security\""),
        "<option value=\"\" selected>The host&#39;s (12 hours)</option>",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }
    let form = [
        ("csrf", csrf.as_str()),
        ("require_two_factor", "true"),
        ("session_hours", "8"),
        ("fresh_sign_in_minutes", ""),
    ];
    let saved = open(
        &app,
        Method::POST,
        &format!("{settings}/security"),
        Some(&cookie),
        Some(&form),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    for expected in [
        "role=\"status\"",
        "name=\"require_two_factor\" value=\"true\" aria-describedby=\"two-factor-hint\" checked",
        "<option value=\"8\" selected>8 hours</option>",
    ] {
        assert!(
            saved.html.contains(expected),
            "{expected} in {}",
            saved.html
        );
    }
    let wrong = [("csrf", csrf.as_str()), ("session_hours", "eight")];
    let refused = open(
        &app,
        Method::POST,
        &format!("{settings}/security"),
        Some(&cookie),
        Some(&wrong),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    assert!(refused.html.contains("role=\"alert\""), "{}", refused.html);

    // The technician signs in: every page leads to the account page until they enrol.
    let (tech, tech_csrf) = signed_in(&app, "tech@acme.example").await;
    for path in ["/", &format!("/partners/{}/team", acme.id)] {
        let sent = open(&app, Method::GET, path, Some(&tech), None).await;
        assert_eq!(location(&sent), "/account#totp-heading", "{path}");
    }
    let account = open(&app, Method::GET, "/account", Some(&tech), None).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.html);
    for expected in [
        "Your team requires two-step sign-in.",
        "<li>Two-step sign-in is required.</li>",
        "<li>Sessions end 8 hours after signing in.</li>",
    ] {
        assert!(
            account.html.contains(expected),
            "{expected} in {}",
            account.html
        );
    }
    let started = open(
        &app,
        Method::POST,
        "/account/totp",
        Some(&tech),
        Some(&[("csrf", tech_csrf.as_str())]),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.html);

    // A site's Security page: what the site asks of its admins, for those who manage them.
    let (admin, admin_csrf) = signed_in(&app, "admin@customer.example").await;
    let security = format!("/sites/{site}/security");
    let page = open(&app, Method::GET, &security, Some(&admin), None).await;
    assert!(
        page.html.contains("id=\"admins-security-heading\""),
        "{}",
        page.html
    );
    let form = [
        ("csrf", admin_csrf.as_str()),
        ("fresh_sign_in_minutes", "15"),
        ("session_hours", ""),
    ];
    let saved = open(
        &app,
        Method::POST,
        &format!("{security}/admins"),
        Some(&admin),
        Some(&form),
    )
    .await;
    assert_eq!(location(&saved), format!("{security}?saved=1"));
    let page = open(&app, Method::GET, &security, Some(&admin), None).await;
    assert!(
        page.html
            .contains("<option value=\"15\" selected>15 minutes</option>"),
        "{}",
        page.html
    );
    assert_eq!(
        app.get(
            &format!("/v1/sites/{site}/security"),
            &app.token("admin@customer.example").await
        )
        .await
        .body["fresh_sign_in_minutes"],
        15
    );
}

#[tokio::test]
async fn a_technician_asks_for_access_in_the_console_and_the_sites_admin_decides_it_there() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tom@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;

    // The technician's own page: the form offers the partner's site; the request waits.
    let (tom, tom_csrf) = signed_in(&app, "tom@acme.example").await;
    let mine = open(&app, Method::GET, "/", Some(&tom), None).await;
    for expected in [
        "id=\"requests-heading\"",
        "action=\"/access-requests\"",
        &format!("<option value=\"{site}\">Head office — acme Installers</option>"),
        "<label for=\"request-reason\">",
    ] {
        assert!(mine.html.contains(expected), "{expected} in {}", mine.html);
    }
    let ask = |reason: &'static str| {
        let (app, tom, csrf, site) = (&app, tom.clone(), tom_csrf.clone(), site.clone());
        async move {
            let form = [
                ("csrf", csrf.as_str()),
                ("site_id", site.as_str()),
                ("level", "devices_only"),
                ("minutes", "120"),
                ("reason", reason),
            ];
            followed(app, "/access-requests", &tom, &form).await
        }
    };
    let asked = ask("INC-77 printer").await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    assert!(
        asked.html.contains("INC-77 printer") && asked.html.contains("Waiting"),
        "{}",
        asked.html
    );
    let again = ask("twice").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);

    // The site's admin finds it on the site's Access requests tab and approves it.
    let (admin, admin_csrf) = signed_in(&app, "admin@customer.example").await;
    let tab = format!("/sites/{site}/access-requests");
    let page = open(&app, Method::GET, &tab, Some(&admin), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let request = app
        .get(
            "/v1/me/access-requests",
            &app.token("tom@acme.example").await,
        )
        .await;
    let id = request.body["items"][0]["id"].as_str().unwrap().to_owned();
    for expected in [
        format!("action=\"/access-requests/{id}/approve\""),
        format!("action=\"/access-requests/{id}/deny\""),
        "aria-current=\"page\">Access requests</a>".to_owned(),
        "INC-77 printer".to_owned(),
        "id=\"rules-heading\"".to_owned(),
    ] {
        assert!(page.html.contains(&expected), "{expected} in {}", page.html);
    }
    // A denial says why.
    let unsaid = [("csrf", admin_csrf.as_str()), ("comment", " ")];
    let refused = open(
        &app,
        Method::POST,
        &format!("/access-requests/{id}/deny"),
        Some(&admin),
        Some(&unsaid),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let approve = [
        ("csrf", admin_csrf.as_str()),
        ("minutes", "60"),
        ("comment", "an hour"),
    ];
    let approved = followed(
        &app,
        &format!("/access-requests/{id}/approve"),
        &admin,
        &approve,
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.html);
    assert!(
        approved.html.contains("role=\"status\"") && approved.html.contains("In force"),
        "{}",
        approved.html
    );

    // The technician sees it in force, an hour long, and ends it.
    let mine = open(&app, Method::GET, "/", Some(&tom), None).await;
    assert!(
        mine.html.contains("In force") && mine.html.contains("Approved (Site Admin): an hour"),
        "{}",
        mine.html
    );
    let end = [("csrf", tom_csrf.as_str())];
    let ended = followed(&app, &format!("/access-requests/{id}/end"), &tom, &end).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.html);
    assert!(ended.html.contains("Ended"), "{}", ended.html);

    // The rules, set from the same tab.
    let rules = [
        ("csrf", admin_csrf.as_str()),
        ("max_minutes", "240"),
        ("super_admins_up_to", "devices_only"),
        ("automatic_up_to", "devices_only"),
        ("automatic_minutes", "60"),
        ("from_hour", "8"),
        ("until_hour", "18"),
        ("utc_offset_minutes", "60"),
    ];
    let saved = followed(
        &app,
        &format!("/sites/{site}/access-policy"),
        &admin,
        &rules,
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.html);
    let policy = app
        .get(
            &format!("/v1/sites/{site}/access-policy"),
            &app.token("admin@customer.example").await,
        )
        .await;
    assert_eq!(
        policy.body,
        json!({ "max_minutes": 240, "super_admins_up_to": "devices_only", "two_approvers": false,
                "automatic": { "up_to": "devices_only", "max_minutes": 60, "hours": null },
                "requests_only": false, "lock_unused_days": null, "review": null }),
    );
    assert!(
        saved
            .html
            .contains("<option value=\"240\" selected>4 hours</option>"),
        "{}",
        saved.html
    );
    // A technician reads the rules but the form is not theirs.
    let theirs = open(&app, Method::GET, &tab, Some(&tom), None).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.html);
}

/// Posts a form and, when it answers with a redirect, opens where it leads (as a browser
/// would); an error page is returned as it is.
async fn followed(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
    let posted = open(app, Method::POST, path, Some(cookie), Some(form)).await;
    if posted.status != StatusCode::SEE_OTHER {
        return posted;
    }
    let to = posted.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    open(app, Method::GET, &to, Some(cookie), None).await
}

#[tokio::test]
async fn a_sites_admin_reviews_its_technicians_in_the_console_and_downloads_the_result() {
    let app = TestApp::new().await;
    let (_, site, admin_token, techs) = super::technicians::site_with_technicians(&app, 2).await;
    super::technicians::set_locked(&app, &site, &admin_token, &techs, false).await;
    let (admin, csrf) = signed_in(&app, "admin@customer.example").await;
    let tab = format!("/sites/{site}/reviews");

    let page = open(&app, Method::GET, &tab, Some(&admin), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for expected in [
        "aria-current=\"page\">Access reviews</a>",
        &format!("action=\"/sites/{site}/reviews\""),
        "No review yet.",
        "id=\"schedule-heading\"",
    ] {
        assert!(page.html.contains(expected), "{expected} in {}", page.html);
    }

    let start = [
        ("csrf", csrf.as_str()),
        ("days", "7"),
        ("unconfirmed", "lock"),
    ];
    let started = followed(&app, &tab, &admin, &start).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.html);
    let review = app
        .get(&format!("/v1/sites/{site}/reviews"), &admin_token)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for expected in [
        format!("action=\"/reviews/{review}/verdicts\""),
        format!(
            "value=\"{}\" aria-label=\"Select Member (tech0@acme.example)\"",
            techs[0]
        ),
        "2 of 2 still to decide".to_owned(),
        "access nobody confirmed is locked".to_owned(),
    ] {
        assert!(
            started.html.contains(&expected),
            "{expected} in {}",
            started.html
        );
    }
    assert!(
        !started
            .html
            .contains(&format!("action=\"/sites/{site}/reviews\"")),
        "no second review while one is open"
    );

    let confirm = [
        ("csrf", csrf.as_str()),
        ("account", techs[0].as_str()),
        ("verdict", "confirm"),
    ];
    let decided = followed(
        &app,
        &format!("/reviews/{review}/verdicts"),
        &admin,
        &confirm,
    )
    .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.html);
    assert!(
        decided.html.contains("Confirmed (Site Admin)") && decided.html.contains("1 of 2 still"),
        "{}",
        decided.html
    );
    let nothing = [("csrf", csrf.as_str()), ("verdict", "remove")];
    let refused = open(
        &app,
        Method::POST,
        &format!("/reviews/{review}/verdicts"),
        Some(&admin),
        Some(&nothing),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );

    let csv = open(
        &app,
        Method::GET,
        &format!("/reviews/{review}/export.csv"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.html
            .contains("tech0@acme.example,full_excluding_users,false"),
        "{}",
        csv.html
    );

    let schedule = [
        ("csrf", csrf.as_str()),
        ("every_days", "90"),
        ("days", "14"),
        ("unconfirmed", "leave"),
    ];
    let saved = open(
        &app,
        Method::POST,
        &format!("/sites/{site}/review-schedule"),
        Some(&admin),
        Some(&schedule),
    )
    .await;
    assert_eq!(location(&saved), format!("{tab}?saved=1"));
    let policy = app
        .get(&format!("/v1/sites/{site}/access-policy"), &admin_token)
        .await;
    assert_eq!(policy.body["review"]["every_days"], 90, "{}", policy.body);
    assert_eq!(policy.body["review"]["unconfirmed"], "leave");
    let page = open(&app, Method::GET, &tab, Some(&admin), None).await;
    assert!(
        page.html
            .contains("<option value=\"90\" selected>90 days</option>")
            && page.html.contains("Next scheduled review: "),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn a_super_admin_approves_an_invitation_held_for_approval_in_the_console() {
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
    assert_eq!(installed.status, StatusCode::CREATED, "{}", installed.body);
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
    let held = held.body["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (owner, csrf) = signed_in(&app, "owner@acme.example").await;
    let list = format!("/sites/{site}/technicians");
    let page = open(&app, Method::GET, &list, Some(&owner), None).await;
    for expected in [
        format!("action=\"/invitations/{held}/approve\""),
        format!("action=\"/invitations/{held}/deny\""),
        "Awaiting approval".to_owned(),
        "Needs approval: the level full_including_users needs approval".to_owned(),
    ] {
        assert!(page.html.contains(&expected), "{expected} in {}", page.html);
    }
    // The partner's Admin sees it waiting, without the approver's buttons.
    let (admin, _) = signed_in(&app, "admin@acme.example").await;
    let theirs = open(&app, Method::GET, &list, Some(&admin), None).await;
    assert!(theirs.html.contains("Awaiting approval"), "{}", theirs.html);
    assert!(
        !theirs
            .html
            .contains(&format!("/invitations/{held}/approve"))
    );

    let approve = [("csrf", csrf.as_str()), ("reason", "")];
    let approved = followed(
        &app,
        &format!("/invitations/{held}/approve"),
        &owner,
        &approve,
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.html);
    assert!(
        !approved.html.contains("Awaiting approval"),
        "{}",
        approved.html
    );
    let now = app
        .get(&format!("/v1/invitations/{held}"), &acme.owner_token)
        .await;
    assert_eq!(now.body["status"], "pending", "{}", now.body);
}

#[tokio::test]
async fn a_technician_asks_for_a_device_role_on_a_group_with_the_level_in_the_console() {
    let app = TestApp::new().await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "tom@acme.example", "technician").await;
    let site = app.site(&acme, "admin@customer.example").await;
    let group = app
        .post(
            &format!("/v1/sites/{site}/device-groups"),
            &acme.owner_token,
            json!({ "name": "Tills" }),
        )
        .await
        .str("id");

    let (tom, csrf) = signed_in(&app, "tom@acme.example").await;
    let mine = open(&app, Method::GET, "/", Some(&tom), None).await;
    for expected in [
        "<label for=\"request-group\">".to_owned(),
        format!("<option value=\"{group}\">Head office › Tills</option>"),
        "<option value=\"full_device_access\">Full device access</option>".to_owned(),
    ] {
        assert!(mine.html.contains(&expected), "{expected} in {}", mine.html);
    }
    let form = [
        ("csrf", csrf.as_str()),
        ("site_id", site.as_str()),
        ("level", "devices_only"),
        ("minutes", "60"),
        ("reason", "INC-9 till 2"),
        ("group", group.as_str()),
        ("role", "full_device_access"),
    ];
    let asked = followed(&app, "/access-requests", &tom, &form).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    let mine = app
        .get(
            "/v1/me/access-requests",
            &app.token("tom@acme.example").await,
        )
        .await;
    let request = &mine.body["items"][0];
    assert_eq!(request["scope"]["kind"], "group", "{request}");
    assert_eq!(request["scope"]["id"], group.as_str());
    assert_eq!(request["role"], "full_device_access");
}
