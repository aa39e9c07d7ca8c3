//! Logging in and out, the caller's own account, and its second factor.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use siteward_app::session::{self, Credentials, Me};

use siteward_core::ids::AccountId;

use super::path::Ids;
use crate::auth::{Auth, ClientAddr, request_id};
use crate::error::{ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::AppState;

/// Credentials for a login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's email.
    pub email: String,
    /// The password.
    pub password: String,
    /// The current code of the authenticator app, for accounts with a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The bearer token: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// The account's id.
    pub account_id: String,
    /// Whether a team the account belongs to requires two-step sign-in and it has none yet:
    /// the session may then only enrol (`POST /v1/me/totp`, `POST /v1/me/totp/confirm`), read
    /// `GET /v1/me` and log out; anything else answers `403 two_factor_enrolment_required`.
    pub must_enrol: bool,
}

/// Log in with email and password (and the second factor, if enabled).
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = ErrorBody, description = "wrong email, password or code; `totp_required` when a code is needed"),
        (status = 403, body = ErrorBody, description = "the account is disabled"),
        (status = 409, body = ErrorBody, description = "`concurrent_change`: the same authenticator code was just used by another login"),
        (status = 429, body = ErrorBody, description = "`account_locked` (too many failed logins for this email) or `too_many_attempts` (from this address)"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: axum::http::HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    if !state
        .limiter()
        .claim(address, state.now(), state.auth.max_failures_per_address)
    {
        return Err(session::too_many_attempts().into());
    }
    let credentials = Credentials {
        email: request.email,
        password: request.password,
        totp: request.totp,
        client: Some(crate::auth::client_description(&headers, address)),
    };
    let started = state.login(credentials, request_id(&headers)).await?;
    state.limiter().forgive(address);
    Ok(Json(LoginResponse {
        token: started.token,
        expires_at: started.expires_at,
        account_id: started.account_id.to_string(),
        must_enrol: started.must_enrol,
    }))
}

/// End the caller's session.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    state.logout(&auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller: account, partner memberships and administered sites.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// The account's id.
    pub id: String,
    /// Its email.
    pub email: String,
    /// Its name.
    pub name: String,
    /// Whether it runs the platform.
    pub is_operator: bool,
    /// Whether a second factor is enabled.
    pub totp_enabled: bool,
    /// Partner memberships.
    pub partners: Vec<MembershipView>,
    /// Ids of the sites it administers.
    pub site_admin_of: Vec<String>,
    /// What its teams hold it to (for a session caller).
    pub security: MySecurityView,
}

/// What a person's teams hold them to: the strictest of each setting of the partners they
/// belong to and the sites they administer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySecurityView {
    /// Two-step sign-in is required.
    pub two_factor_required: bool,
    /// This session may do nothing but enrol in two-step sign-in until it is set up.
    pub must_enrol: bool,
    /// Sessions end this many hours after sign-in at the latest; absent: the host's lifetime.
    pub session_hours: Option<u32>,
    /// Sensitive changes need a sign-in at most this many minutes old; absent: not asked.
    pub fresh_sign_in_minutes: Option<u32>,
    /// When this session signed in.
    pub signed_in_at: Option<DateTime<Utc>>,
    /// Whose policies ask anything: `{"kind": "partner" | "site", "id": …}`.
    pub required_by: Vec<super::access::KindAndId>,
}

/// One partner membership of the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    /// The partner.
    pub partner_id: String,
    /// The role there.
    pub role: String,
    /// `active` or `disabled`.
    pub status: String,
    /// The privileges held: `remote_support`, `unattended_access`.
    pub privileges: Vec<String>,
    /// The partner-section permissions held now, by role or by grant (`admin.team`, …).
    pub permissions: Vec<String>,
}

/// Who am I?
#[utoipa::path(get, path = "/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<MeView>> {
    let Me { account, holds } = state.me(&auth)?;
    let security = state.my_security(&auth).await?;
    Ok(Json(MeView {
        id: account.id.to_string(),
        email: account.email.to_string(),
        name: account.name.clone(),
        is_operator: account.is_operator,
        totp_enabled: account.totp_enabled,
        partners: holds
            .partners
            .iter()
            .map(|s| MembershipView {
                partner_id: s.partner.to_string(),
                role: s.role.as_str().to_owned(),
                status: s.status.as_str().to_owned(),
                privileges: s.privileges.iter().map(|p| p.as_str().to_owned()).collect(),
                permissions: s
                    .permissions
                    .iter()
                    .map(|p| p.as_str().to_owned())
                    .collect(),
            })
            .collect(),
        site_admin_of: holds
            .site_admin_of
            .iter()
            .map(ToString::to_string)
            .collect(),
        security: MySecurityView {
            two_factor_required: security.held.require_two_factor,
            must_enrol: security.must_enrol,
            session_hours: security.held.session_hours,
            fresh_sign_in_minutes: security.held.fresh_sign_in_minutes,
            signed_in_at: security.signed_in_at,
            required_by: security
                .by
                .iter()
                .map(|owner| super::access::KindAndId {
                    kind: owner.kind().to_owned(),
                    id: owner.id().to_owned(),
                })
                .collect(),
        },
    }))
}

/// A new TOTP secret, waiting for confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrollment {
    /// The base32 secret, for manual entry.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// Start enrolling a second factor: returns a secret to add to an authenticator app. It takes
/// effect once confirmed with a code.
#[utoipa::path(post, path = "/v1/me/totp", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TotpEnrollment), (status = 409, body = ErrorBody, description = "already enabled")))]
pub async fn totp_enroll(
    State(state): State<AppState>,
    auth: Auth,
) -> ApiResult<Json<TotpEnrollment>> {
    let enrollment = state.totp_enroll(&auth).await?;
    Ok(Json(TotpEnrollment {
        secret: enrollment.secret,
        otpauth_uri: enrollment.otpauth_uri,
    }))
}

/// A code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The six-digit code.
    pub code: String,
}

/// Confirm the pending second factor with a current code.
#[utoipa::path(post, path = "/v1/me/totp/confirm", tag = "auth", security(("bearer" = [])), request_body = TotpCode,
    responses((status = 204), (status = 409, body = ErrorBody, description = "nothing to confirm"), (status = 422, body = ErrorBody)))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<TotpCode>,
) -> ApiResult<StatusCode> {
    state.totp_confirm(&auth, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove the caller's second factor; needs a current code.
#[utoipa::path(delete, path = "/v1/me/totp", tag = "auth", security(("bearer" = [])), request_body = TotpCode,
    responses((status = 204), (status = 409, body = ErrorBody, description = "not enabled"), (status = 422, body = ErrorBody)))]
pub async fn totp_remove(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<TotpCode>,
) -> ApiResult<StatusCode> {
    state.totp_remove(&auth, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password: at least 12 characters, not easy to guess, not your email or name.
    #[schema(min_length = 12)]
    pub new_password: String,
}

/// Change the caller's password. Every other session of the account ends (whoever signed in
/// with the old password is signed out); the session that made the change stays.
#[utoipa::path(post, path = "/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    state
        .change_password(&auth, body.current_password, body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A platform-wide change to an account (operator only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// `active` or `disabled`. A disabled account cannot log in anywhere, its sessions end, and
    /// every permission check for it denies with `account_disabled`.
    pub status: String,
}

/// Disable or re-enable an account platform-wide (operator only). Partners disable their
/// members per partner instead (`PATCH /v1/partners/{id}/members/{account}`).
#[utoipa::path(patch, path = "/v1/accounts/{account_id}", tag = "auth", security(("bearer" = [])),
    params(("account_id" = String, Path)), request_body = UpdateAccount,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`cannot_disable_self`"), (status = 422, body = ErrorBody)))]
pub async fn update_account(
    State(state): State<AppState>,
    auth: Auth,
    Ids(id): Ids<AccountId>,
    ApiJson(body): ApiJson<UpdateAccount>,
) -> ApiResult<StatusCode> {
    state.set_account_status(&auth, &id, &body.status).await?;
    Ok(StatusCode::NO_CONTENT)
}
