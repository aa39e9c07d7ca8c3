//! Partner › Access (reference 003's "Access to devices and sections", its admins): every grant
//! of the partner with who holds it, which role, where and for how long, deleted after a
//! confirmation; and giving one. The new-grant form ([`GrantForm`]) sits where its place is
//! chosen: a site's Devices tab (the site or one of its groups), a device's page (that
//! device), this page (a section); all post to `/partners/{id}/grants` and come back.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::auth::Caller;
use siteward_app::devices::RoleName;
use siteward_app::grants::{GrantFor, NewGrant};
use siteward_app::page::Paging;
use siteward_app::roles::{GrantHolder, GrantPlace, GrantSummary};
use siteward_core::ids::{GrantId, PartnerId};
use siteward_core::permission::Section;
use siteward_core::permission::role::{Purpose, SystemRole};

use super::lang::Lang;
use super::session::Viewer;
use super::{
    Chrome, CsrfForm, PageIds, ask_first, back_to, csrf_matches, day_after, day_start, local_path,
    problem, render, said, system_role_name, with_csrf_cookie,
};
use crate::state::AppState;

/// A grant as a list shows it.
#[derive(Debug)]
pub struct GrantRow {
    pub(super) id: String,
    pub(super) holder: String,
    pub(super) role: String,
    pub(super) place: String,
    pub(super) window: String,
}

impl GrantRow {
    /// The row of a grant, in the page's language.
    pub fn of(summary: GrantSummary) -> Self {
        let lang = Lang::current();
        let t = lang.text();
        let window = match (summary.grant.valid_from, summary.grant.expires_at) {
            (None, None) => t.always.to_string(),
            (Some(from), None) => t.from_day.with("from", lang.date_time(from)).into(),
            (None, Some(until)) => t.until_moment.with("until", lang.date_time(until)).into(),
            (Some(from), Some(until)) => t
                .between
                .with("from", lang.date_time(from))
                .with("until", lang.date_time(until))
                .into(),
        };
        Self {
            id: summary.grant.id.to_string(),
            holder: match summary.subject {
                GrantHolder::Technician(who) => who,
                GrantHolder::Department(name) => t.department_named.with("name", name).into(),
                GrantHolder::Invited(email) => t.invited_named.with("email", email).into(),
            },
            role: match summary.role {
                RoleName::System(system) => system_role_name(system),
                RoleName::Custom(name) => name,
            },
            place: place_said(summary.place),
            window,
        }
    }
}

/// Where a grant applies, in the page's language.
pub fn place_said(place: GrantPlace) -> String {
    let t = Lang::current().text();
    match place {
        GrantPlace::Site(site) => t.place_site.with("site", site).into(),
        GrantPlace::Group(group, site) => {
            t.place_group.with("group", group).with("site", site).into()
        }
        GrantPlace::Device(device, site) => t
            .place_device
            .with("device", device)
            .with("site", site)
            .into(),
        GrantPlace::Section(Section::Invitations) => t.section_invitations.to_string(),
        GrantPlace::Section(Section::Administration) => t.section_administration.to_string(),
    }
}

/// The new-grant form, as a page embeds it (`grant_form.html`).
#[derive(Debug)]
pub struct GrantForm {
    pub(super) partner_id: String,
    pub(super) csrf: String,
    /// Where: `kind:id` and what it reads as; one entry is a fixed place.
    pub(super) places: Vec<(String, String)>,
    /// The partner's departments: id and name.
    pub(super) departments: Vec<(String, String)>,
    /// The roles the places take: value and name.
    pub(super) roles: Vec<(String, String)>,
    /// Where the form's page is, to come back to.
    pub(super) back: String,
}

impl GrantForm {
    /// The form for `places`, offering the roles of `purposes`: the system roles, then the
    /// partner's custom roles. `None` when the caller does not manage the partner's grants.
    pub async fn new(
        state: &AppState,
        caller: &Caller,
        partner: &siteward_core::ids::PartnerId,
        places: Vec<(String, String)>,
        purposes: &[Purpose],
        (csrf, back): (String, String),
    ) -> Option<Self> {
        let all = |limit| Paging {
            limit: Some(limit),
            cursor: None,
        };
        let (departments, roles) = tokio::join!(
            state.departments(caller, partner, all(200)),
            state.roles(caller, partner, all(200))
        );
        let (departments, roles) = (departments.ok()?, roles.ok()?);
        let mut offered: Vec<(String, String)> = SystemRole::ALL
            .iter()
            .filter(|role| purposes.contains(&role.purpose()))
            .map(|role| (role.as_str().to_owned(), system_role_name(*role)))
            .collect();
        offered.extend(
            roles
                .items
                .into_iter()
                .filter(|role| purposes.contains(&role.purpose))
                .map(|role| (role.id.to_string(), role.name)),
        );
        Some(Self {
            partner_id: partner.to_string(),
            csrf,
            places,
            departments: departments
                .items
                .into_iter()
                .map(|d| (d.id.to_string(), d.name))
                .collect(),
            roles: offered,
            back,
        })
    }
}

#[derive(Template)]
#[template(path = "access.html")]
struct AccessPage {
    chrome: Chrome,
    partner: String,
    partner_id: String,
    grants: Vec<GrantRow>,
    next: Option<String>,
    grant: Option<GrantForm>,
}

/// The list's page.
#[derive(Debug, Default, Deserialize)]
pub struct AccessQuery {
    #[serde(default)]
    after: Option<String>,
}

/// `GET /partners/{partner_id}/access`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<AccessQuery>,
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
    let (details, grants) = match tokio::join!(
        state.partner(&caller, &partner),
        state.grant_summaries(&caller, &partner, paging)
    ) {
        (Ok(details), Ok(grants)) => (details, grants),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let sections = Section::ALL
        .iter()
        .map(|section| {
            (
                format!("section:{}", section.as_str()),
                place_said(GrantPlace::Section(*section)),
            )
        })
        .collect();
    let purposes = [Purpose::Invitations, Purpose::Administration];
    let back = format!("/partners/{partner}/access");
    let grant = GrantForm::new(
        &state,
        &caller,
        &partner,
        sections,
        &purposes,
        (chrome.csrf(), back),
    )
    .await;
    let page = AccessPage {
        chrome,
        partner: details.name,
        partner_id: partner.to_string(),
        grants: grants.items.into_iter().map(GrantRow::of).collect(),
        next: grants.next_cursor,
        grant,
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// A new grant as the form sends it.
#[derive(Debug, Default, Deserialize)]
pub struct GrantFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    back: String,
    /// `kind:id`.
    #[serde(default)]
    place: String,
    /// `technician`, or `department:id`.
    #[serde(default)]
    holder: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

#[derive(Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    chrome: Chrome,
    heading: &'static str,
    message: String,
    back: String,
}

/// `POST /partners/{partner_id}/grants`: gives the grant, and goes back where the form was.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    axum::Form(form): axum::Form<GrantFields>,
) -> Response {
    let back = local_path(&form.back).to_owned();
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&back).into_response();
    }
    let refused = |viewer: Viewer, status: StatusCode, message: String| {
        let Viewer {
            chrome, set_csrf, ..
        } = viewer;
        let page = RefusedPage {
            heading: chrome.t.grant_refused.as_str(),
            chrome,
            message,
            back: back.clone(),
        };
        with_csrf_cookie(render(status, &page), set_csrf)
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let (valid_from, expires_at) = match (day_start(&form.from), day_after(&form.until)) {
        (Ok(from), Ok(until)) => (from, until),
        (Err(message), _) | (_, Err(message)) => return refused(viewer, unprocessable, message),
    };
    let subject = match form.holder.split_once(':') {
        Some(("department", id)) => ("department".to_owned(), id.to_owned()),
        _ => match state
            .grant_holder_by_email(&viewer.caller, &partner, "email", &form.email)
            .await
        {
            Ok(holder) => holder,
            Err(error) if error.kind == siteward_app::Kind::Invalid => {
                return refused(viewer, unprocessable, said(&error));
            }
            Err(error) => return problem(&error),
        },
    };
    let (kind, id) = form.place.split_once(':').unwrap_or(("", ""));
    let new = NewGrant {
        subject,
        grant: GrantFor {
            scope: (kind.to_owned(), id.to_owned()),
            role: form.role.clone(),
            valid_from,
            expires_at,
        },
    };
    match state.create_grant(&viewer.caller, &partner, &new).await {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(error) if error.kind == siteward_app::Kind::Invalid => {
            let status = crate::error::status_of(error.kind);
            refused(viewer, status, said(&error))
        }
        Err(error) => problem(&error),
    }
}

/// `GET /partners/{partner_id}/grants/{grant_id}/delete`: asks first.
pub async fn confirm_delete(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds((partner, grant)): PageIds<(PartnerId, GrantId)>,
) -> Response {
    let summary = match state.grant_summary(&viewer.caller, &partner, &grant).await {
        Ok(summary) => GrantRow::of(summary),
        Err(error) => return problem(&error),
    };
    let t = viewer.chrome.t;
    ask_first(
        viewer,
        t.delete_grant_heading.as_str(),
        t.delete_grant_question
            .with("holder", summary.holder)
            .with("role", summary.role)
            .with("place", summary.place)
            .into(),
        t.delete_grant.as_str(),
        (
            format!("/partners/{partner}/grants/{grant}/delete"),
            format!("/partners/{partner}/access"),
        ),
    )
}

/// `POST /partners/{partner_id}/grants/{grant_id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds((partner, grant)): PageIds<(PartnerId, GrantId)>,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    let back = format!("/partners/{partner}/access");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&back).into_response();
    }
    let deleted = state.delete_grant(&viewer.caller, &partner, &grant).await;
    back_to(&back, deleted)
}
