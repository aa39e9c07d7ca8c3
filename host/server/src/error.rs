//! The one HTTP error edge. Every failure leaves the API as
//! `{ "error": { "code": "...", "message": "...", "field": "..." } }`: 4xx with a stable code
//! and a message safe to show a person; 5xx with a generic message, the cause going to the log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use siteward_core::access::Denial;
use siteward_core::{DomainError, FieldError};
use siteward_storage::{Conflict, StorageError};

/// An error as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine code, for example `not_found` or `invalid_field`.
    code: &'static str,
    /// What happened, for a person.
    message: String,
    /// The offending field, for `invalid_field`.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// 404: the resource does not exist, or belongs to another tenant.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// 401: no valid credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    /// 401 with a specific code (for example `totp_required`).
    pub fn unauthenticated_code(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// 403: visible, but not allowed.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "you are not allowed to do this",
        )
    }

    /// 409 with a specific code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 500: the cause is logged, the client gets a generic message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side",
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            message: format!("{} {}", error.field, error.message),
            field: Some(error.field),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(field) => field.into(),
            DomainError::Conflict { code, message } => Self::conflict(code, message),
        }
    }
}

impl From<Denial> for ApiError {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::NotVisible => Self::not_found(),
            Denial::Forbidden => Self::forbidden(),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => Self::not_found(),
            StorageError::Conflict(conflict) => {
                let code = match conflict {
                    Conflict::EmailTaken => "email_taken",
                    Conflict::AlreadyMember => "already_member",
                    Conflict::AlreadySiteAdmin => "already_site_admin",
                    Conflict::LastSuperAdmin => "last_super_admin",
                    Conflict::AlreadyInvited => "already_invited",
                    Conflict::AlreadyAssigned => "already_assigned",
                    Conflict::InvitationNotPending => "invitation_not_pending",
                    Conflict::LicenceExhausted(privilege) => {
                        return Self::conflict(
                            "licence_exhausted",
                            format!(
                                "every {privilege} licence seat of this partner is taken; \
                                 free a seat or ask the operator for more"
                            ),
                        );
                    }
                    Conflict::PluginChanged => "plugin_changed",
                    Conflict::IdempotencyKeyInUse => "idempotency_key_in_use",
                    Conflict::Concurrent => "concurrent_change",
                };
                Self::conflict(code, conflict.to_string())
            }
            other => Self::internal(&other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// The result type of every handler.
pub type ApiResult<T> = Result<T, ApiError>;
