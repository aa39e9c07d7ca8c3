//! Webhook deliveries: the calls notification hooks asked for, written with the hook's feed
//! cursor, claimed by a delivery worker under a lease, and kept afterwards as the delivery log.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue, Variables};

use siteward_core::Timestamp;
use siteward_core::ids::{AuditEventId, PartnerId, WebhookDeliveryId};
use siteward_core::page::{Page, PageRequest};

use crate::Store;
use crate::error::StorageError;
use crate::rows::{key, rid};
use crate::stats::Attempted;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for (another) attempt.
    Pending,
    /// The target answered 2xx.
    Delivered,
    /// Given up on: refused, or out of attempts.
    Failed,
}

impl DeliveryStatus {
    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// From the stable text form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One call to a webhook target, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Its id, sent with every attempt so receivers can drop repeats.
    pub id: WebhookDeliveryId,
    /// The partner whose event it reports.
    pub partner_id: PartnerId,
    /// The hook that asked for it.
    pub plugin: String,
    /// The target's name in the operator's configuration.
    pub target: String,
    /// The audit event it follows.
    pub event_id: AuditEventId,
    /// That event's action, for example `assignment.locked`.
    pub event_kind: String,
    /// The JSON body; removed once delivered or given up on.
    pub body: Option<String>,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the hook asked for it.
    pub created_at: Timestamp,
    /// When it was delivered or given up on.
    pub finished_at: Option<Timestamp>,
}

impl WebhookDelivery {
    /// A delivery to attempt now.
    #[allow(clippy::too_many_arguments)]
    pub fn pending(
        id: WebhookDeliveryId,
        partner_id: PartnerId,
        plugin: &str,
        target: String,
        event_id: AuditEventId,
        event_kind: &str,
        body: String,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            partner_id,
            plugin: plugin.to_owned(),
            target,
            event_id,
            event_kind: event_kind.to_owned(),
            body: Some(body),
            status: DeliveryStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_status: None,
            last_error: None,
            created_at: now,
            finished_at: None,
        }
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Delivered, with the target's status.
    Delivered(u16),
    /// Failed; try again at this time.
    Retry {
        /// The target's status, if it answered.
        status: Option<u16>,
        /// Why.
        error: String,
        /// When to try again.
        next: Timestamp,
    },
    /// Failed for good.
    GaveUp {
        /// The target's status, if it answered.
        status: Option<u16>,
        /// Why.
        error: String,
    },
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct DeliveryRow {
    id: RecordId,
    partner_id: String,
    plugin: String,
    target: String,
    event_id: String,
    event_kind: String,
    body: Option<String>,
    status: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
    last_status: Option<i64>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    pub(crate) fn from_delivery(d: &WebhookDelivery) -> Self {
        Self {
            id: rid("webhook_delivery", d.id.as_str()),
            partner_id: d.partner_id.to_string(),
            plugin: d.plugin.clone(),
            target: d.target.clone(),
            event_id: d.event_id.to_string(),
            event_kind: d.event_kind.clone(),
            body: d.body.clone(),
            status: d.status.as_str().to_owned(),
            attempts: i64::from(d.attempts),
            next_attempt_at: d.next_attempt_at,
            lease_until: None,
            last_status: d.last_status.map(i64::from),
            last_error: d.last_error.clone(),
            created_at: d.created_at,
            finished_at: d.finished_at,
        }
    }

    fn into_delivery(self) -> WebhookDelivery {
        WebhookDelivery {
            id: WebhookDeliveryId::from_trusted(key(&self.id)),
            partner_id: PartnerId::from_trusted(self.partner_id),
            plugin: self.plugin,
            target: self.target,
            event_id: AuditEventId::from_trusted(self.event_id),
            event_kind: self.event_kind,
            body: self.body,
            status: DeliveryStatus::parse(&self.status).unwrap_or(DeliveryStatus::Pending),
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            next_attempt_at: self.next_attempt_at,
            last_status: self.last_status.and_then(|s| u16::try_from(s).ok()),
            last_error: self.last_error,
            created_at: self.created_at,
            finished_at: self.finished_at,
        }
    }
}

impl Store {
    /// Claims up to `limit` deliveries due at `now` for this worker until `lease_until`; one
    /// claimed by a worker that dies is due again when its lease runs out.
    pub async fn claim_due_webhooks(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>, StorageError> {
        let rows: Vec<DeliveryRow> = self
            .claim_due("webhook_delivery", now, lease_until, limit)
            .await?;
        Ok(rows.into_iter().map(DeliveryRow::into_delivery).collect())
    }

    /// Records how attempt number `attempts` ended; the body is dropped once the delivery is
    /// finished either way.
    pub async fn record_webhook_attempt(
        &self,
        id: &WebhookDeliveryId,
        attempts: u32,
        outcome: &Attempt,
        at: Timestamp,
    ) -> Result<(), StorageError> {
        let (sql, status, error, next) = match outcome {
            Attempt::Delivered(status) => (
                "status = 'delivered', finished_at = $at, body = NONE, last_error = NONE",
                Some(*status),
                None,
                None,
            ),
            Attempt::Retry {
                status,
                error,
                next,
            } => (
                "next_attempt_at = $next, last_error = $error",
                *status,
                Some(error.clone()),
                Some(*next),
            ),
            Attempt::GaveUp { status, error } => (
                "status = 'failed', finished_at = $at, body = NONE, last_error = $error",
                *status,
                Some(error.clone()),
                None,
            ),
        };
        self.db
            .query(format!(
                "UPDATE $delivery SET attempts = $attempts, last_status = $status, lease_until = NONE, {sql}"
            ))
            .bind(("delivery", rid("webhook_delivery", id.as_str())))
            .bind(("attempts", i64::from(attempts)))
            .bind(("status", status.map(i64::from)))
            .bind(("error", error))
            .bind(("next", next))
            .bind(("at", at))
            .await
            .and_then(|r| r.check())
            .map_err(StorageError::backend)?;
        self.counters.webhook(match outcome {
            Attempt::Delivered(_) => Attempted::Delivered,
            Attempt::Retry { .. } => Attempted::Retry,
            Attempt::GaveUp { .. } => Attempted::Failed,
        });
        Ok(())
    }

    /// A partner's webhook deliveries, optionally only those with one status or to one target.
    pub async fn webhook_deliveries(
        &self,
        partner: &PartnerId,
        status: Option<DeliveryStatus>,
        target: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<WebhookDelivery>, StorageError> {
        let mut vars = Variables::new();
        vars.insert("partner", partner.to_string());
        let mut condition = "partner_id = $partner".to_owned();
        if let Some(status) = status {
            vars.insert("status", status.as_str());
            condition.push_str(" AND status = $status");
        }
        if let Some(target) = target {
            vars.insert("target", target.to_owned());
            condition.push_str(" AND target = $target");
        }
        let rows: Vec<DeliveryRow> = self
            .page("webhook_delivery", &condition, vars, page, str::to_owned)
            .await?;
        let items = rows.into_iter().map(DeliveryRow::into_delivery).collect();
        Ok(Page::from_overfetch(
            items,
            page.limit,
            |d: &WebhookDelivery| d.id.as_str(),
        ))
    }
}
