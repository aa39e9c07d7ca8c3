//! Partner licences (reference 004): seats per privilege, set by the operator. Lowering a
//! licence below its holders disables the newest of them — never a Super Admin — with an
//! audit event each, in the same transaction as the new seats.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use siteward_core::FieldError;
use siteward_core::access::{Action, authorize};
use siteward_core::audit::{AuditAction, AuditTarget, FieldChange};
use siteward_core::tenancy::{DisabledReason, Licence, MemberStatus, PartnerMembership, Privilege};
use siteward_storage::LicenceUse;

use super::partners::{partner_id, partner_target};
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// The most seats one licence may have.
const MAX_SEATS: u32 = 1_000_000;

/// One privilege's licence.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceView {
    /// `remote_support` or `unattended_access`.
    pub privilege: String,
    /// The seats; `null` is unlimited.
    pub seats: Option<u32>,
    /// Active members holding the privilege.
    pub in_use: u32,
}

/// A partner's licences.
#[derive(Debug, Serialize, ToSchema)]
pub struct LicencesView {
    /// Every privilege, limited or not.
    pub licences: Vec<LicenceView>,
    /// The members this change disabled (account ids), newest first per privilege.
    pub disabled: Vec<String>,
}

fn view(uses: Vec<LicenceUse>, disabled: Vec<String>) -> LicencesView {
    LicencesView {
        licences: uses
            .into_iter()
            .map(|u| LicenceView {
                privilege: u.privilege.as_str().to_owned(),
                seats: u.seats,
                in_use: u.in_use,
            })
            .collect(),
        disabled,
    }
}

/// A partner's licences and the seats in use.
#[utoipa::path(get, path = "/v1/partners/{partner_id}/licences", tag = "partners", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = LicencesView), (status = 404, body = ErrorBody)))]
pub async fn get_licences(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<LicencesView>> {
    let partner = partner_id(&id)?;
    authorize(&auth.principal, Action::ViewPartner(&partner))?;
    state.store.partner(&partner).await?;
    Ok(Json(view(
        state.store.licences(&partner).await?,
        Vec::new(),
    )))
}

/// New seats; a privilege left out keeps its licence, `null` makes it unlimited.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetLicences {
    /// Seats for `remote_support`.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<u32>)]
    pub remote_support: Option<Option<u32>>,
    /// Seats for `unattended_access`.
    #[serde(default, deserialize_with = "crate::json::present")]
    #[schema(value_type = Option<u32>)]
    pub unattended_access: Option<Option<u32>>,
}

/// Set a partner's licences (operator only). Lowering one below its holders disables the
/// newest holders (by when they joined), never a Super Admin.
#[utoipa::path(put, path = "/v1/partners/{partner_id}/licences", tag = "partners", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = SetLicences,
    responses((status = 200, body = LicencesView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`licence_below_super_admins`"), (status = 422, body = ErrorBody)))]
pub async fn set_licences(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SetLicences>,
) -> ApiResult<Json<LicencesView>> {
    let partner = partner_id(&id)?;
    state.store.partner(&partner).await?;
    authorize(&auth.principal, Action::OperatePartner(&partner))?;
    let asked: Vec<(Privilege, Option<u32>)> = [
        (Privilege::RemoteSupport, body.remote_support),
        (Privilege::UnattendedAccess, body.unattended_access),
    ]
    .into_iter()
    .filter_map(|(privilege, seats)| seats.map(|seats| (privilege, seats)))
    .collect();
    if let Some((privilege, _)) = asked
        .iter()
        .find(|(_, seats)| seats.is_some_and(|s| s > MAX_SEATS))
    {
        return Err(
            FieldError::new(privilege.as_str(), format!("must be at most {MAX_SEATS}")).into(),
        );
    }
    let before = state.store.licences(&partner).await?;
    let mut disabled: Vec<PartnerMembership> = Vec::new();
    for &(privilege, seats) in &asked {
        let Some(seats) = seats else { continue };
        let holders = state.store.licence_holders(&partner, privilege).await?;
        let overflow = Licence { privilege, seats }
            .overflow(&holders)
            .map_err(|e| ApiError::conflict("licence_below_super_admins", e.to_string()))?;
        for member in overflow {
            if !disabled.iter().any(|d| d.account_id == member.account_id) {
                disabled.push(PartnerMembership {
                    status: MemberStatus::Disabled,
                    disabled_reason: Some(DisabledReason::Licence),
                    ..member.clone()
                });
            }
        }
    }
    let tenant = (Some(&partner), None);
    let mut events = vec![
        auth.audit.event(
            &state,
            AuditAction::LicencesChanged,
            tenant,
            partner_target(&partner),
            asked
                .iter()
                .map(|&(privilege, seats)| {
                    let was = before.iter().find(|u| u.privilege == privilege);
                    FieldChange {
                        field: privilege.as_str().to_owned(),
                        before: Some(seats_text(was.and_then(|u| u.seats))),
                        after: Some(seats_text(seats)),
                    }
                })
                .collect(),
        ),
    ];
    events.extend(disabled.iter().map(|member| {
        auth.audit.event(
            &state,
            AuditAction::MemberLicenceDisabled,
            tenant,
            AuditTarget {
                kind: "membership",
                id: member.account_id.to_string(),
            },
            vec![
                FieldChange::changed("status", MemberStatus::Active, MemberStatus::Disabled),
                FieldChange::set("disabled_reason", DisabledReason::Licence),
            ],
        )
    }));
    state
        .permissions
        .commit(disabled.iter().map(PartnerMembership::change), {
            let (partner, disabled, now) = (partner.clone(), disabled.clone(), state.now());
            move |store| async move {
                store
                    .set_licences(&partner, &asked, &disabled, &events, now)
                    .await
            }
        })
        .await?;
    Ok(Json(view(
        state.store.licences(&partner).await?,
        disabled.iter().map(|m| m.account_id.to_string()).collect(),
    )))
}

fn seats_text(seats: Option<u32>) -> String {
    seats.map_or_else(|| "unlimited".to_owned(), |s| s.to_string())
}
