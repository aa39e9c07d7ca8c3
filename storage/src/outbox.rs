//! The email outbox: messages written in the same transaction as what they announce, claimed
//! by a delivery worker under a lease (so two hosts never send the same message at once),
//! and marked sent, retried later, or failed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::ids::{InvitationId, OutboxMessageId, PartnerId};
use siteward_core::page::{Page, PageRequest};

use crate::Store;
use crate::error::StorageError;
use crate::rows::{key, rid};
use crate::stats::Attempted;
use crate::tx::Tx;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for (another) delivery attempt.
    Pending,
    /// Accepted by the mail server (or written to a file).
    Sent,
    /// Given up on after the last attempt; visible to admins.
    Failed,
}

impl OutboxStatus {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "sent" => Self::Sent,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// An outgoing email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Its id; also the left part of its Message-ID.
    pub id: OutboxMessageId,
    /// The partner it is sent for.
    pub partner_id: Option<PartnerId>,
    /// The invitation it announces.
    pub invitation_id: Option<InvitationId>,
    /// The recipient's address.
    pub recipient: String,
    /// The subject.
    pub subject: String,
    /// The HTML part; removed once the message is sent or failed.
    pub html: Option<String>,
    /// The plain-text part; removed once the message is sent or failed.
    pub text: Option<String>,
    /// The Message-ID header, the same on every attempt.
    pub message_id: String,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Delivery attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
}

impl OutboxMessage {
    /// A message to send now, for `partner` (and the invitation it announces, if any), with
    /// its Message-ID `<id@domain>`.
    #[allow(clippy::too_many_arguments)]
    pub fn pending(
        id: OutboxMessageId,
        message_id_domain: &str,
        partner_id: Option<PartnerId>,
        invitation_id: Option<InvitationId>,
        recipient: String,
        subject: String,
        html: Option<String>,
        text: Option<String>,
        now: Timestamp,
    ) -> Self {
        Self {
            message_id: format!("<{id}@{message_id_domain}>"),
            id,
            partner_id,
            invitation_id,
            recipient,
            subject,
            html,
            text,
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            sent_at: None,
        }
    }
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct OutboxRow {
    id: RecordId,
    partner_id: Option<String>,
    invitation_id: Option<String>,
    recipient: String,
    subject: String,
    html: Option<String>,
    text: Option<String>,
    message_id: String,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl OutboxRow {
    pub(crate) fn from_message(m: &OutboxMessage) -> Self {
        Self {
            id: rid("outbox_message", m.id.as_str()),
            partner_id: m.partner_id.as_ref().map(ToString::to_string),
            invitation_id: m.invitation_id.as_ref().map(ToString::to_string),
            recipient: m.recipient.clone(),
            subject: m.subject.clone(),
            html: m.html.clone(),
            text: m.text.clone(),
            message_id: m.message_id.clone(),
            status: m.status.as_str().to_owned(),
            attempts: i64::from(m.attempts),
            next_attempt_at: m.next_attempt_at,
            lease_until: None,
            last_error: m.last_error.clone(),
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }

    fn into_message(self) -> OutboxMessage {
        OutboxMessage {
            id: OutboxMessageId::from_trusted(key(&self.id)),
            partner_id: self.partner_id.map(PartnerId::from_trusted),
            invitation_id: self.invitation_id.map(InvitationId::from_trusted),
            recipient: self.recipient,
            subject: self.subject,
            html: self.html,
            text: self.text,
            message_id: self.message_id,
            status: OutboxStatus::parse(&self.status),
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            created_at: self.created_at,
            sent_at: self.sent_at,
        }
    }
}

/// How one delivery attempt went, to be recorded with [`Store::record_deliveries`].
#[derive(Debug, Clone)]
pub struct Delivered {
    id: OutboxMessageId,
    attempts: u32,
    result: DeliveryResult,
}

#[derive(Debug, Clone)]
enum DeliveryResult {
    Sent,
    Retry { next: Timestamp, error: String },
    Failed { error: String },
}

impl Delivered {
    /// The server accepted message `id` (or it was written to a file) on attempt `attempts`.
    pub fn sent(id: OutboxMessageId, attempts: u32) -> Self {
        Self {
            id,
            attempts,
            result: DeliveryResult::Sent,
        }
    }

    /// Attempt `attempts` failed with `error`; the next one is due at `next`.
    pub fn retry(id: OutboxMessageId, attempts: u32, next: Timestamp, error: String) -> Self {
        Self {
            id,
            attempts,
            result: DeliveryResult::Retry { next, error },
        }
    }

    /// Attempt `attempts` failed with `error` and was the last: admins see it as failed.
    pub fn failed(id: OutboxMessageId, attempts: u32, error: String) -> Self {
        Self {
            id,
            attempts,
            result: DeliveryResult::Failed { error },
        }
    }
}

impl Store {
    /// Claims up to `limit` messages due at `now` for this worker until `lease_until`. A message
    /// claimed by a worker that then dies becomes due again when its lease runs out.
    ///
    /// Fair between tenants: every partner with mail due (and the platform's own mail, a
    /// tenant of its own) gets an equal share of the round, its oldest first, so one tenant's
    /// flood waits behind itself rather than in front of everyone else; a share a tenant
    /// leaves unused goes to the oldest mail of any. With more tenants than the round holds, a
    /// window that moves each second picks which go first.
    pub async fn claim_due_messages(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StorageError> {
        let mut tenants: Vec<TenantRow> = self
            .db
            .query(format!(
                "SELECT partner_id FROM outbox_message WHERE {DUE} GROUP BY partner_id"
            ))
            .bind(("now", now))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        if tenants.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let start = usize::try_from(now.timestamp()).unwrap_or(0) % tenants.len();
        tenants.rotate_left(start);
        tenants.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let count = u32::try_from(tenants.len()).unwrap_or(u32::MAX);
        // Shares differ by one at most and add up to the round.
        let share = |n: u32| i64::from(limit / count + u32::from(n < limit % count));
        // Two statements per tenant, each pair a claim of its own like `claim_due`'s.
        let statements: Vec<String> = (0..tenants.len())
            .map(|n| {
                format!(
                    "LET $due_{n} = SELECT VALUE id FROM outbox_message \
                       WHERE partner_id = $tenant_{n} AND {DUE} \
                       ORDER BY next_attempt_at LIMIT $share_{n};
                     {CLAIM}",
                    CLAIM = claim_statement(&format!("$due_{n}")),
                )
            })
            .collect();
        let mut query = self
            .db
            .query(statements.join(";\n"))
            .bind(("now", now))
            .bind(("lease_until", lease_until));
        for (n, tenant) in (0..count).zip(tenants) {
            query = query
                .bind((format!("tenant_{n}"), tenant.partner_id))
                .bind((format!("share_{n}"), share(n)));
        }
        let mut response = query.await.map_err(StorageError::backend)?;
        let mut claimed: Vec<OutboxMessage> = Vec::new();
        for n in 0..usize::try_from(count).unwrap_or(0) {
            // Each tenant's `LET` answers first, its claim second.
            let rows: Vec<OutboxRow> = response.take(2 * n + 1).map_err(StorageError::backend)?;
            claimed.extend(rows.into_iter().map(OutboxRow::into_message));
        }
        let room = limit.saturating_sub(u32::try_from(claimed.len()).unwrap_or(u32::MAX));
        if room > 0 && !claimed.is_empty() {
            let rows: Vec<OutboxRow> = self
                .claim_due("outbox_message", now, lease_until, room)
                .await?;
            claimed.extend(rows.into_iter().map(OutboxRow::into_message));
        }
        Ok(claimed)
    }

    /// Claims up to `limit` pending records of a queue `table` (fields `status`,
    /// `next_attempt_at`, `lease_until`) due at `now`, until `lease_until`.
    pub(crate) async fn claim_due<R: SurrealValue>(
        &self,
        table: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<R>, StorageError> {
        self.db
            .query(format!(
                "LET $due = SELECT VALUE id FROM {table} WHERE {DUE} ORDER BY next_attempt_at LIMIT $limit;
                 {}",
                claim_statement("$due")
            ))
            .bind(("now", now))
            .bind(("lease_until", lease_until))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(1))
            .map_err(StorageError::backend)
    }

    /// Records how a round of deliveries went, in one transaction. A message sent or given up
    /// on loses its body, since the body carries the invitation's link.
    pub async fn record_deliveries(
        &self,
        outcomes: &[Delivered],
        at: Timestamp,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("at", at);
        // Sent messages, the usual case, are one statement per attempt count.
        let mut sent: BTreeMap<u32, Vec<RecordId>> = BTreeMap::new();
        for outcome in outcomes {
            if let DeliveryResult::Sent = outcome.result {
                let id = rid("outbox_message", outcome.id.as_str());
                sent.entry(outcome.attempts).or_default().push(id);
            }
        }
        for (n, (attempts, ids)) in sent.into_iter().enumerate() {
            tx.bind(&format!("sent_{n}"), ids);
            tx.bind(&format!("sent_attempts_{n}"), i64::from(attempts));
            tx.run(format!(
                "UPDATE $sent_{n} SET status = 'sent', attempts = $sent_attempts_{n}, sent_at = $at, \
                 lease_until = NONE, html = NONE, text = NONE, last_error = NONE"
            ));
        }
        for (n, outcome) in outcomes.iter().enumerate() {
            if let DeliveryResult::Sent = outcome.result {
                continue;
            }
            tx.bind(
                &format!("msg_{n}"),
                rid("outbox_message", outcome.id.as_str()),
            );
            tx.bind(&format!("attempts_{n}"), i64::from(outcome.attempts));
            match &outcome.result {
                DeliveryResult::Sent => {}
                DeliveryResult::Retry { next, error } => {
                    tx.bind(&format!("next_{n}"), *next);
                    tx.bind(&format!("error_{n}"), error.clone());
                    tx.run(format!(
                        "UPDATE $msg_{n} SET attempts = $attempts_{n}, next_attempt_at = $next_{n}, \
                         lease_until = NONE, last_error = $error_{n}"
                    ));
                }
                DeliveryResult::Failed { error } => {
                    tx.bind(&format!("error_{n}"), error.clone());
                    tx.run(format!(
                        "UPDATE $msg_{n} SET status = 'failed', attempts = $attempts_{n}, \
                         lease_until = NONE, last_error = $error_{n}, html = NONE, text = NONE"
                    ));
                }
            }
        }
        tx.commit(self).await?;
        for outcome in outcomes {
            self.counters.email(match outcome.result {
                DeliveryResult::Sent => Attempted::Delivered,
                DeliveryResult::Retry { .. } => Attempted::Retry,
                DeliveryResult::Failed { .. } => Attempted::Failed,
            });
        }
        Ok(())
    }

    /// A partner's outgoing messages, optionally only those with one status.
    pub async fn outbox_messages(
        &self,
        partner: &PartnerId,
        status: Option<OutboxStatus>,
        page: &PageRequest,
    ) -> Result<Page<OutboxMessage>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let condition = match status {
            Some(status) => {
                vars.insert("status", status.as_str());
                "partner_id = $partner AND status = $status"
            }
            None => "partner_id = $partner",
        };
        let rows: Vec<OutboxRow> = self
            .page("outbox_message", condition, vars, page, str::to_owned)
            .await?;
        let items = rows.into_iter().map(OutboxRow::into_message).collect();
        Ok(Page::from_overfetch(
            items,
            page.limit,
            |m: &OutboxMessage| m.id.as_str(),
        ))
    }

    /// Counts messages by status: (pending, sent, failed).
    pub async fn outbox_counts(&self) -> Result<(u64, u64, u64), StorageError> {
        let mut response = self
            .db
            .query(
                "RETURN array::len(SELECT VALUE id FROM outbox_message WHERE status = 'pending')",
            )
            .query("RETURN array::len(SELECT VALUE id FROM outbox_message WHERE status = 'sent')")
            .query("RETURN array::len(SELECT VALUE id FROM outbox_message WHERE status = 'failed')")
            .await
            .map_err(StorageError::backend)?;
        let mut count = |n: usize| -> Result<u64, StorageError> {
            let value: Option<i64> = response.take(n).map_err(StorageError::backend)?;
            Ok(value.unwrap_or(0).try_into().unwrap_or(0))
        };
        Ok((count(0)?, count(1)?, count(2)?))
    }
}

/// Where the latest email of an invitation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The invitation.
    pub invitation_id: InvitationId,
    /// Its latest message's status.
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// The last failure, with the mail server's reply.
    pub last_error: Option<String>,
}

impl Store {
    /// The latest email of each of these invitations (one sent per send and resend), in one
    /// query; invitations with no email are absent.
    pub async fn invitation_deliveries(
        &self,
        invitations: &[InvitationId],
    ) -> Result<Vec<Delivery>, StorageError> {
        #[derive(Debug, SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct Row {
            id: RecordId,
            invitation_id: String,
            created_at: DateTime<Utc>,
            status: String,
            attempts: i64,
            last_error: Option<String>,
        }
        if invitations.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = invitations.iter().map(ToString::to_string).collect();
        let rows: Vec<Row> = self
            .db
            .query(
                "SELECT id, invitation_id, status, attempts, last_error, created_at FROM outbox_message \
                 WHERE invitation_id IN $ids ORDER BY created_at, id",
            )
            .bind(("ids", ids))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        // Later rows are later messages: the last one per invitation wins.
        let mut latest: std::collections::BTreeMap<String, Row> = std::collections::BTreeMap::new();
        for row in rows {
            latest.insert(row.invitation_id.clone(), row);
        }
        Ok(latest
            .into_values()
            .map(|row| Delivery {
                invitation_id: InvitationId::from_trusted(row.invitation_id),
                status: OutboxStatus::parse(&row.status),
                attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
                last_error: row.last_error,
            })
            .collect())
    }
}

/// What is due in a queue at `$now`: pending, its time come, and not leased by a live worker.
const DUE: &str = "status = 'pending' AND next_attempt_at <= $now \
                   AND (lease_until = NONE OR lease_until <= $now)";

/// Leases the records listed in the parameter `ids` (chosen by a read just before) until
/// `$lease_until`, only those still pending and unleased at `$now`: one another worker claimed
/// in between is left to it. Choosing first and updating the listed records costs a fraction
/// of one `UPDATE` over the choosing subquery.
fn claim_statement(ids: &str) -> String {
    format!(
        "UPDATE {ids} SET lease_until = $lease_until \
         WHERE status = 'pending' AND (lease_until = NONE OR lease_until <= $now) \
         RETURN AFTER"
    )
}

/// A tenant with mail due: a partner, or the platform (none).
#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct TenantRow {
    partner_id: Option<String>,
}
