//! Team security settings: one `security_policy` record per partner or site that asks
//! anything of its people.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::Timestamp;
use siteward_core::audit::AuditEvent;
use siteward_core::ids::{PartnerId, SiteId};
use siteward_core::security::{PolicyOwner, SecurityPolicy};

use crate::error::StorageError;
use crate::rows::rid;
use crate::{Store, tx::Tx};

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct PolicyRow {
    id: RecordId,
    owner_kind: String,
    owner_id: String,
    require_two_factor: bool,
    session_hours: Option<i64>,
    fresh_sign_in_minutes: Option<i64>,
    updated_at: DateTime<Utc>,
}

impl PolicyRow {
    fn into_policy(self) -> Option<(PolicyOwner, SecurityPolicy)> {
        let owner = match self.owner_kind.as_str() {
            "partner" => PolicyOwner::Partner(PartnerId::from_trusted(self.owner_id)),
            _ => PolicyOwner::Site(SiteId::from_trusted(self.owner_id)),
        };
        let hours = |value: Option<i64>| value.and_then(|v| u32::try_from(v).ok());
        Some((
            owner,
            SecurityPolicy {
                require_two_factor: self.require_two_factor,
                session_hours: hours(self.session_hours),
                fresh_sign_in_minutes: hours(self.fresh_sign_in_minutes),
            },
        ))
    }
}

fn policy_id(owner: &PolicyOwner) -> RecordId {
    rid(
        "security_policy",
        &format!("{}/{}", owner.kind(), owner.id()),
    )
}

impl Store {
    /// The policies among `owners` that ask anything; an owner without one asks nothing.
    pub async fn security_policies(
        &self,
        owners: &[PolicyOwner],
    ) -> Result<Vec<(PolicyOwner, SecurityPolicy)>, StorageError> {
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<PolicyRow> = self.records(owners.iter().map(policy_id).collect()).await?;
        Ok(rows
            .into_iter()
            .filter_map(PolicyRow::into_policy)
            .collect())
    }

    /// Sets an owner's policy. A session lifetime cuts the sessions its people already hold
    /// to it (counted from each one's sign-in), in the same transaction.
    pub async fn set_security_policy(
        &self,
        owner: &PolicyOwner,
        policy: &SecurityPolicy,
        now: Timestamp,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("policy_id", policy_id(owner))
            .bind(
                "policy",
                PolicyRow {
                    id: policy_id(owner),
                    owner_kind: owner.kind().to_owned(),
                    owner_id: owner.id().to_owned(),
                    require_two_factor: policy.require_two_factor,
                    session_hours: policy.session_hours.map(i64::from),
                    fresh_sign_in_minutes: policy.fresh_sign_in_minutes.map(i64::from),
                    updated_at: now,
                },
            )
            .run("UPSERT $policy_id CONTENT $policy");
        if let Some(hours) = policy.session_hours {
            let people = match owner {
                PolicyOwner::Partner(_) => {
                    "SELECT VALUE account_id FROM partner_member WHERE partner_id = $owner_id"
                }
                PolicyOwner::Site(_) => {
                    "SELECT VALUE account_id FROM site_admin WHERE site_id = $owner_id"
                }
            };
            // `hours` is a number this host checked, so writing it into the statement is safe.
            tx.bind("owner_id", owner.id().to_owned()).run(format!(
                "UPDATE session SET expires_at = created_at + {hours}h \
                 WHERE account_id IN ({people}) AND expires_at > created_at + {hours}h"
            ));
        }
        tx.audit(event);
        tx.commit(self).await
    }
}
