//! Partner › Team (its admins): the members, the invitations with their status (resend and
//! revoke from each row, revoking after a confirmation), and inviting one address or many.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::idempotency::Answer;
use siteward_app::invite::{Invited, PartnerInvite};
use siteward_app::page::Paging;
use siteward_app::partners::MemberQuery;
use siteward_core::ids::{InvitationId, PartnerId};
use siteward_core::invitation::Invitation;
use siteward_core::tenancy::MemberStatus;

use super::audit::person_audit;
use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, ConfirmPage, CsrfForm, InvitationRow, NO_RETRY, PageIds, csrf_matches, not_found,
    not_stored, problem, render, role_name, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

struct MemberRow {
    id: String,
    name: String,
    email: String,
    /// Their actions in the audit log.
    audit: String,
    role: &'static str,
    status: &'static str,
}

struct ResultRow {
    email: String,
    outcome: String,
}

/// Problems with the invite form.
#[derive(Debug, Default)]
struct InviteErrors {
    general: Option<String>,
    emails: Option<String>,
}

/// The invitation statuses to filter by: form value and label.
fn statuses() -> Vec<(&'static str, &'static str)> {
    let t = Lang::current().text();
    vec![
        ("pending", t.status_pending.as_str()),
        ("accepted", t.status_accepted.as_str()),
        ("expired", t.status_expired.as_str()),
        ("revoked", t.status_revoked.as_str()),
        ("all", t.all.as_str()),
    ]
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage<'a> {
    chrome: Chrome,
    csrf: String,
    partner: String,
    partner_id: String,
    members: Vec<MemberRow>,
    /// The query of the members' next page, filters included.
    members_next: Option<String>,
    search: &'a str,
    role_filter: &'a str,
    member_status: &'a str,
    invitations: Vec<InvitationRow>,
    invitations_next: Option<String>,
    statuses: Vec<(&'static str, &'static str)>,
    status: &'a str,
    results: Vec<ResultRow>,
    errors: InviteErrors,
    emails: &'a str,
    role: &'a str,
}

/// The list's filter and pages.
#[derive(Debug, Default, Deserialize)]
pub struct TeamQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    members_after: Option<String>,
    #[serde(default)]
    invitations_after: Option<String>,
    /// Members whose name or email contains this.
    #[serde(default)]
    search: String,
    /// Members with this role.
    #[serde(default)]
    role: String,
    /// Members with this status.
    #[serde(default)]
    member_status: String,
}

/// What the invite form sent.
#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    emails: String,
    #[serde(default)]
    role: String,
}

fn outcome_text(invited: &Invited) -> String {
    let t = Lang::current().text();
    let outcome = match invited.outcome.as_str() {
        "invited" => t.outcome_invited,
        "already_invited" => t.outcome_already_invited,
        "already_member" => t.outcome_already_member,
        "invalid_address" => t.outcome_invalid_address,
        "duplicate_in_request" => t.outcome_duplicate,
        "denied" => t.outcome_denied,
        "approval_required" => t.outcome_approval_required,
        other => return other.to_owned(),
    };
    match &invited.reason {
        Some(reason) => format!("{outcome}: {reason}"),
        None => outcome.to_string(),
    }
}

/// The page, with what an invite just did.
async fn team_page(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    query: &TeamQuery,
    (results, errors, emails, role): (Vec<ResultRow>, InviteErrors, &str, &str),
    status_code: StatusCode,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let status = query.status.as_deref().unwrap_or("pending");
    let filter = (status != "all").then_some(status);
    let page_of = |cursor| Paging {
        limit: Some(50),
        cursor,
    };
    // Three reads of one page, side by side; the invitations' refusal speaks first.
    let (invitations, details, members) = match tokio::join!(
        state.partner_invitations(
            &caller,
            partner,
            filter,
            page_of(query.invitations_after.as_deref())
        ),
        state.partner(&caller, partner),
        state.members(
            &caller,
            partner,
            MemberQuery {
                role: Some(query.role.as_str()).filter(|r| !r.is_empty()),
                status: Some(query.member_status.as_str()).filter(|s| !s.is_empty()),
                search: Some(query.search.as_str()),
            },
            page_of(query.members_after.as_deref())
        ),
    ) {
        (Ok(invitations), Ok(details), Ok(members)) => (invitations, details, members),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => return problem(&error),
    };
    let now = state.now();
    let csrf = chrome.csrf();
    let page = TeamPage {
        chrome,
        csrf,
        partner: details.name,
        partner_id: partner.to_string(),
        members: members
            .items
            .into_iter()
            .map(|m| MemberRow {
                id: m.membership.account_id.to_string(),
                name: m.name,
                audit: person_audit(partner, m.email.as_str()),
                email: m.email.to_string(),
                role: role_name(m.membership.role),
                status: match m.membership.status {
                    MemberStatus::Active => Lang::current().text().active,
                    MemberStatus::Disabled => Lang::current().text().disabled,
                }
                .as_str(),
            })
            .collect(),
        members_next: members.next_cursor.map(|cursor| {
            serde_urlencoded::to_string([
                ("search", query.search.as_str()),
                ("role", query.role.as_str()),
                ("member_status", query.member_status.as_str()),
                ("members_after", cursor.as_str()),
            ])
            .unwrap_or_default()
        }),
        search: &query.search,
        role_filter: &query.role,
        member_status: &query.member_status,
        invitations: invitations
            .items
            .into_iter()
            .map(|(inv, _)| InvitationRow::new(&inv, now))
            .collect(),
        invitations_next: invitations.next_cursor,
        statuses: statuses(),
        status,
        results,
        errors,
        emails,
        role,
    };
    with_csrf_cookie(render(status_code, &page), set_csrf)
}

/// `GET /partners/{partner_id}/team`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<TeamQuery>,
) -> Response {
    let nothing = (Vec::new(), InviteErrors::default(), "", "technician");
    team_page(&state, viewer, &partner, &query, nothing, StatusCode::OK).await
}

/// `POST /partners/{partner_id}/team/invitations`: invites, then shows each address's outcome.
pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(form): Form<InviteForm>,
) -> Response {
    let query = TeamQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        let errors = InviteErrors {
            general: Some(Lang::current().text().form_expired.to_string()),
            ..InviteErrors::default()
        };
        let again = (Vec::new(), errors, form.emails.as_str(), form.role.as_str());
        return team_page(
            &state,
            viewer,
            &partner,
            &query,
            again,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let emails: Vec<String> = form
        .emails
        .split(['\n', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect();
    let input = PartnerInvite {
        emails: &emails,
        role: &form.role,
        locale: None,
    };
    let answer = state
        .invite_to_partner(&viewer.caller, &partner, input, NO_RETRY, not_stored)
        .await;
    let (results, errors, status) = match answer {
        Ok(Answer::Done(invited)) => (
            invited
                .iter()
                .map(|i| ResultRow {
                    email: i.email.clone(),
                    outcome: outcome_text(i),
                })
                .collect(),
            InviteErrors::default(),
            StatusCode::OK,
        ),
        Ok(Answer::Replayed(_)) => (Vec::new(), InviteErrors::default(), StatusCode::OK),
        Err(error) if error.kind == siteward_app::Kind::NotFound => return not_found(),
        Err(error) => {
            let message = Some(error.message.to_string());
            let errors = match error.field.as_deref() {
                Some("emails") => InviteErrors {
                    emails: message,
                    ..InviteErrors::default()
                },
                _ => InviteErrors {
                    general: message,
                    ..InviteErrors::default()
                },
            };
            (Vec::new(), errors, status_of(error.kind))
        }
    };
    let typed = if results.is_empty() {
        form.emails.as_str()
    } else {
        ""
    };
    let shown = (results, errors, typed, form.role.as_str());
    team_page(&state, viewer, &partner, &query, shown, status).await
}

/// Where to go back to after acting on an invitation: its site's page for an invitation to a
/// site, else its partner's team page.
fn back_from(inv: &Invitation) -> String {
    match inv.target.site() {
        Some(site) => format!("/sites/{site}/technicians"),
        None => format!("/partners/{}/team", inv.partner_id),
    }
}

/// `POST /invitations/{invitation_id}/resend`: a fresh link and expiry.
pub async fn resend(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(id): PageIds<InvitationId>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    match state
        .resend_invitation(&viewer.caller, &id, NO_RETRY, not_stored)
        .await
    {
        Ok(Answer::Done(inv)) => Redirect::to(&back_from(&inv)).into_response(),
        Ok(Answer::Replayed(_)) => Redirect::to("/").into_response(),
        Err(error) => problem(&error),
    }
}

/// `GET /invitations/{invitation_id}/revoke`: asks first.
pub async fn confirm_revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(id): PageIds<InvitationId>,
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let (inv, _) = match state.invitation(&caller, &id).await {
        Ok(found) => found,
        Err(error) => return problem(&error),
    };
    let csrf = chrome.csrf();
    let t = chrome.t;
    let page = ConfirmPage {
        chrome,
        csrf,
        heading: t.revoke_heading.as_str(),
        question: t.revoke_question.with("email", &inv.email).into(),
        confirm: t.revoke.as_str(),
        action: format!("/invitations/{id}/revoke"),
        back: back_from(&inv),
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// `POST /invitations/{invitation_id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(id): PageIds<InvitationId>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    match state.revoke_invitation(&viewer.caller, &id).await {
        Ok(inv) => Redirect::to(&back_from(&inv)).into_response(),
        Err(error) => problem(&error),
    }
}
