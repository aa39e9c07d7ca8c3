//! SAML 2.0 single sign-on through the console's real routes, against a real identity
//! provider: pysaml2 from PyPI (signing with Debian's xmlsec1), run by [`SamlIdp`] on
//! loopback. The host serves on a socket, since the provider reads the service provider's
//! metadata from its entity ID. The hostile answers are the provider's own (unsigned, signed
//! by another key, for another audience) or made from a good one (replayed, expired by the
//! host's clock, wrapped around a forged assertion).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use siteward_core::identity::ProtocolForm;
use siteward_core::ids::{ConnectionId, CustomerId, PartnerId};

use super::console::{Page, open};
use super::sso::{caller, member_record, refusals, settings, start};
use super::{Partner, TestApp};

const CERT: &str = include_str!("../fixtures/saml/idp-cert.pem");
const EXPIRED_CERT: &str = include_str!("../fixtures/saml/expired-cert.pem");

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/saml")
}

/// pysaml2's identity provider (`tests/fixtures/saml/idp.py`) on loopback, with its people
/// (login → email, name, groups).
pub(crate) struct SamlIdp {
    child: Child,
    /// Its entity ID, which its responses name as their issuer.
    pub(crate) entity_id: String,
    /// Where it takes sign-in requests.
    pub(crate) sso_url: String,
}

impl Drop for SamlIdp {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl SamlIdp {
    pub(crate) fn start(people: Value) -> Self {
        let python = crate::python_with("pysaml2-7.5.5", &fixtures().join("requirements.txt"));
        let path = |name: &str| fixtures().join(name).to_str().unwrap().to_owned();
        let settings = json!({
            "people": people,
            "key": path("idp-key.pem"),
            "cert": path("idp-cert.pem"),
            "other_key": path("other-key.pem"),
            "other_cert": path("other-cert.pem"),
        });
        let mut child = Command::new(python)
            .arg(fixtures().join("idp.py"))
            .arg(settings.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python runs");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        let port = line
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("the SAML provider did not start: {line}"))
            .trim()
            .to_owned();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Self {
            child,
            entity_id: format!("http://127.0.0.1:{port}/metadata"),
            sso_url: format!("http://127.0.0.1:{port}/sso"),
        }
    }
}

/// The host on a socket (the provider reads its metadata), its clock at the real time (the
/// provider stamps its answers with it), a partner `acme` claiming `acme.example` through a
/// SAML connection to `idp`, and a partner `globex` claiming `globex.example` for its own.
async fn world(idp: &SamlIdp) -> (TestApp, Partner, Partner, ConnectionId) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::with_settings(settings(&base)).await;
    app.clock.set(chrono::Utc::now());
    crate::browser::serve_on(listener, &app);
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    let connection = saml_connection(&app, &acme, idp, "acme.example").await;
    saml_connection(&app, &globex, idp, "globex.example").await;
    (app, acme, globex, connection)
}

/// A SAML connection of the partner to `idp`, with `domain` claimed for it.
pub(crate) async fn saml_connection(
    app: &TestApp,
    partner: &Partner,
    idp: &SamlIdp,
    domain: &str,
) -> ConnectionId {
    saml_connection_for(app, (partner, None), idp, domain).await
}

/// A SAML connection of the partner's own (`customer` is `None`) or of one of its customers,
/// to `idp`, with `domain` claimed for it.
pub(crate) async fn saml_connection_for(
    app: &TestApp,
    (partner, customer): (&Partner, Option<&CustomerId>),
    idp: &SamlIdp,
    domain: &str,
) -> ConnectionId {
    let owner = caller(app, &partner.owner_token).await;
    let id = PartnerId::from_trusted(partner.id.clone());
    let protocol = ProtocolForm::Saml {
        sso_url: &idp.sso_url,
        certificate: CERT,
    };
    let connection = app
        .state
        .save_identity_connection(
            &owner,
            (&id, customer),
            None,
            ("Company SAML", &idp.entity_id, protocol),
            (false, false),
        )
        .await
        .unwrap();
    app.state
        .claim_domain(&owner, &id, &connection.id, domain)
        .await
        .unwrap();
    connection.id
}

/// What the provider's answer page posts to the host.
#[derive(Debug, Clone)]
struct Posted {
    acs: String,
    saml_response: String,
    relay_state: String,
}

/// The provider signs `login` in, answering the sign-in `sent` (in `mode`): the form its
/// page would post.
async fn provider_answer(sent: &super::sso::Sent, login: &str, mode: &str) -> Posted {
    let url = format!("{}&login={login}&mode={mode}", sent.url);
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200, "{url}");
    let html = page.text().await.unwrap();
    let attribute = |marker: &str| {
        let at = html
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker} in {html}"))
            + marker.len();
        html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&")
    };
    Posted {
        acs: attribute("action=\""),
        saml_response: attribute("name=\"SAMLResponse\" value=\""),
        relay_state: attribute("name=\"RelayState\" value=\""),
    }
}

/// The browser posting `posted` to the host's ACS with `cookie`.
async fn post(app: &TestApp, posted: &Posted, cookie: &str) -> Page {
    assert!(posted.acs.contains("/sso/saml/acs"), "{}", posted.acs);
    let form = [
        ("SAMLResponse", posted.saml_response.as_str()),
        ("RelayState", posted.relay_state.as_str()),
    ];
    open(
        app,
        Method::POST,
        "/sso/saml/acs",
        Some(cookie),
        Some(&form),
    )
    .await
}

/// The sign-in page's SSO form submitted with `email`, the host's clock set to the real time
/// first: the provider stamps its answer with the real time, and a host clock that stood still
/// while a long test ran would find the answer from the future.
async fn start_now(app: &TestApp, email: &str) -> super::sso::Sent {
    app.clock.set(chrono::Utc::now());
    start(app, email)
        .await
        .unwrap_or_else(|p| panic!("{}", p.html))
}

/// A whole sign-in from the sign-in page with `email`, the provider signing in `login`.
async fn sign_in(app: &TestApp, email: &str, login: &str, mode: &str) -> Page {
    let sent = start_now(app, email).await;
    let posted = provider_answer(&sent, login, mode).await;
    post(app, &posted, &sent.cookie).await
}

/// Whether an account has the address.
async fn has_account(app: &TestApp, email: &str) -> bool {
    let email = siteward_core::validate::Email::parse("email", email).unwrap();
    app.store.account_by_email(&email).await.unwrap().is_some()
}

fn people() -> Value {
    json!({
        "ana": { "email": "ana@acme.example", "name": "Ana Field", "groups": ["field-admins"] },
        "ben": { "email": "ben@acme.example", "name": "Ben Field" },
        "gus": { "email": "gus@globex.example", "name": "Gus Globex" },
        "eve": { "email": "eve@elsewhere.example", "name": "Eve Elsewhere" },
    })
}

#[tokio::test]
async fn members_sign_in_through_a_saml_provider_with_either_signature_and_groups_apply() {
    let idp = SamlIdp::start(people());
    let (app, acme, _globex, connection) = world(&idp).await;
    app.member(&acme, "ana@acme.example", "technician").await;
    app.member(&acme, "ben@acme.example", "technician").await;
    let owner = caller(&app, &acme.owner_token).await;
    let partner = PartnerId::from_trusted(acme.id.clone());
    app.state
        .add_group_rule(&owner, &partner, &connection, "field-admins", "role:admin")
        .await
        .unwrap();

    // The metadata the provider read: this connection's entity ID and ACS URL.
    let metadata = open(
        &app,
        Method::GET,
        &format!("/sso/saml/{connection}/metadata"),
        None,
        None,
    )
    .await;
    assert_eq!(metadata.status, StatusCode::OK);
    let urls = app.state.saml_urls(&connection);
    assert!(
        metadata
            .html
            .contains(&format!("entityID=\"{}\"", urls.entity_id)),
        "{}",
        metadata.html
    );
    assert!(metadata.html.contains(&urls.acs_url), "{}", metadata.html);

    // Entra ID's way (the assertion signed) and Okta's (the response signed).
    for (login, mode) in [("ana", ""), ("ben", "signed-response")] {
        let signed_in = sign_in(&app, &format!("{login}@acme.example"), login, mode).await;
        assert_eq!(
            signed_in.status,
            StatusCode::SEE_OTHER,
            "{mode}: {}",
            signed_in.html
        );
        assert_eq!(signed_in.headers["location"], "/");
        assert!(signed_in.set_cookie("siteward_session").is_some());
    }
    // Ana's group made her an Admin at her sign-in, audited as the connection's doing.
    let ana = member_record(&app, &acme, "ana@acme.example").await;
    assert_eq!(ana["role"], "admin", "{ana}");
    let updated = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=member.updated&limit=10",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    assert!(
        updated.body.to_string().contains(connection.as_str()),
        "{}",
        updated.body
    );
    assert!(refusals(&app, &acme).await.is_empty());
}

#[tokio::test]
async fn every_hostile_saml_answer_is_refused_audited_and_creates_nothing() {
    let idp = SamlIdp::start(people());
    let (app, acme, _globex, _connection) = world(&idp).await;
    app.member(&acme, "ana@acme.example", "technician").await;

    let refused = |page: &Page, code: &str| {
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "{code}: {}",
            page.html
        );
        assert!(page.set_cookie("siteward_session").is_none(), "{code}");
    };
    // Unsigned, signed by a key the connection does not name, for another application, meant
    // for another URL (a response captured on its way elsewhere), from an issuer the
    // connection does not name (another provider that has the same key): each as the provider
    // itself makes it.
    for (mode, says) in [
        ("unsigned", "not signed by the identity provider"),
        ("other-key", "not signed by the identity provider"),
        ("wrong-audience", "addressed to another application"),
        ("wrong-recipient", "addressed to another URL"),
        ("other-issuer", "correct the entity ID"),
    ] {
        let page = sign_in(&app, "ana@acme.example", "ana", mode).await;
        refused(&page, mode);
        assert!(page.html.contains(says), "{mode}: {}", page.html);
    }

    // A good answer, posted twice: the sign-in it answers is over.
    let sent = start_now(&app, "ana@acme.example").await;
    let captured = provider_answer(&sent, "ana", "").await;
    assert_eq!(
        post(&app, &captured, &sent.cookie).await.status,
        StatusCode::SEE_OTHER
    );
    refused(&post(&app, &captured, &sent.cookie).await, "posted twice");
    // … and replayed into a sign-in of the attacker's own: it answers another request.
    let theirs = start_now(&app, "ana@acme.example").await;
    let their_state = provider_answer(&theirs, "ben", "").await.relay_state;
    let replayed = Posted {
        relay_state: their_state,
        ..captured.clone()
    };
    let page = post(&app, &replayed, &theirs.cookie).await;
    refused(&page, "replayed");
    assert!(
        page.html.contains("belongs to another sign-in"),
        "{}",
        page.html
    );

    // Expired by the host's clock (the provider gives five minutes).
    let sent = start_now(&app, "ana@acme.example").await;
    let late = provider_answer(&sent, "ana", "").await;
    app.clock.advance(chrono::Duration::minutes(7));
    let page = post(&app, &late, &sent.cookie).await;
    refused(&page, "expired");
    assert!(page.html.contains("has expired"), "{}", page.html);

    // Signature wrapping: the signed assertion moved into the forged one's place holder,
    // a forged assertion for another person where the signed one was.
    let sent = start_now(&app, "ana@acme.example").await;
    let good = provider_answer(&sent, "ana", "").await;
    let xml = String::from_utf8(
        data_encoding::BASE64
            .decode(good.saml_response.as_bytes())
            .unwrap(),
    )
    .unwrap();
    let open_at = xml
        .find("<saml:Assertion")
        .or_else(|| xml.find("<ns1:Assertion"))
        .unwrap_or_else(|| panic!("{xml}"));
    let close = xml.rfind("Assertion>").unwrap() + "Assertion>".len();
    let signed = &xml[open_at..close];
    let forged = signed
        .replace("ana@acme.example", "boss@acme.example")
        .replacen(" ID=\"", " ID=\"forged", 1);
    let forged = match forged.find("<ds:Signature") {
        Some(at) => {
            let end = forged.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
            format!("{}{}", &forged[..at], &forged[end..])
        }
        None => forged,
    };
    let wrapped = format!(
        "{}{forged}<samlp:Extensions>{signed}</samlp:Extensions>{}",
        &xml[..open_at],
        &xml[close..]
    );
    let wrapped = Posted {
        saml_response: data_encoding::BASE64.encode(wrapped.as_bytes()),
        ..good
    };
    let page = post(&app, &wrapped, &sent.cookie).await;
    refused(&page, "wrapped");
    assert!(page.html.contains("signature-wrapping"), "{}", page.html);

    // An address in a domain another tenant claimed, and in one nobody claimed: the
    // provider vouches for its own company's addresses only.
    for (login, email) in [
        ("gus", "gus@globex.example"),
        ("eve", "eve@elsewhere.example"),
    ] {
        let sent = start_now(&app, "ana@acme.example").await;
        let page = post(&app, &provider_answer(&sent, login, "").await, &sent.cookie).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{email}: {}", page.html);
        assert!(
            page.html
                .contains("not in a domain this sign-in is set up for"),
            "{}",
            page.html
        );
    }

    for email in [
        "boss@acme.example",
        "ben@acme.example",
        "gus@globex.example",
        "eve@elsewhere.example",
    ] {
        assert!(!has_account(&app, email).await, "{email} was created");
    }
    assert_eq!(
        refusals(&app, &acme).await,
        [
            "sso_bad_signature",
            "sso_bad_signature",
            "sso_domain_not_claimed",
            "sso_domain_not_claimed",
            "sso_replayed",
            "sso_saml_wrapped",
            "sso_token_expired",
            "sso_wrong_audience",
            "sso_wrong_issuer",
            "sso_wrong_recipient",
        ]
    );
}

#[tokio::test]
async fn saml_setup_names_the_usual_mistakes_and_serves_no_metadata_for_other_connections() {
    let idp = SamlIdp::start(people());
    let (app, acme, _globex, connection) = world(&idp).await;
    let owner = caller(&app, &acme.owner_token).await;
    let partner = PartnerId::from_trusted(acme.id.clone());
    let save = |issuer: &'static str, sso_url: &'static str, certificate: &'static str| {
        let (app, owner, partner) = (&app, &owner, &partner);
        async move {
            let protocol = ProtocolForm::Saml {
                sso_url,
                certificate,
            };
            app.state
                .save_identity_connection(
                    owner,
                    (partner, None),
                    None,
                    ("SAML", issuer, protocol),
                    (false, false),
                )
                .await
                .unwrap_err()
        }
    };
    let expired = save(
        "https://sts.windows.net/tenant/",
        "https://login.example/saml2",
        EXPIRED_CERT,
    )
    .await;
    assert_eq!(expired.code, "invalid_field", "{expired:?}");
    assert!(
        expired.message.contains("expired on 2021-01-01"),
        "{}",
        expired.message
    );
    let garbage = save(
        "https://sts.windows.net/tenant/",
        "https://login.example/saml2",
        "not a certificate",
    )
    .await;
    assert!(
        garbage.message.contains("signing certificate"),
        "{}",
        garbage.message
    );
    let spaced = save("my idp", "https://login.example/saml2", CERT).await;
    assert!(spaced.message.contains("entity ID"), "{}", spaced.message);
    let plain = save(
        "http://www.okta.com/exk1",
        "http://login.example/saml2",
        CERT,
    )
    .await;
    assert!(plain.message.contains("https://"), "{}", plain.message);
    let missing = save(
        "http://www.okta.com/exk1",
        "https://login.example/saml2",
        "",
    )
    .await;
    assert!(
        missing.message.contains("certificate"),
        "{}",
        missing.message
    );

    // A SAML connection keeps its certificate when the form leaves it empty, and its
    // protocol: it cannot become an OpenID Connect one.
    let kept = app
        .state
        .save_identity_connection(
            &owner,
            (&partner, None),
            Some(&connection),
            (
                "Renamed",
                &idp.entity_id,
                ProtocolForm::Saml {
                    sso_url: &idp.sso_url,
                    certificate: "",
                },
            ),
            (false, false),
        )
        .await
        .unwrap();
    assert!(
        matches!(&kept.protocol, siteward_core::identity::Protocol::Saml { certificates, .. } if certificates.len() == 1)
    );
    let switched = app
        .state
        .save_identity_connection(
            &owner,
            (&partner, None),
            Some(&connection),
            (
                "Renamed",
                "https://idp.example",
                ProtocolForm::Oidc {
                    client_id: "x",
                    client_secret: "y",
                },
            ),
            (false, false),
        )
        .await
        .unwrap_err();
    assert_eq!(switched.code, "protocol_fixed");

    // Metadata is served for SAML connections only.
    let oidc = crate::sso::connection_of(&app, &acme, "oidc.example").await;
    for missing in [oidc.to_string(), "nope".to_owned()] {
        let page = open(
            &app,
            Method::GET,
            &format!("/sso/saml/{missing}/metadata"),
            None,
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

/// A customer of `acme` with two sites, `Head office` (first admin `hq_admin`, a new account)
/// and `Depot` (first admin `depot_admin`): the customer's id and the sites' ids.
pub(crate) async fn customer_with_sites(
    app: &TestApp,
    acme: &Partner,
    (hq_admin, depot_admin): (&str, &str),
) -> (CustomerId, String, String) {
    let customer = app
        .post(
            &format!("/v1/partners/{}/customers", acme.id),
            &acme.owner_token,
            json!({ "name": "Initech" }),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.body);
    let customer_id = customer.str("id");
    let mut sites = Vec::new();
    for (name, admin) in [("Head office", hq_admin), ("Depot", depot_admin)] {
        let site = app
            .post(
                &format!("/v1/partners/{}/sites", acme.id),
                &acme.owner_token,
                json!({
                    "customer_id": customer_id,
                    "name": name,
                    "admin": { "email": admin, "name": "Site Admin", "password": crate::PASSWORD },
                }),
            )
            .await;
        assert_eq!(site.status, StatusCode::CREATED, "{}", site.body);
        sites.push(site.str("id"));
    }
    let depot = sites.pop().unwrap();
    let hq = sites.pop().unwrap();
    (CustomerId::from_trusted(customer_id), hq, depot)
}

/// The admins of a site, by email.
async fn site_admins(app: &TestApp, acme: &Partner, site: &str) -> Vec<String> {
    let admins = app
        .get(&format!("/v1/sites/{site}/admins"), &acme.owner_token)
        .await;
    assert_eq!(admins.status, StatusCode::OK, "{}", admins.body);
    let mut emails: Vec<String> = admins.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    emails
}

#[tokio::test]
async fn a_customers_site_admins_sign_in_through_its_provider_and_its_groups_say_which_sites() {
    let idp = SamlIdp::start(json!({
        "ian": { "email": "ian@initech.example", "name": "Ian IT", "groups": ["it-depot"] },
        "nia": { "email": "nia@initech.example", "name": "Nia New", "groups": ["it-hq"] },
        "zed": { "email": "zed@initech.example", "name": "Zed Nobody" },
    }));
    let (app, acme, globex, own) = world(&idp).await;
    let (customer, hq, depot) =
        customer_with_sites(&app, &acme, ("ian@initech.example", "dora@initech.example")).await;
    let connection =
        saml_connection_for(&app, (&acme, Some(&customer)), &idp, "initech.example").await;
    let owner = caller(&app, &acme.owner_token).await;
    let partner = PartnerId::from_trusted(acme.id.clone());
    for (group, site) in [("it-hq", &hq), ("it-depot", &depot)] {
        let grant = format!("site_admin:{site}");
        app.state
            .add_group_rule(&owner, &partner, &connection, group, &grant)
            .await
            .unwrap();
    }
    // A customer's connection gives sites of that customer only, and the partner's own
    // connections no sites.
    let other_site = app.site(&acme, "other@elsewhere.example").await;
    for (on, grant) in [
        (&connection, "role:admin".to_owned()),
        (&connection, format!("site_admin:{other_site}")),
        (&own, format!("site_admin:{hq}")),
    ] {
        let refused = app
            .state
            .add_group_rule(&owner, &partner, on, "g", &grant)
            .await
            .unwrap_err();
        assert_eq!(refused.code, "invalid_field", "{grant}");
    }
    // The partner's page lists its own connection only; the customer's lists the customer's.
    let own_setup = app
        .state
        .identity_setup(&owner, &partner, None)
        .await
        .unwrap();
    assert_eq!(own_setup.connections.len(), 1);
    assert_eq!(own_setup.connections[0].connection.id, own);
    let theirs = app
        .state
        .identity_setup(&owner, &partner, Some(&customer))
        .await
        .unwrap();
    assert_eq!(theirs.connections[0].connection.id, connection);
    assert_eq!(theirs.customer.as_ref().unwrap().1.len(), 2);
    // Another partner's admins do not find the customer.
    let outsider = caller(&app, &globex.owner_token).await;
    let hidden = app
        .state
        .identity_setup(&outsider, &partner, Some(&customer))
        .await
        .unwrap_err();
    assert_eq!(hidden.kind, siteward_app::Kind::NotFound);

    // Ian administers the head office; his groups now say the depot.
    let signed_in = sign_in(&app, "ian@initech.example", "ian", "").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    assert_eq!(site_admins(&app, &acme, &hq).await, Vec::<String>::new());
    assert_eq!(
        site_admins(&app, &acme, &depot).await,
        ["dora@initech.example", "ian@initech.example"]
    );
    // Nobody is made an admin just in time while the connection does not allow it; with it,
    // those whose groups give a site are, and those whose groups give none are not.
    let page = sign_in(&app, "nia@initech.example", "nia", "").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(
        page.html.contains("administer none of this"),
        "{}",
        page.html
    );
    app.state
        .save_identity_connection(
            &owner,
            (&partner, None),
            Some(&connection),
            (
                "Initech SAML",
                &idp.entity_id,
                ProtocolForm::Saml {
                    sso_url: &idp.sso_url,
                    certificate: "",
                },
            ),
            (true, false),
        )
        .await
        .unwrap();
    let page = sign_in(&app, "nia@initech.example", "nia", "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(site_admins(&app, &acme, &hq).await, ["nia@initech.example"]);
    let page = sign_in(&app, "zed@initech.example", "zed", "").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.html);
    assert!(!has_account(&app, "zed@initech.example").await);
    // Each change is on the partner's trail, naming the connection; so are the refusals.
    let trail = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=site_admin.added&limit=100",
                acme.id
            ),
            &acme.owner_token,
        )
        .await;
    let by_connection = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.to_string().contains(connection.as_str()))
        .count();
    assert_eq!(by_connection, 2, "{}", trail.body);
    assert_eq!(
        refusals(&app, &acme).await,
        ["sso_not_a_site_admin", "sso_not_a_site_admin"]
    );
}
