//! Errors the domain rules report: invalid input, named by field.

use std::fmt;

/// One invalid input field and what is wrong with it, in words a person understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name as the API spells it (for example `email` or `admin.password`).
    pub field: String,
    /// What is wrong, for example "must not be empty".
    pub message: String,
}

impl FieldError {
    /// An error on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error, with its field nested under `parent` (`admin` + `email` = `admin.email`).
    #[must_use]
    pub fn under(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A rule of the domain said no.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input that breaks a rule on one field.
    #[error("invalid {0}")]
    Invalid(FieldError),
    /// The request is well formed but conflicts with the current state
    /// (for example removing a partner's last super admin).
    #[error("{message}")]
    Conflict {
        /// A stable machine code, for example `last_super_admin`.
        code: &'static str,
        /// What happened, for a person.
        message: String,
    },
    /// The rule says this caller may not do it, whatever the state (for example accepting
    /// an invitation sent to another address).
    #[error("{message}")]
    Forbidden {
        /// A stable machine code, for example `invitation_email_mismatch`.
        code: &'static str,
        /// What happened, for a person.
        message: String,
    },
}

impl From<FieldError> for DomainError {
    fn from(error: FieldError) -> Self {
        Self::Invalid(error)
    }
}
