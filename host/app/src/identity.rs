//! Single sign-on through a partner's identity provider, with OpenID Connect: the
//! authorization code flow with PKCE (S256), a `state` bound to the browser that started it
//! and a `nonce` bound to the ID token. The ID token's signature is checked by the
//! `jsonwebtoken` crate against the provider's published keys (its JWKS), with the algorithms
//! a provider signs with (never `none`, never a shared-secret `HS*`); its issuer, audience,
//! expiry, issue time and nonce are checked here against the host's clock.
//!
//! The app speaks no HTTP: the frontend gives it a [`ProviderTransport`] that fetches the
//! provider's documents and posts to its token endpoint.
//!
//! Who gets in is decided from verified facts only: the email the provider says it verified,
//! in a domain the connection's partner claimed ([`siteward_core::identity::email_to_sign_in`]),
//! of a member of that partner — or anyone there when the connection makes accounts just in
//! time. Every refusal is audited on the partner's trail with its reason.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use siteward_core::FieldError;
use siteward_core::access::{Action, authorize};
use siteward_core::account::{Account, AccountStatus};
use siteward_core::audit::{Actor, AuditAction, AuditTarget, FieldChange, TargetKind};
use siteward_core::directory::{DirectorySettings, Listing};
use siteward_core::identity::{
    self, Attempt, Connection, ConnectionSettings, Domain, GroupGrant, GroupRule, Identity,
    Protocol, ProtocolForm, ProtocolSettings, Purpose, Refusal,
};
use siteward_core::ids::{
    AccountId, ConnectionId, CustomerId, DepartmentId, GroupRuleId, PartnerId, SiteId,
};
use siteward_core::page::{MAX_LIMIT, PageRequest};
use siteward_core::permission::records::Department;
use siteward_core::secret::{self, TokenKind};
use siteward_core::tenancy::{
    Customer, MemberStatus, PartnerMembership, PartnerRole, Privilege, Privileges, Site, SiteAdmin,
};
use siteward_core::validate::Email;
use siteward_storage::{ClaimedDomain, NewAccount, PersonResolution};

use crate::auth::{self, Caller};
use crate::error::{AppError, AppResult};
use crate::saml::{self, ServiceProviderUrls};
use crate::services::{App, AuditContext, random};
use crate::session::NewSession;

/// A future the transport answers with.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How the host reaches identity providers (over HTTP(S)) and directories (over LDAP). The
/// frontend implements it.
pub trait ProviderTransport: Send + Sync + fmt::Debug {
    /// Fetches a JSON document (a discovery document, a key set).
    fn get_json<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Value, String>>;

    /// Posts a form to a token endpoint, authenticating as the client with HTTP Basic
    /// (`client_secret_basic`); the answer's status and JSON body, whatever the status.
    fn post_form<'a>(
        &'a self,
        url: &'a str,
        client: (&'a str, &'a str),
        form: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<(u16, Value), String>>;

    /// Binds to a directory as its settings say and reads the people its filter finds and
    /// the groups under its base (paged where the server offers it); a message a person
    /// understands when it cannot.
    fn read_directory<'a>(
        &'a self,
        settings: &'a DirectorySettings,
    ) -> BoxFuture<'a, Result<Listing, String>>;
}

/// The transport of an app that was given none: every provider is unreachable.
#[derive(Debug)]
pub struct NoTransport;

impl ProviderTransport for NoTransport {
    fn get_json<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Value, String>> {
        Box::pin(async { Err("this host reaches no identity providers".to_owned()) })
    }

    fn post_form<'a>(
        &'a self,
        _: &'a str,
        _: (&'a str, &'a str),
        _: &'a [(&'a str, &'a str)],
    ) -> BoxFuture<'a, Result<(u16, Value), String>> {
        Box::pin(async { Err("this host reaches no identity providers".to_owned()) })
    }

    fn read_directory<'a>(
        &'a self,
        _: &'a DirectorySettings,
    ) -> BoxFuture<'a, Result<Listing, String>> {
        Box::pin(async { Err("this host reaches no directories".to_owned()) })
    }
}

/// How long a sign-in sent to a provider may take to come back.
const ATTEMPT_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// How far the provider's clock may be from the host's.
const LEEWAY_SECONDS: i64 = 60;

/// The path the provider sends people back to, after the host's public URL.
pub const CALLBACK_PATH: &str = "/sso/callback";

/// A connection as its partner's admins see it: the secret is never shown again.
#[derive(Debug, Clone)]
pub struct ConnectionView {
    /// The connection.
    pub connection: Connection,
    /// The domains whose people sign in through it.
    pub domains: Vec<Domain>,
    /// Its group rules, in the order they were made.
    pub rules: Vec<GroupRule>,
}

/// What the setup page shows: the partner's (or one of its customers') connections and what
/// to copy into the provider.
#[derive(Debug, Clone)]
pub struct IdentitySetup {
    /// The connections, oldest first.
    pub connections: Vec<ConnectionView>,
    /// The redirect (callback) URL to register at the provider.
    pub redirect_url: String,
    /// The partner's departments, which group rules may give, by name (a partner's setup).
    pub departments: Vec<Department>,
    /// The customer whose setup it is, and its sites, which group rules may make people
    /// admins of, by name.
    pub customer: Option<(Customer, Vec<Site>)>,
}

/// How a sign-in through a provider is started.
#[derive(Debug)]
pub enum Start<'a> {
    /// From the sign-in page: the email's domain finds the connection.
    Email(&'a str),
    /// From a connection's own sign-in link.
    Connection(&'a ConnectionId),
}

/// Where to send the browser, and the `state` it must carry back (in a cookie, too).
#[derive(Debug)]
pub struct Redirect {
    /// The provider's authorization URL (or SAML single sign-on URL) with every parameter.
    pub url: String,
    /// The `state` (SAML's `RelayState`), for the browser's cookie.
    pub state: String,
    /// Whether the provider answers with a form it posts (SAML), which browsers send a
    /// cookie with only when it is `SameSite=None`, rather than a redirect.
    pub posts_back: bool,
}

/// The provider's answer at the callback, as the browser brings it.
#[derive(Debug, Default)]
pub struct Answer {
    /// The `state` in the query (SAML: the `RelayState` posted).
    pub state: String,
    /// The authorization code, when the provider signed the person in.
    pub code: Option<String>,
    /// A SAML provider's `SAMLResponse` (base64), posted.
    pub saml_response: Option<String>,
    /// The provider's error code, when it did not.
    pub error: Option<String>,
    /// Its explanation.
    pub error_description: Option<String>,
    /// The `state` the browser's cookie holds.
    pub cookie_state: Option<String>,
    /// Where the sign-in comes from, shown in the account's sessions.
    pub client: Option<String>,
}

/// What an answer came to.
#[derive(Debug)]
pub enum Finished {
    /// Signed in.
    SignedIn(NewSession),
    /// An admin's test sign-in: what the provider sent and what it would have done.
    Tested {
        /// The connection tested.
        connection: Box<Connection>,
        /// What the provider said.
        identity: Identity,
        /// The account it would sign in, or why it would not.
        outcome: Result<Email, Refusal>,
    },
}

fn sso_error(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::unauthenticated(code, message.into())
}

fn expired() -> AppError {
    sso_error(
        "sso_expired",
        "this sign-in took too long, was used already or was started in another browser; \
         start again from the sign-in page",
    )
}

fn unreachable(error: &str) -> AppError {
    AppError::unavailable(
        "sso_provider_unreachable",
        format!("the identity provider could not be reached or answered wrongly: {error}"),
    )
}

fn connection_target(id: &ConnectionId) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Connection,
        id: id.to_string(),
    }
}

fn domain_target(domain: &Domain) -> AuditTarget {
    AuditTarget {
        kind: TargetKind::Domain,
        id: domain.to_string(),
    }
}

/// Where a person a provider vouched for stands at the connection's partner.
enum Standing {
    /// An enabled member.
    Member(Account),
    /// Joins just in time (with the account the address has, if any).
    Joins(Option<Account>),
    /// Does not get in.
    Refused(Refusal),
}

/// What a sign-in through a customer's connection does: the account (none: one is made) and
/// the changes to which of the customer's sites it administers.
struct CustomerPlan {
    existing: Option<Account>,
    changes: Vec<(SiteId, bool)>,
}

/// The parts of a discovery document the flow uses.
#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// The claims the checks read; the rest are kept for the test sign-in.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    /// One audience or several.
    aud: Value,
    exp: i64,
    iat: i64,
    nonce: Option<String>,
    azp: Option<String>,
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<Value>,
    /// Entra ID's optional claim: the email's domain is verified by the tenant that owns it.
    #[serde(default)]
    xms_edov: Option<Value>,
    name: Option<String>,
    /// The groups, as a list (or one name).
    #[serde(default)]
    groups: Option<Value>,
    #[serde(flatten)]
    rest: HashMap<String, Value>,
}

/// `true` as a JSON boolean, or the string `"true"` some providers send.
fn is_true(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// A claim's value as the test sign-in shows it.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl App {
    fn transport(&self) -> &dyn ProviderTransport {
        self.identity.as_ref()
    }

    /// The redirect URL providers send people back to.
    pub fn sso_redirect_url(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.public_url)
    }

    /// A partner's own connections (`customer` is `None`) or one of its customers', and what
    /// to register at the provider (for the partner's admins).
    pub async fn identity_setup(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        customer: Option<&CustomerId>,
    ) -> AppResult<IdentitySetup> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        let customer = match customer {
            Some(id) => {
                let customer = self.partner_customer(partner, id).await?;
                let sites = self.store.customer_sites(id).await?;
                Some((customer, sites))
            }
            None => None,
        };
        let (mut connections, domains, departments) = tokio::try_join!(
            self.store.identity_connections(partner),
            self.store.claimed_domains(partner),
            self.all_departments(partner),
        )?;
        let owner = customer.as_ref().map(|(c, _)| &c.id);
        connections.retain(|c| c.customer_id.as_ref() == owner);
        let departments = if customer.is_some() {
            Vec::new()
        } else {
            departments
        };
        let ids: Vec<ConnectionId> = connections.iter().map(|c| c.id.clone()).collect();
        let rules = self.store.group_rules(&ids).await?;
        Ok(IdentitySetup {
            connections: connections
                .into_iter()
                .map(|connection| ConnectionView {
                    domains: domains
                        .iter()
                        .filter(|d| d.connection_id == connection.id)
                        .map(|d| d.domain.clone())
                        .collect(),
                    rules: rules
                        .iter()
                        .filter(|r| r.connection_id == connection.id)
                        .cloned()
                        .collect(),
                    connection,
                })
                .collect(),
            redirect_url: self.sso_redirect_url(),
            departments,
            customer,
        })
    }

    /// The domains the partner claimed for its own connections, not its customers': the
    /// addresses a directory or a SCIM client may make members with.
    pub(crate) async fn own_domains(
        &self,
        partner: &PartnerId,
    ) -> Result<Vec<ClaimedDomain>, siteward_storage::StorageError> {
        let (domains, connections) = tokio::try_join!(
            self.store.claimed_domains(partner),
            self.store.identity_connections(partner),
        )?;
        Ok(domains
            .into_iter()
            .filter(|d| {
                connections
                    .iter()
                    .any(|c| c.id == d.connection_id && c.customer_id.is_none())
            })
            .collect())
    }

    /// One of the partner's customers; another partner's is not found.
    async fn partner_customer(
        &self,
        partner: &PartnerId,
        customer: &CustomerId,
    ) -> AppResult<Customer> {
        match self.store.customer(customer).await {
            Ok(found) if found.partner_id == *partner => Ok(found),
            Ok(_) | Err(siteward_storage::StorageError::NotFound) => Err(AppError::not_found()),
            Err(other) => Err(other.into()),
        }
    }

    /// Every department of the partner, by name.
    pub(crate) async fn all_departments(
        &self,
        partner: &PartnerId,
    ) -> Result<Vec<Department>, siteward_storage::StorageError> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            limit: MAX_LIMIT,
            after: None,
        };
        loop {
            let found = self.store.departments(partner, &page).await?;
            all.extend(found.items);
            match found.next_cursor {
                Some(cursor) => {
                    page = PageRequest::following(MAX_LIMIT, &cursor)
                        .map_err(|e| siteward_storage::StorageError::Invalid(e.to_string()))?;
                }
                None => break,
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// Adds a rule to a connection: people in the provider's `group` get `grant` at each
    /// sign-in — `role:<role>`, `privilege:<privilege>` or `department:<id>` on the partner's
    /// own connections, `site_admin:<site>` (a site of the customer) on a customer's. Giving
    /// roles and privileges is for those who assign them (Super Admin only by a Super Admin);
    /// audited, sensitive.
    pub async fn add_group_rule(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        connection: &ConnectionId,
        group: &str,
        grant: &str,
    ) -> AppResult<GroupRule> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let connection = self.partner_connection(partner, connection).await?;
        let group = siteward_core::validate::text("group", group, 200)?;
        if group.is_empty() {
            return Err(FieldError::new(
                "group",
                "is needed: the group's name as the provider sends it",
            )
            .into());
        }
        let grant = match (grant.split_once(':'), &connection.customer_id) {
            (Some(("site_admin", id)), Some(customer)) => {
                let id = SiteId::parse("grant", id)?;
                match self.store.site(&id).await {
                    Ok(site) if site.customer_id == *customer => GroupGrant::SiteAdmin(site.id),
                    Ok(_) | Err(siteward_storage::StorageError::NotFound) => {
                        return Err(
                            FieldError::new("grant", "is not a site of this customer").into()
                        );
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            (_, Some(_)) => {
                return Err(FieldError::new(
                    "grant",
                    "must be site_admin:<site>: a customer's connection makes people admins of \
                     its sites",
                )
                .into());
            }
            (grant, None) => match grant {
                Some(("role", role)) => GroupGrant::Role(PartnerRole::parse("grant", role)?),
                Some(("privilege", privilege)) => {
                    GroupGrant::Privilege(Privilege::parse("grant", privilege)?)
                }
                Some(("department", id)) => {
                    let id = DepartmentId::parse("grant", id)?;
                    match self.partner_department(partner, &id).await {
                        Ok(department) => GroupGrant::Department(department.id),
                        Err(error) if error.kind == crate::Kind::NotFound => {
                            return Err(FieldError::new(
                                "grant",
                                "is not a department of this team",
                            )
                            .into());
                        }
                        Err(other) => return Err(other),
                    }
                }
                _ => {
                    return Err(FieldError::new(
                        "grant",
                        "must be role:<role>, privilege:<privilege> or department:<id>",
                    )
                    .into());
                }
            },
        };
        match grant {
            GroupGrant::Role(role) => {
                authorize(&caller.principal, Action::AssignRoles(partner))?;
                if role == PartnerRole::SuperAdmin {
                    authorize(&caller.principal, Action::ManageSuperAdmins(partner))?;
                }
            }
            // Privileges are given by those who assign roles, as on the team page.
            GroupGrant::Privilege(_) => {
                authorize(&caller.principal, Action::AssignRoles(partner))?;
            }
            GroupGrant::Department(_) | GroupGrant::SiteAdmin(_) => {}
        }
        self.require_fresh_sign_in(caller).await?;
        let rule = GroupRule {
            id: self.new_id(GroupRuleId::from_trusted),
            connection_id: connection.id.clone(),
            group,
            grant,
        };
        let event = caller.audit.event(
            self,
            AuditAction::GroupRuleAdded,
            (Some(partner), None),
            connection_target(&connection.id),
            vec![
                FieldChange::set("group", &rule.group),
                FieldChange::set("grant", &rule.grant),
            ],
        );
        self.store.add_group_rule(&rule, &event).await?;
        Ok(rule)
    }

    /// Removes a rule; what it gave stays until each person's next sign-in.
    pub async fn delete_group_rule(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        rule: &GroupRuleId,
    ) -> AppResult<()> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let rule = match self.store.group_rule(rule).await {
            Ok(rule) => rule,
            Err(siteward_storage::StorageError::NotFound) => return Err(AppError::not_found()),
            Err(other) => return Err(other.into()),
        };
        let connection = self
            .partner_connection(partner, &rule.connection_id)
            .await?;
        if let GroupGrant::Role(_) | GroupGrant::Privilege(_) = rule.grant {
            authorize(&caller.principal, Action::AssignRoles(partner))?;
        }
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::GroupRuleRemoved,
            (Some(partner), None),
            connection_target(&connection.id),
            vec![
                FieldChange::set("group", &rule.group),
                FieldChange::set("grant", &rule.grant),
            ],
        );
        self.store.delete_group_rule(&rule.id, &event).await?;
        Ok(())
    }

    /// One of a partner's connections; another partner's is not found.
    async fn partner_connection(
        &self,
        partner: &PartnerId,
        connection: &ConnectionId,
    ) -> AppResult<Connection> {
        match self.store.identity_connection(connection).await {
            Ok(found) if found.partner_id == *partner => Ok(found),
            Ok(_) | Err(siteward_storage::StorageError::NotFound) => Err(AppError::not_found()),
            Err(other) => Err(other.into()),
        }
    }

    /// Creates a connection (`connection` is `None`) or changes one, audited. Changing how
    /// people sign in is a sensitive change. A new connection needs its client secret (OpenID
    /// Connect) or its provider's signing certificate (SAML); a changed one keeps them unless
    /// new ones are given. A connection keeps the protocol it was made with.
    pub async fn save_identity_connection(
        &self,
        caller: &Caller,
        (partner, customer): (&PartnerId, Option<&CustomerId>),
        connection: Option<&ConnectionId>,
        (name, issuer, protocol): (&str, &str, ProtocolForm<'_>),
        (just_in_time, require_sso): (bool, bool),
    ) -> AppResult<Connection> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        let before = match connection {
            Some(id) => Some(self.partner_connection(partner, id).await?),
            None => None,
        };
        // A connection stays whose it was made.
        let customer_id = match (&before, customer) {
            (Some(before), _) => before.customer_id.clone(),
            (None, Some(customer)) => Some(self.partner_customer(partner, customer).await?.id),
            (None, None) => None,
        };
        let settings =
            ConnectionSettings::parse(name, issuer, protocol, (just_in_time, require_sso))?;
        self.require_fresh_sign_in(caller).await?;
        let kept = before.as_ref().map(|b| &b.protocol);
        let protocol = match (settings.protocol, kept) {
            (
                ProtocolSettings::Oidc {
                    client_id,
                    client_secret,
                },
                None | Some(Protocol::Oidc { .. }),
            ) => {
                let client_secret = match (client_secret, kept) {
                    (Some(secret), _) => secret,
                    (None, Some(Protocol::Oidc { client_secret, .. })) => client_secret.clone(),
                    (None, _) => {
                        return Err(FieldError::new(
                            "client_secret",
                            "is needed: the provider shows it when the application is registered",
                        )
                        .into());
                    }
                };
                Protocol::Oidc {
                    client_id,
                    client_secret,
                }
            }
            (
                ProtocolSettings::Saml {
                    sso_url,
                    certificates,
                },
                None | Some(Protocol::Saml { .. }),
            ) => {
                let certificates = match (certificates, kept) {
                    (Some(certificates), _) => {
                        for der in &certificates {
                            if let Some(problem) = saml::certificate_problem(der, self.now()) {
                                return Err(FieldError::new(
                                    "certificate",
                                    format!("the certificate {problem}"),
                                )
                                .into());
                            }
                        }
                        certificates
                    }
                    (None, Some(Protocol::Saml { certificates, .. })) => certificates.clone(),
                    (None, _) => {
                        return Err(FieldError::new(
                            "certificate",
                            "is needed: the identity provider's signing certificate, which it \
                             lets you download (Entra ID: Certificate (Base64))",
                        )
                        .into());
                    }
                };
                Protocol::Saml {
                    sso_url,
                    certificates,
                }
            }
            (_, Some(_)) => {
                return Err(AppError::refused(
                    "protocol_fixed",
                    "a connection keeps the protocol it was made with; make a new connection \
                     for the other one",
                ));
            }
        };
        let after = Connection {
            id: before
                .as_ref()
                .map_or_else(|| self.new_id(ConnectionId::from_trusted), |b| b.id.clone()),
            partner_id: partner.clone(),
            customer_id,
            name: settings.name,
            issuer: settings.issuer,
            protocol,
            just_in_time: settings.just_in_time,
            require_sso: settings.require_sso,
            created_at: before.as_ref().map_or_else(|| self.now(), |b| b.created_at),
        };
        let changes = connection_changes(before.as_ref(), &after);
        let event = caller.audit.event(
            self,
            AuditAction::ConnectionSaved,
            (Some(partner), None),
            connection_target(&after.id),
            changes,
        );
        self.store.save_identity_connection(&after, &event).await?;
        Ok(after)
    }

    /// Deletes a connection; its domains are given up with it. Audited, sensitive.
    pub async fn delete_identity_connection(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        connection: &ConnectionId,
    ) -> AppResult<()> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let connection = self.partner_connection(partner, connection).await?;
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::ConnectionDeleted,
            (Some(partner), None),
            connection_target(&connection.id),
            vec![FieldChange::set("name", &connection.name)],
        );
        self.store
            .delete_identity_connection(&connection.id, &event)
            .await?;
        Ok(())
    }

    /// Claims an email domain for a connection: its people are sent to that provider from
    /// the sign-in page. A domain has one owner on the host; one claimed by anyone already is
    /// refused alike, whoever holds it.
    pub async fn claim_domain(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        connection: &ConnectionId,
        domain: &str,
    ) -> AppResult<Domain> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let connection = self.partner_connection(partner, connection).await?;
        let domain = Domain::parse("domain", domain)?;
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::DomainClaimed,
            (Some(partner), None),
            domain_target(&domain),
            vec![FieldChange::set("connection", &connection.id)],
        );
        self.store
            .claim_domain(&domain, &connection, self.now(), &event)
            .await
            .map_err(|error| AppError::from(error).within("domain"))?;
        Ok(domain)
    }

    /// Gives up a domain the partner holds.
    pub async fn release_domain(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        domain: &str,
    ) -> AppResult<()> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let domain = Domain::parse("domain", domain).map_err(|_| AppError::not_found())?;
        let held = self.store.claimed_domains(partner).await?;
        if !held.iter().any(|d: &ClaimedDomain| d.domain == domain) {
            return Err(AppError::not_found());
        }
        self.require_fresh_sign_in(caller).await?;
        let event = caller.audit.event(
            self,
            AuditAction::DomainReleased,
            (Some(partner), None),
            domain_target(&domain),
            vec![],
        );
        self.store.release_domain(&domain, partner, &event).await?;
        Ok(())
    }

    /// Whether the person with this email must sign in through their provider: their
    /// domain's connection requires it. The operator keeps their password (break-glass).
    pub(crate) async fn password_refused_by_sso(&self, account: &Account) -> AppResult<bool> {
        if account.is_operator {
            return Ok(false);
        }
        let domain = Domain::of(&account.email);
        Ok(self
            .store
            .connection_for_domain(&domain)
            .await?
            .is_some_and(|c| c.require_sso))
    }

    /// Starts a sign-in through a provider: the connection from the email's domain or from
    /// its own link, then the provider's authorization URL.
    #[tracing::instrument(name = "app.begin_sso", skip_all)]
    pub async fn begin_sso(&self, start: Start<'_>) -> AppResult<Redirect> {
        let (connection, hint) = match start {
            Start::Email(text) => {
                let email = Email::parse("email", text)?;
                let domain = Domain::of(&email);
                let connection = self
                    .store
                    .connection_for_domain(&domain)
                    .await?
                    .ok_or_else(|| {
                        FieldError::new(
                            "email",
                            format!(
                                "has no single sign-on set up for {domain}; sign in with your \
                                 password"
                            ),
                        )
                    })?;
                (connection, Some(email))
            }
            Start::Connection(id) => (self.store.identity_connection(id).await?, None),
        };
        self.redirect(&connection, Purpose::SignIn, hint.as_ref())
            .await
    }

    /// An admin's test sign-in through one of the partner's connections: the answer shows
    /// the claims received instead of signing anyone in.
    pub async fn test_sso(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        connection: &ConnectionId,
    ) -> AppResult<Redirect> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        let account = caller.account()?.id.clone();
        let connection = self.partner_connection(partner, connection).await?;
        self.redirect(&connection, Purpose::Test(account), None)
            .await
    }

    /// A connection's SAML service provider URLs.
    pub fn saml_urls(&self, connection: &ConnectionId) -> ServiceProviderUrls {
        ServiceProviderUrls::of(&self.public_url, connection)
    }

    /// A SAML connection's service provider metadata, for its identity provider (public:
    /// it holds nothing secret). Not found for an OpenID Connect connection.
    pub async fn saml_metadata(&self, connection: &ConnectionId) -> AppResult<String> {
        let connection = self.store.identity_connection(connection).await?;
        saml::metadata(&connection, &self.saml_urls(&connection.id))
    }

    async fn redirect(
        &self,
        connection: &Connection,
        purpose: Purpose,
        hint: Option<&Email>,
    ) -> AppResult<Redirect> {
        let client_id = match &connection.protocol {
            Protocol::Oidc { client_id, .. } => client_id,
            Protocol::Saml { .. } => return self.saml_redirect(connection, purpose).await,
        };
        let discovery = self.discover(connection).await?;
        let state = secret::token_text(TokenKind::SsoState, random());
        let nonce = data_encoding::BASE64URL_NOPAD.encode(&random::<32>());
        let verifier = data_encoding::BASE64URL_NOPAD.encode(&random::<32>());
        let attempt = Attempt {
            state_hash: secret::token_hash(&state),
            connection_id: connection.id.clone(),
            nonce: nonce.clone(),
            verifier: verifier.clone(),
            purpose,
            expires_at: self.now() + ATTEMPT_TTL,
        };
        self.store.start_sso_attempt(&attempt, self.now()).await?;
        let redirect_url = self.sso_redirect_url();
        let challenge = identity::pkce_challenge(&verifier);
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", redirect_url.as_str()),
            ("scope", "openid email profile"),
            ("state", state.as_str()),
            ("nonce", nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if let Some(email) = hint {
            params.push(("login_hint", email.as_str()));
        }
        let query: String = params
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let separator = if discovery.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(Redirect {
            url: format!("{}{separator}{query}", discovery.authorization_endpoint),
            state,
            posts_back: false,
        })
    }

    /// A SAML sign-in request: its ID is kept with the attempt (the answer must be
    /// `InResponseTo` it), the `state` travels as the `RelayState`.
    async fn saml_redirect(
        &self,
        connection: &Connection,
        purpose: Purpose,
    ) -> AppResult<Redirect> {
        let state = secret::token_text(TokenKind::SsoState, random());
        let request_id = saml::request_id(random());
        let url = saml::sign_in_url(
            connection,
            &self.saml_urls(&connection.id),
            &request_id,
            &state,
        )?;
        let attempt = Attempt {
            state_hash: secret::token_hash(&state),
            connection_id: connection.id.clone(),
            nonce: request_id,
            verifier: String::new(),
            purpose,
            expires_at: self.now() + ATTEMPT_TTL,
        };
        self.store.start_sso_attempt(&attempt, self.now()).await?;
        Ok(Redirect {
            url,
            state,
            posts_back: true,
        })
    }

    /// The provider's discovery document; its issuer must be the connection's, exactly.
    async fn discover(&self, connection: &Connection) -> AppResult<Discovery> {
        let url = format!("{}/.well-known/openid-configuration", connection.issuer);
        let document = self
            .transport()
            .get_json(&url)
            .await
            .map_err(|e| unreachable(&e))?;
        let discovery: Discovery = serde_json::from_value(document)
            .map_err(|e| unreachable(&format!("its discovery document is not usable: {e}")))?;
        if discovery.issuer.trim_end_matches('/') != connection.issuer {
            return Err(AppError::unavailable(
                "sso_wrong_issuer",
                format!(
                    "the provider calls itself {} but the connection names {}; correct the \
                     issuer URL",
                    discovery.issuer, connection.issuer
                ),
            ));
        }
        Ok(discovery)
    }

    /// The provider's answer: the code exchanged and the ID token checked, then the person
    /// signed in — or, for a test, what it would do.
    #[tracing::instrument(name = "app.finish_sso", skip_all)]
    pub async fn finish_sso(
        &self,
        answer: Answer,
        request_id: Option<String>,
    ) -> AppResult<Finished> {
        // The state must come back to the browser that started the sign-in: a link made in
        // someone else's browser signs nobody in here.
        let bound = answer.cookie_state.as_deref().is_some_and(|cookie| {
            subtle::ConstantTimeEq::ct_eq(cookie.as_bytes(), answer.state.as_bytes()).into()
        });
        if !bound || !secret::is_token_text(TokenKind::SsoState, &answer.state) {
            return Err(expired());
        }
        let attempt = self
            .store
            .take_sso_attempt(&secret::token_hash(&answer.state), self.now())
            .await?
            .ok_or_else(expired)?;
        let connection = self
            .store
            .identity_connection(&attempt.connection_id)
            .await?;
        let audit = AuditContext {
            actor: Actor::System,
            request_id,
        };
        let verified = self.verify_answer(&connection, &attempt, &answer).await;
        let identity = match verified {
            Ok(identity) => identity,
            Err(error) => {
                if matches!(attempt.purpose, Purpose::SignIn) {
                    self.refused(&audit, &connection, error.code, None).await?;
                }
                return Err(error);
            }
        };
        let domains: Vec<Domain> = self
            .store
            .claimed_domains(&connection.partner_id)
            .await?
            .into_iter()
            .filter(|d| d.connection_id == connection.id)
            .map(|d| d.domain)
            .collect();
        let email = identity::email_to_sign_in(&identity, &domains);
        if let Some(customer) = connection.customer_id.clone() {
            return self
                .finish_customer_sso(
                    (&connection, &customer),
                    (attempt.purpose, identity, email),
                    answer.client,
                    &audit,
                )
                .await;
        }
        if let Purpose::Test(_) = attempt.purpose {
            // What a real sign-in would do, read without doing it.
            let outcome = match email {
                Ok(email) => match self.standing(&connection, &email).await? {
                    Standing::Refused(refusal) => Err(refusal),
                    Standing::Member(_) | Standing::Joins(_) => Ok(email),
                },
                Err(refusal) => Err(refusal),
            };
            return Ok(Finished::Tested {
                connection: Box::new(connection),
                identity,
                outcome,
            });
        }
        let account = match email {
            Ok(email) => match self
                .sso_account(&connection, &identity, &email, &audit)
                .await?
            {
                Ok(account) => Ok((account, email)),
                Err(refusal) => Err(refusal),
            },
            Err(refusal) => Err(refusal),
        };
        match account {
            Ok((account, email)) => {
                self.sync_groups(&connection, &account.id, &identity.groups, &audit)
                    .await?;
                self.sso_session(&account, &email, &connection, answer.client, &audit)
                    .await
                    .map(Finished::SignedIn)
            }
            Err(refusal) => {
                let email = identity.email.as_deref();
                self.refused(&audit, &connection, refusal.code(), email)
                    .await?;
                Err(AppError::refused(refusal.code(), refusal.message()))
            }
        }
    }

    /// A sign-in through a customer's connection, once the email passed: the person's
    /// account, made an admin of exactly the customer's sites their groups give, in one
    /// transaction — or, for a test, what it would do.
    async fn finish_customer_sso(
        &self,
        (connection, customer): (&Connection, &CustomerId),
        (purpose, identity, email): (Purpose, Identity, Result<Email, Refusal>),
        client: Option<String>,
        audit: &AuditContext,
    ) -> AppResult<Finished> {
        let plan = match email {
            Ok(email) => self
                .customer_standing((connection, customer), &identity, &email)
                .await?
                .map(|plan| (email, plan)),
            Err(refusal) => Err(refusal),
        };
        if let Purpose::Test(_) = purpose {
            return Ok(Finished::Tested {
                connection: Box::new(connection.clone()),
                identity,
                outcome: plan.map(|(email, _)| email),
            });
        }
        match plan {
            Ok((email, plan)) => {
                let account = self
                    .customer_sign_in(connection, &identity, &email, plan, audit)
                    .await?;
                self.sso_session(&account, &email, connection, client, audit)
                    .await
                    .map(Finished::SignedIn)
            }
            Err(refusal) => {
                let email = identity.email.as_deref();
                self.refused(audit, connection, refusal.code(), email)
                    .await?;
                Err(AppError::refused(refusal.code(), refusal.message()))
            }
        }
    }

    /// Where a person a customer's provider vouched for stands: their account, if any, and
    /// which of the customer's sites their groups make them an admin of or no longer. Only
    /// admins of one of the customer's sites get in — or, when the connection makes people
    /// admins just in time, those whose groups give them a site.
    async fn customer_standing(
        &self,
        (connection, customer): (&Connection, &CustomerId),
        identity: &Identity,
        email: &Email,
    ) -> AppResult<Result<CustomerPlan, Refusal>> {
        let existing = self.store.account_by_email(email).await?.map(|(a, _)| a);
        if existing
            .as_ref()
            .is_some_and(|a| a.status == AccountStatus::Disabled)
        {
            return Ok(Err(Refusal::Disabled));
        }
        let sites: Vec<SiteId> = self
            .store
            .customer_sites(customer)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let held: Vec<SiteId> = existing
            .as_ref()
            .map(|account| {
                let principal = self.principal(account);
                principal
                    .site_admin_of
                    .into_iter()
                    .filter(|s| sites.contains(s))
                    .collect()
            })
            .unwrap_or_default();
        let rules = self
            .store
            .group_rules(std::slice::from_ref(&connection.id))
            .await?;
        // A rule's site deleted since is passed over.
        let changes: Vec<(SiteId, bool)> =
            identity::site_admin_sync(&rules, &identity.groups, &held)
                .into_iter()
                .filter(|(site, _)| sites.contains(site))
                .collect();
        let gained = changes.iter().filter(|(_, admin)| *admin).count();
        let after = held.len() + gained - (changes.len() - gained);
        if after == 0 || (held.is_empty() && !connection.just_in_time) {
            return Ok(Err(Refusal::NotASiteAdmin));
        }
        Ok(Ok(CustomerPlan { existing, changes }))
    }

    /// Writes what [`Self::customer_standing`] planned: the account when the address has
    /// none, and the site admin changes, each with its event naming the connection.
    async fn customer_sign_in(
        &self,
        connection: &Connection,
        identity: &Identity,
        email: &Email,
        plan: CustomerPlan,
        audit: &AuditContext,
    ) -> AppResult<Account> {
        let person = match plan.existing {
            Some(account) => PersonResolution::Existing(account.id),
            None => PersonResolution::New(
                self.sso_account_for(email, identity.name.as_deref())
                    .await?,
            ),
        };
        let account_id = person.account_id().clone();
        let partner = &connection.partner_id;
        let via = FieldChange::set("connection", &connection.id);
        let mut events = Vec::new();
        if let PersonResolution::New(new) = &person {
            events.push(audit.event(
                self,
                AuditAction::AccountCreated,
                (Some(partner), None),
                crate::session::account_target(&new.account.id),
                vec![via.clone()],
            ));
        }
        let mut changes = Vec::new();
        let mut site_admins = Vec::new();
        for (site, admin) in plan.changes {
            let action = if admin {
                AuditAction::SiteAdminAdded
            } else {
                AuditAction::SiteAdminRemoved
            };
            events.push(audit.event(
                self,
                action,
                (Some(partner), Some(&site)),
                crate::sites::site_admin_target(&account_id),
                vec![via.clone()],
            ));
            let site_admin = SiteAdmin {
                site_id: site,
                account_id: account_id.clone(),
                created_at: self.now(),
            };
            changes.push(site_admin.change(admin));
            site_admins.push((site_admin, admin));
        }
        if !changes.is_empty() || matches!(person, PersonResolution::New(_)) {
            self.permissions
                .commit(changes, move |store| async move {
                    store.sync_site_admins(&person, &site_admins, &events).await
                })
                .await?;
        }
        Ok(self.store.account(&account_id).await?)
    }

    /// Applies the connection's group rules to the member: their role and the departments
    /// the rules name, as the provider's groups say now — in one transaction with its
    /// events, through the permission index's lane. A Super Admin the rules would demote who
    /// is the partner's last keeps the role (the partner must keep one).
    async fn sync_groups(
        &self,
        connection: &Connection,
        account: &AccountId,
        groups: &[String],
        audit: &AuditContext,
    ) -> AppResult<()> {
        let rules = self
            .store
            .group_rules(std::slice::from_ref(&connection.id))
            .await?;
        if rules.is_empty() {
            return Ok(());
        }
        let partner = &connection.partner_id;
        let member = self.store.member(partner, account).await?.membership;
        let held: Vec<DepartmentId> = self.store.departments_of(account).await?;
        let held_now = (member.role, member.privileges);
        let sync = identity::group_sync(&rules, groups, held_now, &held);
        if sync.is_empty() {
            return Ok(());
        }
        let write = |role: Option<PartnerRole>, privileges: Option<Privileges>| {
            let tenant = (Some(partner), None);
            let mut events = Vec::new();
            let mut changes = Vec::new();
            let updated = (role.is_some() || privileges.is_some()).then(|| {
                let updated = PartnerMembership {
                    role: role.unwrap_or(member.role),
                    privileges: privileges.unwrap_or(member.privileges),
                    ..member.clone()
                };
                let mut fields = Vec::new();
                if updated.role != member.role {
                    fields.push(FieldChange::changed("role", member.role, updated.role));
                }
                if updated.privileges != member.privileges {
                    fields.push(FieldChange::changed(
                        "privileges",
                        crate::partners::privileges_text(member.privileges),
                        crate::partners::privileges_text(updated.privileges),
                    ));
                }
                fields.push(FieldChange::set("connection", &connection.id));
                events.push(audit.event(
                    self,
                    AuditAction::MemberUpdated,
                    tenant,
                    crate::partners::member_target(account),
                    fields,
                ));
                changes.push(updated.change());
                updated
            });
            for (department, joins) in &sync.departments {
                let via = FieldChange::set("connection", &connection.id);
                let (event, change) = self.department_membership(
                    audit,
                    partner,
                    (department, account),
                    *joins,
                    Some(via),
                );
                events.push(event);
                changes.push(change);
            }
            let (account, departments, at) =
                (account.clone(), sync.departments.clone(), self.now());
            self.permissions.commit(changes, move |store| async move {
                store
                    .sync_member_groups((&account, updated.as_ref()), &departments, at, &events)
                    .await
            })
        };
        // What the partner's rules refuse is left out and the rest applied: the last Super
        // Admin keeps the role, and a privilege with no seat left is not given.
        let (mut role, mut privileges) = (sync.role, sync.privileges);
        loop {
            if role.is_none() && privileges.is_none() && sync.departments.is_empty() {
                return Ok(());
            }
            match write(role, privileges).await {
                Err(siteward_storage::StorageError::Conflict(
                    siteward_storage::Conflict::LastSuperAdmin,
                )) if role.is_some() => role = None,
                Err(siteward_storage::StorageError::Conflict(
                    siteward_storage::Conflict::LicenceExhausted(_),
                )) if privileges.is_some() => privileges = None,
                other => return Ok(other?),
            }
        }
    }

    /// Records a refused sign-in on the connection's partner's trail.
    async fn refused(
        &self,
        audit: &AuditContext,
        connection: &Connection,
        code: &str,
        email: Option<&str>,
    ) -> AppResult<()> {
        let mut changes = vec![FieldChange::set("reason", code)];
        if let Some(email) = email {
            changes.push(FieldChange::set("email", email));
        }
        let event = audit.event(
            self,
            AuditAction::SsoRefused,
            (Some(&connection.partner_id), None),
            connection_target(&connection.id),
            changes,
        );
        self.store.record_events(&[event]).await?;
        Ok(())
    }

    /// The code exchanged at the token endpoint and the ID token checked, or the SAML
    /// response checked.
    async fn verify_answer(
        &self,
        connection: &Connection,
        attempt: &Attempt,
        answer: &Answer,
    ) -> AppResult<Identity> {
        let client = match &connection.protocol {
            Protocol::Oidc {
                client_id,
                client_secret,
            } => (client_id.as_str(), client_secret.as_str()),
            Protocol::Saml { .. } => {
                let response = answer.saml_response.clone().ok_or_else(|| {
                    sso_error(
                        "sso_saml_invalid",
                        "the identity provider posted no SAMLResponse",
                    )
                })?;
                let (connection, urls) = (connection.clone(), self.saml_urls(&connection.id));
                let (request_id, now) = (attempt.nonce.clone(), self.now());
                // libxmlsec1's checks take a few milliseconds of CPU: off the async workers.
                return tokio::task::spawn_blocking(move || {
                    saml::verify(&connection, &urls, &request_id, &response, now)
                })
                .await
                .map_err(|e| AppError::internal(&format!("checking a SAML response: {e}")))?;
            }
        };
        if let Some(error) = &answer.error {
            let description = answer
                .error_description
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(300)
                .collect::<String>();
            return Err(sso_error(
                "sso_provider_refused",
                format!("the identity provider did not sign you in ({error}): {description}"),
            ));
        }
        let code = answer
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| sso_error("sso_no_code", "the identity provider sent no code back"))?;
        let discovery = self.discover(connection).await?;
        let redirect_url = self.sso_redirect_url();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_url.as_str()),
            ("code_verifier", attempt.verifier.as_str()),
        ];
        let (status, body) = self
            .transport()
            .post_form(&discovery.token_endpoint, client, &form)
            .await
            .map_err(|e| unreachable(&e))?;
        if status != 200 {
            let error = body["error"].as_str().unwrap_or("no error code");
            let hint = if error == "invalid_client" {
                "; check the client id and secret"
            } else {
                ""
            };
            return Err(sso_error(
                "sso_code_refused",
                format!("the identity provider refused the sign-in's code ({error}){hint}"),
            ));
        }
        let token = body["id_token"].as_str().ok_or_else(|| {
            sso_error("sso_no_id_token", "the identity provider sent no ID token")
        })?;
        let keys = self
            .transport()
            .get_json(&discovery.jwks_uri)
            .await
            .map_err(|e| unreachable(&e))?;
        let keys: JwkSet = serde_json::from_value(keys)
            .map_err(|e| unreachable(&format!("its key set is not usable: {e}")))?;
        self.check_id_token((connection, client.0), attempt, token, &keys)
    }

    /// The ID token's signature, then its claims.
    fn check_id_token(
        &self,
        (connection, client_id): (&Connection, &str),
        attempt: &Attempt,
        token: &str,
        keys: &JwkSet,
    ) -> AppResult<Identity> {
        let bad_signature = || {
            sso_error(
                "sso_bad_signature",
                "the ID token is not signed by a key the identity provider publishes",
            )
        };
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            sso_error(
                "sso_token_invalid",
                "the identity provider sent a malformed ID token",
            )
        })?;
        const SIGNED: [Algorithm; 9] = [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ];
        if !SIGNED.contains(&header.alg) {
            return Err(sso_error(
                "sso_unsigned",
                format!(
                    "the ID token is signed with {:?}, which proves nothing here; the provider \
                     must sign with its published keys (RS256 or ES256)",
                    header.alg
                ),
            ));
        }
        let key = match &header.kid {
            Some(kid) => keys.find(kid),
            None if keys.keys.len() == 1 => keys.keys.first(),
            None => None,
        }
        .ok_or_else(bad_signature)?;
        let key = DecodingKey::from_jwk(key).map_err(|_| bad_signature())?;
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[client_id]);
        validation.set_issuer(&[&connection.issuer]);
        // Times are checked below against the host's clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        let claims = match jsonwebtoken::decode::<Claims>(token, &key, &validation) {
            Ok(data) => data.claims,
            Err(error) => {
                use jsonwebtoken::errors::ErrorKind;
                return Err(match error.kind() {
                    ErrorKind::InvalidAudience => sso_error(
                        "sso_wrong_audience",
                        format!(
                            "the ID token is addressed to another application, not to client \
                             id {client_id}; check the client id",
                        ),
                    ),
                    ErrorKind::InvalidIssuer => sso_error(
                        "sso_wrong_issuer",
                        "the ID token comes from another issuer than the connection names",
                    ),
                    ErrorKind::MissingRequiredClaim(claim) => sso_error(
                        "sso_token_invalid",
                        format!("the ID token has no {claim} claim"),
                    ),
                    _ => bad_signature(),
                });
            }
        };
        let now = self.now().timestamp();
        if claims.exp + LEEWAY_SECONDS <= now {
            return Err(sso_error(
                "sso_token_expired",
                "the ID token has expired; sign in again (if this repeats, the provider's or \
                 this host's clock is wrong)",
            ));
        }
        if claims.iat - LEEWAY_SECONDS > now {
            return Err(sso_error(
                "sso_clock_skew",
                "the ID token was issued in the future by this host's clock: the provider's or \
                 this host's clock is wrong",
            ));
        }
        let nonce_ok = claims.nonce.as_deref().is_some_and(|n| {
            subtle::ConstantTimeEq::ct_eq(n.as_bytes(), attempt.nonce.as_bytes()).into()
        });
        if !nonce_ok {
            return Err(sso_error(
                "sso_replayed",
                "the ID token belongs to another sign-in (its nonce differs): it was replayed",
            ));
        }
        if claims.aud.as_array().is_some_and(|all| all.len() > 1)
            && claims.azp.as_deref() != Some(client_id)
        {
            return Err(sso_error(
                "sso_wrong_audience",
                "the ID token names several audiences but was not issued to this application",
            ));
        }
        let mut shown_claims: Vec<(String, String)> = [
            ("iss", Some(claims.iss.clone())),
            ("sub", Some(claims.sub.clone())),
            ("email", claims.email.clone()),
            ("email_verified", claims.email_verified.as_ref().map(shown)),
            ("name", claims.name.clone()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .chain(
            claims
                .rest
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "nonce" | "at_hash" | "c_hash"))
                .map(|(k, v)| (k.clone(), shown(v))),
        )
        .collect();
        shown_claims.sort();
        let groups = match &claims.groups {
            Some(Value::Array(all)) => all
                .iter()
                .filter_map(|g| g.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        if let Some(value) = &claims.groups {
            shown_claims.push(("groups".to_owned(), shown(value)));
            shown_claims.sort();
        }
        Ok(Identity {
            groups,
            issuer: claims.iss,
            subject: claims.sub,
            email_verified: is_true(claims.email_verified.as_ref())
                || is_true(claims.xms_edov.as_ref()),
            email: claims.email,
            name: claims.name,
            claims: shown_claims,
        })
    }

    /// Where the person with a verified email stands at the connection's partner.
    async fn standing(&self, connection: &Connection, email: &Email) -> AppResult<Standing> {
        let existing = self.store.account_by_email(email).await?.map(|(a, _)| a);
        if let Some(account) = &existing {
            let principal = self.principal(account);
            let partner = &connection.partner_id;
            if let Some(membership) = principal.partners.iter().find(|m| m.partner == *partner) {
                let disabled = account.status == AccountStatus::Disabled
                    || membership.status == MemberStatus::Disabled;
                return Ok(if disabled {
                    Standing::Refused(Refusal::Disabled)
                } else {
                    Standing::Member(account.clone())
                });
            }
        }
        Ok(if connection.just_in_time {
            Standing::Joins(existing)
        } else {
            Standing::Refused(Refusal::NotAMember)
        })
    }

    /// The account a verified email signs in as: a member of the connection's partner, or —
    /// just in time — a new member (a new account when the address has none).
    async fn sso_account(
        &self,
        connection: &Connection,
        identity: &Identity,
        email: &Email,
        audit: &AuditContext,
    ) -> AppResult<Result<Account, Refusal>> {
        let partner = &connection.partner_id;
        let existing = match self.standing(connection, email).await? {
            Standing::Member(account) => return Ok(Ok(account)),
            Standing::Refused(refusal) => return Ok(Err(refusal)),
            Standing::Joins(existing) => existing,
        };
        let via = FieldChange::set("connection", &connection.id);
        let account = self
            .join_partner(
                partner,
                email,
                existing,
                identity.name.as_deref(),
                audit,
                via,
            )
            .await?;
        Ok(Ok(account))
    }

    /// Makes the person with `email` a technician of `partner` at once — a new account when
    /// the address has none (`existing`), whose password nobody knows: they sign in through
    /// their provider, or set one through a reset link where passwords are allowed. For those
    /// a provider vouches for (single sign-on just in time, SCIM); `via` says which, on each
    /// event.
    pub(crate) async fn join_partner(
        &self,
        partner: &PartnerId,
        email: &Email,
        existing: Option<Account>,
        name: Option<&str>,
        audit: &AuditContext,
        via: FieldChange,
    ) -> AppResult<Account> {
        let person = match existing {
            Some(account) => PersonResolution::Existing(account.id),
            None => PersonResolution::New(self.sso_account_for(email, name).await?),
        };
        let account_id = person.account_id().clone();
        let membership = PartnerMembership::new(
            partner.clone(),
            account_id.clone(),
            PartnerRole::Technician,
            self.now(),
        );
        let tenant = (Some(partner), None);
        let mut events = Vec::new();
        if let PersonResolution::New(new) = &person {
            events.push(audit.event(
                self,
                AuditAction::AccountCreated,
                tenant,
                crate::session::account_target(&new.account.id),
                vec![via.clone()],
            ));
        }
        events.push(audit.event(
            self,
            AuditAction::MemberAdded,
            tenant,
            crate::partners::member_target(&account_id),
            vec![FieldChange::set("role", PartnerRole::Technician), via],
        ));
        self.permissions
            .commit([membership.change()], move |store| async move {
                store.add_member(&membership, &person, &events).await
            })
            .await?;
        Ok(self.store.account(&account_id).await?)
    }

    /// A new account for a person a provider vouched for, named as the provider says (or by
    /// the address), whose password nobody knows.
    async fn sso_account_for(&self, email: &Email, name: Option<&str>) -> AppResult<NewAccount> {
        let name = name
            .and_then(|n| siteward_core::validate::name("name", n).ok())
            .unwrap_or_else(|| email.local_part().to_owned());
        let unusable = data_encoding::BASE64URL_NOPAD.encode(&random::<32>());
        Ok(NewAccount {
            account: Account {
                id: self.new_id(AccountId::from_trusted),
                email: email.clone(),
                name,
                status: AccountStatus::Active,
                is_operator: false,
                totp_enabled: false,
                locale: None,
                created_at: self.now(),
            },
            password_hash: auth::hash_password_blocking(unusable).await?,
        })
    }

    /// A session for an account the provider signed in. Two-step sign-in is the provider's
    /// to ask for; the session's lifetime is the person's teams' as with a password.
    async fn sso_session(
        &self,
        account: &Account,
        email: &Email,
        connection: &Connection,
        client: Option<String>,
        audit: &AuditContext,
    ) -> AppResult<NewSession> {
        let principal = self.principal(account);
        let (token, session) = self.new_session(account, &principal, client, false).await?;
        let audit = AuditContext {
            actor: Actor::Account(account.id.clone()),
            request_id: audit.request_id.clone(),
        };
        let event = audit.event(
            self,
            AuditAction::LoginSucceeded,
            (None, None),
            crate::session::account_target(&account.id),
            vec![FieldChange::set("connection", &connection.id)],
        );
        self.store
            .start_session(email, &session, None, None, &event)
            .await?;
        Ok(NewSession {
            token,
            expires_at: session.expires_at,
            account_id: account.id.clone(),
            must_enrol: false,
        })
    }
}

/// What changed between a connection's two versions (the secret only as "changed").
fn connection_changes(before: Option<&Connection>, after: &Connection) -> Vec<FieldChange> {
    let fields = |c: &Connection| {
        let (id_or_url, secret_or_certificates) = match &c.protocol {
            Protocol::Oidc {
                client_id,
                client_secret,
            } => (
                ("client_id", client_id.clone()),
                client_secret.as_bytes().to_vec(),
            ),
            Protocol::Saml {
                sso_url,
                certificates,
            } => (("sso_url", sso_url.clone()), certificates.concat()),
        };
        let fields = [
            ("protocol", c.protocol.as_str().to_owned()),
            ("name", c.name.clone()),
            ("issuer", c.issuer.clone()),
            id_or_url,
            ("just_in_time", c.just_in_time.to_string()),
            ("require_sso", c.require_sso.to_string()),
        ];
        (fields, secret_or_certificates)
    };
    let (after_fields, after_secret) = fields(after);
    let Some(before) = before else {
        return after_fields
            .into_iter()
            .map(|(k, v)| FieldChange::set(k, v))
            .collect();
    };
    let (before_fields, before_secret) = fields(before);
    let mut changes: Vec<FieldChange> = before_fields
        .into_iter()
        .zip(after_fields)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| FieldChange::changed(k, a, b))
        .collect();
    if before_secret != after_secret {
        let field = match after.protocol {
            Protocol::Oidc { .. } => "client_secret",
            Protocol::Saml { .. } => "certificates",
        };
        changes.push(FieldChange::set(field, "replaced"));
    }
    changes
}

/// Percent-encodes a query value (RFC 3986's unreserved characters stay as they are).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
