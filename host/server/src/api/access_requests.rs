//! Just-in-time access: a site's rules for access requests, technicians' requests, and the
//! approvers' decisions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::access_requests::{
    AccessPolicyInput, AutomaticInput, DecisionInput, NewAccessRequest, RequestFilter,
    RequestedAccess, ReviewScheduleInput,
};
use siteward_app::page::Paging;
use siteward_core::access_request::{AccessPolicy, BusinessHours};
use siteward_core::ids::{AccessRequestId, SiteId};

use super::access::KindAndId;
use super::dto::Page;
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A site's rules for access requests.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessPolicyView {
    /// The longest access one request may ask for, in minutes (5 to 43,200; default 480).
    #[schema(minimum = 5, maximum = 43200)]
    pub max_minutes: u32,
    /// The partner's Super Admins may approve requests up to this level, besides the site's
    /// admins; absent: only the site's admins (and site tokens) approve.
    #[serde(default)]
    #[schema(pattern = "^(devices_only|full_excluding_users|full_including_users)$")]
    pub super_admins_up_to: Option<String>,
    /// Two different approvers must approve.
    #[serde(default)]
    pub two_approvers: bool,
    /// Requests approved by themselves, without anyone asked; absent: none.
    #[serde(default)]
    pub automatic: Option<AutomaticView>,
    /// No standing access: technicians enter only through approved requests. Turning it on
    /// locks every technician whose access is not an approved request's (one
    /// `assignment.locked` event each), and unlocking is refused (`409 requests_only`) while
    /// it is on.
    #[serde(default)]
    pub requests_only: bool,
    /// Lock a technician's access once they have not acted at the site for this many days
    /// (1 to 365; their last action in the site's audit log, or the access's first unlock when
    /// they never acted), by the host, one `assignment.locked` event each with the reason;
    /// absent: never.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 365)]
    pub lock_unused_days: Option<u32>,
    /// Review the site's access on a schedule (`review.started` by the host, the first one
    /// `every_days` after the schedule is set); absent: only when someone starts one.
    #[serde(default)]
    pub review: Option<ReviewScheduleView>,
}

/// A site's schedule of access reviews.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewScheduleView {
    /// Days between two reviews' starts (1 to 730, at least `days`).
    #[schema(minimum = 1, maximum = 730)]
    pub every_days: u32,
    /// Days each review stays open before its deadline (1 to 90; default 14).
    #[serde(default = "default_review_days")]
    #[schema(minimum = 1, maximum = 90)]
    pub days: u32,
    /// What becomes of access nobody confirmed by the deadline: `lock` (default) or `leave`.
    #[serde(default = "default_unconfirmed")]
    #[schema(pattern = "^(lock|leave)$")]
    pub unconfirmed: String,
}

fn default_review_days() -> u32 {
    siteward_core::review::DEFAULT_REVIEW_DAYS
}

fn default_unconfirmed() -> String {
    siteward_core::review::Unconfirmed::Lock.as_str().to_owned()
}

/// Which requests are approved by themselves.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomaticView {
    /// The highest level approved by itself.
    #[schema(pattern = "^(devices_only|full_excluding_users|full_including_users)$")]
    pub up_to: String,
    /// The longest access approved by itself, in minutes (at most `max_minutes`).
    pub max_minutes: u32,
    /// Only when the whole access lies within these hours; absent: at any time.
    #[serde(default)]
    pub hours: Option<HoursView>,
}

/// A site's business hours.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursView {
    /// The first hour (0–23).
    #[schema(maximum = 23)]
    pub from_hour: u8,
    /// The hour they end (1–24), after `from_hour`.
    #[schema(minimum = 1, maximum = 24)]
    pub until_hour: u8,
    /// Monday to Friday only.
    #[serde(default)]
    pub weekdays_only: bool,
    /// The site's offset from UTC in minutes (−840 to 840), in which the hours are read.
    #[serde(default)]
    #[schema(minimum = -840, maximum = 840)]
    pub utc_offset_minutes: i32,
}

impl From<AccessPolicy> for AccessPolicyView {
    fn from(p: AccessPolicy) -> Self {
        Self {
            max_minutes: p.max_minutes,
            super_admins_up_to: p.super_admins_up_to.map(|l| l.as_str().to_owned()),
            two_approvers: p.two_approvers,
            automatic: p.automatic.map(|a| AutomaticView {
                up_to: a.up_to.as_str().to_owned(),
                max_minutes: a.max_minutes,
                hours: a.hours.map(|h| HoursView {
                    from_hour: h.from_hour,
                    until_hour: h.until_hour,
                    weekdays_only: h.weekdays_only,
                    utc_offset_minutes: h.utc_offset_minutes,
                }),
            }),
            requests_only: p.requests_only,
            lock_unused_days: p.lock_unused_days,
            review: p.review.map(|r| ReviewScheduleView {
                every_days: r.every_days,
                days: r.terms.days,
                unconfirmed: r.terms.unconfirmed.as_str().to_owned(),
            }),
        }
    }
}

impl AccessPolicyView {
    fn input(self) -> AccessPolicyInput {
        AccessPolicyInput {
            max_minutes: self.max_minutes,
            super_admins_up_to: self.super_admins_up_to,
            two_approvers: self.two_approvers,
            automatic: self.automatic.map(|a| AutomaticInput {
                up_to: a.up_to,
                max_minutes: a.max_minutes,
                hours: a.hours.map(|h| BusinessHours {
                    from_hour: h.from_hour,
                    until_hour: h.until_hour,
                    weekdays_only: h.weekdays_only,
                    utc_offset_minutes: h.utc_offset_minutes,
                }),
            }),
            requests_only: self.requests_only,
            lock_unused_days: self.lock_unused_days,
            review: self.review.map(|r| ReviewScheduleInput {
                every_days: r.every_days,
                days: Some(r.days),
                unconfirmed: Some(r.unconfirmed),
            }),
        }
    }
}

/// A site's rules for access requests (anyone who may see the site).
#[utoipa::path(get, path = "/v1/sites/{site_id}/access-policy", tag = "access-requests", security(("bearer" = [])),
    params(("site_id" = String, Path)),
    responses((status = 200, body = AccessPolicyView), (status = 404, body = ErrorBody)))]
pub async fn get_access_policy(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
) -> ApiResult<Json<AccessPolicyView>> {
    Ok(Json(state.access_policy(&auth, &site).await?.into()))
}

/// Set a site's rules for access requests (its admins); audited as
/// `site.access_policy_changed`.
#[utoipa::path(put, path = "/v1/sites/{site_id}/access-policy", tag = "access-requests", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = AccessPolicyView,
    responses((status = 200, body = AccessPolicyView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_access_policy(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<AccessPolicyView>,
) -> ApiResult<Json<AccessPolicyView>> {
    let policy = state.set_access_policy(&auth, &site, &body.input()).await?;
    Ok(Json(policy.into()))
}

/// One approver's decision on a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    /// `account`, `api_token`, or `system` (the site's automatic approval).
    pub by_kind: &'static str,
    /// The account's or token's id.
    pub by_id: Option<String>,
    /// The person's name, where a person decided.
    pub by_name: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Approved, or denied.
    pub approved: bool,
    /// What they said.
    pub comment: Option<String>,
}

/// A technician's request for access to a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessRequestView {
    /// Its id: the audit events of each of its steps name it as their target.
    pub id: String,
    /// The site.
    pub site_id: String,
    /// The site's name.
    pub site_name: String,
    /// The partner the technician works for there.
    pub partner_id: String,
    /// The technician's account.
    pub technician_id: String,
    /// Their name.
    pub technician_name: String,
    /// Their email.
    pub technician_email: String,
    /// The level asked for.
    pub level: &'static str,
    /// A device role asked for besides the level: on which device or group …
    pub scope: Option<KindAndId>,
    /// … which role, …
    pub role: Option<String>,
    /// … and the grant it is while in force.
    pub grant_id: Option<String>,
    /// From when.
    pub starts_at: DateTime<Utc>,
    /// Until when (exclusive); earlier than asked if an approver shortened it.
    pub ends_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// `pending`, `approved` (begins at its start), `active`, `denied`, `cancelled`,
    /// `expired` (nobody decided in time) or `ended`.
    pub status: &'static str,
    /// How many different approvers it needs.
    pub approvals_needed: u8,
    /// The decisions so far.
    pub decisions: Vec<DecisionView>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was denied, cancelled, expired or ended.
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<RequestedAccess> for AccessRequestView {
    fn from(r: RequestedAccess) -> Self {
        let request = r.request;
        Self {
            id: request.id.to_string(),
            site_id: request.site_id.to_string(),
            site_name: r.site_name,
            partner_id: request.partner_id.to_string(),
            technician_id: request.technician.to_string(),
            technician_name: r.technician_name,
            technician_email: r.technician_email.to_string(),
            level: request.terms.level.as_str(),
            scope: request.devices.as_ref().map(|d| {
                let (kind, id) = d.scope.kind_and_id();
                KindAndId {
                    kind: kind.to_owned(),
                    id,
                }
            }),
            role: request.devices.as_ref().map(|d| d.role.as_str().to_owned()),
            grant_id: request.devices.as_ref().map(|d| d.grant.to_string()),
            starts_at: request.terms.starts_at,
            ends_at: request.terms.ends_at,
            reason: request.reason,
            status: request.status.as_str(),
            approvals_needed: request.approvals_needed,
            decisions: request
                .decisions
                .into_iter()
                .zip(r.decided_by)
                .map(|(d, by_name)| {
                    let (kind, id) = d.by.kind_and_id();
                    DecisionView {
                        by_kind: kind,
                        by_id: id.map(str::to_owned),
                        by_name,
                        at: d.at,
                        approved: d.approved,
                        comment: d.comment,
                    }
                })
                .collect(),
            created_at: request.created_at,
            closed_at: request.closed_at,
        }
    }
}

/// A request for access to a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccessRequestBody {
    /// The level.
    #[schema(pattern = "^(devices_only|full_excluding_users|full_including_users)$")]
    pub level: String,
    /// From when (exact to the millisecond); absent or past: now. At most 30 days ahead.
    pub starts_at: Option<DateTime<Utc>>,
    /// Until when (exclusive); give this or `minutes`.
    pub ends_at: Option<DateTime<Utc>>,
    /// For how long from the start, in minutes; give this or `ends_at`.
    pub minutes: Option<u32>,
    /// Why: a ticket number or words (1 to 500 characters).
    pub reason: String,
    /// A device role besides the level: `{"kind": "device" | "group", "id": …}` at this site
    /// (with `role`), given as a grant for the same window.
    pub scope: Option<KindAndId>,
    /// The role on `scope`: a devices-and-groups role (`full_device_access`,
    /// `device_connection_only`, or a custom role's id).
    pub role: Option<String>,
}

/// Ask for access to a site for a while (a person who is an active member of the site's
/// partner). Answered `201` with the request: `pending`, or `active` / `approved` when the
/// site's automatic rule approved it. Refused with `422 beyond_policy` when it asks for longer
/// than the site allows, `409 already_has_access` when the technician already holds that
/// much for the whole time, `409 already_requested` when they have an open request there.
#[utoipa::path(post, path = "/v1/sites/{site_id}/access-requests", tag = "access-requests", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = NewAccessRequestBody,
    responses((status = 201, body = AccessRequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`already_has_access`, `already_requested`, `technician_access_off`"),
        (status = 422, body = ErrorBody, description = "`beyond_policy`, or a field that is wrong")))]
pub async fn request_access(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<NewAccessRequestBody>,
) -> ApiResult<(StatusCode, Json<AccessRequestView>)> {
    let new = NewAccessRequest {
        level: body.level,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        minutes: body.minutes,
        reason: body.reason,
        scope: body.scope.map(|s| (s.kind, s.id)),
        role: body.role,
    };
    let request = state.request_access(&auth, &site, &new).await?;
    Ok((StatusCode::CREATED, Json(request.into())))
}

/// Filters and paging for a site's requests.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Only requests of this status (`pending` is the approvers' queue).
    #[param(pattern = "^(pending|approved|active|denied|cancelled|expired|ended)$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// A site's access requests, newest first (its admins and tokens, the partner's people with
/// `admin.team`).
#[utoipa::path(get, path = "/v1/sites/{site_id}/access-requests", tag = "access-requests", security(("bearer" = [])),
    params(("site_id" = String, Path), RequestQuery),
    responses((status = 200, body = Page<AccessRequestView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_access_requests(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<RequestQuery>,
) -> ApiResult<Json<Page<AccessRequestView>>> {
    let filter = RequestFilter {
        status: query.status,
    };
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let page = state
        .site_access_requests(&auth, &site, &filter, paging)
        .await?;
    Ok(Json(Page::from(page, AccessRequestView::from)))
}

/// Paging for the caller's own requests.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MyRequestQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// The caller's own access requests, newest first.
#[utoipa::path(get, path = "/v1/me/access-requests", tag = "access-requests", security(("bearer" = [])),
    params(MyRequestQuery),
    responses((status = 200, body = Page<AccessRequestView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_access_requests(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<MyRequestQuery>,
) -> ApiResult<Json<Page<AccessRequestView>>> {
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let page = state.my_access_requests(&auth, paging).await?;
    Ok(Json(Page::from(page, AccessRequestView::from)))
}

/// One request: the technician's own, or one at a site whose requests the caller may read.
#[utoipa::path(get, path = "/v1/access-requests/{request_id}", tag = "access-requests", security(("bearer" = [])),
    params(("request_id" = String, Path)),
    responses((status = 200, body = AccessRequestView), (status = 404, body = ErrorBody)))]
pub async fn get_access_request(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<AccessRequestId>,
) -> ApiResult<Json<AccessRequestView>> {
    Ok(Json(state.access_request(&auth, &id).await?.into()))
}

/// An approver's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// What they say (up to 500 characters); a denial must say why: the technician reads it.
    pub comment: Option<String>,
    /// Approve for less time: the access ends here instead (after now, no later than asked).
    pub ends_at: Option<DateTime<Utc>>,
}

/// Approve a request (the site's admins and tokens; the partner's Super Admins where the site
/// lets them for the level). With one approver needed — or this the second — the access
/// begins at its start, ending exactly at its end. Two approvers at once yield one decision:
/// the later is told `409 request_not_pending`.
#[utoipa::path(post, path = "/v1/access-requests/{request_id}/approve", tag = "access-requests", security(("bearer" = [])),
    params(("request_id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = AccessRequestView), (status = 403, body = ErrorBody, description = "`forbidden`, `own_request`"), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`request_not_pending`, `already_approved`"), (status = 422, body = ErrorBody)))]
pub async fn approve_access_request(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<AccessRequestId>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> ApiResult<Json<AccessRequestView>> {
    decide(&state, &auth, &id, body, true).await
}

/// Deny a request, saying why (as approving).
#[utoipa::path(post, path = "/v1/access-requests/{request_id}/deny", tag = "access-requests", security(("bearer" = [])),
    params(("request_id" = String, Path)), request_body = DecisionBody,
    responses((status = 200, body = AccessRequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`request_not_pending`"), (status = 422, body = ErrorBody)))]
pub async fn deny_access_request(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<AccessRequestId>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> ApiResult<Json<AccessRequestView>> {
    decide(&state, &auth, &id, body, false).await
}

async fn decide(
    state: &AppState,
    auth: &Auth,
    id: &AccessRequestId,
    body: DecisionBody,
    approve: bool,
) -> ApiResult<Json<AccessRequestView>> {
    let input = DecisionInput {
        approve,
        comment: body.comment,
        ends_at: body.ends_at,
    };
    let decided = state.decide_access_request(auth, id, &input).await?;
    Ok(Json(decided.into()))
}

/// End a request: one not yet begun is cancelled; access in force ends now, and what the
/// technician held at the site before comes back. The technician, or whoever may decide it.
#[utoipa::path(post, path = "/v1/access-requests/{request_id}/end", tag = "access-requests", security(("bearer" = [])),
    params(("request_id" = String, Path)),
    responses((status = 200, body = AccessRequestView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`request_closed`")))]
pub async fn end_access_request(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<AccessRequestId>,
) -> ApiResult<Json<AccessRequestView>> {
    Ok(Json(state.end_access_request(&auth, &id).await?.into()))
}
