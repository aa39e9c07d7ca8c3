//! The Siteward host: configuration, the HTTP API over the domain core and storage, and the
//! command line that runs it. This crate is the only one that knows HTTP and JSON.

pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod config;
pub mod error;
pub mod json;
pub mod ldap;
pub mod mail;
pub mod metrics;
pub mod notify;
pub mod plugins;
pub mod sso;
pub mod state;
pub mod stream;
pub mod sweeper;
pub mod telemetry;
pub mod ui;
pub mod webhooks;

pub use api::{openapi, router};

/// Waits `interval` between a background worker's rounds; `true` when `stop` was cancelled
/// meanwhile and the worker should end.
pub async fn stopped(
    stop: &tokio_util::sync::CancellationToken,
    interval: std::time::Duration,
) -> bool {
    tokio::select! {
        () = stop.cancelled() => true,
        () = tokio::time::sleep(interval) => false,
    }
}
pub use siteward_app::{operator, permissions};
pub use state::{AppState, AuditSettings, AuthSettings, Settings, SystemClock};
