//! The check API: "may technician T do P at site S / on device D / at partner P", one or
//! many questions at a time, with the reason and, on request, the path that granted; and the
//! reachability lists. Every answer comes from the in-memory permission index.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::check::{Ask, Reach};
use siteward_app::page::Paging;
use siteward_core::ids::{
    AccountId, DepartmentId, DeviceGroupId, DeviceId, GrantId, PartnerId, RoleId, SiteId,
};
use siteward_core::invitation::PermissionLevel;
use siteward_core::permission::index::{Reason, Scope};
use siteward_core::permission::role::RoleRef;
use siteward_core::permission::{Permission, PermissionClass};

use super::dto::Page;
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A question: may this technician do this, at this site, device or partner?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The technician's account id.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub technician_id: String,
    /// The permission, for example `devices.edit`, `device.screen_control` or `invitations.all`.
    #[schema(schema_with = super::dto::names::permission)]
    pub permission: String,
    /// The site (site menus and device actions). May be left out when `device_id` is given.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub site_id: Option<String>,
    /// The device (device actions); grants on the device, its group and its site count.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub device_id: Option<String>,
    /// The partner (invitation and administration permissions); defaults to the site's.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub partner_id: Option<String>,
    /// Also return the path that granted: technician → department → role → scope.
    #[serde(default)]
    pub explain: bool,
}

/// Where a grant applies.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScopeView {
    /// `site`, `group`, `device` or `section`.
    pub kind: &'static str,
    /// The site, group or device id, or the section's name.
    pub id: String,
}

impl ScopeView {
    /// The view of an index scope.
    pub fn of(scope: Scope) -> Self {
        match scope {
            Scope::Site(k) => Self {
                kind: "site",
                id: SiteId::from_key(k).to_string(),
            },
            Scope::Group(k) => Self {
                kind: "group",
                id: DeviceGroupId::from_key(k).to_string(),
            },
            Scope::Device(k) => Self {
                kind: "device",
                id: DeviceId::from_key(k).to_string(),
            },
            Scope::Section { section, .. } => Self {
                kind: "section",
                id: section.as_str().to_owned(),
            },
        }
    }
}

/// How the permission reached the technician: through a grant (`granted_by_role`), or
/// through their role at the partner (`granted_by_partner_role`).
#[derive(Debug, Serialize, ToSchema)]
pub struct PathView {
    /// `grant` or `partner_role`.
    #[schema(pattern = "^(grant|partner_role)$")]
    pub via: &'static str,
    /// The grant; absent when the partner role granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// The department the technician inherited the grant from; absent for their own grant
    /// and for a partner role.
    pub department_id: Option<String>,
    /// The role: a system role's name or a custom role's id for a grant; `super_admin`,
    /// `admin` or `technician` for a partner role.
    pub role: String,
    /// What the grant is on (for a device question: the device, its group or its site); for a
    /// partner role, the partner section the permission belongs to.
    pub scope: ScopeView,
}

/// The answer, with the reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether the technician may.
    pub allowed: bool,
    /// Why: the first reason that decides, in this order for a site (`account_disabled`,
    /// `not_a_member`, `membership_disabled`, `privilege_not_held`, `technician_access_off`,
    /// `not_assigned`, `locked`, `not_yet_valid`, `expired`, `level_none`, then
    /// `granted_by_level` or `not_in_level` for a site menu, `granted_by_role`,
    /// `grant_outside_window` or `no_grant` for a device action) and for a partner section
    /// (the account and membership reasons, then `granted_by_partner_role` — the partner role
    /// wins over a grant — `granted_by_role`, `grant_outside_window` or `no_grant`).
    #[schema(schema_with = super::dto::names::reason)]
    pub reason: &'static str,
    /// The assignment's level where a level decided (`granted_by_level`, `not_in_level`,
    /// `level_none`); `null` otherwise.
    pub level: Option<&'static str>,
    /// The path that granted, when asked for with `explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathView>,
}

impl CheckResponse {
    fn of(reason: Reason, question: &CheckRequest) -> Self {
        let path = match reason {
            _ if !question.explain => None,
            Reason::GrantedByPartnerRole(role) => {
                // The question was parsed before it was answered: its permission is known.
                let section = Permission::parse("permission", &question.permission)
                    .ok()
                    .and_then(|p| match p.class() {
                        PermissionClass::Section(section) => Some(section.as_str()),
                        _ => None,
                    })
                    .unwrap_or_default();
                Some(PathView {
                    via: "partner_role",
                    grant_id: None,
                    department_id: None,
                    role: role.as_str().to_owned(),
                    scope: ScopeView {
                        kind: "section",
                        id: section.to_owned(),
                    },
                })
            }
            Reason::GrantedByRole(path) => Some(PathView {
                via: "grant",
                grant_id: Some(GrantId::from_key(path.grant).to_string()),
                department_id: path
                    .department
                    .map(|d| DepartmentId::from_key(d).to_string()),
                role: match path.role {
                    RoleRef::System(system) => system.as_str().to_owned(),
                    RoleRef::Custom(key) => RoleId::from_key(key).to_string(),
                },
                scope: ScopeView::of(path.scope),
            }),
            _ => None,
        };
        Self {
            allowed: reason.allows(),
            reason: reason.code(),
            level: reason.level().map(PermissionLevel::as_str),
            path,
        }
    }
}

impl CheckRequest {
    fn ask(&self) -> Ask<'_> {
        Ask {
            technician_id: &self.technician_id,
            permission: &self.permission,
            site_id: self.site_id.as_deref(),
            device_id: self.device_id.as_deref(),
            partner_id: self.partner_id.as_deref(),
        }
    }
}

/// May technician T do P at site S, on device D, or at partner P? Callable by the site's
/// admins and tokens, and the managing partner's admins and tokens.
#[utoipa::path(post, path = "/v1/check", tag = "check", security(("bearer" = [])), request_body = CheckRequest,
    responses((status = 200, body = CheckResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CheckRequest>,
) -> ApiResult<Json<CheckResponse>> {
    let reason = state.check(&auth, &body.ask())?;
    Ok(Json(CheckResponse::of(reason, &body)))
}

/// Many questions, answered from one consistent state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCheckRequest {
    /// 1 to 10,000 questions.
    pub questions: Vec<CheckRequest>,
}

/// The answers, in the order of the questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkCheckResponse {
    /// One answer per question.
    pub answers: Vec<CheckResponse>,
}

/// Answer up to 10,000 questions at once, all from the same state of the index: no change
/// lands between the first answer and the last. One question the caller may not ask fails
/// the whole request, naming it (`questions[i]`).
#[utoipa::path(post, path = "/v1/check/bulk", tag = "check", security(("bearer" = [])), request_body = BulkCheckRequest,
    responses((status = 200, body = BulkCheckResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_bulk(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<BulkCheckRequest>,
) -> ApiResult<Json<BulkCheckResponse>> {
    let asks: Vec<Ask<'_>> = body.questions.iter().map(CheckRequest::ask).collect();
    let reasons = state.check_all(&auth, &asks)?;
    let answers = reasons
        .into_iter()
        .zip(&body.questions)
        .map(|(reason, q)| CheckResponse::of(reason, q))
        .collect();
    Ok(Json(BulkCheckResponse { answers }))
}

/// Which permission a reachability list is about, with filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReachQuery {
    /// The permission: by default `dashboard.view` for a site (can enter it at all) and
    /// `device.screen_view` for a device. For a device action asked of a site, a site counts
    /// when a site-wide grant allows it.
    #[param(schema_with = super::dto::names::permission)]
    pub permission: Option<String>,
    /// Only assignments with this level.
    #[param(pattern = "^(none|devices_only|full_excluding_users|full_including_users)$")]
    pub level: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

impl ReachQuery {
    fn reach(&self) -> Reach<'_> {
        Reach {
            permission: self.permission.as_deref(),
            level: self.level.as_deref(),
            paging: Paging {
                limit: self.limit,
                cursor: self.cursor.as_deref(),
            },
        }
    }
}

/// A level as lists show it: `none` without an assignment.
fn level_name(level: Option<PermissionLevel>) -> &'static str {
    level.map_or("none", PermissionLevel::as_str)
}

/// A technician who can reach a site (or device).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReachingTechnician {
    /// The technician's account.
    pub account_id: String,
    /// Their level at the site.
    pub level: &'static str,
}

/// A site a technician can reach.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReachableSite {
    /// The site.
    pub site_id: String,
    /// The technician's level there.
    pub level: &'static str,
}

/// A device a technician can reach.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReachableDevice {
    /// The device.
    pub device_id: String,
}

/// Who can reach a site now: its technicians for whom the check allows the permission.
#[utoipa::path(get, path = "/v1/sites/{site_id}/reachable-by", tag = "check", security(("bearer" = [])),
    params(("site_id" = String, Path), ReachQuery),
    responses((status = 200, body = Page<ReachingTechnician>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reachable_by(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachingTechnician>>> {
    reaching(&state, &auth, &site, None, &query)
}

/// The technicians of a site (or one of its devices) the check allows, one page.
fn reaching(
    state: &AppState,
    auth: &Auth,
    site: &SiteId,
    device: Option<&DeviceId>,
    query: &ReachQuery,
) -> ApiResult<Json<Page<ReachingTechnician>>> {
    let found = state.reaching_technicians(auth, site, device, query.reach())?;
    Ok(Json(Page::from(found, |(account, level)| {
        ReachingTechnician {
            account_id: account.to_string(),
            level: level_name(level),
        }
    })))
}

/// Who can reach a device now with the permission (default `device.screen_view`).
#[utoipa::path(get, path = "/v1/sites/{site_id}/devices/{device_id}/reachable-by", tag = "check", security(("bearer" = [])),
    params(("site_id" = String, Path), ("device_id" = String, Path), ReachQuery),
    responses((status = 200, body = Page<ReachingTechnician>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn device_reachable_by(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, device)): Ids<(SiteId, DeviceId)>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachingTechnician>>> {
    reaching(&state, &auth, &site, Some(&device), &query)
}

/// The partner's sites a member can reach now with the permission.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/members/{account_id}/reachable-sites", tag = "check",
    security(("bearer" = [])), params(("partner_id" = String, Path), ("account_id" = String, Path), ReachQuery),
    responses((status = 200, body = Page<ReachableSite>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reachable_sites(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, account)): Ids<(PartnerId, AccountId)>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachableSite>>> {
    let found = state
        .reachable_sites(&auth, &partner, &account, query.reach())
        .await?;
    Ok(Json(Page::from(found, |(site, level)| ReachableSite {
        site_id: site.to_string(),
        level: level_name(level),
    })))
}

/// The devices of a site a technician can reach now with the permission (default
/// `device.screen_view`).
#[utoipa::path(get, path = "/v1/sites/{site_id}/technicians/{account_id}/reachable-devices", tag = "check",
    security(("bearer" = [])), params(("site_id" = String, Path), ("account_id" = String, Path), ReachQuery),
    responses((status = 200, body = Page<ReachableDevice>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reachable_devices(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, account)): Ids<(SiteId, AccountId)>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachableDevice>>> {
    let found = state.reachable_devices(&auth, &site, &account, query.reach())?;
    Ok(Json(Page::from(found, |device: DeviceId| {
        ReachableDevice {
            device_id: device.to_string(),
        }
    })))
}
