//! Configuration: a TOML file, then `SITEWARD_*` environment variables on top.
//!
//! An environment variable names a key by its path, sections joined with a double underscore:
//! `SITEWARD_STORAGE__URL` sets `[storage] url`, `SITEWARD_AUTH__SESSION_TTL_MINUTES` sets
//! `[auth] session_ttl_minutes`. Values are read as TOML (numbers, booleans), falling back to
//! a plain string. Unknown keys, from the file or the environment, are refused with their name,
//! so a typo never silently leaves a default in force.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The environment variable prefix for overrides.
pub const ENV_PREFIX: &str = "SITEWARD_";
/// The variable naming the configuration file (also `--config`); not a key itself.
pub const CONFIG_FILE_VAR: &str = "SITEWARD_CONFIG";

/// The settings outside any section, as environment names take them (`SITEWARD_DATA_DIR`).
const TOP_LEVEL_KEYS: [&str; 1] = ["DATA_DIR"];

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the embedded database and outgoing mail files live.
    pub data_dir: PathBuf,
    /// The HTTP server.
    pub server: ServerConfig,
    /// The database.
    pub storage: StorageConfig,
    /// Logins and sessions.
    pub auth: AuthConfig,
    /// The first operator account.
    pub bootstrap: BootstrapConfig,
    /// Outgoing email.
    pub mail: MailConfig,
    /// Invitations.
    pub invitations: InvitationsConfig,
    /// WebAssembly plugins.
    pub plugins: PluginsConfig,
    /// The audit trail.
    pub audit: AuditConfig,
    /// Webhook targets and their delivery.
    pub webhooks: WebhooksConfig,
    /// Reaching partners' identity providers (single sign-on).
    pub identity: IdentityConfig,
    /// The Prometheus endpoint.
    pub metrics: MetricsConfig,
    /// OpenTelemetry traces.
    pub tracing: TracingConfig,
}

/// `[tracing]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TracingConfig {
    /// Where to export traces over OTLP/HTTP (`http://collector:4318`); empty: no traces.
    pub otlp_endpoint: String,
    /// The `service.name` the traces carry.
    pub service_name: String,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: String::new(),
            service_name: "siteward".to_owned(),
        }
    }
}

/// `[metrics]`
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A second listener that serves `GET /metrics` to whoever reaches it, without
    /// authentication (a private address for the scraper, such as `127.0.0.1:9464`). Unset:
    /// no second listener; `/metrics` on the API listener answers the operator's tokens alone.
    pub listen: Option<SocketAddr>,
}

/// `[identity]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityConfig {
    /// Address blocks an identity provider may be reached at although they are loopback,
    /// link-local or a metadata service (`["127.0.0.0/8"]` for a provider on this machine);
    /// refused otherwise, since partners' admins name the providers.
    pub allow_networks: Vec<String>,
    /// Seconds a request to a provider may take, connecting included.
    pub timeout_seconds: u32,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            allow_networks: Vec::new(),
            timeout_seconds: 10,
        }
    }
}

impl IdentityConfig {
    /// The allowed address blocks.
    pub fn networks(&self) -> Result<Vec<siteward_core::webhook::Network>, String> {
        self.allow_networks
            .iter()
            .map(|n| {
                siteward_core::webhook::Network::parse(n)
                    .map_err(|e| format!("[identity] allow_networks: {e}"))
            })
            .collect()
    }
}

/// `[webhooks]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// The targets notification hooks may call, by name (`[[webhooks.targets]]`).
    pub targets: Vec<WebhookTargetConfig>,
    /// Address blocks that may be called although they are loopback, link-local or a metadata
    /// service (`["127.0.0.0/8"]`); refused otherwise.
    pub allow_networks: Vec<String>,
    /// Attempts per delivery before it is given up on.
    pub max_attempts: u32,
    /// Seconds before the first retry; doubles per attempt, with jitter.
    pub retry_initial_seconds: u32,
    /// The longest wait between attempts, in seconds.
    pub retry_max_seconds: u32,
    /// Seconds an attempt may take, connecting included.
    pub timeout_seconds: u32,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            targets: Vec::new(),
            allow_networks: Vec::new(),
            max_attempts: 8,
            retry_initial_seconds: 10,
            retry_max_seconds: 3600,
            timeout_seconds: 10,
        }
    }
}

/// `[[webhooks.targets]]`: one place deliveries go.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookTargetConfig {
    /// The name hooks use for it (letters, digits, `-`, `_`).
    pub name: String,
    /// Where deliveries are POSTed, `https://` (or `http://`).
    pub url: String,
    /// The secret shared with the receiver, which signs every delivery (at least 24 characters).
    pub secret: String,
    /// The partners whose events may be sent here, by id; `["*"]` for every partner.
    pub partners: Vec<String>,
}

/// `[audit]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The secret that signs retention checkpoints (at least 32 characters). Keep it outside
    /// the database: whoever holds it can vouch for where a cut chain continues.
    pub checkpoint_key: Option<String>,
    /// Days an audit event is kept; older events are dropped per tenant chain behind a signed
    /// checkpoint. 0 keeps everything. Needs `checkpoint_key`.
    pub retention_days: u32,
    /// Continuous streams of a tenant's audit trail (`[[audit.sinks]]`).
    pub sinks: Vec<AuditSinkConfig>,
}

/// `[[audit.sinks]]`: a tenant's audit trail, streamed in a format to a file or an HTTP endpoint.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AuditSinkConfig {
    /// Its name (letters, digits, `-`, `_`); where it stands is kept under this name.
    pub name: String,
    /// Whose trail: `platform` (everything), `partner/<id>` (the partner's and its sites'), or
    /// `site/<id>`.
    pub scope: String,
    /// An installed exporter's format (`ndjson`, `csv`, `cef`, `ocsf`, …).
    #[serde(default = "default_sink_format")]
    pub format: String,
    /// Append to this file …
    pub file: Option<PathBuf>,
    /// … or POST each batch here.
    pub url: Option<String>,
    /// Signs each POST as webhooks are signed (at least 24 characters); for `url`.
    pub secret: Option<String>,
}

fn default_sink_format() -> String {
    "ndjson".to_owned()
}

/// `[plugins]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PluginsConfig {
    /// How many plugin calls may run at once (the sandbox pool is sized for it).
    pub concurrency: u32,
    /// How many of those one tenant's calls may hold at once (a partner's renderers, policies
    /// and hooks; a site's or the platform's exports); 0 is a quarter of `concurrency`. A call
    /// finding none free waits up to its deadline, then the host falls back as for a failure
    /// (without counting it against the plugin).
    pub per_tenant: u32,
    /// Consecutive failed calls after which a plugin is quarantined for a partner.
    pub quarantine_after: u32,
    /// Deliveries (an email to one address, a digest item, a webhook call) one event may
    /// cause, per notification hook; beyond it the event's are refused as the hook's failure.
    pub hook_max_per_event: u32,
    /// Deliveries per notification hook at one partner within a clock hour; beyond it, the
    /// same.
    pub hook_max_per_hour: u32,
    /// Addresses besides a partner's own people that its hooks may write to: whole addresses
    /// or `@domain`.
    pub hook_allowed_recipients: Vec<String>,
    /// How often to look for plugin changes made by other hosts or the command line.
    pub refresh_seconds: u32,
    /// Where precompiled components are kept; empty means `<data_dir>/plugin-artifacts`.
    /// Only this host may write there.
    pub artifacts_dir: String,
}

impl Default for PluginsConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            per_tenant: 0,
            quarantine_after: 5,
            hook_max_per_event: 100,
            hook_max_per_hour: 5_000,
            hook_allowed_recipients: Vec::new(),
            refresh_seconds: 5,
            artifacts_dir: String::new(),
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The address people reach this host at; invitation links start with it. Empty: derived
    /// from `listen` (see [`ServerConfig::public_url`]).
    pub public_url: String,
    /// After SIGTERM, how long requests in flight and the background workers' rounds in hand
    /// get to finish before the process ends without them.
    pub shutdown_grace_seconds: u32,
}

impl ServerConfig {
    /// Where links in emails point: `public_url` as configured, else `http://` and the address
    /// the host is `listening` at (loopback for an unspecified one, such as `0.0.0.0`).
    pub fn public_url(&self, listening: SocketAddr) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.clone();
        }
        let port = listening.port();
        match listening.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => format!("http://127.0.0.1:{port}"),
            ip if ip.is_unspecified() => format!("http://[::1]:{port}"),
            std::net::IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
            ip => format!("http://{ip}:{port}"),
        }
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `surrealkv://PATH`, `mem://` or `ws://HOST:PORT`; empty means `surrealkv://<data_dir>/db`.
    pub url: String,
    /// SurrealDB namespace.
    pub namespace: String,
    /// SurrealDB database.
    pub database: String,
    /// Root user for a SurrealDB server.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<String>,
}

/// `[auth]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// How long a login session lasts.
    pub session_ttl_minutes: u32,
    /// Consecutive failed logins that lock an account.
    pub max_failed_logins: u32,
    /// How long the lock lasts.
    pub lockout_minutes: u32,
    /// Failed logins one client address may make per minute before it is refused.
    pub max_failures_per_address_per_minute: u32,
    /// How long a host trusts an API token it found unrevoked before asking the database again;
    /// a revocation through another host applies within this time (0: ask every request).
    pub api_token_cache_seconds: u32,
}

/// `[mail]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// The SMTP server. Empty: messages are written as `.eml` files under `<data_dir>/mail`.
    pub smtp_host: String,
    /// Its port.
    pub smtp_port: u16,
    /// `starttls`, `tls` (implicit TLS, usually port 465) or `none` (local relays only).
    pub security: MailSecurity,
    /// SMTP user name, if the server wants one.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<String>,
    /// The From header.
    pub from: String,
    /// The right part of every Message-ID (`<message id>@<this>`).
    pub message_id_domain: String,
    /// Delivery attempts before a message is marked failed.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles with each further one.
    pub retry_initial_seconds: u32,
    /// The longest wait between attempts.
    pub retry_max_seconds: u32,
    /// How long a host holds the messages it took for sending; a host that dies holding them
    /// leaves them to the others (or to itself, restarted) when this runs out.
    pub lease_seconds: u32,
    /// SMTP connections each host sends over side by side.
    pub connections: u32,
    /// A PEM file of certificates to trust for the SMTP server's TLS besides the public roots
    /// (a relay with a certificate from the company's own authority).
    pub ca_file: Option<PathBuf>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailSecurity {
    /// Upgrade a plain connection with STARTTLS (required).
    Starttls,
    /// TLS from the first byte.
    Tls,
    /// No encryption: only for a relay on the same machine or in tests.
    None,
}

/// `[invitations]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct InvitationsConfig {
    /// How often the sweeper marks invitations whose time has passed as Expired.
    pub sweep_interval_seconds: u32,
}

/// `[bootstrap]`
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct BootstrapConfig {
    /// The email of the operator `serve` creates on first start when none exists. Its password
    /// is generated and printed once.
    pub operator_email: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            server: ServerConfig::default(),
            storage: StorageConfig::default(),
            auth: AuthConfig::default(),
            bootstrap: BootstrapConfig::default(),
            mail: MailConfig::default(),
            invitations: InvitationsConfig::default(),
            plugins: PluginsConfig::default(),
            audit: AuditConfig::default(),
            webhooks: WebhooksConfig::default(),
            identity: IdentityConfig::default(),
            metrics: MetricsConfig::default(),
            tracing: TracingConfig::default(),
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            security: MailSecurity::Starttls,
            username: None,
            password: None,
            from: "Siteward <no-reply@siteward.localhost>".to_owned(),
            message_id_domain: "siteward.localhost".to_owned(),
            max_attempts: 8,
            retry_initial_seconds: 30,
            retry_max_seconds: 3600,
            lease_seconds: 300,
            connections: 4,
            ca_file: None,
        }
    }
}

impl Default for InvitationsConfig {
    fn default() -> Self {
        Self {
            sweep_interval_seconds: 60,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log_format: LogFormat::Pretty,
            max_body_bytes: 1024 * 1024,
            public_url: String::new(),
            shutdown_grace_seconds: 20,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            namespace: "siteward".to_owned(),
            database: "siteward".to_owned(),
            username: None,
            password: None,
        }
    }
}

/// The application's defaults, in the units the file uses: one source for both.
impl Default for AuthConfig {
    fn default() -> Self {
        let app = siteward_app::AuthSettings::default();
        let whole = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            session_ttl_minutes: whole(app.session_ttl.num_minutes()),
            max_failed_logins: app.lockout.max_failures,
            lockout_minutes: whole(app.lockout.lockout.num_minutes()),
            max_failures_per_address_per_minute: app.max_failures_per_address,
            api_token_cache_seconds: whole(app.api_token_cache.num_seconds()),
        }
    }
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        Self {
            operator_email: "operator@siteward.localhost".to_owned(),
        }
    }
}

/// Whether a name is letters, digits, `-` and `_`.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl AuditSinkConfig {
    fn check(&self) -> Result<(), String> {
        let name = &self.name;
        if !plain_name(name) {
            return Err(format!(
                "[[audit.sinks]] name {name:?}: use letters, digits, `-` and `_`"
            ));
        }
        if siteward_core::audit::AuditScope::from_chain_name(&self.scope).is_none() {
            return Err(format!(
                "[[audit.sinks]] {name}: scope {:?} must be `platform`, `partner/<id>` or `site/<id>`",
                self.scope
            ));
        }
        match (&self.file, &self.url) {
            (Some(_), None) => Ok(()),
            (None, Some(url)) => {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|e| format!("[[audit.sinks]] {name}: url {url:?}: {e}"))?;
                if !matches!(parsed.scheme(), "https" | "http") || parsed.host().is_none() {
                    return Err(format!(
                        "[[audit.sinks]] {name}: url {url:?} must be an http(s) address"
                    ));
                }
                match &self.secret {
                    Some(secret) if secret.len() >= 24 => Ok(()),
                    _ => Err(format!(
                        "[[audit.sinks]] {name}: a url sink needs a secret of at least 24 characters"
                    )),
                }
            }
            _ => Err(format!(
                "[[audit.sinks]] {name}: give either `file` or `url`"
            )),
        }
    }
}

impl WebhooksConfig {
    /// The allowed address blocks.
    pub fn networks(&self) -> Result<Vec<siteward_core::webhook::Network>, String> {
        self.allow_networks
            .iter()
            .map(|n| {
                siteward_core::webhook::Network::parse(n)
                    .map_err(|e| format!("[webhooks] allow_networks: {e}"))
            })
            .collect()
    }

    fn check(&self) -> Result<(), String> {
        self.networks()?;
        let mut names = std::collections::BTreeSet::new();
        for target in &self.targets {
            let name = &target.name;
            if !plain_name(name) {
                return Err(format!(
                    "[[webhooks.targets]] name {name:?}: use letters, digits, `-` and `_`"
                ));
            }
            if !names.insert(name) {
                return Err(format!("[[webhooks.targets]] name {name:?} is used twice"));
            }
            let url = reqwest::Url::parse(&target.url)
                .map_err(|e| format!("[[webhooks.targets]] {name}: url {:?}: {e}", target.url))?;
            if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
                return Err(format!(
                    "[[webhooks.targets]] {name}: url {:?} must be an http(s) address",
                    target.url
                ));
            }
            if target.secret.len() < 24 {
                return Err(format!(
                    "[[webhooks.targets]] {name}: secret must be at least 24 characters"
                ));
            }
            if target.partners.is_empty() {
                return Err(format!(
                    "[[webhooks.targets]] {name}: partners must list the partner ids whose events \
                     may go there, or [\"*\"] for all"
                ));
            }
        }
        Ok(())
    }
}

/// A configuration that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML, or a key is unknown or has the wrong type.
    #[error("invalid configuration ({origin}): {message}")]
    Invalid {
        /// The file or "environment".
        origin: String,
        /// What is wrong, naming the key.
        message: String,
    },
}

impl Config {
    /// Loads the file (if any) and applies the overrides among `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str::<toml::Table>(&text).map_err(|e| ConfigError::Invalid {
                    origin: path.display().to_string(),
                    message: e.message().to_owned(),
                })?
            }
            None => toml::Table::new(),
        };
        let mut overridden = Vec::new();
        for (name, value) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            // Only names shaped like settings (`SECTION__KEY`, or a top-level key) are read:
            // a script's own `SITEWARD_BIN` is not meant for the host.
            if name == CONFIG_FILE_VAR || !(key.contains("__") || TOP_LEVEL_KEYS.contains(&key)) {
                continue;
            }
            let path: Vec<String> = key.split("__").map(str::to_lowercase).collect();
            set_path(&mut table, &path, parse_env_value(&value));
            overridden.push(name);
        }
        let origin = match (file, overridden.is_empty()) {
            (Some(path), true) => path.display().to_string(),
            (Some(path), false) => format!("{} with {}", path.display(), overridden.join(", ")),
            (None, _) => format!("environment: {}", overridden.join(", ")),
        };
        let config: Self =
            Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Invalid {
                origin,
                message: e.message().to_owned(),
            })?;
        config.check().map_err(|message| ConfigError::Invalid {
            origin: "configuration".to_owned(),
            message,
        })?;
        Ok(config)
    }

    /// Rules that span keys.
    fn check(&self) -> Result<(), String> {
        if let Some(key) = &self.audit.checkpoint_key
            && key.len() < 32
        {
            return Err("[audit] checkpoint_key must be at least 32 characters".to_owned());
        }
        if self.audit.retention_days > 0 && self.audit.checkpoint_key.is_none() {
            return Err(
                "[audit] retention_days needs [audit] checkpoint_key, which signs the checkpoint \
                 a cut chain continues from"
                    .to_owned(),
            );
        }
        for sink in &self.audit.sinks {
            sink.check()?;
        }
        let mut names = std::collections::BTreeSet::new();
        if let Some(sink) = self.audit.sinks.iter().find(|s| !names.insert(&s.name)) {
            return Err(format!(
                "[[audit.sinks]] name {:?} is used twice",
                sink.name
            ));
        }
        self.identity.networks()?;
        self.webhooks.check()
    }

    /// Where precompiled plugin components are kept.
    pub fn plugin_artifacts_dir(&self) -> PathBuf {
        if self.plugins.artifacts_dir.is_empty() {
            self.data_dir.join("plugin-artifacts")
        } else {
            PathBuf::from(&self.plugins.artifacts_dir)
        }
    }

    /// The storage URL in force: the configured one, or the embedded default under `data_dir`.
    pub fn storage_url(&self) -> String {
        if self.storage.url.is_empty() {
            format!("surrealkv://{}", self.data_dir.join("db").display())
        } else {
            self.storage.url.clone()
        }
    }

    /// Whether other hosts may write to the same database: a SurrealDB server, not one of the
    /// embedded engines (which one process opens at a time).
    pub fn storage_is_shared(&self) -> bool {
        let url = self.storage_url();
        !(url.starts_with("surrealkv://") || url.starts_with("mem://"))
    }
}

fn parse_env_value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()))
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) {
    match path {
        [] => {}
        [last] => {
            table.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = table
                .entry(first.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_auth_section_means_the_applications_defaults() {
        let from_file = siteward_app::AuthSettings::from(&AuthConfig::default());
        let app = siteward_app::AuthSettings::default();
        assert_eq!(from_file.session_ttl, app.session_ttl);
        assert_eq!(from_file.lockout.max_failures, app.lockout.max_failures);
        assert_eq!(from_file.lockout.lockout, app.lockout.lockout);
        assert_eq!(
            from_file.max_failures_per_address,
            app.max_failures_per_address
        );
        assert_eq!(from_file.api_token_cache, app.api_token_cache);
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("siteward.toml");
        std::fs::write(
            &path,
            "[storage]\nurl = \"mem://\"\n[auth]\nlockout_minutes = 5\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&path),
            env(&[
                ("SITEWARD_AUTH__LOCKOUT_MINUTES", "30"),
                ("SITEWARD_SERVER__LOG_FORMAT", "json"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(config.storage_url(), "mem://");
        assert_eq!(config.auth.lockout_minutes, 30);
        assert_eq!(config.server.log_format, LogFormat::Json);
    }

    #[test]
    fn only_names_shaped_like_settings_are_read_from_the_environment() {
        let config = Config::load(
            None,
            env(&[
                ("SITEWARD_BIN", "/usr/local/bin/siteward"),
                ("SITEWARD_DATA_DIR", "/var/lib/siteward"),
            ]),
        )
        .unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/siteward"));
        // A settings-shaped name that names nothing is still refused.
        let error = Config::load(None, env(&[("SITEWARD_SERVER__PORT", "8080")])).unwrap_err();
        assert!(error.to_string().contains("port"), "{error}");
    }

    #[test]
    fn links_point_at_the_listening_address_unless_a_public_url_is_set() {
        let at = |listening: &str, public_url: &str| {
            ServerConfig {
                public_url: public_url.to_owned(),
                ..ServerConfig::default()
            }
            .public_url(listening.parse().unwrap())
        };
        assert_eq!(at("127.0.0.1:9090", ""), "http://127.0.0.1:9090");
        assert_eq!(at("0.0.0.0:8443", ""), "http://127.0.0.1:8443");
        assert_eq!(at("[::]:8080", ""), "http://[::1]:8080");
        assert_eq!(at("10.0.0.5:80", ""), "http://10.0.0.5:80");
        assert_eq!(
            at("0.0.0.0:8080", "https://access.example.com"),
            "https://access.example.com"
        );
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let error = Config::load(None, env(&[("SITEWARD_STORAGE__URI", "mem://")])).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("uri") && text.contains("SITEWARD_STORAGE__URI"),
            "{text}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("siteward.toml");
        std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:1\"\nport = 8080\n").unwrap();
        let text = Config::load(Some(&path), env(&[])).unwrap_err().to_string();
        assert!(text.contains("port"), "{text}");
    }

    #[test]
    fn webhook_targets_are_checked_when_the_configuration_loads() {
        let load = |toml: &str| {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), toml).unwrap();
            Config::load(Some(file.path()), env(&[])).map_err(|e| e.to_string())
        };
        let target = |name: &str, url: &str, secret: &str, partners: &str| {
            format!(
                "[[webhooks.targets]]\nname = {name:?}\nurl = {url:?}\nsecret = {secret:?}\npartners = {partners}\n"
            )
        };
        let secret = "s".repeat(24);
        let good = target("siem", "https://hooks.example.com/in", &secret, r#"["*"]"#);
        let config = load(&format!(
            "[webhooks]\nallow_networks = [\"10.0.0.0/8\"]\n{good}"
        ))
        .unwrap();
        assert_eq!(config.webhooks.targets[0].name, "siem");
        assert_eq!(config.webhooks.networks().unwrap().len(), 1);
        for (toml, expected) in [
            (format!("{good}{good}"), "used twice"),
            (
                target("a b", "https://x.example", &secret, r#"["*"]"#),
                "letters, digits",
            ),
            (
                target("a", "ftp://x.example", &secret, r#"["*"]"#),
                "http(s) address",
            ),
            (target("a", "not a url", &secret, r#"["*"]"#), "url"),
            (
                target("a", "https://x.example", "short", r#"["*"]"#),
                "at least 24",
            ),
            (
                target("a", "https://x.example", &secret, "[]"),
                "partners must list",
            ),
            (
                "[webhooks]\nallow_networks = [\"10.0.0.0/40\"]\n".to_owned(),
                "allow_networks",
            ),
        ] {
            let error = load(&toml).unwrap_err();
            assert!(error.contains(expected), "{toml}: {error}");
        }
    }

    #[test]
    fn audit_sinks_need_a_scope_and_one_destination() {
        let load = |toml: &str| {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), toml).unwrap();
            Config::load(Some(file.path()), env(&[])).map_err(|e| e.to_string())
        };
        let sink = |name: &str, scope: &str, rest: &str| {
            format!("[[audit.sinks]]\nname = {name:?}\nscope = {scope:?}\n{rest}\n")
        };
        let good = sink("all", "platform", "file = \"audit.ndjson\"");
        let config = load(&good).unwrap();
        assert_eq!(config.audit.sinks[0].format, "ndjson", "the default format");
        let secret = "s".repeat(24);
        load(&sink(
            "siem",
            "partner/01JPARTNER00000000000000AA",
            &format!("format = \"cef\"\nurl = \"https://siem.example/in\"\nsecret = {secret:?}"),
        ))
        .unwrap();
        for (toml, expected) in [
            (format!("{good}{good}"), "used twice"),
            (sink("a", "tenant/1", "file = \"x\""), "must be `platform`"),
            (sink("a", "platform", ""), "either `file` or `url`"),
            (
                sink("a", "platform", "file = \"x\"\nurl = \"https://x.example\""),
                "either `file` or `url`",
            ),
            (
                sink("a", "platform", "url = \"https://x.example\""),
                "needs a secret",
            ),
        ] {
            let error = load(&toml).unwrap_err();
            assert!(error.contains(expected), "{toml}: {error}");
        }
    }

    #[test]
    fn retention_needs_a_checkpoint_key_of_some_length() {
        let error = Config::load(None, env(&[("SITEWARD_AUDIT__RETENTION_DAYS", "30")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("needs [audit] checkpoint_key"), "{error}");
        let error = Config::load(None, env(&[("SITEWARD_AUDIT__CHECKPOINT_KEY", "short")]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("at least 32 characters"), "{error}");
        let config = Config::load(
            None,
            env(&[
                ("SITEWARD_AUDIT__RETENTION_DAYS", "30"),
                ("SITEWARD_AUDIT__CHECKPOINT_KEY", &"k".repeat(32)),
            ]),
        )
        .unwrap();
        assert_eq!(config.audit.retention_days, 30);
    }

    #[test]
    fn the_default_stores_under_the_data_folder() {
        let config = Config::load(None, env(&[])).unwrap();
        assert_eq!(config.storage_url(), "surrealkv://data/db");
    }
}
