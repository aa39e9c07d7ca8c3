//! Logging in and out, the caller's own account, and its second factor.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use siteward_core::access::Principal;
use siteward_core::account::AccountStatus;
use siteward_core::audit::{Actor, AuditAction, AuditTarget, FieldChange};
use siteward_core::ids::SessionId;
use siteward_core::permission::index::Change;
use siteward_core::secret::{self, TokenKind};
use siteward_core::tenancy::MemberStatus;
use siteward_core::totp;
use siteward_core::validate::Email;
use siteward_storage::{Conflict, SessionRecord, StorageError};

use crate::auth::{self, Auth, ClientAddr};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiJson;
use crate::state::{AppState, AuditContext, random};

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
    let now = state.now();
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !state
        .limiter()
        .claim(address, now, state.auth.max_failures_per_address)
    {
        return Err(too_many_attempts());
    }
    let wrong = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "the email or password is wrong",
        )
    };
    let Ok(email) = Email::parse("email", &request.email) else {
        return Err(wrong());
    };
    // The attempt is counted before its password is checked, and for every address alike, so
    // neither a burst of concurrent guesses nor the answers tell whether an account exists.
    let policy = state.auth.lockout;
    let claimed = match state
        .store
        .claim_login_attempt(&email, |throttle| throttle.claim(now, policy))
        .await
    {
        Ok(Ok(claimed)) => claimed,
        Ok(Err(until)) => return Err(locked(until)),
        Err(StorageError::Conflict(Conflict::Concurrent)) => return Err(too_many_attempts()),
        Err(other) => return Err(other.into()),
    };
    let account = state.store.account_by_email(&email).await?;
    let (hash, totp_secret, totp_last_step) = match &account {
        Some((_, credentials)) => (
            credentials.password_hash.clone(),
            credentials.totp_secret.clone(),
            credentials.totp_last_step,
        ),
        // Spend the same time as for a real account, so timing does not reveal which exist.
        None => (auth::decoy_hash().to_owned(), None, None),
    };
    let password_ok =
        auth::verify_password_blocking(request.password, hash).await? && account.is_some();
    let totp_step = match (&totp_secret, password_ok) {
        (Some(secret), true) => match &request.totp {
            None => {
                return Err(ApiError::unauthenticated_code(
                    "totp_required",
                    "enter the code from your authenticator app",
                ));
            }
            Some(code) => totp::verify(secret, code, now, totp_last_step).map(Some),
        },
        (None, true) => Some(None),
        (_, false) => None,
    };
    let audit = AuditContext {
        actor: account.as_ref().map_or(Actor::System, |(account, _)| {
            Actor::Account(account.id.clone())
        }),
        request_id,
    };
    // A failure for an address without an account is recorded on the platform's trail under
    // the address's hash: operators see credential stuffing, and the work done is the same.
    let target = || match &account {
        Some((account, _)) => AuditTarget {
            kind: "account",
            id: account.id.to_string(),
        },
        None => AuditTarget {
            kind: "login",
            id: siteward_core::secret::token_hash(email.as_str()),
        },
    };
    let (Some(totp_step), Some((account, _))) = (totp_step, &account) else {
        let mut events = vec![audit.event(
            &state,
            AuditAction::LoginFailed,
            (None, None),
            target(),
            vec![],
        )];
        if claimed.check(now).is_err() {
            // This attempt's claim started the lockout.
            events.push(audit.event(
                &state,
                AuditAction::LoginLockedOut,
                (None, None),
                target(),
                vec![],
            ));
        }
        state.store.record_login_failure(&events).await?;
        return Err(if password_ok {
            ApiError::unauthenticated_code(
                "invalid_totp",
                "the authenticator code is wrong or already used",
            )
        } else {
            wrong()
        });
    };
    let target = || AuditTarget {
        kind: "account",
        id: account.id.to_string(),
    };
    let principal = state.principal(account);
    let all_memberships_disabled = !principal.partners.is_empty()
        && principal
            .partners
            .iter()
            .all(|s| s.status == MemberStatus::Disabled)
        && principal.site_admin_of.is_empty()
        && !principal.is_operator;
    if account.status == AccountStatus::Disabled || all_memberships_disabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "this account is disabled; ask your administrator",
        ));
    }
    let token = secret::token_text(TokenKind::Session, random());
    let session = SessionRecord {
        id: state.new_id(SessionId::from_trusted),
        account_id: account.id.clone(),
        token_hash: secret::token_hash(&token),
        created_at: now,
        expires_at: now + state.auth.session_ttl,
    };
    let event = audit.event(
        &state,
        AuditAction::LoginSucceeded,
        (None, None),
        target(),
        vec![],
    );
    state
        .store
        .start_session(&email, &session, totp_step, &event)
        .await?;
    state.limiter().forgive(address);
    Ok(Json(LoginResponse {
        token,
        expires_at: session.expires_at,
        account_id: account.id.to_string(),
    }))
}

fn too_many_attempts() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        "too many failed logins from your address; wait a minute and try again",
    )
}

/// The answer while an address is locked out; the same whether an account has it or not.
fn locked(until: siteward_core::Timestamp) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "account_locked",
        format!(
            "too many failed logins for this email; try again after {}",
            until.to_rfc3339()
        ),
    )
}

/// End the caller's session.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    let account = auth.account()?;
    let session = auth.session.as_ref().ok_or_else(ApiError::forbidden)?;
    let event = auth.audit.event(
        &state,
        AuditAction::Logout,
        (None, None),
        AuditTarget {
            kind: "account",
            id: account.id.to_string(),
        },
        vec![],
    );
    state.store.end_session(session, &event).await?;
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
pub async fn me(auth: Auth) -> ApiResult<Json<MeView>> {
    let account = auth.account()?;
    let Principal::Account(principal) = &auth.principal else {
        return Err(ApiError::forbidden());
    };
    Ok(Json(MeView {
        id: account.id.to_string(),
        email: account.email.to_string(),
        name: account.name.clone(),
        is_operator: account.is_operator,
        totp_enabled: account.totp_enabled,
        partners: principal
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
        site_admin_of: principal
            .site_admin_of
            .iter()
            .map(ToString::to_string)
            .collect(),
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
    let account = auth.account()?;
    if account.totp_enabled {
        return Err(ApiError::conflict(
            "totp_already_enabled",
            "a second factor is already enabled; remove it first",
        ));
    }
    let secret = totp::secret_text(random());
    state.store.set_pending_totp(&account.id, &secret).await?;
    Ok(Json(TotpEnrollment {
        otpauth_uri: totp::provisioning_uri(&secret, "Siteward", account.email.as_str()),
        secret,
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
    let account = auth.account()?;
    let (_, credentials) = state.store.credentials(&account.id).await?;
    let pending = credentials.totp_pending_secret.ok_or_else(|| {
        ApiError::conflict(
            "totp_not_pending",
            "start enrolment first (POST /v1/me/totp)",
        )
    })?;
    let step = totp::verify(&pending, &body.code, state.now(), None).ok_or_else(|| {
        siteward_core::FieldError::new("code", "is not the current code of the authenticator app")
    })?;
    let event = auth.audit.event(
        &state,
        AuditAction::TotpEnabled,
        (None, None),
        account_target(&auth)?,
        vec![FieldChange::changed("totp_enabled", false, true)],
    );
    state.store.enable_totp(&account.id, step, &event).await?;
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
    let account = auth.account()?;
    let (_, credentials) = state.store.credentials(&account.id).await?;
    let secret = credentials
        .totp_secret
        .ok_or_else(|| ApiError::conflict("totp_not_enabled", "no second factor is enabled"))?;
    totp::verify(&secret, &body.code, state.now(), credentials.totp_last_step).ok_or_else(
        || {
            siteward_core::FieldError::new(
                "code",
                "is not the current code of the authenticator app",
            )
        },
    )?;
    let event = auth.audit.event(
        &state,
        AuditAction::TotpDisabled,
        (None, None),
        account_target(&auth)?,
        vec![FieldChange::changed("totp_enabled", true, false)],
    );
    state.store.disable_totp(&account.id, &event).await?;
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
) -> ApiResult<impl IntoResponse> {
    let account = auth.account()?;
    auth::new_password(
        "new_password",
        &body.new_password,
        &[account.email.as_str(), &account.name],
    )?;
    let (_, credentials) = state.store.credentials(&account.id).await?;
    if !auth::verify_password_blocking(body.current_password, credentials.password_hash).await? {
        return Err(siteward_core::FieldError::new(
            "current_password",
            "is not the account's password",
        )
        .into());
    }
    let hash = auth::hash_password_blocking(body.new_password).await?;
    let event = auth.audit.event(
        &state,
        AuditAction::PasswordChanged,
        (None, None),
        account_target(&auth)?,
        vec![],
    );
    state
        .store
        .set_password(&account.id, &hash, auth.session.as_ref(), &event)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn account_target(auth: &Auth) -> ApiResult<AuditTarget> {
    Ok(AuditTarget {
        kind: "account",
        id: auth.account()?.id.to_string(),
    })
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
    axum::extract::Path(id): axum::extract::Path<String>,
    ApiJson(body): ApiJson<UpdateAccount>,
) -> ApiResult<StatusCode> {
    siteward_core::access::authorize(
        &auth.principal,
        siteward_core::access::Action::OperatePlatform,
    )?;
    let id = siteward_core::ids::AccountId::parse("account_id", &id)
        .map_err(|_| ApiError::not_found())?;
    let status = AccountStatus::parse("status", &body.status)?;
    let account = state.store.account(&id).await?;
    if account.is_operator && auth.account.as_ref().is_some_and(|me| me.id == id) {
        return Err(ApiError::conflict(
            "cannot_disable_self",
            "an operator cannot disable their own account",
        ));
    }
    if account.status != status {
        let event = auth.audit.event(
            &state,
            AuditAction::AccountStatusChanged,
            (None, None),
            AuditTarget {
                kind: "account",
                id: id.to_string(),
            },
            vec![FieldChange::changed("status", account.status, status)],
        );
        let change = Change::Account {
            account: id.key(),
            active: status == AccountStatus::Active,
        };
        state
            .permissions
            .commit([change], move |store| async move {
                store.set_account_status(&id, status, &event).await
            })
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
