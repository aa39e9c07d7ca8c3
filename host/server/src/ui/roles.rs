//! Partner › Role manager (reference 003, its admins): the system roles, marked and
//! unchangeable, with the permissions each holds; the partner's custom roles, each made with a
//! purpose that stays fixed and a checklist of the permissions that purpose allows, renamed or
//! given other permissions later, and deleted after a page that lists every grant the deletion
//! would take with it (the dry run the API offers, with names).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::page::Paging;
use siteward_app::roles::RoleChange;
use siteward_core::ids::PartnerId;
use siteward_core::permission::PermissionSet;
use siteward_core::permission::role::{Purpose, SystemRole};

use super::access::GrantRow;
use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, PageIds, csrf_matches, not_found, permission_name, problem, render, said,
    system_role_name, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

/// A purpose as people read it.
fn purpose_name(purpose: Purpose) -> &'static str {
    let t = Lang::current().text();
    match purpose {
        Purpose::SiteLevel => t.purpose_site_level,
        Purpose::DevicesAndGroups => t.purpose_devices_and_groups,
        Purpose::Invitations => t.purpose_invitations,
        Purpose::Administration => t.purpose_administration,
    }
    .as_str()
}

/// A permission set's names, in their order.
fn names(set: &PermissionSet) -> Vec<&'static str> {
    set.iter().map(permission_name).collect()
}

struct SystemRow {
    name: String,
    purpose: &'static str,
    permissions: Vec<&'static str>,
}

struct CustomRow {
    id: String,
    name: String,
    purpose: &'static str,
    permissions: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    chrome: Chrome,
    partner: String,
    partner_id: String,
    system: Vec<SystemRow>,
    custom: Vec<CustomRow>,
    next: Option<String>,
    purposes: Vec<(&'static str, &'static str)>,
    done: Option<&'static str>,
}

/// The list's page, and what the last action did (`created`, `saved` or `deleted`).
#[derive(Debug, Default, Deserialize)]
pub struct RolesQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    done: String,
}

fn roles_path(partner: &PartnerId) -> String {
    format!("/partners/{partner}/roles")
}

/// The custom purposes, as a choice offers them.
fn custom_purposes() -> Vec<(&'static str, &'static str)> {
    Purpose::CUSTOM
        .iter()
        .map(|p| (p.as_str(), purpose_name(*p)))
        .collect()
}

/// `GET /partners/{partner_id}/roles`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<RolesQuery>,
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
    let (details, roles) = match tokio::join!(
        state.partner(&caller, &partner),
        state.roles(&caller, &partner, paging)
    ) {
        (Ok(details), Ok(roles)) => (details, roles),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let t = chrome.t;
    let page = RolesPage {
        chrome,
        partner: details.name,
        partner_id: partner.to_string(),
        system: SystemRole::ALL
            .iter()
            .map(|role| SystemRow {
                name: system_role_name(*role),
                purpose: purpose_name(role.purpose()),
                permissions: names(&role.permissions()),
            })
            .collect(),
        custom: roles
            .items
            .into_iter()
            .map(|role| CustomRow {
                id: role.id.to_string(),
                permissions: names(&role.permissions),
                purpose: purpose_name(role.purpose),
                name: role.name,
            })
            .collect(),
        next: roles.next_cursor,
        purposes: custom_purposes(),
        done: match query.done.as_str() {
            "created" => Some(t.role_created.as_str()),
            "saved" => Some(t.role_saved.as_str()),
            "deleted" => Some(t.role_deleted.as_str()),
            _ => None,
        },
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// A permission of the checklist.
struct Check {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// Problems with the role form, each next to its field.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    name: Option<String>,
    permissions: Option<String>,
}

impl FormErrors {
    fn of(error: &AppError) -> Self {
        let message = Some(said(error));
        match error.field.as_deref() {
            Some("name") => Self {
                name: message,
                ..Self::default()
            },
            Some(field) if field.starts_with("permissions") => Self {
                permissions: message,
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
#[template(path = "role_form.html")]
struct RoleFormPage {
    chrome: Chrome,
    csrf: String,
    partner_id: String,
    heading: String,
    action: String,
    name: String,
    purpose: &'static str,
    purpose_label: &'static str,
    checklist: Vec<Check>,
    errors: FormErrors,
    submit: &'static str,
}

/// The role form's page: a new role's (no `role`) or an existing one's.
fn role_form(
    viewer: Viewer,
    partner: &PartnerId,
    role: Option<(&str, &str)>,
    (name, purpose, checked): (&str, Purpose, &[String]),
    (status, errors): (StatusCode, FormErrors),
) -> Response {
    let Viewer {
        chrome, set_csrf, ..
    } = viewer;
    let t = chrome.t;
    let (heading, action, submit) = match role {
        Some((id, current)) => (
            t.edit_role.with("role", current).into(),
            format!("/partners/{partner}/roles/{id}"),
            t.save_role.as_str(),
        ),
        None => (
            t.new_role.to_string(),
            roles_path(partner),
            t.create_role.as_str(),
        ),
    };
    let page = RoleFormPage {
        csrf: chrome.csrf(),
        chrome,
        partner_id: partner.to_string(),
        heading,
        action,
        name: name.to_owned(),
        purpose: purpose.as_str(),
        purpose_label: purpose_name(purpose),
        checklist: purpose
            .allowed()
            .iter()
            .map(|p| Check {
                value: p.as_str(),
                label: permission_name(p),
                checked: checked.iter().any(|c| c == p.as_str()),
            })
            .collect(),
        errors,
        submit,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// A new role's name and purpose, as the list's form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    purpose: String,
}

/// `GET /partners/{partner_id}/roles/new?name=…&purpose=…`: the checklist the purpose allows.
pub async fn new_role(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<NewQuery>,
) -> Response {
    // Listing the roles is what says whether the caller manages the partner.
    let paging = Paging {
        limit: Some(1),
        cursor: None,
    };
    if let Err(error) = state.roles(&viewer.caller, &partner, paging).await {
        return problem(&error);
    }
    let purpose = match Purpose::parse("purpose", &query.purpose) {
        Ok(purpose) if Purpose::CUSTOM.contains(&purpose) => purpose,
        _ => {
            return problem(&AppError::from(siteward_core::FieldError::new(
                "purpose",
                "must be devices_and_groups, invitations or administration",
            )));
        }
    };
    let fine = (StatusCode::OK, FormErrors::default());
    role_form(viewer, &partner, None, (&query.name, purpose, &[]), fine)
}

/// The role form as sent: csrf, name, purpose (for a new role) and the ticked permissions.
struct RoleForm {
    csrf: String,
    name: String,
    purpose: String,
    permissions: Vec<String>,
}

impl RoleForm {
    fn read(fields: Vec<(String, String)>) -> Self {
        let mut form = Self {
            csrf: String::new(),
            name: String::new(),
            purpose: String::new(),
            permissions: Vec::new(),
        };
        for (key, value) in fields {
            match key.as_str() {
                "csrf" => form.csrf = value,
                "name" => form.name = value,
                "purpose" => form.purpose = value,
                "permissions" => form.permissions.push(value),
                _ => {}
            }
        }
        form
    }
}

fn expired() -> FormErrors {
    FormErrors {
        general: Some(Lang::current().text().form_expired.to_string()),
        ..FormErrors::default()
    }
}

/// `POST /partners/{partner_id}/roles`: creates the role.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let form = RoleForm::read(fields);
    let purpose = Purpose::parse("purpose", &form.purpose).unwrap_or(Purpose::DevicesAndGroups);
    let sent = (form.name.as_str(), purpose, form.permissions.as_slice());
    if !csrf_matches(&headers, &form.csrf) {
        return role_form(
            viewer,
            &partner,
            None,
            sent,
            (StatusCode::FORBIDDEN, expired()),
        );
    }
    match state
        .create_role(
            &viewer.caller,
            &partner,
            &form.name,
            &form.purpose,
            &form.permissions,
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?done=created", roles_path(&partner))).into_response(),
        Err(error) if error.kind == siteward_app::Kind::NotFound => not_found(),
        Err(error) if error.kind == siteward_app::Kind::Forbidden => problem(&error),
        Err(error) => {
            let refused = (status_of(error.kind), FormErrors::of(&error));
            role_form(viewer, &partner, None, sent, refused)
        }
    }
}

/// `GET /partners/{partner_id}/roles/{role_id}`: a custom role's form.
pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, role)): PageIds<(PartnerId, String)>,
) -> Response {
    let found = match state.role(&viewer.caller, &partner, &role).await {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let checked: Vec<String> = found
        .permissions
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    let fine = (StatusCode::OK, FormErrors::default());
    let current = (found.id.as_str(), found.name.as_str());
    role_form(
        viewer,
        &partner,
        Some(current),
        (&found.name, found.purpose, &checked),
        fine,
    )
}

/// `POST /partners/{partner_id}/roles/{role_id}`: saves its name and permissions.
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, role)): PageIds<(PartnerId, String)>,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let form = RoleForm::read(fields);
    let found = match state.role(&viewer.caller, &partner, &role).await {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let sent = (
        form.name.as_str(),
        found.purpose,
        form.permissions.as_slice(),
    );
    let current = (found.id.as_str(), found.name.as_str());
    if !csrf_matches(&headers, &form.csrf) {
        let refused = (StatusCode::FORBIDDEN, expired());
        return role_form(viewer, &partner, Some(current), sent, refused);
    }
    let change = RoleChange {
        name: Some(form.name.clone()),
        permissions: Some(form.permissions.clone()),
    };
    match state
        .update_role(&viewer.caller, &partner, &role, &change)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?done=saved", roles_path(&partner))).into_response(),
        Err(error) => {
            let refused = (status_of(error.kind), FormErrors::of(&error));
            role_form(viewer, &partner, Some(current), sent, refused)
        }
    }
}

#[derive(Template)]
#[template(path = "role_delete.html")]
struct DeletePage {
    chrome: Chrome,
    csrf: String,
    partner_id: String,
    role: String,
    action: String,
    grants: Vec<GrantRow>,
}

/// `GET /partners/{partner_id}/roles/{role_id}/delete`: what deleting the role would take with
/// it, before asking.
pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, role)): PageIds<(PartnerId, String)>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let (found, grants) = match state.role_deletion_preview(&caller, &partner, &role).await {
        Ok(preview) => preview,
        Err(error) => return problem(&error),
    };
    let page = DeletePage {
        csrf: chrome.csrf(),
        partner_id: partner.to_string(),
        action: format!("/partners/{partner}/roles/{}/delete", found.id),
        role: found.name,
        grants: grants.into_iter().map(GrantRow::of).collect(),
        chrome,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// `POST /partners/{partner_id}/roles/{role_id}/delete`: deletes it with its grants.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, role)): PageIds<(PartnerId, String)>,
    axum::Form(form): axum::Form<super::CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&roles_path(&partner)).into_response();
    }
    match state
        .delete_role(&viewer.caller, &partner, &role, false)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?done=deleted", roles_path(&partner))).into_response(),
        Err(error) => problem(&error),
    }
}
