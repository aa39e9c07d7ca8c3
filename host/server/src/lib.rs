//! The Siteward host: configuration, the HTTP API over the domain core and storage, and the
//! command line that runs it. This crate is the only one that knows HTTP and JSON.

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod error;
pub mod json;
pub mod mail;
pub mod notify;
pub mod operator;
pub mod plugins;
pub mod state;
pub mod stream;
pub mod sweeper;
pub mod webhooks;

pub use api::{openapi, router};
pub use siteward_app::permissions;
pub use state::{AppState, AuditSettings, AuthSettings, Settings, SystemClock};
