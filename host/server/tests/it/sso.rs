//! Single sign-on with OpenID Connect, through the console's real routes. The well-behaved
//! provider is panva's `oidc-provider` (OpenID Certified) from npm, run by [`RealIdp`] on
//! loopback (the browser test signs in through it). The hostile cases need a provider that
//! misbehaves on purpose: [`TestIdp`] is one on a real socket, publishing one key and
//! answering the token endpoint with whatever ID token a case mints — signed by another key,
//! unsigned, for another audience, expired, from the future, for another sign-in.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use siteward_app::auth::Caller;
use siteward_core::identity::ProtocolForm;
use siteward_core::ids::{ConnectionId, PartnerId};
use siteward_server::Settings;
use siteward_server::config::IdentityConfig;
use siteward_server::sso::HttpTransport;

use super::console::{Page, cookie_value, location, open, signed_in};
use super::{OPERATOR_EMAIL, PASSWORD, Partner, TestApp};

const KEY: &[u8] = include_bytes!("../fixtures/idp-key.pem");
const OTHER_KEY: &[u8] = include_bytes!("../fixtures/idp-other-key.pem");
const CLIENT_ID: &str = "siteward-test";
const CLIENT_SECRET: &str = "a client secret of the test provider";

/// Settings whose transport reaches providers on loopback, with this public URL.
pub(crate) fn settings(public_url: &str) -> Settings {
    let transport = HttpTransport::from_config(&IdentityConfig {
        allow_networks: vec!["127.0.0.0/8".to_owned()],
        timeout_seconds: 10,
    })
    .unwrap();
    Settings {
        public_url: public_url.to_owned(),
        identity: Arc::new(transport),
        ..Settings::defaults()
    }
}

/// The session caller behind a bearer token.
pub(crate) async fn caller(app: &TestApp, token: &str) -> Caller {
    app.state
        .resolve(token, None, app.state.api_tokens())
        .await
        .unwrap()
}

/// A connection of the partner to the provider at `issuer`, with `domain` claimed for it.
pub(crate) async fn connection_at(
    app: &TestApp,
    partner: &Partner,
    issuer: &str,
    domain: &str,
    (just_in_time, require_sso): (bool, bool),
) -> ConnectionId {
    let owner = caller(app, &partner.owner_token).await;
    let id = PartnerId::from_trusted(partner.id.clone());
    let connection = app
        .state
        .save_identity_connection(
            &owner,
            (&id, None),
            None,
            (
                "Company sign-in",
                issuer,
                ProtocolForm::Oidc {
                    client_id: CLIENT_ID,
                    client_secret: CLIENT_SECRET,
                },
            ),
            (just_in_time, require_sso),
        )
        .await
        .unwrap();
    app.state
        .claim_domain(&owner, &id, &connection.id, domain)
        .await
        .unwrap();
    connection.id
}

/// A connection to a provider that is never reached, for tests of the setup alone.
pub(crate) async fn connection_of(app: &TestApp, partner: &Partner, domain: &str) -> ConnectionId {
    let issuer = "https://idp.example";
    connection_at(app, partner, issuer, domain, (false, false)).await
}

/// A request to the token endpoint: its form and its `Authorization` header.
type TokenRequest = (HashMap<String, String>, String);

/// A group rule of the connection (its admins group gives Admin), for tests of the setup.
pub(crate) async fn group_rule_of(
    app: &TestApp,
    partner: &Partner,
    connection: &ConnectionId,
) -> siteward_core::ids::GroupRuleId {
    let owner = caller(app, &partner.owner_token).await;
    let id = PartnerId::from_trusted(partner.id.clone());
    app.state
        .add_group_rule(&owner, &id, connection, "admins", "role:admin")
        .await
        .unwrap()
        .id
}

/// A provider on a socket that answers with whatever ID token the test mints.
struct TestIdp {
    issuer: String,
    /// The ID token the token endpoint answers with next.
    next: Arc<Mutex<Option<String>>>,
    /// The forms and `Authorization` headers the token endpoint received.
    received: Arc<Mutex<Vec<TokenRequest>>>,
}

impl TestIdp {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let next = Arc::new(Mutex::new(None::<String>));
        let received = Arc::new(Mutex::new(Vec::new()));
        let mut jwk =
            Jwk::from_encoding_key(&EncodingKey::from_ec_pem(KEY).unwrap(), Algorithm::ES256)
                .unwrap();
        jwk.common.key_id = Some("published".to_owned());
        let keys = serde_json::to_value(JwkSet { keys: vec![jwk] }).unwrap();
        let discovery = json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
        });
        let router = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(move || async move { axum::Json(discovery) }),
            )
            .route(
                "/jwks",
                axum::routing::get(move || async move { axum::Json(keys) }),
            )
            .route(
                "/token",
                axum::routing::post({
                    let next = next.clone();
                    let received = received.clone();
                    move |headers: axum::http::HeaderMap,
                          axum::Form(form): axum::Form<HashMap<String, String>>| async move {
                        let authorization = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        received.lock().unwrap().push((form, authorization));
                        match next.lock().unwrap().take() {
                            Some(token) => (
                                StatusCode::OK,
                                axum::Json(json!({ "id_token": token, "token_type": "Bearer" })),
                            ),
                            None => (
                                StatusCode::BAD_REQUEST,
                                axum::Json(json!({ "error": "invalid_grant" })),
                            ),
                        }
                    }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            issuer,
            next,
            received,
        }
    }
}

/// How a minted token is signed.
#[derive(Clone, Copy)]
enum Signer {
    /// By the key the provider publishes.
    Published,
    /// By a key the provider does not publish, under the published key's id.
    Other,
    /// With a shared secret (HS256), as a forger who read the client secret would.
    Shared,
}

fn mint(claims: &Value, signer: Signer) -> String {
    match signer {
        Signer::Shared => jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(CLIENT_SECRET.as_bytes()),
        )
        .unwrap(),
        Signer::Published | Signer::Other => {
            let pem = if matches!(signer, Signer::Published) {
                KEY
            } else {
                OTHER_KEY
            };
            let header = Header {
                kid: Some("published".to_owned()),
                ..Header::new(Algorithm::ES256)
            };
            jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_pem(pem).unwrap()).unwrap()
        }
    }
}

/// What the browser took to the provider.
pub(crate) struct Sent {
    /// The provider's URL, with its parameters.
    pub(crate) url: String,
    /// The URL's parameters.
    pub(crate) query: HashMap<String, String>,
    /// The `Cookie` header the callback carries (CSRF and the sign-in's state).
    pub(crate) cookie: String,
}

/// The sign-in page's SSO form, submitted with `email`: where it sends the browser.
pub(crate) async fn start(app: &TestApp, email: &str) -> Result<Sent, Page> {
    let form_page = open(app, Method::GET, "/sign-in/sso", None, None).await;
    assert_eq!(form_page.status, StatusCode::OK, "{}", form_page.html);
    let csrf = form_page.input("csrf");
    let cookie = format!("siteward_csrf={csrf}");
    let form = [("csrf", csrf.as_str()), ("email", email)];
    let sent = open(
        app,
        Method::POST,
        "/sign-in/sso",
        Some(&cookie),
        Some(&form),
    )
    .await;
    if sent.status != StatusCode::OK {
        return Err(sent);
    }
    let url = provider_url(&sent);
    let state = sent
        .set_cookie("siteward_sso")
        .expect("the state rides in a cookie");
    assert!(
        state.contains("HttpOnly") && state.contains("Path=/sso"),
        "{state}"
    );
    let query = form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
        .into_owned()
        .collect();
    Ok(Sent {
        url,
        query,
        cookie: format!("{cookie}; siteward_sso={}", cookie_value(&state)),
    })
}

/// Where a page sends the browser on to the provider (its refresh and its link).
fn provider_url(page: &Page) -> String {
    let marker = "id=\"provider\" href=\"";
    let at = page
        .html
        .find(marker)
        .unwrap_or_else(|| panic!("no way on to the provider: {}", page.html))
        + marker.len();
    let escaped = &page.html[at..at + page.html[at..].find('"').unwrap()];
    let refresh = format!("http-equiv=\"refresh\" content=\"0;url={escaped}\"");
    assert!(page.html.contains(&refresh), "{}", page.html);
    escaped.replace("&#38;", "&")
}

/// The provider's answer arriving at the callback, with `cookie`.
async fn answer(app: &TestApp, state: &str, code: &str, cookie: Option<&str>) -> Page {
    let path = format!("/sso/callback?state={state}&code={code}");
    open(app, Method::GET, &path, cookie, None).await
}

/// Claims of a good ID token for `email`, for the sign-in `sent`, at the host's time.
fn claims(app: &TestApp, issuer: &str, sent: &Sent, email: &str) -> Value {
    let now = app.clock.now_time().timestamp();
    json!({
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": format!("sub-{email}"),
        "iat": now,
        "exp": now + 300,
        "nonce": sent.query["nonce"],
        "email": email,
        "email_verified": true,
        "name": "Ana Field",
    })
}

/// The partner's member with this address, as the API lists it.
pub(crate) async fn member_record(app: &TestApp, partner: &Partner, email: &str) -> Value {
    let members = app
        .get(
            &format!("/v1/partners/{}/members?limit=100", partner.id),
            &partner.owner_token,
        )
        .await;
    members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == email)
        .unwrap_or_else(|| panic!("no {email} in {}", members.body))
        .clone()
}

/// The reasons of the partner's refused single sign-ons, in order of their codes.
pub(crate) async fn refusals(app: &TestApp, partner: &Partner) -> Vec<String> {
    let events = app
        .get(
            &format!(
                "/v1/partners/{}/audit-events?action=auth.sso_refused&limit=100",
                partner.id
            ),
            &partner.owner_token,
        )
        .await;
    assert_eq!(events.status, StatusCode::OK, "{}", events.body);
    let mut reasons: Vec<String> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            event["changes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["field"] == "reason")
                .map(|c| c["after"].as_str().unwrap().to_owned())
                .unwrap()
        })
        .collect();
    reasons.sort();
    reasons
}

#[tokio::test]
async fn a_member_signs_in_through_the_partners_provider_with_pkce_state_and_nonce() {
    let idp = TestIdp::start().await;
    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "ana@acme.example", "technician").await;
    connection_at(&app, &acme, &idp.issuer, "acme.example", (false, false)).await;

    let sent = start(&app, "Ana@Acme.example")
        .await
        .unwrap_or_else(|p| panic!("{}", p.html));
    assert_eq!(sent.query["response_type"], "code");
    assert_eq!(sent.query["client_id"], CLIENT_ID);
    assert_eq!(
        sent.query["redirect_uri"],
        "http://siteward.test/sso/callback"
    );
    assert_eq!(sent.query["code_challenge_method"], "S256");
    assert_eq!(sent.query["login_hint"], "ana@acme.example");
    assert!(sent.query["scope"].split(' ').any(|s| s == "openid"));

    *idp.next.lock().unwrap() = Some(mint(
        &claims(&app, &idp.issuer, &sent, "ana@acme.example"),
        Signer::Published,
    ));
    let done = answer(&app, &sent.query["state"], "the-code", Some(&sent.cookie)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(location(&done), "/");
    let session = done.set_cookie("siteward_session").expect("signed in");
    let ended = done.set_cookie("siteward_sso").unwrap();
    assert!(ended.contains("Max-Age=0"), "{ended}");

    // The code was exchanged with the client's credentials and the PKCE verifier whose
    // challenge went to the provider.
    let (form, authorization) = idp.received.lock().unwrap()[0].clone();
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "the-code");
    assert_eq!(form["redirect_uri"], "http://siteward.test/sso/callback");
    assert_eq!(
        siteward_core::identity::pkce_challenge(&form["code_verifier"]),
        sent.query["code_challenge"]
    );
    let basic = data_encoding::BASE64.encode(
        format!(
            "{CLIENT_ID}:{}",
            form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes()).collect::<String>()
        )
        .as_bytes(),
    );
    assert_eq!(authorization, format!("Basic {basic}"));

    let cookie = format!("siteward_session={}", cookie_value(&session));
    let mine = open(&app, Method::GET, "/", Some(&cookie), None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.html);
    assert!(mine.html.contains("acme Installers"), "{}", mine.html);

    // The same answer a second time (a replayed callback URL) signs nobody in.
    let again = answer(&app, &sent.query["state"], "the-code", Some(&sent.cookie)).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.html);
    assert!(
        again.html.contains("took too long, was used already"),
        "{}",
        again.html
    );
    assert!(again.set_cookie("siteward_session").is_none());

    // An answer brought to another browser (a link planted by someone else: login CSRF)
    // signs nobody in, and uses up nothing.
    let planted = start(&app, "ana@acme.example")
        .await
        .unwrap_or_else(|p| panic!("{}", p.html));
    let elsewhere = answer(&app, &planted.query["state"], "the-code", None).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        elsewhere.html
    );
    assert!(elsewhere.set_cookie("siteward_session").is_none());

    // The sign-in shows where it came from on the account's audit trail.
    let logins = app
        .get(
            "/v1/audit-events?action=auth.login&limit=100",
            &app.operator().await,
        )
        .await;
    assert!(
        logins.body.to_string().contains("connection"),
        "{}",
        logins.body
    );
}

#[tokio::test]
async fn every_answer_that_fails_a_check_is_refused_audited_and_creates_nothing() {
    let idp = TestIdp::start().await;
    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    app.member(&acme, "ana@acme.example", "technician").await;
    app.member(&globex, "boss@globex.example", "super_admin")
        .await;
    connection_at(&app, &acme, &idp.issuer, "acme.example", (false, false)).await;
    connection_at(
        &app,
        &globex,
        "https://idp.globex.example",
        "globex.example",
        (false, false),
    )
    .await;

    type Tamper = fn(&mut Value, &TestApp);
    let cases: [(&str, Signer, Tamper, &str); 10] = [
        (
            "sso_bad_signature",
            Signer::Other,
            |_, _| {},
            "not signed by a key",
        ),
        (
            "sso_unsigned",
            Signer::Shared,
            |_, _| {},
            "proves nothing here",
        ),
        (
            "sso_wrong_audience",
            Signer::Published,
            |c, _| c["aud"] = json!("another-application"),
            "addressed to another application",
        ),
        (
            "sso_wrong_issuer",
            Signer::Published,
            |c, _| c["iss"] = json!("https://evil.example"),
            "another issuer",
        ),
        (
            "sso_token_expired",
            Signer::Published,
            |c, app| c["exp"] = json!(app.clock.now_time().timestamp() - 3600),
            "has expired",
        ),
        (
            "sso_clock_skew",
            Signer::Published,
            |c, app| c["iat"] = json!(app.clock.now_time().timestamp() + 3600),
            "clock is wrong",
        ),
        (
            "sso_replayed",
            Signer::Published,
            |c, _| c["nonce"] = json!("the nonce of another sign-in"),
            "replayed",
        ),
        (
            "sso_email_unverified",
            Signer::Published,
            |c, _| c["email_verified"] = json!(false),
            "verified",
        ),
        (
            // The provider vouches for an address in a domain another tenant holds.
            "sso_domain_not_claimed",
            Signer::Published,
            |c, _| c["email"] = json!("boss@globex.example"),
            "not in a domain this sign-in is set up for",
        ),
        (
            // Verified and in the domain, but nobody there, and no just-in-time accounts.
            "sso_not_a_member",
            Signer::Published,
            |c, _| c["email"] = json!("newcomer@acme.example"),
            "not a member of this team",
        ),
    ];
    let newcomer = siteward_core::validate::Email::parse("e", "newcomer@acme.example").unwrap();
    assert!(
        app.store
            .account_by_email(&newcomer)
            .await
            .unwrap()
            .is_none()
    );
    for (code, signer, tamper, says) in cases {
        let sent = start(&app, "ana@acme.example")
            .await
            .unwrap_or_else(|p| panic!("{}", p.html));
        let mut token = claims(&app, &idp.issuer, &sent, "ana@acme.example");
        tamper(&mut token, &app);
        *idp.next.lock().unwrap() = Some(mint(&token, signer));
        let page = answer(&app, &sent.query["state"], "a-code", Some(&sent.cookie)).await;
        assert!(
            page.status.is_client_error(),
            "{code}: {} {}",
            page.status,
            page.html
        );
        assert!(page.html.contains(says), "{code}: {}", page.html);
        assert!(page.set_cookie("siteward_session").is_none(), "{code}");
    }
    let mut expected: Vec<&str> = cases.iter().map(|(code, ..)| *code).collect();
    expected.sort_unstable();
    assert_eq!(refusals(&app, &acme).await, expected);
    assert!(
        app.store
            .account_by_email(&newcomer)
            .await
            .unwrap()
            .is_none(),
        "nothing was created"
    );
    assert!(
        refusals(&app, &globex).await.is_empty(),
        "globex's trail is its own"
    );

    // The provider refusing the code, or sending the person back with an error.
    let sent = start(&app, "ana@acme.example")
        .await
        .unwrap_or_else(|p| panic!("{}", p.html));
    let refused = answer(&app, &sent.query["state"], "a-code", Some(&sent.cookie)).await;
    assert!(
        refused.html.contains("refused the sign-in"),
        "{}",
        refused.html
    );
    let sent = start(&app, "ana@acme.example")
        .await
        .unwrap_or_else(|p| panic!("{}", p.html));
    let path = format!(
        "/sso/callback?state={}&error=access_denied&error_description=User+cancelled",
        sent.query["state"]
    );
    let cancelled = open(&app, Method::GET, &path, Some(&sent.cookie), None).await;
    assert_eq!(
        cancelled.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        cancelled.html
    );
    assert!(
        cancelled.html.contains("User cancelled"),
        "{}",
        cancelled.html
    );

    // A domain nobody claimed has no single sign-on; a claimed one cannot be claimed twice.
    let nowhere = start(&app, "someone@nowhere.example").await.err().unwrap();
    assert_eq!(
        nowhere.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nowhere.html
    );
    assert!(
        nowhere.html.contains("no single sign-on set up"),
        "{}",
        nowhere.html
    );
    let owner = caller(&app, &globex.owner_token).await;
    let globex_id = PartnerId::from_trusted(globex.id.clone());
    let theirs = app
        .state
        .identity_setup(&owner, &globex_id, None)
        .await
        .unwrap();
    let taken = app
        .state
        .claim_domain(
            &owner,
            &globex_id,
            &theirs.connections[0].connection.id,
            "acme.example",
        )
        .await
        .unwrap_err();
    assert_eq!(taken.code, "domain_claimed");
}

#[tokio::test]
async fn just_in_time_members_join_as_technicians_and_required_sso_stops_passwords() {
    let idp = TestIdp::start().await;
    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    app.member(&acme, "ana@acme.example", "technician").await;
    connection_at(&app, &acme, &idp.issuer, "acme.example", (true, true)).await;

    let sent = start(&app, "newcomer@acme.example")
        .await
        .unwrap_or_else(|p| panic!("{}", p.html));
    *idp.next.lock().unwrap() = Some(mint(
        &claims(&app, &idp.issuer, &sent, "newcomer@acme.example"),
        Signer::Published,
    ));
    let done = answer(&app, &sent.query["state"], "a-code", Some(&sent.cookie)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let newcomer = member_record(&app, &acme, "newcomer@acme.example").await;
    assert_eq!(newcomer["role"], "technician");
    assert_eq!(newcomer["name"], "Ana Field");

    // Passwords of the domain's people stop working; the operator keeps theirs.
    let refused = app.login("ana@acme.example", PASSWORD).await;
    assert_eq!(refused.code(), "sso_required", "{}", refused.body);
    assert_eq!(
        app.login(OPERATOR_EMAIL, PASSWORD).await.status,
        StatusCode::OK
    );
    let page = open(&app, Method::GET, "/sign-in", None, None).await;
    let csrf = page.input("csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("email", "ana@acme.example"),
        ("password", PASSWORD),
    ];
    let cookie = format!("siteward_csrf={csrf}");
    let console = open(&app, Method::POST, "/sign-in", Some(&cookie), Some(&form)).await;
    assert!(
        console.html.contains("Sign in with single sign-on"),
        "{}",
        console.html
    );
    assert!(console.set_cookie("siteward_session").is_none());
}

#[tokio::test]
async fn the_setup_page_adds_a_connection_claims_a_domain_and_tests_the_sign_in() {
    let idp = TestIdp::start().await;
    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let base = format!("/partners/{}/identity", acme.id);

    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(
        page.html.contains("http://siteward.test/sso/callback"),
        "{}",
        page.html
    );

    // The usual mistakes are said next to what to correct.
    let form = |issuer: &'static str, secret: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Entra ID".to_owned()),
            ("issuer", issuer.to_owned()),
            ("client_id", CLIENT_ID.to_owned()),
            ("client_secret", secret.to_owned()),
        ]
    };
    let post = async |path: &str, fields: &[(&str, String)]| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        open(&app, Method::POST, path, Some(&cookie), Some(&fields)).await
    };
    let plain = post(&base, &form("http://idp.acme.example", "s")).await;
    assert_eq!(
        plain.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        plain.html
    );
    assert!(plain.html.contains("must start https://"), "{}", plain.html);
    let no_secret = post(&base, &form("https://idp.acme.example", "")).await;
    assert_eq!(
        no_secret.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_secret.html
    );
    assert!(no_secret.html.contains("is needed"), "{}", no_secret.html);

    let issuer: &'static str = Box::leak(idp.issuer.clone().into_boxed_str());
    let added = post(&base, &form(issuer, CLIENT_SECRET)).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    let at = page.html.find("/sign-in/sso/").unwrap() + "/sign-in/sso/".len();
    let connection = page.html[at..at + 26].to_owned();
    assert!(
        !page.html.contains(CLIENT_SECRET),
        "the secret is never shown again"
    );

    let claimed = post(
        &format!("{base}/{connection}/domains"),
        &[
            ("csrf", csrf.clone()),
            ("domain", "Acme.Example".to_owned()),
        ],
    )
    .await;
    assert_eq!(claimed.status, StatusCode::SEE_OTHER, "{}", claimed.html);
    let page = open(
        &app,
        Method::GET,
        &format!("{}?done=claimed", base),
        Some(&cookie),
        None,
    )
    .await;
    assert!(page.html.contains("<li>acme.example"), "{}", page.html);

    // The test sign-in goes to the provider and shows the claims it sent.
    let test = post(
        &format!("{base}/{connection}/test"),
        &[("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.html);
    let url = provider_url(&test);
    assert!(
        url.starts_with(&format!("{}/authorize?", idp.issuer)),
        "{url}"
    );
    let query: HashMap<String, String> =
        form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let state = cookie_value(&test.set_cookie("siteward_sso").unwrap()).to_owned();
    let sent = Sent {
        url,
        query,
        cookie: format!("{cookie}; siteward_sso={state}"),
    };
    let mut token = claims(&app, &idp.issuer, &sent, "tester@acme.example");
    token["groups"] = json!(["Field technicians"]);
    *idp.next.lock().unwrap() = Some(mint(&token, Signer::Published));
    let shown = answer(&app, &sent.query["state"], "a-code", Some(&sent.cookie)).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.html);
    assert!(shown.html.contains("Field technicians"), "{}", shown.html);
    assert!(
        shown.html.contains("not a member of this team"),
        "{}",
        shown.html
    );
    assert!(
        shown.set_cookie("siteward_session").is_none(),
        "a test signs nobody in"
    );

    // Released and deleted, audited.
    let released = post(
        &format!("{base}/domains/release"),
        &[
            ("csrf", csrf.clone()),
            ("domain", "acme.example".to_owned()),
        ],
    )
    .await;
    assert_eq!(released.status, StatusCode::SEE_OTHER, "{}", released.html);
    let deleted = post(
        &format!("{base}/{connection}/delete"),
        &[("csrf", csrf.clone())],
    )
    .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.html);
    let trail = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=100", acme.id),
            &acme.owner_token,
        )
        .await
        .body
        .to_string();
    for action in [
        "identity.connection_saved",
        "identity.domain_claimed",
        "identity.domain_released",
        "identity.connection_deleted",
    ] {
        assert!(trail.contains(action), "{action}: {trail}");
    }
}

/// `oidc-provider` from npm, installed once into the test folder with the version
/// `tests/fixtures/oidc/package.json` pins (`npm ci`), running on loopback.
pub(crate) struct RealIdp {
    child: Child,
    pub(crate) issuer: String,
}

impl Drop for RealIdp {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn oidc_provider_folder() -> PathBuf {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oidc");
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider");
    let mut installed = INSTALLED.lock().unwrap();
    if !*installed {
        std::fs::create_dir_all(&folder).unwrap();
        for file in ["package.json", "package-lock.json", "provider.mjs"] {
            std::fs::copy(fixture.join(file), folder.join(file)).unwrap();
        }
        if !folder.join("node_modules/oidc-provider").exists() {
            let npm = std::env::var("NPM").unwrap_or_else(|_| "npm".to_owned());
            let status = Command::new(npm)
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(&folder)
                .status()
                .expect("npm runs");
            assert!(status.success(), "installing oidc-provider from npm failed");
        }
        *installed = true;
    }
    folder
}

impl RealIdp {
    /// Starts the provider for a host whose callback is `redirect_uri`, with these people
    /// (login, their email address → claims).
    pub(crate) fn start(redirect_uri: &str, people: Value) -> Self {
        let folder = oidc_provider_folder();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = json!({
            "port": port,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": redirect_uri,
            "people": people,
        });
        let mut child = Command::new(std::env::var("NODE").unwrap_or_else(|_| "node".to_owned()))
            .arg(folder.join("provider.mjs"))
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(
            line.starts_with("listening"),
            "oidc-provider did not start: {line}"
        );
        // The rest of what it prints is read (and dropped), so its writes never fail.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Self {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        }
    }
}

#[tokio::test]
async fn the_providers_groups_set_the_role_and_the_mapped_departments_at_each_sign_in() {
    let idp = TestIdp::start().await;
    let app = TestApp::with_settings(settings("http://siteward.test")).await;
    let operator = app.operator().await;
    let acme = app.partner(&operator, "acme").await;
    let globex = app.partner(&operator, "globex").await;
    let ana = app.member(&acme, "ana@acme.example", "technician").await;
    let connection = connection_at(&app, &acme, &idp.issuer, "acme.example", (false, false)).await;
    let department = async |partner: &Partner, name: &str| {
        let made = app
            .post(
                &format!("/v1/partners/{}/departments", partner.id),
                &partner.owner_token,
                json!({ "name": name }),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        made.str("id")
    };
    let north = department(&acme, "North").await;
    let south = department(&acme, "South").await;
    let theirs = department(&globex, "Globex crew").await;
    // South is the team's own doing: no rule names it.
    let joined = app
        .call(
            Method::PUT,
            &format!("/v1/partners/{}/departments/{south}/members/{ana}", acme.id),
            Some(&acme.owner_token),
            None,
        )
        .await;
    assert_eq!(joined.status, StatusCode::NO_CONTENT, "{}", joined.body);

    // The rules, from the Identity page.
    let (cookie, csrf) = signed_in(&app, "owner@acme.example").await;
    let base = format!("/partners/{}/identity", acme.id);
    let add = async |group: &str, grant: &str| {
        let form = [("csrf", csrf.as_str()), ("group", group), ("grant", grant)];
        let path = format!("{base}/{connection}/groups");
        open(&app, Method::POST, &path, Some(&cookie), Some(&form)).await
    };
    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    assert!(
        page.html.contains(&format!("value=\"department:{north}\"")),
        "{}",
        page.html
    );
    assert_eq!(
        add("Siteward Admins", "role:admin").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        page.html.contains("value=\"privilege:remote_support\""),
        "{}",
        page.html
    );
    assert_eq!(
        add("Remote Support", "privilege:remote_support")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let field = add("Field North", &format!("department:{north}")).await;
    assert_eq!(field.status, StatusCode::SEE_OTHER, "{}", field.html);
    let foreign = add("Globex", &format!("department:{theirs}")).await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        foreign.html
    );
    assert!(
        foreign.html.contains("not a department of this team"),
        "{}",
        foreign.html
    );

    let sign_in = async |groups: Value| {
        let sent = start(&app, "ana@acme.example")
            .await
            .unwrap_or_else(|p| panic!("{}", p.html));
        let mut token = claims(&app, &idp.issuer, &sent, "ana@acme.example");
        token["groups"] = groups;
        *idp.next.lock().unwrap() = Some(mint(&token, Signer::Published));
        let done = answer(&app, &sent.query["state"], "a-code", Some(&sent.cookie)).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    };
    let standing = async || {
        let member = app
            .get(
                &format!("/v1/partners/{}/members/{ana}", acme.id),
                &acme.owner_token,
            )
            .await;
        let in_department = async |department: &str| {
            let members = app
                .get(
                    &format!("/v1/partners/{}/departments/{department}/members", acme.id),
                    &acme.owner_token,
                )
                .await;
            members.body.to_string().contains(&ana)
        };
        (
            member.str("role"),
            in_department(&north).await,
            in_department(&south).await,
            member.body["privileges"].to_string(),
        )
    };
    // Remote support has one seat, which the owner holds: the group cannot give it yet, and
    // the rest of the sign-in's changes are made all the same.
    let seats = async |n: u32| {
        let set = app
            .call(
                Method::PUT,
                &format!("/v1/partners/{}/licences", acme.id),
                Some(&operator),
                Some(json!({ "remote_support": n })),
            )
            .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    };
    seats(1).await;
    let unattended = r#"["unattended_access"]"#.to_owned();
    let both = r#"["remote_support","unattended_access"]"#.to_owned();
    let groups = json!([
        "Siteward Admins",
        "Field North",
        "Everyone",
        "Remote Support"
    ]);
    sign_in(groups.clone()).await;
    assert_eq!(
        standing().await,
        ("admin".to_owned(), true, true, unattended.clone())
    );
    seats(2).await;
    sign_in(groups).await;
    assert_eq!(standing().await, ("admin".to_owned(), true, true, both));
    // Out of the provider's groups: back to technician, out of North and without remote
    // support; South and unattended access, which no rule names, stay.
    sign_in(json!([])).await;
    assert_eq!(
        standing().await,
        ("technician".to_owned(), false, true, unattended)
    );

    let trail = app
        .get(
            &format!("/v1/partners/{}/audit-events?limit=100", acme.id),
            &acme.owner_token,
        )
        .await
        .body
        .to_string();
    for action in [
        "identity.group_rule_added",
        "member.updated",
        "department.member_added",
        "department.member_removed",
    ] {
        assert!(trail.contains(action), "{action}: {trail}");
    }

    // A rule removed from the page is gone; a rule of another partner is not found.
    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    let at = page.html.find("/identity/groups/").unwrap() + "/identity/groups/".len();
    let rule = page.html[at..at + 26].to_owned();
    let (globex_cookie, globex_csrf) = signed_in(&app, "owner@globex.example").await;
    let elsewhere = open(
        &app,
        Method::POST,
        &format!("/partners/{}/identity/groups/{rule}/delete", globex.id),
        Some(&globex_cookie),
        Some(&[("csrf", globex_csrf.as_str())]),
    )
    .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "{}",
        elsewhere.html
    );
    let removed = open(
        &app,
        Method::POST,
        &format!("{base}/groups/{rule}/delete"),
        Some(&cookie),
        Some(&[("csrf", csrf.as_str())]),
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    let page = open(&app, Method::GET, &base, Some(&cookie), None).await;
    assert!(!page.html.contains(&rule), "{}", page.html);
}
