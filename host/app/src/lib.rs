//! Siteward's use cases, between the frontends (the JSON API, the web console, the command
//! line) and the domain and storage beneath them.
//!
//! A use case takes the [`Caller`](auth::Caller), typed input and the [`App`], authorizes
//! first, does its work (in one transaction where it writes, with its audit events and its
//! permission-index changes produced together), and returns typed output or an
//! [`AppError`]. Nothing here knows HTTP, JSON framing or axum; `siteward-server` turns
//! requests into calls here and answers into responses.

pub mod access_requests;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod check;
mod coalesce;
pub mod devices;
pub mod directory;
pub mod error;
pub mod grants;
pub mod idempotency;
pub mod identity;
pub mod invitations;
pub mod invite;
pub mod licences;
pub mod mine;
pub mod operator;
pub mod page;
pub mod partners;
pub mod people;
pub mod permissions;
pub mod plugins;
pub mod recovery;
pub mod reviews;
pub mod roles;
pub mod saml;
pub mod scim;
pub mod security;
pub mod services;
pub mod session;
pub mod sites;
pub mod technicians;
pub mod tokens;
pub mod webhooks;

pub use error::{AppError, AppResult, Kind};
pub use services::{App, AuditContext, AuditSettings, AuthSettings, Settings, SystemClock, random};
