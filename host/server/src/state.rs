//! The state every request shares: the application, and what only the HTTP edge keeps (the
//! limit on failed logins per address, the cache of API tokens).

use std::sync::Arc;

use siteward_core::Clock;
use siteward_storage::Store;

pub use siteward_app::services::{
    App, AuditContext, AuditSettings, AuthSettings, Settings, SystemClock, random,
};

use crate::auth::{AddressLimiter, ApiTokenCache};
use crate::config::AuthConfig;

impl From<&AuthConfig> for AuthSettings {
    fn from(config: &AuthConfig) -> Self {
        Self {
            session_ttl: chrono::Duration::minutes(i64::from(config.session_ttl_minutes)),
            lockout: siteward_core::account::LockoutPolicy {
                max_failures: config.max_failed_logins.max(1),
                lockout: chrono::Duration::minutes(i64::from(config.lockout_minutes)),
            },
            max_failures_per_address: config.max_failures_per_address_per_minute.max(1),
            api_token_cache: chrono::Duration::seconds(i64::from(config.api_token_cache_seconds)),
        }
    }
}

/// `[audit]`, in domain units.
pub fn audit_settings(config: &crate::config::AuditConfig) -> AuditSettings {
    AuditSettings {
        checkpoint_key: config
            .checkpoint_key
            .as_ref()
            .map(|key| Arc::from(key.as_bytes())),
        retention: (config.retention_days > 0)
            .then(|| chrono::Duration::days(i64::from(config.retention_days))),
    }
}

/// Shared by all handlers; cheap to clone. Dereferences to the [`App`].
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Inner {
    /// The application the handlers call.
    pub app: App,
    /// Failed logins per client address.
    pub limiter: AddressLimiter,
    /// API tokens found unrevoked a moment ago.
    pub api_tokens: ApiTokenCache,
    /// What `/metrics` reports of the HTTP requests this process answered.
    pub http_metrics: crate::metrics::HttpMetrics,
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0.app
    }
}

impl AppState {
    /// State over a store, with a clock and settings. Builds the permission index and loads
    /// the installed plugins from the store.
    pub async fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Result<Self, siteward_storage::StorageError> {
        let api_tokens = ApiTokenCache::new(settings.auth.api_token_cache);
        let app = App::new(store, clock, settings).await?;
        Ok(Self(Arc::new(Inner {
            app,
            limiter: AddressLimiter::default(),
            api_tokens,
            http_metrics: crate::metrics::HttpMetrics::default(),
        })))
    }

    /// Failed logins per client address.
    pub fn limiter(&self) -> &AddressLimiter {
        &self.0.limiter
    }

    /// API tokens found unrevoked a moment ago.
    pub fn api_tokens(&self) -> &ApiTokenCache {
        &self.0.api_tokens
    }

    /// The HTTP requests this process answered, for `/metrics`.
    pub fn http_metrics(&self) -> &crate::metrics::HttpMetrics {
        &self.0.http_metrics
    }
}
