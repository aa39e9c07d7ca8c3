//! Partners (created by the operator) and their members.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use siteward_app::partners::{Added, MemberChange, MemberQuery, NewMember};
use siteward_app::people::Person;
use siteward_core::ids::{AccountId, PartnerId};

use super::dto::{ListQuery, MemberViewJson, Page, PartnerView};
use super::path::Ids;
use super::people::PersonInput;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Parses a partner id from the path; a malformed id names no resource.
pub fn partner_id(text: &str) -> ApiResult<PartnerId> {
    PartnerId::parse("partner_id", text).map_err(|_| ApiError::not_found())
}

/// A new partner and its first Super Admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePartner {
    /// The partner's name.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// Its first Super Admin: an existing account (by email) or a new one (with a password).
    pub super_admin: PersonInput,
}

/// Create a partner (operator only).
#[utoipa::path(post, path = "/v1/partners", tag = "partners", security(("bearer" = [])), request_body = CreatePartner,
    responses((status = 201, body = PartnerView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_partner(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CreatePartner>,
) -> ApiResult<(StatusCode, Json<PartnerView>)> {
    let partner = state
        .create_partner(&auth, &body.name, &body.super_admin.person())
        .await?;
    Ok((StatusCode::CREATED, Json(partner.into())))
}

/// List partners: every partner for the operator, the caller's own otherwise.
#[utoipa::path(get, path = "/v1/partners", tag = "partners", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Page<PartnerView>), (status = 401, body = ErrorBody)))]
pub async fn list_partners(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<PartnerView>>> {
    let partners = state.partners(&auth, query.paging()).await?;
    Ok(Json(Page::from(partners, PartnerView::from)))
}

/// Read a partner.
#[utoipa::path(get, path = "/v1/partners/{partner_id}", tag = "partners", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = PartnerView), (status = 404, body = ErrorBody)))]
pub async fn get_partner(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<PartnerId>,
) -> ApiResult<Json<PartnerView>> {
    Ok(Json(state.partner(&auth, &id).await?.into()))
}

/// A new member: a new account created with a password (self-hosted mode: no email is sent),
/// or — without a password, or for an address that already has an account — an invitation
/// the person accepts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// The member's email.
    #[schema(format = Email)]
    pub email: String,
    /// The display name, for a new account.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// The password of a new account. Without it (and for an address that already has an
    /// account) the person is sent an invitation instead, and joins by accepting it.
    #[serde(default)]
    #[schema(min_length = 12)]
    pub password: Option<String>,
    /// `super_admin`, `admin` or `technician` (`super_admin` only for a new account with a
    /// password: an invitation offers `admin` or `technician`).
    #[schema(pattern = "^(super_admin|admin|technician)$")]
    pub role: String,
    /// The privileges to hold (`remote_support`, `unattended_access`); `["unattended_access"]`
    /// when left out. Each needs a free licence seat where the partner has a licence.
    #[serde(default)]
    #[schema(schema_with = super::dto::names::privileges)]
    pub privileges: Option<Vec<String>>,
}

/// Add a member to a partner: a new account with a password joins at once (`201`); anyone
/// else — an address without a password, or one that already has an account — is sent an
/// invitation (`202`, the outcome as `POST /v1/partners/{partner_id}/invitations` gives it).
/// Nobody is attached to a partner without agreeing, and the answer names no one.
#[utoipa::path(post, path = "/v1/partners/{partner_id}/members", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = AddMember,
    responses((status = 201, body = MemberViewJson), (status = 202, body = super::invitations::InviteResults),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`already_member`, `licence_exhausted`; for an invitation, `already_invited` (a concurrent request invited the address first)"),
        (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<PartnerId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddMember>,
) -> ApiResult<Response> {
    let new = NewMember {
        person: Person {
            email: body.email.clone(),
            name: body.name,
            password: body.password,
        },
        role: body.role,
        privileges: body.privileges,
    };
    match state.add_member(&auth, &id, &new).await? {
        Added::Member(member) => {
            Ok((StatusCode::CREATED, Json(MemberViewJson::from(member))).into_response())
        }
        Added::Invite { role } => {
            let invite = super::invitations::InviteToPartner {
                emails: vec![body.email],
                role: role.as_str().to_owned(),
                locale: None,
                // The set-up asked for takes effect when they accept.
                privileges: new.privileges.clone(),
                departments: Vec::new(),
                grants: Vec::new(),
            };
            let mut response = super::invitations::invite_to_partner(
                State(state),
                auth,
                Ids(id),
                headers,
                ApiJson(invite),
            )
            .await?;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::ACCEPTED;
            }
            Ok(response)
        }
    }
}

/// Filters and paging for the member list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// Only members with this role.
    #[param(schema_with = super::dto::names::role)]
    pub role: Option<String>,
    /// Only members with this status.
    #[param(schema_with = super::dto::names::member_status)]
    pub status: Option<String>,
    /// Only members whose name or email contains this text, in any case.
    #[param(max_length = 200)]
    pub search: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$")]
    pub cursor: Option<String>,
}

/// List a partner's members, filtered by role, status and a search of name and email.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/members", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), MembersQuery),
    responses((status = 200, body = Page<MemberViewJson>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<PartnerId>,
    ApiQuery(query): ApiQuery<MembersQuery>,
) -> ApiResult<Json<Page<MemberViewJson>>> {
    let filter = MemberQuery {
        role: query.role.as_deref(),
        status: query.status.as_deref(),
        search: query.search.as_deref(),
    };
    let paging = siteward_app::page::Paging {
        limit: query.limit,
        cursor: query.cursor.as_deref(),
    };
    let members = state.members(&auth, &id, filter, paging).await?;
    Ok(Json(Page::from(members, MemberViewJson::from)))
}

/// Read one member.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/members/{account_id}", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 200, body = MemberViewJson), (status = 404, body = ErrorBody)))]
pub async fn get_member(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, account)): Ids<(PartnerId, AccountId)>,
) -> ApiResult<Json<MemberViewJson>> {
    Ok(Json(state.member(&auth, &partner, &account).await?.into()))
}

/// A change to a member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    /// A new role.
    #[schema(pattern = "^(super_admin|admin|technician)$")]
    pub role: Option<String>,
    /// `active` or `disabled`. A disabled member cannot log in to the partner.
    #[schema(pattern = "^(active|disabled)$")]
    pub status: Option<String>,
    /// The privileges to hold from now on (`remote_support`, `unattended_access`).
    #[schema(schema_with = super::dto::names::privileges)]
    pub privileges: Option<Vec<String>>,
}

/// Change a member's role, status or privileges. Roles and privileges are assigned by Super
/// Admins and Admins (reference 004); a status change needs `admin.team`.
#[utoipa::path(patch, path = "/v1/partners/{partner_id}/members/{account_id}", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)), request_body = UpdateMember,
    responses((status = 200, body = MemberViewJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`last_super_admin`, `licence_exhausted`"), (status = 422, body = ErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, account)): Ids<(PartnerId, AccountId)>,
    ApiJson(body): ApiJson<UpdateMember>,
) -> ApiResult<Json<MemberViewJson>> {
    let change = MemberChange {
        role: body.role,
        status: body.status,
        privileges: body.privileges,
    };
    let member = state
        .update_member(&auth, &partner, &account, &change)
        .await?;
    Ok(Json(member.into()))
}

/// Remove a member from a partner. The account remains.
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/members/{account_id}", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, account)): Ids<(PartnerId, AccountId)>,
) -> ApiResult<StatusCode> {
    state.remove_member(&auth, &partner, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reset a member's second factor, for a member who lost their authenticator (reference 003).
#[utoipa::path(post, path = "/v1/partners/{partner_id}/members/{account_id}/totp-reset", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_member_totp(
    State(state): State<AppState>,
    auth: Auth,
    Ids((partner, account)): Ids<(PartnerId, AccountId)>,
) -> ApiResult<StatusCode> {
    state.reset_member_totp(&auth, &partner, &account).await?;
    Ok(StatusCode::NO_CONTENT)
}
