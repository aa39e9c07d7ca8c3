//! The plugins this host runs: loaded from storage, chosen per partner and site, called off the
//! async threads, measured, with every failure audited and repeated failures quarantining a
//! plugin for the partner it failed for.
//!
//! What is loaded is one immutable [`Loaded`] value behind an `Arc`, swapped whole when the
//! stored plugin revision changes. A call takes the `Arc` of the plugin it uses, so an upgrade
//! never disturbs calls in flight: they finish on the version they started with.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::{AuditEventId, PartnerId, SiteId};
use siteward_plugins::worlds::Config;
use siteward_plugins::{Failure, Manifest, Outcome, Plugin, Runtime, World};
pub use siteward_storage::BindingScope;
use siteward_storage::{InstalledPlugin, StorageError, Store};

pub mod admin;
pub mod calls;
pub mod hooks;
pub mod manage;

/// An installed plugin as this host loaded it.
#[derive(Debug)]
pub struct Entry {
    /// What storage says about it.
    pub record: InstalledPlugin,
    /// Its manifest.
    pub manifest: Manifest,
    /// The loaded component; `None` when it could not be loaded here (the reason is logged
    /// and shown by the API).
    pub plugin: Result<Arc<Plugin>, String>,
}

#[derive(Debug, Clone)]
struct Binding {
    enabled: bool,
    config: Option<BTreeMap<String, String>>,
}

/// Everything loaded, as of one revision.
#[derive(Debug, Default)]
pub struct Loaded {
    revision: i64,
    plugins: BTreeMap<String, Arc<Entry>>,
    bindings: HashMap<(String, BindingScope), Binding>,
    quarantined: HashSet<(String, PartnerId)>,
}

/// Where a plugin stands for one partner (and site).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    /// Whether it runs there.
    pub enabled: bool,
    /// Which binding decided: `site`, `partner`, `all` or `default` (off).
    pub source: &'static str,
    /// The configuration values in force (before the manifest's defaults).
    pub config: BTreeMap<String, String>,
    /// Whether repeated failures quarantined it for the partner.
    pub quarantined: bool,
}

impl Loaded {
    /// The installed plugins, by name.
    pub fn plugins(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.plugins.values()
    }

    /// One installed plugin.
    pub fn plugin(&self, name: &str) -> Option<&Arc<Entry>> {
        self.plugins.get(name)
    }

    /// The revision loaded.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// The configurations stored for a plugin, with their scopes.
    pub fn configs<'a>(
        &'a self,
        plugin: &'a str,
    ) -> impl Iterator<Item = (&'a BindingScope, &'a BTreeMap<String, String>)> {
        self.bindings
            .iter()
            .filter(move |((name, _), _)| name == plugin)
            .filter_map(|((_, scope), binding)| Some((scope, binding.config.as_ref()?)))
    }

    /// The bindings of a plugin, with their scopes.
    pub fn bindings<'a>(
        &'a self,
        plugin: &'a str,
    ) -> impl Iterator<Item = (&'a BindingScope, bool, Option<&'a BTreeMap<String, String>>)> {
        self.bindings
            .iter()
            .filter(move |((name, _), _)| name == plugin)
            .map(|((_, scope), binding)| (scope, binding.enabled, binding.config.as_ref()))
    }

    /// The partners a plugin is quarantined for.
    pub fn quarantined_for<'a>(&'a self, plugin: &'a str) -> impl Iterator<Item = &'a PartnerId> {
        self.quarantined
            .iter()
            .filter(move |(name, _)| name == plugin)
            .map(|(_, partner)| partner)
    }

    fn binding(&self, plugin: &str, scope: BindingScope) -> Option<&Binding> {
        self.bindings.get(&(plugin.to_owned(), scope))
    }

    /// Where `plugin` stands at `partner` (and `site`): a site's override, else the
    /// partner's binding, else the binding for everyone, else off. The configuration is the
    /// partner's, else everyone's.
    pub fn effective(&self, plugin: &str, partner: &PartnerId, site: Option<&SiteId>) -> Effective {
        let all = self.binding(plugin, BindingScope::All);
        let ours = self.binding(plugin, BindingScope::Partner(partner.clone()));
        let here =
            site.and_then(|s| self.binding(plugin, BindingScope::Site(partner.clone(), s.clone())));
        let (enabled, source) = match (here, ours, all) {
            (Some(b), _, _) => (b.enabled, "site"),
            (None, Some(b), _) => (b.enabled, "partner"),
            (None, None, Some(b)) => (b.enabled, "all"),
            (None, None, None) => (false, "default"),
        };
        let config = ours
            .and_then(|b| b.config.clone())
            .or_else(|| all.and_then(|b| b.config.clone()))
            .unwrap_or_default();
        Effective {
            enabled,
            source,
            config,
            quarantined: self
                .quarantined
                .contains(&(plugin.to_owned(), partner.clone())),
        }
    }
}

/// A plugin chosen for a call at a partner.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// Its name.
    pub name: String,
    /// The component, kept alive for the call even if it is upgraded meanwhile.
    pub plugin: Arc<Plugin>,
    /// Its configuration, defaults filled in.
    pub config: Config,
    /// Whether it is quarantined for the partner: renderers and hooks skip it; a policy
    /// that cannot be asked refuses.
    pub quarantined: bool,
}

/// Calls, failures and cost of one plugin on this host since it started.
#[derive(Debug, Clone, Default)]
pub struct PluginMetrics {
    /// Calls made.
    pub calls: u64,
    /// Failed calls by kind (`plugin_error`, `trap`, `deadline`, `memory`, `fuel`,
    /// `input_too_large`, `output_too_large`).
    pub failures: BTreeMap<String, u64>,
    /// Total wall time of the calls, in microseconds.
    pub total_micros: u64,
    /// The longest call, in microseconds.
    pub max_micros: u64,
    /// Total fuel used.
    pub fuel: u64,
    /// Calls by wall time: how many took at most each of [`CALL_BUCKETS_MICROS`] (and not
    /// the one before).
    pub buckets: [u64; CALL_BUCKETS_MICROS.len()],
    /// Times the plugin was quarantined for a partner.
    pub quarantines: u64,
}

/// The upper bounds of [`PluginMetrics::buckets`], in microseconds.
pub const CALL_BUCKETS_MICROS: [u64; 10] = [
    50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 1_000_000, 5_000_000,
];

/// The plugins of this host.
#[derive(Debug)]
pub struct PluginHost {
    runtime: Runtime,
    quarantine_after: u32,
    loaded: RwLock<Arc<Loaded>>,
    reloading: tokio::sync::Mutex<()>,
    /// (plugin, partner) pairs with failures on record, so a success resets them.
    failing: Mutex<HashSet<(String, PartnerId)>>,
    metrics: Mutex<HashMap<String, PluginMetrics>>,
}

impl PluginHost {
    /// A host with nothing loaded yet; call [`PluginHost::reload`].
    pub fn new(runtime: Runtime, quarantine_after: u32) -> Self {
        Self {
            runtime,
            quarantine_after: quarantine_after.max(1),
            loaded: RwLock::default(),
            reloading: tokio::sync::Mutex::new(()),
            failing: Mutex::default(),
            metrics: Mutex::default(),
        }
    }

    /// The runtime plugins are loaded into.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// Consecutive failures that quarantine a plugin for a partner.
    pub fn quarantine_after(&self) -> u32 {
        self.quarantine_after
    }

    /// What is loaded now.
    pub fn loaded(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reloads when the stored revision differs from the loaded one.
    pub async fn refresh(&self, store: &Store) -> Result<(), StorageError> {
        if store.plugin_revision().await? != self.loaded().revision {
            self.reload(store).await?;
        }
        Ok(())
    }

    /// Reads plugins, bindings and health from storage and swaps them in. A component whose
    /// content and manifest did not change is kept as it is loaded; a changed one is loaded
    /// (from its precompiled artifact when this host has one) off the async threads.
    pub async fn reload(&self, store: &Store) -> Result<(), StorageError> {
        let _one_at_a_time = self.reloading.lock().await;
        let state = store.plugin_state().await?;
        let previous = self.loaded();
        let mut plugins = BTreeMap::new();
        for record in state.plugins {
            if let Some(entry) = previous.plugins.get(&record.name)
                && entry.record.content_hash == record.content_hash
                && entry.record.manifest == record.manifest
            {
                plugins.insert(record.name.clone(), entry.clone());
                continue;
            }
            let entry = self.load_entry(store, record).await?;
            plugins.insert(entry.record.name.clone(), Arc::new(entry));
        }
        let bindings = state
            .bindings
            .into_iter()
            .map(|b| {
                let config = b.config.and_then(|text| {
                    serde_json::from_str(&text)
                        .inspect_err(|error| tracing::error!(plugin = %b.plugin, %error, "a stored plugin configuration is not a JSON object of strings; ignoring it"))
                        .ok()
                });
                ((b.plugin, b.scope), Binding { enabled: b.enabled, config })
            })
            .collect();
        let key = |h: &siteward_storage::PluginHealth| (h.plugin.clone(), h.partner_id.clone());
        let loaded = Loaded {
            revision: state.revision,
            plugins,
            bindings,
            quarantined: state
                .health
                .iter()
                .filter(|h| h.quarantined_at.is_some())
                .map(key)
                .collect(),
        };
        *self.failing.lock().unwrap_or_else(PoisonError::into_inner) = state
            .health
            .iter()
            .filter(|h| h.failures > 0)
            .map(key)
            .collect();
        *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(loaded);
        Ok(())
    }

    async fn load_entry(
        &self,
        store: &Store,
        record: InstalledPlugin,
    ) -> Result<Entry, StorageError> {
        let manifest: Manifest = serde_json::from_str(&record.manifest).map_err(|e| {
            StorageError::Invalid(format!("stored manifest of {}: {e}", record.name))
        })?;
        let (_, bytes) = store.plugin_component(&record.name).await?;
        let runtime = self.runtime.clone();
        let limits = manifest.limits();
        let plugin = tokio::task::spawn_blocking(move || {
            let limits = limits.map_err(|e| e.to_string())?;
            runtime.load(&bytes, limits).map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("loading panicked: {e}")));
        let plugin = plugin.map(Arc::new).inspect_err(|error| {
            tracing::error!(plugin = %record.name, %error, "cannot load an installed plugin; it will not run on this host");
        });
        Ok(Entry {
            record,
            manifest,
            plugin,
        })
    }

    /// The plugins of `world` enabled at `partner` (and `site`), by name, with their
    /// configuration. One whose stored configuration no longer fits its manifest is left out
    /// and logged.
    pub fn chosen(&self, world: World, partner: &PartnerId, site: Option<&SiteId>) -> Vec<Chosen> {
        let loaded = self.loaded();
        loaded
            .plugins
            .values()
            .filter(|entry| entry.manifest.world == world.name())
            .filter_map(|entry| {
                let name = &entry.record.name;
                let effective = loaded.effective(name, partner, site);
                if !effective.enabled {
                    return None;
                }
                let plugin = entry.plugin.as_ref().ok()?.clone();
                let config = entry
                    .manifest
                    .resolve_config(&effective.config)
                    .inspect_err(|error| tracing::error!(plugin = %name, %partner, %error, "the plugin's configuration does not fit its manifest; not calling it"))
                    .ok()?;
                Some(Chosen {
                    name: name.clone(),
                    plugin,
                    config,
                    quarantined: effective.quarantined,
                })
            })
            .collect()
    }

    /// The audit exporter named by `format` (`ndjson` is the plugin `audit-ndjson`; any other
    /// installed exporter by its own name), as configured for `tenant` (a partner, maybe a
    /// site) — where it must be switched on — or for everyone (the platform's export, which
    /// only needs it installed). `None` when there is no such exporter there.
    pub fn exporter(
        &self,
        format: &str,
        tenant: Option<(&PartnerId, Option<&SiteId>)>,
    ) -> Option<Chosen> {
        let loaded = self.loaded();
        let entry = [format!("audit-{format}"), format.to_owned()]
            .iter()
            .find_map(|name| loaded.plugins.get(name))
            .filter(|entry| entry.manifest.world == World::AuditExporter.name())?;
        let name = &entry.record.name;
        let (enabled, config, quarantined) = match tenant {
            Some((partner, site)) => {
                let effective = loaded.effective(name, partner, site);
                (effective.enabled, effective.config, effective.quarantined)
            }
            None => {
                let config = loaded
                    .binding(name, BindingScope::All)
                    .and_then(|b| b.config.clone())
                    .unwrap_or_default();
                (true, config, false)
            }
        };
        if !enabled {
            return None;
        }
        let config = entry
            .manifest
            .resolve_config(&config)
            .inspect_err(|error| tracing::error!(plugin = %name, %error, "the exporter's configuration does not fit its manifest"))
            .ok()?;
        Some(Chosen {
            name: name.clone(),
            plugin: entry.plugin.as_ref().ok()?.clone(),
            config,
            quarantined,
        })
    }

    /// The notification hooks installed.
    pub fn hook_names(&self) -> Vec<String> {
        self.loaded()
            .plugins
            .values()
            .filter(|entry| entry.manifest.world == World::NotificationHook.name())
            .map(|entry| entry.record.name.clone())
            .collect()
    }

    /// The audit exporters installed, by the `format` that names them.
    pub fn export_formats(&self) -> Vec<String> {
        self.loaded()
            .plugins
            .values()
            .filter(|entry| entry.manifest.world == World::AuditExporter.name())
            .map(|entry| {
                let name = &entry.record.name;
                name.strip_prefix("audit-").unwrap_or(name).to_owned()
            })
            .collect()
    }

    /// Counts a call in the plugin's metrics.
    pub fn measure<T>(&self, name: &str, outcome: &Outcome<T>) {
        let mut metrics = self.metrics.lock().unwrap_or_else(PoisonError::into_inner);
        let m = metrics.entry(name.to_owned()).or_default();
        let micros = u64::try_from(outcome.elapsed.as_micros()).unwrap_or(u64::MAX);
        m.calls += 1;
        m.total_micros = m.total_micros.saturating_add(micros);
        m.max_micros = m.max_micros.max(micros);
        m.fuel = m.fuel.saturating_add(outcome.fuel_used);
        if let Some(bucket) = CALL_BUCKETS_MICROS.iter().position(|&le| micros <= le) {
            m.buckets[bucket] += 1;
        }
        if let Err(failure) = &outcome.result {
            *m.failures.entry(failure.code().to_owned()).or_default() += 1;
        }
    }

    /// Every plugin's metrics on this host, by name (plugins called since the host started).
    pub fn all_metrics(&self) -> Vec<(String, PluginMetrics)> {
        let metrics = self.metrics.lock().unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<_> = metrics
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// A plugin's metrics on this host.
    pub fn metrics(&self, name: &str) -> PluginMetrics {
        self.metrics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
            .unwrap_or_default()
    }

    /// Records a failed call at `partner`: an audit event, the consecutive-failure count,
    /// and the quarantine when the count reaches the limit (then reloads, so this host stops
    /// calling it at once). Failing to record is logged, never passed on: the caller has a
    /// fallback to get on with.
    pub async fn failed(
        &self,
        store: &Store,
        call: FailedCall<'_>,
        now: siteward_core::Timestamp,
        new_id: &(dyn Fn() -> AuditEventId + Send + Sync),
    ) {
        let event = |action, changes| AuditEvent {
            id: new_id(),
            at: now,
            actor: Actor::System,
            partner_id: Some(call.partner.clone()),
            site_id: call.site.cloned(),
            action,
            target: AuditTarget {
                kind: TargetKind::Plugin,
                id: call.plugin.to_owned(),
            },
            changes,
            request_id: call.request_id.map(str::to_owned),
        };
        let failed = event(
            AuditAction::PluginCallFailed,
            vec![
                FieldChange::set("kind", call.failure.code()),
                FieldChange::set("message", call.failure),
                FieldChange::set("world", call.world.name()),
                FieldChange::set("fallback", call.fallback),
            ],
        );
        let quarantined = event(
            AuditAction::PluginQuarantined,
            vec![
                FieldChange::changed("quarantined", false, true),
                FieldChange::set("consecutive_failures", self.quarantine_after),
            ],
        );
        let message = format!("{}: {}", call.failure.code(), call.failure);
        let recorded = store
            .record_plugin_failure(
                call.plugin,
                call.partner,
                &message,
                self.quarantine_after,
                &failed,
                &quarantined,
            )
            .await;
        match recorded {
            Ok(health) => {
                self.failing
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert((call.plugin.to_owned(), call.partner.clone()));
                if health.quarantined_at.is_some() {
                    self.metrics
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .entry(call.plugin.to_owned())
                        .or_default()
                        .quarantines += 1;
                    tracing::warn!(plugin = call.plugin, partner = %call.partner, "plugin quarantined for the partner after repeated failures");
                    if let Err(error) = self.reload(store).await {
                        tracing::error!(%error, "reloading plugins after a quarantine failed");
                    }
                }
            }
            Err(error) => {
                tracing::error!(plugin = call.plugin, %error, "recording a plugin failure failed")
            }
        }
    }

    /// Forgets the failures of a plugin at a partner after a call succeeded, when there were
    /// any (successes cost nothing otherwise).
    pub async fn succeeded(&self, store: &Store, plugin: &str, partner: &PartnerId) {
        let key = (plugin.to_owned(), partner.clone());
        if !self
            .failing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&key)
        {
            return;
        }
        match store.reset_plugin_failures(plugin, partner).await {
            Ok(()) => {
                self.failing
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&key);
            }
            Err(error) => tracing::error!(plugin, %error, "resetting plugin failures failed"),
        }
    }

    /// Follows changes made by other hosts and the command line until the task is dropped.
    pub async fn follow(
        self: Arc<Self>,
        store: Store,
        every: Duration,
        stop: tokio_util::sync::CancellationToken,
    ) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
            if let Err(error) = self.refresh(&store).await {
                tracing::warn!(%error, "looking for plugin changes failed");
            }
        }
    }
}

/// A failed plugin call, for [`PluginHost::failed`].
#[derive(Debug, Clone, Copy)]
pub struct FailedCall<'a> {
    /// The plugin.
    pub plugin: &'a str,
    /// Its world.
    pub world: World,
    /// The partner it was called for.
    pub partner: &'a PartnerId,
    /// The site, if any.
    pub site: Option<&'a SiteId>,
    /// How it failed.
    pub failure: &'a Failure,
    /// What the host did instead (`builtin_renderer`, `refused`, `skipped`).
    pub fallback: &'a str,
    /// The request that led to the call.
    pub request_id: Option<&'a str>,
}
