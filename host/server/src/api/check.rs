//! The check API: "may technician T do P at site S / on device D / at partner P", one or
//! many questions at a time, with the reason and, on request, the path that granted; and the
//! reachability lists. Every answer comes from the in-memory permission index.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_core::FieldError;
use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::ids::{
    AccountId, DepartmentId, DeviceGroupId, DeviceId, GrantId, PartnerId, RoleId, SiteId,
};
use siteward_core::invitation::PermissionLevel;
use siteward_core::page::PageRequest;
use siteward_core::permission::Permission;
use siteward_core::permission::index::{
    Index, KeyPage, PageAt, Question, QuestionError, Reason, Scope, Target,
};
use siteward_core::permission::role::RoleRef;

use super::views::Page;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The most questions one bulk check may carry.
pub const MAX_BULK_CHECK: usize = 10_000;

/// A question: may this technician do this, at this site, device or partner?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The technician's account id.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub technician_id: String,
    /// The permission, for example `devices.edit`, `device.screen_control` or `invitations.all`.
    #[schema(schema_with = super::views::names::permission)]
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

/// How a grant reached the technician.
#[derive(Debug, Serialize, ToSchema)]
pub struct PathView {
    /// The grant.
    pub grant_id: String,
    /// The department the technician inherited it from; absent for their own grant.
    pub department_id: Option<String>,
    /// The role: a system role's name or a custom role's id.
    pub role: String,
    /// What the grant is on (for a device question: the device, its group or its site).
    pub scope: ScopeView,
}

/// The answer, with the reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// Whether the technician may.
    pub allowed: bool,
    /// Why: `granted_by_level`, `granted_by_role`, `account_disabled`, `not_a_member`,
    /// `membership_disabled`, `technician_access_off`, `not_assigned`, `locked`,
    /// `not_yet_valid`, `expired`, `level_none`, `not_in_level`, `grant_outside_window` or
    /// `no_grant`.
    pub reason: &'static str,
    /// The assignment's level, where a level decided.
    pub level: Option<&'static str>,
    /// The path that granted, when asked for with `explain`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathView>,
}

impl CheckResponse {
    fn of(reason: Reason, explain: bool) -> Self {
        let level = match reason {
            Reason::GrantedByLevel(level) | Reason::NotInLevel(level) => Some(level.as_str()),
            _ => None,
        };
        let path = match reason {
            Reason::GrantedByRole(path) if explain => Some(PathView {
                grant_id: GrantId::from_key(path.grant).to_string(),
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
            level,
            path,
        }
    }
}

/// Parses a question and checks that the caller may ask it, against the index.
fn question(index: &Index, auth: &Auth, body: &CheckRequest, field: &str) -> ApiResult<Question> {
    let at = |name: &str| {
        if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    let technician = AccountId::parse(&at("technician_id"), &body.technician_id)?;
    let permission = Permission::parse(&at("permission"), &body.permission)?;
    let device = body
        .device_id
        .as_deref()
        .map(|d| DeviceId::parse(&at("device_id"), d))
        .transpose()?;
    let mut site = body
        .site_id
        .as_deref()
        .map(|s| SiteId::parse(&at("site_id"), s))
        .transpose()?;
    if site.is_none()
        && let Some(device) = &device
    {
        let site_key = index
            .device_site(device.key())
            .ok_or_else(ApiError::not_found)?;
        site = Some(SiteId::from_key(site_key));
    }
    let target = match (&site, &body.partner_id) {
        (Some(site), _) => {
            let partner = index
                .site_partner(site.key())
                .map(PartnerId::from_key)
                .ok_or_else(ApiError::not_found)?;
            authorize(
                &auth.principal,
                Action::AskPermissions(SiteRef {
                    site,
                    partner: &partner,
                }),
            )?;
            if let Some(asked) = &body.partner_id
                && asked != partner.as_str()
            {
                return Err(FieldError::new(at("partner_id"), "is not the site's partner").into());
            }
            Target::Site {
                site: site.key(),
                device: device.as_ref().map(DeviceId::key),
            }
        }
        (None, Some(partner)) => {
            let partner = PartnerId::parse(&at("partner_id"), partner)?;
            authorize(&auth.principal, Action::ManageMembers(&partner))?;
            Target::Partner(partner.key())
        }
        (None, None) => {
            return Err(
                FieldError::new(at("site_id"), "give a site, a device or a partner").into(),
            );
        }
    };
    Ok(Question {
        technician: technician.key(),
        permission,
        target,
    })
}

fn answer(
    index: &Index,
    question: &Question,
    now: i64,
    explain: bool,
    field: &str,
) -> ApiResult<CheckResponse> {
    let at = |name: &str| {
        if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    match index.check(question, now) {
        Ok(reason) => Ok(CheckResponse::of(reason, explain)),
        Err(QuestionError::UnknownSite | QuestionError::UnknownDevice) => {
            Err(ApiError::not_found())
        }
        Err(error @ QuestionError::NeedsSite) => {
            Err(FieldError::new(at("site_id"), error.to_string()).into())
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
    let now = state.now().timestamp_millis();
    let index = state.permissions.read();
    let question = question(&index, &auth, &body, "")?;
    Ok(Json(answer(&index, &question, now, body.explain, "")?))
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
    if body.questions.is_empty() || body.questions.len() > MAX_BULK_CHECK {
        return Err(FieldError::new("questions", "must hold 1 to 10000 questions").into());
    }
    let now = state.now().timestamp_millis();
    let index = state.permissions.read();
    let answers = body
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let field = format!("questions[{i}]");
            let question = question(&index, &auth, q, &field)?;
            answer(&index, &question, now, q.explain, &field)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(BulkCheckResponse { answers }))
}

/// Which permission a reachability list is about, with filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReachQuery {
    /// The permission (default `dashboard.view`: can enter the site at all). For a device
    /// action, a site counts when a site-wide grant allows it.
    #[param(schema_with = super::views::names::permission)]
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

struct Reach {
    permission: Permission,
    level: Option<PermissionLevel>,
    page: PageRequest,
}

impl ReachQuery {
    fn parse(&self, default: &str) -> ApiResult<Reach> {
        Ok(Reach {
            permission: Permission::parse(
                "permission",
                self.permission.as_deref().unwrap_or(default),
            )?,
            level: self
                .level
                .as_deref()
                .map(|l| PermissionLevel::parse("level", l))
                .transpose()?,
            page: PageRequest::parse(self.limit, self.cursor.as_deref())?,
        })
    }
}

impl Reach {
    /// Where the page starts. Cursors this API made hold an id; anything else is refused.
    fn at(&self) -> ApiResult<PageAt> {
        let after = self
            .page
            .after
            .as_deref()
            .map(|a| AccountId::parse("cursor", a).map(|id| id.key()))
            .transpose()?;
        Ok(PageAt {
            after,
            limit: self.page.limit as usize,
        })
    }
}

fn page_of<T>(page: KeyPage, view: impl Fn(u128) -> (String, T)) -> Page<T> {
    let mut next_cursor = None;
    let items = page
        .keys
        .iter()
        .map(|k| {
            let (id, item) = view(*k);
            next_cursor = Some(id);
            item
        })
        .collect();
    Page {
        items,
        next_cursor: next_cursor
            .filter(|_| page.more)
            .map(|id| siteward_core::page::encode_cursor(&id)),
    }
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

fn level_at(index: &Index, site: u128, technician: u128) -> &'static str {
    index
        .assignment(site, technician)
        .map_or("none", |a| a.level.as_str())
}

/// A device a technician can reach.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReachableDevice {
    /// The device.
    pub device_id: String,
}

fn site_ref_check(index: &Index, auth: &Auth, site: &str) -> ApiResult<SiteId> {
    let site = SiteId::parse("site_id", site).map_err(|_| ApiError::not_found())?;
    let partner = index
        .site_partner(site.key())
        .map(PartnerId::from_key)
        .ok_or_else(ApiError::not_found)?;
    authorize(
        &auth.principal,
        Action::AskPermissions(SiteRef {
            site: &site,
            partner: &partner,
        }),
    )?;
    Ok(site)
}

/// Who can reach a site now: its technicians for whom the check allows the permission.
#[utoipa::path(get, path = "/v1/sites/{site_id}/reachable-by", tag = "check", security(("bearer" = [])),
    params(("site_id" = String, Path), ReachQuery),
    responses((status = 200, body = Page<ReachingTechnician>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reachable_by(
    State(state): State<AppState>,
    auth: Auth,
    Path(site): Path<String>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachingTechnician>>> {
    reaching(&state, &auth, &site, None, &query)
}

/// The technicians of a site (or one of its devices) the check allows, one page.
fn reaching(
    state: &AppState,
    auth: &Auth,
    site: &str,
    device: Option<&str>,
    query: &ReachQuery,
) -> ApiResult<Json<Page<ReachingTechnician>>> {
    let reach = query.parse(if device.is_some() {
        "device.screen_view"
    } else {
        "dashboard.view"
    })?;
    let now = state.now().timestamp_millis();
    let index = state.permissions.read();
    let site = site_ref_check(&index, auth, site)?;
    let device = match device {
        Some(device) => {
            let device = DeviceId::parse("device_id", device).map_err(|_| ApiError::not_found())?;
            if index.device_site(device.key()) != Some(site.key()) {
                return Err(ApiError::not_found());
            }
            Some(device.key())
        }
        None => None,
    };
    let found = index.reaching_technicians(
        site.key(),
        device,
        reach.permission,
        now,
        reach.at()?,
        |_, a| reach.level.is_none_or(|l| a.level == l),
    );
    Ok(Json(page_of(found, |k| {
        let id = AccountId::from_key(k).to_string();
        let level = level_at(&index, site.key(), k);
        (
            id.clone(),
            ReachingTechnician {
                account_id: id,
                level,
            },
        )
    })))
}

/// Who can reach a device now with the permission (default `device.screen_view`).
#[utoipa::path(get, path = "/v1/sites/{site_id}/devices/{device_id}/reachable-by", tag = "check", security(("bearer" = [])),
    params(("site_id" = String, Path), ("device_id" = String, Path), ReachQuery),
    responses((status = 200, body = Page<ReachingTechnician>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn device_reachable_by(
    State(state): State<AppState>,
    auth: Auth,
    Path((site, device)): Path<(String, String)>,
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
    Path((partner, account)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachableSite>>> {
    let partner = super::partners::partner_id(&partner)?;
    authorize(&auth.principal, Action::ManageMembers(&partner))?;
    let account = AccountId::parse("account_id", &account).map_err(|_| ApiError::not_found())?;
    state.store.member(&partner, &account).await?;
    let reach = query.parse("dashboard.view")?;
    let now = state.now().timestamp_millis();
    let index = state.permissions.read();
    let partner_key = partner.key();
    let found = index.reachable_sites(
        account.key(),
        reach.permission,
        now,
        reach.at()?,
        |site, a| {
            index.site_partner(site) == Some(partner_key)
                && reach.level.is_none_or(|l| a.level == l)
        },
    );
    Ok(Json(page_of(found, |k| {
        let id = SiteId::from_key(k).to_string();
        let level = level_at(&index, k, account.key());
        (id.clone(), ReachableSite { site_id: id, level })
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
    Path((site, account)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<ReachQuery>,
) -> ApiResult<Json<Page<ReachableDevice>>> {
    let reach = query.parse("device.screen_view")?;
    let account = AccountId::parse("account_id", &account).map_err(|_| ApiError::not_found())?;
    let now = state.now().timestamp_millis();
    let index = state.permissions.read();
    let site = site_ref_check(&index, &auth, &site)?;
    let found = index.reachable_devices(
        account.key(),
        site.key(),
        reach.permission,
        now,
        reach.at()?,
    );
    Ok(Json(page_of(found, |k| {
        let id = DeviceId::from_key(k).to_string();
        (id.clone(), ReachableDevice { device_id: id })
    })))
}
