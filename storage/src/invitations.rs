//! Invitations, site assignments and idempotency keys.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::account::Account;
use siteward_core::assignment::SiteAssignment;
use siteward_core::audit::AuditEvent;
use siteward_core::ids::{AccountId, DepartmentId, InvitationId, PartnerId, SiteId};
use siteward_core::invitation::{Invitation, InvitationStatus, InvitationTarget, PermissionLevel};
use siteward_core::page::{Page, PageRequest};
use siteward_core::permission::records::AccessGrant;
use siteward_core::tenancy::{PartnerMembership, PartnerRole, Privilege, Privileges, SiteAdmin};
use siteward_core::validate::Email;

use crate::accounts::NewAccount;
use crate::error::{Conflict, StorageError};
use crate::outbox::{OutboxMessage, OutboxRow};
use crate::permissions::GrantRow;
use crate::rows::{MemberRow, key, member_key, rid, site_admin_key, stored};
use crate::{Store, tx::Tx};

/// A new (or reopened) invitation and the email that announces it.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// The invitation.
    pub invitation: Invitation,
    /// Its email, rendered with the token's link; none while it awaits approval.
    pub message: Option<OutboxMessage>,
    /// The grants it carries, waiting for its acceptance (subject: the invitation).
    pub grants: Vec<AccessGrant>,
}

/// A response stored under an idempotency key, returned again for a retried request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// Scope and key, for example `<account id>/<key>`.
    pub key: String,
    /// A hash of the request, to tell a retry from a different request with the same key.
    pub fingerprint: String,
    /// The HTTP status of the stored response.
    pub status: u16,
    /// The stored response body.
    pub body: String,
    /// When it was stored.
    pub created_at: Timestamp,
}

/// Which invitations to list.
#[derive(Debug, Clone, Copy)]
pub enum InvitationScope<'a> {
    /// All of a partner's invitations.
    Partner(&'a PartnerId),
    /// A site's invitations.
    Site(&'a SiteId),
    /// The invitations to an address, from every partner (its owner's own page).
    Email(&'a Email),
}

/// What accepting an invitation creates.
#[derive(Debug, Clone)]
pub enum Acceptance {
    /// A partner membership, with the departments it starts in; `None` when the account is
    /// already a member.
    Membership(Option<(PartnerMembership, Vec<DepartmentId>)>),
    /// A site assignment (Locked).
    Assignment(SiteAssignment),
    /// An admin of a site (not one of its technicians).
    SiteAdmin(SiteAdmin),
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct InvitationRow {
    id: RecordId,
    partner_id: String,
    kind: String,
    role: Option<String>,
    site_id: Option<String>,
    level: Option<String>,
    email: String,
    invited_by: String,
    status: String,
    token_hash: String,
    expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    sent_at: DateTime<Utc>,
    resend_count: i64,
    locale: Option<String>,
    privileges: Option<Vec<String>>,
    departments: Option<Vec<String>>,
    accepted_by: Option<String>,
    accepted_at: Option<DateTime<Utc>>,
    approval_reason: Option<String>,
    denial_reason: Option<String>,
}

/// The condition on an invitation's status as of `$now`: a Pending one whose time has passed
/// is Expired.
fn status_condition(status: Option<InvitationStatus>) -> &'static str {
    match status {
        None => "",
        Some(InvitationStatus::Pending) => " AND status = 'pending' AND expires_at > $now",
        Some(InvitationStatus::Expired) => {
            " AND (status = 'expired' OR (status = 'pending' AND expires_at <= $now))"
        }
        Some(InvitationStatus::Accepted) => " AND status = 'accepted'",
        Some(InvitationStatus::Revoked) => " AND status = 'revoked'",
        Some(InvitationStatus::AwaitingApproval) => " AND status = 'awaiting_approval'",
        Some(InvitationStatus::Denied) => " AND status = 'denied'",
    }
}

/// Which of a partner's unaccepted invitations to join it a team list shows.
#[derive(Debug, Clone, Default)]
pub struct TeamInvitationFilter {
    /// Only invitations to this role.
    pub role: Option<PartnerRole>,
    /// Only invitations with this status (Accepted is never listed).
    pub status: Option<InvitationStatus>,
    /// Only addresses containing this, in any case.
    pub search: Option<String>,
}

impl InvitationRow {
    fn from_invitation(inv: &Invitation) -> Self {
        let (kind, role, site_id, level) = match &inv.target {
            InvitationTarget::Partner { role } => {
                ("partner", Some(role.as_str().to_owned()), None, None)
            }
            InvitationTarget::Site { site_id, level } => (
                "site",
                None,
                Some(site_id.to_string()),
                Some(level.as_str().to_owned()),
            ),
            InvitationTarget::SiteAdmin { site_id } => {
                ("site_admin", None, Some(site_id.to_string()), None)
            }
        };
        Self {
            id: rid("invitation", inv.id.as_str()),
            partner_id: inv.partner_id.to_string(),
            kind: kind.to_owned(),
            role,
            site_id,
            level,
            email: inv.email.to_string(),
            invited_by: inv.invited_by.to_string(),
            status: inv.status.as_str().to_owned(),
            token_hash: inv.token_hash.clone(),
            expires_at: inv.expires_at,
            created_at: inv.created_at,
            sent_at: inv.sent_at,
            resend_count: i64::from(inv.resend_count),
            locale: Some(inv.locale.clone()),
            privileges: inv
                .privileges
                .map(|set| set.iter().map(|p| p.as_str().to_owned()).collect()),
            departments: (!inv.departments.is_empty())
                .then(|| inv.departments.iter().map(ToString::to_string).collect()),
            accepted_by: inv.accepted.as_ref().map(|(a, _)| a.to_string()),
            accepted_at: inv.accepted.as_ref().map(|(_, at)| *at),
            approval_reason: inv.approval_reason.clone(),
            denial_reason: inv.denial_reason.clone(),
        }
    }

    fn into_invitation(self) -> Result<Invitation, StorageError> {
        let target = match (self.kind.as_str(), self.role, self.site_id, self.level) {
            ("partner", Some(role), None, None) => InvitationTarget::Partner {
                role: stored(PartnerRole::parse, &role)?,
            },
            ("site", None, Some(site), Some(level)) => InvitationTarget::Site {
                site_id: SiteId::from_trusted(site),
                level: stored(PermissionLevel::parse, &level)?,
            },
            ("site_admin", None, Some(site), None) => InvitationTarget::SiteAdmin {
                site_id: SiteId::from_trusted(site),
            },
            _ => {
                return Err(StorageError::Invalid(format!(
                    "invitation {} has an inconsistent target",
                    key(&self.id)
                )));
            }
        };
        Ok(Invitation {
            id: InvitationId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            target,
            email: Email::from_trusted(self.email),
            invited_by: AccountId::from_trusted(self.invited_by),
            status: stored(InvitationStatus::parse, &self.status)?,
            approval_reason: self.approval_reason,
            denial_reason: self.denial_reason,
            token_hash: self.token_hash,
            expires_at: self.expires_at,
            created_at: self.created_at,
            sent_at: self.sent_at,
            resend_count: u32::try_from(self.resend_count).unwrap_or(u32::MAX),
            locale: self
                .locale
                .unwrap_or_else(|| siteward_core::validate::DEFAULT_LOCALE.to_owned()),
            privileges: self
                .privileges
                .map(|names| {
                    names
                        .iter()
                        .map(|p| stored(Privilege::parse, p))
                        .collect::<Result<Vec<_>, _>>()
                        .map(Privileges::of)
                })
                .transpose()?,
            departments: self
                .departments
                .unwrap_or_default()
                .into_iter()
                .map(DepartmentId::from_trusted)
                .collect(),
            accepted: self
                .accepted_by
                .zip(self.accepted_at)
                .map(|(account, at)| (AccountId::from_trusted(account), at)),
        })
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct AssignmentRow {
    pub(crate) id: RecordId,
    site_id: String,
    account_id: String,
    partner_id: String,
    level: String,
    locked: bool,
    first_unlocked_at: Option<DateTime<Utc>>,
    starts_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    invitation_id: Option<String>,
    set_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_activity_at: Option<DateTime<Utc>>,
}

impl AssignmentRow {
    pub(crate) fn from_assignment(a: &SiteAssignment) -> Self {
        Self {
            id: rid(
                "site_assignment",
                &site_admin_key(&a.site_id, &a.account_id),
            ),
            site_id: a.site_id.to_string(),
            account_id: a.account_id.to_string(),
            partner_id: a.partner_id.to_string(),
            level: a.level.as_str().to_owned(),
            locked: a.locked,
            first_unlocked_at: a.first_unlocked_at,
            starts_at: a.starts_at,
            expires_at: a.expires_at,
            invitation_id: a.invitation_id.as_ref().map(ToString::to_string),
            set_by: a.set_by.to_string(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            last_activity_at: a.last_activity_at,
        }
    }

    pub(crate) fn into_assignment(self) -> Result<SiteAssignment, StorageError> {
        Ok(SiteAssignment {
            site_id: SiteId::from_trusted(self.site_id),
            account_id: AccountId::from_trusted(self.account_id),
            partner_id: PartnerId::from_trusted(self.partner_id),
            level: stored(PermissionLevel::parse, &self.level)?,
            locked: self.locked,
            first_unlocked_at: self.first_unlocked_at,
            starts_at: self.starts_at,
            expires_at: self.expires_at,
            invitation_id: self.invitation_id.map(InvitationId::from_trusted),
            set_by: AccountId::from_trusted(self.set_by),
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_activity_at: self.last_activity_at,
        })
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SlotRow {
    invitation_id: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct SlotRecord {
    id: RecordId,
    invitation_id: String,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct IdempotencyRow {
    id: RecordId,
    fingerprint: String,
    status: i64,
    body: String,
    created_at: DateTime<Utc>,
}

fn slot(open_key: &str) -> RecordId {
    rid("invitation_slot", open_key)
}

impl Tx {
    fn idempotency(&mut self, record: Option<&IdempotencyRecord>) -> &mut Self {
        if let Some(record) = record {
            self.bind(
                "idempotency",
                IdempotencyRow {
                    id: rid("idempotency_key", &record.key),
                    fingerprint: record.fingerprint.clone(),
                    status: i64::from(record.status),
                    body: record.body.clone(),
                    created_at: record.created_at,
                },
            )
            .guard(
                "INSERT INTO idempotency_key $idempotency",
                Conflict::IdempotencyKeyInUse,
            );
        }
        self
    }

    fn outbox(&mut self, name: &str, message: &OutboxMessage) -> &mut Self {
        self.bind(name, OutboxRow::from_message(message))
            .run(format!("INSERT INTO outbox_message ${name} RETURN NONE"))
    }
}

impl Store {
    /// The response stored under an idempotency key, if any.
    pub async fn idempotent_response(
        &self,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StorageError> {
        let row: Option<IdempotencyRow> = self
            .db
            .select(rid("idempotency_key", key))
            .await
            .map_err(StorageError::backend)?;
        Ok(row.map(|row| IdempotencyRecord {
            key: key.to_owned(),
            fingerprint: row.fingerprint,
            status: u16::try_from(row.status).unwrap_or(500),
            body: row.body,
            created_at: row.created_at,
        }))
    }

    /// The invitations holding these open keys.
    pub async fn open_invitations(
        &self,
        open_keys: &[String],
    ) -> Result<Vec<Invitation>, StorageError> {
        if open_keys.is_empty() {
            return Ok(Vec::new());
        }
        let slots: Vec<RecordId> = open_keys.iter().map(|k| slot(k)).collect();
        let rows: Vec<SlotRow> = self
            .db
            .query("SELECT invitation_id FROM $slots")
            .bind(("slots", slots))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let ids: Vec<RecordId> = rows
            .iter()
            .map(|s| rid("invitation", &s.invitation_id))
            .collect();
        let rows: Vec<InvitationRow> = self.records(ids).await?;
        rows.into_iter()
            .map(InvitationRow::into_invitation)
            .collect()
    }

    /// Writes new invitations with their emails in one transaction. `expired` are invitations
    /// past their time whose open slot the new ones take over: they are marked Expired, each
    /// with its audit event.
    pub async fn create_invitations(
        &self,
        new: &[NewInvitation],
        expired: &[(Invitation, AuditEvent)],
        events: &[AuditEvent],
        idempotency: Option<&IdempotencyRecord>,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.idempotency(idempotency);
        for (n, (inv, event)) in expired.iter().enumerate() {
            tx.bind(&format!("expired_{n}"), rid("invitation", inv.id.as_str()))
                .bind(&format!("expired_id_{n}"), inv.id.to_string())
                .bind(&format!("expired_slot_{n}"), slot(&inv.open_key()))
                .run(format!(
                    "UPDATE $expired_{n} SET status = 'expired' WHERE status = 'pending'"
                ))
                .run(format!(
                    "DELETE $expired_slot_{n} WHERE invitation_id = $expired_id_{n}"
                ))
                .audit(event);
        }
        if !new.is_empty() {
            // One statement per table, however many invitations: a bulk request of 1,000 is
            // four inserts, not four thousand.
            let slots: Vec<SlotRecord> = new
                .iter()
                .map(|item| SlotRecord {
                    id: slot(&item.invitation.open_key()),
                    invitation_id: item.invitation.id.to_string(),
                })
                .collect();
            let invitations: Vec<InvitationRow> = new
                .iter()
                .map(|item| InvitationRow::from_invitation(&item.invitation))
                .collect();
            let messages: Vec<OutboxRow> = new
                .iter()
                .filter_map(|item| item.message.as_ref().map(OutboxRow::from_message))
                .collect();
            tx.bind("slots", slots)
                .guard(
                    "INSERT INTO invitation_slot $slots RETURN NONE",
                    Conflict::AlreadyInvited,
                )
                .bind("invitations", invitations)
                .run("INSERT INTO invitation $invitations RETURN NONE");
            // Invitations awaiting approval send no email (yet).
            if !messages.is_empty() {
                tx.bind("messages", messages)
                    .run("INSERT INTO outbox_message $messages RETURN NONE");
            }
            let grants: Vec<GrantRow> = new
                .iter()
                .flat_map(|item| item.grants.iter().map(GrantRow::from_grant))
                .collect();
            if !grants.is_empty() {
                tx.bind("grants", grants)
                    .run("INSERT INTO access_grant $grants RETURN NONE");
            }
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Reads an invitation.
    pub async fn invitation(&self, id: &InvitationId) -> Result<Invitation, StorageError> {
        let row: Option<InvitationRow> = self
            .db
            .select(rid("invitation", id.as_str()))
            .await
            .map_err(StorageError::backend)?;
        row.ok_or(StorageError::NotFound)?.into_invitation()
    }

    /// Finds the invitation whose current token has this hash.
    pub async fn invitation_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<Invitation>, StorageError> {
        let row: Option<InvitationRow> = self
            .db
            .query("SELECT * FROM ONLY invitation WHERE token_hash = $hash LIMIT 1")
            .bind(("hash", token_hash.to_owned()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        row.map(InvitationRow::into_invitation).transpose()
    }

    /// Lists invitations of a partner or site, optionally only those with a status at `now`.
    pub async fn invitations(
        &self,
        scope: InvitationScope<'_>,
        status: Option<InvitationStatus>,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, StorageError> {
        let mut vars = Variables::new();
        let mut condition = match scope {
            InvitationScope::Partner(p) => {
                vars.insert("scope_id", p.to_string());
                "partner_id = $scope_id".to_owned()
            }
            InvitationScope::Site(s) => {
                vars.insert("scope_id", s.to_string());
                "site_id = $scope_id".to_owned()
            }
            InvitationScope::Email(email) => {
                vars.insert("scope_id", email.to_string());
                "email = $scope_id".to_owned()
            }
        };
        vars.insert("now", now);
        condition.push_str(status_condition(status));
        self.invitation_page(&condition, vars, page).await
    }

    /// A page of invitations matching `condition`, in id order.
    async fn invitation_page(
        &self,
        condition: &str,
        vars: Variables,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, StorageError> {
        let rows: Vec<InvitationRow> = self
            .page("invitation", condition, vars, page, str::to_owned)
            .await?;
        let items = rows
            .into_iter()
            .map(InvitationRow::into_invitation)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(items, page.limit, |i| i.id.as_str()))
    }

    /// A partner's invitations to join it that were not accepted (an accepted one is a member
    /// now), in id order, filtered as a team list filters them.
    pub async fn team_invitations(
        &self,
        partner: &PartnerId,
        filter: &TeamInvitationFilter,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Invitation>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        vars.insert("now", now);
        let mut condition =
            "partner_id = $partner AND kind = 'partner' AND status != 'accepted'".to_owned();
        if let Some(role) = filter.role {
            vars.insert("role", role.as_str().to_owned());
            condition.push_str(" AND role = $role");
        }
        if let Some(search) = &filter.search {
            vars.insert("search", search.to_lowercase());
            condition.push_str(" AND string::contains(email, $search)");
        }
        // Accepted ones are never listed here, whatever the filter says.
        let status = filter.status.filter(|s| *s != InvitationStatus::Accepted);
        condition.push_str(status_condition(status));
        self.invitation_page(&condition, vars, page).await
    }

    /// Stores a resent invitation (fresh token and expiry, back to Pending) with its new email.
    pub async fn resend_invitation(
        &self,
        item: &NewInvitation,
        event: &AuditEvent,
        idempotency: Option<&IdempotencyRecord>,
    ) -> Result<(), StorageError> {
        let inv = &item.invitation;
        let mut tx = Tx::new();
        tx.idempotency(idempotency)
            .bind("slot", slot(&inv.open_key()))
            .bind("inv_id", inv.id.to_string())
            .guard(
                "IF (SELECT VALUE invitation_id FROM ONLY $slot) NOT IN [NONE, $inv_id] { THROW 'already_invited' }",
                Conflict::AlreadyInvited,
            )
            .run("UPSERT $slot SET invitation_id = $inv_id")
            .bind("inv", rid("invitation", inv.id.as_str()))
            .guard(
                "IF (SELECT VALUE status FROM ONLY $inv) = 'accepted' { THROW 'accepted' }",
                Conflict::InvitationNotPending,
            )
            .bind("token_hash", inv.token_hash.clone())
            .bind("expires_at", inv.expires_at)
            .bind("sent_at", inv.sent_at)
            .bind("resend_count", i64::from(inv.resend_count))
            .run(
                "UPDATE $inv SET status = 'pending', token_hash = $token_hash, expires_at = $expires_at, \
                 sent_at = $sent_at, resend_count = $resend_count",
            )
            .audit(event);
        if let Some(message) = &item.message {
            tx.outbox("msg", message);
        }
        tx.commit(self).await
    }

    /// An approver's decision on an invitation awaiting approval, guarded on it still
    /// awaiting ([`Conflict::InvitationNotPending`] otherwise: two approvers at once yield one
    /// decision). Approved, it is sent: Pending with its new token and expiry, its email queued;
    /// denied, it is Denied with the reason and frees its place.
    pub async fn decide_invitation(
        &self,
        item: &NewInvitation,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let inv = &item.invitation;
        let mut tx = Tx::new();
        tx.bind("inv", rid("invitation", inv.id.as_str()))
            .bind("inv_id", inv.id.to_string())
            .guard(
                "IF (SELECT VALUE status FROM ONLY $inv) != 'awaiting_approval' { THROW 'decided' }",
                Conflict::InvitationNotPending,
            )
            .bind("row", InvitationRow::from_invitation(inv))
            .run("UPSERT $inv CONTENT $row");
        if inv.status == InvitationStatus::Denied {
            tx.bind("slot", slot(&inv.open_key()))
                .run("DELETE $slot WHERE invitation_id = $inv_id");
        }
        if let Some(message) = &item.message {
            tx.outbox("msg", message);
        }
        tx.audit(event);
        tx.commit(self).await
    }

    /// Revokes a Pending invitation; its link stops working and its slot is freed.
    pub async fn revoke_invitation(
        &self,
        inv: &Invitation,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("inv", rid("invitation", inv.id.as_str()))
            .bind("inv_id", inv.id.to_string())
            .guard(
                "IF (SELECT VALUE status FROM ONLY $inv) NOT IN ['pending', 'awaiting_approval'] { THROW 'not_pending' }",
                Conflict::InvitationNotPending,
            )
            .bind("slot", slot(&inv.open_key()))
            .run("UPDATE $inv SET status = 'revoked'")
            .run("DELETE $slot WHERE invitation_id = $inv_id")
            .audit(event);
        tx.commit(self).await
    }

    /// Accepts an invitation: marks it accepted (once: a second accept of the same link fails),
    /// creates the account of a person signing up, and the membership or Locked assignment.
    /// The `waiting_grants` grants read as waiting for it become the accepting account's; had
    /// one been given or deleted since, nothing is written
    /// ([`Conflict::InvitationNotPending`]).
    pub async fn accept_invitation(
        &self,
        inv: &Invitation,
        new_account: Option<&NewAccount>,
        acceptance: &Acceptance,
        waiting_grants: usize,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let (accepted_by, accepted_at) = inv.accepted.clone().ok_or_else(|| {
            StorageError::Invalid("an accepted invitation names who accepted".to_owned())
        })?;
        let mut tx = Tx::new();
        tx.bind("inv", rid("invitation", inv.id.as_str()))
            .bind("inv_id", inv.id.to_string())
            .bind("token_hash", inv.token_hash.clone())
            .guard(
                "IF (SELECT VALUE status FROM ONLY $inv) != 'pending' OR (SELECT VALUE token_hash FROM ONLY $inv) != $token_hash \
                 { THROW 'not_pending' }",
                Conflict::InvitationNotPending,
            )
            .bind("accepted_by", accepted_by.to_string())
            .bind("accepted_at", accepted_at)
            .bind("slot", slot(&inv.open_key()))
            .run("UPDATE $inv SET status = 'accepted', accepted_by = $accepted_by, accepted_at = $accepted_at")
            .run("DELETE $slot WHERE invitation_id = $inv_id")
            .bind("waiting_grants", waiting_grants as i64)
            .guard(
                "IF count(SELECT id FROM access_grant WHERE subject_id = $inv_id AND subject_kind = 'invitation') != $waiting_grants \
                 { THROW 'not_pending' }",
                Conflict::InvitationNotPending,
            )
            .run("UPDATE access_grant SET subject_kind = 'technician', subject_id = $accepted_by \
                  WHERE subject_id = $inv_id AND subject_kind = 'invitation'");
        if let Some(account) = new_account {
            account.insert(&mut tx, "account");
        }
        match acceptance {
            Acceptance::Membership(Some((membership, departments))) => {
                tx.bind("member", MemberRow::from_membership(membership))
                    .guard(
                        "INSERT INTO partner_member $member",
                        Conflict::AlreadyMember,
                    );
                let rows: Vec<_> = departments
                    .iter()
                    .map(|department| {
                        crate::permissions::department_member_row(
                            department,
                            &membership.account_id,
                            accepted_at,
                        )
                    })
                    .collect();
                if !rows.is_empty() {
                    tx.bind("department_members", rows)
                        .run("INSERT INTO department_member $department_members");
                }
                crate::licences::guard_licences(
                    &mut tx,
                    &membership.partner_id,
                    Conflict::LicenceExhausted,
                );
            }
            Acceptance::Membership(None) => {}
            Acceptance::SiteAdmin(site_admin) => {
                crate::tenancy::insert_site_admin(&mut tx, site_admin);
            }
            Acceptance::Assignment(assignment) => {
                // A site's admins are not its technicians: someone made its admin since the
                // invitation was sent cannot accept it.
                let key = site_admin_key(&assignment.site_id, &assignment.account_id);
                tx.bind("assignment_admin", rid("site_admin", &key))
                    .guard(
                        "IF (SELECT VALUE id FROM ONLY $assignment_admin) != NONE { THROW 'site_admin' }",
                        Conflict::AlreadySiteAdmin,
                    );
                tx.bind("assignment", AssignmentRow::from_assignment(assignment))
                    .guard(
                        "INSERT INTO site_assignment $assignment",
                        Conflict::AlreadyAssigned,
                    );
            }
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Marks up to `limit` Pending invitations whose time has passed at `now` as Expired, each
    /// with the audit event `event_for` makes, and returns them.
    pub async fn expire_due_invitations(
        &self,
        now: Timestamp,
        limit: u32,
        event_for: impl Fn(&Invitation) -> AuditEvent,
    ) -> Result<Vec<Invitation>, StorageError> {
        let rows: Vec<InvitationRow> = self
            .db
            .query("SELECT * FROM invitation WHERE status = 'pending' AND expires_at <= $now ORDER BY expires_at LIMIT $limit")
            .bind(("now", now))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let due = rows
            .into_iter()
            .map(InvitationRow::into_invitation)
            .collect::<Result<Vec<_>, _>>()?;
        if due.is_empty() {
            return Ok(due);
        }
        let mut tx = Tx::new();
        tx.bind("now", now);
        for (n, inv) in due.iter().enumerate() {
            // Only if still due: a resend in between gave it a new expiry.
            tx.bind(&format!("due_{n}"), rid("invitation", inv.id.as_str()))
                .bind(&format!("due_id_{n}"), inv.id.to_string())
                .bind(&format!("due_slot_{n}"), slot(&inv.open_key()))
                .run(format!("UPDATE $due_{n} SET status = 'expired' WHERE status = 'pending' AND expires_at <= $now"))
                .run(format!("DELETE $due_slot_{n} WHERE invitation_id = $due_id_{n}"))
                .audit(&event_for(inv));
        }
        tx.commit(self).await?;
        Ok(due)
    }

    /// A site's technician assignments, optionally only locked (or unlocked) ones, or one level.
    pub async fn site_assignments(
        &self,
        site: &SiteId,
        locked: Option<bool>,
        level: Option<PermissionLevel>,
        page: &PageRequest,
    ) -> Result<Page<SiteAssignment>, StorageError> {
        // The site's assignments in account order from the cursor on, through the index on
        // (site, account): a page costs the same wherever it starts and however many
        // technicians the site has. (Ordering by record id on the site's index alone read and
        // sorted every assignment of the site per page.)
        let mut vars = Variables::new();
        vars.insert("site", site.to_string());
        let mut conditions = vec!["site_id = $site"];
        if let Some(after) = &page.after {
            vars.insert("after", after.clone());
            conditions.push("account_id > $after");
        }
        if let Some(locked) = locked {
            vars.insert("locked", locked);
            conditions.push("locked = $locked");
        }
        if let Some(level) = level {
            vars.insert("level", level.as_str());
            conditions.push("level = $level");
        }
        vars.insert("limit", i64::from(page.limit) + 1);
        let rows: Vec<AssignmentRow> = self
            .db
            .query(format!(
                "SELECT * FROM site_assignment WHERE {} ORDER BY account_id LIMIT $limit",
                conditions.join(" AND ")
            ))
            .bind(vars)
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let items = rows
            .into_iter()
            .map(AssignmentRow::into_assignment)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::from_overfetch(items, page.limit, |a| {
            a.account_id.as_str()
        }))
    }

    /// Every site assignment of one account.
    pub async fn account_assignments(
        &self,
        account: &AccountId,
    ) -> Result<Vec<SiteAssignment>, StorageError> {
        let rows: Vec<AssignmentRow> = self
            .db
            .query("SELECT * FROM site_assignment WHERE account_id = $account ORDER BY id")
            .bind(("account", account.to_string()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter()
            .map(AssignmentRow::into_assignment)
            .collect()
    }

    /// The assignments of these accounts at a site (those that exist).
    pub async fn assignments_of(
        &self,
        site: &SiteId,
        accounts: &[AccountId],
    ) -> Result<Vec<SiteAssignment>, StorageError> {
        let ids: Vec<RecordId> = accounts
            .iter()
            .map(|a| rid("site_assignment", &site_admin_key(site, a)))
            .collect();
        let rows: Vec<AssignmentRow> = self.records(ids).await?;
        rows.into_iter()
            .map(AssignmentRow::into_assignment)
            .collect()
    }

    /// Stores changed levels, locks, starts and ends of several assignments, all or none, with their
    /// events. Each change is `(as read, as it should be)`; when any assignment is no longer as
    /// read — another request changed or deleted it meanwhile — nothing is written and the
    /// result is [`Conflict::Concurrent`], so a change is never made from a stale read.
    pub async fn update_assignments(
        &self,
        changes: &[(SiteAssignment, SiteAssignment)],
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        for (n, (read, a)) in changes.iter().enumerate() {
            tx.bind(&format!("assignment_{n}"), rid("site_assignment", &site_admin_key(&a.site_id, &a.account_id)))
                .bind(&format!("read_{n}"), (read.level.as_str(), read.locked, read.starts_at, read.expires_at))
                .bind(&format!("level_{n}"), a.level.as_str())
                .bind(&format!("locked_{n}"), a.locked)
                .bind(&format!("first_unlocked_at_{n}"), a.first_unlocked_at)
                .bind(&format!("starts_at_{n}"), a.starts_at)
                .bind(&format!("expires_at_{n}"), a.expires_at)
                .bind(&format!("set_by_{n}"), a.set_by.to_string())
                .bind(&format!("updated_at_{n}"), a.updated_at)
                .guard(
                    format!(
                        "IF (SELECT VALUE [level, locked, starts_at, expires_at] FROM ONLY $assignment_{n}) != $read_{n} {{ THROW 'changed' }}"
                    ),
                    Conflict::Concurrent,
                )
                .run(format!(
                    "UPDATE $assignment_{n} SET level = $level_{n}, locked = $locked_{n}, first_unlocked_at = $first_unlocked_at_{n}, starts_at = $starts_at_{n}, expires_at = $expires_at_{n}, set_by = $set_by_{n}, updated_at = $updated_at_{n}"
                ));
        }
        tx.audit_all(events);
        tx.commit(self).await
    }

    /// Deletes technicians' access to a site (their accounts remain), with their events.
    pub async fn delete_assignments(
        &self,
        site: &SiteId,
        accounts: &[AccountId],
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let ids: Vec<RecordId> = accounts
            .iter()
            .map(|a| rid("site_assignment", &site_admin_key(site, a)))
            .collect();
        let mut tx = Tx::new();
        tx.bind("ids", ids).run("DELETE $ids").audit_all(events);
        tx.commit(self).await
    }

    /// Switches a site's Technician Access.
    pub async fn set_technician_access(
        &self,
        site: &SiteId,
        on: bool,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("site", rid("site", site.as_str()))
            .bind("on", on)
            .run("UPDATE $site SET technician_access = $on")
            .audit(event);
        tx.commit(self).await
    }

    /// Accounts that must not be offered for a site: its admins and its assigned technicians.
    pub async fn site_people(&self, site: &SiteId) -> Result<Vec<AccountId>, StorageError> {
        let mut response = self
            .db
            .query("SELECT VALUE account_id FROM site_admin WHERE site_id = $site")
            .query("SELECT VALUE account_id FROM site_assignment WHERE site_id = $site")
            .bind(("site", site.to_string()))
            .await
            .map_err(StorageError::backend)?;
        let admins: Vec<String> = response.take(0).map_err(StorageError::backend)?;
        let assigned: Vec<String> = response.take(1).map_err(StorageError::backend)?;
        Ok(admins
            .into_iter()
            .chain(assigned)
            .map(AccountId::from_trusted)
            .collect())
    }

    /// Which of these accounts are already an admin or a technician of a site: read by record
    /// id, as many lookups as accounts asked about, however many people the site has.
    pub async fn site_people_among(
        &self,
        site: &SiteId,
        accounts: &[AccountId],
    ) -> Result<HashSet<AccountId>, StorageError> {
        let ids = |table: &str| -> Vec<RecordId> {
            accounts
                .iter()
                .map(|a| rid(table, &site_admin_key(site, a)))
                .collect()
        };
        let mut response = self
            .db
            .query("SELECT VALUE account_id FROM $admins")
            .query("SELECT VALUE account_id FROM $assigned")
            .bind(("admins", ids("site_admin")))
            .bind(("assigned", ids("site_assignment")))
            .await
            .map_err(StorageError::backend)?;
        let admins: Vec<String> = response.take(0).map_err(StorageError::backend)?;
        let assigned: Vec<String> = response.take(1).map_err(StorageError::backend)?;
        Ok(admins
            .into_iter()
            .chain(assigned)
            .map(AccountId::from_trusted)
            .collect())
    }

    /// The memberships of these accounts in a partner, with the accounts; accounts that are
    /// not members are left out. Read by record id: as many lookups as accounts asked about,
    /// however many members the partner has.
    pub async fn members_among(
        &self,
        partner: &PartnerId,
        accounts: &[AccountId],
    ) -> Result<Vec<(PartnerMembership, Account)>, StorageError> {
        let ids: Vec<RecordId> = accounts
            .iter()
            .map(|account| rid("partner_member", &member_key(partner, account)))
            .collect();
        let rows: Vec<MemberRow> = self.records(ids).await?;
        let ids: Vec<RecordId> = rows.iter().map(|r| rid("account", &r.account_id)).collect();
        let found: Vec<crate::rows::AccountRow> = self.records(ids).await?;
        let mut found: HashMap<String, Account> = found
            .iter()
            .map(|a| a.to_account().map(|a| (a.id.to_string(), a)))
            .collect::<Result<_, _>>()?;
        rows.iter()
            .map(|row| {
                let account = found.remove(&row.account_id).ok_or_else(|| {
                    StorageError::Invalid(format!(
                        "membership of missing account {}",
                        row.account_id
                    ))
                })?;
                Ok((row.to_membership()?, account))
            })
            .collect()
    }

    /// Which of these addresses belong to members of a partner (any status). One indexed
    /// lookup per address, then one per account found.
    pub async fn member_emails_among(
        &self,
        partner: &PartnerId,
        emails: &[Email],
    ) -> Result<HashSet<Email>, StorageError> {
        let addresses: Vec<String> = emails.iter().map(|e| e.as_str().to_owned()).collect();
        let ids: Vec<String> = self
            .db
            .query("SELECT VALUE record::id(id) FROM account WHERE email IN $emails")
            .bind(("emails", addresses))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let ids: Vec<AccountId> = ids.into_iter().map(AccountId::from_trusted).collect();
        let members: HashSet<String> = self
            .members_among(partner, &ids)
            .await?
            .into_iter()
            .map(|(_, account)| account.email.as_str().to_owned())
            .collect();
        Ok(emails
            .iter()
            .filter(|e| members.contains(e.as_str()))
            .cloned()
            .collect())
    }

    /// Stores a partner's settings (invitation time, branding, language) as `partner` has
    /// them, with the audit event of the change.
    pub async fn update_partner_settings(
        &self,
        partner: &siteward_core::tenancy::Partner,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("partner", rid("partner", partner.id.as_str()))
            .bind("hours", i64::from(partner.invitation_ttl_hours))
            .bind(
                "branding",
                crate::rows::BrandingRow::from_branding(&partner.branding),
            )
            .bind("locale", partner.locale.clone())
            .run(
                "UPDATE $partner SET invitation_ttl_hours = $hours, branding = $branding, \
                 locale = $locale",
            )
            .audit(event);
        tx.commit(self).await
    }
}
