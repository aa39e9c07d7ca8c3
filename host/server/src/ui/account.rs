//! `/account`: the signed-in person's profile, the console's language, changing their own
//! password (which signs out every other session of the account), two-step sign-in, and where
//! they are signed in — each session signed out on its own, or all but this one at once.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_core::ids::SessionId;

use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, CsrfForm, PageIds, back_to, csrf_matches, problem, render, said, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

/// Problems with the password form, each next to its field.
#[derive(Debug, Default)]
struct PasswordErrors {
    general: Option<String>,
    current: Option<String>,
    new: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    csrf: String,
    name: String,
    email: String,
    totp: bool,
    /// The language the person chose (its tag), or empty to follow the browser.
    locale: String,
    /// The languages to choose from: tag and name, in that language.
    languages: Vec<(&'static str, &'static str)>,
    totp_news: Option<&'static str>,
    totp_error: Option<String>,
    changed: bool,
    errors: PasswordErrors,
    sessions: Vec<SessionRow>,
    sessions_ended: bool,
    language_saved: bool,
    language_error: Option<String>,
    /// Whether this session may do nothing else until two-step sign-in is set up.
    must_enrol: bool,
    /// What the person's teams hold them to, one sentence each.
    held: Vec<String>,
}

/// One of the person's sessions.
struct SessionRow {
    id: String,
    client: String,
    started: String,
    ends: String,
    current: bool,
}

/// What the page says besides the password form's errors.
#[derive(Debug, Default)]
struct Said {
    /// The password was changed.
    changed: bool,
    /// News of two-step sign-in.
    totp_news: Option<&'static str>,
    /// Why a two-step change was refused.
    totp_error: Option<String>,
    /// Other sessions were ended.
    sessions_ended: bool,
    /// The language was saved.
    language_saved: bool,
    /// Why the language was not saved.
    language_error: Option<String>,
}

async fn account_page(
    state: &AppState,
    viewer: Viewer,
    status: StatusCode,
    said: Said,
    errors: PasswordErrors,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let account = match caller.account() {
        Ok(account) => account,
        Err(error) => return problem(&error),
    };
    let (sessions, security) =
        match tokio::join!(state.my_sessions(&caller), state.my_security(&caller)) {
            (Ok(sessions), Ok(security)) => (sessions, security),
            (Err(error), _) | (_, Err(error)) => return problem(&error),
        };
    let csrf = chrome.csrf();
    let lang = chrome.lang;
    let t = chrome.t;
    let page = AccountPage {
        csrf,
        name: account.name.clone(),
        email: account.email.to_string(),
        totp: account.totp_enabled,
        locale: account.locale.clone().unwrap_or_default(),
        languages: Lang::ALL.map(|l| (l.tag(), l.name())).into(),
        totp_news: said.totp_news,
        totp_error: said.totp_error,
        changed: said.changed,
        errors,
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id.to_string(),
                client: s
                    .client
                    .unwrap_or_else(|| t.somewhere_not_recorded.to_string()),
                started: lang.date_time(s.created_at),
                ends: lang.date_time(s.expires_at),
                current: s.current,
            })
            .collect(),
        sessions_ended: said.sessions_ended,
        language_saved: said.language_saved,
        language_error: said.language_error,
        must_enrol: security.must_enrol,
        held: held_sentences(&security.held),
        chrome,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// What a person's teams hold them to, as sentences in the page's language.
fn held_sentences(held: &siteward_core::security::SecurityPolicy) -> Vec<String> {
    let t = Lang::current().text();
    let mut sentences = Vec::new();
    if held.require_two_factor {
        sentences.push(t.held_two_step.to_string());
    }
    if let Some(hours) = held.session_hours {
        sentences.push(t.held_session_hours.with("hours", hours).into());
    }
    if let Some(minutes) = held.fresh_sign_in_minutes {
        sentences.push(t.held_fresh_minutes.with("minutes", minutes).into());
    }
    sentences
}

/// What `GET /account` is told by the form that led to it.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    /// What was just changed: `language`, `totp_on` or `totp_off`.
    #[serde(default)]
    saved: String,
}

/// `GET /account`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<AccountQuery>,
) -> Response {
    let t = Lang::current().text();
    let said = Said {
        language_saved: query.saved == "language",
        totp_news: match query.saved.as_str() {
            "totp_on" => Some(t.totp_now_on.as_str()),
            "totp_off" => Some(t.totp_now_off.as_str()),
            _ => None,
        },
        ..Said::default()
    };
    account_page(
        &state,
        viewer,
        StatusCode::OK,
        said,
        PasswordErrors::default(),
    )
    .await
}

/// The language form: a tag the console speaks, or empty to follow the browser.
#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    locale: String,
}

/// `POST /account/language`: the console speaks the chosen language from the next page on,
/// wherever the person signs in.
pub async fn set_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<LanguageForm>,
) -> Response {
    let t = Lang::current().text();
    let (status, why) = if !csrf_matches(&headers, &form.csrf) {
        (StatusCode::FORBIDDEN, t.form_expired)
    } else if form.locale.is_empty() || Lang::ALL.iter().any(|l| l.tag() == form.locale) {
        let chosen = Some(form.locale.as_str()).filter(|tag| !tag.is_empty());
        return match state.set_my_language(&viewer.caller, chosen).await {
            Ok(()) => saved("language"),
            Err(error) => problem(&error),
        };
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, t.language_unknown)
    };
    let said = Said {
        language_error: Some(why.to_string()),
        ..Said::default()
    };
    account_page(&state, viewer, status, said, PasswordErrors::default()).await
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        let errors = PasswordErrors {
            general: Some(Lang::current().text().form_expired.to_string()),
            ..PasswordErrors::default()
        };
        return account_page(
            &state,
            viewer,
            StatusCode::FORBIDDEN,
            Said::default(),
            errors,
        )
        .await;
    }
    match state
        .change_password(&viewer.caller, form.current_password, form.new_password)
        .await
    {
        Ok(()) => {
            let said = Said {
                changed: true,
                ..Said::default()
            };
            account_page(
                &state,
                viewer,
                StatusCode::OK,
                said,
                PasswordErrors::default(),
            )
            .await
        }
        Err(error) => {
            let message = Some(said(&error));
            let errors = match error.field.as_deref() {
                Some("current_password") => PasswordErrors {
                    current: message,
                    ..PasswordErrors::default()
                },
                Some("new_password") => PasswordErrors {
                    new: message,
                    ..PasswordErrors::default()
                },
                _ => PasswordErrors {
                    general: message,
                    ..PasswordErrors::default()
                },
            };
            account_page(
                &state,
                viewer,
                status_of(error.kind),
                Said::default(),
                errors,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "totp_setup.html")]
struct TotpSetupPage {
    chrome: Chrome,
    csrf: String,
    /// The QR code of `uri`, as inline SVG (made here, not from input).
    qr: String,
    secret: String,
    uri: String,
    error: Option<String>,
}

/// The `otpauth://` URI as an inline SVG QR code that names what it is for.
fn qr_svg(uri: &str, label: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(uri.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(192, 192)
        .build();
    let svg = svg.split_once("?>").map_or(svg.as_str(), |(_, rest)| rest);
    // The label is the console's own text, never input.
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

fn setup_page(
    viewer: Viewer,
    status: StatusCode,
    secret: String,
    uri: String,
    error: Option<String>,
) -> Response {
    let Viewer {
        chrome, set_csrf, ..
    } = viewer;
    let page = TotpSetupPage {
        csrf: chrome.csrf(),
        qr: qr_svg(&uri, chrome.t.totp_qr_label.as_str()),
        secret,
        uri,
        error,
        chrome,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// A CSRF-checked form with a code from an authenticator app.
#[derive(Debug, Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    uri: String,
}

/// The account page saying why a two-step change did not happen.
async fn totp_refused(
    state: &AppState,
    viewer: Viewer,
    status: StatusCode,
    why: String,
) -> Response {
    let said = Said {
        totp_error: Some(why),
        ..Said::default()
    };
    account_page(state, viewer, status, said, PasswordErrors::default()).await
}

/// The account page saying why the app refused a two-step change.
async fn totp_failed(state: &AppState, viewer: Viewer, error: &AppError) -> Response {
    let why = said(error);
    totp_refused(state, viewer, status_of(error.kind), why).await
}

/// After a change to the account itself, the account page as it now is, saying what changed
/// (`saved` names it): a new request, so the page reads the changed account.
fn saved(what: &str) -> Response {
    Redirect::to(&format!("/account?saved={what}")).into_response()
}

/// `POST /account/totp`: a new secret, shown once as a QR code and as text.
pub async fn enroll_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<TotpForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return totp_refused(
            &state,
            viewer,
            StatusCode::FORBIDDEN,
            Lang::current().text().form_expired.to_string(),
        )
        .await;
    }
    match state.totp_enroll(&viewer.caller).await {
        Ok(enrolment) => setup_page(
            viewer,
            StatusCode::OK,
            enrolment.secret,
            enrolment.otpauth_uri,
            None,
        ),
        Err(error) => totp_failed(&state, viewer, &error).await,
    }
}

/// `POST /account/totp/confirm`: the first code turns it on.
pub async fn confirm_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<TotpForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return totp_refused(
            &state,
            viewer,
            StatusCode::FORBIDDEN,
            Lang::current().text().form_expired.to_string(),
        )
        .await;
    }
    match state.totp_confirm(&viewer.caller, form.code.trim()).await {
        Ok(()) => saved("totp_on"),
        // The same secret again, so the app already set up need not scan a new one.
        Err(error) if error.field.as_deref() == Some("code") || error.code == "invalid_totp" => {
            let why = Lang::current().text().totp_wrong.to_string();
            setup_page(
                viewer,
                status_of(error.kind),
                form.secret,
                form.uri,
                Some(why),
            )
        }
        Err(error) => totp_failed(&state, viewer, &error).await,
    }
}

/// `POST /account/totp/remove`: a current code turns it off.
pub async fn remove_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<TotpForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return totp_refused(
            &state,
            viewer,
            StatusCode::FORBIDDEN,
            Lang::current().text().form_expired.to_string(),
        )
        .await;
    }
    match state.totp_remove(&viewer.caller, form.code.trim()).await {
        Ok(()) => saved("totp_off"),
        Err(error) => totp_failed(&state, viewer, &error).await,
    }
}

/// `POST /account/sessions/others`: signs out everywhere else.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        let errors = PasswordErrors::default();
        return account_page(
            &state,
            viewer,
            StatusCode::FORBIDDEN,
            Said::default(),
            errors,
        )
        .await;
    }
    match state.end_my_other_sessions(&viewer.caller).await {
        Ok(()) => {
            let said = Said {
                sessions_ended: true,
                ..Said::default()
            };
            account_page(
                &state,
                viewer,
                StatusCode::OK,
                said,
                PasswordErrors::default(),
            )
            .await
        }
        Err(error) => problem(&error),
    }
}

/// `POST /account/sessions/{session_id}/end`: signs one session out.
pub async fn end_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(session): PageIds<SessionId>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/account").into_response();
    }
    back_to(
        "/account",
        state.end_my_session(&viewer.caller, &session).await,
    )
}
