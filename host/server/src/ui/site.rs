//! A site's Admins & Technicians › Technicians (reference 002): each technician with level,
//! Locked or not and end of access; the site's admins lock and unlock from each row.
//! Technicians waiting for their first unlock stand out.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_app::technicians::{TechnicianChange, TechnicianFilter};
use siteward_core::ids::{AccountId, SiteId};

use super::session::Viewer;
use super::{Chrome, PageIds, csrf_matches, level_name, problem, render, with_csrf_cookie};
use crate::state::AppState;

struct TechnicianRow {
    account_id: String,
    name: String,
    email: String,
    level: &'static str,
    locked: bool,
    /// Locked and never changed since it was accepted: waiting for its first unlock.
    waiting: bool,
    until: String,
}

#[derive(Template)]
#[template(path = "site_technicians.html")]
struct TechniciansPage {
    chrome: Chrome,
    csrf: String,
    site: String,
    site_id: String,
    technicians: Vec<TechnicianRow>,
    next: Option<String>,
}

/// The page's paging.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: Option<String>,
}

/// `GET /sites/{site_id}/technicians`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<PageQuery>,
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
    let paging = Paging {
        limit: Some(50),
        cursor: query.after.as_deref(),
    };
    let technicians = match state
        .site_technicians(&caller, &site, TechnicianFilter::default(), paging)
        .await
    {
        Ok(page) => page,
        Err(error) => return problem(&error),
    };
    let csrf = chrome.csrf();
    let page = TechniciansPage {
        chrome,
        csrf,
        site: found.name,
        site_id: site.to_string(),
        technicians: technicians
            .items
            .into_iter()
            .map(|t| TechnicianRow {
                account_id: t.assignment.account_id.to_string(),
                name: t.name,
                email: t.email.to_string(),
                level: level_name(t.assignment.level),
                locked: t.assignment.locked,
                waiting: t.assignment.locked && t.assignment.updated_at == t.assignment.created_at,
                until: t.assignment.expires_at.map_or_else(
                    || "No end".to_owned(),
                    |end| end.format("%-d %B %Y, %H:%M UTC").to_string(),
                ),
            })
            .collect(),
        next: technicians.next_cursor,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The lock form.
#[derive(Debug, Deserialize)]
pub struct LockForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    locked: String,
}

/// `POST /sites/{site_id}/technicians/{account_id}/lock`: locks or unlocks one technician.
pub async fn lock(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<LockForm>,
) -> Response {
    let back = Redirect::to(&format!("/sites/{site}/technicians")).into_response();
    if !csrf_matches(&headers, &form.csrf) {
        return back;
    }
    let change = TechnicianChange {
        locked: Some(form.locked == "true"),
        ..TechnicianChange::default()
    };
    match state
        .update_technician(&viewer.caller, &site, &account, change)
        .await
    {
        Ok(_) => back,
        Err(error) => problem(&error),
    }
}
