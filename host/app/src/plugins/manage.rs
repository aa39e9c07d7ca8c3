//! Plugin administration on a caller's behalf: the operator installs, upgrades, removes and
//! switches plugins for everyone; a partner's operators and a site's switch them where they
//! may. The lifecycle itself is [`super::admin`], which the command line shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use siteward_core::FieldError;
use siteward_core::access::{Action, SiteRef, authorize};
use siteward_core::ids::{AuditEventId, PartnerId, SiteId};
use siteward_plugins::Manifest;
use siteward_plugins::manifest::is_plugin_name;
use siteward_storage::{BindingScope, StorageError};

use super::admin::{self, Change, Installed};
use super::{Entry, Loaded};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::services::App;

/// Where a binding is set: ids as given.
#[derive(Debug, Clone, Copy)]
pub enum PluginHome<'a> {
    /// For every partner (the operator).
    Everyone,
    /// For one partner.
    Partner(&'a PartnerId),
    /// For one site.
    Site(&'a SiteId),
}

/// A plugin switched on or off at a scope, with its settings (none at a site).
#[derive(Debug, Clone, Default)]
pub struct Binding {
    /// Whether it runs; switching it on for a partner ends a quarantine there.
    pub enabled: bool,
    /// Values for its settings; absent inherits from the wider scope.
    pub config: Option<BTreeMap<String, String>>,
}

/// The loaded plugins and one of them.
#[derive(Debug)]
pub struct Chosen {
    /// Everything loaded on this host, as of the change.
    pub loaded: Arc<Loaded>,
    /// The plugin.
    pub entry: Arc<Entry>,
    /// The scope the answer is for.
    pub scope: BindingScope,
}

/// A plugin name as given; a malformed one names nothing.
fn plugin_name(text: &str) -> AppResult<&str> {
    if is_plugin_name(text) {
        Ok(text)
    } else {
        Err(AppError::not_found())
    }
}

impl App {
    /// Every installed plugin, fresh from storage (the operator).
    pub async fn plugins(&self, caller: &Caller) -> AppResult<Arc<Loaded>> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        self.plugins.refresh(&self.store).await?;
        Ok(self.plugins.loaded())
    }

    /// One installed plugin (the operator).
    pub async fn plugin(&self, caller: &Caller, name: &str) -> AppResult<Chosen> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        let name = plugin_name(name)?;
        self.plugins.refresh(&self.store).await?;
        self.chosen(name, BindingScope::All)
    }

    /// Installs a plugin, or upgrades the installed one of its name (the operator).
    #[tracing::instrument(name = "app.install_plugin", skip_all)]
    pub async fn install_plugin(
        &self,
        caller: &Caller,
        manifest: Manifest,
        component: Vec<u8>,
    ) -> AppResult<Installed> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        Ok(admin::install(&self.change(caller), manifest, component).await?)
    }

    /// Removes a plugin (the operator).
    pub async fn remove_plugin(&self, caller: &Caller, name: &str) -> AppResult<()> {
        authorize(&caller.principal, Action::OperatePlatform)?;
        let name = plugin_name(name)?;
        admin::remove(&self.change(caller), name).await?;
        Ok(())
    }

    /// The plugins as they apply to a partner (its admins).
    pub async fn partner_plugins(
        &self,
        caller: &Caller,
        partner: &PartnerId,
    ) -> AppResult<(Arc<Loaded>, PartnerId)> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        self.plugins.refresh(&self.store).await?;
        Ok((self.plugins.loaded(), partner.clone()))
    }

    /// Sets, for a partner, the settings of a plugin that its manifest lets partners set
    /// (`partner_editable`: an email's footer and default language, how alerts reach them) —
    /// the partner's admins, without install rights. Other settings, switching it on or off,
    /// and a quarantine stay the operator's. The partner's binding keeps whether the plugin
    /// runs for it (as it did when saved) and the operator's other values.
    pub async fn set_partner_plugin_settings(
        &self,
        caller: &Caller,
        partner: &PartnerId,
        name: &str,
        values: BTreeMap<String, String>,
    ) -> AppResult<Chosen> {
        authorize(&caller.principal, Action::ManageMembers(partner))?;
        self.store.partner(partner).await?;
        let name = plugin_name(name)?;
        self.plugins.refresh(&self.store).await?;
        let loaded = self.plugins.loaded();
        let entry = loaded.plugin(name).ok_or_else(AppError::not_found)?;
        if values.is_empty() {
            return Err(FieldError::new("config", "must give at least one setting").into());
        }
        for key in values.keys() {
            let editable = entry
                .manifest
                .config
                .iter()
                .any(|f| &f.name == key && f.partner_editable);
            if !editable {
                return Err(FieldError::new(
                    format!("config.{key}"),
                    "is not a setting partners may change (the operator sets it)",
                )
                .into());
            }
        }
        let effective = loaded.effective(name, partner, None);
        if effective.quarantined {
            return Err(AppError::conflict(
                "plugin_quarantined",
                "the plugin is quarantined for this partner after repeated failures; the \
                 operator switches it on again first",
            ));
        }
        let mut config = effective.config;
        config.extend(values);
        admin::bind(
            &self.change(caller),
            name,
            BindingScope::Partner(partner.clone()),
            effective.enabled,
            Some(config),
        )
        .await?;
        self.chosen(name, BindingScope::Partner(partner.clone()))
    }

    /// Switches a plugin on or off, with its settings, at `home`.
    pub async fn bind_plugin(
        &self,
        caller: &Caller,
        home: PluginHome<'_>,
        name: &str,
        binding: Binding,
    ) -> AppResult<Chosen> {
        let scope = self.plugin_scope(caller, home).await?;
        let name = plugin_name(name)?;
        admin::bind(
            &self.change(caller),
            name,
            scope.clone(),
            binding.enabled,
            binding.config,
        )
        .await?;
        self.chosen(name, scope)
    }

    /// Removes a partner's or site's own binding: the wider scope's applies again.
    pub async fn unbind_plugin(
        &self,
        caller: &Caller,
        home: PluginHome<'_>,
        name: &str,
    ) -> AppResult<()> {
        let scope = self.plugin_scope(caller, home).await?;
        let name = plugin_name(name)?;
        admin::unbind(&self.change(caller), name, scope).await?;
        Ok(())
    }

    /// The binding scope of `home`, if the caller may operate plugins there.
    async fn plugin_scope(&self, caller: &Caller, home: PluginHome<'_>) -> AppResult<BindingScope> {
        Ok(match home {
            PluginHome::Everyone => {
                authorize(&caller.principal, Action::OperatePlatform)?;
                BindingScope::All
            }
            PluginHome::Partner(partner) => {
                self.store.partner(partner).await?;
                authorize(&caller.principal, Action::OperatePartner(partner))?;
                BindingScope::Partner(partner.clone())
            }
            PluginHome::Site(site) => {
                let site = match self.store.site(site).await {
                    Ok(site) => site,
                    Err(StorageError::NotFound) => return Err(AppError::not_found()),
                    Err(other) => return Err(other.into()),
                };
                let site_ref = SiteRef {
                    site: &site.id,
                    partner: &site.partner_id,
                };
                authorize(&caller.principal, Action::OperateSite(site_ref))?;
                BindingScope::Site(site.partner_id, site.id)
            }
        })
    }

    fn chosen(&self, name: &str, scope: BindingScope) -> AppResult<Chosen> {
        let loaded = self.plugins.loaded();
        let entry = loaded
            .plugin(name)
            .cloned()
            .ok_or_else(AppError::not_found)?;
        Ok(Chosen {
            loaded,
            entry,
            scope,
        })
    }

    fn change<'a>(&'a self, caller: &Caller) -> Change<'a> {
        Change {
            actor: caller.audit.actor.clone(),
            request_id: caller.audit.request_id.clone(),
            now: self.now(),
            store: &self.store,
            host: &self.plugins,
            new_id: Box::new(|| self.new_id(AuditEventId::from_trusted)),
        }
    }
}
