//! Single sign-on through a partner's own identity provider (OpenID Connect or SAML 2.0):
//! what a connection is, which email domains it answers for, and what its settings must be.
//! The protocols themselves — discovery, the code exchange, the ID token's checks, a SAML
//! response's signature and conditions — are the application layer's, since they need the
//! network and XML security; what they conclude about a person is decided here.

use crate::FieldError;
use crate::Timestamp;
use crate::ids::{
    AccountId, ConnectionId, CustomerId, DepartmentId, GroupRuleId, PartnerId, SiteId,
};
use crate::tenancy::{PartnerRole, Privilege, Privileges};
use crate::validate::Email;

/// An email domain, lower case, ASCII (an internationalised domain in its `xn--` form).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(String);

impl Domain {
    /// Parses a domain as a person types it: `acme.example`, not `@acme.example` or a URL.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        let text = text.trim().trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let labels: Vec<&str> = text.split('.').collect();
        if text.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) {
            Ok(Self(text))
        } else {
            Err(FieldError::new(
                field,
                "must be a domain such as acme.example (an internationalised one in its xn-- form)",
            ))
        }
    }

    /// The domain of an email address.
    pub fn of(email: &Email) -> Self {
        let (_, domain) = email.as_str().rsplit_once('@').unwrap_or(("", ""));
        Self(domain.to_ascii_lowercase())
    }

    /// Wraps text that storage returned.
    pub fn from_trusted(text: String) -> Self {
        Self(text)
    }

    /// The domain's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An OpenID Connect issuer: `https://`, or `http://` on a loopback address (a provider on
/// the same machine, as in tests), without a query or fragment and without a trailing `/`.
pub fn issuer(field: &str, text: &str) -> Result<String, FieldError> {
    provider_url(
        field,
        text.trim().trim_end_matches('/'),
        "must be the provider's issuer URL, starting https:// (as its discovery document \
         names it, e.g. https://login.microsoftonline.com/<tenant>/v2.0)",
    )
}

/// A SAML identity provider's single sign-on URL (where its HTTP-Redirect binding takes
/// sign-in requests): `https://`, or `http://` on a loopback address, without a query or
/// fragment.
pub fn sso_url(field: &str, text: &str) -> Result<String, FieldError> {
    provider_url(
        field,
        text.trim(),
        "must be the identity provider's single sign-on URL, starting https:// (Entra ID \
         calls it Login URL, Okta Identity Provider Single Sign-On URL)",
    )
}

/// A SAML identity provider's entity ID, exactly as the provider writes it in its
/// `<Issuer>` (a URL or a URN; Okta's start `http://www.okta.com/`, Entra ID's end with `/`).
pub fn entity_id(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty()
        || text.len() > 500
        || text.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(FieldError::new(
            field,
            "must be the identity provider's entity ID (Issuer) exactly as it shows it, \
             without spaces (Entra ID: Microsoft Entra Identifier; Okta: Identity Provider \
             Issuer)",
        ));
    }
    Ok(text.to_owned())
}

/// The certificates of a SAML identity provider, as PEM (one or more `BEGIN CERTIFICATE`
/// blocks) or the bare base64 that Entra ID's *Certificate (Base64)* download and metadata
/// documents hold: each one's DER bytes. Whether they are X.509 and still valid is read by
/// the layer that parses them.
pub fn certificates(field: &str, text: &str) -> Result<Vec<Vec<u8>>, FieldError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let refuse = || {
        FieldError::new(
            field,
            "must be the identity provider's signing certificate: the PEM text (-----BEGIN \
             CERTIFICATE----- …) or its base64, as the provider lets you download it",
        )
    };
    let text = text.trim();
    let blocks: Vec<&str> = if text.contains(BEGIN) {
        text.split(BEGIN)
            .skip(1)
            .map(|rest| rest.split(END).next().unwrap_or_default())
            .collect()
    } else {
        vec![text]
    };
    if text.is_empty() || text.len() > 64 * 1024 || blocks.len() > 4 {
        return Err(refuse());
    }
    blocks
        .into_iter()
        .map(|block| {
            let base64: String = block.chars().filter(|c| !c.is_whitespace()).collect();
            data_encoding::BASE64
                .decode(base64.as_bytes())
                .ok()
                .filter(|der| der.len() > 100)
                .ok_or_else(refuse)
        })
        .collect()
}

/// A provider URL: `https://`, or `http://` on a loopback address, without a fragment (and
/// without a query, which no issuer or SSO URL of a provider we know has).
fn provider_url(field: &str, text: &str, hint: &str) -> Result<String, FieldError> {
    let refuse = || FieldError::new(field, hint);
    let rest = if let Some(rest) = strip_prefix_ignore_case(text, "https://") {
        rest
    } else if let Some(rest) = strip_prefix_ignore_case(text, "http://") {
        let authority = rest.split('/').next().unwrap_or_default();
        let host = if authority.starts_with("[::1]") {
            "[::1]"
        } else {
            authority.split(':').next().unwrap_or_default()
        };
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(FieldError::new(
                field,
                "must start https:// (plain http:// is only accepted on this machine's \
                 loopback address)",
            ));
        }
        rest
    } else {
        return Err(refuse());
    };
    let ok = !rest.is_empty()
        && text.len() <= 500
        && !rest.contains(['?', '#', '"', '<', '>', '\\'])
        && !rest.contains(|c: char| c.is_whitespace() || c.is_control());
    if ok {
        Ok(text.to_owned())
    } else {
        Err(refuse())
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
}

/// The PKCE `code_challenge` of a verifier (RFC 7636, method `S256`).
pub fn pkce_challenge(verifier: &str) -> String {
    use sha2::{Digest, Sha256};
    data_encoding::BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()))
}

/// How a connection speaks to its provider.
#[derive(Clone, PartialEq, Eq)]
pub enum Protocol {
    /// OpenID Connect (authorization code with PKCE).
    Oidc {
        /// The client id the provider gave Siteward; ID tokens must be addressed to it.
        client_id: String,
        /// The client secret, presented to the provider's token endpoint. Kept as given (the
        /// provider must be shown it), never shown again.
        client_secret: String,
    },
    /// SAML 2.0, started by Siteward (HTTP-Redirect to the provider, HTTP-POST back).
    Saml {
        /// Where the provider takes sign-in requests.
        sso_url: String,
        /// The provider's signing certificates (DER): a response must carry a signature one
        /// of them verifies.
        certificates: Vec<Vec<u8>>,
    },
}

impl Protocol {
    /// `oidc` or `saml`, as storage and forms write it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Oidc { .. } => "oidc",
            Self::Saml { .. } => "saml",
        }
    }
}

/// A partner's connection to its identity provider. Its `Debug` form leaves the secret out
/// (its [`Protocol`]'s does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Its id; the per-connection sign-in link names it.
    pub id: ConnectionId,
    /// The partner whose people sign in through it — or, for a customer's connection, the
    /// partner that manages the customer (its admins set the connection up, and its audit
    /// trail records what the connection does).
    pub partner_id: PartnerId,
    /// A customer's connection: the admins of the customer's sites sign in through it.
    /// `None`: the partner's own, for its members.
    pub customer_id: Option<CustomerId>,
    /// A name the partner recognises it by ("Entra ID").
    pub name: String,
    /// The provider's own name for itself: an OpenID Connect issuer (its discovery document
    /// is read from `<issuer>/.well-known/openid-configuration`), or a SAML identity
    /// provider's entity ID, which every response's `<Issuer>` must be.
    pub issuer: String,
    /// How it speaks to the provider, and what that needs.
    pub protocol: Protocol,
    /// Whether a person the provider vouches for, in one of the connection's domains, who has
    /// no membership yet, joins as a technician (just-in-time). Off: only members get in.
    pub just_in_time: bool,
    /// Whether the people of the connection's domains must sign in through it: their
    /// passwords stop working (the operator's do not).
    pub require_sso: bool,
    /// When it was created.
    pub created_at: Timestamp,
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Oidc { client_id, .. } => f
                .debug_struct("Oidc")
                .field("client_id", client_id)
                .field("client_secret", &"…")
                .finish(),
            Self::Saml {
                sso_url,
                certificates,
            } => f
                .debug_struct("Saml")
                .field("sso_url", sso_url)
                .field("certificates", &certificates.len())
                .finish(),
        }
    }
}

/// What a connection's form gives for its protocol, as typed.
#[derive(Debug, Clone, Copy)]
pub enum ProtocolForm<'a> {
    /// OpenID Connect: the client id and secret.
    Oidc {
        /// See [`Protocol::Oidc`].
        client_id: &'a str,
        /// Empty keeps the one stored.
        client_secret: &'a str,
    },
    /// SAML 2.0: the single sign-on URL and the signing certificate.
    Saml {
        /// See [`Protocol::Saml`].
        sso_url: &'a str,
        /// PEM or base64; empty keeps the ones stored.
        certificate: &'a str,
    },
}

/// A connection's protocol settings, checked.
#[derive(Clone, PartialEq, Eq)]
pub enum ProtocolSettings {
    /// See [`Protocol::Oidc`]; a `None` secret keeps the one stored.
    Oidc {
        /// The client id.
        client_id: String,
        /// The secret, or `None` to keep the one stored.
        client_secret: Option<String>,
    },
    /// See [`Protocol::Saml`]; `None` certificates keep the ones stored.
    Saml {
        /// The single sign-on URL.
        sso_url: String,
        /// The certificates (DER), or `None` to keep the ones stored.
        certificates: Option<Vec<Vec<u8>>>,
    },
}

impl std::fmt::Debug for ProtocolSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Oidc {
                client_id,
                client_secret,
            } => f
                .debug_struct("Oidc")
                .field("client_id", client_id)
                .field("client_secret", &client_secret.as_ref().map(|_| "…"))
                .finish(),
            Self::Saml {
                sso_url,
                certificates,
            } => f
                .debug_struct("Saml")
                .field("sso_url", sso_url)
                .field("certificates", &certificates.as_ref().map(Vec::len))
                .finish(),
        }
    }
}

/// The settings of a connection as a form gives them, checked. Its `Debug` form leaves the
/// secret out (its [`ProtocolSettings`]'s does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// See [`Connection::name`].
    pub name: String,
    /// See [`Connection::issuer`].
    pub issuer: String,
    /// See [`Connection::protocol`].
    pub protocol: ProtocolSettings,
    /// See [`Connection::just_in_time`].
    pub just_in_time: bool,
    /// See [`Connection::require_sso`].
    pub require_sso: bool,
}

impl ConnectionSettings {
    /// Checks each field, naming the first that is wrong.
    pub fn parse(
        name: &str,
        issuer_text: &str,
        protocol: ProtocolForm<'_>,
        (just_in_time, require_sso): (bool, bool),
    ) -> Result<Self, FieldError> {
        let name = crate::validate::name("name", name)?;
        let (issuer, protocol) = match protocol {
            ProtocolForm::Oidc {
                client_id,
                client_secret,
            } => (
                issuer("issuer", issuer_text)?,
                oidc_client(client_id, client_secret)?,
            ),
            ProtocolForm::Saml {
                sso_url: url,
                certificate,
            } => {
                let certificates = if certificate.trim().is_empty() {
                    None
                } else {
                    Some(certificates("certificate", certificate)?)
                };
                let protocol = ProtocolSettings::Saml {
                    sso_url: sso_url("sso_url", url)?,
                    certificates,
                };
                (entity_id("issuer", issuer_text)?, protocol)
            }
        };
        Ok(Self {
            name,
            issuer,
            protocol,
            just_in_time,
            require_sso,
        })
    }
}

/// An OpenID Connect client's id and secret, checked.
fn oidc_client(client_id: &str, client_secret: &str) -> Result<ProtocolSettings, FieldError> {
    let client_id = client_id.trim();
    if client_id.is_empty()
        || client_id.len() > 200
        || client_id.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(FieldError::new(
            "client_id",
            "must be the client (application) id the provider shows, without spaces",
        ));
    }
    let client_secret = client_secret.trim();
    let client_secret = if client_secret.is_empty() {
        None
    } else if client_secret.len() > 500 || client_secret.contains(char::is_control) {
        return Err(FieldError::new(
            "client_secret",
            "must be the secret's value as the provider shows it (at most 500 characters)",
        ));
    } else {
        Some(client_secret.to_owned())
    };
    Ok(ProtocolSettings::Oidc {
        client_id: client_id.to_owned(),
        client_secret,
    })
}

/// Why a sign-in through a provider is being made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// To sign someone in.
    SignIn,
    /// An admin's "test sign-in": the claims received are shown to them, nobody signs in.
    Test(AccountId),
}

/// A sign-in sent to the provider and not back yet. Its `state` travels through the provider
/// and in a cookie of the browser that started it; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// SHA-256 of the `state` value.
    pub state_hash: String,
    /// Through which connection.
    pub connection_id: ConnectionId,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier, shown to the token endpoint.
    pub verifier: String,
    /// What for.
    pub purpose: Purpose,
    /// When it stops being accepted.
    pub expires_at: Timestamp,
}

/// What a provider said about a person, once its ID token passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's issuer.
    pub issuer: String,
    /// The provider's id of the person (`sub`).
    pub subject: String,
    /// The email, as the provider gave it.
    pub email: Option<String>,
    /// Whether the provider says it verified that the person owns the email.
    pub email_verified: bool,
    /// The person's name, when given.
    pub name: Option<String>,
    /// The groups the provider puts them in (the `groups` claim).
    pub groups: Vec<String>,
    /// Every claim of the token, for the admin's test sign-in.
    pub claims: Vec<(String, String)>,
}

/// What membership of a provider's group gives at the connection's partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupGrant {
    /// A role: the highest role any of a person's groups gives is theirs; with role rules
    /// and none of their groups, they are a technician.
    Role(PartnerRole),
    /// A department: a person is in it exactly while one of their groups gives it.
    Department(DepartmentId),
    /// A privilege: a person holds it exactly while one of their groups gives it (as long as
    /// the partner has a seat for them).
    Privilege(Privilege),
    /// Admin of a site of the connection's customer: a person is exactly while one of their
    /// groups gives it. Customers' connections only.
    SiteAdmin(SiteId),
}

/// The text form — `role:<role>`, `department:<id>` — that forms send and the audit trail
/// writes.
impl std::fmt::Display for GroupGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Role(role) => write!(f, "role:{role}"),
            Self::Department(department) => write!(f, "department:{department}"),
            Self::Privilege(privilege) => write!(f, "privilege:{}", privilege.as_str()),
            Self::SiteAdmin(site) => write!(f, "site_admin:{site}"),
        }
    }
}

/// A rule of a connection: the provider's group `group` gives `grant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    /// Its id.
    pub id: GroupRuleId,
    /// Whose rule it is.
    pub connection_id: ConnectionId,
    /// The group's name as the provider sends it in the `groups` claim.
    pub group: String,
    /// What it gives.
    pub grant: GroupGrant,
}

/// What a sign-in changes of a member, from their groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSync {
    /// Their new role, when it changes.
    pub role: Option<PartnerRole>,
    /// Departments to join (`true`) or leave (`false`).
    pub departments: Vec<(DepartmentId, bool)>,
    /// Their new privileges, when they change.
    pub privileges: Option<Privileges>,
}

impl GroupSync {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.role.is_none() && self.departments.is_empty() && self.privileges.is_none()
    }
}

fn rank(role: PartnerRole) -> u8 {
    match role {
        PartnerRole::Technician => 0,
        PartnerRole::Admin => 1,
        PartnerRole::SuperAdmin => 2,
    }
}

/// What the provider's `groups` make of a member whose role is `role`, who holds
/// `privileges` and is in `departments`. Only what rules name is managed: without role rules
/// the role stays as it is, and departments and privileges no rule names are left alone.
pub fn group_sync(
    rules: &[GroupRule],
    groups: &[String],
    (role, privileges): (PartnerRole, Privileges),
    departments: &[DepartmentId],
) -> GroupSync {
    let applies = |rule: &GroupRule| groups.contains(&rule.group);
    let role_rules: Vec<&GroupRule> = rules
        .iter()
        .filter(|r| matches!(r.grant, GroupGrant::Role(_)))
        .collect();
    let wanted_role = (!role_rules.is_empty()).then(|| {
        role_rules
            .iter()
            .filter(|r| applies(r))
            .filter_map(|r| match r.grant {
                GroupGrant::Role(role) => Some(role),
                _ => None,
            })
            .max_by_key(|r| rank(*r))
            .unwrap_or(PartnerRole::Technician)
    });
    let mut managed: Vec<&DepartmentId> = rules
        .iter()
        .filter_map(|r| match &r.grant {
            GroupGrant::Department(d) => Some(d),
            _ => None,
        })
        .collect();
    managed.sort();
    managed.dedup();
    let departments = managed
        .into_iter()
        .filter_map(|department| {
            let wanted = rules
                .iter()
                .filter(|r| applies(r))
                .any(|r| r.grant == GroupGrant::Department(department.clone()));
            let held = departments.contains(department);
            (wanted != held).then(|| (department.clone(), wanted))
        })
        .collect();
    let wanted_privileges = Privilege::ALL.iter().fold(privileges, |held, privilege| {
        let named = |r: &&GroupRule| r.grant == GroupGrant::Privilege(*privilege);
        if !rules.iter().any(|r| named(&r)) {
            return held;
        }
        let given = rules.iter().filter(|r| applies(r)).any(|r| named(&r));
        match (given, held.contains(*privilege)) {
            (true, false) => held.with(*privilege),
            (false, true) => held.without(*privilege),
            _ => held,
        }
    });
    GroupSync {
        role: wanted_role.filter(|wanted| *wanted != role),
        departments,
        privileges: (wanted_privileges != privileges).then_some(wanted_privileges),
    }
}

/// Which of a customer's sites a person administers after a sign-in through the customer's
/// connection, from their groups: each site a rule names exactly while one of their groups
/// gives it; sites no rule names stay as they are. The changes: a site to become admin of
/// (`true`) or to stop (`false`).
pub fn site_admin_sync(
    rules: &[GroupRule],
    groups: &[String],
    held: &[SiteId],
) -> Vec<(SiteId, bool)> {
    let mut named: Vec<&SiteId> = rules
        .iter()
        .filter_map(|r| match &r.grant {
            GroupGrant::SiteAdmin(site) => Some(site),
            _ => None,
        })
        .collect();
    named.sort();
    named.dedup();
    named
        .into_iter()
        .filter_map(|site| {
            let wanted = rules
                .iter()
                .filter(|r| groups.contains(&r.group))
                .any(|r| r.grant == GroupGrant::SiteAdmin(site.clone()));
            (wanted != held.contains(site)).then(|| (site.clone(), wanted))
        })
        .collect()
}

/// Why a person the provider vouched for does not get in, each with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The token names no email.
    NoEmail,
    /// The provider does not say the email is verified.
    EmailUnverified,
    /// The email's domain is not one the connection's partner claimed.
    DomainNotClaimed,
    /// No member has the email, and the connection does not make accounts just in time.
    NotAMember,
    /// A customer's connection: the person administers none of the customer's sites, and
    /// their groups give none (or the connection makes nobody an admin just in time).
    NotASiteAdmin,
    /// The account or its membership is disabled.
    Disabled,
}

impl Refusal {
    /// The stable code, as the API and the audit trail show it.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoEmail => "sso_no_email",
            Self::EmailUnverified => "sso_email_unverified",
            Self::DomainNotClaimed => "sso_domain_not_claimed",
            Self::NotAMember => "sso_not_a_member",
            Self::NotASiteAdmin => "sso_not_a_site_admin",
            Self::Disabled => "account_disabled",
        }
    }

    /// What the person is told.
    pub fn message(self) -> &'static str {
        match self {
            Self::NoEmail => {
                "your identity provider did not send an email address; ask your administrator \
                 to add the email claim to the application"
            }
            Self::EmailUnverified => {
                "your identity provider does not say your email address is verified, so it \
                 cannot sign you in here"
            }
            Self::DomainNotClaimed => {
                "your email address is not in a domain this sign-in is set up for; ask your \
                 administrator"
            }
            Self::NotASiteAdmin => {
                "your identity provider signed you in, but you administer none of this \
                 customer's sites on Siteward; ask your administrator"
            }
            Self::NotAMember => {
                "your identity provider signed you in, but you are not a member of this team \
                 on Siteward yet; ask your administrator to invite you"
            }
            Self::Disabled => "this account is disabled; ask your administrator",
        }
    }
}

/// Which email a verified identity may sign in as: its email, when the provider verified it
/// and it is in one of the domains the connection's partner claimed. A provider vouches for
/// its own company's addresses only, never for an address another tenant's domain holds.
pub fn email_to_sign_in(identity: &Identity, domains: &[Domain]) -> Result<Email, Refusal> {
    let text = identity.email.as_deref().ok_or(Refusal::NoEmail)?;
    let email = Email::parse("email", text).map_err(|_| Refusal::NoEmail)?;
    if !identity.email_verified {
        return Err(Refusal::EmailUnverified);
    }
    if !domains.contains(&Domain::of(&email)) {
        return Err(Refusal::DomainNotClaimed);
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(email: &str, verified: bool) -> Identity {
        Identity {
            issuer: "https://idp.example".to_owned(),
            subject: "1".to_owned(),
            email: Some(email.to_owned()),
            email_verified: verified,
            name: None,
            groups: vec![],
            claims: vec![],
        }
    }

    fn rule(group: &str, grant: GroupGrant) -> GroupRule {
        GroupRule {
            id: GroupRuleId::from_trusted(format!("rule-{group}")),
            connection_id: ConnectionId::from_trusted("c".to_owned()),
            group: group.to_owned(),
            grant,
        }
    }

    #[test]
    fn groups_give_the_highest_role_and_exactly_the_departments_rules_name() {
        let north = DepartmentId::from_trusted("north".to_owned());
        let south = DepartmentId::from_trusted("south".to_owned());
        let manual = DepartmentId::from_trusted("manual".to_owned());
        let rules = [
            rule("admins", GroupGrant::Role(PartnerRole::Admin)),
            rule("owners", GroupGrant::Role(PartnerRole::SuperAdmin)),
            rule("field-north", GroupGrant::Department(north.clone())),
            rule("field-south", GroupGrant::Department(south.clone())),
        ];
        let groups = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let sync = group_sync(
            &rules,
            &groups(&["admins", "owners", "field-north", "other"]),
            (PartnerRole::Technician, Privileges::DEFAULT),
            &[south.clone(), manual.clone()],
        );
        assert_eq!(sync.role, Some(PartnerRole::SuperAdmin));
        assert_eq!(
            sync.departments,
            vec![(north.clone(), true), (south.clone(), false)]
        );
        // Out of every group: back to technician, out of the named departments only.
        let held = (PartnerRole::Admin, Privileges::DEFAULT);
        let sync = group_sync(&rules, &[], held, &[north.clone(), manual]);
        assert_eq!(sync.role, Some(PartnerRole::Technician));
        assert_eq!(sync.departments, vec![(north, false)]);
        // No role rules: the role is the team's to set, not the provider's.
        let only_departments = &rules[2..];
        let sync = group_sync(only_departments, &[], held, &[]);
        assert!(sync.is_empty());
    }

    #[test]
    fn groups_give_exactly_the_privileges_rules_name_and_leave_the_others() {
        let rules = [rule(
            "remote-support",
            GroupGrant::Privilege(Privilege::RemoteSupport),
        )];
        let tech = PartnerRole::Technician;
        let given = group_sync(
            &rules,
            &["remote-support".to_owned()],
            (tech, Privileges::DEFAULT),
            &[],
        );
        // Unattended access is named by no rule: it stays as the team set it.
        assert_eq!(
            given.privileges,
            Some(Privileges::DEFAULT.with(Privilege::RemoteSupport))
        );
        assert_eq!(given.role, None);
        let held = Privileges::of([Privilege::RemoteSupport]);
        let taken = group_sync(&rules, &[], (tech, held), &[]);
        assert_eq!(taken.privileges, Some(Privileges::NONE));
        assert!(group_sync(&rules, &["remote-support".to_owned()], (tech, held), &[]).is_empty());
        assert_eq!(
            GroupGrant::Privilege(Privilege::RemoteSupport).to_string(),
            "privilege:remote_support"
        );
    }

    #[test]
    fn groups_make_exactly_the_site_admins_rules_name() {
        let site = |id: &str| SiteId::from_trusted(id.to_owned());
        let rules = [
            rule("it", GroupGrant::SiteAdmin(site("hq"))),
            rule("it", GroupGrant::SiteAdmin(site("depot"))),
            rule("depot-only", GroupGrant::SiteAdmin(site("depot"))),
        ];
        let held = [site("depot"), site("manual")];
        // In no group: out of the named sites they hold; the site no rule names stays.
        assert_eq!(
            site_admin_sync(&rules, &[], &held),
            vec![(site("depot"), false)]
        );
        let it = ["it".to_owned()];
        assert_eq!(
            site_admin_sync(&rules, &it, &held),
            vec![(site("hq"), true)]
        );
        assert_eq!(
            site_admin_sync(&rules, &["depot-only".to_owned()], &held),
            vec![]
        );
        assert_eq!(
            GroupGrant::SiteAdmin(site("hq")).to_string(),
            "site_admin:hq"
        );
    }

    #[test]
    fn the_client_secret_stays_out_of_debug_output() {
        let settings = ConnectionSettings::parse(
            "Entra",
            "https://login.example/t/v2.0",
            ProtocolForm::Oidc {
                client_id: "app",
                client_secret: "hunter2-secret",
            },
            (false, false),
        )
        .unwrap();
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("app") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn the_pkce_challenge_is_base64url_of_sha256_without_padding() {
        // Computed apart, with Python's hashlib.sha256 and base64.urlsafe_b64encode less the
        // `=`; the browser test has a real provider check it, too.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ92K9cnzT8DZtDHKXJf3Q69l5FFP4"),
            "37FMpihpMfnP_rqMDv1ya6LcMyX3kSMF68rifpIW8XY"
        );
    }

    #[test]
    fn domains_are_written_one_way_and_refuse_what_is_not_a_domain() {
        assert_eq!(
            Domain::parse("d", " Acme.Example. ").unwrap().as_str(),
            "acme.example"
        );
        for bad in [
            "acme",
            "@acme.example",
            "https://acme.example",
            "a..b",
            "-a.example",
            "ä.example",
        ] {
            assert!(Domain::parse("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_issuer_is_https_or_loopback_http() {
        assert_eq!(
            issuer("i", "https://login.example/tenant/v2.0/").unwrap(),
            "https://login.example/tenant/v2.0"
        );
        assert!(issuer("i", "http://127.0.0.1:9000").is_ok());
        assert!(issuer("i", "http://localhost:9000").is_ok());
        assert!(issuer("i", "http://[::1]:9000").is_ok());
        for bad in [
            "http://idp.example",
            "http://127.0.0.1.evil.example",
            "ftp://idp.example",
            "https://idp.example/?x=1",
            "idp.example",
        ] {
            assert!(issuer("i", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn saml_settings_take_entity_ids_as_written_and_pem_or_bare_base64_certificates() {
        // Okta's entity IDs start http://, Entra ID's end with a slash: both kept as they are.
        for id in [
            "http://www.okta.com/exk1",
            "https://sts.windows.net/t/",
            "urn:acme:idp",
        ] {
            assert_eq!(entity_id("e", &format!(" {id} ")).unwrap(), id);
        }
        assert!(entity_id("e", "my idp").is_err());
        assert!(entity_id("e", "").is_err());
        assert!(sso_url("s", "https://login.example/saml2").is_ok());
        assert!(sso_url("s", "http://login.example/saml2").is_err());
        let der: Vec<u8> = (0..=255).collect();
        let base64 = data_encoding::BASE64.encode(&der);
        let wrapped: String = base64
            .as_bytes()
            .chunks(64)
            .map(|line| format!("{}\n", std::str::from_utf8(line).unwrap()))
            .collect();
        let pem = format!("-----BEGIN CERTIFICATE-----\n{wrapped}-----END CERTIFICATE-----\n");
        assert_eq!(certificates("c", &pem).unwrap(), vec![der.clone()]);
        assert_eq!(certificates("c", &format!("{pem}{pem}")).unwrap().len(), 2);
        assert_eq!(certificates("c", &base64).unwrap(), vec![der]);
        for bad in ["", "not base64!", "QUJD", &pem.replace('A', "*")] {
            assert!(certificates("c", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_verified_email_in_a_claimed_domain_signs_in() {
        let domains = [Domain::parse("d", "acme.example").unwrap()];
        assert_eq!(
            email_to_sign_in(&identity("Ana@Acme.example", true), &domains)
                .unwrap()
                .as_str(),
            "ana@acme.example"
        );
        assert_eq!(
            email_to_sign_in(&identity("ana@acme.example", false), &domains),
            Err(Refusal::EmailUnverified)
        );
        assert_eq!(
            email_to_sign_in(&identity("boss@other.example", true), &domains),
            Err(Refusal::DomainNotClaimed)
        );
        assert_eq!(
            email_to_sign_in(&identity("ana@sub.acme.example", true), &domains),
            Err(Refusal::DomainNotClaimed)
        );
        let none = Identity {
            email: None,
            ..identity("x@acme.example", true)
        };
        assert_eq!(email_to_sign_in(&none, &domains), Err(Refusal::NoEmail));
    }
}
