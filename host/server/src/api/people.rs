//! The person given when adding a partner's first Super Admin, a member or a site admin, as
//! the JSON API takes it; who may be attached is the application's ([`siteward_app::people`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use siteward_app::people::Person;

/// A person: a new account when a password is given, or an existing account (by email) that
/// the route may attach without asking (each route says which).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
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
    /// partner or an admin of another site of its customer), or to invite anyone else.
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
