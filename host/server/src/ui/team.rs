//! Partner › Team (its admins): its people in one list — members, and invitations to join
//! with their status (resend and revoke from each row, revoking after a confirmation) —
//! searched and filtered by role, state and status on the server, and inviting one address or
//! many.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::idempotency::Answer;
use siteward_app::invite::{Invited, PartnerInvite};
use siteward_app::page::Paging;
use siteward_app::partners::{TeamEntry, TeamQuery as PeopleQuery};
use siteward_core::ids::{InvitationId, PartnerId};
use siteward_core::invitation::Invitation;
use siteward_core::tenancy::{DisabledReason, MemberStatus, Privilege};

use super::audit::person_audit;
use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, ConfirmPage, CsrfForm, InvitationRow, NO_RETRY, PageIds, csrf_matches, not_found,
    not_stored, problem, render, role_name, said, with_csrf_cookie,
};
use crate::error::status_of;
use crate::state::AppState;

/// One person of the list: a member, or an invitation to become one.
enum PersonRow {
    Member {
        id: String,
        name: String,
        email: String,
        /// Their actions in the audit log.
        audit: String,
        role: &'static str,
        status: &'static str,
    },
    Invitation(InvitationRow),
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

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage<'a> {
    chrome: Chrome,
    csrf: String,
    partner: String,
    partner_id: String,
    people: Vec<PersonRow>,
    /// The query of the list's next page, filters included.
    next: Option<String>,
    query: &'a TeamQuery,
    results: Vec<ResultRow>,
    errors: InviteErrors,
    /// The invite form.
    form: InviteShown<'a>,
    /// The partner's departments to choose from: id and name.
    departments: Vec<(String, String)>,
}

/// The list's filters and page.
#[derive(Debug, Default, Deserialize)]
pub struct TeamQuery {
    /// People whose name or email contains this.
    #[serde(default)]
    search: String,
    /// People with (or invited to) this role.
    #[serde(default)]
    role: String,
    /// Only members (`member`) or only invitations (`invitation`).
    #[serde(default)]
    state: String,
    /// A member's `active` or `disabled`, an invitation's `pending`, `expired` or `revoked`.
    #[serde(default)]
    status: String,
    /// Where the page starts.
    #[serde(default)]
    after: Option<String>,
}

impl TeamQuery {
    /// The app's query: an empty field filters nothing.
    fn people(&self) -> PeopleQuery<'_> {
        fn given(text: &str) -> Option<&str> {
            Some(text).filter(|t| !t.is_empty())
        }
        PeopleQuery {
            role: given(&self.role),
            state: given(&self.state),
            status: given(&self.status),
            search: given(&self.search),
        }
    }

    /// The query string of the page after `cursor`, with the same filters.
    fn next(&self, cursor: &str) -> String {
        serde_urlencoded::to_string([
            ("search", self.search.as_str()),
            ("role", self.role.as_str()),
            ("state", self.state.as_str()),
            ("status", self.status.as_str()),
            ("after", cursor),
        ])
        .unwrap_or_default()
    }
}

/// What the invite form sent.
#[derive(Debug, Default)]
pub struct InviteForm {
    csrf: String,
    emails: String,
    role: String,
    /// `on` when checked.
    remote_support: Option<String>,
    /// `on` when checked.
    unattended_access: Option<String>,
    /// The departments checked (`department`, once per box).
    departments: Vec<String>,
}

impl InviteForm {
    /// The form from its fields; `department` may come many times.
    fn read(fields: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "emails" => form.emails = value,
                "role" => form.role = value,
                "remote_support" => form.remote_support = Some(value),
                "unattended_access" => form.unattended_access = Some(value),
                "department" => form.departments.push(value),
                _ => {}
            }
        }
        form
    }

    /// The privileges checked, by name.
    fn privileges(&self) -> Vec<String> {
        [
            (&self.remote_support, Privilege::RemoteSupport),
            (&self.unattended_access, Privilege::UnattendedAccess),
        ]
        .into_iter()
        .filter(|(checked, _)| checked.is_some())
        .map(|(_, privilege)| privilege.as_str().to_owned())
        .collect()
    }

    /// The form as it was sent, to show again; `emails` is what the field keeps.
    fn shown<'a>(&'a self, emails: &'a str) -> InviteShown<'a> {
        InviteShown {
            emails,
            role: &self.role,
            remote_support: self.remote_support.is_some(),
            unattended_access: self.unattended_access.is_some(),
            departments: &self.departments,
        }
    }
}

/// The invite form as the page shows it: fresh, or as sent.
struct InviteShown<'a> {
    emails: &'a str,
    role: &'a str,
    remote_support: bool,
    unattended_access: bool,
    /// The departments checked, by id.
    departments: &'a [String],
}

impl InviteShown<'_> {
    /// A fresh form: a Technician with what a new member holds by default.
    const FRESH: InviteShown<'static> = InviteShown {
        emails: "",
        role: "technician",
        remote_support: false,
        unattended_access: true,
        departments: &[],
    };
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
        "awaiting_approval" => t.outcome_awaiting_approval,
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
    (results, errors, form): (Vec<ResultRow>, InviteErrors, InviteShown<'_>),
    status_code: StatusCode,
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
    // Reads of one page, side by side; the list's refusal speaks first. The departments to
    // invite into are offered to those who manage the partner (none otherwise).
    let first_departments = Paging {
        limit: Some(100),
        cursor: None,
    };
    let (people, details, departments) = match tokio::join!(
        state.team(&caller, partner, query.people(), paging),
        state.partner(&caller, partner),
        state.departments(&caller, partner, first_departments),
    ) {
        (Ok(people), Ok(details), departments) => (
            people,
            details,
            departments.map(|page| page.items).unwrap_or_default(),
        ),
        (Err(error), _, _) | (_, Err(error), _) => return problem(&error),
    };
    let now = state.now();
    let t = chrome.t;
    let csrf = chrome.csrf();
    let page = TeamPage {
        chrome,
        csrf,
        partner: details.name,
        partner_id: partner.to_string(),
        people: people
            .items
            .into_iter()
            .map(|entry| match entry {
                TeamEntry::Member(m) => PersonRow::Member {
                    id: m.membership.account_id.to_string(),
                    audit: person_audit(partner, m.email.as_str()),
                    name: m.name,
                    email: m.email.to_string(),
                    role: role_name(m.membership.role),
                    status: match (m.membership.status, m.membership.disabled_reason) {
                        (MemberStatus::Active, _) => t.active,
                        (MemberStatus::Disabled, Some(DisabledReason::Licence)) => {
                            t.disabled_licence_status
                        }
                        (MemberStatus::Disabled, _) => t.disabled,
                    }
                    .as_str(),
                },
                TeamEntry::Invitation(inv) => PersonRow::Invitation(
                    InvitationRow::new(&inv, now)
                        .approvable_by(state.approves_invitation(&caller, &inv)),
                ),
            })
            .collect(),
        next: people.next_cursor.map(|cursor| query.next(&cursor)),
        query,
        results,
        errors,
        form,
        departments: departments
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
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
    let nothing = (Vec::new(), InviteErrors::default(), InviteShown::FRESH);
    team_page(&state, viewer, &partner, &query, nothing, StatusCode::OK).await
}

/// `POST /partners/{partner_id}/team/invitations`: invites, then shows each address's outcome.
pub async fn invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = InviteForm::read(fields);
    let query = TeamQuery::default();
    if !csrf_matches(&headers, &form.csrf) {
        let errors = InviteErrors {
            general: Some(Lang::current().text().form_expired.to_string()),
            ..InviteErrors::default()
        };
        let again = (Vec::new(), errors, form.shown(&form.emails));
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
    let privileges = form.privileges();
    let input = PartnerInvite {
        emails: &emails,
        role: &form.role,
        locale: None,
        privileges: Some(&privileges),
        departments: &form.departments,
        grants: &[],
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
            let message = Some(said(&error));
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
    let shown = (results, errors, form.shown(typed));
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

/// An approver's decision as its form sends it.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /invitations/{invitation_id}/approve`: sent as its inviter's.
pub async fn approve(
    state: State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    id: PageIds<InvitationId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    decide(state, headers, viewer, id, form, true).await
}

/// `POST /invitations/{invitation_id}/deny`: refused, saying why.
pub async fn deny(
    state: State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    id: PageIds<InvitationId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    decide(state, headers, viewer, id, form, false).await
}

async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(id): PageIds<InvitationId>,
    form: DecisionForm,
    approve: bool,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    match state
        .decide_invitation(&viewer.caller, &id, approve, Some(&form.reason))
        .await
    {
        Ok(inv) => Redirect::to(&back_from(&inv)).into_response(),
        Err(error) => problem(&error),
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
        fields: vec![],
        danger: true,
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
