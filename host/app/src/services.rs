//! What every use case works with: storage, the clock, ids and randomness, the permission
//! index, the plugins, and the wake-ups of the delivery workers.

use std::sync::Arc;

use siteward_core::access::AccountPrincipal;
use siteward_core::account::LockoutPolicy;
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange};
use siteward_core::ids::{AuditEventId, IdGenerator, PartnerId, SiteId};
use siteward_core::mail::{BuiltinRenderer, InvitationRenderer};
use siteward_core::{Clock, Timestamp};
use siteward_storage::{StorageError, Store};

use crate::permissions::{Permissions, detached};
use crate::plugins::PluginHost;

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// Fills an array from the operating system's random source. A failing random source leaves
/// no safe way to mint secrets, so it stops the process.
pub fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// Login and session settings, in domain units.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// How long a session lasts.
    pub session_ttl: chrono::Duration,
    /// When failed logins lock an account.
    pub lockout: LockoutPolicy,
    /// Failed logins per client address per minute (counted by each frontend).
    pub max_failures_per_address: u32,
    /// How long a host trusts an API token it found unrevoked before asking the database again.
    pub api_token_cache: chrono::Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_ttl: chrono::Duration::hours(12),
            lockout: LockoutPolicy {
                max_failures: 5,
                lockout: chrono::Duration::minutes(15),
            },
            max_failures_per_address: 30,
            api_token_cache: chrono::Duration::seconds(2),
        }
    }
}

/// The audit trail's settings.
#[derive(Clone, Default)]
pub struct AuditSettings {
    /// Signs retention checkpoints and checks them when a chain is verified.
    pub checkpoint_key: Option<Arc<[u8]>>,
    /// How long events are kept; `None` keeps them all.
    pub retention: Option<chrono::Duration>,
}

impl std::fmt::Debug for AuditSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSettings")
            .field("checkpoint_key", &self.checkpoint_key.as_ref().map(|_| "…"))
            .field("retention", &self.retention)
            .finish()
    }
}

/// What the host is configured with, in domain units.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Logins and sessions.
    pub auth: AuthSettings,
    /// The address people reach this host at; invitation links start with it.
    pub public_url: String,
    /// The right part of every Message-ID.
    pub message_id_domain: String,
    /// The plugin runtime (one per process).
    pub plugin_runtime: siteward_plugins::Runtime,
    /// Consecutive failed calls that quarantine a plugin for a partner.
    pub quarantine_after: u32,
    /// Whom notification hooks may write to, how much, and how many partners at once.
    pub hooks: crate::plugins::hooks::HookSettings,
    /// The audit trail's checkpoint key and retention.
    pub audit: AuditSettings,
    /// Whether other hosts write to the same database (a SurrealDB server): this host then
    /// logs its permission changes for them and follows theirs before every request.
    pub shared_storage: bool,
    /// How the host reaches identity providers; the frontend gives one (the app speaks no
    /// HTTP). Without one, single sign-on answers that no provider is reachable.
    pub identity: Arc<dyn crate::identity::ProviderTransport>,
}

impl Settings {
    /// Settings for tests and tools: defaults everywhere, and a plugin runtime shared by
    /// every state of the process made this way.
    pub fn defaults() -> Self {
        static RUNTIME: std::sync::OnceLock<siteward_plugins::Runtime> = std::sync::OnceLock::new();
        let runtime = RUNTIME.get_or_init(|| {
            siteward_plugins::Runtime::new(siteward_plugins::RuntimeConfig {
                concurrency: 8,
                ..siteward_plugins::RuntimeConfig::default()
            })
            .expect("the plugin engine starts")
        });
        Self {
            auth: AuthSettings::default(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            message_id_domain: "siteward.localhost".to_owned(),
            plugin_runtime: runtime.clone(),
            quarantine_after: 5,
            hooks: crate::plugins::hooks::HookSettings::default(),
            audit: AuditSettings::default(),
            shared_storage: false,
            identity: Arc::new(crate::identity::NoTransport),
        }
    }
}

/// The application: every use case is a method or function over it. Cheap to clone (every
/// clone is the same application).
#[derive(Debug, Clone)]
pub struct App(Arc<Services>);

/// What [`App`] holds.
pub struct Services {
    /// The database.
    pub store: Store,
    /// The clock; tests move it.
    pub clock: Arc<dyn Clock>,
    /// Login and session settings.
    pub auth: AuthSettings,
    /// Where invitation links point.
    pub public_url: String,
    /// The right part of every Message-ID.
    pub message_id_domain: String,
    /// Renders invitation emails when no plugin does, or when one fails.
    pub renderer: Arc<dyn InvitationRenderer>,
    /// The WebAssembly plugins this host runs.
    pub plugins: Arc<PluginHost>,
    /// The permission index every check reads.
    pub permissions: Permissions,
    /// Wakes the delivery worker when a transaction has written outgoing mail.
    pub mail_ready: tokio::sync::Notify,
    /// Wakes the webhook worker when a transaction has queued webhook calls.
    pub webhooks_ready: tokio::sync::Notify,
    /// The audit trail's checkpoint key and retention.
    pub audit: AuditSettings,
    /// Whom notification hooks may write to, how much, and how many partners at once.
    pub hooks: crate::plugins::hooks::HookSettings,
    /// How the host reaches identity providers (single sign-on).
    pub identity: Arc<dyn crate::identity::ProviderTransport>,
    ids: std::sync::Mutex<IdGenerator>,
    /// Checks answered on this host, by reason (indexed as `Reason::CODES`).
    checks: [std::sync::atomic::AtomicU64; 16],
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("store", &self.store)
            .field("auth", &self.auth)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for App {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

impl App {
    /// The application over a store, with a clock and settings. Builds the permission index
    /// and loads the installed plugins from the store.
    pub async fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Result<Self, StorageError> {
        let permissions = Permissions::load(&store, settings.shared_storage).await?;
        let plugins = Arc::new(PluginHost::new(
            settings.plugin_runtime,
            settings.quarantine_after,
        ));
        plugins.reload(&store).await?;
        Ok(Self(Arc::new(Services {
            plugins,
            permissions,
            store,
            clock,
            auth: settings.auth,
            public_url: settings.public_url.trim_end_matches('/').to_owned(),
            message_id_domain: settings.message_id_domain,
            renderer: Arc::new(BuiltinRenderer),
            mail_ready: tokio::sync::Notify::new(),
            webhooks_ready: tokio::sync::Notify::new(),
            audit: settings.audit,
            hooks: settings.hooks,
            identity: settings.identity,
            ids: std::sync::Mutex::default(),
            checks: Default::default(),
        })))
    }

    /// Runs `write`, which queues outgoing mail, to its end in a task of its own, and wakes
    /// the delivery worker when it committed — even if the caller stops waiting (a frontend
    /// may drop a use case's future when its client goes away), so queued mail never waits
    /// for the worker's next poll.
    pub async fn queue_mail<F>(
        &self,
        write: impl FnOnce(Store) -> F + Send + 'static,
    ) -> Result<(), StorageError>
    where
        F: std::future::Future<Output = Result<(), StorageError>> + Send + 'static,
    {
        let app = self.clone();
        detached(async move {
            write(app.store.clone()).await?;
            app.mail_ready.notify_one();
            Ok(())
        })
        .await
    }

    /// Brings the permission index up to what other hosts committed (nothing to do on
    /// embedded storage). Every frontend calls this before it answers a request: an index that
    /// cannot catch up answers nothing, rather than a decision from stale facts.
    pub async fn catch_up(&self) -> crate::AppResult<()> {
        self.permissions.catch_up().await.map_err(|error| {
            tracing::error!(%error, "the permission index could not catch up with storage");
            crate::AppError::unavailable(
                "storage_unavailable",
                "the database cannot be reached; try again shortly",
            )
        })
    }

    /// Whether the database answers (readiness).
    pub async fn ready(&self) -> bool {
        match self.store.ping().await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "readiness check failed");
                false
            }
        }
    }

    /// Counts an answered check by its reason (one relaxed atomic add).
    pub(crate) fn count_check(&self, reason: siteward_core::permission::index::Reason) {
        self.checks[reason.ordinal()].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether `caller` may read this host's metrics: the operator alone.
    pub fn may_read_metrics(&self, caller: &crate::auth::Caller) -> crate::error::AppResult<()> {
        siteward_core::access::authorize(
            &caller.principal,
            siteward_core::access::Action::OperatePlatform,
        )?;
        Ok(())
    }

    /// Checks answered on this host since it started, by reason, in the order of
    /// `Reason::CODES`.
    pub fn checks_answered(&self) -> [u64; 16] {
        std::array::from_fn(|n| self.checks[n].load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// What an account holds, as the permission index says now: its partner roles, privileges
    /// and section permissions, and the sites it administers.
    pub fn principal(&self, account: &siteward_core::account::Account) -> AccountPrincipal {
        AccountPrincipal::from_index(
            &self.permissions.read(),
            account.id.clone(),
            account.is_operator,
            self.now().timestamp_millis(),
        )
    }

    /// A new id of any kind, made now; ids made by this host sort in the order they were made.
    pub fn new_id<T>(&self, wrap: fn(String) -> T) -> T {
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        wrap(ids.next_text(self.now(), random()))
    }
}

/// Everything an audit event needs besides what happened.
#[derive(Debug, Clone)]
pub struct AuditContext {
    /// Who acts.
    pub actor: Actor,
    /// The request, for correlation with logs.
    pub request_id: Option<String>,
}

impl AuditContext {
    /// Builds an event for an action of this actor.
    pub fn event(
        &self,
        app: &App,
        action: AuditAction,
        tenant: (Option<&PartnerId>, Option<&SiteId>),
        target: AuditTarget,
        changes: Vec<FieldChange>,
    ) -> AuditEvent {
        AuditEvent {
            id: app.new_id(AuditEventId::from_trusted),
            at: app.now(),
            actor: self.actor.clone(),
            partner_id: tenant.0.cloned(),
            site_id: tenant.1.cloned(),
            action,
            target,
            changes,
            request_id: self.request_id.clone(),
        }
    }
}
