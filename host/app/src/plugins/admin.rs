//! The plugin lifecycle: install, upgrade, remove, switch on and off, configure. The API and
//! the command line both come here, so a plugin is checked the same way whichever installs it.

use std::collections::BTreeMap;
use std::sync::Arc;

use siteward_core::Timestamp;
use siteward_core::audit::{Actor, AuditAction, AuditEvent, AuditTarget, FieldChange, TargetKind};
use siteward_core::ids::AuditEventId;
use siteward_plugins::manifest::Version;
use siteward_plugins::{Manifest, ManifestError};
use siteward_storage::{BindingScope, InstalledPlugin, PluginBinding, StorageError, Store};

use super::{Entry, PluginHost};

/// Why a lifecycle change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The manifest or a configuration value is not acceptable.
    #[error("{0}")]
    Invalid(#[from] ManifestError),
    /// The component cannot be installed (not a component, unknown WIT version, limits).
    #[error("{0}")]
    Component(String),
    /// No plugin of that name is installed.
    #[error("no plugin named {0:?} is installed")]
    NotInstalled(String),
    /// An upgrade must raise the version.
    #[error(
        "{name} {installed} is installed; an upgrade must have a higher version than {installed}, not {offered}"
    )]
    VersionNotNewer {
        /// The plugin.
        name: String,
        /// The version installed.
        installed: String,
        /// The version offered.
        offered: String,
    },
    /// An upgrade cannot change the world.
    #[error(
        "{name} is an {installed} plugin; an upgrade cannot make it an {offered} (remove it and install the new one)"
    )]
    WorldChanged {
        /// The plugin.
        name: String,
        /// Its world.
        installed: String,
        /// The world offered.
        offered: String,
    },
    /// An existing configuration does not fit the new version's settings.
    #[error("the configuration for {scope} does not fit the new version: {error}; change it first")]
    ConfigIncompatible {
        /// Which binding.
        scope: String,
        /// Why.
        error: ManifestError,
    },
    /// Storage failed or refused.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Who makes a change, for the audit trail.
pub struct Change<'a> {
    /// The actor.
    pub actor: Actor,
    /// The request, if any.
    pub request_id: Option<String>,
    /// When.
    pub now: Timestamp,
    /// The store.
    pub store: &'a Store,
    /// This host's plugins, reloaded after the change.
    pub host: &'a PluginHost,
    /// Makes audit event ids (in order, on a host).
    pub new_id: Box<dyn Fn() -> AuditEventId + Send + Sync + 'a>,
}

impl std::fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("actor", &self.actor)
            .field("request_id", &self.request_id)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Change<'_> {
    fn event(
        &self,
        action: AuditAction,
        plugin: &str,
        scope: Option<&BindingScope>,
        changes: Vec<FieldChange>,
    ) -> AuditEvent {
        let (partner_id, site_id) = match scope {
            Some(BindingScope::Partner(p)) => (Some(p.clone()), None),
            Some(BindingScope::Site(p, s)) => (Some(p.clone()), Some(s.clone())),
            _ => (None, None),
        };
        AuditEvent {
            id: (self.new_id)(),
            at: self.now,
            actor: self.actor.clone(),
            partner_id,
            site_id,
            action,
            target: AuditTarget {
                kind: TargetKind::Plugin,
                id: plugin.to_owned(),
            },
            changes,
            request_id: self.request_id.clone(),
        }
    }
}

/// What an install did.
#[derive(Debug, Clone)]
pub struct Installed {
    /// The version it replaced, for an upgrade.
    pub upgraded_from: Option<String>,
    /// The plugin as loaded now.
    pub entry: Arc<Entry>,
}

/// Installs a plugin, or upgrades the installed one of the same name: the component is
/// loaded and checked against its manifest before anything is stored, an upgrade must raise
/// the version, keep the world, and fit every stored configuration. The swap is atomic:
/// calls in flight finish on the version they started with.
pub async fn install(
    change: &Change<'_>,
    manifest: Manifest,
    component: Vec<u8>,
) -> Result<Installed, AdminError> {
    manifest.validate()?;
    let limits = manifest.limits()?;
    let runtime = change.host.runtime().clone();
    let checked = tokio::task::spawn_blocking(move || {
        let plugin = runtime
            .load(&component, limits)
            .map_err(|e| AdminError::Component(e.to_string()))?;
        manifest.matches(&plugin)?;
        Ok::<_, AdminError>((manifest, plugin, component))
    })
    .await
    .map_err(|e| AdminError::Component(format!("loading the component panicked: {e}")))?;
    let (manifest, plugin, component) = checked?;
    change.host.refresh(change.store).await?;
    let loaded = change.host.loaded();
    let previous = loaded.plugin(&manifest.name);
    if let Some(previous) = previous {
        let installed = &previous.manifest;
        if installed.world != manifest.world {
            return Err(AdminError::WorldChanged {
                name: manifest.name,
                installed: installed.world.clone(),
                offered: manifest.world,
            });
        }
        if Version::parse(&manifest.version) <= Version::parse(&installed.version) {
            return Err(AdminError::VersionNotNewer {
                name: manifest.name,
                installed: installed.version.clone(),
                offered: manifest.version,
            });
        }
        for (scope, config) in loaded.configs(&manifest.name) {
            manifest
                .check_config(config, "config")
                .and_then(|()| manifest.resolve_config(config).map(drop))
                .map_err(|error| AdminError::ConfigIncompatible {
                    scope: scope_text(scope),
                    error,
                })?;
        }
    }
    let record = InstalledPlugin {
        name: manifest.name.clone(),
        version: manifest.version.clone(),
        world: manifest.world.clone(),
        manifest: serde_json::to_string(&manifest).expect("a manifest serialises"),
        content_hash: plugin.content_hash().to_owned(),
        installed_at: previous.map_or(change.now, |p| p.record.installed_at),
        updated_at: change.now,
    };
    let upgraded_from = previous.map(|p| p.record.version.clone());
    let event = match &upgraded_from {
        Some(from) => change.event(
            AuditAction::PluginUpgraded,
            &record.name,
            None,
            vec![
                FieldChange::changed("version", from, &record.version),
                FieldChange::changed(
                    "content_hash",
                    &previous.expect("upgrading").record.content_hash,
                    &record.content_hash,
                ),
            ],
        ),
        None => change.event(
            AuditAction::PluginInstalled,
            &record.name,
            None,
            vec![
                FieldChange::set("version", &record.version),
                FieldChange::set("world", &record.world),
                FieldChange::set("content_hash", &record.content_hash),
            ],
        ),
    };
    change
        .store
        .save_plugin(&record, &component, upgraded_from.as_deref(), &event)
        .await?;
    change.host.reload(change.store).await?;
    let entry = change
        .host
        .loaded()
        .plugin(&record.name)
        .cloned()
        .ok_or_else(|| AdminError::NotInstalled(record.name.clone()))?;
    Ok(Installed {
        upgraded_from,
        entry,
    })
}

/// Removes a plugin with its bindings.
pub async fn remove(change: &Change<'_>, name: &str) -> Result<(), AdminError> {
    change.host.refresh(change.store).await?;
    let entry = change
        .host
        .loaded()
        .plugin(name)
        .cloned()
        .ok_or_else(|| AdminError::NotInstalled(name.to_owned()))?;
    let event = change.event(
        AuditAction::PluginRemoved,
        name,
        None,
        vec![FieldChange {
            field: "version".to_owned(),
            before: Some(entry.record.version.clone()),
            after: None,
        }],
    );
    change.store.remove_plugin(name, &event).await?;
    change.host.reload(change.store).await?;
    Ok(())
}

/// Switches a plugin on or off in a scope, with a configuration (for everyone and partners;
/// `None` keeps inheriting). Switching it on for a partner ends its quarantine there.
pub async fn bind(
    change: &Change<'_>,
    name: &str,
    scope: BindingScope,
    enabled: bool,
    config: Option<BTreeMap<String, String>>,
) -> Result<(), AdminError> {
    change.host.refresh(change.store).await?;
    let loaded = change.host.loaded();
    let entry = loaded
        .plugin(name)
        .ok_or_else(|| AdminError::NotInstalled(name.to_owned()))?;
    if let Some(config) = &config {
        if matches!(scope, BindingScope::Site(..)) {
            return Err(ManifestError {
                field: "config".to_owned(),
                message:
                    "is set for everyone or per partner; a site only switches the plugin on or off"
                        .to_owned(),
            }
            .into());
        }
        entry.manifest.check_config(config, "config")?;
    }
    // What the scope will run with must be complete when it is switched on.
    if enabled && !matches!(scope, BindingScope::Site(..)) {
        let effective = config.clone().unwrap_or_else(|| match &scope {
            BindingScope::Partner(partner) => loaded.effective(name, partner, None).config,
            _ => loaded
                .configs(name)
                .find(|(s, _)| **s == BindingScope::All)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
        });
        entry.manifest.resolve_config(&effective)?;
    }
    let release = match &scope {
        BindingScope::Partner(partner) if enabled => Some(partner.clone()),
        _ => None,
    };
    let mut changes = vec![FieldChange::set("enabled", enabled)];
    if let Some(config) = &config {
        let shown = entry.manifest.redact(config);
        changes.push(FieldChange::set(
            "config",
            serde_json::to_string(&shown).expect("strings serialise"),
        ));
    }
    let mut events = vec![change.event(
        AuditAction::PluginBindingChanged,
        name,
        Some(&scope),
        changes,
    )];
    if let Some(partner) = &release
        && loaded.effective(name, partner, None).quarantined
    {
        events.push(change.event(
            AuditAction::PluginBindingChanged,
            name,
            Some(&scope),
            vec![FieldChange::changed("quarantined", true, false)],
        ));
    }
    let binding = PluginBinding {
        plugin: name.to_owned(),
        scope,
        enabled,
        config: config.map(|c| serde_json::to_string(&c).expect("strings serialise")),
        updated_at: change.now,
    };
    change
        .store
        .save_plugin_binding(&binding, release.as_ref(), &events)
        .await?;
    change.host.reload(change.store).await?;
    Ok(())
}

/// Removes a binding, so its scope inherits again.
pub async fn unbind(
    change: &Change<'_>,
    name: &str,
    scope: BindingScope,
) -> Result<(), AdminError> {
    let event = change.event(
        AuditAction::PluginBindingRemoved,
        name,
        Some(&scope),
        Vec::new(),
    );
    change
        .store
        .delete_plugin_binding(name, &scope, &event)
        .await
        .map_err(|e| match e {
            StorageError::Conflict(_) => AdminError::NotInstalled(name.to_owned()),
            other => other.into(),
        })?;
    change.host.reload(change.store).await?;
    Ok(())
}

/// A binding's scope in words.
pub fn scope_text(scope: &BindingScope) -> String {
    match scope {
        BindingScope::All => "every partner".to_owned(),
        BindingScope::Partner(partner) => format!("partner {partner}"),
        BindingScope::Site(partner, site) => format!("site {site} of partner {partner}"),
    }
}
