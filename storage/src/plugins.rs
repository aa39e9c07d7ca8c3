//! Installed plugins, where they are switched on, and their health per partner.
//!
//! The component's bytes are stored with the plugin, so every host on a shared database loads
//! the same code. Every change a host must reload for raises `plugin_revision:current` in the
//! same transaction; a host compares one number to know whether its plugins are current.

use chrono::{DateTime, Utc};
use surrealdb::types::{Bytes, RecordId, SurrealValue};

use siteward_core::Timestamp;
use siteward_core::audit::AuditEvent;
use siteward_core::ids::{PartnerId, SiteId};

use crate::Store;
use crate::error::{Conflict, StorageError};
use crate::rows::{key, rid};
use crate::tx::Tx;

/// An installed plugin, without its component's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledPlugin {
    /// Its name (the manifest's).
    pub name: String,
    /// Its version.
    pub version: String,
    /// The world it implements.
    pub world: String,
    /// Its manifest, as JSON.
    pub manifest: String,
    /// The SHA-256 of the component, hex.
    pub content_hash: String,
    /// When it was first installed.
    pub installed_at: Timestamp,
    /// When it was last installed or upgraded.
    pub updated_at: Timestamp,
}

/// Where a binding applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BindingScope {
    /// Every partner without a binding of its own.
    All,
    /// One partner.
    Partner(PartnerId),
    /// One site of a partner: an override of whether the plugin runs there.
    Site(PartnerId, SiteId),
}

impl BindingScope {
    fn key(&self, plugin: &str) -> String {
        match self {
            Self::All => format!("{plugin}/*"),
            Self::Partner(partner) => format!("{plugin}/{partner}"),
            Self::Site(partner, site) => format!("{plugin}/{partner}/{site}"),
        }
    }
}

/// Whether a plugin runs in a scope, and its configuration there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginBinding {
    /// The plugin.
    pub plugin: String,
    /// Where.
    pub scope: BindingScope,
    /// Whether it runs.
    pub enabled: bool,
    /// The operator's configuration values (JSON object), for `All` and `Partner` scopes;
    /// `None` inherits.
    pub config: Option<String>,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A plugin's failures at one partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginHealth {
    /// The plugin.
    pub plugin: String,
    /// The partner.
    pub partner_id: PartnerId,
    /// Consecutive failed calls.
    pub failures: u32,
    /// The last failure, as the host described it.
    pub last_failure: Option<String>,
    /// When repeated failures quarantined it for this partner.
    pub quarantined_at: Option<Timestamp>,
}

/// Everything about plugins a host loads, as of one revision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PluginState {
    /// The revision this is.
    pub revision: i64,
    /// Installed plugins, by name.
    pub plugins: Vec<InstalledPlugin>,
    /// Every binding.
    pub bindings: Vec<PluginBinding>,
    /// Health records with failures or a quarantine.
    pub health: Vec<PluginHealth>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct PluginRow {
    id: RecordId,
    version: String,
    world: String,
    manifest: String,
    content_hash: String,
    installed_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct BindingRow {
    plugin: String,
    partner_id: Option<String>,
    site_id: Option<String>,
    enabled: bool,
    config: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct HealthRow {
    plugin: String,
    partner_id: String,
    failures: i64,
    last_failure: Option<String>,
    quarantined_at: Option<DateTime<Utc>>,
}

impl HealthRow {
    fn into_health(self) -> PluginHealth {
        PluginHealth {
            plugin: self.plugin,
            partner_id: PartnerId::from_trusted(self.partner_id),
            failures: u32::try_from(self.failures).unwrap_or(u32::MAX),
            last_failure: self.last_failure,
            quarantined_at: self.quarantined_at,
        }
    }
}

const RAISE_REVISION: &str = "UPSERT plugin_revision:current SET revision = (revision ?? 0) + 1";

impl Store {
    /// The plugin revision: it changes whenever plugins must be reloaded.
    pub async fn plugin_revision(&self) -> Result<i64, StorageError> {
        self.revision_of("plugin_revision").await
    }

    /// Everything a host loads about plugins (components aside), read in one transaction.
    pub async fn plugin_state(&self) -> Result<PluginState, StorageError> {
        let mut response = self
            .db
            .query("BEGIN TRANSACTION")
            .query("SELECT VALUE revision FROM ONLY plugin_revision:current")
            .query("SELECT id, version, world, manifest, content_hash, installed_at, updated_at FROM plugin ORDER BY id")
            .query("SELECT * FROM plugin_binding ORDER BY id")
            .query("SELECT * FROM plugin_health WHERE failures > 0 OR quarantined_at != NONE")
            .query("COMMIT TRANSACTION")
            .await
            .map_err(StorageError::backend)?;
        // BEGIN may or may not answer with a result of its own.
        let offset = usize::from(response.num_statements() > 5);
        let revision: Option<i64> = response.take(offset).map_err(StorageError::backend)?;
        let plugins: Vec<PluginRow> = response.take(offset + 1).map_err(StorageError::backend)?;
        let bindings: Vec<BindingRow> = response.take(offset + 2).map_err(StorageError::backend)?;
        let health: Vec<HealthRow> = response.take(offset + 3).map_err(StorageError::backend)?;
        Ok(PluginState {
            revision: revision.unwrap_or(0),
            plugins: plugins
                .into_iter()
                .map(|row| InstalledPlugin {
                    name: key(&row.id),
                    version: row.version,
                    world: row.world,
                    manifest: row.manifest,
                    content_hash: row.content_hash,
                    installed_at: row.installed_at,
                    updated_at: row.updated_at,
                })
                .collect(),
            bindings: bindings
                .into_iter()
                .map(|row| {
                    let partner = row.partner_id.map(PartnerId::from_trusted);
                    let scope = match (partner, row.site_id) {
                        (Some(partner), Some(site)) => {
                            BindingScope::Site(partner, SiteId::from_trusted(site))
                        }
                        (Some(partner), None) => BindingScope::Partner(partner),
                        (None, _) => BindingScope::All,
                    };
                    PluginBinding {
                        plugin: row.plugin,
                        scope,
                        enabled: row.enabled,
                        config: row.config,
                        updated_at: row.updated_at,
                    }
                })
                .collect(),
            health: health.into_iter().map(HealthRow::into_health).collect(),
        })
    }

    /// A plugin's component: its content hash and bytes.
    pub async fn plugin_component(&self, name: &str) -> Result<(String, Vec<u8>), StorageError> {
        #[derive(Debug, SurrealValue)]
        #[surreal(crate = "surrealdb::types")]
        struct ComponentRow {
            content_hash: String,
            component: Bytes,
        }
        let row: Option<ComponentRow> = self
            .db
            .query("SELECT content_hash, component FROM ONLY $plugin")
            .bind(("plugin", rid("plugin", name)))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        let row = row.ok_or(StorageError::NotFound)?;
        Ok((row.content_hash, row.component.into_inner().to_vec()))
    }

    /// Installs a plugin, or upgrades the one installed at `previous_version` (refused with
    /// [`Conflict::PluginChanged`] if it was installed, upgraded or removed meanwhile).
    pub async fn save_plugin(
        &self,
        plugin: &InstalledPlugin,
        component: &[u8],
        previous_version: Option<&str>,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("plugin", rid("plugin", &plugin.name))
            .bind("version", plugin.version.clone())
            .bind("world", plugin.world.clone())
            .bind("manifest", plugin.manifest.clone())
            .bind("hash", plugin.content_hash.clone())
            .bind("component", Bytes::from(component.to_vec()))
            .bind("installed_at", plugin.installed_at)
            .bind("updated_at", plugin.updated_at);
        let fields = "version = $version, world = $world, manifest = $manifest, content_hash = $hash, \
                      component = $component, updated_at = $updated_at";
        match previous_version {
            None => tx.guard(
                format!("CREATE $plugin SET {fields}, installed_at = $installed_at"),
                Conflict::PluginChanged,
            ),
            Some(previous) => tx
                .bind("previous", previous.to_owned())
                .guard(
                    "IF (SELECT VALUE version FROM ONLY $plugin) != $previous { THROW 'plugin changed' }",
                    Conflict::PluginChanged,
                )
                .run(format!("UPDATE $plugin SET {fields}")),
        };
        tx.run(RAISE_REVISION).audit(event);
        tx.commit(self).await
    }

    /// Removes a plugin with its bindings and health.
    pub async fn remove_plugin(&self, name: &str, event: &AuditEvent) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("plugin", rid("plugin", name))
            .bind("name", name.to_owned())
            .guard(
                "IF (SELECT VALUE id FROM ONLY $plugin) = NONE { THROW 'plugin changed' }",
                Conflict::PluginChanged,
            )
            .run("DELETE $plugin")
            .run("DELETE plugin_binding WHERE plugin = $name")
            .run("DELETE plugin_health WHERE plugin = $name")
            .run(RAISE_REVISION)
            .audit(event);
        tx.commit(self).await
    }

    /// Writes a binding. With `release`, the plugin's quarantine at that partner ends too
    /// (re-enabling is how an operator lets a quarantined plugin run again).
    pub async fn save_plugin_binding(
        &self,
        binding: &PluginBinding,
        release: Option<&PartnerId>,
        events: &[AuditEvent],
    ) -> Result<(), StorageError> {
        let (partner, site) = match &binding.scope {
            BindingScope::All => (None, None),
            BindingScope::Partner(partner) => (Some(partner.to_string()), None),
            BindingScope::Site(partner, site) => {
                (Some(partner.to_string()), Some(site.to_string()))
            }
        };
        let mut tx = Tx::new();
        tx.bind(
            "binding",
            rid("plugin_binding", &binding.scope.key(&binding.plugin)),
        )
        .bind("plugin", rid("plugin", &binding.plugin))
        .bind("name", binding.plugin.clone())
        .bind("partner", partner)
        .bind("site", site)
        .bind("enabled", binding.enabled)
        .bind("config", binding.config.clone())
        .bind("at", binding.updated_at)
        .guard(
            "IF (SELECT VALUE id FROM ONLY $plugin) = NONE { THROW 'plugin changed' }",
            Conflict::PluginChanged,
        )
        .run(
            "UPSERT $binding SET plugin = $name, partner_id = $partner, site_id = $site, \
                 enabled = $enabled, config = $config, updated_at = $at",
        );
        if let Some(partner) = release {
            tx.bind(
                "health",
                rid("plugin_health", &format!("{}/{partner}", binding.plugin)),
            )
            .run("DELETE $health");
        }
        tx.run(RAISE_REVISION).audit_all(events);
        tx.commit(self).await
    }

    /// Deletes a binding, so its scope inherits again.
    pub async fn delete_plugin_binding(
        &self,
        plugin: &str,
        scope: &BindingScope,
        event: &AuditEvent,
    ) -> Result<(), StorageError> {
        let mut tx = Tx::new();
        tx.bind("binding", rid("plugin_binding", &scope.key(plugin)))
            .guard(
                "IF (SELECT VALUE id FROM ONLY $binding) = NONE { THROW 'no binding' }",
                Conflict::PluginChanged,
            )
            .run("DELETE $binding")
            .run(RAISE_REVISION)
            .audit(event);
        tx.commit(self).await
    }

    /// Counts a failed call of `plugin` at `partner`, with its audit event. When the
    /// consecutive failures reach `threshold`, the plugin is quarantined for the partner in
    /// the same transaction, with `quarantine_event`. Returns the health afterwards.
    pub async fn record_plugin_failure(
        &self,
        plugin: &str,
        partner: &PartnerId,
        failure: &str,
        threshold: u32,
        failed_event: &AuditEvent,
        quarantine_event: &AuditEvent,
    ) -> Result<PluginHealth, StorageError> {
        let health = rid("plugin_health", &format!("{plugin}/{partner}"));
        let mut tx = Tx::new();
        tx.bind("health", health.clone())
            .bind("name", plugin.to_owned())
            .bind("partner", partner.to_string())
            .bind("failure", failure.to_owned())
            .run(
                "UPSERT $health SET plugin = $name, partner_id = $partner, \
                 failures = (failures ?? 0) + 1, last_failure = $failure",
            )
            .audit(failed_event);
        tx.commit(self).await?;
        let health_now = self.plugin_health_row(&health).await?;
        if health_now.failures < i64::from(threshold) || health_now.quarantined_at.is_some() {
            return Ok(health_now.into_health());
        }
        // The failure that reached the threshold quarantines, in a transaction of its own
        // (with its own audit event); of two hosts racing here, one quarantines.
        let mut tx = Tx::new();
        tx.bind("health", health.clone())
            .bind("now", quarantine_event.at)
            .guard(
                "IF (SELECT VALUE quarantined_at FROM ONLY $health) != NONE { THROW 'quarantined' }",
                Conflict::PluginChanged,
            )
            .run("UPDATE $health SET quarantined_at = $now")
            .run(RAISE_REVISION)
            .audit(quarantine_event);
        match tx.commit(self).await {
            Ok(()) | Err(StorageError::Conflict(Conflict::PluginChanged)) => {}
            Err(error) => return Err(error),
        }
        Ok(self.plugin_health_row(&health).await?.into_health())
    }

    async fn plugin_health_row(&self, health: &RecordId) -> Result<HealthRow, StorageError> {
        let row: Option<HealthRow> = self
            .db
            .query("SELECT * FROM ONLY $health")
            .bind(("health", health.clone()))
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        row.ok_or(StorageError::NotFound)
    }

    /// Forgets a plugin's failures at a partner after a successful call (not its quarantine).
    pub async fn reset_plugin_failures(
        &self,
        plugin: &str,
        partner: &PartnerId,
    ) -> Result<(), StorageError> {
        self.db
            .query("UPDATE $health SET failures = 0 WHERE quarantined_at = NONE")
            .bind((
                "health",
                rid("plugin_health", &format!("{plugin}/{partner}")),
            ))
            .await
            .and_then(|r| r.check())
            .map_err(StorageError::backend)?;
        Ok(())
    }
}

#[derive(Debug, SurrealValue)]
#[surreal(crate = "surrealdb::types")]
struct BundledRow {
    id: RecordId,
    version: String,
}

impl Store {
    /// The first-party plugins this database was offered, with the version last offered.
    pub async fn bundled_plugin_offers(&self) -> Result<Vec<(String, String)>, StorageError> {
        let rows: Vec<BundledRow> = self
            .db
            .query("SELECT id, version FROM bundled_plugin")
            .await
            .and_then(|mut r| r.take(0))
            .map_err(StorageError::backend)?;
        Ok(rows.into_iter().map(|r| (key(&r.id), r.version)).collect())
    }

    /// Remembers that the host offered `version` of a first-party plugin.
    pub async fn record_bundled_plugin_offer(
        &self,
        name: &str,
        version: &str,
        now: Timestamp,
    ) -> Result<(), StorageError> {
        self.db
            .query("UPSERT $id SET version = $version, offered_at = $now")
            .bind(("id", rid("bundled_plugin", name)))
            .bind(("version", version.to_owned()))
            .bind(("now", now))
            .await
            .and_then(|r| r.check())
            .map_err(StorageError::backend)?;
        Ok(())
    }
}
