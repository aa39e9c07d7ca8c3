//! A site's Admins & Technicians › Technicians (references 001 and 002): each technician with
//! level, Locked or not and end of access, locked, unlocked or deleted from their row by the
//! site's admins (deleting after a confirmation); technicians waiting for their first unlock
//! stand out. Below them, the site's invitations with their status (Pending, Accepted,
//! Expired, Revoked), which the partner's admins resend or revoke, and their way to the
//! picker that invites more.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::invite::may_invite;
use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_app::technicians::{TechnicianChange, TechnicianFilter};
use siteward_core::ids::{AccountId, SiteId};

use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, ConfirmPage, CsrfForm, InvitationRow, PageIds, back_to, csrf_matches, level_name,
    problem, render, with_csrf_cookie,
};
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
    /// Whether the viewer locks, unlocks and deletes technicians here.
    manage_technicians: bool,
    /// The site's invitations, when the viewer may see them.
    invitations: Option<Vec<InvitationRow>>,
    invitations_next: Option<String>,
    /// Whether the viewer invites to the site, resends and revokes (the partner's admins).
    manage: bool,
    /// Whether the viewer reads the site's audit log.
    audit: bool,
}

/// The page's paging.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    invitations_after: Option<String>,
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
    let page_of = |cursor| Paging {
        limit: Some(50),
        cursor,
    };
    let see_invitations = SiteAccess::ManageAdmins.allows(&caller, &found);
    let (technicians, invitations) = tokio::join!(
        state.site_technicians(
            &caller,
            &site,
            TechnicianFilter::default(),
            page_of(query.after.as_deref())
        ),
        async {
            match see_invitations {
                true => state
                    .site_invitations(
                        &caller,
                        &site,
                        None,
                        page_of(query.invitations_after.as_deref()),
                    )
                    .await
                    .map(Some),
                false => Ok(None),
            }
        },
    );
    let (technicians, invitations) = match (technicians, invitations) {
        (Ok(technicians), Ok(invitations)) => (technicians, invitations),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let now = state.now();
    let manage_technicians = SiteAccess::ManageTechnicians.allows(&caller, &found);
    let manage = may_invite(&caller, &found.partner_id);
    let audit = SiteAccess::ViewAudit.allows(&caller, &found);
    let invitations_next = invitations.as_ref().and_then(|p| p.next_cursor.clone());
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
                    || Lang::current().text().no_end.to_string(),
                    |end| Lang::current().date_time(end),
                ),
            })
            .collect(),
        next: technicians.next_cursor,
        manage_technicians,
        invitations: invitations.map(|page| {
            page.items
                .iter()
                .map(|(inv, _)| InvitationRow::new(inv, now))
                .collect()
        }),
        invitations_next,
        manage,
        audit,
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
    let back = format!("/sites/{site}/technicians");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&back).into_response();
    }
    let change = TechnicianChange {
        locked: Some(form.locked == "true"),
        ..TechnicianChange::default()
    };
    let done = state
        .update_technician(&viewer.caller, &site, &account, change)
        .await;
    back_to(&back, done)
}

/// `GET /sites/{site_id}/technicians/{account_id}/remove`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let technician = match state.site_technician(&caller, &site, &account).await {
        Ok(technician) => technician,
        Err(error) => return problem(&error),
    };
    let csrf = chrome.csrf();
    let t = chrome.t;
    let page = ConfirmPage {
        chrome,
        csrf,
        heading: t.delete_access_heading.as_str(),
        question: t
            .delete_access_question
            .with("who", format!("{} ({})", technician.name, technician.email))
            .into(),
        confirm: t.delete_access.as_str(),
        action: format!("/sites/{site}/technicians/{account}/remove"),
        back: format!("/sites/{site}/technicians"),
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// `POST /sites/{site_id}/technicians/{account_id}/remove`: deletes one technician's access.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((site, account)): PageIds<(SiteId, AccountId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let back = format!("/sites/{site}/technicians");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&back).into_response();
    }
    let removed = state
        .remove_technicians(&viewer.caller, &site, &[account.to_string()])
        .await;
    back_to(&back, removed)
}
