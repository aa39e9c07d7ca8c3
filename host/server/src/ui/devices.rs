//! A site's Devices tab (reference 003's devices and device groups, on the site's side): the
//! groups and the devices, each made and deleted here (deleting asks first; a group's devices
//! stay, without a group), and each device's page saying who reaches it now and why — their
//! level, or a grant of a role on the device, its group or the site, their own or a
//! department's. The site's admins and the partner's admins use it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::devices::{DeviceInput, GrantedOn, RoleName, Why};
use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_core::ids::{DeviceGroupId, DeviceId, SiteId};
use siteward_core::permission::{Permission, PermissionClass};

use siteward_core::permission::role::Purpose;

use super::access::GrantForm;
use super::lang::Lang;
use super::session::Viewer;
use super::site::{SiteNav, Tab};
use super::{
    Chrome, CsrfForm, PageIds, ask_first, back_to, csrf_matches, level_name, not_found,
    permission_name, problem, render, role_name, said, system_role_name, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

struct GroupRow {
    id: String,
    name: String,
}

struct DeviceRow {
    id: String,
    name: String,
    group: String,
}

/// Problems with the two forms, each next to its field.
#[derive(Debug, Default)]
struct FormErrors {
    general: Option<String>,
    group_name: Option<String>,
    device_name: Option<String>,
    device_group: Option<String>,
}

#[derive(Template)]
#[template(path = "site_devices.html")]
struct DevicesPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    groups: Vec<GroupRow>,
    devices: Vec<DeviceRow>,
    devices_next: Option<String>,
    errors: FormErrors,
    /// Giving access here, for the partner's admins.
    grant: Option<GrantForm>,
}

/// The devices' page.
#[derive(Debug, Default, Deserialize)]
pub struct DevicesQuery {
    #[serde(default)]
    after: Option<String>,
}

fn devices_path(site: &SiteId) -> String {
    format!("/sites/{site}/devices")
}

async fn devices_page(
    state: &AppState,
    viewer: Viewer,
    site: &SiteId,
    query: &DevicesQuery,
    (status, errors): (StatusCode, FormErrors),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let found = match state
        .visible_site(&caller, site, SiteAccess::ManageDevices)
        .await
    {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let groups_page = Paging {
        limit: Some(200),
        cursor: None,
    };
    let devices_page = Paging {
        limit: Some(50),
        cursor: query.after.as_deref(),
    };
    let (groups, devices) = match tokio::join!(
        state.device_groups(&caller, site, groups_page),
        state.devices(&caller, site, devices_page),
    ) {
        (Ok(groups), Ok(devices)) => (groups, devices),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let group_name = |id: &Option<DeviceGroupId>| {
        id.as_ref()
            .and_then(|id| groups.items.iter().find(|g| &g.id == id))
            .map_or_else(
                || Lang::current().text().no_group.to_string(),
                |g| g.name.clone(),
            )
    };
    let t = chrome.t;
    let mut places = vec![(
        format!("site:{}", found.id),
        t.every_device_here.to_string(),
    )];
    places.extend(groups.items.iter().map(|g| {
        (
            format!("group:{}", g.id),
            t.the_group.with("group", &g.name).into(),
        )
    }));
    let grant = GrantForm::new(
        state,
        &caller,
        &found.partner_id,
        places,
        &[Purpose::DevicesAndGroups],
        (chrome.csrf(), devices_path(site)),
    )
    .await;
    let page = DevicesPage {
        grant,
        csrf: chrome.csrf(),
        chrome,
        nav: SiteNav::new(&caller, &found, Tab::Devices),
        site: found.name.clone(),
        site_id: found.id.to_string(),
        devices: devices
            .items
            .iter()
            .map(|d| DeviceRow {
                id: d.id.to_string(),
                name: d.name.clone(),
                group: group_name(&d.group_id),
            })
            .collect(),
        devices_next: devices.next_cursor,
        groups: groups
            .items
            .into_iter()
            .map(|g| GroupRow {
                id: g.id.to_string(),
                name: g.name,
            })
            .collect(),
        errors,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /sites/{site_id}/devices`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<DevicesQuery>,
) -> Response {
    let fine = (StatusCode::OK, FormErrors::default());
    devices_page(&state, viewer, &site, &query, fine).await
}

/// The new-device form, and the new-group form (`name` alone).
#[derive(Debug, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    group_id: String,
}

/// The page again with a write's refusal next to its field, or Not found.
async fn refused(
    state: &AppState,
    viewer: Viewer,
    site: &SiteId,
    error: &AppError,
    errors: impl FnOnce(Option<String>) -> FormErrors,
) -> Response {
    if error.kind == siteward_app::Kind::NotFound {
        return not_found();
    }
    let refusal = (status_of(error.kind), errors(Some(said(error))));
    devices_page(state, viewer, site, &DevicesQuery::default(), refusal).await
}

fn expired() -> FormErrors {
    FormErrors {
        general: Some(Lang::current().text().form_expired.to_string()),
        ..FormErrors::default()
    }
}

/// `POST /sites/{site_id}/devices`: a new device, in a group or none.
pub async fn create_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<NewForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        let refusal = (StatusCode::FORBIDDEN, expired());
        return devices_page(&state, viewer, &site, &DevicesQuery::default(), refusal).await;
    }
    let input = DeviceInput {
        name: Some(form.name),
        group_id: Some(form.group_id).filter(|g| !g.is_empty()),
    };
    match state.create_device(&viewer.caller, &site, &input).await {
        Ok(_) => Redirect::to(&devices_path(&site)).into_response(),
        Err(error) => {
            let field = error.field.clone();
            refused(&state, viewer, &site, &error, |message| {
                match field.as_deref() {
                    Some("group_id") => FormErrors {
                        device_group: message,
                        ..FormErrors::default()
                    },
                    _ => FormErrors {
                        device_name: message,
                        ..FormErrors::default()
                    },
                }
            })
            .await
        }
    }
}

/// `POST /sites/{site_id}/device-groups`: a new device group.
pub async fn create_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<NewForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        let refusal = (StatusCode::FORBIDDEN, expired());
        return devices_page(&state, viewer, &site, &DevicesQuery::default(), refusal).await;
    }
    match state
        .create_device_group(&viewer.caller, &site, &form.name)
        .await
    {
        Ok(_) => Redirect::to(&devices_path(&site)).into_response(),
        Err(error) => {
            refused(&state, viewer, &site, &error, |message| FormErrors {
                group_name: message,
                ..FormErrors::default()
            })
            .await
        }
    }
}

/// `GET /sites/{site_id}/devices/{device_id}/remove`: asks first.
pub async fn confirm_remove_device(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, device)): PageIds<(SiteId, DeviceId)>,
) -> Response {
    let name = match state.device(&viewer.caller, &site, &device).await {
        Ok(device) => device.name,
        Err(error) => return problem(&error),
    };
    let t = viewer.chrome.t;
    ask_first(
        viewer,
        t.delete_device_heading.as_str(),
        t.delete_device_question.with("device", name).into(),
        t.delete.as_str(),
        (
            format!("/sites/{site}/devices/{device}/remove"),
            devices_path(&site),
        ),
    )
}

/// `POST /sites/{site_id}/devices/{device_id}/remove`.
pub async fn remove_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, device)): PageIds<(SiteId, DeviceId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&devices_path(&site)).into_response();
    }
    let removed = state.delete_device(&viewer.caller, &site, &device).await;
    back_to(&devices_path(&site), removed)
}

/// `GET /sites/{site_id}/device-groups/{group_id}/remove`: asks first.
pub async fn confirm_remove_group(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, group)): PageIds<(SiteId, DeviceGroupId)>,
) -> Response {
    let name = match state.device_group(&viewer.caller, &site, &group).await {
        Ok(group) => group.name,
        Err(error) => return problem(&error),
    };
    let t = viewer.chrome.t;
    ask_first(
        viewer,
        t.delete_group_heading.as_str(),
        t.delete_group_question.with("group", name).into(),
        t.delete.as_str(),
        (
            format!("/sites/{site}/device-groups/{group}/remove"),
            devices_path(&site),
        ),
    )
}

/// `POST /sites/{site_id}/device-groups/{group_id}/remove`.
pub async fn remove_group(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, group)): PageIds<(SiteId, DeviceGroupId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&devices_path(&site)).into_response();
    }
    let removed = state
        .delete_device_group(&viewer.caller, &site, &group)
        .await;
    back_to(&devices_path(&site), removed)
}

struct ReacherRow {
    name: String,
    email: String,
    why: String,
}

struct PermissionOption {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "device_reach.html")]
struct ReachPage {
    chrome: Chrome,
    /// Giving access to this device, for the partner's admins.
    grant: Option<GrantForm>,
    site_id: String,
    device_id: String,
    device: String,
    group: Option<String>,
    permission: &'static str,
    permission_label: &'static str,
    permissions: Vec<PermissionOption>,
    reachers: Vec<ReacherRow>,
    next: Option<String>,
}

/// The permission asked about, and the page.
#[derive(Debug, Default, Deserialize)]
pub struct ReachQuery {
    #[serde(default)]
    permission: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

/// Why, in the page's language.
fn why_said(why: &Why) -> String {
    let t = Lang::current().text();
    match why {
        Why::Level(level) => t.why_level.with("level", level_name(*level)).into(),
        Why::PartnerRole(role) => t.why_partner_role.with("role", role_name(*role)).into(),
        Why::Grant {
            role,
            on,
            department,
        } => {
            let role = match role {
                RoleName::System(system) => system_role_name(*system),
                RoleName::Custom(name) => name.clone(),
            };
            let on: String = match on {
                GrantedOn::Site => t.on_the_site.to_string(),
                GrantedOn::Group(group) => t.on_the_group.with("group", group).into(),
                GrantedOn::Device => t.on_this_device.to_string(),
            };
            let said: String = t.why_grant.with("role", role).with("on", on).into();
            match department {
                Some(department) => t
                    .through_department
                    .with("grant", said)
                    .with("department", department)
                    .into(),
                None => said,
            }
        }
    }
}

/// `GET /sites/{site_id}/devices/{device_id}`: who reaches the device now, and why.
pub async fn reach(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, device)): PageIds<(SiteId, DeviceId)>,
    Query(query): Query<ReachQuery>,
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
    let permission = query.permission.as_deref().filter(|p| !p.is_empty());
    let reach = match state
        .device_reach(&caller, &site, &device, permission, paging)
        .await
    {
        Ok(reach) => reach,
        Err(error) => return problem(&error),
    };
    let asked = permission
        .and_then(|p| Permission::parse("permission", p).ok())
        .unwrap_or(Permission::ScreenView);
    let back = format!("/sites/{site}/devices/{device}");
    let places = vec![(format!("device:{device}"), chrome.t.this_device.to_string())];
    let grant = GrantForm::new(
        &state,
        &caller,
        &reach.device.partner_id,
        places,
        &[Purpose::DevicesAndGroups],
        (chrome.csrf(), back),
    )
    .await;
    let page = ReachPage {
        grant,
        chrome,
        site_id: site.to_string(),
        device_id: device.to_string(),
        device: reach.device.name,
        group: reach.group.map(|g| g.name),
        permission: asked.as_str(),
        permission_label: permission_name(asked),
        permissions: Permission::ALL
            .iter()
            .filter(|p| p.class() == PermissionClass::Device)
            .map(|p| PermissionOption {
                value: p.as_str(),
                label: permission_name(*p),
            })
            .collect(),
        reachers: reach
            .reachers
            .items
            .iter()
            .map(|r| ReacherRow {
                name: r.account.name.clone(),
                email: r.account.email.to_string(),
                why: why_said(&r.why),
            })
            .collect(),
        next: reach.reachers.next_cursor,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}
