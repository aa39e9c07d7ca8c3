//! Partner › Team › a member (the partner's admins): their profile, role, status and
//! privileges (changed in one form), the partner's sites they reach now and at which level,
//! their two-step sign-in reset, their removal (both after a confirmation), and their actions in
//! the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::check::Reach;
use siteward_app::page::Paging;
use siteward_app::partners::MemberChange;
use siteward_core::ids::{AccountId, PartnerId};
use siteward_core::tenancy::{MemberStatus, Privilege};

use super::access::GrantRow;
use super::audit::person_audit;
use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, ConfirmPage, CsrfForm, PageIds, back_to, csrf_matches, level_name, problem, render,
    role_name, said, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

struct SiteRow {
    id: String,
    name: String,
    level: &'static str,
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    chrome: Chrome,
    csrf: String,
    partner: String,
    base: String,
    team: String,
    name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
    active: bool,
    since: String,
    remote_support: bool,
    unattended_access: bool,
    audit: String,
    sites: Vec<SiteRow>,
    sites_next: Option<String>,
    /// Their grants, own and inherited (the department's name), for the partner's admins.
    grants: Option<Vec<(GrantRow, Option<String>)>>,
    /// Their departments (name, page), for the partner's admins.
    departments: Option<Vec<(String, String)>>,
    saved: bool,
    problem: Option<String>,
}

/// The page's paging of the member's sites.
#[derive(Debug, Default, Deserialize)]
pub struct MemberQuery {
    #[serde(default)]
    sites_after: Option<String>,
}

/// The member form: role, status, privileges (checkboxes: present when ticked).
#[derive(Debug, Default, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    remote_support: Option<String>,
    #[serde(default)]
    unattended_access: Option<String>,
}

fn base(partner: &PartnerId, account: &AccountId) -> String {
    format!("/partners/{partner}/team/{account}")
}

/// What the page says besides the member.
#[derive(Debug, Default)]
struct Said {
    saved: bool,
    problem: Option<String>,
}

async fn member_page(
    state: &AppState,
    viewer: Viewer,
    (partner, account): (&PartnerId, &AccountId),
    sites_after: Option<&str>,
    status: StatusCode,
    said: Said,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let reach = Reach {
        permission: None,
        level: None,
        paging: Paging {
            limit: Some(50),
            cursor: sites_after,
        },
    };
    let (details, member, sites, grants, departments) = match tokio::join!(
        state.partner(&caller, partner),
        state.member(&caller, partner, account),
        state.member_sites(&caller, partner, account, reach),
        state.member_grants(&caller, partner, account),
        state.member_departments(&caller, partner, account),
    ) {
        (Ok(details), Ok(member), Ok(sites), grants, departments) => {
            (details, member, sites, grants.ok(), departments.ok())
        }
        (Err(error), _, _, _, _) | (_, Err(error), _, _, _) | (_, _, Err(error), _, _) => {
            return problem(&error);
        }
    };
    let membership = &member.membership;
    let csrf = chrome.csrf();
    let page = MemberPage {
        chrome,
        csrf,
        partner: details.name,
        base: base(partner, account),
        team: format!("/partners/{partner}/team"),
        audit: person_audit(partner, member.email.as_str()),
        name: member.name.clone(),
        email: member.email.to_string(),
        role: membership.role.as_str(),
        role_label: role_name(membership.role),
        active: membership.status == MemberStatus::Active,
        since: Lang::current().date(membership.created_at),
        remote_support: membership.privileges.contains(Privilege::RemoteSupport),
        unattended_access: membership.privileges.contains(Privilege::UnattendedAccess),
        sites: sites
            .items
            .into_iter()
            .map(|(site, level)| SiteRow {
                id: site.id.to_string(),
                name: site.name,
                level: level.map_or(Lang::current().text().level_by_grant.as_str(), level_name),
            })
            .collect(),
        sites_next: sites.next_cursor,
        grants: grants.map(|grants| {
            grants
                .into_iter()
                .map(|(summary, inherited)| (GrantRow::of(summary), inherited))
                .collect()
        }),
        departments: departments.map(|departments| {
            departments
                .into_iter()
                .map(|d| (d.name, format!("/partners/{partner}/departments/{}", d.id)))
                .collect()
        }),
        saved: said.saved,
        problem: said.problem,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/team/{account_id}`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, account)): PageIds<(PartnerId, AccountId)>,
    Query(query): Query<MemberQuery>,
) -> Response {
    member_page(
        &state,
        viewer,
        (&partner, &account),
        query.sites_after.as_deref(),
        StatusCode::OK,
        Said::default(),
    )
    .await
}

/// `POST /partners/{partner_id}/team/{account_id}`: role, status and privileges at once.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, account)): PageIds<(PartnerId, AccountId)>,
    Form(form): Form<MemberForm>,
) -> Response {
    let ids = (&partner, &account);
    if !csrf_matches(&headers, &form.csrf) {
        let said = Said {
            problem: Some(Lang::current().text().form_expired.to_string()),
            ..Said::default()
        };
        return member_page(&state, viewer, ids, None, StatusCode::FORBIDDEN, said).await;
    }
    let privileges = [
        (form.remote_support.is_some(), Privilege::RemoteSupport),
        (
            form.unattended_access.is_some(),
            Privilege::UnattendedAccess,
        ),
    ]
    .into_iter()
    .filter(|(held, _)| *held)
    .map(|(_, privilege)| privilege.as_str().to_owned())
    .collect();
    let change = MemberChange {
        role: Some(form.role.clone()),
        status: Some(form.status.clone()),
        privileges: Some(privileges),
    };
    let (status, said) = match state
        .update_member(&viewer.caller, &partner, &account, &change)
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            Said {
                saved: true,
                ..Said::default()
            },
        ),
        Err(error) if error.kind == siteward_app::Kind::NotFound => return problem(&error),
        Err(error) => (
            status_of(error.kind),
            Said {
                problem: Some(said(&error)),
                ..Said::default()
            },
        ),
    };
    member_page(&state, viewer, ids, None, status, said).await
}

/// Which confirmed action a member page asks about.
#[derive(Debug, Clone, Copy)]
enum Ask {
    ResetTotp,
    Remove,
}

async fn confirm(
    state: &AppState,
    viewer: Viewer,
    ids: (&PartnerId, &AccountId),
    ask: Ask,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let (partner, account) = ids;
    let member = match state.member(&caller, partner, account).await {
        Ok(member) => member,
        Err(error) => return problem(&error),
    };
    let who = format!("{} ({})", member.name, member.email);
    let t = chrome.t;
    let (heading, question, button, path) = match ask {
        Ask::ResetTotp => (
            t.reset_two_step_heading,
            t.reset_two_step_question,
            t.reset_two_step,
            "totp-reset",
        ),
        Ask::Remove => (
            t.remove_member_heading,
            t.remove_member_question,
            t.remove,
            "remove",
        ),
    };
    let (heading, question, button) = (
        heading.as_str(),
        question.with("who", who).into(),
        button.as_str(),
    );
    let csrf = chrome.csrf();
    let page = ConfirmPage {
        chrome,
        csrf,
        heading,
        question,
        confirm: button,
        action: format!("{}/{path}", base(partner, account)),
        back: base(partner, account),
        fields: vec![],
        danger: true,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// `GET /partners/{partner_id}/team/{account_id}/totp-reset`: asks first.
pub async fn confirm_totp_reset(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, account)): PageIds<(PartnerId, AccountId)>,
) -> Response {
    confirm(&state, viewer, (&partner, &account), Ask::ResetTotp).await
}

/// `POST /partners/{partner_id}/team/{account_id}/totp-reset`.
pub async fn totp_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, account)): PageIds<(PartnerId, AccountId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let back = base(&partner, &account);
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&back).into_response();
    }
    let done = state
        .reset_member_totp(&viewer.caller, &partner, &account)
        .await;
    back_to(&back, done)
}

/// `GET /partners/{partner_id}/team/{account_id}/remove`: asks first.
pub async fn confirm_remove(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, account)): PageIds<(PartnerId, AccountId)>,
) -> Response {
    confirm(&state, viewer, (&partner, &account), Ask::Remove).await
}

/// `POST /partners/{partner_id}/team/{account_id}/remove`: then back to the team.
pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, account)): PageIds<(PartnerId, AccountId)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&base(&partner, &account)).into_response();
    }
    let done = state
        .remove_member(&viewer.caller, &partner, &account)
        .await;
    back_to(&format!("/partners/{partner}/team"), done)
}
