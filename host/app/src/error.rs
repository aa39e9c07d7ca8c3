//! Why a use case did not do what was asked: a kind (which the HTTP edge turns into a status,
//! once, in `siteward_server::error`), a stable machine code, and a message safe to show a
//! person. The codes are the API's contract: they never change meaning.

use std::borrow::Cow;

use siteward_core::access::Denial;
use siteward_core::{DomainError, FieldError};
use siteward_storage::{Conflict, StorageError};

/// What kind of failure an [`AppError`] is; each frontend answers a kind its own way (the
/// JSON API with one HTTP status per kind, the console with a page or a form message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No valid credentials, or the wrong ones.
    Unauthenticated,
    /// Visible, but the caller may not do this.
    Forbidden,
    /// Does not exist, or belongs to another tenant.
    NotFound,
    /// Well formed, but at odds with the current state.
    Conflict,
    /// One field breaks a rule.
    Invalid,
    /// Too many attempts; try again later.
    Throttled,
    /// Something the answer depends on cannot answer now (a plugin, an exporter).
    Unavailable,
    /// A fault on our side; the cause went to the log.
    Internal,
}

/// A use case's failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AppError {
    /// What kind of failure.
    pub kind: Kind,
    /// A stable machine code, for example `not_found` or `invalid_field`.
    pub code: &'static str,
    /// What happened, for a person.
    pub message: Cow<'static, str>,
    /// The offending field, for [`Kind::Invalid`].
    pub field: Option<String>,
}

impl AppError {
    /// A failure of this kind, with its code and message.
    pub fn new(kind: Kind, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The resource does not exist, or belongs to another tenant.
    pub fn not_found() -> Self {
        Self::new(Kind::NotFound, "not_found", "no such resource")
    }

    /// Visible, but not allowed.
    pub fn forbidden() -> Self {
        Self::new(
            Kind::Forbidden,
            "forbidden",
            "you are not allowed to do this",
        )
    }

    /// Refused, with a code of its own (`account_disabled`, `approval_required`, …).
    pub fn refused(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Kind::Forbidden, code, message)
    }

    /// At odds with the current state.
    pub fn conflict(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Kind::Conflict, code, message)
    }

    /// No valid credentials, with a code saying which (`invalid_credentials`, `totp_required`).
    pub fn unauthenticated(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Kind::Unauthenticated, code, message)
    }

    /// Too many attempts.
    pub fn throttled(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Kind::Throttled, code, message)
    }

    /// A part the answer depends on cannot answer now.
    pub fn unavailable(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Kind::Unavailable, code, message)
    }

    /// A fault on our side: the cause is logged here, the caller gets a generic message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            Kind::Internal,
            "internal",
            "something went wrong on our side",
        )
    }

    /// The error of one part of a request (`grants[2]`): its field named within the part.
    #[must_use]
    pub fn within(mut self, part: &str) -> Self {
        if let Some(field) = self.field.take() {
            let whole = format!("{part}.{field}");
            if let Some(rest) = self.message.strip_prefix(field.as_str()) {
                self.message = format!("{whole}{rest}").into();
            }
            self.field = Some(whole);
        }
        self
    }

    /// An endpoint for people, called with an API token.
    pub fn session_required() -> Self {
        Self::refused(
            "session_required",
            "this needs a login session, not an API token",
        )
    }
}

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        Self {
            kind: Kind::Invalid,
            code: "invalid_field",
            message: format!("{} {}", error.field, error.message).into(),
            field: Some(error.field),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(field) => field.into(),
            DomainError::Conflict { code, message } => Self::conflict(code, message),
            DomainError::Forbidden { code, message } => Self::refused(code, message),
        }
    }
}

impl From<Denial> for AppError {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::NotVisible => Self::not_found(),
            Denial::Forbidden => Self::forbidden(),
        }
    }
}

impl From<StorageError> for AppError {
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
                    Conflict::AlreadyTechnician => "already_technician",
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
                    Conflict::ResetLinkGone => "reset_link_gone",
                    Conflict::SignInChallengeGone => "sign_in_challenge_gone",
                    Conflict::AlreadyRequested => "already_requested",
                    Conflict::ReviewOpen => "review_open",
                    Conflict::AlreadyDecided => "already_decided",
                    Conflict::DomainClaimed => "domain_claimed",
                    Conflict::Concurrent => "concurrent_change",
                };
                Self::conflict(code, conflict.to_string())
            }
            other => Self::internal(&other),
        }
    }
}

impl From<crate::plugins::admin::AdminError> for AppError {
    fn from(error: crate::plugins::admin::AdminError) -> Self {
        use crate::plugins::admin::AdminError;
        let message = error.to_string();
        match error {
            AdminError::Invalid(siteward_plugins::ManifestError { field, message }) => {
                FieldError::new(field, message).into()
            }
            AdminError::Component(_) => Self::new(Kind::Invalid, "invalid_component", message),
            AdminError::NotInstalled(_) => Self::not_found(),
            AdminError::VersionNotNewer { .. } => {
                Self::conflict("plugin_version_not_newer", message)
            }
            AdminError::WorldChanged { .. } => Self::conflict("plugin_world_changed", message),
            AdminError::ConfigIncompatible { .. } => {
                Self::conflict("plugin_config_incompatible", message)
            }
            AdminError::Storage(error) => error.into(),
        }
    }
}

/// The result of a use case.
pub type AppResult<T> = Result<T, AppError>;
