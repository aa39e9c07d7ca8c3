//! A site's Settings › Site › Security (reference 002): the Technician Access switch. On, the
//! site's menu becomes "Admins & Technicians" and technicians may enter as their access says;
//! off, no technician passes a check at the site and their screens say why. The site's admins
//! switch it; whoever may see the site reads it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::sites::SiteAccess;
use siteward_core::ids::SiteId;

use super::session::Viewer;
use super::site::{SiteNav, Tab};
use super::{Chrome, PageIds, csrf_matches, problem, render, with_csrf_cookie};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "site_security.html")]
struct SecurityPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    technician_access: bool,
    /// Whether the viewer may switch it.
    may_switch: bool,
    saved: bool,
}

/// Whether the page follows a save.
#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /sites/{site_id}/security`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<SavedQuery>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let found = match state.visible_site(&caller, &site, SiteAccess::View).await {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let page = SecurityPage {
        csrf: chrome.csrf(),
        chrome,
        nav: SiteNav::new(&caller, &found, Tab::Security),
        site: found.name.clone(),
        site_id: found.id.to_string(),
        technician_access: found.technician_access,
        may_switch: SiteAccess::ManageTechnicians.allows(&caller, &found),
        saved: query.saved.is_some(),
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The switch, as the form sends it: `on` or `off`.
#[derive(Debug, Deserialize)]
pub struct SecurityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    technician_access: String,
}

/// `POST /sites/{site_id}/security`.
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<SecurityForm>,
) -> Response {
    let path = format!("/sites/{site}/security");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    // Anything but "on" is off: the form offers the two, and off is the safe side.
    let on = form.technician_access == "on";
    match state
        .set_technician_access(&viewer.caller, &site, Some(on))
        .await
    {
        Ok(_) => Redirect::to(&format!("{path}?saved=1")).into_response(),
        Err(error) => problem(&error),
    }
}
