//! Just-in-time access in the console: a site's Access requests tab (the approvers' queue
//! with approve — as asked or for less time — and deny with a reason, the recent requests, and
//! for the site's admins the rules), and on a person's own page the Request access form with
//! their requests, each ended or cancelled from its row.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use siteward_app::access_requests::{
    AccessPolicyInput, AutomaticInput, DecisionInput, NewAccessRequest, RequestFilter,
    RequestedAccess,
};
use siteward_app::page::Paging;
use siteward_app::sites::SiteAccess;
use siteward_core::access_request::{AccessPolicy, BusinessHours, RequestStatus};
use siteward_core::audit::Actor;
use siteward_core::ids::{AccessRequestId, SiteId};
use siteward_core::invitation::PermissionLevel;

use super::lang::Lang;
use super::session::Viewer;
use super::site::{SiteNav, Tab};
use super::{Chrome, PageIds, csrf_matches, level_name, problem, render, with_csrf_cookie};
use crate::state::AppState;

/// The durations a form offers, in minutes.
const DURATIONS: [u32; 9] = [30, 60, 120, 240, 480, 720, 1440, 4320, 10080];

/// The levels a request may ask for.
const LEVELS: [PermissionLevel; 3] = [
    PermissionLevel::DevicesOnly,
    PermissionLevel::FullExcludingUsers,
    PermissionLevel::FullIncludingUsers,
];

/// A duration as people read it: minutes below two hours, then hours, then days.
pub(super) fn duration_name(minutes: u32) -> String {
    let t = Lang::current().text();
    if minutes.is_multiple_of(1440) && minutes >= 1440 {
        t.days_count.with("days", minutes / 1440).into()
    } else if minutes.is_multiple_of(60) && minutes >= 120 {
        t.hours_count.with("hours", minutes / 60).into()
    } else {
        t.minutes_count.with("minutes", minutes).into()
    }
}

/// A request's status in words.
pub(super) fn status_name(status: RequestStatus) -> &'static str {
    let t = Lang::current().text();
    match status {
        RequestStatus::Pending => t.request_pending,
        RequestStatus::Approved => t.request_approved,
        RequestStatus::Active => t.request_active,
        RequestStatus::Denied => t.request_denied,
        RequestStatus::Cancelled => t.request_cancelled,
        RequestStatus::Expired => t.request_expired,
        RequestStatus::Ended => t.request_ended,
    }
    .as_str()
}

/// One request as a table row shows it.
pub(super) struct RequestRow {
    pub(super) id: String,
    pub(super) who: String,
    pub(super) site: String,
    pub(super) level: &'static str,
    pub(super) from: String,
    pub(super) until: String,
    pub(super) reason: String,
    pub(super) status: &'static str,
    /// Whether it can still be ended or cancelled.
    pub(super) open: bool,
    /// Whether ending it ends access in force (else it cancels).
    pub(super) in_force: bool,
    /// The decisions, in words.
    pub(super) decisions: Vec<String>,
    /// Approvals so far of how many.
    pub(super) approvals: String,
}

pub(super) fn request_row(r: &RequestedAccess) -> RequestRow {
    let lang = Lang::current();
    let t = lang.text();
    let request = &r.request;
    let approvals = request.decisions.iter().filter(|d| d.approved).count();
    RequestRow {
        id: request.id.to_string(),
        who: format!("{} ({})", r.technician_name, r.technician_email),
        site: r.site_name.clone(),
        level: level_name(request.terms.level),
        from: lang.date_time(request.terms.starts_at),
        until: lang.date_time(request.terms.ends_at),
        reason: request.reason.clone(),
        status: status_name(request.status),
        open: request.status.is_open(),
        in_force: request.status == RequestStatus::Active,
        decisions: request
            .decisions
            .iter()
            .zip(&r.decided_by)
            .map(|(d, name)| {
                let by = match (&d.by, name) {
                    (Actor::System, _) => t.by_the_sites_rules.to_string(),
                    (Actor::Account(_), Some(name)) => name.clone(),
                    (Actor::Account(_), None) => t.an_approver.to_string(),
                    (Actor::ApiToken(_), _) => t.actor_token.to_string(),
                };
                let verdict = if d.approved { t.approved } else { t.denied };
                match &d.comment {
                    Some(comment) => format!("{verdict} ({by}): {comment}"),
                    None => format!("{verdict} ({by})"),
                }
            })
            .collect(),
        approvals: t
            .approvals_of
            .with("count", approvals)
            .with("needed", request.approvals_needed)
            .into(),
    }
}

/// The rules form's values.
struct PolicyForm {
    max_minutes: u32,
    super_admins_up_to: &'static str,
    two_approvers: bool,
    automatic_up_to: &'static str,
    automatic_minutes: u32,
    hours: bool,
    from_hour: u8,
    until_hour: u8,
    weekdays_only: bool,
    utc_offset_minutes: i32,
    requests_only: bool,
    /// After how many unused days access is locked (0: never).
    lock_unused_days: u32,
    /// The unused-day counts offered.
    unused_days: Vec<u32>,
    /// The durations offered (the chosen ones included).
    durations: Vec<(u32, String)>,
}

impl PolicyForm {
    fn new(policy: &AccessPolicy) -> Self {
        let automatic = policy.automatic.as_ref();
        let hours = automatic.and_then(|a| a.hours);
        let mut durations: Vec<u32> = DURATIONS.to_vec();
        for chosen in [policy.max_minutes, automatic.map_or(240, |a| a.max_minutes)] {
            if !durations.contains(&chosen) {
                durations.push(chosen);
            }
        }
        durations.sort_unstable();
        Self {
            max_minutes: policy.max_minutes,
            super_admins_up_to: policy
                .super_admins_up_to
                .map_or("", PermissionLevel::as_str),
            two_approvers: policy.two_approvers,
            automatic_up_to: automatic.map_or("", |a| a.up_to.as_str()),
            automatic_minutes: automatic.map_or(240, |a| a.max_minutes),
            hours: hours.is_some(),
            from_hour: hours.map_or(8, |h| h.from_hour),
            until_hour: hours.map_or(18, |h| h.until_hour),
            weekdays_only: hours.is_none_or(|h| h.weekdays_only),
            utc_offset_minutes: hours.map_or(0, |h| h.utc_offset_minutes),
            requests_only: policy.requests_only,
            lock_unused_days: policy.lock_unused_days.unwrap_or(0),
            unused_days: {
                let mut days = vec![7, 14, 30, 60, 90, 180];
                if let Some(chosen) = policy.lock_unused_days
                    && !days.contains(&chosen)
                {
                    days.push(chosen);
                    days.sort_unstable();
                }
                days
            },
            durations: durations
                .into_iter()
                .map(|m| (m, duration_name(m)))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "site_access_requests.html")]
struct SiteRequestsPage {
    chrome: Chrome,
    csrf: String,
    nav: SiteNav,
    site: String,
    site_id: String,
    saved: bool,
    waiting: Vec<RequestRow>,
    recent: Vec<RequestRow>,
    older: Option<String>,
    /// The rules: the form for the site's admins, else read-only.
    policy: PolicyForm,
    may_set_rules: bool,
    /// The durations an approver may shorten to.
    shorter: Vec<(u32, String)>,
    levels: Vec<(&'static str, &'static str)>,
    hours: Vec<u8>,
}

/// The page's paging and notices.
#[derive(Debug, Default, Deserialize)]
pub struct SiteRequestsQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

/// How many recent requests a page shows.
const RECENT_PAGE: u32 = 25;

/// `GET /sites/{site_id}/access-requests`.
pub async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Query(query): Query<SiteRequestsQuery>,
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
    let pending = RequestFilter {
        status: Some(RequestStatus::Pending.as_str().to_owned()),
    };
    let every = RequestFilter::default();
    let (waiting, recent, policy) = match tokio::join!(
        state.site_access_requests(
            &caller,
            &site,
            &pending,
            Paging {
                limit: Some(200),
                cursor: None
            }
        ),
        state.site_access_requests(
            &caller,
            &site,
            &every,
            Paging {
                limit: Some(RECENT_PAGE),
                cursor: query.after.as_deref()
            }
        ),
        state.access_policy(&caller, &site),
    ) {
        (Ok(waiting), Ok(recent), Ok(policy)) => (waiting, recent, policy),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => return problem(&error),
    };
    let page = SiteRequestsPage {
        csrf: chrome.csrf(),
        chrome,
        nav: SiteNav::new(&caller, &found, Tab::AccessRequests),
        site: found.name.clone(),
        site_id: found.id.to_string(),
        saved: query.saved.is_some(),
        waiting: waiting.items.iter().map(request_row).collect(),
        recent: recent.items.iter().map(request_row).collect(),
        older: recent.next_cursor,
        may_set_rules: SiteAccess::ManageTechnicians.allows(&caller, &found),
        policy: PolicyForm::new(&policy),
        shorter: DURATIONS[..6]
            .iter()
            .map(|m| (*m, duration_name(*m)))
            .collect(),
        levels: LEVELS
            .iter()
            .map(|l| (l.as_str(), level_name(*l)))
            .collect(),
        hours: (0..=24).collect(),
    };
    with_csrf_cookie(render(StatusCode::OK, &page), set_csrf)
}

/// The rules as the form sends them.
#[derive(Debug, Deserialize)]
pub struct RulesFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    max_minutes: String,
    #[serde(default)]
    super_admins_up_to: String,
    #[serde(default)]
    two_approvers: Option<String>,
    #[serde(default)]
    automatic_up_to: String,
    #[serde(default)]
    automatic_minutes: String,
    #[serde(default)]
    hours: Option<String>,
    #[serde(default)]
    from_hour: String,
    #[serde(default)]
    until_hour: String,
    #[serde(default)]
    weekdays_only: Option<String>,
    #[serde(default)]
    utc_offset_minutes: String,
    #[serde(default)]
    requests_only: Option<String>,
    #[serde(default)]
    lock_unused_days: String,
}

/// A whole number from a form's field, or the field's error.
pub(super) fn number<T: std::str::FromStr>(
    field: &str,
    text: &str,
) -> Result<T, siteward_app::AppError> {
    text.trim()
        .parse()
        .map_err(|_| siteward_core::FieldError::new(field, "must be a whole number").into())
}

impl RulesFields {
    fn input(&self) -> Result<AccessPolicyInput, siteward_app::AppError> {
        let chosen = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        let automatic = match chosen(&self.automatic_up_to) {
            Some(up_to) => Some(AutomaticInput {
                up_to,
                max_minutes: number("automatic.max_minutes", &self.automatic_minutes)?,
                hours: match self.hours {
                    Some(_) => Some(BusinessHours {
                        from_hour: number("automatic.hours.from_hour", &self.from_hour)?,
                        until_hour: number("automatic.hours.until_hour", &self.until_hour)?,
                        weekdays_only: self.weekdays_only.is_some(),
                        utc_offset_minutes: number(
                            "automatic.hours.utc_offset_minutes",
                            &self.utc_offset_minutes,
                        )?,
                    }),
                    None => None,
                },
            }),
            None => None,
        };
        Ok(AccessPolicyInput {
            max_minutes: number("max_minutes", &self.max_minutes)?,
            super_admins_up_to: chosen(&self.super_admins_up_to),
            two_approvers: self.two_approvers.is_some(),
            automatic,
            requests_only: self.requests_only.is_some(),
            lock_unused_days: siteward_app::security::optional_number(
                "lock_unused_days",
                &self.lock_unused_days,
            )?,
            review: None,
        })
    }
}

/// `POST /sites/{site_id}/access-policy`.
pub async fn save_rules(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(site): PageIds<SiteId>,
    Form(form): Form<RulesFields>,
) -> Response {
    let path = format!("/sites/{site}/access-requests");
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to(&path).into_response();
    }
    let done = match form.input() {
        // The review schedule has its own form, on the site's Access reviews tab.
        Ok(input) => match state.access_policy(&viewer.caller, &site).await {
            Ok(current) => {
                let input = AccessPolicyInput {
                    review: current.review.map(Into::into),
                    ..input
                };
                state.set_access_policy(&viewer.caller, &site, &input).await
            }
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    super::back_to(&format!("{path}?saved=1#rules"), done)
}

/// An approver's answer as the form sends it.
#[derive(Debug, Deserialize)]
pub struct DecisionFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
    /// Approve for this many minutes from now instead (empty: as asked).
    #[serde(default)]
    minutes: String,
}

/// `POST /access-requests/{request_id}/approve`.
pub async fn approve(
    state: State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    id: PageIds<AccessRequestId>,
    Form(form): Form<DecisionFields>,
) -> Response {
    decide(state, headers, viewer, id, form, true).await
}

/// `POST /access-requests/{request_id}/deny`.
pub async fn deny(
    state: State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    id: PageIds<AccessRequestId>,
    Form(form): Form<DecisionFields>,
) -> Response {
    decide(state, headers, viewer, id, form, false).await
}

async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(id): PageIds<AccessRequestId>,
    form: DecisionFields,
    approve: bool,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    let ends_at = match form.minutes.trim() {
        "" => Ok(None),
        minutes => number::<u32>("minutes", minutes)
            .map(|m| Some(state.now() + chrono::Duration::minutes(i64::from(m)))),
    };
    let done = match ends_at {
        Ok(ends_at) => {
            let input = DecisionInput {
                approve,
                comment: Some(form.comment),
                ends_at,
            };
            state
                .decide_access_request(&viewer.caller, &id, &input)
                .await
        }
        Err(error) => Err(error),
    };
    match done {
        Ok(decided) => Redirect::to(&format!(
            "/sites/{}/access-requests?saved=1",
            decided.request.site_id
        ))
        .into_response(),
        Err(error) => problem(&error),
    }
}

/// The form of a row's End or Cancel button.
#[derive(Debug, Deserialize)]
pub struct EndFields {
    #[serde(default)]
    csrf: String,
}

/// `POST /access-requests/{request_id}/end`: back to the technician's own page, or the
/// site's requests for an approver.
pub async fn end(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    PageIds(id): PageIds<AccessRequestId>,
    Form(form): Form<EndFields>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    match state.end_access_request(&viewer.caller, &id).await {
        Ok(ended) => {
            let own = viewer
                .caller
                .account
                .as_ref()
                .is_some_and(|a| a.id == ended.request.technician);
            let to = if own {
                "/?requests=1#requests-heading".to_owned()
            } else {
                format!("/sites/{}/access-requests?saved=1", ended.request.site_id)
            };
            Redirect::to(&to).into_response()
        }
        Err(error) => problem(&error),
    }
}

/// A new request as the own page's form sends it.
#[derive(Debug, Deserialize)]
pub struct RequestFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    reason: String,
    /// A device group of the site to ask a device role on (empty: none).
    #[serde(default)]
    group: String,
    /// The device role on it.
    #[serde(default)]
    role: String,
}

/// `POST /access-requests`: a person asks for access to a site.
pub async fn request(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<RequestFields>,
) -> Response {
    if !csrf_matches(&headers, &form.csrf) {
        return Redirect::to("/").into_response();
    }
    let site = match SiteId::parse("site_id", &form.site_id) {
        Ok(site) => site,
        Err(error) => return problem(&siteward_app::AppError::from(error)),
    };
    let done = match number::<u32>("minutes", &form.minutes) {
        Ok(minutes) => {
            let new = NewAccessRequest {
                level: form.level,
                starts_at: None,
                ends_at: None,
                minutes: Some(minutes),
                reason: form.reason,
                scope: (!form.group.is_empty()).then(|| ("group".to_owned(), form.group)),
                role: (!form.role.is_empty()).then_some(form.role),
            };
            state.request_access(&viewer.caller, &site, &new).await
        }
        Err(error) => Err(error),
    };
    super::back_to("/?requests=1#requests-heading", done)
}

/// What a person's own page shows of access requests: the form's choices and their requests.
pub(super) struct MyRequests {
    /// The sites they may ask for: id, and name with partner.
    pub(super) sites: Vec<(String, String)>,
    pub(super) levels: Vec<(&'static str, &'static str)>,
    pub(super) durations: Vec<(u32, String)>,
    /// The device groups of those sites: id, and name with the site's.
    pub(super) groups: Vec<(String, String)>,
    /// The device roles one may ask for on a group: name, and words.
    pub(super) roles: Vec<(&'static str, &'static str)>,
    pub(super) rows: Vec<RequestRow>,
}

impl MyRequests {
    pub(super) async fn read(
        state: &AppState,
        caller: &siteward_app::auth::Caller,
    ) -> Result<Self, siteward_app::AppError> {
        let (sites, mine) = tokio::join!(
            state.requestable_sites(caller),
            state.my_access_requests(
                caller,
                Paging {
                    limit: Some(RECENT_PAGE),
                    cursor: None
                }
            ),
        );
        let sites = sites?;
        let requestable: Vec<siteward_core::tenancy::Site> =
            sites.iter().map(|(site, _)| site.clone()).collect();
        let groups = state
            .requestable_groups(&requestable)
            .await?
            .into_iter()
            .map(|group| {
                let site = requestable
                    .iter()
                    .find(|s| s.id == group.site_id)
                    .map_or("", |s| s.name.as_str());
                (group.id.to_string(), format!("{site} › {}", group.name))
            })
            .collect();
        let t = Lang::current().text();
        Ok(Self {
            groups,
            roles: vec![
                (
                    "device_connection_only",
                    t.role_device_connection_only.as_str(),
                ),
                ("full_device_access", t.role_full_device_access.as_str()),
            ],
            sites: sites
                .into_iter()
                .map(|(site, partner)| (site.id.to_string(), format!("{} — {partner}", site.name)))
                .collect(),
            levels: LEVELS
                .iter()
                .map(|l| (l.as_str(), level_name(*l)))
                .collect(),
            durations: DURATIONS[..7]
                .iter()
                .map(|m| (*m, duration_name(*m)))
                .collect(),
            rows: mine?.items.iter().map(request_row).collect(),
        })
    }
}
