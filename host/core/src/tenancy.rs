//! The tenancy model: the operator's platform, partners with their members, customers and
//! their sites, and the site admins who own a site's decisions.

use crate::ids::{AccountId, CustomerId, PartnerId, SiteId};
use crate::validate::Email;
use crate::{FieldError, Timestamp};

macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The stable text form used in the API and in storage.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            /// Parses the text form; `field` names the input in the error.
            pub fn parse(field: &str, text: &str) -> Result<Self, $crate::FieldError> {
                match text {
                    $($text => Ok(Self::$variant),)*
                    _ => Err($crate::FieldError::new(
                        field,
                        format!("must be one of: {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// A member's role in a partner (reference 004): only a Super Admin handles billing and
    /// manages other Super Admins; Admins manage everything else; Technicians manage nothing.
    PartnerRole {
        /// Everything, billing included.
        SuperAdmin = "super_admin",
        /// Everything but billing and Super Admins.
        Admin = "admin",
        /// Works at sites; manages nothing at the partner.
        Technician = "technician",
    }
}

string_enum! {
    /// Whether a membership may be used. A Disabled member cannot log in to the partner.
    MemberStatus {
        /// The normal working state.
        Active = "active",
        /// Temporarily removed from the partner's work.
        Disabled = "disabled",
    }
}

/// A partner: an installer, distributor or remote-support firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// Its id.
    pub id: PartnerId,
    /// Its display name.
    pub name: String,
    /// How long its invitations stay open, in hours (1 to 720; 168 by default).
    pub invitation_ttl_hours: u32,
    /// When the operator created it.
    pub created_at: Timestamp,
}

/// A customer of a partner. Customers own sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Its id.
    pub id: CustomerId,
    /// The partner that manages this customer's sites.
    pub partner_id: PartnerId,
    /// Its display name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A customer site: the place technicians are sent into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Its id.
    pub id: SiteId,
    /// The customer that owns it.
    pub customer_id: CustomerId,
    /// The partner that manages it.
    pub partner_id: PartnerId,
    /// Its display name.
    pub name: String,
    /// The site security switch "Technician Access" (reference 002). While off, no technician
    /// may act at the site.
    pub technician_access: bool,
    /// When it was created.
    pub created_at: Timestamp,
}

/// An account's membership in a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerMembership {
    /// The partner.
    pub partner_id: PartnerId,
    /// The member.
    pub account_id: AccountId,
    /// The member's role.
    pub role: PartnerRole,
    /// Whether the membership may be used.
    pub status: MemberStatus,
    /// When the account joined.
    pub created_at: Timestamp,
}

/// An account that administers a site on the customer's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAdmin {
    /// The site.
    pub site_id: SiteId,
    /// The admin.
    pub account_id: AccountId,
    /// When the account became a site admin.
    pub created_at: Timestamp,
}

/// Who a new membership or site admin is: an existing account, found by email, or a new one
/// created with a password (the self-hosted mode of reference 003, where no email is sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    /// The person's email; one account per email across the platform.
    pub email: Email,
    /// The display name, used if a new account is created.
    pub name: String,
    /// The password for a new account; `None` links an existing account only.
    pub password: Option<String>,
}

impl NewPerson {
    /// Validates the parts of a person given in a request.
    pub fn parse(email: &str, name: &str, password: Option<String>) -> Result<Self, FieldError> {
        let email = Email::parse("email", email)?;
        let name = crate::validate::name("name", name)?;
        if let Some(password) = &password {
            crate::validate::new_password("password", password)?;
        }
        Ok(Self {
            email,
            name,
            password,
        })
    }
}
