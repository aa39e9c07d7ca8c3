//! Single sign-on in the console. Partner › Settings › Identity is the setup, step by step
//! as WorkOS's admin portal has it: the redirect URL to register at the provider, then a
//! connection (issuer, client id and secret, just-in-time accounts, SSO required), the email
//! domains it answers for, a per-connection sign-in link and a *Test sign-in* that shows the
//! claims the provider sent. The sign-in side is `/sign-in/sso` (an email finds its domain's
//! connection), `/sign-in/sso/{connection}` (the link) and `/sso/callback`, where the provider
//! sends the browser back. The `state` rides in a cookie of the browser that started the
//! sign-in as well as through the provider, so an answer only counts in that browser.
//!
//! A SAML 2.0 connection shows its service provider's entity ID, ACS URL and metadata URL to
//! copy instead of the redirect URL; its provider posts the answer to `/sso/saml/acs` with the
//! `state` as `RelayState`, and `/sso/saml/{connection}/metadata` is its metadata.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::SameSite;
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::identity::{Answer, Finished, IdentitySetup, Start};
use siteward_core::identity::{Connection, GroupGrant, Protocol, ProtocolForm};
use siteward_core::ids::{ConnectionId, CustomerId, GroupRuleId, PartnerId};
use siteward_core::tenancy::{PartnerRole, Privilege};

use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, PageIds, SESSION_COOKIE, console_cookie, cookie, csrf_matches, csrf_token, problem,
    render, said, secure, set_cookie, with_csrf_cookie,
};
use crate::auth::{ClientAddr, request_id};
use crate::error::status_of;
use crate::state::AppState;

/// The cookie that carries a sign-in's `state` to the callback.
const STATE_COOKIE: &str = "siteward_sso";

/// A connection's settings form, as shown.
#[derive(Debug, Default)]
struct ConnectionFormView {
    is_new: bool,
    /// A SAML connection's form (otherwise OpenID Connect's).
    saml: bool,
    name: String,
    /// The OpenID issuer, or the SAML provider's entity ID.
    issuer: String,
    client_id: String,
    sso_url: String,
    just_in_time: bool,
    require_sso: bool,
}

impl ConnectionFormView {
    fn of(connection: &Connection) -> Self {
        let (client_id, sso_url, saml) = match &connection.protocol {
            Protocol::Oidc { client_id, .. } => (client_id.clone(), String::new(), false),
            Protocol::Saml { sso_url, .. } => (String::new(), sso_url.clone(), true),
        };
        Self {
            is_new: false,
            saml,
            name: connection.name.clone(),
            issuer: connection.issuer.clone(),
            client_id,
            sso_url,
            just_in_time: connection.just_in_time,
            require_sso: connection.require_sso,
        }
    }

    /// An empty form for a new connection.
    fn new(saml: bool) -> Self {
        Self {
            is_new: true,
            saml,
            ..Self::default()
        }
    }
}

/// What a SAML connection's provider must be given (its metadata is at its entity ID).
struct SamlValues {
    entity_id: String,
    acs_url: String,
}

/// A group rule as the page lists it.
struct RuleRow {
    id: GroupRuleId,
    group: String,
    gives: String,
}

/// One connection on the page.
struct ConnectionCard {
    id: ConnectionId,
    /// Where its settings form posts.
    action: String,
    name: String,
    link: String,
    domains: Vec<String>,
    rules: Vec<RuleRow>,
    form: ConnectionFormView,
    /// For a SAML connection, the values to copy into its provider.
    saml: Option<SamlValues>,
}

#[derive(Template)]
#[template(path = "identity.html")]
struct IdentityPage {
    chrome: Chrome,
    csrf: String,
    partner: String,
    /// A customer's page: the customer's name (its sites' admins sign in through these).
    customer: Option<String>,
    /// Where connections' forms post (`/partners/{id}/identity`), and what they add so the
    /// answer comes back here.
    base: String,
    back: String,
    /// Where the new connection forms post.
    create: String,
    redirect_url: String,
    connections: Vec<ConnectionCard>,
    /// What a group rule may give: its form value and label.
    grants: Vec<(String, String)>,
    /// The new OpenID Connect and SAML connection forms.
    new: ConnectionFormView,
    new_saml: ConnectionFormView,
    saved: Option<String>,
    error: Option<String>,
    /// Where SCIM clients are pointed.
    scim_url: String,
    /// A SCIM token just made, shown this once.
    scim_token: Option<String>,
}

fn identity_path(partner: &PartnerId) -> String {
    format!("/partners/{partner}/identity")
}

/// Whose identity settings a page or a form is about: the partner's own connections, or one
/// of its customers' (for the admins of the customer's sites).
#[derive(Debug, Clone)]
struct Scope {
    partner: PartnerId,
    customer: Option<CustomerId>,
}

impl Scope {
    fn of(partner: PartnerId) -> Self {
        Self {
            partner,
            customer: None,
        }
    }

    /// The page's path.
    fn path(&self) -> String {
        match &self.customer {
            None => identity_path(&self.partner),
            Some(customer) => customer_identity_path(&self.partner, customer),
        }
    }

    /// What a customer's page adds to the forms it posts to a connection's routes, so the
    /// answer comes back to it.
    fn back(&self) -> String {
        self.customer
            .as_ref()
            .map_or_else(String::new, |customer| format!("?customer={customer}"))
    }
}

fn customer_identity_path(partner: &PartnerId, customer: &CustomerId) -> String {
    format!("/partners/{partner}/customers/{customer}/identity")
}

/// The `?customer=` of a form a customer's Identity page posts.
#[derive(Debug, Default, Deserialize)]
pub struct Back {
    customer: Option<String>,
}

impl Back {
    fn scope(self, partner: PartnerId) -> Scope {
        Scope {
            partner,
            customer: self
                .customer
                .and_then(|c| CustomerId::parse("customer", &c).ok()),
        }
    }
}

/// What the page says was done, from the redirect after a change.
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn identity_page(
    state: &AppState,
    viewer: Viewer,
    scope: &Scope,
    status: StatusCode,
    (saved, error): (Option<String>, Option<String>),
    new: Option<ConnectionFormView>,
) -> Response {
    shown_page(state, viewer, scope, status, (saved, error), (new, None)).await
}

/// What a group rule of the partner's own connections may give: a role, a privilege or a
/// department, with its label.
fn partner_grants(
    departments: &[siteward_core::permission::records::Department],
) -> Vec<(String, String)> {
    let t = Lang::current().text();
    let mut grants: Vec<(String, String)> = [
        PartnerRole::Technician,
        PartnerRole::Admin,
        PartnerRole::SuperAdmin,
    ]
    .into_iter()
    .map(|role| {
        let label = t
            .role_option
            .with("role", super::role_name(role))
            .to_string();
        (GroupGrant::Role(role).to_string(), label)
    })
    .collect();
    grants.extend(Privilege::ALL.iter().map(|privilege| {
        let label = t
            .privilege_option
            .with("privilege", super::privilege_name(*privilege))
            .to_string();
        (GroupGrant::Privilege(*privilege).to_string(), label)
    }));
    grants.extend(departments.iter().map(|d| {
        let label = t.department_option.with("department", &d.name).to_string();
        (GroupGrant::Department(d.id.clone()).to_string(), label)
    }));
    grants
}

/// The page, with a SCIM token just made when there is one.
async fn shown_page(
    state: &AppState,
    viewer: Viewer,
    scope: &Scope,
    status: StatusCode,
    (saved, error): (Option<String>, Option<String>),
    (new, scim_token): (Option<ConnectionFormView>, Option<String>),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let partner = &scope.partner;
    let (details, setup) = match tokio::join!(
        state.partner(&caller, partner),
        state.identity_setup(&caller, partner, scope.customer.as_ref())
    ) {
        (Ok(details), Ok(setup)) => (details, setup),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let IdentitySetup {
        connections,
        redirect_url,
        departments,
        customer,
    } = setup;
    let t = Lang::current().text();
    let grants: Vec<(String, String)> = match &customer {
        Some((_, sites)) => sites
            .iter()
            .map(|site| {
                let label = t.site_admin_option.with("site", &site.name).to_string();
                (GroupGrant::SiteAdmin(site.id.clone()).to_string(), label)
            })
            .collect(),
        None => partner_grants(&departments),
    };
    let gives = |grant: &GroupGrant| {
        grants
            .iter()
            .find(|(value, _)| *value == grant.to_string())
            .map_or_else(|| grant.to_string(), |(_, label)| label.clone())
    };
    let connections = connections
        .into_iter()
        .map(|view| ConnectionCard {
            action: format!(
                "{}/{}{}",
                identity_path(partner),
                view.connection.id,
                scope.back()
            ),
            link: format!("{}/sign-in/sso/{}", state.public_url, view.connection.id),
            id: view.connection.id.clone(),
            name: view.connection.name.clone(),
            domains: view.domains.iter().map(ToString::to_string).collect(),
            rules: view
                .rules
                .iter()
                .map(|rule| RuleRow {
                    id: rule.id.clone(),
                    group: rule.group.clone(),
                    gives: gives(&rule.grant),
                })
                .collect(),
            form: ConnectionFormView::of(&view.connection),
            saml: matches!(view.connection.protocol, Protocol::Saml { .. }).then(|| {
                let urls = state.saml_urls(&view.connection.id);
                SamlValues {
                    entity_id: urls.entity_id,
                    acs_url: urls.acs_url,
                }
            }),
        })
        .collect();
    let (new, new_saml) = match new {
        Some(kept) if kept.saml => (ConnectionFormView::new(false), kept),
        Some(kept) => (kept, ConnectionFormView::new(true)),
        None => (
            ConnectionFormView::new(false),
            ConnectionFormView::new(true),
        ),
    };
    let page = IdentityPage {
        csrf: chrome.csrf(),
        chrome,
        partner: details.name,
        customer: customer.map(|(customer, _)| customer.name),
        base: identity_path(partner),
        back: scope.back(),
        create: scope.path(),
        redirect_url,
        connections,
        grants,
        new,
        new_saml,
        saved,
        error,
        scim_url: format!("{}/scim/v2", state.public_url),
        scim_token,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/identity`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(done): Query<Done>,
) -> Response {
    done_page(&state, viewer, &Scope::of(partner), &done).await
}

/// `GET /partners/{partner_id}/customers/{customer_id}/identity`: a customer's connections,
/// for the admins of its sites.
pub async fn customer_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, customer)): PageIds<(PartnerId, CustomerId)>,
    Query(done): Query<Done>,
) -> Response {
    let scope = Scope {
        partner,
        customer: Some(customer),
    };
    done_page(&state, viewer, &scope, &done).await
}

/// The page, saying what the change before the redirect did.
async fn done_page(state: &AppState, viewer: Viewer, scope: &Scope, done: &Done) -> Response {
    let t = Lang::current().text();
    let saved = match done.done.as_deref() {
        Some("saved") => Some(t.connection_saved.to_string()),
        Some("claimed") => Some(t.domain_claimed.to_string()),
        Some("released") => Some(t.domain_released.to_string()),
        Some("deleted") => Some(t.connection_deleted.to_string()),
        Some("mapped") => Some(t.mapping_added.to_string()),
        Some("unmapped") => Some(t.mapping_removed.to_string()),
        _ => None,
    };
    identity_page(state, viewer, scope, StatusCode::OK, (saved, None), None).await
}

/// A connection's settings form.
#[derive(Debug, Deserialize)]
pub struct ConnectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    /// `saml` for a SAML connection's form; OpenID Connect's otherwise.
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    sso_url: String,
    #[serde(default)]
    certificate: String,
    #[serde(default)]
    just_in_time: Option<String>,
    #[serde(default)]
    require_sso: Option<String>,
}

/// The page again with the failure said, the new connection's fields kept as typed.
async fn refused(
    state: &AppState,
    viewer: Viewer,
    scope: &Scope,
    error: &AppError,
    new: Option<ConnectionFormView>,
) -> Response {
    let status = status_of(error.kind);
    if error.kind == siteward_app::Kind::NotFound || status == StatusCode::FORBIDDEN {
        return problem(error);
    }
    identity_page(state, viewer, scope, status, (None, Some(said(error))), new).await
}

/// After a change: back to the page, which says what was `done`, or the page again with the
/// failure said.
async fn changed(
    state: &AppState,
    viewer: Viewer,
    scope: &Scope,
    done: &str,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("{}?done={done}", scope.path())).into_response(),
        Err(error) => refused(state, viewer, scope, &error, None).await,
    }
}

/// A form whose CSRF token does not match the browser's: the page again, asking to retry.
pub(super) fn form_expired() -> AppError {
    AppError::refused("form_expired", Lang::current().text().form_expired.as_str())
}

/// `POST /partners/{partner_id}/identity` (a new connection) and
/// `POST /partners/{partner_id}/identity/{connection_id}` (a connection's settings).
async fn save(
    state: AppState,
    headers: &HeaderMap,
    viewer: Viewer,
    (scope, connection): (Scope, Option<ConnectionId>),
    form: ConnectionForm,
) -> Response {
    let saml = form.protocol == "saml";
    let typed = ConnectionFormView {
        is_new: true,
        saml,
        name: form.name.clone(),
        issuer: form.issuer.clone(),
        client_id: form.client_id.clone(),
        sso_url: form.sso_url.clone(),
        just_in_time: form.just_in_time.is_some(),
        require_sso: form.require_sso.is_some(),
    };
    let kept = connection.is_none().then_some(typed);
    if !csrf_matches(headers, &form.csrf) {
        return refused(&state, viewer, &scope, &form_expired(), kept).await;
    }
    let protocol = if saml {
        ProtocolForm::Saml {
            sso_url: &form.sso_url,
            certificate: &form.certificate,
        }
    } else {
        ProtocolForm::Oidc {
            client_id: &form.client_id,
            client_secret: &form.client_secret,
        }
    };
    let saved = state
        .save_identity_connection(
            &viewer.caller,
            (&scope.partner, scope.customer.as_ref()),
            connection.as_ref(),
            (&form.name, &form.issuer, protocol),
            (form.just_in_time.is_some(), form.require_sso.is_some()),
        )
        .await;
    match saved {
        Ok(_) => changed(&state, viewer, &scope, "saved", Ok(())).await,
        Err(error) => refused(&state, viewer, &scope, &error, kept).await,
    }
}

/// `POST /partners/{partner_id}/identity`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<ConnectionForm>,
) -> Response {
    save(state, &headers, viewer, (Scope::of(partner), None), form).await
}

/// `POST /partners/{partner_id}/customers/{customer_id}/identity`: a new connection of the
/// customer.
pub async fn customer_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, customer)): PageIds<(PartnerId, CustomerId)>,
    Form(form): Form<ConnectionForm>,
) -> Response {
    let scope = Scope {
        partner,
        customer: Some(customer),
    };
    save(state, &headers, viewer, (scope, None), form).await
}

/// `POST /partners/{partner_id}/identity/{connection_id}`.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, connection)): PageIds<(PartnerId, ConnectionId)>,
    Query(back): Query<Back>,
    Form(form): Form<ConnectionForm>,
) -> Response {
    let scope = back.scope(partner);
    save(state, &headers, viewer, (scope, Some(connection)), form).await
}

/// A form with a CSRF token and a domain.
#[derive(Debug, Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    domain: String,
}

/// `POST /partners/{partner_id}/identity/{connection_id}/domains`: claims a domain.
pub async fn claim(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, connection)): PageIds<(PartnerId, ConnectionId)>,
    Query(back): Query<Back>,
    Form(form): Form<DomainForm>,
) -> Response {
    let scope = back.scope(partner.clone());
    let done = if csrf_matches(&headers, &form.csrf) {
        state
            .claim_domain(&viewer.caller, &partner, &connection, &form.domain)
            .await
            .map(|_| ())
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &scope, "claimed", done).await
}

/// `POST /partners/{partner_id}/identity/domains/release`: gives up a domain.
pub async fn release(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(back): Query<Back>,
    Form(form): Form<DomainForm>,
) -> Response {
    let scope = back.scope(partner.clone());
    let done = if csrf_matches(&headers, &form.csrf) {
        state
            .release_domain(&viewer.caller, &partner, &form.domain)
            .await
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &scope, "released", done).await
}

/// A group rule's form.
#[derive(Debug, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    grant: String,
}

/// `POST /partners/{partner_id}/identity/{connection_id}/groups`: adds a group rule.
pub async fn add_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, connection)): PageIds<(PartnerId, ConnectionId)>,
    Query(back): Query<Back>,
    Form(form): Form<RuleForm>,
) -> Response {
    let scope = back.scope(partner.clone());
    let done = if csrf_matches(&headers, &form.csrf) {
        state
            .add_group_rule(
                &viewer.caller,
                &partner,
                &connection,
                &form.group,
                &form.grant,
            )
            .await
            .map(|_| ())
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &scope, "mapped", done).await
}

/// `POST /partners/{partner_id}/identity/groups/{rule_id}/delete`: removes a group rule.
pub async fn delete_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, rule)): PageIds<(PartnerId, GroupRuleId)>,
    Query(back): Query<Back>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let scope = back.scope(partner.clone());
    let done = if csrf_matches(&headers, &form.csrf) {
        state
            .delete_group_rule(&viewer.caller, &partner, &rule)
            .await
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &scope, "unmapped", done).await
}

/// `POST /partners/{partner_id}/identity/scim-token`: a partner API token for the SCIM
/// client, shown once on the page.
pub async fn make_scim_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let scope = Scope::of(partner.clone());
    let made = if csrf_matches(&headers, &form.csrf) {
        let home = siteward_app::tokens::TokenHome::Partner(&partner);
        state
            .create_api_token(&viewer.caller, home, "SCIM provisioning")
            .await
    } else {
        Err(form_expired())
    };
    match made {
        Ok(token) => {
            let shown = (None, Some(token.secret));
            shown_page(&state, viewer, &scope, StatusCode::OK, (None, None), shown).await
        }
        Err(error) => refused(&state, viewer, &scope, &error, None).await,
    }
}

/// `POST /partners/{partner_id}/identity/{connection_id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, connection)): PageIds<(PartnerId, ConnectionId)>,
    Query(back): Query<Back>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let scope = back.scope(partner.clone());
    let done = if csrf_matches(&headers, &form.csrf) {
        state
            .delete_identity_connection(&viewer.caller, &partner, &connection)
            .await
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &scope, "deleted", done).await
}

/// `POST /partners/{partner_id}/identity/{connection_id}/test`: the admin's test sign-in.
pub async fn test(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, connection)): PageIds<(PartnerId, ConnectionId)>,
    Query(back): Query<Back>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let scope = back.scope(partner.clone());
    let started = if csrf_matches(&headers, &form.csrf) {
        state.test_sso(&viewer.caller, &partner, &connection).await
    } else {
        Err(form_expired())
    };
    match started {
        Ok(redirect) => to_provider(&state, redirect),
        Err(error) => refused(&state, viewer, &scope, &error, None).await,
    }
}

#[derive(Template)]
#[template(path = "sso_redirect.html")]
struct RedirectPage {
    chrome: Chrome,
    url: String,
}

/// The browser sent to the provider, carrying the `state` in a cookie for the callback. A
/// page that refreshes to the provider at once (with a link, for whoever stops it) rather
/// than a redirect: the console's pages allow forms to post to the host alone
/// (`form-action 'self'`), which browsers hold a form's redirects to as well.
fn to_provider(state: &AppState, redirect: siteward_app::identity::Redirect) -> Response {
    let page = RedirectPage {
        chrome: Chrome::public(),
        url: redirect.url,
    };
    let mut response = render(StatusCode::OK, &page);
    // Lax: the provider's redirect back is a top-level navigation from another site. A SAML
    // provider posts a form instead, which carries only a `SameSite=None` cookie (and browsers
    // take those over HTTPS alone; over plain HTTP, the provider is on this machine).
    let same_site = if redirect.posts_back && secure(state) {
        SameSite::None
    } else {
        SameSite::Lax
    };
    let mut cookie = console_cookie(STATE_COOKIE, redirect.state, same_site, secure(state));
    cookie.set_path("/sso");
    cookie.set_max_age(cookie::time::Duration::minutes(10));
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie.to_string()).expect("cookie values are token text"),
    );
    response
}

/// The `Set-Cookie` that ends the state cookie.
fn end_state(state: &AppState) -> HeaderValue {
    let mut cookie = console_cookie(STATE_COOKIE, String::new(), SameSite::Lax, secure(state));
    cookie.set_path("/sso");
    cookie.set_max_age(cookie::time::Duration::ZERO);
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are token text")
}

#[derive(Template)]
#[template(path = "sso_sign_in.html")]
struct SsoSignInPage<'a> {
    chrome: Chrome,
    csrf: &'a str,
    email: &'a str,
    error: Option<String>,
}

fn sso_sign_in_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    error: Option<String>,
) -> Response {
    let (csrf, set) = csrf_token(state, headers);
    let page = SsoSignInPage {
        chrome: Chrome::public(),
        csrf: &csrf,
        email,
        error,
    };
    with_csrf_cookie(render(status, &page), set)
}

/// `GET /sign-in/sso`: the work email that finds the person's provider.
pub async fn sign_in_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    sso_sign_in_page(&state, &headers, StatusCode::OK, "", None)
}

/// The SSO sign-in form.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /sign-in/sso`: off to the provider of the email's domain.
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    let t = Lang::current().text();
    if !csrf_matches(&headers, &form.csrf) {
        let why = Some(t.form_expired.to_string());
        return sso_sign_in_page(&state, &headers, StatusCode::FORBIDDEN, &form.email, why);
    }
    match state.begin_sso(Start::Email(&form.email)).await {
        Ok(redirect) => to_provider(&state, redirect),
        Err(error) => {
            let status = status_of(error.kind);
            sso_sign_in_page(&state, &headers, status, &form.email, Some(said(&error)))
        }
    }
}

/// `GET /sign-in/sso/{connection_id}`: a connection's own sign-in link.
pub async fn start_at(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageIds(connection): PageIds<ConnectionId>,
) -> Response {
    match state.begin_sso(Start::Connection(&connection)).await {
        Ok(redirect) => to_provider(&state, redirect),
        Err(error) if error.kind == siteward_app::Kind::NotFound => super::not_found(),
        Err(error) => {
            let status = status_of(error.kind);
            sso_sign_in_page(&state, &headers, status, "", Some(said(&error)))
        }
    }
}

/// What the provider sends back.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    state: String,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Template)]
#[template(path = "sso_test.html")]
struct TestPage {
    chrome: Chrome,
    connection: String,
    outcome: Result<String, &'static str>,
    claims: Vec<(String, String)>,
    back: String,
}

/// `GET /sso/callback`: the provider's answer. A sign-in ends signed in, on the person's own
/// page; a test shows its admin the claims; a refusal says why on the SSO sign-in page.
pub async fn callback(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let answer = Answer {
        state: query.state,
        code: query.code,
        error: query.error,
        error_description: query.error_description,
        ..Answer::default()
    };
    finish(&state, &headers, address, answer).await
}

/// What a SAML provider posts to the Assertion Consumer Service.
#[derive(Debug, Deserialize)]
pub struct SamlPost {
    #[serde(rename = "SAMLResponse", default)]
    saml_response: String,
    #[serde(rename = "RelayState", default)]
    relay_state: String,
}

/// `POST /sso/saml/acs`: a SAML provider's answer, posted by the browser. Ends as the
/// callback does.
pub async fn acs(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(post): Form<SamlPost>,
) -> Response {
    let answer = Answer {
        state: post.relay_state,
        saml_response: Some(post.saml_response),
        ..Answer::default()
    };
    finish(&state, &headers, address, answer).await
}

/// `GET /sso/saml/{connection_id}/metadata`: a SAML connection's service provider metadata,
/// for its identity provider to read (Okta and Entra ID take the URL or the file).
pub async fn saml_metadata(
    State(state): State<AppState>,
    PageIds(connection): PageIds<ConnectionId>,
) -> Response {
    match state.saml_metadata(&connection).await {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
            xml,
        )
            .into_response(),
        Err(error) if error.kind == siteward_app::Kind::NotFound => super::not_found(),
        Err(error) => problem(&error),
    }
}

/// A provider's answer, finished: signed in (on the person's own page), a test's claims for
/// its admin, or why not on the SSO sign-in page. The state cookie ends either way.
async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    mut answer: Answer,
) -> Response {
    answer.cookie_state = cookie(headers, STATE_COOKIE);
    answer.client = Some(crate::auth::client_description(headers, address));
    let mut response = match state.finish_sso(answer, request_id(headers)).await {
        Ok(Finished::SignedIn(session)) => {
            let mut response = Redirect::to("/").into_response();
            let cookie = set_cookie(SESSION_COOKIE, session.token, SameSite::Lax, secure(state));
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Ok(Finished::Tested {
            connection,
            identity,
            outcome,
        }) => {
            let page = TestPage {
                chrome: Chrome::public(),
                back: match &connection.customer_id {
                    Some(customer) => customer_identity_path(&connection.partner_id, customer),
                    None => identity_path(&connection.partner_id),
                },
                connection: connection.name,
                outcome: outcome
                    .map(|email| email.to_string())
                    .map_err(|refusal| refusal.message()),
                claims: identity.claims,
            };
            render(StatusCode::OK, &page)
        }
        Err(error) => {
            let status = status_of(error.kind);
            sso_sign_in_page(state, headers, status, "", Some(said(&error)))
        }
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, end_state(state));
    response
}
