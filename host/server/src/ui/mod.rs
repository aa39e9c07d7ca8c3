//! The web console: pages rendered by the host under `/`, beside the JSON API under `/v1`.
//! Like the API, every page extracts, makes one call of the application layer and shapes what
//! it shows; templates are checked at compile time (askama).
//!
//! Every action is a plain form that works without JavaScript. Pages carry a strict
//! Content-Security-Policy (scripts from the host only — htmx, which makes forms and links
//! happen in place — nothing inline), may not be framed, send
//! no referrer (an invitation link carries its token), and are never cached. A state-changing
//! form carries a CSRF token that must match the browser's `siteward_csrf` cookie (double
//! submit); the cookies are HttpOnly and SameSite, and Secure when the host is served over
//! https.

pub mod access;
pub mod access_requests;
pub mod account;
pub mod assets;
pub mod audit;
pub mod customers;
pub mod deliveries;
pub mod departments;
pub mod devices;
pub mod directory;
pub mod identity;
pub mod invitation;
pub mod lang;
pub mod licences;
pub mod member;
pub mod mine;
pub mod operator;
pub mod picker;
pub mod plugins;
pub mod recovery;
pub mod reviews;
pub mod roles;
pub mod security;
pub mod session;
pub mod settings;
pub mod site;
pub mod site_admins;
pub mod team;
pub mod text;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use cookie::{Cookie, SameSite};
use siteward_app::idempotency::{Retry, StoredAnswer};
use siteward_core::invitation::{Invitation, InvitationStatus, InvitationTarget, PermissionLevel};
use siteward_core::permission::Permission;
use siteward_core::permission::role::SystemRole;
use siteward_core::tenancy::{PartnerRole, Privilege};
use subtle::ConstantTimeEq;

use crate::state::AppState;
use lang::Lang;
use text::Text;

/// The largest plugin upload: a 48 MiB component with its manifest, as the API takes.
const MAX_UPLOAD_BYTES: usize = 64 << 20;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(mine::page))
        .route("/sign-in", get(session::page).post(session::sign_in))
        .route("/sign-in/code", get(session::code).post(session::finish))
        .route("/sign-out", post(session::sign_out))
        .route(
            "/sign-in/sso",
            get(identity::sign_in_page).post(identity::start),
        )
        .route("/sign-in/sso/{connection_id}", get(identity::start_at))
        .route("/sso/callback", get(identity::callback))
        .route("/sso/saml/acs", post(identity::acs))
        .route(
            "/sso/saml/{connection_id}/metadata",
            get(identity::saml_metadata),
        )
        .route(
            "/partners/{partner_id}/identity",
            get(identity::page).post(identity::create),
        )
        .route(
            "/partners/{partner_id}/customers/{customer_id}/identity",
            get(identity::customer_page).post(identity::customer_create),
        )
        .route(
            "/partners/{partner_id}/identity/domains/release",
            post(identity::release),
        )
        .route(
            "/partners/{partner_id}/identity/scim-token",
            post(identity::make_scim_token),
        )
        .route(
            "/partners/{partner_id}/identity/{connection_id}",
            post(identity::update),
        )
        .route(
            "/partners/{partner_id}/identity/{connection_id}/domains",
            post(identity::claim),
        )
        .route(
            "/partners/{partner_id}/identity/{connection_id}/delete",
            post(identity::delete),
        )
        .route(
            "/partners/{partner_id}/identity/{connection_id}/test",
            post(identity::test),
        )
        .route(
            "/partners/{partner_id}/identity/{connection_id}/groups",
            post(identity::add_rule),
        )
        .route(
            "/partners/{partner_id}/identity/groups/{rule_id}/delete",
            post(identity::delete_rule),
        )
        .route(
            "/partners/{partner_id}/identity/directory",
            get(directory::page).post(directory::save),
        )
        .route(
            "/partners/{partner_id}/identity/directory/sync",
            post(directory::sync),
        )
        .route(
            "/partners/{partner_id}/identity/directory/mappings",
            post(directory::add_mapping),
        )
        .route(
            "/partners/{partner_id}/identity/directory/mappings/delete",
            post(directory::remove_mapping),
        )
        .route(
            "/partners/{partner_id}/identity/directory/delete",
            post(directory::delete),
        )
        .route(
            "/forgot-password",
            get(recovery::forgot).post(recovery::send_link),
        )
        .route("/reset-password", get(recovery::page).post(recovery::reset))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/language", post(account::set_language))
        .route("/account/totp", post(account::enroll_totp))
        .route("/account/totp/confirm", post(account::confirm_totp))
        .route("/account/totp/remove", post(account::remove_totp))
        .route(
            "/account/sessions/others",
            post(account::end_other_sessions),
        )
        .route(
            "/account/sessions/{session_id}/end",
            post(account::end_session),
        )
        .route(
            "/invitations/accept",
            get(invitation::page).post(invitation::accept),
        )
        .route("/partners/{partner_id}/team", get(team::page))
        .route(
            "/partners/{partner_id}/settings",
            get(settings::page).post(settings::save),
        )
        .route(
            "/partners/{partner_id}/settings/preview",
            get(settings::preview),
        )
        .route(
            "/partners/{partner_id}/settings/alerts",
            post(settings::alerts),
        )
        .route(
            "/partners/{partner_id}/settings/security",
            post(settings::security),
        )
        .route(
            "/partners/{partner_id}/settings/plugins/{name}",
            post(settings::plugin_settings),
        )
        .route(
            "/partners/{partner_id}/team/{account_id}",
            get(member::page).post(member::update),
        )
        .route(
            "/partners/{partner_id}/team/{account_id}/totp-reset",
            get(member::confirm_totp_reset).post(member::totp_reset),
        )
        .route(
            "/partners/{partner_id}/team/{account_id}/remove",
            get(member::confirm_remove).post(member::remove),
        )
        .route(
            "/partners/{partner_id}/licences",
            get(licences::page).post(licences::save),
        )
        .route(
            "/operator/partners",
            get(operator::page).post(operator::create),
        )
        .route("/operator/accounts", post(operator::set_account))
        .route(
            "/operator/plugins",
            get(plugins::page)
                .post(plugins::install)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route(
            "/operator/plugins/{name}",
            get(plugins::plugin).post(plugins::switch),
        )
        .route(
            "/operator/plugins/{name}/remove",
            get(plugins::confirm_remove).post(plugins::remove),
        )
        .route(
            "/operator/plugins/{name}/partners/{partner_id}/resume",
            post(plugins::resume),
        )
        .route("/operator/audit", get(audit::platform_page))
        .route("/operator/audit/export", get(audit::platform_export))
        .route("/partners/{partner_id}/deliveries", get(deliveries::page))
        .route("/partners/{partner_id}/access", get(access::page))
        .route("/partners/{partner_id}/grants", post(access::create))
        .route(
            "/partners/{partner_id}/grants/{grant_id}/delete",
            get(access::confirm_delete).post(access::delete),
        )
        .route(
            "/partners/{partner_id}/departments",
            get(departments::page).post(departments::create),
        )
        .route(
            "/partners/{partner_id}/departments/{department_id}",
            get(departments::department),
        )
        .route(
            "/partners/{partner_id}/departments/{department_id}/members",
            post(departments::add_member),
        )
        .route(
            "/partners/{partner_id}/departments/{department_id}/members/{account_id}/remove",
            post(departments::remove_member),
        )
        .route(
            "/partners/{partner_id}/departments/{department_id}/delete",
            get(departments::confirm_delete).post(departments::delete),
        )
        .route(
            "/partners/{partner_id}/roles",
            get(roles::page).post(roles::create),
        )
        .route("/partners/{partner_id}/roles/new", get(roles::new_role))
        .route(
            "/partners/{partner_id}/roles/{role_id}",
            get(roles::edit).post(roles::save),
        )
        .route(
            "/partners/{partner_id}/roles/{role_id}/delete",
            get(roles::confirm_delete).post(roles::delete),
        )
        .route(
            "/partners/{partner_id}/sites",
            get(customers::page).post(customers::create_site),
        )
        .route(
            "/partners/{partner_id}/customers",
            post(customers::create_customer),
        )
        .route("/sites/{site_id}/technicians", get(site::page))
        .route(
            "/sites/{site_id}/technicians/bulk",
            get(site::confirm_bulk).post(site::bulk),
        )
        .route(
            "/sites/{site_id}/technicians/{account_id}/level",
            get(site::confirm_level).post(site::set_level),
        )
        .route(
            "/sites/{site_id}/technicians/{account_id}/end",
            get(site::end_page).post(site::set_end),
        )
        .route(
            "/sites/{site_id}/devices",
            get(devices::page).post(devices::create_device),
        )
        .route(
            "/sites/{site_id}/device-groups",
            post(devices::create_group),
        )
        .route("/sites/{site_id}/devices/{device_id}", get(devices::reach))
        .route(
            "/sites/{site_id}/devices/{device_id}/remove",
            get(devices::confirm_remove_device).post(devices::remove_device),
        )
        .route(
            "/sites/{site_id}/device-groups/{group_id}/remove",
            get(devices::confirm_remove_group).post(devices::remove_group),
        )
        .route(
            "/sites/{site_id}/security",
            get(security::page).post(security::save),
        )
        .route(
            "/sites/{site_id}/access-requests",
            get(access_requests::page),
        )
        .route(
            "/sites/{site_id}/access-policy",
            post(access_requests::save_rules),
        )
        .route(
            "/sites/{site_id}/reviews",
            get(reviews::page).post(reviews::start),
        )
        .route(
            "/sites/{site_id}/review-schedule",
            post(reviews::save_schedule),
        )
        .route("/reviews/{review_id}/verdicts", post(reviews::verdicts))
        .route("/reviews/{review_id}/export.csv", get(reviews::export))
        .route("/access-requests", post(access_requests::request))
        .route(
            "/access-requests/{request_id}/approve",
            post(access_requests::approve),
        )
        .route(
            "/access-requests/{request_id}/deny",
            post(access_requests::deny),
        )
        .route(
            "/access-requests/{request_id}/end",
            post(access_requests::end),
        )
        .route(
            "/sites/{site_id}/security/admins",
            post(security::save_admins_policy),
        )
        .route(
            "/sites/{site_id}/admins",
            get(site_admins::page).post(site_admins::add),
        )
        .route(
            "/sites/{site_id}/admins/{account_id}/remove",
            get(site_admins::confirm_remove).post(site_admins::remove),
        )
        .route("/partners/{partner_id}/audit", get(audit::partner_page))
        .route(
            "/partners/{partner_id}/audit/export",
            get(audit::partner_export),
        )
        .route("/sites/{site_id}/audit", get(audit::site_page))
        .route("/sites/{site_id}/audit/export", get(audit::site_export))
        .route(
            "/sites/{site_id}/invite",
            get(picker::page).post(picker::apply),
        )
        .route(
            "/sites/{site_id}/technicians/{account_id}/remove",
            get(site::confirm_remove).post(site::remove),
        )
        .route(
            "/sites/{site_id}/technicians/{account_id}/lock",
            post(site::lock),
        )
        .route(
            "/partners/{partner_id}/team/invitations",
            post(team::invite),
        )
        .route("/invitations/{invitation_id}/resend", post(team::resend))
        .route("/invitations/{invitation_id}/approve", post(team::approve))
        .route("/invitations/{invitation_id}/deny", post(team::deny))
        .route(
            "/invitations/{invitation_id}/revoke",
            get(team::confirm_revoke).post(team::revoke),
        )
        .layer(axum::middleware::from_fn(page_headers))
        .route("/assets/{name}", get(assets::asset))
}

/// The language a request is answered in (until its session says otherwise), and the headers
/// every page carries.
async fn page_headers(request: Request, next: Next) -> Response {
    let lang = Lang::negotiate(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    );
    let mut response = lang.scope(next.run(request)).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
             img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        // A page with a policy of its own (the email preview) keeps it.
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// What every page shows around its content: the stylesheet, who is signed in, and the
/// language it is written in.
#[derive(Debug)]
pub struct Chrome {
    /// The page's language.
    pub lang: Lang,
    /// Every string of the console in that language.
    pub t: &'static Text,
    /// The stylesheet's current path.
    pub stylesheet: &'static str,
    /// The script's current path (htmx).
    pub script: &'static str,
    /// The signed-in person, with the CSRF token of the sign-out form.
    pub me: Option<SignedIn>,
}

/// The signed-in person, as the header shows them.
#[derive(Debug)]
pub struct SignedIn {
    /// Their name.
    pub name: String,
    /// The CSRF token for the header's sign-out form.
    pub csrf: String,
}

impl Chrome {
    /// The CSRF token for the page's forms (empty for a page without a signed-in person).
    pub fn csrf(&self) -> String {
        self.me
            .as_ref()
            .map(|me| me.csrf.clone())
            .unwrap_or_default()
    }

    /// For a page of someone not signed in (or where it does not matter).
    pub fn public() -> Self {
        Self::for_person(None)
    }

    /// For a page of `me`, or of someone not signed in, in the request's language.
    pub fn for_person(me: Option<SignedIn>) -> Self {
        let lang = Lang::current();
        Self {
            lang,
            t: lang.text(),
            stylesheet: assets::STYLESHEET_PATH.as_str(),
            script: assets::SCRIPT_PATH.as_str(),
            me,
        }
    }
}

/// A page that says what happened and what to do next.
#[derive(Debug, askama::Template)]
#[template(path = "notice.html")]
pub struct Notice<'a> {
    /// The page chrome.
    pub chrome: Chrome,
    /// What happened.
    pub heading: &'a str,
    /// Why.
    pub explanation: String,
    /// What to do now.
    pub next_step: String,
    /// Where to do it: a link's target and words.
    pub link: Option<(&'static str, &'static str)>,
}

impl Notice<'_> {
    /// A failure of the app that is not about a form's fields.
    pub fn problem(error: &siteward_app::AppError) -> Self {
        let chrome = Chrome::public();
        let t = chrome.t;
        Self {
            chrome,
            heading: t.cannot_be_done.as_str(),
            explanation: said(error),
            next_step: t.try_again_soon.to_string(),
            link: None,
        }
    }
}

#[derive(askama::Template)]
#[template(path = "confirm.html")]
/// A destructive action's question, with its button and the way back.
struct ConfirmPage {
    chrome: Chrome,
    csrf: String,
    heading: &'static str,
    question: String,
    confirm: &'static str,
    action: String,
    back: String,
    /// The form's other fields, carried as asked: what the action applies to.
    fields: Vec<(&'static str, String)>,
    /// Whether the action destroys something (a red button).
    danger: bool,
}

/// A destructive action's question as a page of its own: its red button posts the CSRF token
/// to `action`; "Keep it" goes `back`.
fn ask_first(
    viewer: session::Viewer,
    heading: &'static str,
    question: String,
    confirm: &'static str,
    (action, back): (String, String),
) -> Response {
    let session::Viewer {
        chrome, set_csrf, ..
    } = viewer;
    let page = ConfirmPage {
        csrf: chrome.csrf(),
        chrome,
        heading,
        question,
        confirm,
        action,
        back,
        fields: vec![],
        danger: true,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// A permission level as a select offers it.
struct LevelOption {
    value: &'static str,
    label: &'static str,
}

/// The four levels, as a select offers them.
fn level_options() -> Vec<LevelOption> {
    PermissionLevel::ALL
        .iter()
        .map(|level| LevelOption {
            value: level.as_str(),
            label: level_name(*level),
        })
        .collect()
}

/// An invitation as a list shows it, with its status badge and what can be done with it.
struct InvitationRow {
    id: String,
    email: String,
    offer: String,
    status: &'static str,
    status_label: &'static str,
    expires: String,
    resendable: bool,
    revocable: bool,
    /// Why it waits for approval, while it does.
    approval_reason: Option<String>,
    /// Whether the viewer may approve or deny it now.
    approvable: bool,
}

impl InvitationRow {
    fn new(inv: &Invitation, now: siteward_core::Timestamp) -> Self {
        let status = inv.status_at(now);
        let lang = Lang::current();
        Self {
            id: inv.id.to_string(),
            email: inv.email.to_string(),
            offer: offer_name(&inv.target),
            status: status.as_str(),
            status_label: status_name(status),
            // One awaiting approval has no link yet: its time counts from its approval.
            expires: if status == InvitationStatus::AwaitingApproval {
                "—".to_owned()
            } else {
                lang.date(inv.expires_at)
            },
            resendable: !matches!(
                status,
                InvitationStatus::Accepted
                    | InvitationStatus::AwaitingApproval
                    | InvitationStatus::Denied
            ),
            revocable: status.is_open(),
            approval_reason: (status == InvitationStatus::AwaitingApproval)
                .then(|| inv.approval_reason.clone().unwrap_or_default()),
            approvable: false,
        }
    }

    /// The row with its Approve and Deny, when it awaits approval and the viewer `may`.
    fn approvable_by(self, may: bool) -> Self {
        Self {
            approvable: may && self.approval_reason.is_some(),
            ..self
        }
    }
}

/// A form with nothing but its CSRF token: a button's.
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Where a button's action leads: back to `to` when it was done, else the failure's page.
fn back_to<T>(to: &str, done: Result<T, siteward_app::AppError>) -> Response {
    match done {
        Ok(_) => axum::response::Redirect::to(to).into_response(),
        Err(error) => problem(&error),
    }
}

/// A console form is not retried by a client library: no key, so no answer is stored.
const NO_RETRY: Retry<'static> = Retry {
    key: None,
    request: "",
};

/// The answer to store under a retry key; never asked without one.
fn not_stored<T>(_: &T) -> Result<StoredAnswer, siteward_app::AppError> {
    Err(siteward_app::AppError::internal(
        &"no retry key, nothing is stored",
    ))
}

/// A partner role as people read it, in the request's language.
pub fn role_name(role: PartnerRole) -> &'static str {
    let t = Lang::current().text();
    match role {
        PartnerRole::SuperAdmin => t.role_super_admin,
        PartnerRole::Admin => t.role_admin,
        PartnerRole::Technician => t.role_technician,
    }
    .as_str()
}

/// A permission level as the reference products name it, in the request's language.
pub fn level_name(level: PermissionLevel) -> &'static str {
    let t = Lang::current().text();
    match level {
        PermissionLevel::None => t.level_none,
        PermissionLevel::DevicesOnly => t.level_devices_only,
        PermissionLevel::FullExcludingUsers => t.level_full_excluding_users,
        PermissionLevel::FullIncludingUsers => t.level_full_including_users,
    }
    .as_str()
}

/// An invitation's status as its badge reads, in the request's language.
fn status_name(status: InvitationStatus) -> &'static str {
    let t = Lang::current().text();
    match status {
        InvitationStatus::Pending => t.status_pending,
        InvitationStatus::Accepted => t.status_accepted,
        InvitationStatus::Expired => t.status_expired,
        InvitationStatus::Revoked => t.status_revoked,
        InvitationStatus::AwaitingApproval => t.status_awaiting_approval,
        InvitationStatus::Denied => t.status_denied,
    }
    .as_str()
}

/// What an invitation offers, in a few words: a role, or a site at a level.
fn offer_name(target: &InvitationTarget) -> String {
    match target {
        InvitationTarget::Partner { role } => role_name(*role).to_owned(),
        InvitationTarget::Site { level, .. } => Lang::current()
            .text()
            .a_site_at_level
            .with("level", level_name(*level))
            .into(),
        InvitationTarget::SiteAdmin { .. } => Lang::current().text().site_admin_role.to_string(),
    }
}

/// What went wrong, as the console says it. The failures people meet in the console are
/// said in the page's language, by their stable code; English pages, and failures without a
/// translation (a field's own rule, say), keep the app's words, as a sentence.
fn said(error: &siteward_app::AppError) -> String {
    let lang = Lang::current();
    let t = lang.text();
    let translated = match error.code {
        _ if lang == Lang::En => None,
        "forbidden" => Some(t.err_forbidden),
        "too_many_attempts" => Some(t.err_too_many_attempts),
        "account_locked" => Some(t.err_account_locked),
        "account_disabled" => Some(t.err_account_disabled),
        "invalid_credentials" => Some(t.wrong_email_or_password),
        "invalid_totp" => Some(t.totp_wrong),
        "invitation_used" => Some(t.err_invitation_used),
        "invitation_not_pending" => Some(t.err_invitation_not_pending),
        "account_exists" => Some(t.err_account_exists),
        "not_a_member" => Some(t.err_not_a_member),
        "membership_disabled" => Some(t.err_membership_disabled),
        "email_taken" => Some(t.err_email_taken),
        "already_member" => Some(t.err_already_member),
        "already_invited" => Some(t.err_already_invited),
        "already_assigned" => Some(t.err_already_assigned),
        "last_super_admin" => Some(t.err_last_super_admin),
        "licence_exhausted" => Some(t.err_licence_exhausted),
        "concurrent_change" => Some(t.err_concurrent_change),
        "reset_link_gone" => Some(t.err_reset_link_gone),
        "sign_in_expired" => Some(t.sign_in_expired),
        "totp_already_enabled" => Some(t.err_totp_already_enabled),
        "totp_not_pending" => Some(t.err_totp_not_pending),
        "totp_not_enabled" => Some(t.err_totp_not_enabled),
        "technician_access_off" => Some(t.err_technician_access_off),
        "storage_unavailable" | "policy_unavailable" | "exporter_unavailable" => {
            Some(t.err_unavailable)
        }
        _ => None,
    };
    translated.map_or_else(|| sentence(&error.message), |msg| msg.to_string())
}

/// A message as a sentence on its own: its first letter capitalised.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A response with the `Set-Cookie` that gives the browser its CSRF token, when it is new.
fn with_csrf_cookie(mut response: Response, set: Option<HeaderValue>) -> Response {
    if let Some(set) = set {
        response.headers_mut().append(header::SET_COOKIE, set);
    }
    response
}

/// The ids in a console page's path, typed: as [`Ids`](crate::api::path::Ids), but a malformed
/// id gets the console's "Not found" page rather than the API's JSON.
#[derive(Debug)]
pub struct PageIds<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for PageIds<T>
where
    S: Send + Sync,
    crate::api::path::Ids<T>: axum::extract::FromRequestParts<S>,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        let crate::api::path::Ids(ids) =
            crate::api::path::Ids::<T>::from_request_parts(parts, state)
                .await
                .map_err(|_| not_found())?;
        Ok(Self(ids))
    }
}

/// The page for what does not exist, or is another tenant's.
pub fn not_found() -> Response {
    let chrome = Chrome::public();
    let t = chrome.t;
    render(
        StatusCode::NOT_FOUND,
        &Notice {
            chrome,
            heading: t.not_found.as_str(),
            explanation: t.not_found_why.to_string(),
            next_step: t.not_found_next.to_string(),
            link: Some(("/", t.my_access.as_str())),
        },
    )
}

/// A failure of the app as a page; not found is [`not_found`].
pub fn problem(error: &siteward_app::AppError) -> Response {
    if error.kind == siteward_app::Kind::NotFound {
        return not_found();
    }
    render(crate::error::status_of(error.kind), &Notice::problem(error))
}

/// A rendered page with its status.
fn render(status: StatusCode, page: &impl askama::Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(Lang::current().text().something_wrong.as_str()),
            )
                .into_response()
        }
    }
}

/// The cookie that holds a browser's CSRF token.
const CSRF_COOKIE: &str = "siteward_csrf";
/// The cookie that holds a console session's token.
pub const SESSION_COOKIE: &str = "siteward_session";

/// The value of cookie `name`, if the request has it.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A console cookie: HttpOnly, SameSite, path `/`, Secure when `secure`.
fn console_cookie(name: &str, value: String, same_site: SameSite, secure: bool) -> Cookie<'_> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(same_site)
        .secure(secure)
        .path("/")
        .build()
}

/// A `Set-Cookie` value for a console cookie.
fn set_cookie(name: &str, value: String, same_site: SameSite, secure: bool) -> HeaderValue {
    let cookie = console_cookie(name, value, same_site, secure);
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are token text")
}

/// A `Set-Cookie` value that ends a console cookie at once.
fn expire_cookie(name: &str, same_site: SameSite, secure: bool) -> HeaderValue {
    let mut cookie = console_cookie(name, String::new(), same_site, secure);
    cookie.set_max_age(cookie::time::Duration::ZERO);
    HeaderValue::from_str(&cookie.to_string()).expect("cookie values are token text")
}

/// The browser's CSRF token, and the `Set-Cookie` that gives it one when it has none.
fn csrf_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    if let Some(token) = cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 43) {
        return (token, None);
    }
    let token = data_encoding::BASE64URL_NOPAD.encode(&crate::state::random::<32>());
    let set = set_cookie(CSRF_COOKIE, token.clone(), SameSite::Strict, secure(state));
    (token, Some(set))
}

/// Whether a form's CSRF token is the browser's.
fn csrf_matches(headers: &HeaderMap, submitted: &str) -> bool {
    cookie(headers, CSRF_COOKIE).is_some_and(|expected| {
        expected.len() == 43 && bool::from(expected.as_bytes().ct_eq(submitted.as_bytes()))
    })
}

/// Whether cookies must be Secure: the host is served over https.
fn secure(state: &AppState) -> bool {
    state.public_url.starts_with("https://")
}

/// A permission as people read it, in the request's language.
pub fn permission_name(permission: Permission) -> &'static str {
    use Permission as P;
    let t = Lang::current().text();
    match permission {
        P::DashboardView => t.perm_dashboard_view,
        P::DevicesView => t.perm_devices_view,
        P::DevicesEdit => t.perm_devices_edit,
        P::UsersView => t.perm_users_view,
        P::UsersEdit => t.perm_users_edit,
        P::SettingsAdminsView => t.perm_settings_admins_view,
        P::SettingsAdminsEdit => t.perm_settings_admins_edit,
        P::SettingsSiteView => t.perm_settings_site_view,
        P::SettingsSiteEdit => t.perm_settings_site_edit,
        P::EventLogsView => t.perm_event_logs_view,
        P::AuditLogsView => t.perm_audit_logs_view,
        P::ScreenView => t.perm_screen_view,
        P::ScreenControl => t.perm_screen_control,
        P::FileManager => t.perm_file_manager,
        P::Terminal => t.perm_terminal,
        P::WakeUp => t.perm_wake_up,
        P::Reboot => t.perm_reboot,
        P::OsAccountLock => t.perm_os_account_lock,
        P::Calls => t.perm_calls,
        P::BlackScreen => t.perm_black_screen,
        P::Chat => t.perm_chat,
        P::ClipboardSync => t.perm_clipboard_sync,
        P::ScreenPreview => t.perm_screen_preview,
        P::ConnectionHistory => t.perm_connection_history,
        P::SoftwareInventory => t.perm_software_inventory,
        P::Notifications => t.perm_notifications,
        P::RecordingsDelete => t.perm_recordings_delete,
        P::DeviceModify => t.perm_device_modify,
        P::DeviceDelete => t.perm_device_delete,
        P::InvitationsOwn => t.perm_invitations_own,
        P::InvitationsAll => t.perm_invitations_all,
        P::AdminAuditLog => t.perm_admin_audit_log,
        P::AdminTeam => t.perm_admin_team,
        P::AdminBranding => t.perm_admin_branding,
        P::AdminBilling => t.perm_admin_billing,
        P::AdminPermanentAccess => t.perm_admin_permanent_access,
    }
    .as_str()
}

/// A system role as people read it, in the request's language.
pub fn system_role_name(role: SystemRole) -> String {
    use SystemRole as R;
    let t = Lang::current().text();
    let level = |level| t.level_role.with("level", level_name(level)).into();
    match role {
        R::LevelNone => level(PermissionLevel::None),
        R::LevelDevicesOnly => level(PermissionLevel::DevicesOnly),
        R::LevelFullExcludingUsers => level(PermissionLevel::FullExcludingUsers),
        R::LevelFullIncludingUsers => level(PermissionLevel::FullIncludingUsers),
        R::FullDeviceAccess => t.role_full_device_access.to_string(),
        R::DeviceConnectionOnly => t.role_device_connection_only.to_string(),
        R::AllInvitations => t.role_all_invitations.to_string(),
        R::OwnInvitations => t.role_own_invitations.to_string(),
        R::TeamAdministrator => t.role_team_administrator.to_string(),
        R::BrandingAdministrator => t.role_branding_administrator.to_string(),
        R::BillingAdministrator => t.role_billing_administrator.to_string(),
        R::Auditor => t.role_auditor.to_string(),
        R::DevicesList => t.role_devices_list.to_string(),
    }
}

/// A day as a date field sends it (`YYYY-MM-DD`, UTC), or the field's refusal.
fn day(text: &str) -> Result<Option<chrono::NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| Lang::current().text().date_format_error.to_string())
}

/// The moment a day starts, UTC; empty is none.
fn day_start(first_day: &str) -> Result<Option<siteward_core::Timestamp>, String> {
    Ok(day(first_day)?
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc()))
}

/// The moment after a last day, UTC (the next day's start): an end that includes the day.
/// Empty is no end.
fn day_after(last_day: &str) -> Result<Option<siteward_core::Timestamp>, String> {
    match day(last_day)? {
        None => Ok(None),
        Some(d) => d
            .succ_opt()
            .and_then(|next| next.and_hms_opt(0, 0, 0))
            .map(|start| Some(start.and_utc()))
            .ok_or_else(|| Lang::current().text().date_format_error.to_string()),
    }
}

/// `back` if it is a path of this host (a form's way back), else `/`: never another site.
fn local_path(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    }
}

/// A privilege as people read it, in the request's language.
pub fn privilege_name(privilege: Privilege) -> &'static str {
    let t = Lang::current().text();
    match privilege {
        Privilege::RemoteSupport => t.privilege_remote_support,
        Privilege::UnattendedAccess => t.privilege_unattended_access,
    }
    .as_str()
}
