//! Notification digests: emails a hook asked for, held per hook, partner and recipient until
//! the window of the oldest has passed, then replaced by one email in one transaction.

use chrono::{DateTime, Utc};
use surrealdb::types::{RecordId, SurrealValue};

use siteward_core::Timestamp;
use siteward_core::ids::{DigestItemId, PartnerId};

use crate::Store;
use crate::error::{Conflict, StorageError};
use crate::outbox::{OutboxMessage, OutboxRow};
use crate::rows::{key, rid};
use crate::tx::Tx;

/// One notification waiting for its recipient's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestItem {
    /// Its id; ids sort in the order items were held.
    pub id: DigestItemId,
    /// The hook that asked for it.
    pub consumer: String,
    /// The partner it concerns.
    pub partner_id: PartnerId,
    /// The recipient's address.
    pub recipient: String,
    /// The email's subject.
    pub subject: String,
    /// The email's text.
    pub text: String,
    /// When it was held.
    pub created_at: Timestamp,
    /// When its window ends: the digest holding it goes out then, at the latest.
    pub due_at: Timestamp,
}

/// Whose digest is due: a hook, a partner, a recipient.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DigestKey {
    /// The hook.
    pub consumer: String,
    /// The partner.
    pub partner_id: PartnerId,
    /// The recipient.
    pub recipient: String,
}

#[derive(Debug, Clone, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
pub(crate) struct DigestRow {
    id: RecordId,
    consumer: String,
    partner_id: String,
    recipient: String,
    subject: String,
    text: String,
    created_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
}

impl DigestRow {
    pub(crate) fn from_item(item: &DigestItem) -> Self {
        Self {
            id: rid("digest_item", item.id.as_str()),
            consumer: item.consumer.clone(),
            partner_id: item.partner_id.to_string(),
            recipient: item.recipient.clone(),
            subject: item.subject.clone(),
            text: item.text.clone(),
            created_at: item.created_at,
            due_at: item.due_at,
        }
    }

    fn into_item(self) -> DigestItem {
        DigestItem {
            id: DigestItemId::from_trusted(key(&self.id)),
            consumer: self.consumer,
            partner_id: PartnerId::from_trusted(self.partner_id),
            recipient: self.recipient,
            subject: self.subject,
            text: self.text,
            created_at: self.created_at,
            due_at: self.due_at,
        }
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct KeyRow {
    consumer: String,
    partner_id: String,
    recipient: String,
}

impl Store {
    /// The digests with an item whose window has ended at `now`.
    pub async fn due_digests(&self, now: Timestamp) -> Result<Vec<DigestKey>, StorageError> {
        let rows: Vec<KeyRow> = self
            .db
            .query(
                "SELECT consumer, partner_id, recipient FROM digest_item WHERE due_at <= $now \
                 GROUP BY consumer, partner_id, recipient",
            )
            .bind(("now", now))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows
            .into_iter()
            .map(|row| DigestKey {
                consumer: row.consumer,
                partner_id: PartnerId::from_trusted(row.partner_id),
                recipient: row.recipient,
            })
            .collect())
    }

    /// Every item held for a digest, oldest first.
    pub async fn digest_items(&self, digest: &DigestKey) -> Result<Vec<DigestItem>, StorageError> {
        let rows: Vec<DigestRow> = self
            .db
            .query(
                "SELECT * FROM digest_item WHERE consumer = $consumer AND partner_id = $partner \
                 AND recipient = $recipient ORDER BY id",
            )
            .bind(("consumer", digest.consumer.clone()))
            .bind(("partner", digest.partner_id.to_string()))
            .bind(("recipient", digest.recipient.clone()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows.into_iter().map(DigestRow::into_item).collect())
    }

    /// Replaces `items` with the one `email` that sums them up. Fails with
    /// [`Conflict::Concurrent`] when another host sent any of them meanwhile; nothing is
    /// written then.
    pub async fn send_digest(
        &self,
        items: &[DigestItemId],
        email: &OutboxMessage,
    ) -> Result<(), StorageError> {
        let ids: Vec<RecordId> = items
            .iter()
            .map(|id| rid("digest_item", id.as_str()))
            .collect();
        let mut tx = Tx::new();
        tx.bind("items", ids)
            .bind("count", items.len() as i64)
            .bind("email", OutboxRow::from_message(email))
            .guard(
                "IF array::len((SELECT VALUE id FROM $items)) != $count { THROW 'taken' }",
                Conflict::Concurrent,
            )
            .run("DELETE $items")
            .run("INSERT INTO outbox_message $email");
        tx.commit(self).await
    }
}
