//! The first-party plugins the host ships with, built into the binary (`build.rs`): a fresh
//! database gets each installed, and all but the webhook hook (which needs a target the
//! operator configures) switched on for everyone, so the first run sends the localized
//! invitation emails, tells owners of changes and offers every audit export format.
//!
//! The operator stays in charge: a first-party plugin the operator removed is not installed
//! again, one switched off stays off, and a newer version the operator installed is kept. A
//! host with a newer first-party version upgrades the one it installed before.

use std::collections::HashMap;

use siteward_core::audit::Actor;
use siteward_core::ids::AuditEventId;
use siteward_plugins::Manifest;
use siteward_plugins::manifest::Version;
use siteward_storage::BindingScope;

use super::admin::{self, AdminError, Change};
use crate::state::AppState;

/// A first-party plugin in the binary.
#[derive(Debug, Clone, Copy)]
pub struct Bundled {
    /// Its name.
    pub name: &'static str,
    /// Its manifest (TOML).
    pub manifest: &'static str,
    /// Its component.
    pub component: &'static [u8],
    /// Whether a fresh install is switched on for everyone.
    pub switched_on: bool,
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// What [`ensure`] did to one plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    /// Installed at this version …
    Installed {
        /// The version.
        version: String,
        /// … and switched on for everyone.
        switched_on: bool,
    },
    /// Upgraded from the version it had.
    Upgraded {
        /// The version before.
        from: String,
        /// The version now.
        to: String,
    },
    /// Left as it is (current, removed by the operator, or replaced by a newer version).
    Kept,
}

/// Installs the first-party plugins this database has not been offered yet (switched on for
/// everyone where that is their default) and upgrades those it was offered at an older version. Returns what happened,
/// by plugin name.
pub async fn ensure(state: &AppState) -> Result<Vec<(&'static str, Offer)>, AdminError> {
    let offered: HashMap<String, String> = state
        .store
        .bundled_plugin_offers()
        .await?
        .into_iter()
        .collect();
    let change = Change {
        actor: Actor::System,
        request_id: None,
        now: state.now(),
        store: &state.store,
        host: &state.plugins,
        new_id: Box::new(|| state.new_id(AuditEventId::from_trusted)),
    };
    state.plugins.refresh(&state.store).await?;
    let mut done = Vec::new();
    for bundled in BUNDLED {
        let manifest = Manifest::from_toml(bundled.manifest)?;
        let version = manifest.version.clone();
        let installed = state
            .plugins
            .loaded()
            .plugin(bundled.name)
            .map(|entry| entry.record.version.clone());
        let offer = match (offered.get(bundled.name), installed) {
            (None, None) => {
                admin::install(&change, manifest, bundled.component.to_vec()).await?;
                if bundled.switched_on {
                    admin::bind(&change, bundled.name, BindingScope::All, true, None).await?;
                }
                Offer::Installed {
                    version: version.clone(),
                    switched_on: bundled.switched_on,
                }
            }
            (Some(_), Some(installed)) if Version::parse(&installed) < Version::parse(&version) => {
                admin::install(&change, manifest, bundled.component.to_vec()).await?;
                Offer::Upgraded {
                    from: installed,
                    to: version.clone(),
                }
            }
            _ => Offer::Kept,
        };
        if offer != Offer::Kept || !offered.contains_key(bundled.name) {
            state
                .store
                .record_bundled_plugin_offer(bundled.name, &version, state.now())
                .await?;
        }
        done.push((bundled.name, offer));
    }
    Ok(done)
}
