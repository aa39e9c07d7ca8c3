//! Partner › Licences (reference 004): the seats of each privilege and how many are in use,
//! and the members the licences disabled automatically, with the privilege that did it —
//! apart from those an administrator disabled. The operator sets the seats here too (empty is
//! unlimited); lowering them below the holders disables the newest, never a Super Admin.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::licences::{SeatChange, may_set_licences};
use siteward_app::page::Paging;
use siteward_app::partners::MemberQuery;
use siteward_core::ids::PartnerId;
use siteward_core::tenancy::DisabledReason;

use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, PageIds, csrf_matches, privilege_name, problem, render, said, with_csrf_cookie,
};
use crate::state::AppState;

struct LicenceRow {
    privilege: &'static str,
    field: &'static str,
    seats: String,
    /// The seats as the operator's form shows them (empty: unlimited).
    value: String,
    in_use: String,
}

struct DisabledRow {
    account_id: String,
    name: String,
    email: String,
    why: String,
}

#[derive(Template)]
#[template(path = "licences.html")]
struct LicencesPage {
    chrome: Chrome,
    csrf: String,
    partner: String,
    partner_id: String,
    licences: Vec<LicenceRow>,
    disabled: Vec<DisabledRow>,
    /// Whether the viewer sets the seats (the operator).
    operator: bool,
    done: Option<String>,
    problem: Option<String>,
}

/// What the last change did.
#[derive(Debug, Default, Deserialize)]
pub struct LicencesQuery {
    /// How many members the change disabled, when it was saved.
    #[serde(default)]
    disabled: Option<usize>,
}

async fn licences_page(
    state: &AppState,
    viewer: Viewer,
    partner: &PartnerId,
    (status, done, problem_text): (StatusCode, Option<String>, Option<String>),
) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let disabled_members = MemberQuery {
        role: None,
        status: Some("disabled"),
        search: None,
    };
    let paging = Paging {
        limit: Some(200),
        cursor: None,
    };
    let (details, licences, disabled) = match tokio::join!(
        state.partner(&caller, partner),
        state.licences(&caller, partner),
        state.members(&caller, partner, disabled_members, paging),
    ) {
        (Ok(details), Ok(licences), Ok(disabled)) => (details, licences, disabled),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => return problem(&error),
    };
    let lang = Lang::current();
    let t = lang.text();
    let page = LicencesPage {
        csrf: chrome.csrf(),
        chrome,
        partner: details.name,
        partner_id: partner.to_string(),
        licences: licences
            .iter()
            .map(|l| LicenceRow {
                privilege: privilege_name(l.privilege),
                field: l.privilege.as_str(),
                seats: l
                    .seats
                    .map_or_else(|| t.unlimited.to_string(), |s| lang.number(u64::from(s))),
                value: l.seats.map(|s| s.to_string()).unwrap_or_default(),
                in_use: lang.number(u64::from(l.in_use)),
            })
            .collect(),
        disabled: disabled
            .items
            .into_iter()
            .filter(|m| m.membership.disabled_reason == Some(DisabledReason::Licence))
            .map(|m| DisabledRow {
                account_id: m.membership.account_id.to_string(),
                why: t
                    .disabled_by_licence
                    .with(
                        "privileges",
                        m.membership
                            .privileges
                            .iter()
                            .map(privilege_name)
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                    .into(),
                name: m.name,
                email: m.email.to_string(),
            })
            .collect(),
        operator: may_set_licences(&caller, partner),
        done,
        problem: problem_text,
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// `GET /partners/{partner_id}/licences`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<LicencesQuery>,
) -> Response {
    let t = Lang::current().text();
    let done = query.disabled.map(|n| {
        t.seats_saved
            .with("n", Lang::current().number(n as u64))
            .into()
    });
    licences_page(&state, viewer, &partner, (StatusCode::OK, done, None)).await
}

/// The seats as the operator's form sends them: empty is unlimited.
#[derive(Debug, Deserialize)]
pub struct SeatsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    remote_support: String,
    #[serde(default)]
    unattended_access: String,
}

/// `POST /partners/{partner_id}/licences` (the operator).
pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    axum::Form(form): axum::Form<SeatsForm>,
) -> Response {
    let path = format!("/partners/{partner}/licences");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    let seats = |text: &str, field: &str| -> Result<Option<u32>, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<u32>().map(Some).map_err(|_| {
            Lang::current()
                .text()
                .seats_not_a_number
                .with("field", field)
                .into()
        })
    };
    let t = Lang::current().text();
    let change = match (
        seats(&form.remote_support, t.privilege_remote_support.as_str()),
        seats(
            &form.unattended_access,
            t.privilege_unattended_access.as_str(),
        ),
    ) {
        (Ok(remote_support), Ok(unattended_access)) => SeatChange {
            remote_support: Some(remote_support),
            unattended_access: Some(unattended_access),
        },
        (Err(message), _) | (_, Err(message)) => {
            let refused = (StatusCode::UNPROCESSABLE_ENTITY, None, Some(message));
            return licences_page(&state, viewer, &partner, refused).await;
        }
    };
    match state.set_licences(&viewer.caller, &partner, change).await {
        Ok(done) => {
            Redirect::to(&format!("{path}?disabled={}", done.disabled.len())).into_response()
        }
        Err(error)
            if error.kind == siteward_app::Kind::Invalid
                || error.kind == siteward_app::Kind::Conflict =>
        {
            let refused = (
                crate::error::status_of(error.kind),
                None,
                Some(said(&error)),
            );
            licences_page(&state, viewer, &partner, refused).await
        }
        Err(error) => problem(&error),
    }
}
