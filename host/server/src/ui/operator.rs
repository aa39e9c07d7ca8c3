//! The operator console: every partner with its seats, members and sites; a new partner with
//! its first Super Admin; an account disabled or enabled again platform-wide, by its email.
//! The platform's audit log, with every chain verified on request, is `ui/audit`'s.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::page::Paging;
use siteward_app::people::Person;

use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, csrf_matches, privilege_name, problem, render, said, with_csrf_cookie};
use crate::error::status_of;
use crate::state::AppState;

struct PartnerRow {
    id: String,
    name: String,
    members: String,
    sites: String,
    /// Each privilege's seats: "in use / seats".
    seats: Vec<(&'static str, String)>,
}

/// Problems with the forms, each next to its field.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    name: Option<String>,
    admin_email: Option<String>,
    admin_name: Option<String>,
    admin_password: Option<String>,
    account_email: Option<String>,
}

#[derive(Template)]
#[template(path = "operator_partners.html")]
struct PartnersPage {
    chrome: Chrome,
    csrf: String,
    partners: Vec<PartnerRow>,
    next: Option<String>,
    errors: FormErrors,
    done: Option<String>,
}

/// The list's page, and what the last action did.
#[derive(Debug, Default, Deserialize)]
pub struct PartnersQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    done: String,
}

const PARTNERS: &str = "/operator/partners";

async fn partners_page(
    state: &AppState,
    viewer: Viewer,
    query: &PartnersQuery,
    (status, errors): (StatusCode, FormErrors),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let paging = Paging {
        limit: Some(50),
        cursor: query.after.as_deref(),
    };
    let overview = match state.partner_overview(&caller, paging).await {
        Ok(overview) => overview,
        Err(error) => return problem(&error),
    };
    let lang = Lang::current();
    let t = lang.text();
    let page = PartnersPage {
        csrf: chrome.csrf(),
        chrome,
        partners: overview
            .items
            .into_iter()
            .map(|o| PartnerRow {
                id: o.partner.id.to_string(),
                name: o.partner.name,
                members: lang.number(o.members),
                sites: lang.number(o.sites),
                seats: o
                    .licences
                    .iter()
                    .map(|l| {
                        let seats = l
                            .seats
                            .map_or_else(|| t.unlimited.to_string(), |s| lang.number(u64::from(s)));
                        let used = lang.number(u64::from(l.in_use));
                        (privilege_name(l.privilege), format!("{used} / {seats}"))
                    })
                    .collect(),
            })
            .collect(),
        next: overview.next_cursor,
        errors,
        done: match query.done.as_str() {
            "created" => Some(t.partner_created.to_string()),
            "active" => Some(t.account_enabled.to_string()),
            "disabled" => Some(t.account_disabled_done.to_string()),
            _ => None,
        },
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /operator/partners`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<PartnersQuery>,
) -> Response {
    partners_page(
        &state,
        viewer,
        &query,
        (StatusCode::OK, FormErrors::default()),
    )
    .await
}

fn expired() -> FormErrors {
    FormErrors {
        general: Some(Lang::current().text().form_expired.to_string()),
        ..FormErrors::default()
    }
}

/// The new-partner form.
#[derive(Debug, Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    admin_email: String,
    #[serde(default)]
    admin_name: String,
    #[serde(default)]
    admin_password: String,
}

/// `POST /operator/partners`: a partner with its first Super Admin.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    axum::Form(form): axum::Form<PartnerForm>,
) -> Response {
    let query = PartnersQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        return partners_page(&state, viewer, &query, (StatusCode::FORBIDDEN, expired())).await;
    }
    let admin = Person {
        email: form.admin_email,
        name: form.admin_name,
        password: Some(form.admin_password).filter(|p| !p.is_empty()),
    };
    match state
        .create_partner(&viewer.caller, &form.name, &admin)
        .await
    {
        Ok(_) => Redirect::to(&format!("{PARTNERS}?done=created")).into_response(),
        Err(error) if error.kind == siteward_app::Kind::Forbidden => problem(&error),
        Err(error) => {
            let message = Some(said(&error));
            let errors = match error.field.as_deref() {
                Some("name") => FormErrors {
                    name: message,
                    ..FormErrors::default()
                },
                Some("super_admin.email") => FormErrors {
                    admin_email: message,
                    ..FormErrors::default()
                },
                Some("super_admin.name") => FormErrors {
                    admin_name: message,
                    ..FormErrors::default()
                },
                Some("super_admin.password") => FormErrors {
                    admin_password: message,
                    ..FormErrors::default()
                },
                _ => FormErrors {
                    general: message,
                    ..FormErrors::default()
                },
            };
            partners_page(&state, viewer, &query, (status_of(error.kind), errors)).await
        }
    }
}

/// An account's email and the status it is to have.
#[derive(Debug, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    status: String,
}

/// `POST /operator/accounts`: disables an account platform-wide, or enables it again.
pub async fn set_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    axum::Form(form): axum::Form<AccountForm>,
) -> Response {
    let query = PartnersQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        return partners_page(&state, viewer, &query, (StatusCode::FORBIDDEN, expired())).await;
    }
    let done: Result<(), AppError> = async {
        let account = state.account_by_email(&viewer.caller, &form.email).await?;
        state
            .set_account_status(&viewer.caller, &account.id, &form.status)
            .await
    }
    .await;
    match done {
        Ok(()) => {
            let status = if form.status == "active" {
                "active"
            } else {
                "disabled"
            };
            Redirect::to(&format!("{PARTNERS}?done={status}")).into_response()
        }
        Err(error) if error.kind == siteward_app::Kind::Forbidden => problem(&error),
        Err(error) => {
            let errors = FormErrors {
                account_email: Some(said(&error)),
                ..FormErrors::default()
            };
            partners_page(&state, viewer, &query, (status_of(error.kind), errors)).await
        }
    }
}
