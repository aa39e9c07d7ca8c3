//! The person given when adding a partner's first Super Admin or a site admin: a new account
//! created with a password, or an existing account the request may attach without asking
//! ([`Linkable`]). Whether an address has an account elsewhere is never told: an account the
//! request may not attach is answered exactly as an address without one.

use serde::Deserialize;
use utoipa::ToSchema;

use siteward_core::FieldError;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange};
use siteward_core::ids::{AccountId, CustomerId, PartnerId, SiteId};
use siteward_core::tenancy::NewPerson;
use siteward_storage::{NewAccount, PersonResolution};

use crate::auth::{self, Auth};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A person: a new account when a password is given, or an existing account (by email) that
/// the route may attach without asking (each route says which).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// The email; one account per email across the platform.
    #[schema(format = Email)]
    pub email: String,
    /// The display name, for a new account.
    #[schema(
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// The password of a new account (at least 12 characters, not easy to guess). Leave it
    /// out to add an account the tenant already has (a site admin: a member of the site's
    /// partner or an admin of another site of its customer).
    #[serde(default)]
    #[schema(min_length = 12)]
    pub password: Option<String>,
}

/// Which existing accounts a request may attach to a tenant without asking their owner.
#[derive(Debug, Clone, Copy)]
pub enum Linkable<'a> {
    /// Any: the operator, who runs the platform, naming a new partner's first Super Admin.
    Anyone,
    /// None: the person joins by invitation (partner members).
    Nobody,
    /// Accounts the site's own tenant already has: members of its partner, and admins of
    /// another site of its customer (one customer's admin across its sites). Anyone else
    /// joins a tenant only by accepting an invitation.
    KnownTo {
        /// The site's partner.
        partner: &'a PartnerId,
        /// The site's customer.
        customer: &'a CustomerId,
    },
}

impl Linkable<'_> {
    async fn allows(self, state: &AppState, account: &AccountId) -> ApiResult<bool> {
        let (partner, customer) = match self {
            Self::Anyone => return Ok(true),
            Self::Nobody => return Ok(false),
            Self::KnownTo { partner, customer } => (partner, customer),
        };
        let administered: Vec<SiteId> = {
            let index = state.permissions.read();
            let now = state.now().timestamp_millis();
            if index
                .standings(account.key(), now)
                .iter()
                .any(|standing| standing.partner == partner.key())
            {
                return Ok(true);
            }
            index
                .administered_sites(account.key())
                .iter()
                .map(|key| SiteId::from_key(*key))
                .collect()
        };
        for site in administered {
            if &state.store.site(&site).await?.customer_id == customer {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Resolves a person to an account, hashing the password of a new one. Returns the extra
/// audit events (the account's creation) to write with the change.
pub async fn resolve_person(
    state: &AppState,
    auth: &Auth,
    input: &PersonInput,
    prefix: &str,
    tenant: (Option<&PartnerId>, Option<&SiteId>),
    linkable: Linkable<'_>,
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
    let no_account_to_add = || {
        nest(FieldError::new(
            "password",
            "is required: a new account is created with it (an account that belongs to another \
             organisation cannot be added without its owner's consent)",
        ))
    };
    match (
        state.store.account_id_by_email(&person.email).await?,
        person.password,
    ) {
        (Some(existing), None) if linkable.allows(state, &existing).await? => {
            Ok((PersonResolution::Existing(existing), vec![]))
        }
        (Some(_), None) | (None, None) => Err(no_account_to_add().into()),
        (Some(_), Some(_)) => Err(ApiError::conflict(
            "account_exists",
            "this address already has an account, so a new one cannot be created with it",
        )),
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
            Ok((
                PersonResolution::New(NewAccount {
                    account,
                    password_hash,
                }),
                vec![event],
            ))
        }
    }
}
