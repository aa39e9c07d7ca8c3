//! Siteward's storage: the only crate that names SurrealDB.
//!
//! One connection type (`Surreal<Any>`) serves every deployment; the URL picks the engine:
//! `surrealkv://PATH` (the embedded default), `mem://` (tests) or `ws://HOST:PORT` (a SurrealDB
//! server shared by several hosts). Every change that touches more than one record, its audit
//! event included, is written as one transaction ([`tx::Tx`]). SurrealDB failures are
//! classified here into [`StorageError`]; nothing above this crate sees SurrealDB's errors.

mod access_log;
mod access_requests;
mod accounts;
mod audit;
mod backup;
mod digests;
mod directory;
mod error;
mod feeds;
mod identity;
mod invitations;
mod licences;
mod migrate;
mod outbox;
mod permissions;
mod plugins;
mod reviews;
mod rows;
mod security;
mod sinks;
mod stats;
mod tenancy;
#[cfg(feature = "test-server")]
pub mod test_server;
mod throttle;
mod tokens;
mod tx;
mod webhooks;

use surrealdb::Surreal;
use surrealdb::engine::any::Any;

pub use access_log::{AccessChanges, logging};
pub use access_requests::{AssignmentWrite, GrantWrite, RequestWrite};
pub use accounts::{Credentials, NewAccount, PasswordReset, SessionRecord, SignInChallenge};
pub use audit::{ChainReport, Retention};
pub use digests::{DigestItem, DigestKey};
pub use directory::SyncWrite;
pub use error::{Conflict, StorageError};
pub use feeds::{FeedCursors, FeedOutput, VolumeKey};
pub use identity::ClaimedDomain;
pub use invitations::{
    Acceptance, IdempotencyRecord, InvitationScope, NewInvitation, TeamInvitationFilter,
};
pub use licences::LicenceUse;
pub use migrate::MIGRATIONS;
pub use outbox::{Delivered, Delivery, OutboxMessage, OutboxStatus};
pub use permissions::{FACTS_PER_PAGE, MemberAccess};
pub use plugins::{BindingScope, InstalledPlugin, PluginBinding, PluginHealth, PluginState};
pub use reviews::{AccessChange, ReviewWrite};
pub use sinks::{SinkBatch, SinkState};
pub use stats::{Attempts, Backlog, StoreStats};
pub use tenancy::{MemberFilter, MemberRecord, PersonResolution, SiteAdminRecord};
pub use tokens::{ApiToken, ApiTokenScopeFilter};
pub use webhooks::{Attempt, DeliveryStatus, WebhookDelivery};

/// Where the data lives and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// `surrealkv://PATH`, `mem://` or `ws://HOST:PORT`.
    pub url: String,
    /// The SurrealDB namespace.
    pub namespace: String,
    /// The SurrealDB database.
    pub database: String,
    /// Root credentials for a SurrealDB server; unused by the embedded engines.
    pub credentials: Option<(String, String)>,
}

impl StoreConfig {
    /// A fresh in-memory database: what every test starts from.
    pub fn memory() -> Self {
        Self {
            url: "mem://".to_owned(),
            namespace: "siteward".to_owned(),
            database: "siteward".to_owned(),
            credentials: None,
        }
    }
}

/// A handle on the database. Cheap to clone; clones share the connection and its session.
#[derive(Debug, Clone)]
pub struct Store {
    /// Shared, never cloned itself: a clone of a `Surreal` handle is a new session, which on a
    /// SurrealDB server replays the sign-in — the server verifies the root password (argon2)
    /// again — and costs the server a session for as long as the clone lives.
    db: std::sync::Arc<Surreal<Any>>,
    /// The embedded engine's folder (`surrealkv://`), which [`Store::closed`] watches.
    folder: Option<std::sync::Arc<std::path::Path>>,
    /// Serialises this process's login claims per address (see `throttle`).
    login_lanes: std::sync::Arc<throttle::Lanes>,
    /// What this store did since it was opened (see `stats`).
    counters: std::sync::Arc<stats::Counters>,
}

impl Store {
    /// Connects, signs in where the engine needs it, and selects the namespace and database.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(config: &StoreConfig) -> Result<Self, StorageError> {
        let db = surrealdb::engine::any::connect(config.url.as_str())
            .await
            .map_err(StorageError::backend)?;
        if let Some((username, password)) = &config.credentials {
            db.signin(surrealdb::opt::auth::Root {
                username: username.clone(),
                password: password.clone(),
            })
            .await
            .map_err(StorageError::backend)?;
        }
        db.use_ns(config.namespace.as_str())
            .use_db(config.database.as_str())
            .await
            .map_err(StorageError::backend)?;
        let folder = config.url.strip_prefix("surrealkv://").map(|rest| {
            std::sync::Arc::from(std::path::Path::new(rest.split('?').next().unwrap_or(rest)))
        });
        Ok(Self {
            db: std::sync::Arc::new(db),
            folder,
            login_lanes: std::sync::Arc::default(),
            counters: std::sync::Arc::default(),
        })
    }

    /// Connects and applies pending migrations: what a host does at start.
    pub async fn open(config: &StoreConfig) -> Result<Self, StorageError> {
        let store = Self::connect(config).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// The database handle itself, for measuring the engine beside the product's code
    /// (`siteward-bench`). Nothing in the host uses it.
    #[cfg(feature = "raw")]
    pub fn surreal(&self) -> &Surreal<Any> {
        &self.db
    }

    /// Runs `sql` with `$chain` bound, behind the host's back: tests tamper with a stored
    /// audit chain this way. Panics if the statement fails.
    #[cfg(feature = "raw")]
    pub async fn tamper_with_chain(&self, chain: &str, sql: &str) {
        self.db
            .query(sql)
            .bind(("chain", chain.to_owned()))
            .await
            .and_then(|r| r.check())
            .expect("the tampering statement runs");
    }

    /// A counter's value (`<table>:current`'s `revision`): 0 before it was first raised.
    async fn revision_of(&self, table: &str) -> Result<i64, StorageError> {
        let revision: Option<i64> = self
            .db
            .query("SELECT VALUE revision FROM ONLY $counter")
            .bind(("counter", rows::rid(table, "current")))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(revision.unwrap_or(0))
    }

    /// A way to wait until the database is closed, once this handle and every clone of it
    /// are dropped.
    ///
    /// The embedded engine closes the database when its last handle goes: it writes what it
    /// holds in memory to its sorted tables and lets go of the folder's lock. A host that
    /// exits before that has left its data only in the write-ahead log, and its next start
    /// replays the whole log before it can read a row (at 100,000 assignments, a start of
    /// 2.5 s against 1.1 s). A stopping host therefore drops its state and waits for this.
    pub fn closed(&self) -> Closed {
        Closed {
            folder: self.folder.clone(),
        }
    }

    /// Whether the database answers; used by the readiness probe.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.db
            .query("RETURN true")
            .await
            .map_err(StorageError::backend)?
            .check()
            .map_err(StorageError::backend)?;
        Ok(())
    }
}

/// Waits for the embedded engine to close its database (see [`Store::closed`]).
#[derive(Debug)]
pub struct Closed {
    folder: Option<std::sync::Arc<std::path::Path>>,
}

impl Closed {
    /// Waits up to `within` for the database to be closed; whether it was. Always true for
    /// engines with nothing to close here (`mem://`, a SurrealDB server).
    ///
    /// Closed means the engine has released the folder's lock (an OS file lock, the last
    /// step of its close), so this tries to take that lock, and lets go of it at once.
    pub async fn wait(self, within: std::time::Duration) -> bool {
        let Some(folder) = self.folder else {
            return true;
        };
        let lock = folder.join("LOCK");
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let free = match std::fs::File::open(&lock) {
                Ok(file) => file.try_lock().is_ok(),
                // No lock file (the engine never opened the folder), or one this process may
                // not open: nothing here to wait on.
                Err(_) => true,
            };
            if free {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}
