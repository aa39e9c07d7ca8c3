//! The person given when adding a partner's first Super Admin or a site admin: a new account
//! created with a password, or an existing account the caller may attach without asking
//! ([`Linkable`]). Whether an address has an account elsewhere is never told: an account the
//! caller may not attach is answered exactly as an address without one.

use siteward_core::FieldError;
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AccountId, CustomerId, PartnerId, SiteId};
use siteward_core::tenancy::NewPerson;
use siteward_storage::{NewAccount, PersonResolution};

use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::services::App;

/// A person as given: a new account when a password is given, or an existing account (by
/// email) that the caller may attach without asking (each use case says which).
#[derive(Debug, Clone)]
pub struct Person {
    /// The email.
    pub email: String,
    /// The display name, for a new account.
    pub name: String,
    /// The password of a new account.
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
    pub(crate) async fn allows(self, app: &App, account: &AccountId) -> AppResult<bool> {
        let (partner, customer) = match self {
            Self::Anyone => return Ok(true),
            Self::Nobody => return Ok(false),
            Self::KnownTo { partner, customer } => (partner, customer),
        };
        let administered: Vec<SiteId> = {
            let index = app.permissions.read();
            let now = app.now().timestamp_millis();
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
            if &app.store.site(&site).await?.customer_id == customer {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl App {
    /// Resolves a person to an account, hashing the password of a new one. Returns the extra
    /// audit events (the account's creation) to write with the change.
    pub async fn resolve_person(
        &self,
        caller: &Caller,
        input: &Person,
        prefix: &str,
        tenant: (Option<&PartnerId>, Option<&SiteId>),
        linkable: Linkable<'_>,
    ) -> AppResult<(PersonResolution, Vec<AuditEvent>)> {
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
            self.store.account_id_by_email(&person.email).await?,
            person.password,
        ) {
            (Some(existing), None) if linkable.allows(self, &existing).await? => {
                Ok((PersonResolution::Existing(existing), vec![]))
            }
            (Some(_), None) | (None, None) => Err(no_account_to_add().into()),
            (Some(_), Some(_)) => Err(AppError::conflict(
                "account_exists",
                "this address already has an account, so a new one cannot be created with it",
            )),
            (None, Some(password)) => {
                let account = Account {
                    id: self.new_id(AccountId::from_trusted),
                    email: person.email,
                    name: person.name,
                    status: AccountStatus::Active,
                    is_operator: false,
                    totp_enabled: false,
                    locale: None,
                    created_at: self.now(),
                };
                let event = caller.audit.event(
                    self,
                    AuditAction::AccountCreated,
                    tenant,
                    AuditTarget {
                        kind: TargetKind::Account,
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
}
