//! Partner licences (reference 004): seats per privilege, set by the operator. Lowering a
//! licence below its holders disables the newest of them — never a Super Admin — with an
//! audit event each, in the same transaction as the new seats.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use siteward_app::licences::{LicenceUse, SeatChange};
use siteward_core::ids::PartnerId;

use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

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
    Ids(id): Ids<PartnerId>,
) -> ApiResult<Json<LicencesView>> {
    Ok(Json(view(state.licences(&auth, &id).await?, Vec::new())))
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
    Ids(id): Ids<PartnerId>,
    ApiJson(body): ApiJson<SetLicences>,
) -> ApiResult<Json<LicencesView>> {
    let change = SeatChange {
        remote_support: body.remote_support,
        unattended_access: body.unattended_access,
    };
    let licences = state.set_licences(&auth, &id, change).await?;
    Ok(Json(view(
        licences.uses,
        licences.disabled.iter().map(ToString::to_string).collect(),
    )))
}
