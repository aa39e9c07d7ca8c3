//! Site technician management (the site admin's side, reference 002): levels, locks, deleting
//! access, the site's Technician Access switch; and the check "may technician T do P at site S".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::page::Paging;
use siteward_app::technicians::{Technician, TechnicianChange, TechnicianFilter};
use siteward_core::ids::{AccountId, SiteId};

use super::dto::{Page, SiteView};
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A technician's assignment to a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    /// The technician's account.
    pub account_id: String,
    /// Their email.
    pub email: String,
    /// Their name.
    pub name: String,
    /// The permission level.
    pub level: &'static str,
    /// Locked assignments grant nothing until a site admin unlocks them.
    pub locked: bool,
    /// When it was first unlocked; absent while new access waits for the site's admins to
    /// unlock it (until then the partner cannot unlock it).
    pub first_unlocked_at: Option<DateTime<Utc>>,
    /// When the access begins; absent for at once. Before it, checks answer `not_yet_valid`.
    pub starts_at: Option<DateTime<Utc>>,
    /// When the access ends (exclusive); absent for no end.
    pub expires_at: Option<DateTime<Utc>>,
    /// The invitation it came from.
    pub invitation_id: Option<String>,
    /// Who last set it.
    pub set_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When the technician last acted at the site (their newest event in the site's audit
    /// log); absent if they have not yet.
    pub last_activity_at: Option<DateTime<Utc>>,
}

/// Filters and paging for the technician list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TechnicianQuery {
    /// Only locked (`true`) or unlocked (`false`) technicians.
    pub locked: Option<bool>,
    /// Only technicians with this level.
    #[param(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

impl From<Technician> for AssignmentView {
    fn from(t: Technician) -> Self {
        let a = t.assignment;
        Self {
            account_id: a.account_id.to_string(),
            email: t.email.to_string(),
            name: t.name,
            level: a.level.as_str(),
            locked: a.locked,
            first_unlocked_at: a.first_unlocked_at,
            starts_at: a.starts_at,
            expires_at: a.expires_at,
            invitation_id: a.invitation_id.as_ref().map(ToString::to_string),
            set_by: a.set_by.to_string(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            last_activity_at: a.last_activity_at,
        }
    }
}

fn views(technicians: Vec<Technician>) -> Vec<AssignmentView> {
    technicians.into_iter().map(AssignmentView::from).collect()
}

/// The site's technicians: level and lock state of each assignment.
#[utoipa::path(get, path = "/v1/sites/{site_id}/technicians", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path), TechnicianQuery),
    responses((status = 200, body = Page<AssignmentView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<TechnicianQuery>,
) -> ApiResult<Json<Page<AssignmentView>>> {
    let filter = TechnicianFilter {
        locked: query.locked,
        level: query.level,
    };
    let paging = Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let technicians = state.site_technicians(&auth, &site, filter, paging).await?;
    Ok(Json(Page {
        next_cursor: technicians.next_cursor,
        items: views(technicians.items),
    }))
}

/// A change to one technician at a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTechnician {
    /// The new permission level.
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
    /// Lock (`true`) or unlock (`false`) the technician's access.
    pub locked: Option<bool>,
    /// Time-bound access: the time the technician's access to the site begins (exact to the
    /// millisecond; a finer time is refused); `null` removes the start.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    /// Time-bound access: the time the technician's access to the site ends (exclusive, exact
    /// to the millisecond; a finer time is refused); `null` removes the end. Must be after
    /// `starts_at`.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

/// Change one technician's level, lock, start or end of access (the site's admins). The
/// partner's admins (`admin.team`) may change the lock alone, once the site's admins have
/// unlocked the access the first time (`409 awaiting_site_admin` before; `403
/// site_admins_only` for anything but the lock).
#[utoipa::path(patch, path = "/v1/sites/{site_id}/technicians/{account_id}", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path), ("account_id" = String, Path)), request_body = UpdateTechnician,
    responses((status = 200, body = AssignmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`technician_access_off`, `awaiting_site_admin`"), (status = 422, body = ErrorBody)))]
pub async fn update_technician(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, account)): Ids<(SiteId, AccountId)>,
    ApiJson(body): ApiJson<UpdateTechnician>,
) -> ApiResult<Json<AssignmentView>> {
    let change = TechnicianChange {
        level: body.level,
        locked: body.locked,
        starts_at: body.starts_at,
        expires_at: body.expires_at,
    };
    let technician = state
        .update_technician(&auth, &site, &account, change)
        .await?;
    Ok(Json(technician.into()))
}

/// Several technicians, locked or unlocked together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockTechnicians {
    /// The technicians' account ids (1 to 1,000).
    pub account_ids: Vec<String>,
    /// `true` locks them all, `false` unlocks them all, whatever each was before.
    pub locked: bool,
}

/// Lock or unlock one or many technicians: a mixed selection becomes all locked or all
/// unlocked, as asked. All or nothing; one audit event per technician whose lock changed.
/// The site's admins, and the partner's admins (`admin.team`) — who cannot unlock access the
/// site's admins have not unlocked yet.
#[utoipa::path(post, path = "/v1/sites/{site_id}/technicians/lock", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = LockTechnicians,
    responses((status = 200, body = Vec<AssignmentView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`technician_access_off`, `awaiting_site_admin`, `concurrent_change`"), (status = 422, body = ErrorBody)))]
pub async fn lock_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<LockTechnicians>,
) -> ApiResult<Json<Vec<AssignmentView>>> {
    let technicians = state
        .lock_technicians(&auth, &site, &body.account_ids, body.locked)
        .await?;
    Ok(Json(views(technicians)))
}

/// Several technicians given one level.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelTechnicians {
    /// The technicians' account ids (1 to 1,000).
    pub account_ids: Vec<String>,
    /// The level for all of them.
    #[schema(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: String,
}

/// Change the level of one or many technicians (the site's admins). All or nothing; audited
/// per technician.
#[utoipa::path(post, path = "/v1/sites/{site_id}/technicians/level", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = LevelTechnicians,
    responses((status = 200, body = Vec<AssignmentView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn level_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<LevelTechnicians>,
) -> ApiResult<Json<Vec<AssignmentView>>> {
    let technicians = state
        .level_technicians(&auth, &site, &body.account_ids, &body.level)
        .await?;
    Ok(Json(views(technicians)))
}

/// Technicians whose access to delete.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveTechnicians {
    /// The technicians' account ids (1 to 1,000).
    pub account_ids: Vec<String>,
}

/// Delete one or many technicians' access to the site (the site's admins, and the partner's
/// admins with `admin.team`). Their accounts remain; inviting them again restores access. All
/// or nothing; audited per technician.
#[utoipa::path(post, path = "/v1/sites/{site_id}/technicians/remove", tag = "technicians", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = RemoveTechnicians,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn remove_technicians(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<RemoveTechnicians>,
) -> ApiResult<StatusCode> {
    state
        .remove_technicians(&auth, &site, &body.account_ids)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A change to a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSite {
    /// The Technician Access switch (reference 002). While off, no technician passes any check
    /// at the site and technician management answers 409; turning it on restores everything
    /// as it was.
    pub technician_access: Option<bool>,
}

/// Change a site's settings (site admins).
#[utoipa::path(patch, path = "/v1/sites/{site_id}", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = UpdateSite,
    responses((status = 200, body = SiteView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_site(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<UpdateSite>,
) -> ApiResult<Json<SiteView>> {
    let site = state
        .set_technician_access(&auth, &site, body.technician_access)
        .await?;
    Ok(Json(site.into()))
}
