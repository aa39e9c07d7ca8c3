//! The permission index this host answers checks from, and the ways changes reach it.
//!
//! The index is built from a storage snapshot at start. A write that changes what checks
//! read goes through [`Permissions::commit`], which runs the write and the index update in a
//! task of its own: it takes the write lane, commits the transaction, then applies the
//! changes — so changes reach the index in commit order, the very next check sees them, and
//! nothing the caller does can come between a commit and its index update. axum drops a
//! handler's future when the client goes away, a timeout layer drops it when time runs out,
//! and a caller may panic; the task is not the caller's future, so it runs on regardless.
//! Checks take a read lock on the index and never wait on I/O.
//!
//! When other hosts share the database (a SurrealDB server), each write also records its
//! changes in storage's permission change log, in its own transaction, and before a request is
//! answered [`Permissions::catch_up`] compares the log's revision with the one the index has
//! reached (one point read) and applies what other hosts committed since — so a change
//! committed through any host is respected by every host's next request. Requests that arrive
//! together share that read ([`crate::coalesce`]): one read in flight at a time, each serving
//! every request that arrived before it started.

use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use siteward_core::permission::index::{Change, Index};
use siteward_storage::{StorageError, Store};
use tracing::Instrument;

use crate::coalesce::Coalesced;

/// Logged revisions read per round of catching up.
const CATCH_UP_BATCH: u32 = 500;

/// The index and its write lane; cheap to clone (every clone is the same index).
#[derive(Debug, Clone)]
pub struct Permissions(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    index: RwLock<Index>,
    lane: tokio::sync::Mutex<()>,
    /// Whether other hosts write to the same database.
    shared: bool,
    /// The change log's revision the index has caught up with.
    revision: AtomicI64,
    /// The change log's latest revision, read once for the requests that ask together.
    latest: Arc<Coalesced<i64>>,
    /// Writes started through [`Permissions::commit`] whose task has not ended yet.
    in_flight: AtomicUsize,
    /// Told each time such a task ends.
    settled: tokio::sync::Notify,
}

/// An index built from what `store` holds, a page of facts at a time, and the change log's
/// revision it stands at.
async fn read_index(store: &Store) -> Result<(Index, i64), StorageError> {
    let mut index = Index::default();
    let revision = store
        .permission_facts(siteward_storage::FACTS_PER_PAGE, |changes| {
            for change in changes {
                index.apply(change);
            }
        })
        .await?;
    Ok((index, revision))
}

impl Permissions {
    /// Builds the index from what `store` holds; `shared` when other hosts write there too.
    pub async fn load(store: &Store, shared: bool) -> Result<Self, StorageError> {
        let (index, revision) = read_index(store).await?;
        let reader = store.clone();
        let latest = Coalesced::new(Box::new(move || {
            let store = reader.clone();
            Box::pin(async move {
                store.access_revision().await.map_err(|error| match error {
                    StorageError::Backend(cause) => cause.to_string(),
                    other => other.to_string(),
                })
            })
        }));
        Ok(Self(Arc::new(Inner {
            store: store.clone(),
            index: RwLock::new(index),
            lane: tokio::sync::Mutex::new(()),
            shared,
            revision: AtomicI64::new(revision),
            latest,
            in_flight: AtomicUsize::new(0),
            settled: tokio::sync::Notify::new(),
        })))
    }

    /// The change log's revision the index has caught up with (without other hosts the log
    /// is not kept and the revision stays where it was).
    pub fn revision(&self) -> i64 {
        self.0.revision.load(Ordering::Acquire)
    }

    /// Whether other hosts write to the same database (a SurrealDB server).
    pub fn is_shared(&self) -> bool {
        self.0.shared
    }

    /// How many times this host has read the change log's latest revision (on shared storage,
    /// at most once per request; fewer when requests arrive together).
    pub fn revision_reads(&self) -> u64 {
        self.0.latest.reads_made()
    }

    /// The index, for reading. Hold it for one request's questions, never across an await.
    pub fn read(&self) -> RwLockReadGuard<'_, Index> {
        self.0.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits `write` (given the store), then applies `changes` to the index; nothing is
    /// applied if the write fails. Writes through here are serialised, so the index sees them
    /// in the order storage committed them. With a shared database, the write's transactions
    /// also log the changes for the other hosts.
    ///
    /// The write and the index update run in a task of their own, which the caller only
    /// waits for: if the caller's future is dropped (the client went away, a timeout) the
    /// task still finishes, so a committed change always reaches the index. If the write
    /// panics, whether it committed is unknown; the index is then rebuilt from storage before
    /// the panic reaches the caller.
    pub async fn commit<T, W, F>(
        &self,
        changes: impl IntoIterator<Item = Change>,
        write: W,
    ) -> Result<T, StorageError>
    where
        W: FnOnce(Store) -> F + Send + 'static,
        F: Future<Output = Result<T, StorageError>> + Send + 'static,
        T: Send + 'static,
    {
        let changes: Vec<Change> = changes.into_iter().collect();
        // Building the future runs nothing yet: it starts in the task.
        let write = write(self.0.store.clone());
        let this = self.clone();
        this.0.in_flight.fetch_add(1, Ordering::AcqRel);
        detached(async move {
            // Counted down however the task ends, a panic included.
            let _settle = Settle(&this.0);
            this.write_then_apply(changes, write).await
        })
        .await
    }

    /// The body of [`Permissions::commit`]'s task.
    async fn write_then_apply<T, F>(
        &self,
        changes: Vec<Change>,
        write: F,
    ) -> Result<T, StorageError>
    where
        F: Future<Output = Result<T, StorageError>> + Send + 'static,
        T: Send + 'static,
    {
        let _lane = self.0.lane.lock().await;
        let shared = self.0.shared;
        // The write runs in a task of its own so that a panic inside it is seen here, with
        // the lane still held, and answered by a rebuild.
        let written = tokio::spawn(
            async move {
                let result = if shared {
                    siteward_storage::logging(&changes, write).await
                } else {
                    write.await
                };
                (changes, result)
            }
            .in_current_span(),
        )
        .await;
        let (changes, result) = match written {
            Ok(written) => written,
            Err(ended) => {
                tracing::error!(
                    "a permission write ended abnormally; rebuilding the permission index from storage"
                );
                if let Err(error) = self.rebuild().await {
                    tracing::error!(%error, "rebuilding the permission index failed");
                }
                if ended.is_panic() {
                    std::panic::resume_unwind(ended.into_panic());
                }
                return Err(shutting_down());
            }
        };
        let value = result?;
        let mut index = self.0.index.write().unwrap_or_else(PoisonError::into_inner);
        for change in changes {
            index.apply(change);
        }
        Ok(value)
    }

    /// Replaces the index with one built from what storage holds now. The caller holds the lane.
    async fn rebuild(&self) -> Result<(), StorageError> {
        let (index, revision) = read_index(&self.0.store).await?;
        *self.0.index.write().unwrap_or_else(PoisonError::into_inner) = index;
        self.0.revision.store(revision, Ordering::Release);
        Ok(())
    }

    /// Waits until every write started through [`Permissions::commit`] so far has ended —
    /// committed and applied, or failed — including those whose caller stopped waiting.
    pub async fn settled(&self) {
        loop {
            let notified = self.0.settled.notified();
            if self.0.in_flight.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Applies what other hosts committed since the index last caught up (nothing to do
    /// when the database is this host's alone). The log is replayed in commit order — this
    /// host's own changes included, which is harmless: a change carries the whole new state of
    /// its record. When the revisions needed were already pruned, the index is rebuilt.
    ///
    /// Dropping this future at any await leaves the index at a revision it fully reached.
    pub async fn catch_up(&self) -> Result<(), StorageError> {
        let inner = &self.0;
        if !inner.shared {
            return Ok(());
        }
        let latest = inner
            .latest
            .get()
            .await
            .map_err(|cause| StorageError::Backend(cause.into()))?;
        if latest <= inner.revision.load(Ordering::Acquire) {
            return Ok(());
        }
        let _lane = inner.lane.lock().await;
        while inner.revision.load(Ordering::Acquire) < latest {
            let seen = inner.revision.load(Ordering::Acquire);
            let logged = inner
                .store
                .access_changes_since(seen, CATCH_UP_BATCH)
                .await?;
            if logged
                .first()
                .is_none_or(|first| first.revision != seen + 1)
            {
                tracing::info!(
                    seen,
                    latest,
                    "the permission change log no longer reaches back to this host's index; rebuilding it"
                );
                self.rebuild().await?;
                break;
            }
            let mut index = inner.index.write().unwrap_or_else(PoisonError::into_inner);
            for entry in logged {
                for change in entry.changes {
                    index.apply(change);
                }
                inner.revision.store(entry.revision, Ordering::Release);
            }
        }
        Ok(())
    }
}

/// Runs `work` to its end in a task of its own and waits for it. Dropping the returned future
/// (a client that went away, a timeout) does not stop the work — which is the point: work that
/// must follow a commit cannot live in a request's future. A panic in the work reaches the
/// caller as a panic.
pub async fn detached<T: Send + 'static>(
    work: impl Future<Output = Result<T, StorageError>> + Send + 'static,
) -> Result<T, StorageError> {
    // In the caller's span: the work is still the request's in its trace.
    match tokio::spawn(work.in_current_span()).await {
        Ok(result) => result,
        Err(ended) if ended.is_panic() => std::panic::resume_unwind(ended.into_panic()),
        // Only a runtime shutting down cancels a task.
        Err(_) => Err(shutting_down()),
    }
}

fn shutting_down() -> StorageError {
    StorageError::Backend(
        "the host is shutting down; the write may or may not have been committed".into(),
    )
}

/// Counts a [`Permissions::commit`] task out when it ends, however it ends.
struct Settle<'a>(&'a Inner);

impl Drop for Settle<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
        self.0.settled.notify_waiters();
    }
}
