//! `/account`: the signed-in person's profile and changing their own password (which signs out
//! every other session of the account).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::session::Viewer;
use super::team::problem;
use super::{Chrome, csrf_matches, render, sentence, with_csrf_cookie};
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
    changed: bool,
    errors: PasswordErrors,
}

fn account_page(
    viewer: Viewer,
    status: StatusCode,
    changed: bool,
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
    let csrf = chrome.csrf();
    let page = AccountPage {
        csrf,
        name: account.name.clone(),
        email: account.email.to_string(),
        totp: account.totp_enabled,
        changed,
        errors,
        chrome,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /account`.
pub async fn page(viewer: Viewer) -> Response {
    account_page(viewer, StatusCode::OK, false, PasswordErrors::default())
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
            general: Some(
                "The form had expired; nothing was changed. Please try again.".to_owned(),
            ),
            ..PasswordErrors::default()
        };
        return account_page(viewer, StatusCode::FORBIDDEN, false, errors);
    }
    match state
        .change_password(&viewer.caller, form.current_password, form.new_password)
        .await
    {
        Ok(()) => account_page(viewer, StatusCode::OK, true, PasswordErrors::default()),
        Err(error) => {
            let message = Some(sentence(&error.message));
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
            account_page(viewer, status_of(error.kind), false, errors)
        }
    }
}
