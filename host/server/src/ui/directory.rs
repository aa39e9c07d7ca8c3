//! Partner › Settings › Identity › Directory: the team's LDAP or Active Directory. The page
//! takes the connection (URL, StartTLS, the bind account, base DN, filter, attributes, the
//! group whose members are the team's people, how often to sync), maps directory groups to
//! departments, previews what a sync would change (nothing is written), syncs on demand and
//! shows what the last sync did, or why it failed.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::directory::DirectorySetup;
use siteward_core::directory::{DEFAULT_FILTER, DirectorySettings, Plan, Skip, Step};
use siteward_core::ids::{DepartmentId, PartnerId};

use super::identity::form_expired;
use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, PageIds, csrf_matches, problem, render, said, with_csrf_cookie};
use crate::error::status_of;
use crate::state::AppState;

/// The settings form, as shown (the password never is).
#[derive(Debug)]
struct SettingsView {
    url: String,
    starttls: bool,
    bind_dn: String,
    base_dn: String,
    filter: String,
    email_attribute: String,
    name_attribute: String,
    group: String,
    interval_minutes: String,
}

impl SettingsView {
    fn of(settings: &DirectorySettings) -> Self {
        Self {
            url: settings.url.clone(),
            starttls: settings.starttls,
            bind_dn: settings.bind_dn.clone(),
            base_dn: settings.base_dn.clone(),
            filter: settings.filter.clone(),
            email_attribute: settings.email_attribute.clone(),
            name_attribute: settings.name_attribute.clone(),
            group: settings.group.clone().unwrap_or_default(),
            interval_minutes: settings.interval_minutes.to_string(),
        }
    }

    fn blank() -> Self {
        Self {
            url: String::new(),
            starttls: false,
            bind_dn: String::new(),
            base_dn: String::new(),
            filter: DEFAULT_FILTER.to_owned(),
            email_attribute: "mail".to_owned(),
            name_attribute: "displayName".to_owned(),
            group: String::new(),
            interval_minutes: "60".to_owned(),
        }
    }

    fn typed(form: &SettingsForm) -> Self {
        Self {
            url: form.url.clone(),
            starttls: form.starttls.is_some(),
            bind_dn: form.bind_dn.clone(),
            base_dn: form.base_dn.clone(),
            filter: form.filter.clone(),
            email_attribute: form.email_attribute.clone(),
            name_attribute: form.name_attribute.clone(),
            group: form.group.clone(),
            interval_minutes: form.interval_minutes.clone(),
        }
    }
}

/// A mapping as the page lists it.
struct MappingRow {
    group: String,
    department_id: DepartmentId,
    department: String,
}

/// A person in a preview.
struct PreviewRow {
    email: String,
    name: String,
    change: String,
    departments: String,
}

/// A preview: who a sync would change, and which entries it would leave out.
struct PreviewView {
    people: Vec<PreviewRow>,
    skipped: Vec<(String, String)>,
    unchanged: u32,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    chrome: Chrome,
    csrf: String,
    partner: String,
    base: String,
    identity: String,
    exists: bool,
    settings: SettingsView,
    mappings: Vec<MappingRow>,
    departments: Vec<(DepartmentId, String)>,
    domains: String,
    last_sync: Option<String>,
    last_error: Option<String>,
    preview: Option<PreviewView>,
    saved: Option<String>,
    error: Option<String>,
}

fn directory_path(partner: &PartnerId) -> String {
    format!("/partners/{partner}/identity/directory")
}

/// What the page is asked to show besides the directory.
#[derive(Debug, Deserialize)]
pub struct Shown {
    done: Option<String>,
    preview: Option<String>,
}

/// A department's name, or its id if it is gone.
fn department_name(departments: &[(DepartmentId, String)], id: &DepartmentId) -> String {
    departments
        .iter()
        .find(|(d, _)| d == id)
        .map_or_else(|| id.to_string(), |(_, n)| n.clone())
}

/// What a preview says of `plan`, in the page's words.
fn preview_of(plan: &Plan, departments: &[(DepartmentId, String)]) -> PreviewView {
    let t = Lang::current().text();
    let people = plan
        .people
        .iter()
        .map(|person| {
            let mut change = match &person.step {
                Step::Join(None) => t.directory_joins_new.to_string(),
                Step::Join(Some(_)) => t.directory_joins_existing.to_string(),
                Step::Adopt(_) => t.directory_adopted.to_string(),
                Step::Keep(_) => String::new(),
                Step::Disable(_) => t.directory_disabled.to_string(),
                Step::Enable(_) => t.directory_enabled.to_string(),
            };
            if let Some((before, after)) = &person.rename {
                let renamed = t
                    .directory_renamed
                    .with("before", before)
                    .with("after", after)
                    .to_string();
                change = if change.is_empty() {
                    renamed
                } else {
                    format!("{change}; {renamed}")
                };
            }
            let departments = person
                .departments
                .iter()
                .map(|(id, joins)| {
                    format!(
                        "{}{}",
                        if *joins { "+ " } else { "− " },
                        department_name(departments, id)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            PreviewRow {
                email: person.email.to_string(),
                name: person.name.clone(),
                change,
                departments,
            }
        })
        .collect();
    let skipped = plan
        .skipped
        .iter()
        .map(|(dn, email, why)| {
            let why = match why {
                Skip::NoEmail => t.directory_skip_no_email.to_string(),
                Skip::DomainNotClaimed => t
                    .directory_skip_domain
                    .with("email", email.as_deref().unwrap_or_default())
                    .to_string(),
                Skip::Duplicate => t
                    .directory_skip_duplicate
                    .with("email", email.as_deref().unwrap_or_default())
                    .to_string(),
            };
            (dn.clone(), why)
        })
        .collect();
    PreviewView {
        people,
        skipped,
        unchanged: plan.unchanged,
    }
}

async fn directory_page(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    status: StatusCode,
    (saved, error): (Option<String>, Option<String>),
    (typed, preview): (Option<SettingsView>, Option<Plan>),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let (details, setup) = match tokio::join!(
        state.partner(&caller, partner),
        state.directory_setup(&caller, partner)
    ) {
        (Ok(details), Ok(setup)) => (details, setup),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let DirectorySetup {
        directory,
        departments,
        domains,
    } = setup;
    let t = Lang::current().text();
    let departments: Vec<(DepartmentId, String)> =
        departments.into_iter().map(|d| (d.id, d.name)).collect();
    let (last_sync, last_error) = match directory.as_ref().map(|d| &d.last_sync) {
        Some(outcome) => match (outcome.at, &outcome.error) {
            (Some(at), Some(error)) => (
                Some(at.format("%Y-%m-%d %H:%M UTC").to_string()),
                Some(error.clone()),
            ),
            (Some(at), None) => (
                Some(
                    t.directory_last_sync
                        .with("at", at.format("%Y-%m-%d %H:%M UTC"))
                        .with("joined", outcome.joined)
                        .with("renamed", outcome.renamed)
                        .with("disabled", outcome.disabled)
                        .with("enabled", outcome.enabled)
                        .with("departments", outcome.department_changes)
                        .with("skipped", outcome.skipped)
                        .to_string(),
                ),
                None,
            ),
            (None, _) => (None, None),
        },
        None => (None, None),
    };
    let page = DirectoryPage {
        csrf: chrome.csrf(),
        chrome,
        partner: details.name,
        base: directory_path(partner),
        identity: format!("/partners/{partner}/identity"),
        exists: directory.is_some(),
        settings: typed.unwrap_or_else(|| {
            directory
                .as_ref()
                .map_or_else(SettingsView::blank, |d| SettingsView::of(&d.settings))
        }),
        mappings: directory
            .as_ref()
            .map(|d| {
                d.mappings
                    .iter()
                    .map(|m| MappingRow {
                        group: m.group.clone(),
                        department: department_name(&departments, &m.department),
                        department_id: m.department.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        preview: preview.as_ref().map(|plan| preview_of(plan, &departments)),
        departments,
        domains: domains
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        last_sync,
        last_error,
        saved,
        error,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// The page again with the failure said (a settings form keeps what was typed).
async fn refused(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    error: &AppError,
    typed: Option<SettingsView>,
) -> Response {
    let status = status_of(error.kind);
    if error.kind == siteward_app::Kind::NotFound || status == StatusCode::FORBIDDEN {
        return problem(error);
    }
    let said = (None, Some(said(error)));
    directory_page(state, viewer, partner, status, said, (typed, None)).await
}

async fn changed(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    done: &str,
    result: Result<(), AppError>,
) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("{}?done={done}", directory_path(partner))).into_response(),
        Err(error) => refused(state, viewer, partner, &error, None).await,
    }
}

/// `GET /partners/{partner_id}/identity/directory` (`?preview=1` reads the directory and
/// shows what a sync would change).
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(shown): Query<Shown>,
) -> Response {
    let t = Lang::current().text();
    let saved = match shown.done.as_deref() {
        Some("saved") => Some(t.directory_saved.to_string()),
        Some("synced") => Some(t.directory_synced.to_string()),
        Some("mapped") => Some(t.directory_mapping_added.to_string()),
        Some("unmapped") => Some(t.directory_mapping_removed.to_string()),
        Some("deleted") => Some(t.directory_deleted.to_string()),
        _ => None,
    };
    if shown.preview.is_some() {
        return match state.preview_directory(&viewer.caller, &partner).await {
            Ok(plan) => {
                let shown = (saved, None);
                directory_page(
                    &state,
                    viewer,
                    &partner,
                    StatusCode::OK,
                    shown,
                    (None, Some(plan)),
                )
                .await
            }
            Err(error) => refused(&state, viewer, &partner, &error, None).await,
        };
    }
    directory_page(
        &state,
        viewer,
        &partner,
        StatusCode::OK,
        (saved, None),
        (None, None),
    )
    .await
}

/// The settings form.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    starttls: Option<String>,
    #[serde(default)]
    bind_dn: String,
    #[serde(default)]
    bind_password: String,
    #[serde(default)]
    base_dn: String,
    #[serde(default)]
    filter: String,
    #[serde(default)]
    email_attribute: String,
    #[serde(default)]
    name_attribute: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    interval_minutes: String,
}

/// `POST /partners/{partner_id}/identity/directory`: sets the directory up or changes it.
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<SettingsForm>,
) -> Response {
    let typed = SettingsView::typed(&form);
    if !csrf_matches(&headers, &form.csrf) {
        return refused(&state, viewer, &partner, &form_expired(), Some(typed)).await;
    }
    let interval = match form.interval_minutes.trim() {
        "" => Ok(0),
        text => text.parse::<u32>().map_err(|_| {
            siteward_core::FieldError::new(
                "interval_minutes",
                "must be a whole number of minutes (0 syncs only on demand)",
            )
        }),
    };
    let settings = interval.and_then(|interval| {
        DirectorySettings::parse(
            [
                &form.url,
                &form.bind_dn,
                &form.bind_password,
                &form.base_dn,
                &form.filter,
                &form.email_attribute,
                &form.name_attribute,
                &form.group,
            ],
            form.starttls.is_some(),
            interval,
        )
    });
    let saved = match settings {
        Ok(settings) => state
            .save_directory(&viewer.caller, &partner, settings)
            .await
            .map(|_| ()),
        Err(error) => Err(error.into()),
    };
    match saved {
        Ok(()) => changed(&state, viewer, &partner, "saved", Ok(())).await,
        Err(error) => refused(&state, viewer, &partner, &error, Some(typed)).await,
    }
}

/// `POST /partners/{partner_id}/identity/directory/sync`: syncs now.
pub async fn sync(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let done = if csrf_matches(&headers, &form.csrf) {
        state
            .sync_directory(&viewer.caller, &partner)
            .await
            .map(|_| ())
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &partner, "synced", done).await
}

/// A mapping's form.
#[derive(Debug, Deserialize)]
pub struct MappingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    department: String,
}

async fn change_mapping(
    state: AppState,
    headers: &HeaderMap,
    viewer: Viewer,
    partner: PartnerId,
    (form, add): (MappingForm, bool),
) -> Response {
    let done = if !csrf_matches(headers, &form.csrf) {
        Err(form_expired())
    } else {
        match DepartmentId::parse("department", &form.department) {
            Ok(department) => state
                .change_directory_mapping(&viewer.caller, &partner, (&form.group, &department), add)
                .await
                .map(|_| ()),
            Err(error) => Err(error.into()),
        }
    };
    let done_is = if add { "mapped" } else { "unmapped" };
    changed(&state, viewer, &partner, done_is, done).await
}

/// `POST /partners/{partner_id}/identity/directory/mappings`: maps a group to a department.
pub async fn add_mapping(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<MappingForm>,
) -> Response {
    change_mapping(state, &headers, viewer, partner, (form, true)).await
}

/// `POST /partners/{partner_id}/identity/directory/mappings/delete`: removes a mapping.
pub async fn remove_mapping(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<MappingForm>,
) -> Response {
    change_mapping(state, &headers, viewer, partner, (form, false)).await
}

/// `POST /partners/{partner_id}/identity/directory/delete`: removes the directory.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<super::CsrfForm>,
) -> Response {
    let done = if csrf_matches(&headers, &form.csrf) {
        state.delete_directory(&viewer.caller, &partner).await
    } else {
        Err(form_expired())
    };
    changed(&state, viewer, &partner, "deleted", done).await
}
