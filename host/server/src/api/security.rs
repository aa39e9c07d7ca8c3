//! Team security settings: what a partner holds its members to, and a site its admins.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use siteward_app::security::PolicyInput;
use siteward_core::ids::{PartnerId, SiteId};
use siteward_core::security::SecurityPolicy;

use super::path::Ids;
use crate::auth::Auth;
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// What a partner asks of its members at sign-in, or a site of its admins. A person under
/// several policies is held to the strictest of each setting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityView {
    /// Require two-step sign-in: someone without it enrols at their next sign-in and can do
    /// nothing else until then; nobody under it may remove theirs.
    #[serde(default)]
    pub require_two_factor: bool,
    /// Sessions end this many hours after sign-in at the latest (1 up to the host's own
    /// lifetime); absent: the host's. Setting it cuts the sessions already held.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub session_hours: Option<u32>,
    /// Sensitive changes (members' roles, privileges, status and removal, second-factor
    /// resets, API tokens, site admins, Technician Access, these settings) need a sign-in at
    /// most this many minutes old (5 to 1,440); absent: not asked. Refused with
    /// `403 fresh_sign_in_required`.
    #[serde(default)]
    #[schema(minimum = 5, maximum = 1440)]
    pub fresh_sign_in_minutes: Option<u32>,
}

impl From<SecurityPolicy> for SecurityView {
    fn from(policy: SecurityPolicy) -> Self {
        Self {
            require_two_factor: policy.require_two_factor,
            session_hours: policy.session_hours,
            fresh_sign_in_minutes: policy.fresh_sign_in_minutes,
        }
    }
}

impl SecurityView {
    fn input(&self) -> PolicyInput {
        PolicyInput {
            require_two_factor: self.require_two_factor,
            session_hours: self.session_hours,
            fresh_sign_in_minutes: self.fresh_sign_in_minutes,
        }
    }
}

/// What a partner asks of its members (its admins).
#[utoipa::path(get, path = "/v1/partners/{partner_id}/security", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path)),
    responses((status = 200, body = SecurityView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_partner_security(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
) -> ApiResult<Json<SecurityView>> {
    Ok(Json(state.partner_security(&auth, &partner).await?.into()))
}

/// Set what a partner asks of its members (its admins); audited as `partner.security_changed`.
#[utoipa::path(put, path = "/v1/partners/{partner_id}/security", tag = "members", security(("bearer" = [])),
    params(("partner_id" = String, Path)), request_body = SecurityView,
    responses((status = 200, body = SecurityView), (status = 403, body = ErrorBody, description = "`fresh_sign_in_required`: a policy asks for a more recent sign-in"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_partner_security(
    State(state): State<AppState>,
    auth: Auth,
    Ids(partner): Ids<PartnerId>,
    ApiJson(body): ApiJson<SecurityView>,
) -> ApiResult<Json<SecurityView>> {
    let policy = state
        .set_partner_security(&auth, &partner, body.input())
        .await?;
    Ok(Json(policy.into()))
}

/// What a site asks of its admins (those who manage its admins).
#[utoipa::path(get, path = "/v1/sites/{site_id}/security", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)),
    responses((status = 200, body = SecurityView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_site_security(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
) -> ApiResult<Json<SecurityView>> {
    Ok(Json(state.site_security(&auth, &site).await?.into()))
}

/// Set what a site asks of its admins; audited as `site.security_changed`.
#[utoipa::path(put, path = "/v1/sites/{site_id}/security", tag = "sites", security(("bearer" = [])),
    params(("site_id" = String, Path)), request_body = SecurityView,
    responses((status = 200, body = SecurityView), (status = 403, body = ErrorBody, description = "`fresh_sign_in_required`: a policy asks for a more recent sign-in"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_site_security(
    State(state): State<AppState>,
    auth: Auth,
    Ids(site): Ids<SiteId>,
    ApiJson(body): ApiJson<SecurityView>,
) -> ApiResult<Json<SecurityView>> {
    let policy = state.set_site_security(&auth, &site, body.input()).await?;
    Ok(Json(policy.into()))
}
