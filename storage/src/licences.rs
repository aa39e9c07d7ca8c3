//! Partner licences (reference 004): a number of seats per privilege, and the rule that the
//! active members holding a privilege never outnumber its seats.
//!
//! Every write that can add a holder ends with [`guard_licences`], a check inside the same
//! transaction: the write is refused, not half-applied, when it would exceed a licence. The
//! seats in use are counts (`licence_use`) that a database event keeps in step with every
//! write to a membership (migration 0035), so neither the guard nor the Licences page counts
//! the partner's members.

use chrono::{DateTime, Utc};
use surrealdb::types::SurrealValue;

use siteward_core::audit::AuditEvent;
use siteward_core::ids::PartnerId;
use siteward_core::tenancy::{DisabledReason, MemberStatus, PartnerMembership, Privilege};

use crate::Store;
use crate::error::{Conflict, StorageError};
use crate::rows::{MemberRow, member_key, rid};
use crate::tx::Tx;

/// One privilege's licence at a partner and how much of it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicenceUse {
    /// The privilege.
    pub privilege: Privilege,
    /// The seats; `None` is unlimited (no licence record).
    pub seats: Option<u32>,
    /// Active members holding the privilege.
    pub in_use: u32,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LicenceRow {
    privilege: String,
    seats: i64,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct UseRow {
    privilege: String,
    held: i64,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct LicenceRecord {
    partner_id: String,
    privilege: String,
    seats: i64,
    updated_at: DateTime<Utc>,
}

impl Store {
    /// Every privilege's licence at `partner`, with the seats in use.
    pub async fn licences(&self, partner: &PartnerId) -> Result<Vec<LicenceUse>, StorageError> {
        let mut response = self
            .db
            .query("SELECT privilege, seats FROM partner_licence WHERE partner_id = $partner")
            .query("SELECT privilege, held FROM licence_use WHERE partner_id = $partner")
            .bind(("partner", partner.to_string()))
            .await
            .map_err(StorageError::backend)?;
        let rows: Vec<LicenceRow> = response.take(0).map_err(StorageError::backend)?;
        let held: Vec<UseRow> = response.take(1).map_err(StorageError::backend)?;
        Privilege::ALL
            .iter()
            .map(|&privilege| {
                let seats = rows
                    .iter()
                    .find(|r| r.privilege == privilege.as_str())
                    .map(|r| {
                        u32::try_from(r.seats)
                            .map_err(|_| StorageError::Invalid(format!("stored seats {}", r.seats)))
                    })
                    .transpose()?;
                let in_use = held
                    .iter()
                    .find(|r| r.privilege == privilege.as_str())
                    .map_or(0, |r| r.held);
                Ok(LicenceUse {
                    privilege,
                    seats,
                    in_use: u32::try_from(in_use.max(0)).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }

    /// The active members of `partner` holding `privilege`.
    pub async fn licence_holders(
        &self,
        partner: &PartnerId,
        privilege: Privilege,
    ) -> Result<Vec<PartnerMembership>, StorageError> {
        let rows: Vec<MemberRow> = self
            .db
            .query(
                "SELECT * FROM partner_member WHERE partner_id = $partner AND status = 'active' \
                 AND privileges CONTAINS $privilege",
            )
            .bind(("partner", partner.to_string()))
            .bind(("privilege", privilege.as_str()))
            .await
            .map_err(StorageError::backend)?
            .take(0)
            .map_err(StorageError::backend)?;
        rows.iter().map(MemberRow::to_membership).collect()
    }

    /// Sets `partner`'s seats per privilege (`None` lifts the limit) and disables the members
    /// in `disabled` as the licence's automatic Disabled status, in one transaction with
    /// `events`. Refused as concurrent if holders were added meanwhile beyond the new seats.
    pub async fn set_licences(
        &self,
        partner: &PartnerId,
        seats: &[(Privilege, Option<u32>)],
        disabled: &[PartnerMembership],
        events: &[AuditEvent],
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        for (n, (privilege, seats)) in seats.iter().enumerate() {
            let id = rid(
                "partner_licence",
                &format!("{partner}/{}", privilege.as_str()),
            );
            tx.bind(&format!("licence_id_{n}"), id);
            match seats {
                Some(seats) => {
                    tx.bind(
                        &format!("licence_row_{n}"),
                        LicenceRecord {
                            partner_id: partner.to_string(),
                            privilege: privilege.as_str().to_owned(),
                            seats: i64::from(*seats),
                            updated_at: now,
                        },
                    )
                    .run(format!("UPSERT $licence_id_{n} CONTENT $licence_row_{n}"));
                }
                None => {
                    tx.run(format!("DELETE $licence_id_{n}"));
                }
            }
        }
        for (n, member) in disabled.iter().enumerate() {
            tx.bind(
                &format!("disabled_{n}"),
                rid(
                    "partner_member",
                    &member_key(&member.partner_id, &member.account_id),
                ),
            )
            .run(format!(
                "UPDATE $disabled_{n} SET status = '{}', disabled_reason = '{}'",
                MemberStatus::Disabled.as_str(),
                DisabledReason::Licence.as_str()
            ));
        }
        guard_licences(&mut tx, partner, |_| Conflict::Concurrent);
        tx.audit_all(events);
        tx.commit(self).await
    }
}

/// Ends a transaction that may add licence holders at `partner` with one check per privilege:
/// if the active holders now outnumber the seats, the transaction fails with `conflict`.
pub(crate) fn guard_licences(
    tx: &mut Tx,
    partner: &PartnerId,
    conflict: impl Fn(Privilege) -> Conflict,
) {
    for privilege in Privilege::ALL {
        let name = privilege.as_str();
        let key = format!("{partner}/{name}");
        tx.bind(&format!("licence_{name}"), rid("partner_licence", &key))
            .bind(&format!("licence_use_{name}"), rid("licence_use", &key))
            .guard(
                format!(
                    "IF (SELECT VALUE seats FROM ONLY $licence_{name}) != NONE \
                     AND ((SELECT VALUE held FROM ONLY $licence_use_{name}) ?? 0) \
                     > (SELECT VALUE seats FROM ONLY $licence_{name}) {{ THROW 'licence_exhausted' }}"
                ),
                conflict(*privilege),
            );
    }
}
