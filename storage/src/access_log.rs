//! The permission change log: how hosts sharing one database keep their permission indexes in
//! step.
//!
//! A host applies the changes of its own writes to its index as it commits them; what other
//! hosts commit reaches it through this log. [`logging`] runs a write together with the
//! [`Change`]s it makes: every transaction that write commits raises `access_revision:current`
//! and records the changes under the new revision, in the same transaction — so a change is in
//! the log exactly when it is in storage, and the counter puts the log in commit order (two
//! writers conflict on it, and the loser is retried like any raced transaction).
//! [`Store::access_revision`] is one point read: a host compares it with the revision its index
//! has reached before it answers, and reads what it missed with [`Store::access_changes_since`].

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use siteward_core::permission::index::Change;
use surrealdb::types::SurrealValue;

use crate::Store;
use crate::error::StorageError;

tokio::task_local! {
    /// The changes of the write being run by [`logging`], as the JSON the log stores.
    static PENDING: Arc<str>;
}

/// Runs `write`, recording `changes` in the log with every transaction it commits.
pub async fn logging<T>(changes: &[Change], write: impl Future<Output = T>) -> T {
    if changes.is_empty() {
        return write.await;
    }
    let json = serde_json::to_string(changes).expect("permission changes serialize");
    PENDING.scope(json.into(), write).await
}

/// The statements a transaction run under [`logging`] ends with, and the JSON they bind as
/// `$access_changes` (with `$access_at`, when it was written: this machine's time, which is
/// what pruning compares with — the log is infrastructure, not the product's clock).
pub(crate) fn pending() -> Option<(Arc<str>, [&'static str; 2])> {
    PENDING.try_with(Clone::clone).ok().map(|json| {
        (
            json,
            [
                "LET $access_revision = (UPSERT ONLY access_revision:current \
                 SET revision = (revision ?? 0) + 1 RETURN VALUE revision)",
                "CREATE access_change SET revision = $access_revision, \
                 changes = $access_changes, at = $access_at",
            ],
        )
    })
}

/// Changes that bring a permission index to a revision: one logged write's, or a whole
/// snapshot's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessChanges {
    /// The revision the index is at once they are applied.
    pub revision: i64,
    /// What they changed.
    pub changes: Vec<Change>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct ChangeRow {
    revision: i64,
    changes: String,
}

impl Store {
    /// The revision the log has reached: 0 before any logged write.
    pub async fn access_revision(&self) -> Result<i64, StorageError> {
        self.revision_of("access_revision").await
    }

    /// Up to `limit` logged revisions after `revision`, in order. The first is not
    /// `revision + 1` when the ones between were pruned: the reader must rebuild.
    pub async fn access_changes_since(
        &self,
        revision: i64,
        limit: u32,
    ) -> Result<Vec<AccessChanges>, StorageError> {
        let rows: Vec<ChangeRow> = self
            .db
            .query(
                "SELECT revision, changes FROM access_change WHERE revision > $revision \
                 ORDER BY revision LIMIT $limit",
            )
            .bind(("revision", revision))
            .bind(("limit", i64::from(limit)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        rows.into_iter()
            .map(|row| {
                let changes = serde_json::from_str(&row.changes).map_err(|e| {
                    StorageError::Invalid(format!(
                        "permission change log revision {} is unreadable: {e}",
                        row.revision
                    ))
                })?;
                Ok(AccessChanges {
                    revision: row.revision,
                    changes,
                })
            })
            .collect()
    }

    /// Drops logged changes recorded more than `older_than` ago (a host that has not read
    /// them by then rebuilds its index from storage instead).
    pub async fn prune_access_changes(&self, older_than: Duration) -> Result<(), StorageError> {
        let before = chrono::Utc::now()
            - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::MAX);
        self.db
            .query("DELETE access_change WHERE at < $before")
            .bind(("before", before))
            .await
            .and_then(|r| r.check())
            .map_err(StorageError::backend)?;
        Ok(())
    }
}
