//! Creating operator accounts: from the command line, or on the first start of `serve`. The
//! host acts here (the actor is the system), not a signed-in caller.

use siteward_core::Timestamp;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, AuditEventId};
use siteward_core::validate::{self, Email};
use siteward_storage::{NewAccount, StorageError, Store};

use crate::auth::hash_password;
use crate::services::random;

/// Why an operator could not be created.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The email, name or password is not acceptable.
    #[error("{0}")]
    Invalid(siteward_core::FieldError),
    /// Storage refused (for example, the email is taken).
    #[error("{0}")]
    Storage(#[from] StorageError),
}

/// A password of 20 characters from a 57-character alphabet without look-alikes (~116 bits).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    random::<20>()
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// Creates an operator account with this password.
pub async fn create_operator(
    store: &Store,
    email: &str,
    name: &str,
    password: &str,
    now: Timestamp,
) -> Result<AccountId, OperatorError> {
    let email = Email::parse("email", email).map_err(OperatorError::Invalid)?;
    let name = validate::name("name", name).map_err(OperatorError::Invalid)?;
    crate::auth::new_password("password", password, &[email.as_str(), &name])
        .map_err(OperatorError::Invalid)?;
    let account = Account {
        id: AccountId::generate(now, random()),
        email,
        name,
        status: AccountStatus::Active,
        is_operator: true,
        totp_enabled: false,
        locale: None,
        created_at: now,
    };
    let event = AuditEvent {
        id: AuditEventId::generate(now, random()),
        at: now,
        actor: Actor::System,
        partner_id: None,
        site_id: None,
        action: AuditAction::OperatorCreated,
        target: AuditTarget {
            kind: TargetKind::Account,
            id: account.id.to_string(),
        },
        changes: vec![FieldChange::set("email", &account.email)],
        request_id: None,
    };
    let id = account.id.clone();
    let new = NewAccount {
        account,
        password_hash: hash_password(password),
    };
    store.create_operator(&new, &event).await?;
    Ok(id)
}
