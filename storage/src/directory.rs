//! A partner's directory (LDAP, Active Directory), keyed by the partner, and the members it
//! manages (keyed `<partner>/<account>`): a sync writes everything it changes — people who
//! join, names, members disabled and enabled, departments, the directory's own record and the
//! events — in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::Timestamp;
use siteward_core::audit::AuditEvent;
use siteward_core::directory::{
    Directory, DirectorySettings, Known, KnownMember, Mapping, Plan, Step, SyncOutcome,
};
use siteward_core::ids::{AccountId, DepartmentId, PartnerId};
use siteward_core::tenancy::PartnerMembership;
use siteward_core::validate::Email;

use crate::accounts::NewAccount;
use crate::error::{Conflict, StorageError};
use crate::licences::guard_licences;
use crate::rows::{MemberRow, key, member_key, rid};
use crate::{Store, tx::Tx};

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct MappingRow {
    group_dn: String,
    department_id: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct DirectoryRow {
    id: RecordId,
    url: String,
    starttls: bool,
    bind_dn: String,
    bind_password: String,
    base_dn: String,
    filter: String,
    email_attribute: String,
    name_attribute: String,
    group_dn: Option<String>,
    interval_minutes: i64,
    mappings: Vec<MappingRow>,
    sync_at: Option<DateTime<Utc>>,
    sync_counts: Vec<i64>,
    sync_error: Option<String>,
    next_sync_at: Option<DateTime<Utc>>,
}

fn counts(outcome: &SyncOutcome) -> Vec<i64> {
    [
        outcome.joined,
        outcome.renamed,
        outcome.disabled,
        outcome.enabled,
        outcome.department_changes,
        outcome.skipped,
    ]
    .map(i64::from)
    .to_vec()
}

impl DirectoryRow {
    fn from_directory(d: &Directory) -> Self {
        let s = &d.settings;
        Self {
            id: rid("ldap_directory", d.partner_id.as_str()),
            url: s.url.clone(),
            starttls: s.starttls,
            bind_dn: s.bind_dn.clone(),
            bind_password: d.bind_password().to_owned(),
            base_dn: s.base_dn.clone(),
            filter: s.filter.clone(),
            email_attribute: s.email_attribute.clone(),
            name_attribute: s.name_attribute.clone(),
            group_dn: s.group.clone(),
            interval_minutes: i64::from(s.interval_minutes),
            mappings: d
                .mappings
                .iter()
                .map(|m| MappingRow {
                    group_dn: m.group.clone(),
                    department_id: m.department.to_string(),
                })
                .collect(),
            sync_at: d.last_sync.at,
            sync_counts: counts(&d.last_sync),
            sync_error: d.last_sync.error.clone(),
            next_sync_at: d.next_sync_at,
        }
    }

    fn into_directory(self) -> Directory {
        let count = |n: usize| {
            self.sync_counts
                .get(n)
                .and_then(|c| u32::try_from(*c).ok())
                .unwrap_or_default()
        };
        let last_sync = SyncOutcome {
            at: self.sync_at,
            joined: count(0),
            renamed: count(1),
            disabled: count(2),
            enabled: count(3),
            department_changes: count(4),
            skipped: count(5),
            error: self.sync_error,
        };
        Directory {
            partner_id: PartnerId::from_trusted(key(&self.id)),
            settings: DirectorySettings {
                url: self.url,
                starttls: self.starttls,
                bind_dn: self.bind_dn,
                bind_password: Some(self.bind_password),
                base_dn: self.base_dn,
                filter: self.filter,
                email_attribute: self.email_attribute,
                name_attribute: self.name_attribute,
                group: self.group_dn,
                interval_minutes: u32::try_from(self.interval_minutes).unwrap_or_default(),
            },
            mappings: self
                .mappings
                .into_iter()
                .map(|m| Mapping {
                    group: m.group_dn,
                    department: DepartmentId::from_trusted(m.department_id),
                })
                .collect(),
            last_sync,
            next_sync_at: self.next_sync_at,
        }
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ManagedRow {
    account_id: String,
    created: bool,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct PersonRow {
    id: RecordId,
    email: String,
    name: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct HeldRow {
    account_id: String,
    department_id: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ManagedMemberRow {
    id: RecordId,
    partner_id: String,
    account_id: String,
    created: bool,
}

fn managed_row(partner: &PartnerId, account: &AccountId, created: bool) -> ManagedMemberRow {
    ManagedMemberRow {
        id: rid("directory_member", &member_key(partner, account)),
        partner_id: partner.to_string(),
        account_id: account.to_string(),
        created,
    }
}

/// What a sync writes besides its plan: the accounts it makes (by email), the outcome it
/// records and when the next one is due.
#[derive(Debug)]
pub struct SyncWrite<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The accounts of the people who join without one.
    pub new_accounts: &'a [NewAccount],
    /// What the sync did, to show on the page.
    pub outcome: &'a SyncOutcome,
    /// When the next automatic sync is due.
    pub next_sync_at: Option<Timestamp>,
    /// When the changes are made.
    pub at: Timestamp,
}

impl Store {
    /// A partner's directory, if it has one.
    pub async fn directory(&self, partner: &PartnerId) -> Result<Option<Directory>, StorageError> {
        let row: Option<DirectoryRow> = self
            .db
            .select(rid("ldap_directory", partner.as_str()))
            .await
            .map_err(StorageError::backend)?;
        Ok(row.map(DirectoryRow::into_directory))
    }

    /// Creates or replaces a partner's directory.
    pub async fn save_directory(
        &self,
        directory: &Directory,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("directory", DirectoryRow::from_directory(directory))
            .run("UPSERT $directory.id CONTENT $directory")
            .audit(event);
        tx.commit(self).await
    }

    /// Removes a partner's directory: its members stay, no longer managed.
    pub async fn delete_directory(
        &self,
        partner: &PartnerId,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("directory", rid("ldap_directory", partner.as_str()))
            .bind("partner", partner.to_string())
            .run("DELETE directory_member WHERE partner_id = $partner")
            .run("DELETE $directory")
            .audit(event);
        tx.commit(self).await
    }

    /// The directories whose automatic sync is due at `now`, soonest first, each one's next
    /// sync moved to `until` so that another host (or the next round) does not take it too.
    pub async fn claim_due_directories(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Directory>, StorageError> {
        let ids: Vec<RecordId> = self
            .db
            .query(
                "SELECT VALUE id FROM ldap_directory WHERE next_sync_at != NONE \
                 AND next_sync_at <= $now ORDER BY next_sync_at LIMIT $limit",
            )
            .bind(("now", now))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let mut claimed = Vec::new();
        for id in ids {
            // Only the round whose update still sees it due takes it.
            let taken: Vec<DirectoryRow> = self
                .db
                .query(
                    "UPDATE $id SET next_sync_at = $until \
                     WHERE next_sync_at != NONE AND next_sync_at <= $now RETURN AFTER",
                )
                .bind(("id", id.clone()))
                .bind(("now", now))
                .bind(("until", until))
                .await
                .and_then(|mut r| r.take(0))
                .map_err(StorageError::backend)?;
            claimed.extend(taken.into_iter().map(DirectoryRow::into_directory));
        }
        Ok(claimed)
    }

    /// Records a sync that changed nothing because it failed, and when the next is due.
    pub async fn record_directory_failure(
        &self,
        partner: &PartnerId,
        outcome: &SyncOutcome,
        next_sync_at: Option<Timestamp>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        record_outcome(&mut tx, partner, outcome, next_sync_at);
        tx.audit(event);
        tx.commit(self).await
    }

    /// What the host holds of the people a sync concerns: the members the partner's directory
    /// manages, and the accounts of `emails` (the people the directory lists), each with their
    /// membership and which of `mapped` departments they are in.
    pub async fn directory_known(
        &self,
        partner: &PartnerId,
        emails: &[Email],
        mapped: &[DepartmentId],
    ) -> Result<Vec<Known>, StorageError> {
        let emails: Vec<String> = emails.iter().map(ToString::to_string).collect();
        let mut response = self
            .db
            .query(
                "SELECT account_id, created FROM directory_member WHERE partner_id = $partner;
                 SELECT id, email, name FROM account WHERE email IN $emails;",
            )
            .bind(("partner", partner.to_string()))
            .bind(("emails", emails))
            .await
            .map_err(StorageError::backend)?;
        let managed: Vec<ManagedRow> = response.take(0).map_err(StorageError::backend)?;
        let listed: Vec<PersonRow> = response.take(1).map_err(StorageError::backend)?;
        let managed: HashMap<String, bool> = managed
            .into_iter()
            .map(|m| (m.account_id, m.created))
            .collect();
        let listed_ids: Vec<String> = listed.iter().map(|p| key(&p.id)).collect();
        let others: Vec<RecordId> = managed
            .keys()
            .filter(|id| !listed_ids.contains(id))
            .map(|id| rid("account", id))
            .collect();
        let mut response = self
            .db
            .query(
                "SELECT id, email, name FROM $others;
                 SELECT * FROM partner_member WHERE partner_id = $partner AND account_id IN $ids;
                 SELECT account_id, department_id FROM department_member \
                 WHERE account_id IN $ids AND department_id IN $mapped;",
            )
            .bind(("others", others))
            .bind(("partner", partner.to_string()))
            .bind((
                "ids",
                listed_ids
                    .iter()
                    .cloned()
                    .chain(managed.keys().cloned())
                    .collect::<Vec<_>>(),
            ))
            .bind((
                "mapped",
                mapped.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ))
            .await
            .map_err(StorageError::backend)?;
        let others: Vec<PersonRow> = response.take(0).map_err(StorageError::backend)?;
        let members: Vec<MemberRow> = response.take(1).map_err(StorageError::backend)?;
        let held: Vec<HeldRow> = response.take(2).map_err(StorageError::backend)?;
        let mut members: HashMap<String, PartnerMembership> = members
            .iter()
            .map(|m| Ok((m.account_id.clone(), m.to_membership()?)))
            .collect::<Result<_, StorageError>>()?;
        let mut departments: HashMap<String, Vec<DepartmentId>> = HashMap::new();
        for row in held {
            departments
                .entry(row.account_id)
                .or_default()
                .push(DepartmentId::from_trusted(row.department_id));
        }
        listed
            .into_iter()
            .chain(others)
            .map(|person| {
                let id = key(&person.id);
                let member = members.remove(&id).map(|membership| KnownMember {
                    membership,
                    managed: managed.contains_key(&id),
                    created: managed.get(&id).copied().unwrap_or(false),
                    departments: departments.remove(&id).unwrap_or_default(),
                });
                Ok(Known {
                    account_id: AccountId::from_trusted(id),
                    email: Email::parse("email", &person.email)
                        .map_err(|e| StorageError::Invalid(e.to_string()))?,
                    name: person.name,
                    member,
                })
            })
            .collect()
    }

    /// Applies a sync's plan — everything in one transaction, with its events, and the
    /// directory's outcome: [`Conflict::LicenceExhausted`] when the people it enables or
    /// brings in would hold more seats than the partner has, and nothing is changed.
    pub async fn apply_directory_sync(
        &self,
        partner: &PartnerId,
        write: &SyncWrite<'_>,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        for (n, person) in write.plan.people.iter().enumerate() {
            let joining = |tx: &mut Tx, account: &AccountId, created: bool| {
                let membership = PartnerMembership::new(
                    partner.clone(),
                    account.clone(),
                    siteward_core::tenancy::PartnerRole::Technician,
                    write.at,
                );
                tx.bind(
                    &format!("member_{n}"),
                    MemberRow::from_membership(&membership),
                )
                .guard(
                    format!("INSERT INTO partner_member $member_{n}"),
                    Conflict::AlreadyMember,
                );
                manage(tx, n, managed_row(partner, account, created));
            };
            let account = match &person.step {
                Step::Join(None) => {
                    let new = write
                        .new_accounts
                        .iter()
                        .find(|a| a.account.email == person.email)
                        .ok_or_else(|| {
                            StorageError::Invalid(format!("no account made for {}", person.email))
                        })?;
                    new.insert(&mut tx, &format!("account_{n}"));
                    joining(&mut tx, &new.account.id, true);
                    new.account.id.clone()
                }
                Step::Join(Some(account)) => {
                    joining(&mut tx, account, false);
                    account.clone()
                }
                Step::Adopt(account) => {
                    manage(&mut tx, n, managed_row(partner, account, false));
                    account.clone()
                }
                Step::Keep(account) => account.clone(),
                Step::Disable(membership) | Step::Enable(membership) => {
                    let row = MemberRow::from_membership(membership);
                    tx.bind(&format!("member_{n}"), row.id.clone())
                        .bind(&format!("status_{n}"), row.status)
                        .bind(&format!("reason_{n}"), row.disabled_reason)
                        .run(format!(
                            "UPDATE $member_{n} SET status = $status_{n}, \
                             disabled_reason = $reason_{n} WHERE role != 'super_admin'"
                        ));
                    membership.account_id.clone()
                }
            };
            if let Some((_, name)) = &person.rename {
                tx.bind(&format!("renamed_{n}"), rid("account", account.as_str()))
                    .bind(&format!("name_{n}"), name.clone())
                    .run(format!("UPDATE $renamed_{n} SET name = $name_{n}"));
            }
            for (d, (department, member)) in person.departments.iter().enumerate() {
                crate::permissions::department_member_in(
                    &mut tx,
                    (department, &account),
                    *member,
                    write.at,
                    &format!("department_{n}_{d}"),
                );
            }
        }
        guard_licences(&mut tx, partner, Conflict::LicenceExhausted);
        record_outcome(&mut tx, partner, write.outcome, write.next_sync_at);
        tx.audit_all(events);
        tx.commit(self).await
    }
}

fn manage(tx: &mut Tx, n: usize, row: ManagedMemberRow) {
    tx.bind(&format!("managed_{n}"), row)
        .run(format!("UPSERT $managed_{n}.id CONTENT $managed_{n}"));
}

fn record_outcome(
    tx: &mut Tx,
    partner: &PartnerId,
    outcome: &SyncOutcome,
    next_sync_at: Option<Timestamp>,
) {
    tx.bind("directory", rid("ldap_directory", partner.as_str()))
        .bind("sync_at", outcome.at)
        .bind("sync_counts", counts(outcome))
        .bind("sync_error", outcome.error.clone())
        .bind("next_sync_at", next_sync_at)
        .run(
            "UPDATE $directory SET sync_at = $sync_at, sync_counts = $sync_counts, \
             sync_error = $sync_error, next_sync_at = $next_sync_at",
        );
}
