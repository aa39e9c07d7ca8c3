//! Audit log pages: a partner's (its admins and auditors; its sites' events included) and a
//! site's (its admins, and the partner's auditors). Newest first, filtered by person (their
//! email), action and dates; exported in any format installed for the tenant, with the same
//! filters; the tamper-evident chain verified on request (it reads the whole chain, so the page
//! does not do it on every visit).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use serde::Deserialize;

use siteward_app::AppError;
use siteward_app::audit::{AuditHome, ChainReport, EventFilter};
use siteward_app::auth::Caller;
use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_core::Timestamp;
use siteward_core::audit::{Actor, AuditAction, AuditEvent};
use siteward_core::ids::{PartnerId, SiteId};

use super::lang::Lang;
use super::session::Viewer;
use super::{Chrome, PageIds, problem, render, said, with_csrf_cookie};
use crate::state::AppState;

/// Events per page.
const PAGE: u32 = 50;

/// The filters, as the form sends them: a person's email, an action, dates (UTC).
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    person: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    verify: Option<String>,
}

/// The export's format and the filters.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: String,
    #[serde(flatten)]
    filters: AuditQuery,
}

/// Problems with the filters, each next to its field.
#[derive(Debug, Default)]
struct FilterErrors {
    person: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl FilterErrors {
    fn is_empty(&self) -> bool {
        self.person.is_none() && self.action.is_none() && self.from.is_none() && self.to.is_none()
    }
}

/// An audit event as a list shows it.
pub(super) struct EventRow {
    pub(super) at: String,
    pub(super) at_iso: String,
    pub(super) who: String,
    pub(super) action: &'static str,
    pub(super) target: String,
    pub(super) changes: Vec<String>,
}

struct ChainRow {
    chain: String,
    intact: bool,
    summary: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage<'a> {
    chrome: Chrome,
    heading: String,
    base: String,
    query: &'a AuditQuery,
    actions: &'static [AuditAction],
    errors: FilterErrors,
    events: Vec<EventRow>,
    /// The query string of the next page, filters included.
    next: Option<String>,
    formats: Vec<String>,
    chains: Option<Vec<ChainRow>>,
}

/// Whose log a page shows.
#[derive(Debug, Clone, Copy)]
enum Home<'a> {
    Platform,
    Partner(&'a PartnerId),
    Site(&'a SiteId),
}

impl<'a> Home<'a> {
    fn app(self) -> AuditHome<'a> {
        match self {
            Self::Platform => AuditHome::Platform,
            Self::Partner(partner) => AuditHome::Partner(partner),
            Self::Site(site) => AuditHome::Site(site),
        }
    }

    fn path(self) -> String {
        match self {
            Self::Platform => "/operator/audit".to_owned(),
            Self::Partner(partner) => format!("/partners/{partner}/audit"),
            Self::Site(site) => format!("/sites/{site}/audit"),
        }
    }

    /// The page's heading, once the caller may read the log.
    async fn heading(self, state: &AppState, caller: &Caller) -> Result<String, AppError> {
        let name = match self {
            Self::Platform => {
                state.audit_place(caller, self.app()).await?;
                return Ok(Lang::current().text().platform_audit_log.to_string());
            }
            Self::Partner(partner) => {
                state.audit_place(caller, self.app()).await?;
                state.partner(caller, partner).await?.name
            }
            Self::Site(site) => {
                state
                    .visible_site(caller, site, SiteAccess::ViewAudit)
                    .await?
                    .name
            }
        };
        Ok(Lang::current()
            .text()
            .audit_log_of
            .with("name", name)
            .into())
    }
}

/// The partner's audit log filtered to one person's actions, by their email.
pub(super) fn person_audit(partner: &PartnerId, email: &str) -> String {
    let query = serde_urlencoded::to_string([("person", email)]).unwrap_or_default();
    format!("/partners/{partner}/audit?{query}")
}

/// The site's audit log filtered to one person's actions, by their email.
pub(super) fn site_person_audit(site: &SiteId, email: &str) -> String {
    let query = serde_urlencoded::to_string([("person", email)]).unwrap_or_default();
    format!("/sites/{site}/audit?{query}")
}

/// `GET /operator/audit`: every event of the platform (the operator), each chain verified on
/// request.
pub async fn platform_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<AuditQuery>,
) -> Response {
    page(&state, viewer, Home::Platform, &query).await
}

/// `GET /operator/audit/export`.
pub async fn platform_export(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ExportQuery>,
) -> Response {
    export(&state, viewer, Home::Platform, &query).await
}

/// `GET /partners/{partner_id}/audit`.
pub async fn partner_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<AuditQuery>,
) -> Response {
    page(&state, viewer, Home::Partner(&partner), &query).await
}

/// `GET /sites/{site_id}/audit`.
pub async fn site_page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<AuditQuery>,
) -> Response {
    page(&state, viewer, Home::Site(&site), &query).await
}

/// `GET /partners/{partner_id}/audit/export`: the filtered events as a download.
pub async fn partner_export(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(partner): PageIds<PartnerId>,
    Query(query): Query<ExportQuery>,
) -> Response {
    export(&state, viewer, Home::Partner(&partner), &query).await
}

/// `GET /sites/{site_id}/audit/export`.
pub async fn site_export(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<ExportQuery>,
) -> Response {
    export(&state, viewer, Home::Site(&site), &query).await
}

/// The app's filter from the form's, or the fields that are wrong.
fn filter(query: &AuditQuery) -> Result<EventFilter<'_>, FilterErrors> {
    let mut errors = FilterErrors::default();
    let t = Lang::current().text();
    let date = |text: &str, error: &mut Option<String>| -> Option<NaiveDate> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| {
                *error = Some(t.date_format_error.to_string());
            })
            .ok()
    };
    let from = date(&query.from, &mut errors.from);
    let to = date(&query.to, &mut errors.to);
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.to = Some(t.last_before_first.to_string());
    }
    let action = Some(query.action.as_str()).filter(|a| !a.is_empty());
    if action.is_some_and(|a| AuditAction::parse("action", a).is_err()) {
        errors.action = Some(t.choose_action.to_string());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let midnight = |day: NaiveDate| -> Timestamp { day.and_time(chrono::NaiveTime::MIN).and_utc() };
    Ok(EventFilter {
        actor: None,
        action,
        from: from.map(midnight),
        // The last day is included: the filter ends at the next midnight.
        to: to
            .and_then(|day| day.checked_add_days(Days::new(1)))
            .map(midnight),
        person: Some(query.person.as_str()).filter(|p| !p.trim().is_empty()),
    })
}

async fn page(state: &AppState, viewer: Viewer, home: Home<'_>, query: &AuditQuery) -> Response {
    let Viewer {
        caller,
        chrome,
        set_csrf,
    } = viewer;
    let heading = match home.heading(state, &caller).await {
        Ok(heading) => heading,
        Err(error) => return problem(&error),
    };
    let (filter, mut errors) = match filter(query) {
        Ok(filter) => (Some(filter), FilterErrors::default()),
        Err(errors) => (None, errors),
    };
    let paging = Paging {
        limit: Some(PAGE),
        cursor: query.after.as_deref(),
    };
    let (log, formats, chains) = tokio::join!(
        async {
            match filter {
                Some(filter) => state
                    .audit_log(&caller, home.app(), filter, paging)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
        state.audit_export_formats(&caller, home.app()),
        async {
            match query.verify {
                Some(_) => state.verify_audit(&caller, home.app()).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let log = match log {
        Ok(log) => log,
        Err(error) if error.field.as_deref() == Some("person") => {
            errors.person = Some(said(&error));
            None
        }
        Err(error) => return problem(&error),
    };
    let (formats, chains) = match (formats, chains) {
        (Ok(formats), Ok(chains)) => (formats, chains),
        (Err(error), _) | (_, Err(error)) => return problem(&error),
    };
    let (events, next) = match log {
        Some(log) => {
            let next = log.events.next_cursor.as_deref().map(|cursor| {
                serde_urlencoded::to_string([
                    ("person", query.person.as_str()),
                    ("action", query.action.as_str()),
                    ("from", query.from.as_str()),
                    ("to", query.to.as_str()),
                    ("after", cursor),
                ])
                .unwrap_or_default()
            });
            let rows = log
                .events
                .items
                .iter()
                .map(|event| event_row(event, &log.actors))
                .collect();
            (rows, next)
        }
        None => (Vec::new(), None),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AuditPage {
        chrome,
        heading,
        base: home.path(),
        query,
        actions: AuditAction::ALL,
        errors,
        events,
        next,
        formats,
        chains: chains.map(|reports| reports.iter().map(chain_row).collect()),
    };
    with_csrf_cookie(render(status, &page), set_csrf)
}

/// One event as the list shows it.
pub(super) fn event_row(
    event: &AuditEvent,
    actors: &[siteward_core::account::Account],
) -> EventRow {
    let lang = Lang::current();
    let t = lang.text();
    let who = match &event.actor {
        Actor::Account(id) => actors.iter().find(|a| a.id == *id).map_or_else(
            || t.actor_account.with("id", id).into(),
            |a| format!("{} ({})", a.name, a.email),
        ),
        Actor::ApiToken(id) => t.actor_token.with("id", id).into(),
        Actor::System => "Siteward".to_owned(),
    };
    EventRow {
        at: lang.date_time_seconds(event.at),
        at_iso: event.at.to_rfc3339(),
        who,
        action: event.action.as_str(),
        target: format!("{} {}", event.target.kind.as_str(), event.target.id),
        changes: event
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.before.as_deref().unwrap_or("—"),
                    c.after.as_deref().unwrap_or("—")
                )
            })
            .collect(),
    }
}

/// A chain's verification in words.
fn chain_row(report: &ChainReport) -> ChainRow {
    let lang = Lang::current();
    let t = lang.text();
    let checked = lang.number(report.verification.checked);
    let summary = match (&report.verification.broken, report.unchained) {
        (Some(broken), _) => t
            .chain_broken
            .with("position", lang.number(broken.seq))
            .with("problem", broken.problem.describe())
            .with("n", checked),
        (None, 0) => t.chain_intact.with("n", checked),
        (None, unchained) => t
            .chain_unchained
            .with("n", checked)
            .with("outside", lang.number(unchained)),
    }
    .into();
    ChainRow {
        chain: report.chain.clone(),
        intact: report.is_intact(),
        summary,
    }
}

async fn export(state: &AppState, viewer: Viewer, home: Home<'_>, query: &ExportQuery) -> Response {
    let Ok(filter) = filter(&query.filters) else {
        return page(state, viewer, home, &query.filters).await;
    };
    match state
        .export_audit(&viewer.caller, home.app(), &query.format, filter)
        .await
    {
        Ok(export) => crate::api::audit::export_response(export),
        Err(error) if error.field.as_deref() == Some("person") => {
            page(state, viewer, home, &query.filters).await
        }
        Err(error) => problem(&error),
    }
}
