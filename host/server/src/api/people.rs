//! The person given when adding a partner's first Super Admin or a site admin: a new account
//! created with a password, or an existing account the request may attach without asking
//! ([`Linkable`]). Whether an address has an account elsewhere is never told: an account the
//! request may not attach is answered exactly as an address without one.

use serde::Deserialize;
use utoipa::ToSchema;

use siteward_core::audit::AuditEvent;
use siteward_core::ids::{PartnerId, SiteId};
use siteward_storage::PersonResolution;

pub use siteward_app::people::{Linkable, Person};

use crate::auth::Auth;
use crate::error::ApiResult;
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

impl PersonInput {
    /// The person, for the application layer.
    pub fn person(&self) -> Person {
        Person {
            email: self.email.clone(),
            name: self.name.clone(),
            password: self.password.clone(),
        }
    }
}

/// Resolves a person to an account through the application layer (see
/// [`siteward_app::people`]).
pub async fn resolve_person(
    state: &AppState,
    auth: &Auth,
    input: &PersonInput,
    prefix: &str,
    tenant: (Option<&PartnerId>, Option<&SiteId>),
    linkable: Linkable<'_>,
) -> ApiResult<(PersonResolution, Vec<AuditEvent>)> {
    Ok(state
        .resolve_person(auth, &input.person(), prefix, tenant, linkable)
        .await?)
}
