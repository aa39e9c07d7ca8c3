//! `siteward plugin …`: the plugin lifecycle from the command line (on the database directly,
//! like `siteward operator`), and `siteward plugin test`, which runs an author's cases through
//! the production runtime without any database.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};

use siteward_core::audit::Actor;
use siteward_core::ids::{AuditEventId, IdGenerator, PartnerId, SiteId};
use siteward_plugins::{Manifest, Runtime};
use siteward_storage::{BindingScope, Store};

use super::PluginHost;
use super::admin::{self, Change};

/// Where a command applies: everyone, one partner, or one site.
#[derive(Debug, Clone, Default)]
pub struct ScopeArgs {
    /// A partner id.
    pub partner: Option<String>,
    /// A site id.
    pub site: Option<String>,
}

/// A lifecycle command.
#[derive(Debug, Clone)]
pub enum Command {
    /// Install or upgrade.
    Install {
        /// The component.
        component: PathBuf,
        /// Its manifest (TOML).
        manifest: PathBuf,
    },
    /// List what is installed.
    List,
    /// Switch on, optionally with settings.
    Enable {
        /// The plugin.
        name: String,
        /// Where.
        scope: ScopeArgs,
        /// `key=value` settings.
        settings: Vec<String>,
    },
    /// Switch off.
    Disable {
        /// The plugin.
        name: String,
        /// Where.
        scope: ScopeArgs,
    },
    /// Set settings, keeping whether it runs.
    Configure {
        /// The plugin.
        name: String,
        /// Where.
        scope: ScopeArgs,
        /// `key=value` settings.
        settings: Vec<String>,
    },
    /// Remove a scope's binding, so it inherits again.
    Inherit {
        /// The plugin.
        name: String,
        /// Where.
        scope: ScopeArgs,
    },
    /// Remove.
    Remove {
        /// The plugin.
        name: String,
    },
}

async fn scope(store: &Store, args: &ScopeArgs) -> anyhow::Result<BindingScope> {
    Ok(match (&args.partner, &args.site) {
        (Some(_), Some(_)) => {
            bail!("give --partner or --site, not both (a site names its partner)")
        }
        (None, None) => BindingScope::All,
        (Some(partner), None) => {
            let partner =
                PartnerId::parse("--partner", partner).map_err(|e| anyhow::anyhow!("{e}"))?;
            store
                .partner(&partner)
                .await
                .with_context(|| format!("partner {partner}"))?;
            BindingScope::Partner(partner)
        }
        (None, Some(site)) => {
            let site = SiteId::parse("--site", site).map_err(|e| anyhow::anyhow!("{e}"))?;
            let site = store
                .site(&site)
                .await
                .with_context(|| format!("site {site}"))?;
            BindingScope::Site(site.partner_id, site.id)
        }
    })
}

fn settings(pairs: &[String]) -> anyhow::Result<Option<BTreeMap<String, String>>> {
    if pairs.is_empty() {
        return Ok(None);
    }
    pairs
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .with_context(|| format!("{pair:?} is not key=value"))
        })
        .collect::<anyhow::Result<_>>()
        .map(Some)
}

/// Runs a lifecycle command against `store`.
pub async fn run(
    store: &Store,
    runtime: Runtime,
    quarantine_after: u32,
    command: Command,
) -> anyhow::Result<()> {
    let host = PluginHost::new(runtime, quarantine_after);
    host.reload(store).await?;
    let ids = std::sync::Mutex::new(IdGenerator::default());
    let new_id = || {
        let mut ids = ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        AuditEventId::from_trusted(ids.next_text(chrono::Utc::now(), crate::state::random()))
    };
    let change = Change {
        actor: Actor::System,
        request_id: None,
        now: chrono::Utc::now(),
        store,
        host: &host,
        new_id: Box::new(new_id),
    };
    match command {
        Command::Install {
            component,
            manifest,
        } => {
            let text = std::fs::read_to_string(&manifest)
                .with_context(|| format!("reading {}", manifest.display()))?;
            let manifest =
                Manifest::from_toml(&text).with_context(|| format!("{}", manifest.display()))?;
            let bytes = std::fs::read(&component)
                .with_context(|| format!("reading {}", component.display()))?;
            let installed = admin::install(&change, manifest, bytes).await?;
            let record = &installed.entry.record;
            match installed.upgraded_from {
                Some(from) => {
                    println!("upgraded {} from {from} to {}", record.name, record.version)
                }
                None => println!(
                    "installed {} {} ({}); switch it on with `siteward plugin enable {}`",
                    record.name, record.version, record.world, record.name
                ),
            }
        }
        Command::List => {
            let loaded = host.loaded();
            if loaded.plugins().next().is_none() {
                println!("no plugins installed");
            }
            for entry in loaded.plugins() {
                let r = &entry.record;
                let wit = entry
                    .plugin
                    .as_ref()
                    .map_or_else(|_| String::new(), |p| format!(", WIT {}", p.version()));
                println!(
                    "{} {} ({}{wit}) sha256:{}",
                    r.name,
                    r.version,
                    r.world,
                    &r.content_hash[..12]
                );
                if let Err(error) = &entry.plugin {
                    println!("  cannot load: {error}");
                }
                for (scope, enabled, config) in loaded.bindings(&r.name) {
                    let config = config
                        .map(|c| format!(" {:?}", entry.manifest.redact(c)))
                        .unwrap_or_default();
                    println!(
                        "  {}: {}{config}",
                        admin::scope_text(scope),
                        if enabled { "on" } else { "off" }
                    );
                }
                for partner in loaded.quarantined_for(&r.name) {
                    println!("  quarantined for partner {partner}");
                }
            }
        }
        Command::Enable {
            name,
            scope: args,
            settings: pairs,
        } => {
            let scope = scope(store, &args).await?;
            admin::bind(&change, &name, scope.clone(), true, settings(&pairs)?).await?;
            println!("{name} is on for {}", admin::scope_text(&scope));
        }
        Command::Disable { name, scope: args } => {
            let scope = scope(store, &args).await?;
            admin::bind(&change, &name, scope.clone(), false, None).await?;
            println!("{name} is off for {}", admin::scope_text(&scope));
        }
        Command::Configure {
            name,
            scope: args,
            settings: pairs,
        } => {
            let scope = scope(store, &args).await?;
            let values = settings(&pairs)?.context("give at least one --set key=value")?;
            let loaded = host.loaded();
            let enabled = match &scope {
                BindingScope::Partner(partner) => loaded.effective(&name, partner, None).enabled,
                other => loaded
                    .bindings(&name)
                    .any(|(s, enabled, _)| s == other && enabled),
            };
            admin::bind(&change, &name, scope.clone(), enabled, Some(values)).await?;
            println!("{name} configured for {}", admin::scope_text(&scope));
        }
        Command::Inherit { name, scope: args } => {
            let scope = scope(store, &args).await?;
            admin::unbind(&change, &name, scope.clone()).await?;
            println!("{name}: {} inherits again", admin::scope_text(&scope));
        }
        Command::Remove { name } => {
            admin::remove(&change, &name).await?;
            println!("removed {name}");
        }
    }
    Ok(())
}
