//! The permission index this host answers checks from, and the one way writes reach it.
//!
//! The index is built from a storage snapshot at start. A write that changes what checks
//! read goes through [`Permissions::commit`]: it takes the write lane, commits the
//! transaction, then applies the changes — so changes reach the index in commit order and the
//! very next check sees them. Checks take a read lock on the index and never wait on I/O.

use std::future::Future;
use std::sync::{PoisonError, RwLock, RwLockReadGuard};

use siteward_core::permission::index::{Change, Index};
use siteward_storage::{StorageError, Store};

/// The index and its write lane.
#[derive(Debug)]
pub struct Permissions {
    index: RwLock<Index>,
    lane: tokio::sync::Mutex<()>,
}

impl Permissions {
    /// Builds the index from what `store` holds.
    pub async fn load(store: &Store) -> Result<Self, StorageError> {
        let changes = store.permission_snapshot().await?;
        Ok(Self {
            index: RwLock::new(Index::from_changes(changes)),
            lane: tokio::sync::Mutex::new(()),
        })
    }

    /// The index, for reading. Hold it for one request's questions, never across an await.
    pub fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits `write`, then applies `changes` to the index; nothing is applied if the
    /// write fails. Writes through here are serialised, so the index sees them in the order
    /// storage committed them.
    pub async fn commit<T>(
        &self,
        write: impl Future<Output = Result<T, StorageError>>,
        changes: impl IntoIterator<Item = Change>,
    ) -> Result<T, StorageError> {
        let _lane = self.lane.lock().await;
        let value = write.await?;
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        for change in changes {
            index.apply(change);
        }
        Ok(value)
    }
}
