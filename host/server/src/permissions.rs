//! The permission index this host answers checks from, and the ways changes reach it.
//!
//! The index is built from a storage snapshot at start. A write that changes what checks
//! read goes through [`Permissions::commit`]: it takes the write lane, commits the
//! transaction, then applies the changes — so changes reach the index in commit order and the
//! very next check sees them. Checks take a read lock on the index and never wait on I/O.
//!
//! When other hosts share the database (a SurrealDB server), each write also records its
//! changes in storage's permission change log, in its own transaction, and before a request is
//! answered [`Permissions::catch_up`] compares the log's revision with the one the index has
//! reached (one point read) and applies what other hosts committed since — so a change
//! committed through any host is respected by every host's next request.

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use siteward_core::permission::index::{Change, Index};
use siteward_storage::{StorageError, Store};

/// Logged revisions read per round of catching up.
const CATCH_UP_BATCH: u32 = 500;

/// The index and its write lane.
#[derive(Debug)]
pub struct Permissions {
    index: RwLock<Index>,
    lane: tokio::sync::Mutex<()>,
    /// Whether other hosts write to the same database.
    shared: bool,
    /// The change log's revision the index has caught up with.
    revision: AtomicI64,
}

impl Permissions {
    /// Builds the index from what `store` holds; `shared` when other hosts write there too.
    pub async fn load(store: &Store, shared: bool) -> Result<Self, StorageError> {
        let snapshot = store.permission_snapshot().await?;
        Ok(Self {
            index: RwLock::new(Index::from_changes(snapshot.changes)),
            lane: tokio::sync::Mutex::new(()),
            shared,
            revision: AtomicI64::new(snapshot.revision),
        })
    }

    /// The index, for reading. Hold it for one request's questions, never across an await.
    pub fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits `write`, then applies `changes` to the index; nothing is applied if the
    /// write fails. Writes through here are serialised, so the index sees them in the order
    /// storage committed them. With a shared database, the write's transactions also log the
    /// changes for the other hosts.
    pub async fn commit<T>(
        &self,
        write: impl Future<Output = Result<T, StorageError>>,
        changes: impl IntoIterator<Item = Change>,
    ) -> Result<T, StorageError> {
        let changes: Vec<Change> = changes.into_iter().collect();
        let _lane = self.lane.lock().await;
        let value = if self.shared {
            siteward_storage::logging(&changes, write).await?
        } else {
            write.await?
        };
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        for change in changes {
            index.apply(change);
        }
        Ok(value)
    }

    /// Applies what other hosts committed since the index last caught up (nothing to do
    /// when the database is this host's alone). The log is replayed in commit order — this
    /// host's own changes included, which is harmless: a change carries the whole new state of
    /// its record. When the revisions needed were already pruned, the index is rebuilt.
    pub async fn catch_up(&self, store: &Store) -> Result<(), StorageError> {
        if !self.shared {
            return Ok(());
        }
        let latest = store.access_revision().await?;
        if latest <= self.revision.load(Ordering::Acquire) {
            return Ok(());
        }
        let _lane = self.lane.lock().await;
        while self.revision.load(Ordering::Acquire) < latest {
            let seen = self.revision.load(Ordering::Acquire);
            let logged = store.access_changes_since(seen, CATCH_UP_BATCH).await?;
            if logged
                .first()
                .is_none_or(|first| first.revision != seen + 1)
            {
                tracing::info!(
                    seen,
                    latest,
                    "the permission change log no longer reaches back to this host's index; rebuilding it"
                );
                let snapshot = store.permission_snapshot().await?;
                *self.index.write().unwrap_or_else(PoisonError::into_inner) =
                    Index::from_changes(snapshot.changes);
                self.revision.store(snapshot.revision, Ordering::Release);
                break;
            }
            let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
            for entry in logged {
                for change in entry.changes {
                    index.apply(change);
                }
                self.revision.store(entry.revision, Ordering::Release);
            }
        }
        Ok(())
    }
}
