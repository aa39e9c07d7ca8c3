//! A forgotten password: `/forgot-password` asks for the address and sends the link (the same
//! answer whether an account has it or not; asks count against the client address's sign-in
//! budget), and `/reset-password?token=…`, the email's link, sets the new password once.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::session::too_many_attempts;

use super::lang::Lang;
use super::{Chrome, Notice, csrf_matches, csrf_token, render, said, with_csrf_cookie};
use crate::auth::{ClientAddr, request_id};
use crate::error::status_of;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage<'a> {
    chrome: Chrome,
    csrf: &'a str,
    email: &'a str,
    sent: bool,
    general: Option<String>,
    email_error: Option<String>,
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage<'a> {
    chrome: Chrome,
    csrf: &'a str,
    token: &'a str,
    email: &'a str,
    general: Option<String>,
    password_error: Option<String>,
}

/// What the forgotten-password form sent.
#[derive(Debug, Default, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// The link's token, in the query or the form.
#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

fn forgot_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    sent: bool,
    problem: Option<&AppError>,
) -> Response {
    let (csrf, set) = csrf_token(state, headers);
    let (general, email_error) = match problem {
        Some(error) if error.field.as_deref() == Some("email") => (None, Some(said(error))),
        Some(error) => (Some(said(error)), None),
        None => (None, None),
    };
    let page = ForgotPage {
        chrome: Chrome::public(),
        csrf: &csrf,
        email,
        sent,
        general,
        email_error,
    };
    with_csrf_cookie(render(status, &page), set)
}

/// `GET /forgot-password`.
pub async fn forgot(State(state): State<AppState>, headers: HeaderMap) -> Response {
    forgot_page(&state, &headers, StatusCode::OK, "", false, None)
}

/// `POST /forgot-password`: sends the link, if an account has the address.
pub async fn send_link(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Response {
    let again = |status, problem: &AppError| {
        forgot_page(&state, &headers, status, &form.email, false, Some(problem))
    };
    if !csrf_matches(&headers, &form.csrf) {
        let mut expired = AppError::forbidden();
        expired.message = "the form had expired; please send it again".into();
        return again(StatusCode::FORBIDDEN, &expired);
    }
    if !state
        .limiter()
        .claim(address, state.now(), state.auth.max_failures_per_address)
    {
        return again(StatusCode::TOO_MANY_REQUESTS, &too_many_attempts());
    }
    match state
        .request_password_reset(&form.email, request_id(&headers))
        .await
    {
        Ok(()) => forgot_page(&state, &headers, StatusCode::OK, &form.email, true, None),
        Err(error) => again(status_of(error.kind), &error),
    }
}

/// The page for a link that does not work (used, replaced, expired or mangled).
fn link_gone(error: &AppError) -> Response {
    let page = Notice {
        chrome: Chrome::public(),
        heading: Lang::current().text().link_gone.as_str(),
        explanation: said(error),
        next_step: Lang::current().text().link_gone_next.to_string(),
        link: Some((
            "/forgot-password",
            Lang::current().text().ask_new_link.as_str(),
        )),
    };
    render(status_of(error.kind), &page)
}

/// `GET /reset-password?token=…`: the email's link.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ResetForm>,
) -> Response {
    let account = match state.password_reset_account(&query.token).await {
        Ok(account) => account,
        Err(error) => return link_gone(&error),
    };
    let (csrf, set) = csrf_token(&state, &headers);
    let page = ResetPage {
        chrome: Chrome::public(),
        csrf: &csrf,
        token: &query.token,
        email: account.email.as_str(),
        general: None,
        password_error: None,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set)
}

/// `POST /reset-password`: sets the new password; every session of the account ends.
pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Response {
    let account = match state.password_reset_account(&form.token).await {
        Ok(account) => account,
        Err(error) => return link_gone(&error),
    };
    let again = |status, general: Option<String>, password_error: Option<String>| {
        let (csrf, set) = csrf_token(&state, &headers);
        let page = ResetPage {
            chrome: Chrome::public(),
            csrf: &csrf,
            token: &form.token,
            email: account.email.as_str(),
            general,
            password_error,
        };
        with_csrf_cookie(render(status, &page), set)
    };
    if !csrf_matches(&headers, &form.csrf) {
        let expired = Lang::current().text().form_expired.to_string();
        return again(StatusCode::FORBIDDEN, Some(expired), None);
    }
    match state
        .reset_password(&form.token, form.password.clone(), request_id(&headers))
        .await
    {
        Ok(account) => {
            let t = Lang::current().text();
            render(
                StatusCode::OK,
                &Notice {
                    chrome: Chrome::public(),
                    heading: t.password_was_changed.as_str(),
                    explanation: t
                        .password_was_changed_why
                        .with("email", account.email)
                        .into(),
                    next_step: t.sign_in_with_new_password.to_string(),
                    link: Some(("/sign-in", t.sign_in.as_str())),
                },
            )
        }
        Err(error) if error.field.as_deref() == Some("password") => {
            again(status_of(error.kind), None, Some(said(&error)))
        }
        Err(error) if error.code == "reset_link_gone" => link_gone(&error),
        Err(error) => again(status_of(error.kind), Some(said(&error)), None),
    }
}
