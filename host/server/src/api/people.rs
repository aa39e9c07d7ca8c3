//! The person given when adding a member, a partner's Super Admin or a site admin: an
//! existing account found by email, or a new account created with a password.

use serde::Deserialize;
use utoipa::ToSchema;

use siteward_core::FieldError;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange};
use siteward_core::ids::{AccountId, PartnerId, SiteId};
use siteward_core::tenancy::NewPerson;
use siteward_storage::{NewAccount, PersonResolution};

use crate::auth::{self, Auth};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A person: an existing account (by email), or a new account when a password is given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// The email; one account per email across the platform.
    pub email: String,
    /// The display name, for a new account.
    pub name: String,
    /// The password of a new account (at least 12 characters). Leave it out to add an
    /// existing account.
    #[serde(default)]
    pub password: Option<String>,
}

/// Resolves a person to an account, hashing the password of a new one. Returns the extra
/// audit events (the account's creation) to write with the change.
pub async fn resolve_person(
    state: &AppState,
    auth: &Auth,
    input: &PersonInput,
    prefix: &str,
    tenant: (Option<&PartnerId>, Option<&SiteId>),
) -> ApiResult<(PersonResolution, Vec<AuditEvent>)> {
    let nest = |e: FieldError| {
        if prefix.is_empty() {
            e
        } else {
            e.under(prefix)
        }
    };
    let person =
        NewPerson::parse(&input.email, &input.name, input.password.clone()).map_err(nest)?;
    if let Some(password) = &person.password {
        auth::new_password("password", password, &[person.email.as_str(), &person.name])
            .map_err(nest)?;
    }
    match (state.store.account_id_by_email(&person.email).await?, person.password) {
        (Some(existing), None) => Ok((PersonResolution::Existing(existing), vec![])),
        (Some(_), Some(_)) => Err(ApiError::conflict(
            "account_exists",
            "an account with this email exists; leave out the password to add that account",
        )),
        (None, None) => Err(nest(FieldError::new(
            "password",
            "is required: no account has this email yet, so a new one is created with this password",
        ))
        .into()),
        (None, Some(password)) => {
            let account = Account {
                id: state.new_id(AccountId::from_trusted),
                email: person.email,
                name: person.name,
                status: AccountStatus::Active,
                is_operator: false,
                totp_enabled: false,
                created_at: state.now(),
            };
            let event = auth.audit.event(
                state,
                AuditAction::AccountCreated,
                tenant,
                AuditTarget {
                    kind: "account",
                    id: account.id.to_string(),
                },
                vec![FieldChange::set("email", &account.email)],
            );
            let password_hash = auth::hash_password_blocking(password).await?;
            Ok((PersonResolution::New(NewAccount { account, password_hash }), vec![event]))
        }
    }
}
