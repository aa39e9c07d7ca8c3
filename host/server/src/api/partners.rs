//! Partners (created by the operator) and their members.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use siteward_core::access::{Action, Principal, authorize};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange};
use siteward_core::ids::{AccountId, PartnerId};
use siteward_core::permission::index::Change;
use siteward_core::tenancy::{
    DisabledReason, MemberStatus, Partner, PartnerMembership, PartnerRole, Privileges,
};
use siteward_core::validate;
use siteward_storage::{Conflict, MemberAccess, StorageError};

use super::people::{Linkable, PersonInput, resolve_person};
use super::views::{ListQuery, MemberViewJson, Page, PartnerView};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Parses a partner id from the path; a malformed id names no resource.
pub fn partner_id(text: &str) -> ApiResult<PartnerId> {
    PartnerId::parse("partner_id", text).map_err(|_| ApiError::not_found())
}

fn account_id(text: &str) -> ApiResult<AccountId> {
    AccountId::parse("account_id", text).map_err(|_| ApiError::not_found())
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
    authorize(&auth.principal, Action::OperatePlatform)?;
    let name = validate::name("name", &body.name)?;
    let partner = Partner {
        branding: siteward_core::tenancy::Branding::default(),
        locale: siteward_core::validate::DEFAULT_LOCALE.to_owned(),
        id: state.new_id(PartnerId::from_trusted),
        name,
        invitation_ttl_hours: u32::try_from(siteward_core::invitation::DEFAULT_TTL.num_hours())
            .unwrap_or(168),
        created_at: state.now(),
    };
    let (person, mut events) = resolve_person(
        &state,
        &auth,
        &body.super_admin,
        "super_admin",
        (Some(&partner.id), None),
        Linkable::Anyone,
    )
    .await?;
    let membership = PartnerMembership::new(
        partner.id.clone(),
        person.account_id().clone(),
        PartnerRole::SuperAdmin,
        partner.created_at,
    );
    let tenant = (Some(&partner.id), None);
    events.push(auth.audit.event(
        &state,
        AuditAction::PartnerCreated,
        tenant,
        partner_target(&partner.id),
        vec![FieldChange::set("name", &partner.name)],
    ));
    events.push(auth.audit.event(
        &state,
        AuditAction::MemberAdded,
        tenant,
        member_target(person.account_id()),
        vec![FieldChange::set("role", PartnerRole::SuperAdmin)],
    ));
    state
        .permissions
        .commit([membership.change()], {
            let partner = partner.clone();
            move |store| async move {
                store
                    .create_partner(&partner, &person, &membership, &events)
                    .await
            }
        })
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
    let page = query.page()?;
    let own: Vec<PartnerId>;
    let only = match &auth.principal {
        Principal::Account(a) if a.is_operator => None,
        Principal::Account(a) => {
            own = a
                .partners
                .iter()
                .filter(|s| s.status == MemberStatus::Active)
                .map(|s| s.partner.clone())
                .collect();
            Some(own.as_slice())
        }
        Principal::ApiToken {
            scope: siteward_core::access::TokenScope::Partner(p),
            ..
        } => Some(std::slice::from_ref(p)),
        Principal::ApiToken { .. } => Some(&[][..]),
    };
    let partners = state.store.partners(&page, only).await?;
    Ok(Json(Page::from(partners, PartnerView::from)))
}

/// Read a partner.
#[utoipa::path(get, path = "/v1/partners/{partner_id}", tag = "partners", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = PartnerView), (status = 404, body = ErrorBody)))]
pub async fn get_partner(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<PartnerView>> {
    let id = partner_id(&id)?;
    authorize(&auth.principal, Action::ViewPartner(&id))?;
    Ok(Json(state.store.partner(&id).await?.into()))
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
    #[schema(schema_with = super::views::names::privileges)]
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
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddMember>,
) -> ApiResult<Response> {
    let partner = partner_id(&id)?;
    authorize(&auth.principal, Action::ManageMembers(&partner))?;
    let role = PartnerRole::parse("role", &body.role)?;
    let privileges = body
        .privileges
        .as_deref()
        .map(|p| Privileges::parse("privileges", p))
        .transpose()?
        .unwrap_or(Privileges::DEFAULT);
    if role != PartnerRole::Technician || privileges != Privileges::DEFAULT {
        authorize(&auth.principal, Action::AssignRoles(&partner))?;
    }
    if role == PartnerRole::SuperAdmin {
        authorize(&auth.principal, Action::ManageSuperAdmins(&partner))?;
    }
    state.store.partner(&partner).await?;
    let email = validate::Email::parse("email", &body.email)?;
    if body.password.is_none() || state.store.account_id_by_email(&email).await?.is_some() {
        if privileges != Privileges::DEFAULT {
            return Err(siteward_core::FieldError::new(
                "privileges",
                "can be given once the person has accepted the invitation",
            )
            .into());
        }
        let invite = super::invitations::InviteToPartner {
            emails: vec![body.email],
            role: body.role,
            locale: None,
        };
        let mut response = super::invitations::invite_to_partner(
            State(state),
            auth,
            Path(id),
            headers,
            ApiJson(invite),
        )
        .await?;
        if response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::ACCEPTED;
        }
        return Ok(response);
    }
    let tenant = (Some(&partner), None);
    let input = PersonInput {
        email: body.email,
        name: body.name,
        password: body.password,
    };
    let (person, mut events) =
        resolve_person(&state, &auth, &input, "", tenant, Linkable::Nobody).await?;
    let membership = PartnerMembership {
        privileges,
        ..PartnerMembership::new(
            partner.clone(),
            person.account_id().clone(),
            role,
            state.now(),
        )
    };
    events.push(auth.audit.event(
        &state,
        AuditAction::MemberAdded,
        tenant,
        member_target(person.account_id()),
        vec![
            FieldChange::set("role", role),
            FieldChange::set("privileges", privileges_text(privileges)),
        ],
    ));
    state
        .permissions
        .commit([membership.change()], {
            let person = person.clone();
            move |store| async move { store.add_member(&membership, &person, &events).await }
        })
        .await?;
    let member = state.store.member(&partner, person.account_id()).await?;
    Ok((StatusCode::CREATED, Json(MemberViewJson::from(member))).into_response())
}

/// List a partner's members.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/members", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ListQuery),
    responses((status = 200, body = Page<MemberViewJson>), (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<MemberViewJson>>> {
    let partner = partner_id(&id)?;
    authorize(&auth.principal, Action::ViewPartner(&partner))?;
    let page = query.page()?;
    Ok(Json(Page::from(
        state.store.members(&partner, &page).await?,
        MemberViewJson::from,
    )))
}

/// Read one member.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/members/{account_id}", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 200, body = MemberViewJson), (status = 404, body = ErrorBody)))]
pub async fn get_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((partner, account)): Path<(String, String)>,
) -> ApiResult<Json<MemberViewJson>> {
    let partner = partner_id(&partner)?;
    authorize(&auth.principal, Action::ViewPartner(&partner))?;
    Ok(Json(
        state
            .store
            .member(&partner, &account_id(&account)?)
            .await?
            .into(),
    ))
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
    #[schema(schema_with = super::views::names::privileges)]
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
    Path((partner, account)): Path<(String, String)>,
    ApiJson(body): ApiJson<UpdateMember>,
) -> ApiResult<Json<MemberViewJson>> {
    let (partner, account, before) = managed_member(&state, &auth, &partner, &account).await?;
    let role = body
        .role
        .as_deref()
        .map(|r| PartnerRole::parse("role", r))
        .transpose()?;
    let status = body
        .status
        .as_deref()
        .map(|s| MemberStatus::parse("status", s))
        .transpose()?;
    let privileges = body
        .privileges
        .as_deref()
        .map(|p| Privileges::parse("privileges", p))
        .transpose()?;
    let mut after = before.clone();
    after.role = role.unwrap_or(before.role);
    after.status = status.unwrap_or(before.status);
    after.privileges = privileges.unwrap_or(before.privileges);
    if after.status != before.status {
        after.disabled_reason =
            (after.status == MemberStatus::Disabled).then_some(DisabledReason::Manual);
    }
    if after.role != before.role || after.privileges != before.privileges {
        authorize(&auth.principal, Action::AssignRoles(&partner))?;
    }
    if after.role == PartnerRole::SuperAdmin {
        authorize(&auth.principal, Action::ManageSuperAdmins(&partner))?;
    }
    let mut changes = Vec::new();
    if before.role != after.role {
        changes.push(FieldChange::changed("role", before.role, after.role));
    }
    if before.status != after.status {
        changes.push(FieldChange::changed("status", before.status, after.status));
    }
    if before.privileges != after.privileges {
        changes.push(FieldChange::changed(
            "privileges",
            privileges_text(before.privileges),
            privileges_text(after.privileges),
        ));
    }
    if !changes.is_empty() {
        let event = auth.audit.event(
            &state,
            AuditAction::MemberUpdated,
            (Some(&partner), None),
            member_target(&account),
            changes,
        );
        state
            .permissions
            .commit([after.change()], move |store| async move {
                store.update_member(&after, &event).await
            })
            .await?;
    }
    Ok(Json(state.store.member(&partner, &account).await?.into()))
}

/// Remove a member from a partner. The account remains.
#[utoipa::path(delete, path = "/v1/partners/{partner_id}/members/{account_id}", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    auth: Auth,
    Path((partner, account)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (partner, account, member) = managed_member(&state, &auth, &partner, &account).await?;
    // What the member holds at the partner goes with the membership, so that re-joining
    // brings nothing back: access comes again only from a new invitation, Locked.
    for _ in 0..REMOVAL_ATTEMPTS {
        let access = state.store.member_access(&partner, &account).await?;
        let (events, changes) = removal(&state, &auth, &partner, &account, &member, &access);
        let written = state
            .permissions
            .commit(changes, {
                let (partner, account) = (partner.clone(), account.clone());
                move |store| async move {
                    store
                        .remove_member(&partner, &account, &access, &events)
                        .await
                }
            })
            .await;
        match written {
            Ok(()) => return Ok(StatusCode::NO_CONTENT),
            Err(StorageError::Conflict(Conflict::Concurrent)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::conflict(
        "concurrent_change",
        "this member's access kept changing meanwhile; try again",
    ))
}

/// How often removing a member is tried again when its access changed meanwhile.
const REMOVAL_ATTEMPTS: usize = 5;

/// The audit events and index changes of removing `account` from `partner` with `access`:
/// one event for the membership and one for each assignment, grant and department it held.
fn removal(
    state: &AppState,
    auth: &Auth,
    partner: &PartnerId,
    account: &AccountId,
    member: &PartnerMembership,
    access: &MemberAccess,
) -> (Vec<AuditEvent>, Vec<Change>) {
    let ended = |field: &str, before: String| FieldChange {
        field: field.to_owned(),
        before: Some(before),
        after: None,
    };
    let mut events = vec![auth.audit.event(
        state,
        AuditAction::MemberRemoved,
        (Some(partner), None),
        member_target(account),
        vec![ended("role", member.role.to_string())],
    )];
    let mut changes = vec![Change::Membership {
        partner: partner.key(),
        account: account.key(),
        membership: None,
    }];
    for assignment in &access.assignments {
        events.push(auth.audit.event(
            state,
            AuditAction::AssignmentDeleted,
            (Some(partner), Some(&assignment.site_id)),
            AuditTarget {
                kind: "site_assignment",
                id: account.to_string(),
            },
            vec![ended("level", assignment.level.to_string())],
        ));
        changes.push(Change::Assignment {
            site: assignment.site_id.key(),
            account: account.key(),
            assignment: None,
        });
    }
    for grant in &access.grants {
        events.push(auth.audit.event(
            state,
            AuditAction::GrantDeleted,
            (Some(partner), None),
            AuditTarget {
                kind: "grant",
                id: grant.id.to_string(),
            },
            vec![ended("role", grant.role.as_str().to_owned())],
        ));
        changes.push(Change::GrantRemoved {
            grant: grant.id.key(),
        });
    }
    for department in &access.departments {
        events.push(auth.audit.event(
            state,
            AuditAction::DepartmentMemberRemoved,
            (Some(partner), None),
            AuditTarget {
                kind: "account",
                id: account.to_string(),
            },
            vec![ended("department", department.to_string())],
        ));
        changes.push(Change::DepartmentMember {
            department: department.key(),
            account: account.key(),
            member: false,
        });
    }
    (events, changes)
}

/// Reset a member's second factor, for a member who lost their authenticator (reference 003).
#[utoipa::path(post, path = "/v1/partners/{partner_id}/members/{account_id}/totp-reset", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path), ("account_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reset_member_totp(
    State(state): State<AppState>,
    auth: Auth,
    Path((partner, account)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (partner, account, _) = managed_member(&state, &auth, &partner, &account).await?;
    let event = auth.audit.event(
        &state,
        AuditAction::MemberTotpReset,
        (Some(&partner), None),
        member_target(&account),
        vec![],
    );
    state.store.disable_totp(&account, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Loads a membership the caller may manage: `admin.team` manages Technicians, Admins (who
/// assign roles) manage Admins too, and a Super Admin's membership needs a Super Admin
/// (reference 004).
async fn managed_member(
    state: &AppState,
    auth: &Auth,
    partner: &str,
    account: &str,
) -> ApiResult<(PartnerId, AccountId, PartnerMembership)> {
    let partner = partner_id(partner)?;
    authorize(&auth.principal, Action::ManageMembers(&partner))?;
    let account = account_id(account)?;
    let member = state.store.member(&partner, &account).await?.membership;
    match member.role {
        PartnerRole::SuperAdmin => authorize(&auth.principal, Action::ManageSuperAdmins(&partner))?,
        PartnerRole::Admin => authorize(&auth.principal, Action::AssignRoles(&partner))?,
        PartnerRole::Technician => {}
    }
    Ok((partner, account, member))
}

/// Privileges as audit text: their names, comma-separated, in catalogue order.
pub(crate) fn privileges_text(privileges: Privileges) -> String {
    privileges
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn partner_target(id: &PartnerId) -> AuditTarget {
    AuditTarget {
        kind: "partner",
        id: id.to_string(),
    }
}

fn member_target(account: &AccountId) -> AuditTarget {
    AuditTarget {
        kind: "membership",
        id: account.to_string(),
    }
}
