//! Partner › Departments (reference 003, its admins): the departments; one's page with its
//! members (added by their email, taken out from their row) and the grants it holds, which
//! every member inherits; a new grant for it given from Partner › Access or where a device is;
//! deleting a department after a confirmation (its members' access through it ends, and its
//! grants go).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::page::Paging;
use siteward_core::ids::{AccountId, DepartmentId, PartnerId};

use super::access::GrantRow;
use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, CsrfForm, PageIds, ask_first, back_to, csrf_matches, not_found, problem, render, said,
    with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "departments.html")]
struct DepartmentsPage {
    chrome: Chrome,
    csrf: String,
    partner: String,
    partner_id: String,
    /// Id and name.
    departments: Vec<(String, String)>,
    next: Option<String>,
    name_error: Option<String>,
}

/// The list's page.
#[derive(Debug, Default, Deserialize)]
pub struct DepartmentsQuery {
    #[serde(default)]
    after: Option<String>,
}

fn departments_path(partner: &PartnerId) -> String {
    format!("/partners/{partner}/departments")
}

async fn departments_page(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    query: &DepartmentsQuery,
    (status, name_error): (StatusCode, Option<String>),
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
    let (details, departments) = match tokio::join!(
        state.partner(&caller, partner),
        state.departments(&caller, partner, paging)
    ) {
        (Ok(details), Ok(departments)) => (details, departments),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let page = DepartmentsPage {
        csrf: chrome.csrf(),
        chrome,
        partner: details.name,
        partner_id: partner.to_string(),
        departments: departments
            .items
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
        next: departments.next_cursor,
        name_error,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/departments`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<DepartmentsQuery>,
) -> Response {
    departments_page(&state, viewer, &partner, &query, (StatusCode::OK, None)).await
}

/// A name, as the new-department form sends it.
#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /partners/{partner_id}/departments`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    axum::Form(form): axum::Form<NameForm>,
) -> Response {
    let query = DepartmentsQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        let expired = Some(Lang::current().text().form_expired.to_string());
        return departments_page(
            &state,
            viewer,
            &partner,
            &query,
            (StatusCode::FORBIDDEN, expired),
        )
        .await;
    }
    match state
        .create_department(&viewer.caller, &partner, &form.name)
        .await
    {
        Ok(department) => {
            Redirect::to(&format!("{}/{}", departments_path(&partner), department.id))
                .into_response()
        }
        Err(error) if error.kind == siteward_app::Kind::NotFound => not_found(),
        Err(error) if error.kind == siteward_app::Kind::Forbidden => problem(&error),
        Err(error) => {
            let refused = (status_of(error.kind), Some(said(&error)));
            departments_page(&state, viewer, &partner, &query, refused).await
        }
    }
}

struct MemberRow {
    account_id: String,
    name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "department.html")]
struct DepartmentPage {
    chrome: Chrome,
    csrf: String,
    partner_id: String,
    department_id: String,
    name: String,
    members: Vec<MemberRow>,
    grants: Vec<GrantRow>,
    email: String,
    email_error: Option<String>,
}

async fn department_page(
    state: &AppState,
    viewer: Viewer,
    (partner, department): (&PartnerId, &DepartmentId),
    (status, email, email_error): (StatusCode, String, Option<String>),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let view = match state.department_view(&caller, partner, department).await {
        Ok(view) => view,
        Err(error) => return problem(&error),
    };
    let page = DepartmentPage {
        csrf: chrome.csrf(),
        chrome,
        partner_id: partner.to_string(),
        department_id: department.to_string(),
        name: view.department.name,
        members: view
            .members
            .into_iter()
            .map(|account| MemberRow {
                account_id: account.id.to_string(),
                name: account.name,
                email: account.email.to_string(),
            })
            .collect(),
        grants: view.grants.into_iter().map(GrantRow::of).collect(),
        email,
        email_error,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/departments/{department_id}`.
pub async fn department(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(ids): PageIds<(PartnerId, DepartmentId)>,
) -> Response {
    let fine = (StatusCode::OK, String::new(), None);
    department_page(&state, viewer, (&ids.0, &ids.1), fine).await
}

/// A member's email, as the add form sends it.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /partners/{partner_id}/departments/{department_id}/members`: adds a member by email.
pub async fn add_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, department)): PageIds<(PartnerId, DepartmentId)>,
    axum::Form(form): axum::Form<EmailForm>,
) -> Response {
    let ids = (&partner, &department);
    if !csrf_matches(&headers, &form.csrf) {
        let expired = Some(Lang::current().text().form_expired.to_string());
        return department_page(
            &state,
            viewer,
            ids,
            (StatusCode::FORBIDDEN, form.email, expired),
        )
        .await;
    }
    let added = async {
        let account = state
            .member_by_email(&viewer.caller, &partner, "email", &form.email)
            .await?;
        state
            .set_department_member(&viewer.caller, (&partner, &department, &account), true)
            .await
    }
    .await;
    match added {
        Ok(()) => {
            Redirect::to(&format!("{}/{department}", departments_path(&partner))).into_response()
        }
        Err(error) if error.kind == siteward_app::Kind::Invalid => {
            let refused = (status_of(error.kind), form.email, Some(said(&error)));
            department_page(&state, viewer, ids, refused).await
        }
        Err(error) => problem(&error),
    }
}

/// `POST /partners/{partner_id}/departments/{department_id}/members/{account_id}/remove`.
pub async fn remove_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, department, account)): PageIds<(PartnerId, DepartmentId, AccountId)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    let back = format!("{}/{department}", departments_path(&partner));
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&back).into_response();
    }
    let removed = state
        .set_department_member(&viewer.caller, (&partner, &department, &account), false)
        .await;
    back_to(&back, removed)
}

/// `GET /partners/{partner_id}/departments/{department_id}/delete`: asks first.
pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, department)): PageIds<(PartnerId, DepartmentId)>,
) -> Response {
    let view = match state
        .department_view(&viewer.caller, &partner, &department)
        .await
    {
        Ok(view) => view,
        Err(error) => return problem(&error),
    };
    let t = viewer.chrome.t;
    ask_first(
        viewer,
        t.delete_department_heading.as_str(),
        t.delete_department_question
            .with("department", view.department.name)
            .with("members", view.members.len())
            .with("grants", view.grants.len())
            .into(),
        t.delete_department.as_str(),
        (
            format!("/partners/{partner}/departments/{department}/delete"),
            format!("/partners/{partner}/departments/{department}"),
        ),
    )
}

/// `POST /partners/{partner_id}/departments/{department_id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, department)): PageIds<(PartnerId, DepartmentId)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&departments_path(&partner)).into_response();
    }
    let deleted: Result<(), AppError> = state
        .delete_department(&viewer.caller, &partner, &department)
        .await;
    back_to(&departments_path(&partner), deleted)
}
