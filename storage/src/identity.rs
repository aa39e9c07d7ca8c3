//! Single sign-on: a partner's identity provider connections, the email domains it claimed
//! for them (one owner per domain: the record's key is the domain), and the sign-ins sent to
//! a provider and not back yet (keyed by their `state`'s hash, taken once).

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::Timestamp;
use siteward_core::audit::AuditEvent;
use siteward_core::identity::{
    Attempt, Connection, Domain, GroupGrant, GroupRule, Protocol, Purpose,
};
use siteward_core::ids::{
    AccountId, ConnectionId, CustomerId, DepartmentId, GroupRuleId, PartnerId, SiteId,
};
use siteward_core::tenancy::{PartnerMembership, PartnerRole, Privilege, Site, SiteAdmin};

use crate::error::{Conflict, StorageError};
use crate::rows::{SiteRow, key, rid, site_admin_key};
use crate::tenancy::PersonResolution;
use crate::{Store, tx::Tx};

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ConnectionRow {
    id: RecordId,
    partner_id: String,
    customer_id: Option<String>,
    name: String,
    issuer: String,
    protocol: String,
    client_id: String,
    client_secret: String,
    sso_url: Option<String>,
    certificates: Option<Vec<String>>,
    just_in_time: bool,
    require_sso: bool,
    created_at: DateTime<Utc>,
}

impl ConnectionRow {
    fn from_connection(c: &Connection) -> Self {
        let (mut client_id, mut client_secret, mut sso_url, mut certificates) =
            (String::new(), String::new(), None, None);
        match &c.protocol {
            Protocol::Oidc {
                client_id: id,
                client_secret: secret,
            } => (client_id, client_secret) = (id.clone(), secret.clone()),
            Protocol::Saml {
                sso_url: url,
                certificates: certs,
            } => {
                sso_url = Some(url.clone());
                certificates = Some(
                    certs
                        .iter()
                        .map(|der| data_encoding::BASE64.encode(der))
                        .collect(),
                );
            }
        }
        Self {
            id: rid("identity_connection", c.id.as_str()),
            partner_id: c.partner_id.to_string(),
            customer_id: c.customer_id.as_ref().map(ToString::to_string),
            name: c.name.clone(),
            issuer: c.issuer.clone(),
            protocol: c.protocol.as_str().to_owned(),
            client_id,
            client_secret,
            sso_url,
            certificates,
            just_in_time: c.just_in_time,
            require_sso: c.require_sso,
            created_at: c.created_at,
        }
    }

    fn into_connection(self) -> Connection {
        let protocol = match (self.protocol.as_str(), self.sso_url) {
            ("saml", Some(sso_url)) => Protocol::Saml {
                sso_url,
                certificates: self
                    .certificates
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|text| data_encoding::BASE64.decode(text.as_bytes()).ok())
                    .collect(),
            },
            _ => Protocol::Oidc {
                client_id: self.client_id,
                client_secret: self.client_secret,
            },
        };
        Connection {
            id: ConnectionId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            customer_id: self.customer_id.map(CustomerId::from_trusted),
            name: self.name,
            issuer: self.issuer,
            protocol,
            just_in_time: self.just_in_time,
            require_sso: self.require_sso,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DomainRow {
    id: RecordId,
    partner_id: String,
    connection_id: String,
    claimed_at: DateTime<Utc>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct AttemptRow {
    id: RecordId,
    connection_id: String,
    nonce: String,
    verifier: String,
    tester: Option<String>,
    expires_at: DateTime<Utc>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct GroupRuleRow {
    id: RecordId,
    connection_id: String,
    group_name: String,
    role: Option<String>,
    department_id: Option<String>,
    privilege: Option<String>,
    site_id: Option<String>,
}

impl GroupRuleRow {
    fn from_rule(rule: &GroupRule) -> Self {
        let (mut role, mut department_id, mut privilege, mut site_id) = (None, None, None, None);
        match &rule.grant {
            GroupGrant::Role(r) => role = Some(r.as_str().to_owned()),
            GroupGrant::Department(d) => department_id = Some(d.to_string()),
            GroupGrant::Privilege(p) => privilege = Some(p.as_str().to_owned()),
            GroupGrant::SiteAdmin(s) => site_id = Some(s.to_string()),
        }
        Self {
            id: rid("identity_group_rule", rule.id.as_str()),
            connection_id: rule.connection_id.to_string(),
            group_name: rule.group.clone(),
            role,
            department_id,
            privilege,
            site_id,
        }
    }

    fn into_rule(self) -> Result<GroupRule, StorageError> {
        let invalid = |e: siteward_core::FieldError| StorageError::Invalid(e.to_string());
        let grant = match (self.role, self.department_id, self.privilege, self.site_id) {
            (Some(role), None, None, None) => {
                GroupGrant::Role(PartnerRole::parse("role", &role).map_err(invalid)?)
            }
            (None, Some(d), None, None) => GroupGrant::Department(DepartmentId::from_trusted(d)),
            (None, None, Some(p), None) => {
                GroupGrant::Privilege(Privilege::parse("privilege", &p).map_err(invalid)?)
            }
            (None, None, None, Some(site)) => GroupGrant::SiteAdmin(SiteId::from_trusted(site)),
            _ => {
                return Err(StorageError::Invalid(format!(
                    "group rule {} gives not exactly one of a role, a department, a privilege, \
                     a site",
                    key(&self.id)
                )));
            }
        };
        Ok(GroupRule {
            id: GroupRuleId::from_trusted(key(&self.id)),
            connection_id: ConnectionId::from_trusted(self.connection_id),
            group: self.group_name,
            grant,
        })
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ExternalIdRow {
    id: RecordId,
    external_id: String,
}

/// A domain claimed by a partner, and for which of its connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedDomain {
    /// The domain.
    pub domain: Domain,
    /// The connection its people sign in through.
    pub connection_id: ConnectionId,
}

impl Store {
    /// A partner's connections, oldest first.
    pub async fn identity_connections(
        &self,
        partner: &PartnerId,
    ) -> Result<Vec<Connection>, StorageError> {
        let rows: Vec<ConnectionRow> = self
            .db
            .query("SELECT * FROM identity_connection WHERE partner_id = $partner ORDER BY id")
            .bind(("partner", partner.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows
            .into_iter()
            .map(ConnectionRow::into_connection)
            .collect())
    }

    /// One connection.
    pub async fn identity_connection(&self, id: &ConnectionId) -> Result<Connection, StorageError> {
        let row: Option<ConnectionRow> = self
            .db
            .select(rid("identity_connection", id.as_str()))
            .await
            .map_err(StorageError::backend)?;
        Ok(row.ok_or(StorageError::NotFound)?.into_connection())
    }

    /// Creates or replaces a connection.
    pub async fn save_identity_connection(
        &self,
        connection: &Connection,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("connection", ConnectionRow::from_connection(connection))
            .run("UPSERT $connection.id CONTENT $connection")
            .audit(event);
        tx.commit(self).await
    }

    /// Deletes a connection and gives up its domains.
    pub async fn delete_identity_connection(
        &self,
        id: &ConnectionId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("connection", rid("identity_connection", id.as_str()))
            .bind("connection_id", id.to_string())
            .run("DELETE identity_domain WHERE connection_id = $connection_id")
            .run("DELETE identity_group_rule WHERE connection_id = $connection_id")
            .run("DELETE sso_attempt WHERE connection_id = $connection_id")
            .run("DELETE $connection")
            .audit(event);
        tx.commit(self).await
    }

    /// Claims a domain for a partner's connection: [`Conflict::DomainClaimed`] when anyone
    /// holds it already.
    pub async fn claim_domain(
        &self,
        domain: &Domain,
        connection: &Connection,
        at: Timestamp,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let row = DomainRow {
            id: rid("identity_domain", domain.as_str()),
            partner_id: connection.partner_id.to_string(),
            connection_id: connection.id.to_string(),
            claimed_at: at,
        };
        let mut tx = Tx::new();
        tx.bind("domain", row)
            .guard("CREATE $domain.id CONTENT $domain", Conflict::DomainClaimed)
            .audit(event);
        tx.commit(self).await
    }

    /// Gives up a domain the partner holds (nothing happens to another partner's).
    pub async fn release_domain(
        &self,
        domain: &Domain,
        partner: &PartnerId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("domain", rid("identity_domain", domain.as_str()))
            .bind("partner", partner.to_string())
            .run("DELETE $domain WHERE partner_id = $partner")
            .audit(event);
        tx.commit(self).await
    }

    /// The domains a partner holds, by name.
    pub async fn claimed_domains(
        &self,
        partner: &PartnerId,
    ) -> Result<Vec<ClaimedDomain>, StorageError> {
        let rows: Vec<DomainRow> = self
            .db
            .query("SELECT * FROM identity_domain WHERE partner_id = $partner ORDER BY id")
            .bind(("partner", partner.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows
            .into_iter()
            .map(|row| ClaimedDomain {
                domain: Domain::from_trusted(key(&row.id)),
                connection_id: ConnectionId::from_trusted(row.connection_id),
            })
            .collect())
    }

    /// The connection whose people have addresses in this domain, if anyone claimed it.
    pub async fn connection_for_domain(
        &self,
        domain: &Domain,
    ) -> Result<Option<Connection>, StorageError> {
        let row: Option<ConnectionRow> = self
            .db
            .query(
                "LET $claim = (SELECT VALUE connection_id FROM ONLY $domain);
                 IF $claim = NONE { RETURN NONE };
                 SELECT * FROM ONLY type::record('identity_connection', $claim)",
            )
            .bind(("domain", rid("identity_domain", domain.as_str())))
            .await
            .and_then(|mut r| r.take(2))
            .map_err(StorageError::backend)?;
        Ok(row.map(ConnectionRow::into_connection))
    }

    /// The rules of some connections, in the order they were made.
    pub async fn group_rules(
        &self,
        connections: &[ConnectionId],
    ) -> Result<Vec<GroupRule>, StorageError> {
        let ids: Vec<String> = connections.iter().map(ToString::to_string).collect();
        let rows: Vec<GroupRuleRow> = self
            .db
            .query(
                "SELECT * FROM identity_group_rule WHERE connection_id IN $connections ORDER BY id",
            )
            .bind(("connections", ids))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter().map(GroupRuleRow::into_rule).collect()
    }

    /// Adds a rule.
    pub async fn add_group_rule(
        &self,
        rule: &GroupRule,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("rule", GroupRuleRow::from_rule(rule))
            .run("INSERT INTO identity_group_rule $rule")
            .audit(event);
        tx.commit(self).await
    }

    /// One rule.
    pub async fn group_rule(&self, id: &GroupRuleId) -> Result<GroupRule, StorageError> {
        let row: Option<GroupRuleRow> = self
            .db
            .select(rid("identity_group_rule", id.as_str()))
            .await
            .map_err(StorageError::backend)?;
        row.ok_or(StorageError::NotFound)?.into_rule()
    }

    /// Removes a rule; what it gave stays until the person's next sign-in.
    pub async fn delete_group_rule(
        &self,
        id: &GroupRuleId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("rule", rid("identity_group_rule", id.as_str()))
            .run("DELETE $rule")
            .audit(event);
        tx.commit(self).await
    }

    /// What a sign-in through a customer's connection changes of a person, in one
    /// transaction with its events: their account when it is new, and the customer's sites
    /// they become an admin of (`true`) or stop administering.
    pub async fn sync_site_admins(
        &self,
        person: &PersonResolution,
        changes: &[(SiteAdmin, bool)],
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        person.insert(&mut tx, "account");
        for (n, (site_admin, admin)) in changes.iter().enumerate() {
            let name = format!("site_admin_{n}");
            if *admin {
                crate::tenancy::insert_site_admin_as(&mut tx, site_admin, &name);
            } else {
                let key = site_admin_key(&site_admin.site_id, &site_admin.account_id);
                tx.bind(&name, rid("site_admin", &key))
                    .run(format!("DELETE ${name}"));
            }
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// A customer's sites (at most 10,000), in id order.
    pub async fn customer_sites(&self, customer: &CustomerId) -> Result<Vec<Site>, StorageError> {
        let rows: Vec<SiteRow> = self
            .db
            .query("SELECT * FROM site WHERE customer_id = $customer ORDER BY id LIMIT 10000")
            .bind(("customer", customer.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows.into_iter().map(SiteRow::into_site).collect())
    }

    /// What a sign-in's groups change of a member, in one transaction: the new role (guarded
    /// as any role change), departments joined and left, with their events.
    pub async fn sync_member_groups(
        &self,
        (account, role): (&AccountId, Option<&PartnerMembership>),
        departments: &[(DepartmentId, bool)],
        at: Timestamp,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        if let Some(updated) = role {
            crate::tenancy::update_member_in(&mut tx, updated);
        }
        for (n, (department, member)) in departments.iter().enumerate() {
            let name = format!("department_{n}");
            crate::permissions::department_member_in(
                &mut tx,
                (department, account),
                *member,
                at,
                &name,
            );
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// What SCIM clients call these members or departments (`externalId`), by their ids,
    /// where one said.
    pub async fn scim_external_ids(
        &self,
        partner: &PartnerId,
        resources: &[&str],
    ) -> Result<Vec<(String, String)>, StorageError> {
        let ids: Vec<RecordId> = resources
            .iter()
            .map(|r| rid("scim_external_id", &format!("{partner}/{r}")))
            .collect();
        let rows: Vec<ExternalIdRow> = self
            .db
            .query("SELECT id, external_id FROM $ids")
            .bind(("ids", ids))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let key = key(&row.id);
                let (_, resource) = key.split_once('/')?;
                Some((resource.to_owned(), row.external_id))
            })
            .collect())
    }

    /// Sets (or, with `None`, forgets) what a SCIM client calls a member or a department.
    pub async fn set_scim_external_id(
        &self,
        partner: &PartnerId,
        resource: &str,
        external_id: Option<&str>,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind(
            "resource",
            rid("scim_external_id", &format!("{partner}/{resource}")),
        );
        match external_id {
            Some(external_id) => tx
                .bind("external_id", external_id.to_owned())
                .run("UPSERT $resource SET external_id = $external_id"),
            None => tx.run("DELETE $resource"),
        };
        tx.commit(self).await
    }

    /// Keeps a sign-in sent to a provider until its answer comes; those that ran out are
    /// deleted on the way.
    pub async fn start_sso_attempt(
        &self,
        attempt: &Attempt,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        let row = AttemptRow {
            id: rid("sso_attempt", &attempt.state_hash),
            connection_id: attempt.connection_id.to_string(),
            nonce: attempt.nonce.clone(),
            verifier: attempt.verifier.clone(),
            tester: match &attempt.purpose {
                Purpose::SignIn => None,
                Purpose::Test(account) => Some(account.to_string()),
            },
            expires_at: attempt.expires_at,
        };
        let mut tx = Tx::new();
        tx.bind("now", now)
            .bind("attempt", row)
            .run("DELETE sso_attempt WHERE expires_at <= $now")
            .run("INSERT INTO sso_attempt $attempt");
        tx.commit(self).await
    }

    /// Takes the sign-in whose `state` has this hash: it is deleted as it is read, so one
    /// answer of the provider is used once. `None` when there is none, or it ran out.
    pub async fn take_sso_attempt(
        &self,
        state_hash: &str,
        now: Timestamp,
    ) -> Result<Option<Attempt>, StorageError> {
        let rows: Vec<AttemptRow> = self
            .db
            .query("DELETE $attempt RETURN BEFORE")
            .bind(("attempt", rid("sso_attempt", state_hash)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows
            .into_iter()
            .find(|row| row.expires_at > now)
            .map(|row| Attempt {
                state_hash: state_hash.to_owned(),
                connection_id: ConnectionId::from_trusted(row.connection_id),
                nonce: row.nonce,
                verifier: row.verifier,
                purpose: row.tester.map_or(Purpose::SignIn, |a| {
                    Purpose::Test(AccountId::from_trusted(a))
                }),
                expires_at: row.expires_at,
            }))
    }
}
