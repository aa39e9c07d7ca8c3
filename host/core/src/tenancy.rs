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

string_enum! {
    /// Why a membership is Disabled (reference 003 marks the automatic kind apart).
    DisabledReason {
        /// An administrator disabled it.
        Manual = "manual",
        /// The partner's licences were lowered below the number of holders (automatic).
        Licence = "licence",
        /// The person left the partner's directory, or its group (automatic; a sync that
        /// finds them again enables them).
        Directory = "directory",
    }
}

string_enum! {
    /// A privilege a member holds at the partner (reference 004). Holding one may need a
    /// licence seat: a partner can have a limited number of seats per privilege.
    Privilege {
        /// Conduct attended remote support: the Invitations (Quick Support) section.
        RemoteSupport = "remote_support",
        /// Reach unattended devices: every device action at the partner's sites.
        UnattendedAccess = "unattended_access",
    }
}

/// The privileges a member holds, as a bit set.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Privileges(u8);

impl Privileges {
    /// What a new member holds unless told otherwise: unattended access (reference 004: "all
    /// technicians … can access unattended computers by default").
    pub const DEFAULT: Self = Self(1 << Privilege::UnattendedAccess as u8);

    /// No privileges.
    pub const NONE: Self = Self(0);

    /// The set of `privileges`.
    pub fn of(privileges: impl IntoIterator<Item = Privilege>) -> Self {
        privileges.into_iter().fold(Self::NONE, Self::with)
    }

    /// This set with `privilege` added.
    #[must_use]
    pub fn with(self, privilege: Privilege) -> Self {
        Self(self.0 | 1 << privilege as u8)
    }

    /// This set without `privilege`.
    #[must_use]
    pub fn without(self, privilege: Privilege) -> Self {
        Self(self.0 & !(1 << privilege as u8))
    }

    /// Whether the set holds `privilege`.
    pub fn contains(self, privilege: Privilege) -> bool {
        self.0 & 1 << privilege as u8 != 0
    }

    /// The privileges in the set, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Privilege> {
        Privilege::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }

    /// Parses the text forms; `field` names the input in the error.
    pub fn parse(field: &str, texts: &[String]) -> Result<Self, FieldError> {
        texts
            .iter()
            .map(|t| Privilege::parse(field, t))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::of)
    }
}

/// A partner's seats for one privilege. A privilege without a licence record is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Licence {
    /// The privilege.
    pub privilege: Privilege,
    /// How many active members may hold it.
    pub seats: u32,
}

/// A licence would have fewer seats than the Super Admins holding its privilege, who are never
/// disabled automatically (the partner would lose its administrators).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "{super_admins} Super Admins hold {privilege}; withdraw it from some of them before lowering the licence to {seats}"
)]
pub struct LicenceBelowSuperAdmins {
    /// The privilege.
    pub privilege: Privilege,
    /// The seats asked for.
    pub seats: u32,
    /// The Super Admins holding it.
    pub super_admins: usize,
}

impl Licence {
    /// Which holders are disabled when the licence has `self.seats`: the newest, by when they
    /// joined (ties broken by account id, so the choice is stable), never a Super Admin.
    /// `holders` are the active members holding the privilege, in any order.
    pub fn overflow<'a>(
        &self,
        holders: &'a [PartnerMembership],
    ) -> Result<Vec<&'a PartnerMembership>, LicenceBelowSuperAdmins> {
        let seats = self.seats as usize;
        let (super_admins, mut others): (Vec<&PartnerMembership>, Vec<&PartnerMembership>) =
            holders
                .iter()
                .partition(|m| m.role == PartnerRole::SuperAdmin);
        if super_admins.len() > seats {
            return Err(LicenceBelowSuperAdmins {
                privilege: self.privilege,
                seats: self.seats,
                super_admins: super_admins.len(),
            });
        }
        others.sort_by(|a, b| (b.created_at, &b.account_id).cmp(&(a.created_at, &a.account_id)));
        others.truncate(holders.len().saturating_sub(seats));
        Ok(others)
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
    /// How its invitation emails present it.
    pub branding: Branding,
    /// The language its invitation emails are written in unless an invitation says otherwise.
    pub locale: String,
    /// When the operator created it.
    pub created_at: Timestamp,
}

/// How a partner presents itself in the emails it sends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Branding {
    /// The name to show instead of the partner's name.
    pub display_name: Option<String>,
    /// A logo, `https` only.
    pub logo_url: Option<String>,
    /// The accent colour, `#rrggbb`.
    pub accent_colour: Option<String>,
    /// Where invitees get help: an email address or an `https` URL.
    pub support_contact: Option<String>,
}

impl Branding {
    /// Checks each value given (`field` names the object, for example `branding`).
    pub fn parse(
        field: &str,
        display_name: Option<&str>,
        logo_url: Option<&str>,
        accent_colour: Option<&str>,
        support_contact: Option<&str>,
    ) -> Result<Self, FieldError> {
        let at = |name: &str| format!("{field}.{name}");
        Ok(Self {
            display_name: display_name
                .map(|n| crate::validate::name(&at("display_name"), n))
                .transpose()?,
            logo_url: logo_url
                .map(|u| crate::validate::https_url(&at("logo_url"), u))
                .transpose()?,
            accent_colour: accent_colour
                .map(|c| crate::validate::hex_colour(&at("accent_colour"), c))
                .transpose()?,
            support_contact: support_contact
                .map(|c| {
                    let c = c.trim();
                    if c.contains('@') && !c.contains("://") {
                        crate::validate::Email::parse(&at("support_contact"), c)
                            .map(|e| e.to_string())
                    } else {
                        crate::validate::https_url(&at("support_contact"), c).map_err(|_| {
                            FieldError::new(
                                at("support_contact"),
                                "must be an email address or an https:// URL",
                            )
                        })
                    }
                })
                .transpose()?,
        })
    }
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
    /// Why it is Disabled; `None` while Active.
    pub disabled_reason: Option<DisabledReason>,
    /// The privileges the member holds.
    pub privileges: Privileges,
    /// When the account joined.
    pub created_at: Timestamp,
}

impl PartnerMembership {
    /// A new, active membership with the default privileges.
    pub fn new(
        partner_id: PartnerId,
        account_id: AccountId,
        role: PartnerRole,
        created_at: Timestamp,
    ) -> Self {
        Self {
            partner_id,
            account_id,
            role,
            status: MemberStatus::Active,
            disabled_reason: None,
            privileges: Privileges::DEFAULT,
            created_at,
        }
    }
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
            crate::validate::new_password("password", password, &[email.as_str(), &name])?;
        }
        Ok(Self {
            email,
            name,
            password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn holder(n: u8, role: PartnerRole, joined: i64) -> PartnerMembership {
        let at = chrono::Utc
            .timestamp_millis_opt(1_700_000_000_000 + joined)
            .unwrap();
        PartnerMembership::new(
            PartnerId::generate(at, [1; 10]),
            AccountId::generate(at, [n; 10]),
            role,
            at,
        )
    }

    #[test]
    fn lowering_a_licence_disables_the_newest_holders_but_no_super_admin() {
        let holders = [
            holder(1, PartnerRole::Technician, 10),
            holder(2, PartnerRole::SuperAdmin, 40),
            holder(3, PartnerRole::Technician, 30),
            holder(4, PartnerRole::Admin, 20),
        ];
        let licence = |seats| Licence {
            privilege: Privilege::RemoteSupport,
            seats,
        };
        let disabled = |seats| -> Vec<u8> {
            licence(seats)
                .overflow(&holders)
                .unwrap()
                .iter()
                .map(|m| holders.iter().position(|h| h == *m).unwrap() as u8 + 1)
                .collect()
        };
        assert_eq!(disabled(4), Vec::<u8>::new());
        assert_eq!(disabled(3), vec![3]);
        // The Super Admin joined last but keeps the seat; the next newest go.
        assert_eq!(disabled(1), vec![3, 4, 1]);
        assert_eq!(
            licence(0).overflow(&holders),
            Err(LicenceBelowSuperAdmins {
                privilege: Privilege::RemoteSupport,
                seats: 0,
                super_admins: 1
            })
        );
    }

    #[test]
    fn privileges_parse_and_print_in_catalogue_order() {
        let parsed = Privileges::parse(
            "privileges",
            &["unattended_access".to_owned(), "remote_support".to_owned()],
        )
        .unwrap();
        assert_eq!(
            parsed.iter().collect::<Vec<_>>(),
            [Privilege::RemoteSupport, Privilege::UnattendedAccess]
        );
        assert!(Privileges::parse("privileges", &["root".to_owned()]).is_err());
        assert!(Privileges::DEFAULT.contains(Privilege::UnattendedAccess));
        assert!(!Privileges::DEFAULT.contains(Privilege::RemoteSupport));
    }
}
