//! The storage error boundary: SurrealDB's failures, classified once, here.

use std::fmt;

/// Which "there can be only one" rule a write ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Another account already uses this email.
    EmailTaken,
    /// The account is already a member of this partner.
    AlreadyMember,
    /// The account is already an admin of this site.
    AlreadySiteAdmin,
    /// The change would leave the partner without an active Super Admin.
    LastSuperAdmin,
    /// An open invitation for this site (or partner) and email already exists.
    AlreadyInvited,
    /// The account is already assigned to this site.
    AlreadyAssigned,
    /// The account is a technician of this site, which its admins cannot be.
    AlreadyTechnician,
    /// The invitation left the Pending state meanwhile (accepted, revoked or expired).
    InvitationNotPending,
    /// The partner has no free licence seat for this privilege.
    LicenceExhausted(siteward_core::tenancy::Privilege),
    /// The plugin was installed, upgraded or removed meanwhile (or the binding is gone).
    PluginChanged,
    /// Another request with the same idempotency key is being processed or was stored.
    IdempotencyKeyInUse,
    /// The password reset link was used, replaced or expired meanwhile.
    ResetLinkGone,
    /// The sign-in's second step was taken already, or took too long.
    SignInChallengeGone,
    /// The technician already has an open access request at this site.
    AlreadyRequested,
    /// The site has an open review already.
    ReviewOpen,
    /// Someone decided this technician in the review already.
    AlreadyDecided,
    /// Another partner (or this one) claimed the email domain already.
    DomainClaimed,
    /// A concurrent transaction changed the same records; retrying may succeed.
    Concurrent,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmailTaken => {
                "an account with this email, or one that looks just like it, already exists"
            }
            Self::AlreadyMember => "the account is already a member of this partner",
            Self::AlreadySiteAdmin => "the account is already an admin of this site",
            Self::LastSuperAdmin => "the partner must keep at least one active super admin",
            Self::AlreadyInvited => "an open invitation for this email already exists",
            Self::AlreadyAssigned => "the account is already assigned to this site",
            Self::AlreadyTechnician => {
                "the account is a technician of this site; a site's admins are not its \
                 technicians: delete their technician access first"
            }
            Self::InvitationNotPending => "the invitation is no longer pending",
            Self::LicenceExhausted(_) => "every licence seat for this privilege is taken",
            Self::PluginChanged => "the plugin was installed, upgraded or removed meanwhile",
            Self::IdempotencyKeyInUse => "a request with this idempotency key was already made",
            Self::ResetLinkGone => "the password reset link was used, replaced or expired",
            Self::SignInChallengeGone => "the sign-in was finished already or took too long",
            Self::AlreadyRequested => {
                "you already have an open request for this site: wait for its answer, or \
                 cancel it first"
            }
            Self::ReviewOpen => {
                "this site has an open review: finish it (or wait for its deadline) before \
                 starting another"
            }
            Self::AlreadyDecided => {
                "someone already decided this technician in the review; reload to see the verdict"
            }
            Self::DomainClaimed => {
                "this domain is claimed already: a domain belongs to one team on this host; \
                 if it is yours, ask the host's operator"
            }
            Self::Concurrent => "a concurrent change touched the same records; try again",
        })
    }
}

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The record does not exist.
    #[error("not found")]
    NotFound,
    /// The write conflicts with what is stored.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The database refused a value as invalid (a schema assertion). The domain core validates
    /// first, so this signals a bug rather than bad input.
    #[error("invalid data: {0}")]
    Invalid(String),
    /// The database failed or could not be reached.
    #[error("storage backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StorageError {
    /// Classifies a SurrealDB error by its structured kind, never by its message text.
    pub(crate) fn backend(error: surrealdb::Error) -> Self {
        if error.is_not_found() {
            return Self::NotFound;
        }
        if matches!(
            error.query_details(),
            Some(surrealdb::types::QueryError::TransactionConflict)
        ) {
            return Self::Conflict(Conflict::Concurrent);
        }
        if error.is_validation() {
            return Self::Invalid(error.to_string());
        }
        Self::Backend(Box::new(error))
    }
}
