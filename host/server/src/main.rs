//! `siteward`: the command line that runs the host and administers it.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use siteward_core::Clock;
use siteward_core::audit::AuditScope;
use siteward_core::ids::{PartnerId, SiteId};
use siteward_server::config::Config;
use siteward_server::mail::{Mailer, run_delivery};
use siteward_server::operator::{create_operator, generate_password};
use siteward_server::plugins::bundled::Offer;
use siteward_server::plugins::cli as plugin_cli;
use siteward_server::sweeper::run_sweeper;
use siteward_server::{AppState, AuthSettings, Settings, SystemClock, router};
use siteward_storage::{Closed, Store, StoreConfig};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Siteward: send technicians into customer sites without sharing admin accounts.
///
/// Configuration comes from a TOML file (`--config`) with `SITEWARD_*` environment variables
/// on top, for example `SITEWARD_SERVER__LISTEN=0.0.0.0:8080`. See the README for every key.
#[derive(Debug, Parser)]
#[command(name = "siteward", version)]
struct Cli {
    /// The configuration file (TOML).
    #[arg(long, global = true, env = "SITEWARD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the host: apply migrations, then serve the HTTP API until SIGTERM or Ctrl-C.
    ///
    /// On the first start, when no operator exists, one is created with the email from
    /// `[bootstrap] operator_email` and a generated password, printed once.
    Serve,
    /// Apply pending schema migrations and exit.
    Migrate {
        /// Only print the migrations that would be applied, with their statements; change
        /// nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Manage operator accounts (the people who run the host). Stop `serve` first when the
    /// database is the embedded one: only one process may open its folder.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Manage WebAssembly plugins, and test one against snapshot cases. Like `operator`, the
    /// lifecycle commands open the database: stop `serve` first when it is the embedded one
    /// (a host on a SurrealDB server picks changes up within `[plugins] refresh_seconds`).
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Inspect the audit trail. Like `operator`, opens the database: stop `serve` first when
    /// it is the embedded one.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the whole database to a file (SurrealQL), a consistent snapshot.
    ///
    /// While the host serves, download it from the host: `--from-host http://127.0.0.1:8080`
    /// with an operator's session or API token in `SITEWARD_TOKEN`. Without `--from-host` the
    /// configured database is opened directly (an embedded one's host must be stopped). A
    /// SurrealDB server is backed up with its own `surreal export`, which restores the same way.
    Backup {
        /// The file to write (written beside it as `FILE.partial` until complete).
        #[arg(long)]
        to: PathBuf,
        /// A running host's address, to download the backup from it.
        #[arg(long)]
        from_host: Option<String>,
    },
    /// Restore a backup into the configured database, which must be empty (a new data
    /// folder), then verify every audit chain it holds (exit 1 when one is broken). `serve`
    /// then applies any migration the backup predates.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the tenant hash chains: every tenant's (neither flag), one partner's, or one
    /// site's. Prints each chain's first broken link and exits with 1 when any chain is broken.
    Verify {
        /// One partner (its id).
        #[arg(long)]
        partner: Option<String>,
        /// One site (its id).
        #[arg(long, conflicts_with = "partner")]
        site: Option<String>,
        /// Print the report as JSON (the API's shape) instead of lines.
        #[arg(long)]
        json: bool,
    },
}

/// Where a plugin command applies: every partner (neither flag), one partner, or one site.
#[derive(Debug, clap::Args)]
struct Scope {
    /// One partner (its id).
    #[arg(long)]
    partner: Option<String>,
    /// One site (its id): whether the plugin runs there, overriding its partner.
    #[arg(long, conflicts_with = "partner")]
    site: Option<String>,
}

impl From<Scope> for plugin_cli::ScopeArgs {
    fn from(scope: Scope) -> Self {
        Self {
            partner: scope.partner,
            site: scope.site,
        }
    }
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Install a plugin, or upgrade the installed one of the same name (a higher version).
    Install {
        /// The WebAssembly component (`.wasm`).
        component: PathBuf,
        /// Its manifest.
        #[arg(long, default_value = "siteward-plugin.toml")]
        manifest: PathBuf,
    },
    /// List installed plugins, where they are on, and where they are quarantined.
    List,
    /// Switch a plugin on (for everyone, a partner, or a site); re-enabling a partner ends
    /// its quarantine there.
    Enable {
        /// The plugin.
        name: String,
        #[command(flatten)]
        scope: Scope,
        /// A setting, `key=value` (repeatable).
        #[arg(long = "set")]
        settings: Vec<String>,
    },
    /// Switch a plugin off (for everyone, a partner, or a site).
    Disable {
        /// The plugin.
        name: String,
        #[command(flatten)]
        scope: Scope,
    },
    /// Set a plugin's settings for everyone or a partner, keeping whether it runs there.
    Configure {
        /// The plugin.
        name: String,
        #[command(flatten)]
        scope: Scope,
        /// A setting, `key=value` (repeatable).
        #[arg(long = "set", required = true)]
        settings: Vec<String>,
    },
    /// Remove a partner's or site's binding, so it follows the wider scope again.
    Inherit {
        /// The plugin.
        name: String,
        #[command(flatten)]
        scope: Scope,
    },
    /// Remove a plugin and its bindings.
    Remove {
        /// The plugin.
        name: String,
    },
    /// Run JSON cases through a component with the production runtime and limits, and
    /// check each outcome against its insta snapshot (`.snap.new` files are written for new
    /// and changed ones; read them and pass --accept to keep them). Needs no database. Exits
    /// with 1 when a case does not match. The same as the plugin author's `siteward-plugin
    /// test`.
    Test(siteward_plugin::TestArgs),
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// Create an operator account. Prints a generated password unless one is given on stdin.
    Create {
        /// The operator's email (the login).
        #[arg(long)]
        email: String,
        /// The operator's display name.
        #[arg(long, default_value = "Operator")]
        name: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // One line for a person: what failed, then why (`{:#}` joins the causes).
        Err(error) => {
            eprintln!("siteward: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref(), std::env::vars())?;
    // Traces are the serving host's; the other commands log.
    let tracing = match cli.command {
        Command::Serve => config.tracing.clone(),
        _ => siteward_server::config::TracingConfig::default(),
    };
    let telemetry = siteward_server::telemetry::init(config.server.log_format, &tracing)?;
    let result = dispatch(cli.command, config).await;
    telemetry.shutdown();
    result
}

async fn dispatch(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Plugin {
            command: PluginCommand::Test(args),
        } => {
            // The plugin author's tool's own code: `siteward-plugin test` is the same.
            let ok = args.run()?;
            if !ok {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Plugin { command } => {
            let store = Store::open(&store_config(&config))
                .await
                .context("opening the database")?;
            let command = match command {
                PluginCommand::Install {
                    component,
                    manifest,
                } => plugin_cli::Command::Install {
                    component,
                    manifest,
                },
                PluginCommand::List => plugin_cli::Command::List,
                PluginCommand::Enable {
                    name,
                    scope,
                    settings,
                } => plugin_cli::Command::Enable {
                    name,
                    scope: scope.into(),
                    settings,
                },
                PluginCommand::Disable { name, scope } => plugin_cli::Command::Disable {
                    name,
                    scope: scope.into(),
                },
                PluginCommand::Configure {
                    name,
                    scope,
                    settings,
                } => plugin_cli::Command::Configure {
                    name,
                    scope: scope.into(),
                    settings,
                },
                PluginCommand::Inherit { name, scope } => plugin_cli::Command::Inherit {
                    name,
                    scope: scope.into(),
                },
                PluginCommand::Remove { name } => plugin_cli::Command::Remove { name },
                PluginCommand::Test(_) => unreachable!("handled above"),
            };
            plugin_cli::run(
                &store,
                plugin_runtime(&config)?,
                config.plugins.quarantine_after,
                command,
            )
            .await
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    partner,
                    site,
                    json,
                },
        } => {
            let invalid = |e: siteward_core::FieldError| anyhow::anyhow!("{}", e.message);
            let scope = match (partner, site) {
                (Some(partner), _) => {
                    AuditScope::Partner(PartnerId::parse("partner", &partner).map_err(invalid)?)
                }
                (None, Some(site)) => {
                    AuditScope::Site(SiteId::parse("site", &site).map_err(invalid)?)
                }
                (None, None) => AuditScope::Platform,
            };
            let store = Store::open(&store_config(&config))
                .await
                .context("opening the database")?;
            let key = siteward_server::state::audit_settings(&config.audit).checkpoint_key;
            let report = siteward_server::audit::verify(&store, &scope, key.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", siteward_server::audit::describe(&report));
            }
            if !report.intact {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Backup { to, from_host } => {
            if let Some(host) = from_host {
                let token = std::env::var("SITEWARD_TOKEN").map_err(|_| {
                    anyhow::anyhow!(
                        "set SITEWARD_TOKEN to an operator's session or API token to download a backup"
                    )
                })?;
                siteward_server::backup::download(&host, &token, &to).await?;
                return Ok(());
            }
            refuse_server_engine(&config, "backup")?;
            let store = Store::connect(&store_config(&config))
                .await
                .context("opening the database")?;
            siteward_server::backup::export_to(&store, &to).await?;
            Ok(())
        }
        Command::Restore { from } => {
            refuse_server_engine(&config, "restore")?;
            if config.storage_url().starts_with("surrealkv://") {
                std::fs::create_dir_all(&config.data_dir).with_context(|| {
                    format!("creating the data folder {}", config.data_dir.display())
                })?;
            }
            let store = Store::connect(&store_config(&config))
                .await
                .context("opening the database")?;
            let key = siteward_server::state::audit_settings(&config.audit).checkpoint_key;
            let restored = siteward_server::backup::restore(&store, &from, key.as_deref()).await?;
            close(store).await;
            println!(
                "restored {} records in {} tables; {} audit chain(s) {}",
                restored.records,
                restored.tables,
                restored.chains,
                if restored.intact {
                    "verified"
                } else {
                    "checked: BROKEN (see `siteward audit verify`)"
                }
            );
            if !restored.intact {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Migrate { dry_run: true } => {
            let store = Store::connect(&store_config(&config))
                .await
                .context("connecting to the database")?;
            let pending = store.pending_migrations().await?;
            if pending.is_empty() {
                println!("the database is up to date: nothing would be applied");
            }
            for (name, sql) in &pending {
                println!("-- {name}\n{}\n", sql.trim());
            }
            if !pending.is_empty() {
                println!(
                    "{} migration(s) would be applied, in this order, each in one transaction",
                    pending.len()
                );
            }
            Ok(())
        }
        Command::Migrate { dry_run: false } => {
            let store = Store::connect(&store_config(&config))
                .await
                .context("connecting to the database")?;
            let applied = store.migrate().await?;
            close(store).await;
            println!(
                "applied {} migration(s): {}",
                applied.len(),
                applied.join(", ")
            );
            Ok(())
        }
        Command::Operator {
            command:
                OperatorCommand::Create {
                    email,
                    name,
                    password_stdin,
                },
        } => {
            let store = Store::open(&store_config(&config))
                .await
                .context("opening the database")?;
            let (password, generated) = if password_stdin {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                (text.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (generate_password(), true)
            };
            let id = create_operator(&store, &email, &name, &password, SystemClock.now()).await?;
            close(store).await;
            println!("created operator {email} ({id})");
            if generated {
                println!("password (shown once): {password}");
            }
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Bound first: links in emails may be derived from the address (a port chosen by the
    // system included).
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("listening on {}", config.server.listen))?;
    let address = listener.local_addr()?;
    let public_url = config.server.public_url(address);
    if config.storage_url().starts_with("surrealkv://") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data folder {}", config.data_dir.display()))?;
    }
    let store = Store::open(&store_config(&config))
        .await
        .context("opening the database")?;
    bootstrap_operator(&store, &config).await?;
    let settings = Settings {
        auth: AuthSettings::from(&config.auth),
        public_url: public_url.clone(),
        message_id_domain: config.mail.message_id_domain.clone(),
        plugin_runtime: plugin_runtime(&config)?,
        quarantine_after: config.plugins.quarantine_after,
        hooks: hook_settings(&config)?,
        audit: siteward_server::state::audit_settings(&config.audit),
        shared_storage: config.storage_is_shared(),
        identity: Arc::new(siteward_server::sso::HttpTransport::from_config(
            &config.identity,
        )?),
    };
    let state = AppState::new(store, Arc::new(SystemClock), settings).await?;
    for (name, offer) in siteward_server::plugins::bundled::ensure(&state)
        .await
        .context("installing the first-party plugins")?
    {
        match offer {
            Offer::Installed {
                version,
                switched_on: true,
            } => tracing::info!(plugin = name, %version, "installed and switched on for everyone"),
            Offer::Installed {
                version,
                switched_on: false,
            } => tracing::info!(plugin = name, %version, "installed; switch it on per partner"),
            Offer::Upgraded { from, to } => {
                tracing::info!(plugin = name, %from, %to, "upgraded the first-party plugin")
            }
            Offer::Kept => {}
        }
    }
    // The background workers: each finishes the round in hand when told to stop, which
    // SIGTERM (or Ctrl-C) does at once, while requests in flight finish beside them.
    let stop = CancellationToken::new();
    let grace = Duration::from_secs(u64::from(config.server.shutdown_grace_seconds));
    let signalled = Arc::new(std::sync::OnceLock::new());
    tokio::spawn({
        let (stop, signalled) = (stop.clone(), signalled.clone());
        async move {
            shutdown_signal().await;
            let _ = signalled.set(tokio::time::Instant::now());
            stop.cancel();
        }
    });
    let workers = TaskTracker::new();
    workers.spawn(state.plugins.clone().follow(
        state.store.clone(),
        Duration::from_secs(u64::from(config.plugins.refresh_seconds.max(1))),
        stop.clone(),
    ));
    let mailer = Mailer::from_config(&config.mail, config.data_dir.join("mail"))?;
    tracing::info!("outgoing email: {}", mailer.describe());
    if config.server.public_url.is_empty() {
        tracing::info!(
            "links in emails start with {} (from [server] listen; set [server] public_url to the \
             address people reach this host at)",
            public_url
        );
    }
    workers.spawn(run_delivery(
        state.clone(),
        mailer,
        Duration::from_secs(1),
        stop.clone(),
    ));
    let deliverer = siteward_server::webhooks::Deliverer::from_config(&config.webhooks)?;
    tracing::info!(targets = ?deliverer.target_names(), "webhook targets");
    let sinks = config
        .audit
        .sinks
        .iter()
        .map(siteward_server::stream::Sink::from_config)
        .collect::<anyhow::Result<Vec<_>>>()?;
    for sink in &sinks {
        tracing::info!(?sink, "streaming the audit trail");
    }
    workers.spawn(siteward_server::stream::run_sinks(
        state.clone(),
        sinks,
        deliverer.clone(),
        Duration::from_secs(1),
        stop.clone(),
    ));
    workers.spawn(siteward_server::webhooks::run_webhooks(
        state.clone(),
        deliverer,
        Duration::from_secs(1),
        stop.clone(),
    ));
    let sweep_interval =
        Duration::from_secs(u64::from(config.invitations.sweep_interval_seconds.max(1)));
    workers.spawn(run_sweeper(state.clone(), sweep_interval, stop.clone()));
    workers.spawn(siteward_server::notify::run_notifications(
        state.clone(),
        Duration::from_secs(1),
        stop.clone(),
    ));
    workers.spawn(siteward_server::ldap::run_directory_sync(
        state.clone(),
        Duration::from_secs(60),
        stop.clone(),
    ));
    workers.spawn(siteward_server::audit::run_retention(
        state.clone(),
        Duration::from_secs(3600),
        stop.clone(),
    ));
    if let Some(listen) = config.metrics.listen {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen} ([metrics] listen)"))?;
        tracing::info!(address = %listener.local_addr()?, "serving /metrics without authentication");
        let metrics = axum::Router::new()
            .route(
                "/metrics",
                axum::routing::get(siteward_server::metrics::open_metrics),
            )
            .with_state(state.clone());
        let stopped = stop.clone();
        workers.spawn(async move {
            let served = axum::serve(listener, metrics)
                .with_graceful_shutdown(stopped.cancelled_owned())
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "the metrics listener failed");
            }
        });
    }
    workers.close();
    let closed = state.store.closed();
    let app = router(state, config.server.max_body_bytes);
    tracing::info!(%address, storage = %config.storage_url(), "siteward is serving");
    println!("Siteward is listening on http://{address} (API under /v1, OpenAPI at /openapi.json)");
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop.clone().cancelled_owned())
    .into_future();
    // From the signal on, requests in flight and the workers' rounds in hand share one grace
    // period; what is not done by then is left (a message being sent is claimed under a
    // lease, so a host that stopped without recording it retries it after a restart, with
    // the same Message-ID).
    let deadline = || {
        signalled
            .get()
            .copied()
            .unwrap_or_else(tokio::time::Instant::now)
            + grace
    };
    tokio::select! {
        served = serving => served?,
        () = async {
            stop.cancelled().await;
            tokio::time::sleep_until(deadline()).await;
        } => tracing::warn!(?grace, "requests still in flight after the grace period; stopping without them"),
    }
    stop.cancel();
    if tokio::time::timeout_at(deadline(), workers.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            ?grace,
            "background work did not finish within the grace period; it resumes after a restart"
        );
        // Work still going holds the database open: the next start replays its log.
    } else {
        wait_closed(closed).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// How long a stopping host waits for the embedded engine to close the database: writing out
/// a full in-memory table (1 GiB on a machine of 16 to 64 GiB) takes about ten seconds here.
const CLOSE_WITHIN: Duration = Duration::from_secs(30);

/// Lets go of `store` and waits for the database to be closed (see [`Store::closed`]).
async fn close(store: Store) {
    let closed = store.closed();
    drop(store);
    wait_closed(closed).await;
}

/// Waits for the database to be closed, once every handle on it is gone. One not closed in
/// time loses nothing: the next start replays the engine's log.
async fn wait_closed(closed: Closed) {
    let started = tokio::time::Instant::now();
    if closed.wait(CLOSE_WITHIN).await {
        tracing::info!(took = ?started.elapsed(), "closed the database");
    } else {
        tracing::warn!(within = ?CLOSE_WITHIN, "the database was not closed in time; the next start replays its log");
    }
}

/// Creates the first operator on a fresh database, so a new host is usable without any
/// default password: the generated one is printed once and stored only as a hash.
async fn bootstrap_operator(store: &Store, config: &Config) -> anyhow::Result<()> {
    if store.operator_exists().await? {
        return Ok(());
    }
    let password = generate_password();
    let email = &config.bootstrap.operator_email;
    create_operator(store, email, "Operator", &password, SystemClock.now())
        .await
        .context("creating the first operator")?;
    println!(
        "\nFirst start: created the operator account.\n  email:    {email}\n  password: {password}\n  (shown once; log in with POST /v1/auth/login and change it with POST /v1/me/password)\n"
    );
    Ok(())
}

/// Whom notification hooks may write to and how much, from `[plugins]`.
fn hook_settings(config: &Config) -> anyhow::Result<siteward_server::plugins::hooks::HookSettings> {
    let plugins = &config.plugins;
    let allowed =
        siteward_server::plugins::hooks::AllowedRecipients::parse(&plugins.hook_allowed_recipients)
            .map_err(|why| anyhow::anyhow!("[plugins] hook_allowed_recipients: {why}"))?;
    Ok(siteward_server::plugins::hooks::HookSettings {
        per_event: plugins.hook_max_per_event,
        per_hour: plugins.hook_max_per_hour,
        allowed,
        // Each partner's hooks hold at most their share of the pool; this many partners at
        // once lets every slot be used.
        concurrency: usize::try_from(plugins.concurrency.max(1)).unwrap_or(1),
    })
}

/// The process's plugin engine, keeping precompiled components in the artifacts folder.
fn plugin_runtime(config: &Config) -> anyhow::Result<siteward_plugins::Runtime> {
    siteward_plugins::Runtime::new(siteward_plugins::RuntimeConfig {
        concurrency: config.plugins.concurrency.max(1),
        per_tenant: (config.plugins.per_tenant > 0).then_some(config.plugins.per_tenant),
        artifacts: Some(config.plugin_artifacts_dir()),
        ..siteward_plugins::RuntimeConfig::default()
    })
    .map_err(|e| anyhow::anyhow!("starting the plugin engine: {e:#}"))
}

/// A SurrealDB server's engine does not export or import through a client: say what to use.
fn refuse_server_engine(config: &Config, what: &str) -> anyhow::Result<()> {
    if config.storage_is_shared() {
        anyhow::bail!(
            "the database is a SurrealDB server ({}), whose engine does not {what} through a client: \
             use `surreal export` / `surreal import` against the server (its file restores the same way), \
             or `siteward backup --from-host` to download a running host's backup",
            config.storage_url()
        );
    }
    Ok(())
}

fn store_config(config: &Config) -> StoreConfig {
    StoreConfig {
        url: config.storage_url(),
        namespace: config.storage.namespace.clone(),
        database: config.storage.database.clone(),
        credentials: config
            .storage
            .username
            .clone()
            .zip(config.storage.password.clone()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
