//! Managing what grants are made of (reference 003): a partner's custom roles, departments
//! and grants; a site's device groups and devices. Every change commits with its audit event
//! and reaches the permission index before the response is sent.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use siteward_app::devices::DeviceInput;
use siteward_app::grants::{GrantFor, NewGrant};
use siteward_app::roles::RoleChange;
use siteward_core::ids::{
    AccountId, DepartmentId, DeviceGroupId, DeviceId, GrantId, PartnerId, SiteId,
};
use siteward_core::permission::records::{
    AccessGrant, CustomRole, Department, Device, DeviceGroup, GrantScope, GrantSubject,
};
use siteward_core::permission::role::SystemRole;

use super::dto::{ListQuery, Page};
use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// A role: system or custom.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    /// A system role's name or a custom role's id: what grants name.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// `site_level`, `devices_and_groups`, `invitations` or `administration`.
    pub purpose: &'static str,
    /// Its permissions.
    pub permissions: Vec<&'static str>,
    /// Whether it is a system role (immutable, cannot be deleted).
    pub system: bool,
}

impl From<CustomRole> for RoleView {
    fn from(r: CustomRole) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name,
            purpose: r.purpose.as_str(),
            permissions: r.permissions.iter().map(|p| p.as_str()).collect(),
            system: false,
        }
    }
}

/// The system roles: the four site levels and the system roles of reference 003.
#[utoipa::path(get, path = "/v1/roles/system", tag = "access", security(("bearer" = [])),
    responses((status = 200, body = Vec<RoleView>)))]
pub async fn system_roles(_auth: Auth) -> Json<Vec<RoleView>> {
    Json(
        SystemRole::ALL
            .iter()
            .map(|r| RoleView {
                id: r.as_str().to_owned(),
                name: r.as_str().to_owned(),
                purpose: r.purpose().as_str(),
                permissions: r.permissions().iter().map(|p| p.as_str()).collect(),
                system: true,
            })
            .collect(),
    )
}

/// A new custom role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    /// Its name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// `devices_and_groups`, `invitations` or `administration`; fixed once created.
    #[schema(pattern = "^(devices_and_groups|invitations|administration)$")]
    pub purpose: String,
    /// Its permissions, all of the purpose's kind (for example `device.reboot`).
    #[schema(schema_with = super::dto::names::permissions)]
    pub permissions: Vec<String>,
}

/// Create a custom role.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/roles", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateRole,
    responses((status = 201, body = RoleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_role(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<CreateRole>,
) -> ApiResult<(StatusCode, Json<RoleView>)> {
    let role = state
        .create_role(
            &auth,
            &partner,
            &body.name,
            &body.purpose,
            &body.permissions,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(role.into())))
}

/// List a partner's custom roles.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/roles", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<RoleView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_roles(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<RoleView>>> {
    let roles = state.roles(&auth, &partner, query.paging()).await?;
    Ok(Json(Page::from(roles, RoleView::from)))
}

/// A change to a custom role. Its purpose is fixed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    /// A new name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: Option<String>,
    /// The new permissions (replacing the old), all of the role's purpose.
    pub permissions: Option<Vec<String>>,
}

/// Rename a custom role or change its permissions; every grant using it changes with it at
/// once. System roles answer `409 system_role`.
#[utoipa::path(patch, path = "/v1/partners/{partner_id}/roles/{role_id}", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("role_id" = String, Path)), request_body = UpdateRole,
    responses((status = 200, body = RoleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`system_role`"), (status = 422, body = ErrorBody)))]
pub async fn update_role(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, role)): Ids<(PartnerId, String)>,
    ApiJson(body): ApiJson<UpdateRole>,
) -> ApiResult<Json<RoleView>> {
    let change = RoleChange {
        name: body.name,
        permissions: body.permissions,
    };
    let role = state.update_role(&auth, &partner, &role, &change).await?;
    Ok(Json(role.into()))
}

/// `dry_run=true` lists what a deletion would remove and changes nothing.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DryRunQuery {
    /// Only list what would be removed.
    #[serde(default)]
    pub dry_run: bool,
}

/// What deleting a role removes.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDeletion {
    /// Whether the role was deleted (`false` for a dry run).
    pub deleted: bool,
    /// The grants that use the role, removed with it.
    pub grants: Vec<GrantView>,
}

/// Delete a custom role and every grant that uses it. With `dry_run=true`, only list them.
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/roles/{role_id}", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("role_id" = String, Path), DryRunQuery),
    responses((status = 200, body = RoleDeletion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`system_role`: system roles cannot be deleted")))]
pub async fn delete_role(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, role)): Ids<(PartnerId, String)>,
    ApiQuery(query): ApiQuery<DryRunQuery>,
) -> ApiResult<Json<RoleDeletion>> {
    let deletion = state
        .delete_role(&auth, &partner, &role, query.dry_run)
        .await?;
    Ok(Json(RoleDeletion {
        deleted: deletion.deleted,
        grants: deletion.grants.into_iter().map(GrantView::from).collect(),
    }))
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        Self {
            id: d.id.to_string(),
            name: d.name,
            created_at: d.created_at,
        }
    }
}

/// A new department.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    /// Its name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
}

/// Create a department.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/departments", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateDepartment,
    responses((status = 201, body = DepartmentView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_department(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<CreateDepartment>,
) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    let department = state.create_department(&auth, &partner, &body.name).await?;
    Ok((StatusCode::CREATED, Json(department.into())))
}

/// List a partner's departments.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/departments", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<DepartmentView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_departments(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DepartmentView>>> {
    let departments = state.departments(&auth, &partner, query.paging()).await?;
    Ok(Json(Page::from(departments, DepartmentView::from)))
}

/// Delete a department, its memberships and its grants; members lose inherited rights at once.
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/departments/{department_id}", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("department_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_department(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, department)): Ids<(PartnerId, DepartmentId)>,
) -> ApiResult<StatusCode> {
    state
        .delete_department(&auth, &partner, &department)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A department's members.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentMembers {
    /// The members' account ids.
    pub account_ids: Vec<String>,
}

/// List a department's members.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/departments/{department_id}/members", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("department_id" = String, Path)),
    responses((status = 200, body = DepartmentMembers), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn department_members(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, department)): Ids<(PartnerId, DepartmentId)>,
) -> ApiResult<Json<DepartmentMembers>> {
    let members = state
        .department_members(&auth, &partner, &department)
        .await?;
    Ok(Json(DepartmentMembers {
        account_ids: members.iter().map(ToString::to_string).collect(),
    }))
}

async fn set_membership(
    state: &AppState,
    auth: &Auth,
    path: (PartnerId, DepartmentId, AccountId),
    member: bool,
) -> ApiResult<StatusCode> {
    let (partner, department, account) = path;
    state
        .set_department_member(auth, (&partner, &department, &account), member)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a partner member to a department.
#[utoipa::path(put, path = "/v1/partners/{partner_id}/departments/{department_id}/members/{account_id}", tag = "access",
    security(("bearer" = [])), params(("partner_id" = String, Path), ("department_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_department_member(
    State(state): State<AppState>,
    auth: Auth,
    Ids(path): Ids<(PartnerId, DepartmentId, AccountId)>,
) -> ApiResult<StatusCode> {
    set_membership(&state, &auth, path, true).await
}

/// Remove a member from a department; the rights they inherited end at once.
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/departments/{department_id}/members/{account_id}", tag = "access",
    security(("bearer" = [])), params(("partner_id" = String, Path), ("department_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_department_member(
    State(state): State<AppState>,
    auth: Auth,
    Ids(path): Ids<(PartnerId, DepartmentId, AccountId)>,
) -> ApiResult<StatusCode> {
    set_membership(&state, &auth, path, false).await
}

/// Who or what a grant names: `{"kind": "technician" | "department" | "invitation", "id": …}` or
/// `{"kind": "site" | "group" | "device" | "section", "id": …}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindAndId {
    /// The kind.
    pub kind: String,
    /// The id, or for a section its name (`invitations`, `administration`).
    pub id: String,
}

/// A grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    /// Its id.
    pub id: String,
    /// Who: a technician, a department, or a Pending invitation to join the partner (the
    /// grant waits, giving nothing, and becomes the new member's at acceptance).
    pub subject: KindAndId,
    /// Where: a site, device group, device or section.
    pub scope: KindAndId,
    /// The role: a system role's name or a custom role's id.
    pub role: String,
    /// From when (inclusive).
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when (exclusive).
    pub expires_at: Option<DateTime<Utc>>,
    /// The account that granted it; absent when an API token did.
    pub created_by: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<AccessGrant> for GrantView {
    fn from(g: AccessGrant) -> Self {
        let kind_id = |kind: &str, id: &str| KindAndId {
            kind: kind.to_owned(),
            id: id.to_owned(),
        };
        Self {
            id: g.id.to_string(),
            subject: match &g.subject {
                GrantSubject::Technician(id) => kind_id("technician", id.as_str()),
                GrantSubject::Department(id) => kind_id("department", id.as_str()),
                GrantSubject::Invitation(id) => kind_id("invitation", id.as_str()),
            },
            scope: match &g.scope {
                GrantScope::Site(id) => kind_id("site", id.as_str()),
                GrantScope::Group(id) => kind_id("group", id.as_str()),
                GrantScope::Device(id) => kind_id("device", id.as_str()),
                GrantScope::Section(section) => kind_id("section", section.as_str()),
            },
            role: g.role.as_str().to_owned(),
            valid_from: g.valid_from,
            expires_at: g.expires_at,
            created_by: g.created_by.map(|a| a.to_string()),
            created_at: g.created_at,
        }
    }
}

/// A new grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGrant {
    /// `{"kind": "technician" | "department" | "invitation", "id": …}`. An invitation must be
    /// a Pending one to join the partner: the grant waits for whoever accepts it (reference
    /// 003: configure the future technician before they accept).
    pub subject: KindAndId,
    /// `{"kind": "site" | "group" | "device", "id": …}` for device roles, or
    /// `{"kind": "section", "id": "invitations" | "administration"}`.
    pub scope: KindAndId,
    /// A system role's name (`full_device_access`, `auditor`, …) or a custom role's id. The
    /// role's purpose must fit the scope.
    pub role: String,
    /// From when the grant is valid (inclusive); absent: now.
    pub valid_from: Option<DateTime<Utc>>,
    /// When it ends (exclusive); absent: never. Time-bound access.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Grant a role on a site, device group, device or section to a technician or department,
/// optionally from and until given times.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/grants", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = CreateGrant,
    responses((status = 201, body = GrantView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_grant(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<CreateGrant>,
) -> ApiResult<(StatusCode, Json<GrantView>)> {
    let new = NewGrant {
        subject: (body.subject.kind, body.subject.id),
        grant: GrantFor {
            scope: (body.scope.kind, body.scope.id),
            role: body.role,
            valid_from: body.valid_from,
            expires_at: body.expires_at,
        },
    };
    let grant = state.create_grant(&auth, &partner, &new).await?;
    Ok((StatusCode::CREATED, Json(grant.into())))
}

/// List a partner's grants.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/grants", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<GrantView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_grants(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<GrantView>>> {
    let grants = state.grants(&auth, &partner, query.paging()).await?;
    Ok(Json(Page::from(grants, GrantView::from)))
}

/// Delete a grant; the access it gave ends at once.
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/grants/{grant_id}", tag = "access", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("grant_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_grant(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, grant)): Ids<(PartnerId, GrantId)>,
) -> ApiResult<StatusCode> {
    state.delete_grant(&auth, &partner, &grant).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A device group.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceGroupView {
    /// Its id.
    pub id: String,
    /// Its site.
    pub site_id: String,
    /// Its name.
    pub name: String,
}

impl From<DeviceGroup> for DeviceGroupView {
    fn from(g: DeviceGroup) -> Self {
        Self {
            id: g.id.to_string(),
            site_id: g.site_id.to_string(),
            name: g.name,
        }
    }
}

/// A new device group or device.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Named {
    /// Its name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
}

/// Create a device group at a site.
#[utoipa::path(post, path = "/v1/sites/{site_id}/device-groups", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = Named,
    responses((status = 201, body = DeviceGroupView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_device_group(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<Named>,
) -> ApiResult<(StatusCode, Json<DeviceGroupView>)> {
    let group = state.create_device_group(&auth, &site, &body.name).await?;
    Ok((StatusCode::CREATED, Json(group.into())))
}

/// List a site's device groups.
#[utoipa::path(get, path = "/v1/sites/{site_id}/device-groups", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<DeviceGroupView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_device_groups(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DeviceGroupView>>> {
    let groups = state.device_groups(&auth, &site, query.paging()).await?;
    Ok(Json(Page::from(groups, DeviceGroupView::from)))
}

/// Delete a device group: its devices leave it and grants on it are deleted.
#[utoipa::path(delete, path = "/v1/sites/{site_id}/device-groups/{group_id}", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path), ("group_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_device_group(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, group)): Ids<(SiteId, DeviceGroupId)>,
) -> ApiResult<StatusCode> {
    state.delete_device_group(&auth, &site, &group).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A device.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceView {
    /// Its id.
    pub id: String,
    /// Its site.
    pub site_id: String,
    /// Its group.
    pub group_id: Option<String>,
    /// Its name.
    pub name: String,
}

impl From<Device> for DeviceView {
    fn from(d: Device) -> Self {
        Self {
            id: d.id.to_string(),
            site_id: d.site_id.to_string(),
            group_id: d.group_id.map(|g| g.to_string()),
            name: d.name,
        }
    }
}

/// A device to create or change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveDevice {
    /// Its name (required when creating).
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: Option<String>,
    /// Its group at the same site; `null` or absent for none.
    pub group_id: Option<String>,
}

impl SaveDevice {
    fn input(&self) -> DeviceInput {
        DeviceInput {
            name: self.name.clone(),
            group_id: self.group_id.clone(),
        }
    }
}

/// Create a device at a site.
#[utoipa::path(post, path = "/v1/sites/{site_id}/devices", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = SaveDevice,
    responses((status = 201, body = DeviceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_device(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<SaveDevice>,
) -> ApiResult<(StatusCode, Json<DeviceView>)> {
    let device = state.create_device(&auth, &site, &body.input()).await?;
    Ok((StatusCode::CREATED, Json(device.into())))
}

/// Rename a device or move it to another group (or none).
#[utoipa::path(put, path = "/v1/sites/{site_id}/devices/{device_id}", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path), ("device_id" = String, Path)), request_body = SaveDevice,
    responses((status = 200, body = DeviceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_device(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, device)): Ids<(SiteId, DeviceId)>,
    ApiJson(body): ApiJson<SaveDevice>,
) -> ApiResult<Json<DeviceView>> {
    let device = state
        .update_device(&auth, &site, &device, &body.input())
        .await?;
    Ok(Json(device.into()))
}

/// List a site's devices.
#[utoipa::path(get, path = "/v1/sites/{site_id}/devices", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<DeviceView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_devices(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<DeviceView>>> {
    let devices = state.devices(&auth, &site, query.paging()).await?;
    Ok(Json(Page::from(devices, DeviceView::from)))
}

/// Delete a device and the grants on it.
#[utoipa::path(delete, path = "/v1/sites/{site_id}/devices/{device_id}", tag = "access", security(("bearer" = [])),
    params(("site_id" = String, Path), ("device_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_device(
    State(state): State<AppState>,
    auth: Auth,
    Ids((site, device)): Ids<(SiteId, DeviceId)>,
) -> ApiResult<StatusCode> {
    state.delete_device(&auth, &site, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}
