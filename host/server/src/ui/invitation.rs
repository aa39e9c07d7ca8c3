//! The page an invitation email's button opens: who invites, to what, until when; accepting
//! by creating an account, or by signing in as the invited account; and a page of its own for
//! a link that no longer works, saying what to do next.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use cookie::SameSite;
use serde::Deserialize;

use siteward_app::invitations::{Preview, SignUp};
use siteward_app::session::{Credentials, too_many_attempts};
use siteward_app::{AppError, Kind};
use siteward_core::invitation::{Invitation, InvitationStatus, InvitationTarget};

use super::lang::Lang;
use super::{
    Chrome, Notice, SESSION_COOKIE, csrf_matches, csrf_token, level_name, problem, render,
    role_name, said, secure, set_cookie, with_csrf_cookie,
};
use crate::auth::{ClientAddr, request_id};
use crate::error::status_of;
use crate::state::AppState;

/// `?token=…`, as the email's link carries it.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The accept form.
#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
}

/// What an invitation offers, as the page says it.
struct Offer {
    email: String,
    partner: String,
    site: Option<String>,
    what_label: &'static str,
    what: &'static str,
    /// Whether the access it offers starts Locked (a technician's at a site).
    starts_locked: bool,
    expires: String,
    expires_iso: String,
}

impl Offer {
    fn of(preview: &Preview) -> Self {
        let inv = &preview.invitation;
        let lang = Lang::current();
        let (what_label, what) = match &inv.target {
            InvitationTarget::Partner { role } => (lang.text().role.as_str(), role_name(*role)),
            InvitationTarget::Site { level, .. } => {
                (lang.text().level.as_str(), level_name(*level))
            }
            InvitationTarget::SiteAdmin { .. } => (
                lang.text().role.as_str(),
                lang.text().site_admin_role.as_str(),
            ),
        };
        Self {
            email: inv.email.to_string(),
            partner: preview.partner_name.clone(),
            site: preview.site_name.clone(),
            what_label,
            what,
            starts_locked: matches!(inv.target, InvitationTarget::Site { .. }),
            expires: lang.date_time(inv.expires_at),
            expires_iso: inv.expires_at.to_rfc3339(),
        }
    }
}

/// Problems with what was typed, each shown next to its field.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    name: Option<String>,
    password: Option<String>,
    totp: Option<String>,
}

impl FormErrors {
    /// An error of the app, next to the field it names, or above the form.
    fn of(error: &AppError) -> Self {
        let message = Some(said(error));
        match (error.field.as_deref(), error.code) {
            (Some("name"), _) => Self {
                name: message,
                ..Self::default()
            },
            (Some("password"), _) | (_, "invalid_credentials") => Self {
                password: message,
                ..Self::default()
            },
            (Some("totp"), _) | (_, "totp_required" | "invalid_totp") => Self {
                totp: message,
                ..Self::default()
            },
            _ => Self {
                general: message,
                ..Self::default()
            },
        }
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct OfferPage<'a> {
    chrome: Chrome,
    token: &'a str,
    csrf: &'a str,
    offer: Offer,
    account_exists: bool,
    errors: FormErrors,
    name: &'a str,
}

#[derive(Template)]
#[template(path = "invitation_done.html")]
struct DonePage<'a> {
    chrome: Chrome,
    summary: String,
    locked_note: Option<String>,
    email: &'a str,
}

/// The page for a link that does not work (any more), and its status.
fn closed(preview: Option<&Preview>, status: Option<InvitationStatus>) -> Response {
    let t = Lang::current().text();
    let partner = preview.map_or(t.the_partner.as_str(), |p| p.partner_name.as_str());
    let (code, heading, explanation, next_step) = match status {
        Some(InvitationStatus::Expired) => (
            StatusCode::GONE,
            t.invitation_expired,
            t.was_open_until
                .with(
                    "date",
                    preview.map_or_else(String::new, |p| Offer::of(p).expires),
                )
                .into(),
            t.ask_to_resend.with("partner", partner).into(),
        ),
        // A denied invitation was never sent; to whoever holds a link to it, it was withdrawn.
        Some(InvitationStatus::Revoked | InvitationStatus::Denied) => (
            StatusCode::GONE,
            t.invitation_withdrawn,
            t.withdrawn_why.with("partner", partner).into(),
            t.withdrawn_next.with("partner", partner).into(),
        ),
        Some(InvitationStatus::Accepted) => (
            StatusCode::GONE,
            t.invitation_used,
            t.used_why.to_string(),
            t.used_next.to_string(),
        ),
        // One awaiting approval has no link that works yet.
        Some(InvitationStatus::Pending | InvitationStatus::AwaitingApproval) | None => (
            StatusCode::NOT_FOUND,
            t.link_invalid,
            t.invalid_why.to_string(),
            t.invalid_next.to_string(),
        ),
    };
    let heading = heading.as_str();
    render(
        code,
        &Notice {
            chrome: Chrome::public(),
            heading,
            explanation,
            next_step,
            link: None,
        },
    )
}

/// The invitation behind `token` if it is open, or the page that says why not.
async fn open_invitation(state: &AppState, token: &str) -> Result<Preview, Response> {
    let preview = match state.preview_invitation(token).await {
        Ok(preview) => preview,
        Err(error) if error.kind == Kind::NotFound => return Err(closed(None, None)),
        Err(error) => return Err(problem(&error)),
    };
    match preview.invitation.status_at(state.now()) {
        InvitationStatus::Pending => Ok(preview),
        status => Err(closed(Some(&preview), Some(status))),
    }
}

/// The offer and its form, with a CSRF cookie when the browser has none.
fn offer_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    preview: &Preview,
    token: &str,
    (errors, name): (FormErrors, &str),
) -> Response {
    let (csrf, set) = csrf_token(state, headers);
    let page = OfferPage {
        chrome: Chrome::public(),
        token,
        csrf: &csrf,
        offer: Offer::of(preview),
        account_exists: preview.account_exists,
        errors,
        name,
    };
    with_csrf_cookie(render(status, &page), set)
}

/// `GET /invitations/accept?token=…`: what the link offers.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<TokenQuery>,
) -> Response {
    match open_invitation(&state, &query.token).await {
        Ok(preview) => offer_page(
            &state,
            &headers,
            StatusCode::OK,
            &preview,
            &query.token,
            (FormErrors::default(), ""),
        ),
        Err(page) => page,
    }
}

/// `POST /invitations/accept`: accepts, signing up or signing in, and starts a console session.
pub async fn accept(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<AcceptForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return render(
            StatusCode::FORBIDDEN,
            &Notice {
                chrome: Chrome::public(),
                heading: Lang::current().text().this_form_expired.as_str(),
                explanation: Lang::current().text().form_from_this_browser.to_string(),
                next_step: Lang::current().text().open_invitation_again.to_string(),
                link: None,
            },
        );
    }
    let preview = match open_invitation(&state, &form.token).await {
        Ok(preview) => preview,
        Err(page) => return page,
    };
    let again = |status, error: &AppError| {
        let errors = FormErrors::of(error);
        offer_page(
            &state,
            &headers,
            status,
            &preview,
            &form.token,
            (errors, &form.name),
        )
    };
    let email = preview.invitation.email.to_string();
    let credentials = || Credentials {
        email: email.clone(),
        password: form.password.clone(),
        totp: Some(form.totp.trim().to_owned()).filter(|t| !t.is_empty()),
        client: Some(crate::auth::client_description(&headers, address)),
    };
    let accepted = if preview.account_exists {
        // Signing in: the same per-address limiter and lockout as the API's login.
        if !state
            .limiter()
            .claim(address, state.now(), state.auth.max_failures_per_address)
        {
            return again(StatusCode::TOO_MANY_REQUESTS, &too_many_attempts());
        }
        let session = match state.login(credentials(), request_id(&headers)).await {
            Ok(session) => session,
            Err(error) => return again(status_of(error.kind), &error),
        };
        state.limiter().forgive(address);
        let caller = match state
            .resolve(&session.token, request_id(&headers), state.api_tokens())
            .await
        {
            Ok(caller) => caller,
            Err(error) => return problem(&error),
        };
        state
            .accept_invitation(Some(&caller), &form.token, SignUp::default())
            .await
            .map(|inv| (inv, session))
    } else {
        let sign_up = SignUp {
            name: Some(form.name.clone()),
            password: Some(form.password.clone()),
        };
        match state.accept_invitation(None, &form.token, sign_up).await {
            Ok(inv) => match state.login(credentials(), request_id(&headers)).await {
                Ok(session) => Ok((inv, session)),
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        }
    };
    let (invitation, session) = match accepted {
        Ok(done) => done,
        Err(error) => return again(status_of(error.kind), &error),
    };
    let mut response = done_page(&preview, &invitation);
    let cookie = set_cookie(SESSION_COOKIE, session.token, SameSite::Lax, secure(&state));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// What accepting gave.
fn done_page(preview: &Preview, invitation: &Invitation) -> Response {
    let partner = &preview.partner_name;
    let t = Lang::current().text();
    let (summary, locked_note) = match &invitation.target {
        InvitationTarget::Site { level, .. } => {
            let site = preview.site_name.as_deref().unwrap_or(t.the_site.as_str());
            (
                t.joined_site
                    .with("site", site)
                    .with("partner", partner)
                    .with("level", level_name(*level))
                    .into(),
                Some(match preview.technician_access {
                    Some(false) => t.joined_site_locked_access_off.with("site", site).into(),
                    _ => t.joined_site_locked.with("site", site).into(),
                }),
            )
        }
        InvitationTarget::SiteAdmin { .. } => {
            let site = preview.site_name.as_deref().unwrap_or(t.the_site.as_str());
            (
                t.joined_site_admin
                    .with("site", site)
                    .with("partner", partner)
                    .into(),
                None,
            )
        }
        InvitationTarget::Partner { role } => (
            t.joined_partner
                .with("partner", partner)
                .with("role", role_name(*role))
                .into(),
            None,
        ),
    };
    let page = DonePage {
        chrome: Chrome::public(),
        summary,
        locked_note,
        email: invitation.email.as_str(),
    };
    render(StatusCode::OK, &page)
}
